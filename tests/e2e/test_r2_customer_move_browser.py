"""Hildegard reports her move by keyboard (both contracts at her address end together); the SEPA mandate page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from customers.models import Contract
from tests.factories import PASSWORD, ContractFactory, CustomerFactory

ADDRESS = {"street": "Schillerstraße 4", "postal_code": "70173", "city": "Stuttgart"}


@pytest.fixture
def contracts(transactional_db: None, reference_data: None) -> tuple[Contract, Contract]:
    customer = CustomerFactory(user__email="hildegard@example.org", **ADDRESS)
    electricity = ContractFactory(customer=customer, contract_number="V820001", **ADDRESS)
    heat = ContractFactory(customer=customer, commodity="heat", contract_number="V820002", **ADDRESS)
    return electricity, heat


@pytest.mark.browser
def test_a_move_for_both_contracts_at_the_address_by_keyboard(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contracts: tuple[Contract, Contract]
) -> None:
    electricity, heat = contracts
    login(page, "hildegard@example.org", PASSWORD)
    page.goto(f"{live_server.url}/konto/vertrag/{electricity.pk}/umzug/")

    group = page.get_by_role("group", name="Für welche Verträge an dieser Adresse melden Sie den Auszug?")
    assert group.get_by_role("checkbox", name="Strom, Vertrag V820001", exact=False).is_checked()
    assert group.get_by_role("checkbox", name="Wärme, Vertrag V820002", exact=False).is_checked()
    assert_accessible(page)

    move_out = date.today() + timedelta(days=55)  # within the year ahead the portal accepts, whenever this runs
    page.get_by_label("Auszugsdatum").fill(move_out.isoformat())
    page.get_by_label("Neue Straße und Hausnummer").fill("Am Markt 3")
    page.get_by_label("Neue PLZ").fill("72070")
    page.get_by_label("Neuer Ort").fill("Tübingen")
    page.get_by_label("Neuer Ort").press("Enter")
    page.wait_for_load_state()

    status = page.get_by_role("status").first.inner_text()
    assert "Stromvertrag V820001, Wärmevertrag V820002" in status
    assert_accessible(page)
    for contract in (electricity, heat):
        contract.refresh_from_db()
        assert (contract.status, contract.end_date) == (Contract.Status.CANCELLED, move_out)


@pytest.mark.browser
def test_the_sepa_mandate_page_names_the_creditor_and_is_accessible(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contracts: tuple[Contract, Contract]
) -> None:
    login(page, "hildegard@example.org", PASSWORD)
    page.goto(f"{live_server.url}{reverse('customers:bank_account')}")

    creditor = page.get_by_test_id("mandate-creditor").inner_text()
    assert "Gläubiger-Identifikationsnummer" in creditor
    assert "Zugleich weise ich mein Kreditinstitut an" in page.locator("label[for=id_mandate]").inner_text()
    page.get_by_role("button", name="Bankverbindung speichern").click()
    page.wait_for_load_state()
    assert_accessible(page)
