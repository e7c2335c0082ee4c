"""Anna records a cancellation on the phone and asks the optional leaving question (QA round 2, finding 18); the
page has no WCAG violations, also with an error."""

from __future__ import annotations

from typing import Any

import pytest

from core import demo
from customers.models import CancellationRequest
from tests.factories import ContractFactory

PASSWORD = "Browser-Test-2026"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_records_a_cancellation_with_the_leaving_reason(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, reference_data: None
) -> None:
    demo.seed_users(password=PASSWORD)
    contract = ContractFactory(customer__name="Karla Kündig", customer__email="karla@example.org")
    login(page, "anna@stadtwerk.example", PASSWORD)

    page.goto(f"{live_server.url}/service/kunde/{contract.customer_id}/kuendigung/{contract.pk}/")
    assert page.get_by_role("group", name="Freiwillige Frage nach dem Grund").is_visible()
    assert_accessible(page)

    page.get_by_label("Warum kündigen Sie? (freiwillige Frage)").select_option("SERVICE")
    page.get_by_label("E-Mail-Adresse für die Bestätigung").fill("")
    page.get_by_role("button", name="Kündigung speichern").click()
    page.wait_for_load_state()
    assert page.get_by_text("Bitte geben Sie eine E-Mail-Adresse für die Bestätigung an").is_visible()
    assert page.get_by_label("Warum kündigen Sie? (freiwillige Frage)").input_value() == "SERVICE"
    assert_accessible(page)

    page.get_by_label("E-Mail-Adresse für die Bestätigung").fill("karla@example.org")
    page.get_by_role("button", name="Kündigung speichern").click()
    page.wait_for_load_state()

    assert "gespeichert: Vertrag" in page.get_by_role("status").inner_text()
    declaration = CancellationRequest.objects.get(contract=contract)
    assert declaration.leaving_reason == "SERVICE"
