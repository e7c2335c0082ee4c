"""Infrastructure tasks."""

from __future__ import annotations

from celery import shared_task

from core import jobs, outbox


@shared_task(name="core.ping")
def ping(*, marker: str, **kwargs: object) -> None:
    """Record a run of the `ping` job: proves end to end that the worker receives work and reaches the database."""
    jobs.run_recorded("ping", lambda: {"marker": marker})


@shared_task(name="core.relay_outbox", acks_late=True)
def relay_outbox(**kwargs: object) -> None:
    """Publish waiting outbox rows (beat, every 30 s); a run that found work is recorded as a JobRun."""
    if not outbox.has_unsent():
        return
    jobs.run_recorded("relay_outbox", outbox.relay)
