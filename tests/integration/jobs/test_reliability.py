"""Reliability with real Celery workers on Redis and PostgreSQL: every notice exactly once, no duplicate e-mail.

The workers write their e-mails to files (Django's file-based backend); each notice's e-mail carries a Message-ID
made from the notice's id, so counting those ids in the files counts the e-mails per notice.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from contacts.models import PriceChangeNotice, Topic, Touchpoint
from core import outbox
from core.models import JobRun, OutboxMessage
from customers.models import AdvancePaymentChange, Installment
from stadtwerk_portal.celery import app as celery_app
from tariffs import pricing_changes
from tariffs.models import PriceChange
from tests.factories import ContractFactory, PriceVersionFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

UNREACHABLE = "redis://127.0.0.1:9/0"
TASK = "contacts.price_change_notices"
MESSAGE_ID = re.compile(rb"^Message-ID: <preisaenderung-(\d+)@", re.MULTILINE)


@pytest.fixture
def services(require_postgres: None, reference_data: None, start_worker: Any) -> Any:
    return start_worker


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def worker(services: Any, mail_dir: Path, tmp_path: Path) -> Callable[[], Any]:
    """Start a worker that writes e-mails to ``mail_dir`` and letters below ``tmp_path``."""
    environment = {
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "TEST_EMAIL_FILE_PATH": str(mail_dir),
        "VAR_DIR": str(tmp_path / "var"),
    }
    return lambda: services(env=environment)


def emails_per_notice(mail_dir: Path) -> Counter[int]:
    counts: Counter[int] = Counter()
    for path in mail_dir.iterdir():
        counts.update(int(found) for found in MESSAGE_ID.findall(path.read_bytes()))
    return counts


def wait_until(condition: Callable[[], bool], *, timeout: float = 40, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def finished_runs() -> int:
    return JobRun.objects.filter(job="price_change_notices").exclude(status=JobRun.Status.RUNNING).count()


def all_sent(count: int) -> Callable[[], bool]:
    return lambda: PriceChangeNotice.objects.filter(status=PriceChangeNotice.Status.SENT).count() == count


def effective_date() -> date:
    """A first of a month far enough ahead for every lead time."""
    return pricing_changes.first_of_month_on_or_after(timezone.localdate() + timedelta(weeks=7))


def tariff_with_contracts(count: int, *, installments: bool = False) -> tuple[Any, list[Any]]:
    tariff = PriceVersionFactory().tariff
    contracts = [ContractFactory(tariff=tariff) for _ in range(count)]
    if installments:
        Installment.objects.bulk_create(
            Installment(contract=contract, due_date=effective_date(), amount_eur=Decimal("116.00"))
            for contract in contracts
        )
    return tariff, contracts


def draft_change(tariff: Any) -> PriceChange:
    return pricing_changes.create_price_change(
        tariff=tariff,
        valid_from=effective_date(),
        working_price_net_ct=Decimal("35.0000"),
        base_price_net_eur_year=Decimal("150.00"),
        reason="Die Beschaffungskosten sind gestiegen.",
        conditions="",
    )


def mark_published(change: PriceChange) -> None:
    """Publish the real way (it creates the price version) but drop its outbox message before the commit, so nothing
    reaches the broker: the test sends the job itself, with a small batch size."""
    with transaction.atomic():
        pricing_changes.publish(change, timezone.now())
        OutboxMessage.objects.filter(task_name=TASK, published_at=None).delete()


def assert_each_notice_once(mail_dir: Path, contracts: list[Any]) -> None:
    notices = list(PriceChangeNotice.objects.order_by("id"))
    assert sorted(notice.contract_id for notice in notices) == sorted(contract.pk for contract in contracts)
    assert {notice.status for notice in notices} == {PriceChangeNotice.Status.SENT}
    assert emails_per_notice(mail_dir) == Counter({notice.pk: 1 for notice in notices})
    assert Touchpoint.objects.filter(topic=Topic.PRICE_CHANGE).count() == len(contracts)
    assert AdvancePaymentChange.objects.filter(source=AdvancePaymentChange.Source.PRICE_CHANGE).count() == len(
        contracts
    )


def test_with_redis_unreachable_publishing_still_works_and_the_relay_catches_up(
    worker: Any, mail_dir: Path, settings: Any, client: Any, make_user: Any
) -> None:
    tariff, contracts = tariff_with_contracts(3)
    change = draft_change(tariff)
    client.force_login(make_user("ADMIN", is_staff=True, is_superuser=True))
    broker = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = UNREACHABLE

    response = client.post(
        reverse("admin:tariffs_pricechange_changelist"),
        {"action": "publish", "_selected_action": [change.pk], "confirmed": "yes"},
    )

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == PriceChange.Status.PUBLISHED
    message = OutboxMessage.objects.get(task_name=TASK)
    assert (message.published_at, message.attempts) == (None, 1)
    assert message.last_error
    worker()
    settings.CELERY_BROKER_URL = broker
    assert outbox.relay() == {"published": 1, "failed": 0}
    wait_until(all_sent(3), what="the relayed notices")
    assert_each_notice_once(mail_dir, contracts)


def test_a_message_delivered_twice_sends_each_notice_once(worker: Any, mail_dir: Path) -> None:
    tariff, contracts = tariff_with_contracts(40)
    pricing_changes.publish(draft_change(tariff), timezone.now())  # the outbox publishes after commit
    # As if the relay had crashed between publishing and marking: the same row is published a second time.
    OutboxMessage.objects.filter(task_name=TASK).update(published_at=None)
    assert outbox.relay() == {"published": 1, "failed": 0}

    worker()
    worker()
    wait_until(lambda: finished_runs() == 2, what="both deliveries to run")

    assert set(JobRun.objects.filter(job="price_change_notices").values_list("status", flat=True)) == {"SUCCEEDED"}
    assert_each_notice_once(mail_dir, contracts)


def test_a_worker_killed_in_the_middle_of_a_batch_and_restarted_sends_every_notice_once(
    worker: Any, mail_dir: Path
) -> None:
    tariff, contracts = tariff_with_contracts(20, installments=True)
    change = draft_change(tariff)
    mark_published(change)
    first = worker()
    with transaction.atomic():
        # Hold a row the second batch (contracts 6–10) must update, so the worker is caught inside that batch.
        Installment.objects.select_for_update().get(contract=contracts[7])
        celery_app.send_task(TASK, kwargs={"price_change_id": change.pk, "batch_size": 5})
        wait_until(
            lambda: PriceChangeNotice.objects.filter(status="SENT").count() == 5 and _worker_waits_for_a_lock(),
            what="the worker to block inside the second batch",
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    # The killed worker's open transaction (claim and preparation of the second batch) is rolled back.
    wait_until(lambda: _unlocked_unsent() == 15, what="the killed worker's transaction to end")
    assert sum(emails_per_notice(mail_dir).values()) == 5
    assert PriceChangeNotice.objects.filter(status="PENDING").count() == 15
    assert Touchpoint.objects.filter(topic=Topic.PRICE_CHANGE).count() == 5

    worker()
    celery_app.send_task(TASK, kwargs={"price_change_id": change.pk, "batch_size": 5})  # the next run, as the beat's
    wait_until(all_sent(20), what="the restarted worker")

    assert_each_notice_once(mail_dir, contracts)
    assert set(Installment.objects.values_list("amount_eur", flat=True)) == {Decimal("136.00")}


def test_two_workers_on_the_same_batch_send_each_notice_once(worker: Any, mail_dir: Path) -> None:
    tariff, contracts = tariff_with_contracts(300)
    change = draft_change(tariff)
    mark_published(change)
    worker()
    worker()
    wait_until(lambda: len(celery_app.control.ping(timeout=0.5)) >= 2, what="both workers to be ready")

    for _ in range(2):
        celery_app.send_task(TASK, kwargs={"price_change_id": change.pk, "batch_size": 10})
    wait_until(lambda: finished_runs() == 2, what="both runs")

    runs = list(JobRun.objects.filter(job="price_change_notices"))
    assert [run.status for run in runs] == ["SUCCEEDED", "SUCCEEDED"]
    assert sum(run.result["created"] for run in runs) == 300
    assert all(run.result["created"] > 0 for run in runs), "both workers took part"
    assert_each_notice_once(mail_dir, contracts)


def _unlocked_unsent() -> int:
    with transaction.atomic():
        return len(PriceChangeNotice.objects.exclude(status="SENT").select_for_update(skip_locked=True))


def _worker_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (waiting,) = cursor.fetchone()
    return bool(waiting)
