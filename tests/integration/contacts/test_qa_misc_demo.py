"""QA finding 25: the demo's historic readings and Abschlag changes carry their real moment and author, so the
agent's 360° timeline shows them in the past (and the agent's changes as the agent's), and a second run keeps them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from contacts import customer360
from core import demo as core_demo
from core.models import User
from customers import demo as customers_demo
from customers.models import AdvancePaymentChange, Contract, MeterReading
from tariffs import demo as tariffs_demo

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 18, 14, tzinfo=BERLIN)


def _seed(now: datetime = NOW) -> None:
    with time_machine.travel(now, tick=False):
        customers_demo.seed_customers(today=TODAY)


@pytest.fixture
def seeded() -> None:
    core_demo.seed_users(password="Demo-Passwort-1")
    tariffs_demo.seed_tariffs()
    _seed()


def _change(contract_number: str, valid_from: date) -> AdvancePaymentChange:
    return AdvancePaymentChange.objects.select_related("created_by").get(
        contract__contract_number=contract_number, valid_from=valid_from
    )


def _moments() -> dict[tuple[str, int], Any]:
    readings = MeterReading.objects.filter(contract__contract_number__in=["V810001", "V810002", "V820001", "V820002"])
    changes = AdvancePaymentChange.objects.filter(contract__contract_number__in=["V810001", "V810002", "V820001",
                                                                                  "V820002"])  # fmt: skip
    return {
        **{("reading", row.pk): (row.created_at, row.created_by_id, row.source) for row in readings},
        **{("change", row.pk): (row.created_at, row.created_by_id, row.source) for row in changes},
    }


@pytest.mark.parametrize(
    ("contract_number", "valid_from", "entered_at"),
    [
        ("V820002", date(2022, 8, 1), datetime(2022, 7, 19, 10, 15, tzinfo=BERLIN)),  # Hildegard's visit
        ("V810001", date(2026, 3, 1), datetime(2026, 2, 23, 12, 22, tzinfo=BERLIN)),  # Melina's call
    ],
)
def test_the_personas_abschlag_changes_were_made_by_anna_during_the_contact(
    seeded: None, contract_number: str, valid_from: date, entered_at: datetime
) -> None:
    change = _change(contract_number, valid_from)

    assert change.source == AdvancePaymentChange.Source.AGENT
    assert change.created_by == User.objects.get(email="anna@stadtwerk.example")
    assert change.created_at == entered_at


def test_every_reading_was_entered_on_its_reading_day_and_customer_readings_by_the_customer(seeded: None) -> None:
    readings = list(MeterReading.objects.filter(contract__customer__customer_number__in=["2100001", "2100002"]))

    assert readings
    assert all(timezone.localdate(reading.created_at) == reading.read_date for reading in readings)
    for reading in readings:
        expected = reading.contract.customer.user_id if reading.source == MeterReading.Source.CUSTOMER else None
        assert reading.created_by_id == expected


def test_no_past_abschlag_change_was_entered_today(seeded: None) -> None:
    changes = list(AdvancePaymentChange.objects.filter(contract__customer__customer_number__in=["2100001", "2100002"]))

    past = [change for change in changes if change.valid_from <= TODAY]
    assert past
    assert all(timezone.localdate(change.created_at) <= change.valid_from for change in past)
    assert all(timezone.localdate(change.created_at) < TODAY for change in past)
    bill_change = _change("V820001", date(2025, 2, 1))  # after the bill issued on 15.01.2025
    assert (bill_change.source, bill_change.created_at) == ("BILL", datetime(2025, 1, 15, 6, 0, tzinfo=BERLIN))


def test_the_360_timeline_shows_the_historic_events_on_their_day(seeded: None) -> None:
    heat = Contract.objects.get(contract_number="V820002")
    customer = heat.customer

    page = customer360.get_timeline(customer=customer, page=1, contracts=list(customer.contracts.all()), consents=[])

    assert all(timezone.localdate(entry.at) < TODAY for entry in page.entries)
    assert timezone.localtime(page.entries[0].at) == datetime(2026, 7, 4, 19, 40, tzinfo=BERLIN)
    change = next(entry for entry in page.entries if entry.title == "Abschlag geändert")
    assert timezone.localtime(change.at) == datetime(2022, 7, 19, 10, 15, tzinfo=BERLIN)
    assert (change.actor, change.is_customer_action) == ("Anna", False)
    assert change.detail.startswith("105,00\xa0€ ab 01.08.2022")


def test_a_second_run_keeps_every_moment_and_author(seeded: None) -> None:
    before = _moments()

    _seed(datetime(2026, 11, 22, 9, 0, tzinfo=BERLIN))

    assert _moments() == before
