"""The double opt-in link for e-mail consents (QA round 2): it works without a portal login (S#12), the mail says
where the consent was given (S#12), purposes are worded per channel (C#17), and a link that cannot be used explains
what happened (C#14)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from contacts import consents
from contacts.models import Consent
from core.models import Role, User
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, display_name="Anna")


@pytest.fixture
def without_login() -> Customer:
    """Like Can Wolf: an e-mail address on file, but no portal login."""
    return CustomerFactory(user=None, email="can.wolf@example.org", name="Can Wolf")


def grant_by_phone(client: Any, agent: User, customer: Customer, capture: Any, purpose: str = "ADVERTISING") -> Any:
    client.force_login(agent)
    with capture(execute=True):
        response = client.post(
            reverse("contacts:consents", args=[customer.pk]),
            {"channel": "EMAIL", "purpose": purpose, "action": "grant"},
        )
    client.logout()
    return response


def link_in_last_mail() -> str:
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    return link[1]


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def pending(customer: Customer, purpose: str = "SURVEY") -> Consent:
    return consents.grant(customer=customer, channel="EMAIL", purpose=purpose, source="PHONE", now=NOW)


# --- S#12: confirmable without a portal login ---------------------------------------------------------------------


def test_a_consent_taken_by_phone_is_confirmed_by_a_customer_without_login(
    client: Any, agent: User, without_login: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    grant_by_phone(client, agent, without_login, django_capture_on_commit_callbacks)
    link = link_in_last_mail()

    page = client.get(link)
    in_force_after_get = consents.active_consent(customer=without_login, channel="EMAIL", purpose="ADVERTISING")
    pressed = client.post(link)
    after = client.get(pressed["Location"])

    assert page.status_code == 200
    assert "Einwilligung bestätigen" in text_of(page)
    assert in_force_after_get is None  # a mail scanner's GET confirms nothing
    assert pressed.status_code == 302
    assert consents.active_consent(customer=without_login, channel="EMAIL", purpose="ADVERTISING") is not None
    assert after.status_code == 200
    assert "Ihre Einwilligung ist bestätigt" in text_of(after)


def test_the_public_page_shows_no_personal_data(client: Any, without_login: Customer) -> None:
    consent = pending(without_login)

    page = client.get(reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token]))

    assert "Can Wolf" not in page.content.decode()
    assert "can.wolf@example.org" not in page.content.decode()


def test_the_confirmation_button_needs_the_csrf_token(without_login: Customer) -> None:
    consent = pending(without_login)
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token]))

    consent.refresh_from_db()
    assert response.status_code == 403
    assert consent.confirmed_at is None


def test_the_logged_in_owner_is_taken_back_to_the_consents_page(client: Any) -> None:
    customer = CustomerFactory()
    consent = pending(customer)
    client.force_login(customer.user)

    response = client.post(reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token]))

    assert response["Location"] == reverse("contacts_customer:consents")
    assert "Danke! Ihre Einwilligung (E-Mail: Zufriedenheitsbefragungen) gilt jetzt." in text_of(
        client.get(response["Location"])
    )


@pytest.mark.parametrize(
    ("source", "phrase"),
    [
        ("PHONE", "Sie haben uns am Telefon erlaubt"),
        ("CUSTOMER_CENTER", "Sie haben uns in unserem Kundenzentrum erlaubt"),
        ("PORTAL", "Sie haben uns im Stadtwerk-Portal erlaubt"),
        ("CONTRACT_FORM", "Sie haben uns mit Ihrem Vertragsformular erlaubt"),
    ],
)
def test_the_opt_in_mail_names_where_the_consent_was_given(
    without_login: Customer, django_capture_on_commit_callbacks: Any, source: str, phrase: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        consents.grant(
            customer=without_login, channel="EMAIL", purpose="SURVEY", source=source, now=NOW,
            confirm_url=lambda token: f"https://portal.example/{token}/",
        )  # fmt: skip

    body = mail.outbox[-1].body
    assert phrase in body
    if source != "PORTAL":
        assert "im Stadtwerk-Portal" not in body


def test_every_consent_source_has_a_phrase_for_the_mail() -> None:
    assert set(consents._SOURCE_PHRASES) == set(Consent.Source)


def test_the_mail_to_a_customer_without_login_does_not_send_them_to_the_portal(
    client: Any, agent: User, without_login: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    grant_by_phone(client, agent, without_login, django_capture_on_commit_callbacks)

    body = mail.outbox[-1].body
    assert "Sie müssen sich dafür nicht anmelden" in body
    assert "Kundenportal" not in body
    assert "Ein Anruf, eine E-Mail oder ein Brief an uns genügt." in body


# --- C#17: purposes worded per channel ----------------------------------------------------------------------------


def test_the_opt_in_mail_for_email_advertising_does_not_mention_calls(
    client: Any, agent: User, without_login: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    grant_by_phone(client, agent, without_login, django_capture_on_commit_callbacks)

    body = mail.outbox[-1].body
    assert "Ihnen E-Mails zu schicken (Angebote und Beratung)" in body
    assert "anruf" not in body.split("„")[0].lower()  # the sentence before the quoted wording


@pytest.mark.parametrize(
    ("channel", "label"),
    [
        ("PHONE", "Angebote, Beratung und Höflichkeitsanrufe"),
        ("EMAIL", "Angebote und Beratung"),
        ("LETTER", "Angebote"),
    ],
)
def test_advertising_is_labelled_per_channel_with_calls_only_for_the_phone(channel: str, label: str) -> None:
    assert consents.label_for(channel=channel, purpose="ADVERTISING") == label


def test_the_customers_overview_heads_advertising_without_calls_and_labels_each_card_per_channel() -> None:
    states = consents.get_consent_states(customer=CustomerFactory())

    advertising = [state for state in states if state.purpose == "ADVERTISING"]
    assert {state.purpose_label for state in advertising} == {"Angebote und Beratung"}
    assert [(state.channel, state.label) for state in advertising] == [
        ("PHONE", "Angebote, Beratung und Höflichkeitsanrufe"),
        ("EMAIL", "Angebote und Beratung"),
        ("LETTER", "Angebote"),
    ]


def test_the_confirmation_page_labels_email_advertising_without_calls(without_login: Customer) -> None:
    consent = pending(without_login, purpose="ADVERTISING")

    page = Client().get(reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token]))

    assert "dass wir Ihnen E-Mails schicken dürfen (Angebote und Beratung)" in text_of(page)


# --- C#14: links that cannot be used explain themselves -----------------------------------------------------------


def test_a_used_link_says_the_consent_is_confirmed(client: Any, without_login: Customer) -> None:
    consent = pending(without_login)
    url = reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token])
    client.post(url)

    again_get = client.get(url)
    again_post = client.post(url)

    assert (again_get.status_code, again_post.status_code) == (200, 200)
    assert "Ihre Einwilligung ist bestätigt" in text_of(again_get)
    assert "Seit dem 21.11.2026 dürfen wir Ihnen E-Mails schicken (Zufriedenheitsbefragungen)" in text_of(again_get)


def test_a_link_of_a_withdrawn_consent_answers_410_and_says_how_to_consent_again(
    client: Any, without_login: Customer
) -> None:
    consent = pending(without_login)
    consents.withdraw(customer=without_login, channel="EMAIL", purpose="SURVEY", source="PHONE", now=NOW)
    url = reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token])

    page = client.get(url)
    pressed = client.post(url)

    consent.refresh_from_db()
    assert (page.status_code, pressed.status_code) == (410, 410)
    assert "wurde am 21.11.2026 widerrufen" in text_of(page)
    assert "können Sie jederzeit erneut einwilligen" in text_of(page)
    assert consent.confirmed_at is None


def test_a_link_replaced_by_a_new_request_points_to_the_newest_mail(client: Any, without_login: Customer) -> None:
    old = pending(without_login)
    consents.withdraw(customer=without_login, channel="EMAIL", purpose="SURVEY", source="PHONE", now=NOW)
    pending(without_login)

    page = client.get(reverse("contacts_customer:confirm_consent", args=[old.confirmation_token]))

    assert page.status_code == 410
    assert "Bitte öffnen Sie den Link aus unserer neuesten E-Mail" in text_of(page)


def test_an_unknown_link_keeps_404_with_the_explanation(client: Any) -> None:
    get = client.get(reverse("contacts_customer:confirm_consent", args=["abgeschnitten"]))
    post = client.post(reverse("contacts_customer:confirm_consent", args=["abgeschnitten"]))

    assert (get.status_code, post.status_code) == (404, 404)
    assert "Dieser Bestätigungslink ist nicht gültig" in text_of(get)
    assert "Seite nicht gefunden" not in text_of(get)


def test_another_customers_link_keeps_404_for_a_logged_in_customer_and_confirms_nothing(
    client: Any, without_login: Customer
) -> None:
    consent = pending(without_login)
    client.force_login(CustomerFactory().user)
    url = reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token])

    page = client.get(url)
    pressed = client.post(url)

    consent.refresh_from_db()
    assert (page.status_code, pressed.status_code) == (404, 404)
    assert "Dieser Link gehört zu einem anderen Kundenkonto" in text_of(page)
    assert "Can Wolf" not in text_of(page)
    assert consent.confirmed_at is None
