"""The DSGVO data export (Art. 15/20): all the customer's data, none of anyone else's, in a fixed number of queries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import profile
from customers.models import (
    AdvancePaymentChange,
    Bill,
    BillLine,
    CancellationRequest,
    Contract,
    Customer,
    Installment,
    SepaMandate,
)
from tests.factories import ContractFactory, CustomerFactory, MeterReadingFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
IBAN = "DE89370400440532013000"


def give_history(contract: Contract, *, tag: str, agent: Any = None) -> None:
    """Give the contract a reading pair, an Abschlag change, an instalment, a bill with a line and a cancellation."""
    start = MeterReadingFactory(contract=contract, read_date=date(2025, 1, 1), value=Decimal(1000))
    end = MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(4500), created_by=agent)
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2026, 2, 1), amount_eur=Decimal(116), recommended_eur=Decimal(116),
        source="AGENT", reason=f"Gespräch {tag}", created_by=agent,
    )  # fmt: skip
    Installment.objects.create(contract=contract, due_date=date(2026, 2, 1), amount_eur=Decimal(116))
    bill = Bill.objects.create(
        contract=contract, number=f"R-{tag}", kind="ANNUAL", period_start=date(2025, 1, 1),
        period_end=date(2026, 1, 1), start_reading=start, end_reading=end, consumption_kwh=Decimal(3500),
        net_eur=Decimal("1000.00"), vat_eur=Decimal("190.00"), gross_eur=Decimal("1190.00"),
        advances_eur=Decimal("1200.00"), balance_eur=Decimal("-10.00"), issued_date=date(2026, 1, 20),
        due_date=date(2026, 2, 3),
    )  # fmt: skip
    BillLine.objects.create(
        bill=bill, position=1, kind="WORKING_PRICE", label=f"Arbeitspreis {tag}", from_date=date(2025, 1, 1),
        to_date=date(2026, 1, 1), quantity=Decimal(3500), unit="kWh", unit_price=Decimal("30.0000"),
        vat_rate=Decimal("0.19"), amount_eur=Decimal("1050.00"),
    )  # fmt: skip
    CancellationRequest.objects.create(
        reference=f"K-{tag}", submitted_at=datetime(2026, 3, 1, 12, tzinfo=BERLIN), kind="ORDINARY",
        name=contract.customer.name, email=f"{tag}@example.org", contract=contract, status="MATCHED",
    )  # fmt: skip


@pytest.fixture
def customer() -> Customer:
    customer = CustomerFactory(
        pending_email="neu@example.org", pending_email_token="f" * 64, is_vulnerable=True, phone="0711 1"
    )
    agent = UserFactory(role="AGENT", full_name="Anna Agentin", email="anna@stadtwerk.example")
    give_history(ContractFactory(customer=customer), tag="OWN", agent=agent)
    SepaMandate.objects.create(
        customer=customer, reference="SWP-OWN-1", iban=IBAN, account_holder=customer.name,
        signed_at=datetime(2025, 1, 1, 9, tzinfo=BERLIN),
    )  # fmt: skip
    return customer


@pytest.fixture
def other() -> Customer:
    other = CustomerFactory(name="Otto Fremd", phone="0999 999")
    give_history(ContractFactory(customer=other), tag="OTHER")
    SepaMandate.objects.create(
        customer=other, reference="SWP-OTHER-1", iban="DE02120300000000202051", account_holder="Otto Fremd",
        signed_at=datetime(2025, 1, 1, 9, tzinfo=BERLIN),
    )  # fmt: skip
    return other


def test_export_contains_every_section_of_the_customers_data(customer: Customer) -> None:
    data = profile.export_customer_data(customer, now=datetime(2026, 11, 21, 10, tzinfo=BERLIN))

    assert data["exported_at"] == "2026-11-21T10:00:00+01:00"
    assert data["customer"]["customer_number"] == customer.customer_number  # type: ignore[index]
    assert data["customer"]["is_vulnerable"] is True  # type: ignore[index]
    assert data["customer"]["login"]["email"] == customer.user.email  # type: ignore[index]
    assert len(data["contracts"]) == 1  # type: ignore[arg-type]
    assert [row["value"] for row in data["meter_readings"]] == ["1000.000", "4500.000"]  # type: ignore[attr-defined]
    assert data["advance_payment_changes"][0]["reason"] == "Gespräch OWN"  # type: ignore[index]
    assert data["installments"][0]["amount_eur"] == "116.00"  # type: ignore[index]
    assert data["bills"][0]["number"] == "R-OWN"  # type: ignore[index]
    assert data["bills"][0]["lines"][0]["label"] == "Arbeitspreis OWN"  # type: ignore[index]
    assert data["sepa_mandates"][0]["iban"] == IBAN  # type: ignore[index]
    assert data["cancellation_requests"][0]["reference"] == "K-OWN"  # type: ignore[index]


def test_export_holds_nothing_of_another_customer(customer: Customer, other: Customer) -> None:
    text = json.dumps(profile.export_customer_data(customer), ensure_ascii=False)

    for foreign in ("Otto Fremd", "0999 999", "R-OTHER", "K-OTHER", "SWP-OTHER-1", "DE02120300000000202051"):
        assert foreign not in text
    assert other.customer_number not in text


def test_export_leaves_out_the_email_token_and_the_agents_identity(customer: Customer) -> None:
    text = json.dumps(profile.export_customer_data(customer), ensure_ascii=False)

    assert "f" * 64 not in text
    assert "pending_email_token" not in text
    assert "created_by" not in text
    assert "Anna Agentin" not in text
    assert "anna@stadtwerk.example" not in text


def test_export_values_are_plain_json_with_exact_decimals_and_choice_labels(customer: Customer) -> None:
    data = profile.export_customer_data(customer)

    contract = data["contracts"][0]  # type: ignore[index]
    assert json.loads(json.dumps(data)) == data
    assert contract["forecast_kwh"] == "3500"
    assert contract["start_date"] == "2021-01-01"
    assert contract["commodity_label"] == "Strom"
    assert contract["tariff_name"].startswith("Stadtwerk Strom")


def test_the_customers_sections_run_ten_queries(
    customer: Customer, django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = [section for section in profile.EXPORT_SECTIONS if section.__module__ == "customers.profile"]
    monkeypatch.setattr(profile, "EXPORT_SECTIONS", own)
    customer = Customer.objects.get(pk=customer.pk)

    # 10 = login, contracts, readings, Abschlag changes, instalments, price deferrals (added for QA round 2, C#7:
    # one fixed query), bills, bill lines, SEPA mandates, cancellations.
    with django_assert_num_queries(10):
        profile.export_customer_data(customer)


def test_export_runs_the_same_queries_for_little_or_much_data(customer: Customer, other: Customer) -> None:
    for tag in ("B", "C"):
        give_history(ContractFactory(customer=customer), tag=tag)
    counts = []

    for someone in (other, customer):
        fresh = Customer.objects.get(pk=someone.pk)
        with CaptureQueriesContext(connection) as queries:
            profile.export_customer_data(fresh)
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.fixture
def extra_section() -> Iterator[None]:
    def letters(customer: Customer) -> tuple[str, object]:
        return "letters", [{"customer": customer.customer_number, "channel": "LETTER"}]

    profile.EXPORT_SECTIONS.append(letters)
    yield
    profile.EXPORT_SECTIONS.remove(letters)


@pytest.mark.usefixtures("extra_section")
def test_other_apps_add_sections_through_the_registry(customer: Customer) -> None:
    data = profile.export_customer_data(customer)

    assert data["letters"] == [{"customer": customer.customer_number, "channel": "LETTER"}]


def test_a_section_may_not_overwrite_another(customer: Customer) -> None:
    def clash(customer: Customer) -> tuple[str, object]:
        return "bills", []

    profile.EXPORT_SECTIONS.append(clash)
    try:
        with pytest.raises(ValueError, match="bills"):
            profile.export_customer_data(customer)
    finally:
        profile.EXPORT_SECTIONS.remove(clash)
