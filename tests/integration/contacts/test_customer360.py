"""The 360° selector: every panel, the merged timeline newest first, pagination, and a fixed query count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contacts import consents, customer360, touchpoints
from contacts.models import CallTask, Interest, Touchpoint
from customers.models import AdvancePaymentChange, CancellationRequest, Contract, MeterReading
from tests.factories import ContractFactory, MeterReadingFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(customer__name="Hildegard M.", customer__is_vulnerable=True)


@pytest.fixture
def agent() -> Any:
    return UserFactory(role="AGENT", display_name="Anna")


def add_touchpoints(contract: Contract, agent: Any, count: int, start: datetime = NOW) -> None:
    Touchpoint.objects.bulk_create(
        [
            Touchpoint(
                customer=contract.customer,
                channel="PHONE",
                direction="IN",
                topic="BILL",
                outcome="RESOLVED",
                summary=f"Anruf {number}",
                occurred_at=start - timedelta(hours=number),
                agent=agent,
            )
            for number in range(count)
        ]
    )


def test_the_timeline_merges_touchpoints_with_portal_actions_newest_first(contract: Contract, agent: Any) -> None:
    customer = contract.customer
    with time_machine.travel(NOW - timedelta(days=6), tick=False):
        MeterReading.objects.create(
            contract=contract, read_date=date(2026, 11, 15), value=Decimal(12345), source="CUSTOMER"
        )
        MeterReadingFactory(contract=contract, read_date=date(2026, 11, 10), value=Decimal(12000))  # grid: not shown
    with time_machine.travel(NOW - timedelta(days=5), tick=False):
        AdvancePaymentChange.objects.create(
            contract=contract,
            valid_from=date(2026, 12, 1),
            amount_eur=Decimal(90),
            recommended_eur=Decimal(104),
            source="AGENT",
            created_by=agent,
        )
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL", now=NOW - timedelta(4))
    consents.withdraw(
        customer=customer, channel="PHONE", purpose="ADVERTISING", source="PHONE", now=NOW - timedelta(3)
    )
    CancellationRequest.objects.create(
        reference="K-20261119-ABCDEF",
        submitted_at=NOW - timedelta(days=2),
        kind="ORDINARY",
        name=customer.name,
        customer_number=customer.customer_number,
        email="h@example.org",
        contract=contract,
        effective_date=date(2026, 12, 20),
        status="MATCHED",
    )
    other = ContractFactory(customer=customer, cancelled_at=NOW - timedelta(days=1), status="CANCELLED")
    touchpoints.record_touchpoint(
        customer=customer,
        agent=agent,
        channel="PHONE",
        direction="IN",
        topic="PRICE_BRAKE",
        outcome="RESOLVED",
        summary="Preisbremse erklärt",
        occurred_at=NOW,
    )

    page = customer360.get_timeline(
        customer=customer, page=1, contracts=list(customer.contracts.all()), consents=list(customer.consents.all())
    )

    assert [entry.title for entry in page.entries] == [
        "Preisbremse · Telefon, eingehend",
        "Vertrag gekündigt",
        "Kündigung eingegangen",
        "Einwilligung widerrufen",
        "Einwilligung erteilt",
        "Abschlag geändert",
        "Zählerstand gemeldet",
    ]
    call, cancelled, cancellation, withdrawn, granted, advance, reading = page.entries
    assert (call.detail, call.actor) == ("Preisbremse erklärt", "Anna")
    assert cancelled.detail == f"Vertrag {other.contract_number}"
    assert "Lieferung bis 19.12.2026" in cancellation.detail
    assert cancellation.actor == "Kündigungsbutton"
    assert withdrawn.detail == "Telefon – Angebote, Beratung und Höflichkeitsanrufe"
    assert granted.is_customer_action
    assert advance.detail.startswith("90,00\xa0€ ab 01.12.2026")
    assert advance.actor == "Anna"
    assert not advance.is_customer_action
    assert reading.detail == f"12.345 kWh zum 15.11.2026 · Vertrag {contract.contract_number}"
    assert reading.is_customer_action
    assert page.total == 7


def test_the_timeline_shows_25_entries_per_page(contract: Contract, agent: Any) -> None:
    add_touchpoints(contract, agent, 60)
    customer = contract.customer

    pages = [
        customer360.get_timeline(customer=customer, page=number, contracts=[], consents=[]) for number in (1, 2, 3, 9)
    ]

    assert [len(page.entries) for page in pages] == [25, 25, 10, 10]
    assert [page.entries[0].detail for page in pages] == ["Anruf 0", "Anruf 25", "Anruf 50", "Anruf 50"]
    assert (pages[0].num_pages, pages[0].has_previous, pages[0].has_next) == (3, False, True)
    assert (pages[3].number, pages[3].has_next) == (3, False)


@time_machine.travel(NOW, tick=False)
def test_the_360_shows_every_panel(contract: Contract, agent: Any) -> None:
    customer = contract.customer
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(10000))
    MeterReadingFactory(contract=contract, read_date=date(2026, 6, 1), value=Decimal(19000), is_flagged=True)
    MeterReadingFactory(contract=contract, read_date=date(2026, 9, 1), value=Decimal(20000))
    CallTask.objects.create(customer=customer, kind="CALLBACK", topic="BILL", due_at=NOW + timedelta(days=1))
    CallTask.objects.create(customer=customer, kind="COURTESY", due_at=NOW, status="DONE")
    Interest.objects.create(customer=customer, kind="PV", noted_at=NOW)
    consents.grant(customer=customer, channel="PHONE", purpose="SURVEY", source="PHONE", now=NOW)

    data = customer360.get_customer_360(customer=customer, as_of=TODAY)

    assert data.customer.is_vulnerable
    assert [summary.contract_number for summary in data.contracts] == [contract.contract_number]
    assert data.contracts[0].working_price_gross_ct == Decimal("35.7000")
    assert [reading.read_date for reading in data.readings] == [date(2026, 6, 1), date(2026, 9, 1), date(2026, 1, 1)]
    assert [task.kind_label for task in data.open_tasks] == ["Rückruf"]
    assert [interest.kind_label for interest in data.interests] == ["Photovoltaik"]
    assert [(row.channel_label, row.status_label) for row in data.consents] == [("Telefon", "erteilt")]
    relief = data.relief[0]
    assert relief.total_2023_eur == Decimal("0.00")  # 35.70 ct is below the 40 ct reference price
    assert relief.explanation  # the steps the customer reads on „Meine Entlastung“


@pytest.mark.parametrize("count", [1, 200])
def test_the_360_runs_the_same_queries_for_1_or_200_touchpoints(
    contract: Contract, agent: Any, count: int, django_assert_num_queries: Any
) -> None:
    add_touchpoints(contract, agent, count)
    customer = contract.customer

    # 25: the 20 of before and, for the contract cards (QA round 2, #8), bank details, Abschlag plan, Abschläge
    # paid/open, price-change notices and the contracts' price deferrals - one query each, whatever their number
    with django_assert_num_queries(25):
        data = customer360.get_customer_360(customer=customer, as_of=TODAY)

    assert len(data.timeline.entries) == min(count, 25)
