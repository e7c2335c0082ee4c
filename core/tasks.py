"""Infrastructure tasks."""

from __future__ import annotations

from celery import shared_task

from core import jobs


@shared_task(name="core.ping")
def ping(*, marker: str, **kwargs: object) -> None:
    """Record a run of the `ping` job: proves end to end that the worker receives work and reaches the database."""
    jobs.run_recorded("ping", lambda: {"marker": marker})
