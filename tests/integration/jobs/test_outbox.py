"""The transactional outbox without a worker: written with the transaction, kept when the broker is down, relayed
without countdown or eta; the beat schedules exist and no code parks far-future work in the broker."""

from __future__ import annotations

import ast
import importlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from core import outbox
from core.models import OutboxMessage
from stadtwerk_portal.celery import app as celery_app

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
UNREACHABLE = "redis://127.0.0.1:9/0"


class Rollback(Exception):
    pass


def test_an_enqueue_in_a_rolled_back_transaction_leaves_nothing() -> None:
    with pytest.raises(Rollback), transaction.atomic():
        outbox.enqueue("core.ping", marker="rolled back")
        raise Rollback

    assert not OutboxMessage.objects.filter(kwargs__marker="rolled back").exists()


def test_with_the_broker_unreachable_the_message_waits_with_its_error(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CELERY_BROKER_URL = UNREACHABLE

    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue("core.ping", marker="waiting")  # the immediate publish after commit fails quietly
    relayed = outbox.relay()

    message.refresh_from_db()
    assert message.published_at is None
    assert message.attempts == 2
    assert message.last_error
    assert relayed == {"published": 0, "failed": 1}
    assert outbox.has_unsent()


def test_the_relay_publishes_in_order_without_countdown_or_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    @contextmanager
    def connection_for_write(url: str, **options: Any) -> Any:
        yield object()

    def send_task(name: str, **options: Any) -> None:
        calls.append((name, options))

    monkeypatch.setattr(celery_app, "connection_for_write", connection_for_write)
    monkeypatch.setattr(celery_app, "send_task", send_task)
    first = outbox.enqueue("contacts.price_change_notices", price_change_id=7)
    second = outbox.enqueue("core.ping", marker="x")

    relayed = outbox.relay()

    assert relayed == {"published": 2, "failed": 0}
    assert [(name, options["kwargs"]) for name, options in calls] == [
        ("contacts.price_change_notices", {"price_change_id": 7}),
        ("core.ping", {"marker": "x"}),
    ]
    for _name, options in calls:
        assert "countdown" not in options
        assert "eta" not in options
    assert OutboxMessage.objects.filter(pk__in=[first.pk, second.pk], published_at__isnull=False).count() == 2
    assert outbox.relay() == {"published": 0, "failed": 0}


def test_the_periodic_jobs_are_editable_beat_schedules() -> None:
    migration = importlib.import_module("contacts.migrations.0003_beat_schedules")
    migration.load(apps, None)
    migration.load(apps, None)  # rerunning creates nothing twice

    tasks = {task.task: task for task in PeriodicTask.objects.select_related("crontab", "interval")}

    schedules = {
        name: (tasks[name].crontab.hour, tasks[name].crontab.minute, str(tasks[name].crontab.timezone))
        for name in ("contacts.price_change_notices", "contacts.courtesy_calls", "contacts.care_triggers")
    }
    assert schedules == {
        "contacts.price_change_notices": ("6", "0", "Europe/Berlin"),
        "contacts.courtesy_calls": ("7", "0", "Europe/Berlin"),
        "contacts.care_triggers": ("7", "30", "Europe/Berlin"),
    }
    relay = tasks["core.relay_outbox"]
    assert (relay.interval.every, relay.interval.period) == (30, "seconds")
    assert PeriodicTask.objects.filter(task="core.relay_outbox").count() == 1


def test_no_code_parks_far_future_work_in_the_broker_with_countdown_or_eta() -> None:
    offenders = []
    for package in ("core", "tariffs", "customers", "contacts"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and any(kw.arg in {"countdown", "eta"} for kw in node.keywords):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert offenders == []
