"""QA round 2 in the browser: after „Übernehmen“ the work page has the focus on „Ergebnis“ (#19) and shows meter number
and masked IBAN; the 360° contract card shows the call essentials (#8); both pages stay accessible."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from contacts import consents
from contacts.models import CallTask
from core.models import Role
from customers.models import SepaMandate
from tests.factories import PASSWORD, ContractFactory, UserFactory


@pytest.fixture
def task(transactional_db: None, reference_data: None, call_guides: None) -> CallTask:
    UserFactory(role=Role.AGENT, email="anna@stadtwerk.example", display_name="Anna")
    contract = ContractFactory(
        customer__name="Melina Franke", customer__customer_number="2100001", meter_number="1ESY1160421357"
    )
    SepaMandate.objects.create(
        customer=contract.customer, reference="SW-2100001-01", iban="DE02120300000000202051",
        account_holder="Melina Franke", signed_at=timezone.now() - timedelta(days=400),
    )  # fmt: skip
    consents.grant(
        customer=contract.customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
        now=timezone.now() - timedelta(days=14),
    )  # fmt: skip
    return CallTask.objects.create(
        customer=contract.customer, contract=contract, kind="COURTESY", topic="COURTESY_CALL",
        due_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip


@pytest.mark.browser
def test_the_work_page_opens_with_the_focus_on_the_outcome_and_shows_what_the_guide_asks_to_check(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, task: CallTask
) -> None:
    login(page, "anna@stadtwerk.example", PASSWORD)
    page.goto(f"{live_server.url}/service/anrufliste/")

    page.get_by_role("button", name=re.compile(r"Übernehmen.*Melina Franke")).click()
    page.wait_for_load_state()

    assert page.evaluate("document.activeElement.id") == "id_outcome"
    page.keyboard.press("ArrowDown")  # the agent can choose the outcome right away, without a Tab
    assert page.get_by_role("combobox", name="Ergebnis").input_value() != ""
    assert "1ESY1160421357" in page.inner_text("main")
    assert "DE02 **** **** **** **20 51" in page.get_by_test_id("bank").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Alle Daten im 360°-Bildschirm")).click()
    card = page.get_by_test_id(re.compile(r"^contract-V"))
    assert "1ESY1160421357" in card.inner_text()
    assert "SW-2100001-01" in card.get_by_test_id("bank").inner_text()
    assert_accessible(page)
