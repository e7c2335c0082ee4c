"""QA round 2, findings 8, 15 and 20 in the browser (with axe): the error summary takes the focus after a failed
submit, and the footer, Impressum, Datenschutzerklärung and the page for unlinked logins are accessible."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.models import Role
from tests.factories import PASSWORD, ContractFactory, MeterReadingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def test_keyboard_user_submitting_an_empty_cancellation_lands_on_the_error_summary(
    page: Any, live_server: Any, assert_accessible: Any
) -> None:
    page.goto(f"{live_server.url}/kuendigen/")
    page.get_by_role("button", name="jetzt kündigen", exact=True).focus()

    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert focused(page) == "error-summary"
    summary = page.get_by_role("alert").filter(has_text="Bitte prüfen Sie Ihre Angaben")
    assert summary.is_visible()
    assert_accessible(page)
    page.keyboard.press("Tab")
    first_link = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    assert f"#{focused(page)}" == first_link


def test_a_failed_login_focuses_the_summary_and_its_link_leads_to_the_field(
    page: Any, live_server: Any, assert_accessible: Any
) -> None:
    page.goto(f"{live_server.url}/anmelden/")
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden").click()

    assert focused(page) == "error-summary"
    assert_accessible(page)
    page.get_by_role("link", name="Passwort: Dieses Feld ist zwingend erforderlich.").click()
    assert focused(page) == "id_password"


def test_a_wrong_reading_shows_the_summary_on_the_reading_form(
    page: Any, live_server: Any, login: Any, assert_accessible: Any
) -> None:
    contract = ContractFactory()
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    login(page, contract.customer.user.email, PASSWORD)
    page.goto(f"{live_server.url}/konto/vertrag/{contract.pk}/zaehlerstand/")
    page.get_by_label("Zählerstand").fill("zwölf")

    with page.expect_navigation():
        page.get_by_label("Zählerstand").press("Enter")

    assert focused(page) == "error-summary"
    assert "Zählerstand:" in page.get_by_role("alert").filter(has_text="Bitte prüfen Sie").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "heading"), [("/impressum/", "Impressum"), ("/datenschutz/", "Datenschutzerklärung")]
)
def test_legal_pages_are_linked_from_the_footer_and_accessible(
    page: Any, live_server: Any, assert_accessible: Any, path: str, heading: str
) -> None:
    page.goto(f"{live_server.url}/anmelden/")

    page.get_by_role("contentinfo").get_by_role("link", name=heading, exact=True).click()
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}{path}"
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("contentinfo").get_by_role("link", name="0711 123456-0").is_visible()
    assert_accessible(page)


def test_an_unlinked_login_sees_one_navigation_entry_and_a_kind_page(
    page: Any, live_server: Any, login: Any, assert_accessible: Any
) -> None:
    user = UserFactory(email="ohne@example.org", role=Role.CUSTOMER)
    login(page, user.email, PASSWORD)
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    assert navigation.get_by_role("link", name="Rechnungen").count() == 0
    assert navigation.get_by_role("link", name="Passwort ändern").is_visible()

    page.goto(f"{live_server.url}/konto/rechnungen/")

    assert page.get_by_role("heading", level=1).inner_text() == "Ihr Kundenkonto ist noch nicht verknüpft"
    assert_accessible(page)
