"""A customer opens "Meine Entlastung", "Meine Daten" and "Umzug melden" in the browser: own numbers, no axe errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from customers.models import Contract
from tests.factories import (
    PASSWORD,
    ContractFactory,
    CustomerFactory,
    crisis_tariff,
)


@pytest.fixture
def contracts(transactional_db: None, reference_data: None) -> tuple[Contract, Contract]:
    customer = CustomerFactory(user__email="melina@example.org")
    electricity = ContractFactory(customer=customer, tariff=crisis_tariff("electricity", "37.8151"))
    gas = ContractFactory(
        customer=customer,
        commodity="gas",
        tariff=crisis_tariff("gas", "20.0000"),
        forecast_kwh=Decimal(15000),
        forecast_sept_2022_kwh=Decimal(15000),
    )
    return electricity, gas


@pytest.mark.browser
def test_customer_reads_her_relief_month_by_month(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contracts: tuple[Contract, Contract]
) -> None:
    electricity, _ = contracts
    login(page, "melina@example.org", PASSWORD)

    page.get_by_role("link", name="Meine Entlastung").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Meine Entlastung"
    table = page.get_by_test_id(f"relief-table-{electricity.contract_number}")
    march = table.locator("tr", has=page.get_by_role("rowheader", name="März 2023", exact=True))
    assert "35,01\xa0€ Entlastung verrechnet" in march.inner_text()
    assert (
        page.get_by_test_id(f"relief-contract-{electricity.contract_number}")
        .get_by_test_id("relief-total")
        .inner_text()
        .strip()
        == "140,04\xa0€"
    )
    assert page.get_by_test_id("december-relief").inner_text().strip() == "278,20\xa0€"
    assert_accessible(page)


@pytest.mark.browser
def test_meine_daten_and_umzug_melden_are_accessible(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contracts: tuple[Contract, Contract]
) -> None:
    electricity, _ = contracts
    login(page, "melina@example.org", PASSWORD)

    page.get_by_role("link", name="Meine Daten").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Daten"
    page.get_by_label("PLZ").fill("123")
    page.get_by_role("button", name="Kontaktdaten speichern").click()
    assert "fünf Ziffern" in page.locator("#error_1_id_postal_code").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name=f"Umzug melden für Vertrag {electricity.contract_number}").click()
    page.get_by_role("button", name="Umzug melden").click()
    assert "Bitte geben Sie das Auszugsdatum an." in page.locator("#error_1_id_move_out_date").inner_text()
    assert_accessible(page)
