"""Mein Konto, contract page, meter reading, Abschlag and bank account pages for the logged-in customer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from customers.models import AdvancePaymentChange, Bill, Contract, Installment, MeterReading, SepaMandate
from tests.factories import ContractFactory, MeterReadingFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 10:00:00+01:00"


@pytest.fixture
def contract() -> Contract:
    contract = ContractFactory(forecast_kwh=Decimal(3500))
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    AdvancePaymentChange.objects.create(
        contract=contract,
        valid_from=date(2026, 1, 1),
        amount_eur=Decimal(116),
        recommended_eur=Decimal(116),
        source="CALCULATED",
    )
    Installment.objects.create(contract=contract, due_date=date(2026, 12, 1), amount_eur=Decimal(116))
    return contract


@pytest.fixture
def customer_client(client: Any, contract: Contract) -> Any:
    client.force_login(contract.customer.user)
    return client


def add_history(contract: Contract, years: int) -> None:
    """Give the contract one reading a year and matching bills (for query-count tests)."""
    previous = MeterReading.objects.get(contract=contract, read_date=date(2026, 1, 1))
    for offset in range(1, years + 1):
        reading = MeterReadingFactory(
            contract=contract,
            read_date=date(2026, 1, 1) - timedelta(days=365 * offset),
            value=Decimal(12345 - offset * 200),
        )
        Bill.objects.create(
            contract=contract, number=f"R-{contract.pk}-{offset}", kind="ANNUAL",
            period_start=reading.read_date, period_end=previous.read_date, start_reading=reading, end_reading=previous,
            consumption_kwh=Decimal(3000), net_eur=Decimal("1000.00"), vat_eur=Decimal("190.00"),
            gross_eur=Decimal("1190.00"), relief_eur=Decimal("0.00"), advances_eur=Decimal("1200.00"),
            balance_eur=Decimal("-10.00"), issued_date=previous.read_date, due_date=previous.read_date,
        )  # fmt: skip
        previous = reading


@time_machine.travel(NOW)
def test_mein_konto_shows_prices_abschlag_reading_and_next_due_date(customer_client: Any, contract: Contract) -> None:
    response = customer_client.get(reverse("customers:home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "35,70\xa0ct/kWh" in page  # 30 ct net + 19 %
    assert "142,80\xa0€ im Jahr" in page
    assert "116,00\xa0€ im Monat" in page
    assert "nächste Fälligkeit: 01.12.2026" in page
    assert "12.345 kWh am 01.01.2026" in page


@time_machine.travel(NOW)
@pytest.mark.parametrize("years", [1, 50])
def test_mein_konto_runs_the_same_queries_for_1_or_50_bills(
    customer_client: Any, contract: Contract, django_assert_num_queries: Any, years: int
) -> None:
    add_history(contract, years)

    # session, user, customer, contracts with annotations, price deferrals, price versions, VAT periods
    with django_assert_num_queries(7):
        customer_client.get(reverse("customers:home"))


@time_machine.travel(NOW)
@pytest.mark.parametrize("years", [1, 50])
def test_contract_page_runs_the_same_queries_for_1_or_50_readings_and_bills(
    customer_client: Any, contract: Contract, django_assert_num_queries: Any, years: int
) -> None:
    add_history(contract, years)

    with django_assert_num_queries(11):  # 3 for session, user, customer; 8 for the contract's data
        response = customer_client.get(reverse("customers:contract", args=[contract.pk]))

    assert response.status_code == 200
    assert "Verbrauch nach Jahren" in response.content.decode()


@time_machine.travel(NOW)
def test_submitting_a_reading_shows_consumption_and_projection(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(
        reverse("customers:submit_reading", args=[contract.pk]), {"value": "15.500", "read_date": "2026-11-20"}
    )

    page = response.content.decode()
    assert "ist gespeichert" in page
    assert "Verbrauch seit dem letzten Zählerstand: 3.155\xa0kWh" in page
    assert "zum Ende des Abrechnungsjahres" in page
    assert MeterReading.objects.filter(contract=contract, read_date=date(2026, 11, 20), source="CUSTOMER").exists()


@time_machine.travel(NOW)
def test_a_reading_below_the_last_one_is_rejected_at_the_field(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(
        reverse("customers:submit_reading", args=[contract.pk]), {"value": "12000", "read_date": "2026-11-20"}
    )

    page = response.content.decode()
    assert 'id="id_value_error"' in page
    assert "Der Zählerstand ist niedriger als der letzte (12.345 kWh am 01.01.2026)." in page
    assert MeterReading.objects.filter(contract=contract).count() == 1


@time_machine.travel(NOW)
def test_garbage_in_the_reading_form_gives_german_messages(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(
        reverse("customers:submit_reading", args=[contract.pk]), {"value": "zwölf", "read_date": "gestern"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Bitte geben Sie eine Zahl ein" in page
    assert "Bitte geben Sie ein Datum ein" in page


@time_machine.travel(NOW)
def test_abschlag_page_previews_the_projected_balance_for_a_chosen_amount(
    customer_client: Any, contract: Contract
) -> None:
    response = customer_client.get(
        reverse("customers:change_advance", args=[contract.pk]), {"amount_eur": "80"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert "Mit 80,00\xa0€ im Monat" in page
    assert "Nachzahlung" in page


@time_machine.travel(NOW)
def test_changing_the_abschlag_redirects_with_a_confirmation(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(
        reverse("customers:change_advance", args=[contract.pk]), {"amount_eur": "120", "reason": ""}, follow=True
    )

    assert "Ihr Abschlag beträgt ab dem 01.12.2026 120,00\xa0€." in response.content.decode()


@time_machine.travel(NOW)
def test_a_big_reduction_without_reason_is_rejected_at_the_reason_field(
    customer_client: Any, contract: Contract
) -> None:
    response = customer_client.post(reverse("customers:change_advance", args=[contract.pk]), {"amount_eur": "20"})

    page = response.content.decode()
    assert 'id="id_reason_error"' in page
    assert not AdvancePaymentChange.objects.filter(contract=contract, amount_eur=Decimal(20)).exists()


def test_invalid_iban_is_rejected_in_german(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(
        reverse("customers:bank_account"), {"account_holder": "M. F.", "iban": "DE00123", "mandate": "on"}
    )

    assert "Diese IBAN ist nicht gültig" in response.content.decode()
    assert not SepaMandate.objects.exists()


def test_valid_iban_creates_a_mandate(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(
        reverse("customers:bank_account"),
        {"account_holder": "M. F.", "iban": "de89 3704 0044 0532 0130 00", "mandate": "on"},
        follow=True,
    )

    mandate = SepaMandate.objects.get(customer=contract.customer)
    assert mandate.iban == "DE89370400440532013000"
    assert mandate.reference in response.content.decode()
