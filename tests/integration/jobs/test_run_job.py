"""`manage.py run_job`: one JSON object per run, idempotent, German errors with exit status 2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from core import outbox
from core.models import JobRun
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def run_job(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("run_job", *args, stdout=out)
    (line,) = out.getvalue().splitlines()
    return json.loads(line)


def test_run_job_twice_creates_nothing_the_second_time(
    make_tariff: Any, make_contract: Any, published_change: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    tariff = make_tariff()
    make_contract(tariff)
    make_contract(tariff)
    published_change(tariff)

    with time_machine.travel(berlin(2026, 12, 1, 6), tick=False):
        first = run_job("price_change_notices")
        second = run_job("price_change_notices", "--as-of", "2026-12-01")  # today's date may be given

    assert first == {"job": "price_change_notices", "created": 2, "already_done": 0, "skipped": {}}
    assert second == {"job": "price_change_notices", "created": 0, "already_done": 2, "skipped": {}}
    assert len(mail.outbox) == 2
    runs = JobRun.objects.filter(job="price_change_notices").order_by("started_at", "id")
    assert [run.status for run in runs] == ["SUCCEEDED", "SUCCEEDED"]
    assert runs[0].result["created"] == 2


@pytest.mark.parametrize("job", ["courtesy_calls", "care_triggers"])
def test_the_call_jobs_print_one_json_object(job: str) -> None:
    result = run_job(job, "--as-of", "2026-11-20")

    assert result == {"job": job, "created": 0, "already_done": 0, "skipped": {}}


def test_an_unknown_job_is_refused_with_exit_status_2() -> None:
    with pytest.raises(CommandError, match="Unbekannter Job „aufräumen“") as raised:
        call_command("run_job", "aufräumen")

    assert raised.value.returncode == 2


def test_a_bad_date_exits_with_status_2_and_a_german_message(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stadtwerk_portal.settings.test",
        "VAR_DIR": str(tmp_path),
    }

    completed = subprocess.run(
        [sys.executable, "manage.py", "run_job", "courtesy_calls", "--as-of", "21.11.2026"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 2
    assert "Ungültiges Datum „21.11.2026“" in completed.stderr
    assert completed.stdout == ""


def test_relay_outbox_reports_what_it_published(monkeypatch: pytest.MonkeyPatch) -> None:
    published: list[str] = []

    def publish(rows: Any, *, retry: bool) -> tuple[int, str]:
        published.extend(row.task_name for row in rows)
        return len(rows), ""

    monkeypatch.setattr(outbox, "_publish", publish)
    outbox.enqueue("core.ping", marker="x")

    result = run_job("relay_outbox")

    assert result == {"job": "relay_outbox", "created": 1, "already_done": 0, "skipped": {}}
    assert published == ["core.ping"]


def test_a_failing_job_is_recorded_as_failed_for_the_admins(monkeypatch: pytest.MonkeyPatch) -> None:
    from contacts import tasks

    def broken(**kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("Datenbank weg")

    monkeypatch.setitem(tasks.JOBS, "courtesy_calls", broken)

    with pytest.raises(RuntimeError):
        tasks.courtesy_calls.run(as_of="2026-11-20")

    run = JobRun.objects.get(job="courtesy_calls")
    assert run.status == JobRun.Status.FAILED
    assert run.error == "RuntimeError: Datenbank weg"
