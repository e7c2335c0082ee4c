"""Background jobs of the contacts app: thin, named, idempotent Celery tasks (ids and ISO dates in).

Each run is recorded as a core.JobRun (admins see what ran and what failed). The jobs are idempotent - the database
decides what is done (unique keys, claimed rows) - so the tasks acknowledge late: a worker that dies mid-run leaves
the message to be delivered again, and the rerun finishes the work without doing anything twice. Far-future work is
never a countdown in the broker: notices, courtesy and care calls are rows with a date that the daily runs pick up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from celery import shared_task
from django.utils import timezone

from contacts import care, courtesy, dashboard, notices
from core import jobs

JOBS: dict[str, Callable[..., dict[str, Any]]] = {
    notices.JOB: notices.price_change_notices,
    courtesy.JOB: courtesy.courtesy_calls,
    care.JOB: care.care_triggers,
    dashboard.SNAPSHOT_JOB: dashboard.refresh_snapshot,
}


def run_job(job: str, *, as_of: date, now: datetime, **kwargs: Any) -> dict[str, Any]:
    """Run a job synchronously under a recorded run and return its result."""
    return jobs.run_recorded(job, partial(JOBS[job], as_of=as_of, now=now, **kwargs))


def _as_of(value: str | None, now: datetime) -> date:
    return date.fromisoformat(value) if value else timezone.localdate(now)


@shared_task(name="contacts.price_change_notices", acks_late=True)
def price_change_notices(
    *,
    price_change_id: int | None = None,
    as_of: str | None = None,
    batch_size: int = notices.BATCH_SIZE,
    **kwargs: object,
) -> None:
    """Send the due price-change notices (beat daily at 06:00, and through the outbox right after publishing)."""
    now = timezone.now()
    run_job(notices.JOB, as_of=_as_of(as_of, now), now=now, price_change_id=price_change_id, batch_size=batch_size)


@shared_task(name="contacts.courtesy_calls", acks_late=True)
def courtesy_calls(*, as_of: str | None = None, **kwargs: object) -> None:
    """Plan the courtesy calls (beat daily at 07:00)."""
    now = timezone.now()
    run_job(courtesy.JOB, as_of=_as_of(as_of, now), now=now)


@shared_task(name="contacts.care_triggers", acks_late=True)
def care_triggers(*, as_of: str | None = None, **kwargs: object) -> None:
    """Plan care calls for high Nachzahlungen and notices to customers at risk (beat daily at 07:30)."""
    now = timezone.now()
    run_job(care.JOB, as_of=_as_of(as_of, now), now=now)


@shared_task(name="contacts.dashboard_snapshot", acks_late=True)
def dashboard_snapshot(*, as_of: str | None = None, **kwargs: object) -> None:
    """Recompute the sales dashboard's per-customer figures (at-risk list, contact bands) (beat daily at 05:30)."""
    now = timezone.now()
    run_job(dashboard.SNAPSHOT_JOB, as_of=_as_of(as_of, now), now=now)
