"""Anna finds Hildegard M. by meter number, records a call about the price brake by keyboard alone, sees it on the
timeline; Hildegard then sees the call under „Ihre Kontakte mit uns“ with Anna's display name only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from contacts.models import Touchpoint
from core import demo
from core.models import User
from tests.factories import ContractFactory, CustomerFactory, MeterReadingFactory

PASSWORD = "Browser-Test-2026"
METER_NUMBER = "1ESY1160777001"
SUMMARY = "Preisbremse erklärt"


class Keyboard:
    """Press keys through Playwright and count every key press (typing a text counts one per character)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.presses = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.presses += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.presses += len(text)


@pytest.fixture
def hildegard(transactional_db: None, reference_data: None) -> Any:
    demo.seed_users(password=PASSWORD)
    user = User.objects.get(email="hildegard@example.org")
    customer = CustomerFactory(user=user, name="Hildegard M.", email=user.email, is_vulnerable=True)
    contract = ContractFactory(customer=customer, meter_number=METER_NUMBER)
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    return customer


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_records_a_price_brake_call_by_keyboard_and_the_customer_sees_it(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, hildegard: Any
) -> None:
    login(page, "anna@stadtwerk.example", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Arbeitsplatz Kundenservice"
    assert_accessible(page)

    # Search as you type: the search box has the focus; the first result is one arrow key away.
    keys = Keyboard(page)
    keys.type(METER_NUMBER)
    results = page.locator("#search-results .search-results a")
    results.first.wait_for()
    assert results.count() == 1
    assert "Hildegard M." in results.first.inner_text()
    assert_accessible(page)
    keys.press("ArrowDown")
    keys.press("Enter")
    page.wait_for_url(f"**/service/kunde/{hildegard.pk}/")
    search_presses = keys.presses
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hildegard M.")
    assert_accessible(page)

    # Record the call: topic has the focus; P picks „Preisbremse“, the outcome keeps „erledigt“, Enter saves.
    keys = Keyboard(page)
    assert page.evaluate("document.activeElement.id") == "id_topic"
    keys.press("P")
    keys.press("Tab")
    keys.press("Tab")
    keys.type(SUMMARY)
    keys.press("Enter")
    page.wait_for_load_state()

    assert "Der Kontakt ist gespeichert." in page.get_by_role("status").first.inner_text()
    newest = page.get_by_test_id("timeline").locator("li").first
    assert "Preisbremse" in newest.inner_text()
    assert SUMMARY in newest.inner_text()
    touchpoint = Touchpoint.objects.get(customer=hildegard)
    assert (touchpoint.topic, touchpoint.outcome, touchpoint.channel) == ("PRICE_BRAKE", "RESOLVED", "PHONE")
    assert keys.presses == 4 + len(SUMMARY)  # P, Tab, Tab, the note, Enter: 23 key presses for this note
    print(f"key presses: search {search_presses}, record call {keys.presses} (of which note {len(SUMMARY)})")

    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state()
    login(page, "hildegard@example.org", PASSWORD)
    page.goto(f"{live_server.url}/konto/kontakte/")

    history = page.get_by_test_id("contact-history").locator("li").first
    assert "Preisbremse" in history.inner_text()
    assert SUMMARY in history.inner_text()
    assert history.get_by_test_id("staff-name").inner_text() == "Anna"
    assert "Anna K." not in page.content()
    assert_accessible(page)
