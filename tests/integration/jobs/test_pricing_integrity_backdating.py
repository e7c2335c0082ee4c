"""Notices are never back-dated; run_job refuses bad input in German (QA round 2, findings 4 and 20)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts import notices
from contacts.models import PriceChangeNotice, Touchpoint
from core.models import JobRun
from customers.models import AdvancePaymentChange, Installment, PriceDeferral
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def letters_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def change_with_contract(make_tariff: Any, make_contract: Any, published_change: Any) -> Any:
    """A household contract and a change effective 01.02.2027 (in time when notified by 01.01.2027)."""
    tariff = make_tariff()
    contract = make_contract(tariff)
    published_change(tariff, published_at=berlin(2026, 11, 21, 9))
    return contract


def test_the_job_refuses_a_day_other_than_the_real_one(change_with_contract: Any) -> None:
    real = berlin(2026, 11, 21, 18)

    with (
        time_machine.travel(real, tick=False),
        pytest.raises(notices.NoticesCannotBeBackdated, match="nur mit dem heutigen Datum \\(21.11.2026\\)"),
    ):
        notices.price_change_notices(as_of=date(2026, 11, 10), now=berlin(2026, 11, 10, 18))

    assert not PriceChangeNotice.objects.exists()
    assert mail.outbox == []


def test_the_job_refuses_a_simulated_time_on_the_real_day(change_with_contract: Any) -> None:
    with time_machine.travel(berlin(2026, 11, 21, 18), tick=False), pytest.raises(notices.NoticesCannotBeBackdated):
        notices.price_change_notices(as_of=date(2026, 11, 21), now=berlin(2026, 11, 21, 6))

    assert not PriceChangeNotice.objects.exists()


def test_run_job_refuses_an_as_of_for_the_notices_with_exit_status_2(change_with_contract: Any) -> None:
    with time_machine.travel(berlin(2026, 11, 21, 18), tick=False):
        with pytest.raises(CommandError, match="Bitte ohne --as-of starten") as raised:
            call_command("run_job", "price_change_notices", "--as-of", "2026-11-10", stdout=io.StringIO())
        with pytest.raises(CommandError) as future:
            call_command("run_job", "price_change_notices", "--as-of", "2026-11-22", stdout=io.StringIO())

    assert (raised.value.returncode, future.value.returncode) == (2, 2)
    assert not PriceChangeNotice.objects.exists()
    assert not JobRun.objects.exists()


def clock_reading(*moments: datetime) -> Iterator[datetime]:
    yield from moments
    while True:
        yield moments[-1]


def test_the_send_day_and_the_time_stamps_come_from_the_clock_when_the_notice_goes_out(
    change_with_contract: Any,
) -> None:
    # Started a second before midnight on the last day in time (01.01.2027); the batch is prepared after midnight.
    started = berlin(2027, 1, 1, 23, 59) + timedelta(seconds=59)
    prepared, sent = berlin(2027, 1, 2, 0, 0) + timedelta(seconds=5), berlin(2027, 1, 2, 0, 0) + timedelta(seconds=6)
    readings = clock_reading(started, prepared, sent)

    notices.price_change_notices(as_of=date(2027, 1, 1), now=started, clock=lambda: next(readings))

    notice = PriceChangeNotice.objects.get(contract=change_with_contract)
    assert (notice.status, notice.effective_date) == (PriceChangeNotice.Status.LATE, date(2027, 2, 2))
    assert notice.sent_at == sent
    assert Touchpoint.objects.get(customer=change_with_contract.customer).occurred_at == prepared


# --- run_job: German refusals, exit status 2, no traceback ----------------------------------------------------------


def run_command(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "stadtwerk_portal.settings.test", "VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", "run_job", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("courtesy_calls", "--as-of", "0001-01-01"),
            "Der Stichtag „0001-01-01“ liegt außerhalb des zulässigen Bereichs",
        ),
        (
            ("courtesy_calls", "--as-of", "9999-12-31"),
            "Der Stichtag „9999-12-31“ liegt außerhalb des zulässigen Bereichs",
        ),
        ((), "Bitte geben Sie den Job an. Möglich sind: price_change_notices"),
        (("courtesy_calls", "übrig"), "Unbekannte Angabe „übrig“"),
        (("courtesy_calls", "--as-of"), "Nach --as-of fehlt der Wert."),
        (
            ("price_change_notices", "--as-of", "2000-01-01"),
            "Preisänderungsmitteilungen werden nur mit dem heutigen Datum",
        ),
    ],
)
def test_run_job_refuses_bad_input_with_one_german_line_and_exit_status_2(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    completed = run_command(*args, tmp_path=tmp_path)

    assert completed.returncode == 2
    assert completed.stdout == ""
    (line,) = completed.stderr.strip().splitlines()
    assert line.startswith(message)
    assert "Traceback" not in completed.stderr


def test_call_command_gets_the_argument_errors_in_german_too() -> None:
    with pytest.raises(CommandError, match="Unbekannte Angabe „übrig“") as raised:
        call_command("run_job", "courtesy_calls", "übrig")

    assert raised.value.returncode == 2


def test_a_notice_prepared_in_time_but_reclaimed_after_the_deadline_is_prepared_again_as_late(
    change_with_contract: Any,
) -> None:
    contract = change_with_contract
    Installment.objects.create(contract=contract, due_date=date(2027, 2, 1), amount_eur=Decimal("116.00"))
    Installment.objects.create(contract=contract, due_date=date(2027, 3, 1), amount_eur=Decimal("116.00"))
    with time_machine.travel(berlin(2027, 1, 1, 6), tick=False):  # the last day in time for 01.02.2027
        notices.price_change_notices(as_of=date(2027, 1, 1), now=timezone.now())
    notice = PriceChangeNotice.objects.get(contract=contract)
    # As if the worker had died after preparing and before sending: back to SENDING with an old claim.
    PriceChangeNotice.objects.filter(pk=notice.pk).update(
        status="SENDING", sent_at=None, claimed_at=timezone.now() - timedelta(minutes=16)
    )
    mail.outbox.clear()

    with time_machine.travel(berlin(2027, 1, 2, 6), tick=False):  # the next day's run reclaims it
        result = notices.price_change_notices(as_of=date(2027, 1, 2), now=timezone.now())

    assert result["created"] == 1
    notice.refresh_from_db()
    assert (notice.status, notice.effective_date) == (PriceChangeNotice.Status.LATE, date(2027, 2, 2))
    assert PriceDeferral.objects.get(contract=contract).effective_date == date(2027, 2, 2)
    (touchpoint,) = Touchpoint.objects.filter(customer=contract.customer)
    assert touchpoint.occurred_at == berlin(2027, 1, 2, 6)
    plan = AdvancePaymentChange.objects.get(contract=contract, source=AdvancePaymentChange.Source.PRICE_CHANGE)
    assert plan.valid_from == date(2027, 3, 1)
    amounts = dict(Installment.objects.filter(contract=contract).values_list("due_date", "amount_eur"))
    assert amounts == {date(2027, 2, 1): Decimal("116.00"), date(2027, 3, 1): Decimal("136.00")}
    assert "erst ab dem 02.02.2027" in mail.outbox[0].body
