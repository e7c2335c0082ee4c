"""A task enqueued inside a transaction reaches a real worker on Redis after commit, and never after rollback."""

from __future__ import annotations

import time
import uuid
from functools import partial
from typing import Any

import pytest
from django.db import transaction

from core import tasks
from core.models import JobRun


class Rollback(Exception):
    pass


def wait_for_run(marker: str, timeout: float = 30.0) -> JobRun | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = JobRun.objects.filter(job="ping", result__marker=marker).first()
        if run is not None and run.status != JobRun.Status.RUNNING:
            return run
        time.sleep(0.2)
    return None


@pytest.mark.redis
def test_task_enqueued_in_a_transaction_runs_after_commit_and_not_after_rollback(start_worker: Any) -> None:
    start_worker()
    rolled_back = f"rolled-back-{uuid.uuid4()}"
    committed = f"committed-{uuid.uuid4()}"

    with pytest.raises(Rollback), transaction.atomic():
        transaction.on_commit(partial(tasks.ping.delay, marker=rolled_back))
        raise Rollback
    with transaction.atomic():
        transaction.on_commit(partial(tasks.ping.delay, marker=committed))
        assert JobRun.objects.filter(result__marker=committed).count() == 0  # not before commit

    run = wait_for_run(committed)
    assert run is not None, "the worker did not run the committed task within 30 s"
    assert run.status == JobRun.Status.SUCCEEDED
    # The solo worker handles messages in order: had the rolled-back one been sent, it would have run first.
    assert not JobRun.objects.filter(result__marker=rolled_back).exists()
