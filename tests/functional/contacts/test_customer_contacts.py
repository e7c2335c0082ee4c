"""„Ihre Kontakte mit uns" and „Einwilligungen" in the customer portal."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import resolve, reverse

from contacts import consents
from contacts.models import Consent, Touchpoint
from core.models import Role, User
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory(user__email="melina@example.org", name="Melina Franke")


@pytest.fixture
def customer_client(client: Any, customer: Customer) -> Any:
    client.force_login(customer.user)
    return client


@pytest.fixture
def agent() -> User:
    return UserFactory(
        role=Role.AGENT, display_name="Anna", full_name="Anna Kowalski", email="anna.kowalski@stadtwerk.example"
    )


def touch(customer: Customer, agent: User | None = None, **fields: Any) -> Touchpoint:
    values: dict[str, Any] = {
        "channel": "PHONE", "direction": "IN", "topic": "PRICE_BRAKE", "outcome": "RESOLVED",
        "occurred_at": NOW, "summary": "Preisbremse erklärt",
    }  # fmt: skip
    values.update(fields)
    return Touchpoint.objects.create(customer=customer, agent=agent, **values)


def test_the_contacts_urls_resolve_before_the_account_urls() -> None:
    assert resolve("/konto/kontakte/").view_name == "contacts_customer:history"
    assert resolve("/konto/kontakte/einwilligungen/").view_name == "contacts_customer:consents"
    assert resolve("/konto/").view_name == "customers:home"
    assert (
        reverse("contacts_customer:confirm_consent", args=["abc"]) == "/konto/kontakte/einwilligung/bestaetigen/abc/"
    )


def test_the_history_shows_own_touchpoints_newest_first_with_the_agents_display_name_only(
    customer_client: Any, customer: Customer, agent: User
) -> None:
    touch(customer, agent, summary="Älterer Anruf", occurred_at=NOW - timedelta(days=3))
    touch(customer, agent, summary="Neuester Anruf", occurred_at=NOW)
    touch(CustomerFactory(), agent, summary="Fremder Anruf")

    response = customer_client.get(reverse("contacts_customer:history"))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Neuester Anruf") < content.index("Älterer Anruf")
    assert "Fremder Anruf" not in content
    assert re.findall(r'data-testid="staff-name">([^<]*)<', content) == ["Anna", "Anna"]
    assert "Kowalski" not in content
    assert "anna.kowalski@stadtwerk.example" not in content


def test_an_agent_without_display_name_appears_as_the_customer_service(
    customer_client: Any, customer: Customer
) -> None:
    touch(customer, UserFactory(role=Role.AGENT, display_name="", full_name="Bernd Geheim"))

    content = customer_client.get(reverse("contacts_customer:history")).content.decode()

    assert "Ihr Kundenservice" in content
    assert "Geheim" not in content


def test_the_history_paginates(customer_client: Any, customer: Customer) -> None:
    for offset in range(25):
        touch(customer, summary=f"Kontakt Nummer {offset:02d}", occurred_at=NOW - timedelta(days=offset))

    first = customer_client.get(reverse("contacts_customer:history")).content.decode()
    second = customer_client.get(reverse("contacts_customer:history") + "?seite=2").content.decode()

    assert "Kontakt Nummer 00" in first and "Kontakt Nummer 19" in first and "Kontakt Nummer 20" not in first
    assert "Kontakt Nummer 20" in second and "Kontakt Nummer 24" in second and "Kontakt Nummer 19" not in second


@pytest.mark.parametrize("rows", [1, 100])
def test_the_history_runs_the_same_queries_for_1_or_100_touchpoints(
    customer_client: Any, customer: Customer, agent: User, django_assert_num_queries: Any, rows: int
) -> None:
    for offset in range(rows):
        touch(
            customer, agent if offset % 2 else UserFactory(role=Role.AGENT), occurred_at=NOW - timedelta(hours=offset)
        )

    with django_assert_num_queries(5):  # session, user, customer, count, page
        response = customer_client.get(reverse("contacts_customer:history"))

    assert response.status_code == 200


def test_the_consents_page_shows_state_and_wording_per_channel_and_purpose(
    customer_client: Any, customer: Customer
) -> None:
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM", now=NOW)

    content = customer_client.get(reverse("contacts_customer:consents")).content.decode()

    assert "Erteilt am 21.11.2026" in content
    assert content.count("Nicht erteilt") == 5
    assert consents.wording_for(channel="LETTER", purpose="SURVEY") in content


def test_granting_and_withdrawing_are_one_post_each_and_take_effect_at_once(
    customer_client: Any, customer: Customer
) -> None:
    choice = {"channel": "PHONE", "purpose": "ADVERTISING"}

    granted = customer_client.post(reverse("contacts_customer:grant_consent"), choice)
    in_force_after_grant = consents.active_consent(customer=customer, **choice) is not None
    withdrawn = customer_client.post(reverse("contacts_customer:withdraw_consent"), choice)

    assert granted.status_code == withdrawn.status_code == 302
    assert in_force_after_grant
    assert consents.active_consent(customer=customer, **choice) is None
    record = Consent.objects.get(customer=customer)
    assert (record.source, record.withdrawal_source) == ("PORTAL", "PORTAL")
    assert record.wording == consents.wording_for(**choice)


def test_an_unknown_channel_is_refused_without_writing(customer_client: Any, customer: Customer) -> None:
    response = customer_client.post(
        reverse("contacts_customer:grant_consent"), {"channel": "FAX", "purpose": "ADVERTISING"}, follow=True
    )

    assert "Diese Einwilligung gibt es nicht." in response.content.decode()
    assert not Consent.objects.filter(customer=customer).exists()


def test_granting_email_sends_the_double_opt_in_link_and_asks_to_confirm(
    customer_client: Any, customer: Customer, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            reverse("contacts_customer:grant_consent"), {"channel": "EMAIL", "purpose": "ADVERTISING"}, follow=True
        )

    content = response.content.decode()
    assert "Bitte bestätigen Sie Ihre Einwilligung" in content
    assert "Noch nicht bestätigt" in content
    assert consents.active_consent(customer=customer, channel="EMAIL", purpose="ADVERTISING") is None
    token = Consent.objects.get(customer=customer).confirmation_token
    assert mailoutbox[0].to == ["melina@example.org"]
    assert f"http://testserver/konto/kontakte/einwilligung/bestaetigen/{token}/" in mailoutbox[0].body


def test_the_confirmation_link_shows_a_button_and_confirms_on_post(customer_client: Any, customer: Customer) -> None:
    consent = consents.grant(customer=customer, channel="EMAIL", purpose="SURVEY", source="PORTAL", now=NOW)
    url = reverse("contacts_customer:confirm_consent", args=[consent.confirmation_token])

    page = customer_client.get(url)
    in_force_after_get = consents.active_consent(customer=customer, channel="EMAIL", purpose="SURVEY") is not None
    response = customer_client.post(url)

    assert page.status_code == 200
    assert "Einwilligung bestätigen" in page.content.decode()
    assert not in_force_after_get
    assert response.status_code == 302
    assert consents.active_consent(customer=customer, channel="EMAIL", purpose="SURVEY") is not None


def test_a_wrong_or_foreign_confirmation_token_gives_404(customer_client: Any, customer: Customer) -> None:
    foreign = consents.grant(customer=CustomerFactory(), channel="EMAIL", purpose="SURVEY", source="PORTAL", now=NOW)

    wrong_get = customer_client.get(reverse("contacts_customer:confirm_consent", args=["falsch"]))
    wrong_post = customer_client.post(reverse("contacts_customer:confirm_consent", args=["falsch"]))
    foreign_post = customer_client.post(
        reverse("contacts_customer:confirm_consent", args=[foreign.confirmation_token])
    )

    assert [wrong_get.status_code, wrong_post.status_code, foreign_post.status_code] == [404, 404, 404]
    foreign.refresh_from_db()
    assert foreign.confirmed_at is None


def test_the_navigation_offers_contacts_and_consents(customer_client: Any) -> None:
    content = customer_client.get(reverse("contacts_customer:consents")).content.decode()

    assert f'href="{reverse("contacts_customer:history")}"' in content
    assert 'aria-current="page">Einwilligungen<' in content


def test_the_data_download_includes_touchpoints_and_consents(
    customer_client: Any, customer: Customer, agent: User
) -> None:
    touch(customer, agent, summary="Preisbremse erklärt")
    consents.grant(customer=customer, channel="LETTER", purpose="ADVERTISING", source="PORTAL", now=NOW)

    response = customer_client.get(reverse("customers:export"))

    data = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    assert [row["summary"] for row in data["touchpoints"]] == ["Preisbremse erklärt"]
    assert data["touchpoints"][0]["staff_name"] == "Anna"
    assert [row["channel"] for row in data["consents"]] == ["LETTER"]
    assert "Kowalski" not in json.dumps(data)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SALES])
def test_staff_get_403_on_the_customers_contact_pages(client: Any, role: str) -> None:
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("contacts_customer:history")).status_code == 403
    assert (
        client.post(reverse("contacts_customer:grant_consent"), {"channel": "PHONE", "purpose": "SURVEY"}).status_code
        == 403
    )
