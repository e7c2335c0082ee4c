"""Record job runs so that admins see what ran and what failed (core.JobRun)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from core.models import JobRun

logger = logging.getLogger(__name__)


@contextmanager
def recorded_run(job: str) -> Iterator[dict[str, Any]]:
    """Record a JobRun around the block; the block fills the yielded dict with its result.

    A failure is stored with its exception text and re-raised, so the task's own error handling still applies.
    """
    run = JobRun.objects.create(job=job)
    result: dict[str, Any] = {}
    try:
        yield result
    except Exception as error:
        run.status = JobRun.Status.FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.result = result
        run.save(update_fields=["status", "error", "finished_at", "result"])
        logger.exception("job %s failed (run %s)", job, run.pk)
        raise
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.result = result
    run.save(update_fields=["status", "finished_at", "result"])


def run_recorded(job: str, function: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a job function under a recorded run and return its result."""
    with recorded_run(job) as result:
        result.update(function())
    return result
