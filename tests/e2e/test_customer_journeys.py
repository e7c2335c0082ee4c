"""A customer submits a meter reading (and first gets the rejection) and changes the Abschlag, in the browser."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from customers.models import AdvancePaymentChange, Contract, MeterReading
from tests.factories import PASSWORD, ContractFactory, MeterReadingFactory


@pytest.fixture
def contract(transactional_db: None, reference_data: None) -> Contract:
    contract = ContractFactory(forecast_kwh=Decimal(3500), customer__user__email="hilde@example.org")
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2026, 1, 1), amount_eur=Decimal(116), recommended_eur=Decimal(116),
        source="CALCULATED",
    )  # fmt: skip
    return contract


@pytest.mark.browser
def test_customer_submits_a_reading_after_a_rejection(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contract: Contract
) -> None:
    login(page, "hilde@example.org", PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Zählerstand melden").first.click()
    assert_accessible(page)

    page.get_by_label("Zählerstand").fill("12.000")
    page.get_by_role("button", name="Zählerstand senden").click()
    error = page.locator("#id_value_error")
    assert "niedriger als der letzte (12.345 kWh am 01.01.2026)" in error.inner_text()
    assert_accessible(page)

    page.get_by_label("Zählerstand").fill("13.000")
    page.get_by_role("button", name="Zählerstand senden").click()

    assert "ist gespeichert" in page.get_by_role("status").first.inner_text()
    assert MeterReading.objects.filter(contract=contract, value=Decimal(13000)).exists()


@pytest.mark.browser
def test_customer_changes_the_abschlag_with_a_live_preview(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contract: Contract
) -> None:
    login(page, "hilde@example.org", PASSWORD)
    page.goto(f"{live_server.url}/konto/vertrag/{contract.pk}/abschlag/")
    assert page.get_by_test_id("recommended").inner_text() == "116,00\xa0€"
    assert_accessible(page)

    page.get_by_label("Neuer Abschlag (€ im Monat)").fill("130")
    page.wait_for_function("document.querySelector('#advance-preview').innerText.includes('Mit 130,00')")
    assert_accessible(page)
    page.get_by_role("button", name="Abschlag ändern").click()

    assert "Ihr Abschlag beträgt ab dem" in page.get_by_role("status").first.inner_text()
    assert AdvancePaymentChange.objects.filter(contract=contract, amount_eur=Decimal(130)).exists()
