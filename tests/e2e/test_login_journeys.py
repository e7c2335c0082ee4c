"""Each persona logs in through the browser, lands on their home page, and the pages have no axe violations."""

from __future__ import annotations

from typing import Any

import pytest

from core import demo

PASSWORD = "Browser-Test-2026"
LANDINGS = {
    "melina@example.org": ("/konto/", "Mein Konto"),
    "hildegard@example.org": ("/konto/", "Mein Konto"),
    "anna@stadtwerk.example": ("/service/", "Arbeitsplatz Kundenservice"),
    "klaus@stadtwerk.example": ("/vertrieb/", "Kundenbindung"),
    "admin@stadtwerk.example": ("/service/", "Arbeitsplatz Kundenservice"),
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("email", list(LANDINGS))
def test_persona_logs_in_and_lands_on_an_accessible_home(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, email: str
) -> None:
    demo.seed_users(password=PASSWORD)
    path, heading = LANDINGS[email]

    login(page, email, PASSWORD)

    assert page.url == f"{live_server.url}{path}"
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_login_page_is_accessible_and_keyboard_operable(page: Any, live_server: Any, assert_accessible: Any) -> None:
    demo.seed_users(password=PASSWORD)
    page.goto(f"{live_server.url}/anmelden/")
    assert_accessible(page)

    first_focusable = page.evaluate(
        "document.querySelector('a[href], button, input:not([type=hidden]), select, textarea').textContent.trim()"
    )
    assert first_focusable == "Zum Inhalt springen"
    # The e-mail field has autofocus, so a keyboard user can type straight away.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("melina@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/konto/")
