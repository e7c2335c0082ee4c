"""The transactional outbox: work to enqueue is written in the caller's transaction and published by a relay.

``enqueue`` stores an OutboxMessage next to the change that needs it, so the task exists exactly when the change was
committed: a rollback drops both, a broker outage loses neither. After the commit one immediate publish of that row is
tried (so work starts at once when the broker is up); if it fails, the page or command still succeeds and the row
waits for ``relay``, which the beat runs every 30 seconds (task ``core.relay_outbox``).

Publishing and marking are not atomic: a crash between them publishes the row again, so every task sent through the
outbox must be idempotent (the tasks of this project claim their rows in the database).

The relay reads the broker URL from the settings when it runs and opens a short-lived connection, retrying only
briefly: a stopped broker costs a page at most one quick connection attempt (or the broker connection timeout for an
unreachable host), never a hang.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# The periodic relay may wait a little for a flapping broker; the immediate attempt after commit does not retry.
RELAY_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
BROKER_ERRORS = (KombuError, OSError)
MAX_ERROR_LENGTH = 500


def enqueue(task_name: str, **kwargs: Any) -> OutboxMessage:
    """Write a task for the broker in the current transaction; after commit try to publish it right away.

    ``kwargs`` must be JSON-serialisable (ids and ISO dates, not objects).
    """
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    # robust: whatever goes wrong after the commit is logged, never turned into an error page; the relay catches up.
    transaction.on_commit(partial(publish_now, message_id=message.pk), robust=True)
    return message


def publish_now(*, message_id: int) -> bool:
    """Try once to publish one outbox row (called after commit); never raises for a broker problem.

    Returns whether the row is published (by this call or an earlier relay).
    """
    result = _relay(rows_filter={"pk": message_id}, batch=1, retry=False)
    return result["published"] == 1 or not OutboxMessage.objects.filter(pk=message_id, published_at=None).exists()


def relay(*, batch: int = BATCH_SIZE) -> dict[str, int]:
    """Publish every unsent row, oldest first, ``batch`` rows per transaction; return {"published": n, "failed": n}.

    Rows are locked with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so two relays never publish the same row at
    the same time (SQLite has no row locks and runs one writer at a time anyway). A broker error leaves the rows
    unsent with their attempt counted and the error kept, and stops this run; the next relay tries again.
    """
    totals = {"published": 0, "failed": 0}
    while True:
        result = _relay(rows_filter={}, batch=batch, retry=True)
        totals["published"] += result["published"]
        totals["failed"] += result["failed"]
        if result["failed"] or result["published"] < batch:
            return totals


def _relay(*, rows_filter: dict[str, Any], batch: int, retry: bool) -> dict[str, int]:
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.filter(published_at=None, **rows_filter)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "id")[:batch]
        )
        if not rows:
            return {"published": 0, "failed": 0}
        published, error = _publish(rows, retry=retry)
        now = timezone.now()
        for row in rows[:published]:
            row.published_at = now
            row.attempts += 1
        for row in rows[published:]:
            row.attempts += 1
            row.last_error = error[:MAX_ERROR_LENGTH]
        OutboxMessage.objects.bulk_update(rows, ["published_at", "attempts", "last_error"])
    failed = len(rows) - published
    if failed:
        logger.warning("outbox: %s message(s) not published, broker unavailable: %s", failed, error)
    return {"published": published, "failed": failed}


def _publish(rows: Sequence[OutboxMessage], *, retry: bool) -> tuple[int, str]:
    """Send the rows in order over one connection; return how many went out and the error that stopped the rest."""
    published = 0
    app = current_app
    try:
        # Connecting is retried as briefly as publishing (kombu would otherwise retry for the connect timeout).
        connect_retries = {"max_retries": RELAY_RETRY_POLICY["max_retries"] if retry else 0}
        with app.connection_for_write(settings.CELERY_BROKER_URL, transport_options=connect_retries) as connection:
            for row in rows:
                app.send_task(
                    row.task_name,
                    kwargs=row.kwargs,
                    task_id=f"outbox-{row.pk}-{row.attempts + 1}",
                    connection=connection,
                    retry=retry,
                    retry_policy=RELAY_RETRY_POLICY,
                )
                published += 1
    except BROKER_ERRORS as error:
        return published, f"{type(error).__name__}: {error}"
    return published, ""


def has_unsent() -> bool:
    """Tell whether any row waits for the relay (one indexed query)."""
    return OutboxMessage.objects.filter(published_at=None).exists()
