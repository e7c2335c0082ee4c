"""The agent works a courtesy task from the call queue in the browser: claim, read the guide, record the result."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from contacts import consents
from contacts.models import CallTask, ConsentUse, Touchpoint
from core.models import Role
from tests.factories import PASSWORD, ContractFactory, UserFactory


@pytest.fixture(autouse=True)
def in_the_call_window() -> Iterator[None]:
    """Run on a Monday morning whatever the real clock says: an advertising call can only be recorded Mon–Fri 09–18."""
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=True):
        yield


@pytest.fixture
def task(transactional_db: None, reference_data: None, call_guides: None) -> CallTask:
    UserFactory(role=Role.AGENT, email="anna@stadtwerk.example", display_name="Anna")
    contract = ContractFactory(customer__name="Melina Franke", customer__customer_number="2100001")
    consents.grant(
        customer=contract.customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
        now=timezone.now() - timedelta(days=14),
    )  # fmt: skip
    return CallTask.objects.create(
        customer=contract.customer, contract=contract, kind="COURTESY", topic="COURTESY_CALL",
        due_at=timezone.now() - timedelta(hours=1), note="Neukundin: Höflichkeitsanruf nach Lieferbeginn.",
    )  # fmt: skip


@pytest.mark.browser
def test_agent_claims_a_courtesy_task_reads_the_guide_and_records_the_result(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, task: CallTask
) -> None:
    login(page, "anna@stadtwerk.example", PASSWORD)
    page.goto(f"{live_server.url}/service/anrufliste/")
    assert_accessible(page)

    page.get_by_role("button", name=re.compile(r"Übernehmen.*Höflichkeitsanruf Melina Franke")).click()
    guide = page.get_by_test_id("guide")
    assert "Weiterempfehlung erfragen" in guide.inner_text()
    assert page.get_by_role("heading", name="Höflichkeitsanruf: Melina Franke").is_visible()
    assert_accessible(page)

    page.get_by_role("combobox", name="Ergebnis").select_option("RESOLVED")
    page.get_by_role("textbox", name="Notiz").fill("Wahl bestätigt, Zählerstand geprüft, keine Fragen.")
    page.get_by_role("spinbutton", name="Weiterempfehlung (0–10)").fill("9")
    page.get_by_role("combobox", name="Stimmung").select_option("POSITIVE")
    page.get_by_role("button", name="Ergebnis speichern und Aufgabe abschließen").click()

    assert "ist gespeichert, die Aufgabe erledigt" in page.get_by_role("status").first.inner_text()
    assert "Keine offenen Aufgaben" in page.content()
    assert_accessible(page)
    task.refresh_from_db()
    touchpoint = Touchpoint.objects.get(customer=task.customer)
    assert (task.status, task.result_id, touchpoint.would_recommend) == ("DONE", touchpoint.pk, 9)
    assert ConsentUse.objects.filter(touchpoint=touchpoint).exists()


@pytest.mark.browser
def test_customer_sees_the_call_and_withdraws_the_phone_consent_as_easily_as_granting_it(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, transactional_db: None
) -> None:
    agent = UserFactory(role=Role.AGENT, display_name="Anna", full_name="Anna Kowalski")
    contract = ContractFactory(customer__user__email="melina@example.org")
    Touchpoint.objects.create(
        customer=contract.customer, channel="PHONE", direction="OUT", topic="COURTESY_CALL", outcome="RESOLVED",
        occurred_at=timezone.now(), agent=agent, summary="Wahl bestätigt, keine Fragen.",
    )  # fmt: skip
    login(page, "melina@example.org", PASSWORD)

    page.get_by_role("link", name="Kontakte").click()
    assert "Wahl bestätigt, keine Fragen." in page.inner_text("main")
    assert page.get_by_test_id("staff-name").inner_text() == "Anna"
    assert "Kowalski" not in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Einwilligungen", exact=True).click()
    phone = page.get_by_test_id("consent-PHONE-ADVERTISING")
    phone.get_by_role("button", name=re.compile("Einwilligen")).click()
    assert "Erteilt am" in page.get_by_test_id("consent-PHONE-ADVERTISING").inner_text()
    assert_accessible(page)
    page.get_by_test_id("consent-PHONE-ADVERTISING").get_by_role("button", name=re.compile("Widerrufen")).click()

    assert "Nicht erteilt" in page.get_by_test_id("consent-PHONE-ADVERTISING").inner_text()
    assert consents.active_consent(customer=contract.customer, channel="PHONE", purpose="ADVERTISING") is None
