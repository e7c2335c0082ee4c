"""QA round 2, S#12 and C#14 in the browser (with axe): a customer without login confirms an e-mail consent by
keyboard, and links that cannot be used explain themselves on accessible pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contacts import consents
from customers import profile
from tests.factories import PASSWORD, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_a_customer_without_login_confirms_a_phone_consent_by_keyboard(
    page: Any, live_server: Any, assert_accessible: Any
) -> None:
    customer = CustomerFactory(user=None, email="can.wolf@example.org")
    consent = consents.grant(customer=customer, channel="EMAIL", purpose="ADVERTISING", source="PHONE", now=NOW)
    url = f"{live_server.url}{reverse('contacts_customer:confirm_consent', args=[consent.confirmation_token])}"

    page.goto(url)
    assert_accessible(page)
    page.get_by_role("button", name="Einwilligung bestätigen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", name="Ihre Einwilligung ist bestätigt").is_visible()
    assert_accessible(page)
    assert consents.active_consent(customer=customer, channel="EMAIL", purpose="ADVERTISING") is not None


def test_the_page_for_a_withdrawn_consents_link_is_accessible(
    page: Any, live_server: Any, assert_accessible: Any
) -> None:
    customer = CustomerFactory(user=None, email="can.wolf@example.org")
    consent = consents.grant(customer=customer, channel="EMAIL", purpose="SURVEY", source="PHONE", now=NOW)
    consents.withdraw(customer=customer, channel="EMAIL", purpose="SURVEY", source="PHONE", now=NOW)

    response = page.goto(
        f"{live_server.url}{reverse('contacts_customer:confirm_consent', args=[consent.confirmation_token])}"
    )

    assert response.status == 410
    assert page.get_by_role("heading", name="Dieser Bestätigungslink gilt nicht mehr").is_visible()
    assert_accessible(page)


def test_the_pages_for_a_used_and_an_unknown_email_link_are_accessible(
    page: Any, live_server: Any, login: Any, assert_accessible: Any
) -> None:
    customer = CustomerFactory()
    tokens: list[str] = []

    def keep(token: str) -> str:
        tokens.append(token)
        return token

    profile.update_contact_data(
        customer=customer, email="neu@example.org", phone=customer.phone, street=customer.street,
        postal_code=customer.postal_code, city=customer.city, now=NOW, confirm_url=keep,
    )  # fmt: skip
    login(page, customer.user.email, PASSWORD)
    link = f"{live_server.url}{reverse('customers:confirm_email', args=[tokens[0]])}"
    page.goto(link)
    with page.expect_navigation():
        page.get_by_role("button", name="E-Mail-Adresse bestätigen").click()

    used = page.goto(link)
    assert used.status == 200
    assert page.get_by_role("heading", name="Ihre E-Mail-Adresse ist schon bestätigt").is_visible()
    assert_accessible(page)
    unknown = page.goto(f"{live_server.url}{reverse('customers:confirm_email', args=['abgeschnitten'])}")
    assert unknown.status == 404
    assert page.get_by_role("heading", name="Dieser Bestätigungslink gilt nicht (mehr)").is_visible()
    assert_accessible(page)
