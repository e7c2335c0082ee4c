"""A visitor cancels a contract with the cancellation button, without logging in, in the browser (with axe)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from customers.models import CancellationRequest, Contract
from tests.factories import ContractFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cancel_a_contract_without_login(page: Any, live_server: Any, assert_accessible: Any) -> None:
    cache.clear()
    contract = ContractFactory(notice_period_months=1)

    page.goto(f"{live_server.url}/anmelden/")
    page.get_by_role("link", name="Verträge hier kündigen").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Vertrag kündigen"
    assert_accessible(page)

    page.get_by_role("radio", name=re.compile(r"^Ordentliche Kündigung")).check()
    page.get_by_label("Ihr Name (Vertragspartner/in)").fill("Erika Mustermann")
    page.get_by_label("Kundennummer").fill(contract.customer.customer_number)
    page.get_by_label("Vertragsnummer").fill(contract.contract_number)
    page.get_by_label("Postleitzahl der Lieferstelle").fill(contract.postal_code)
    page.get_by_label("E-Mail-Adresse für die Bestätigung").fill("erika@example.org")
    page.get_by_role("button", name="jetzt kündigen", exact=True).click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Ihre Kündigung ist eingegangen"
    received_at = page.get_by_test_id("received-at").inner_text()
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr", received_at)
    assert received_at.startswith(f"{timezone.localdate():%d.%m.%Y}")
    reference = page.get_by_test_id("reference").inner_text()
    assert page.get_by_role("link", name="Bestätigung als Datei speichern").is_visible()
    assert page.get_by_role("button", name="Bestätigung drucken").is_visible()
    assert_accessible(page)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED

    page.get_by_label("Warum kündigen Sie?", exact=True).select_option("MOVING")
    page.get_by_role("button", name="Antwort senden").click()
    page.wait_for_load_state()

    assert page.get_by_text("Danke für Ihre Antwort.").is_visible()
    assert CancellationRequest.objects.get(reference=reference).leaving_reason == "MOVING"
    assert_accessible(page)
