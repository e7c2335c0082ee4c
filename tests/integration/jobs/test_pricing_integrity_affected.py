"""Affected contracts are those supplied on the effective day, whatever their status (QA round 2, finding 1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail

from contacts import notices
from contacts.models import PriceChangeNotice
from customers import selectors as customer_selectors
from customers.models import AdvancePaymentChange, PriceDeferral
from tariffs import pricing_changes
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db

EFFECTIVE = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def letters_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def run_notices(day: date) -> dict[str, Any]:
    now = berlin(day.year, day.month, day.day, 6)
    with time_machine.travel(now, tick=False):
        return notices.price_change_notices(as_of=day, now=now)


def test_a_cancelled_contract_still_supplied_on_the_effective_day_is_affected(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    cancelled = make_contract(tariff, status="CANCELLED", end_date=date(2027, 5, 1))  # supplied until 30.04.2027
    moving_out = make_contract(tariff, status="CANCELLED", end_date=date(2027, 3, 2), moved_to="Berlin")
    change = published_change(tariff, effective=EFFECTIVE)

    affected = set(pricing_changes.affected_contracts(change).values_list("id", flat=True))
    report = pricing_changes.lead_time_report(change, date(2026, 12, 1))

    assert affected == {cancelled.pk, moving_out.pk}
    assert {row.contract_id for row in report.contracts} == {cancelled.pk, moving_out.pk}


def test_contracts_ending_on_the_effective_day_or_starting_after_it_are_not_affected(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    starts_that_day = make_contract(tariff, start_date=EFFECTIVE)
    make_contract(tariff, start_date=date(2027, 3, 2))
    make_contract(tariff, status="CANCELLED", end_date=EFFECTIVE)  # the first day without supply
    make_contract(tariff, status="ENDED", end_date=date(2026, 6, 1))
    change = published_change(tariff, effective=EFFECTIVE)

    affected = list(pricing_changes.affected_contracts(change).values_list("id", flat=True))

    assert affected == [starts_that_day.pk]


def test_the_notice_job_notifies_a_cancelled_contract_that_is_still_supplied(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    cancelled = make_contract(tariff, status="CANCELLED", end_date=date(2027, 5, 1))
    published_change(tariff, effective=EFFECTIVE)

    result = run_notices(date(2026, 12, 1))

    assert result["created"] == 1
    notice = PriceChangeNotice.objects.get(contract=cancelled)
    assert (notice.status, notice.effective_date) == (PriceChangeNotice.Status.SENT, EFFECTIVE)
    (message,) = mail.outbox
    assert "ohne Einhaltung einer Kündigungsfrist zum 01.03.2027 kündigen" in message.body


def test_a_late_notice_to_a_cancelled_contract_keeps_its_old_price(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    cancelled = make_contract(tariff, status="CANCELLED", end_date=date(2027, 5, 1))
    published_change(tariff, effective=EFFECTIVE)

    run_notices(date(2027, 2, 15))  # a household needs one month: lawful from 15.03.2027

    deferral = PriceDeferral.objects.get(contract=cancelled)
    assert deferral.effective_date == date(2027, 3, 15)
    pricing = customer_selectors.get_contract_pricing(cancelled)
    assert pricing.contract_gross_on(cancelled, date(2027, 3, 14)).working_price_ct == Decimal("35.7000")
    assert pricing.contract_gross_on(cancelled, date(2027, 3, 15)).working_price_ct == Decimal("41.6500")


def test_a_contract_whose_supply_ends_before_the_new_abschlag_keeps_its_abschlag(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff, status="CANCELLED", end_date=date(2027, 3, 20))
    published_change(tariff, effective=date(2027, 3, 10))

    run_notices(date(2026, 12, 1))

    notice = PriceChangeNotice.objects.get(contract=contract)
    assert notice.old_advance_eur == notice.new_advance_eur
    assert not AdvancePaymentChange.objects.filter(contract=contract).exists()
    body = mail.outbox[0].body
    assert "Ihre Belieferung endet mit dem 19.03.2027" in body
    assert "bleibt deshalb bei 116,00\xa0€" in body
