"""Meine Daten: contact data, e-mail change confirmed by link, and the JSON export download."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from core.models import User
from customers.models import Customer
from tests.factories import ContractFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/konto/meine-daten/"
NOW = "2026-11-21 10:00:00+01:00"


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory(user__email="hildegard@example.org", phone="0711 123456")


@pytest.fixture
def customer_client(client: Any, customer: Customer) -> Any:
    client.force_login(customer.user)
    return client


def form_data(customer: Customer, **changes: str) -> dict[str, str]:
    data = {
        "email": customer.user.email,
        "phone": customer.phone,
        "street": customer.street,
        "postal_code": customer.postal_code,
        "city": customer.city,
    }
    return {**data, **changes}


def request_email_change(client: Any, customer: Customer, new_email: str, capture: Any) -> str:
    """Ask for a new address and return the confirmation link's path from the e-mail."""
    with capture(execute=True):
        client.post(URL, form_data(customer, email=new_email))
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    return link[1]


def test_page_shows_the_customers_contact_data(customer_client: Any, customer: Customer) -> None:
    response = customer_client.get(URL)

    html = response.content.decode()
    assert 'value="hildegard@example.org"' in html
    assert 'value="0711 123456"' in html
    assert customer.customer_number in html
    assert reverse("customers:export") in html


def test_phone_and_address_change_at_once(customer_client: Any, customer: Customer) -> None:
    response = customer_client.post(
        URL, form_data(customer, phone="+49 711 987654", street="Lindenweg  7", postal_code="70180", city="Stuttgart")
    )

    customer.refresh_from_db()
    assert response.status_code == 302
    assert (customer.phone, customer.street, customer.postal_code) == ("+49 711 987654", "Lindenweg 7", "70180")
    assert "Ihre Kontaktdaten sind gespeichert." in customer_client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "7017", "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein"),
        ("postal_code", "", "Bitte geben Sie die Postleitzahl ein."),
        ("street", "Lindenweg", "Bitte geben Sie auch die Hausnummer an"),
        ("phone", "call me maybe", "Bitte geben Sie nur Ziffern, Leerzeichen und die Zeichen"),
        ("email", "not-an-address", "Bitte geben Sie eine gültige E-Mail-Adresse ein"),
        ("city", "", "Bitte geben Sie den Ort ein."),
    ],
)
def test_invalid_contact_data_is_rejected_at_the_field_and_nothing_is_written(
    customer_client: Any, customer: Customer, field: str, value: str, message: str
) -> None:
    response = customer_client.post(
        URL, {**form_data(customer, phone="0711 999", street="Neue Straße 9"), field: value}
    )

    customer.refresh_from_db()
    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'id="error_1_id_{field}"' in response.content.decode()
    assert (customer.phone, customer.street) == ("0711 123456", "Hauptstraße 1")


def test_new_email_needs_the_link_before_it_applies(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(URL, form_data(customer, email="Hilde.Neu@Example.org"))

    customer.refresh_from_db()
    customer.user.refresh_from_db()
    assert response.status_code == 302
    assert customer.user.email == "hildegard@example.org"
    assert customer.pending_email == "hilde.neu@example.org"
    assert mail.outbox[-1].to == ["hilde.neu@example.org"]
    assert "/konto/meine-daten/email-bestaetigen/" in mail.outbox[-1].body
    assert "noch nicht bestätigt" in customer_client.get(URL).content.decode()


def test_the_link_shows_a_button_and_the_post_applies_the_address_to_customer_and_login(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    link = request_email_change(customer_client, customer, "hilde.neu@example.org", django_capture_on_commit_callbacks)

    page = customer_client.get(link)
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(link)

    customer.refresh_from_db()
    customer.user.refresh_from_db()
    assert "E-Mail-Adresse bestätigen" in page.content.decode()
    assert response.status_code == 302
    assert customer.email == customer.user.email == "hilde.neu@example.org"
    assert customer.pending_email == ""
    assert mail.outbox[-1].to == ["hildegard@example.org"]  # the old address is told about the change


def test_a_wrong_token_gives_404_and_changes_nothing(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    request_email_change(customer_client, customer, "hilde.neu@example.org", django_capture_on_commit_callbacks)
    wrong = reverse("customers:confirm_email", args=["not-the-token"])

    get_response = customer_client.get(wrong)
    post_response = customer_client.post(wrong)

    customer.user.refresh_from_db()
    assert (get_response.status_code, post_response.status_code) == (404, 404)
    assert customer.user.email == "hildegard@example.org"


def test_another_customers_token_gives_404(
    client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(customer.user)
    link = request_email_change(client, customer, "hilde.neu@example.org", django_capture_on_commit_callbacks)
    intruder = CustomerFactory()
    client.force_login(intruder.user)

    response = client.post(link)

    customer.user.refresh_from_db()
    intruder.user.refresh_from_db()
    assert response.status_code == 404
    assert customer.user.email == "hildegard@example.org"
    assert intruder.user.email != "hilde.neu@example.org"


def test_an_address_taken_before_confirmation_is_refused_and_nothing_is_written(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    link = request_email_change(customer_client, customer, "hilde.neu@example.org", django_capture_on_commit_callbacks)
    UserFactory(email="hilde.neu@example.org")

    response = customer_client.post(link, follow=True)

    customer.refresh_from_db()
    customer.user.refresh_from_db()
    # neutral at confirmation: the form never told whether the address belongs to another login (no probing)
    assert "Diese E-Mail-Adresse können wir für Ihren Zugang leider nicht übernehmen" in response.content.decode()
    assert customer.user.email == customer.email == "hildegard@example.org"


def test_the_link_expires_after_three_days(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        link = request_email_change(
            customer_client, customer, "hilde.neu@example.org", django_capture_on_commit_callbacks
        )

    with time_machine.travel(datetime.fromisoformat(NOW) + timedelta(days=3, minutes=1), tick=False):
        customer_client.force_login(customer.user)  # sessions last 8 hours
        response = customer_client.post(link, follow=True)

    customer.user.refresh_from_db()
    assert "Dieser Bestätigungslink war nur bis zum 24.11.2026 gültig." in response.content.decode()
    assert customer.user.email == "hildegard@example.org"


def test_entering_the_current_address_again_withdraws_the_pending_change(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    link = request_email_change(customer_client, customer, "hilde.neu@example.org", django_capture_on_commit_callbacks)

    customer_client.post(URL, form_data(customer))

    customer.refresh_from_db()
    assert customer.pending_email == ""
    assert customer_client.get(link).status_code == 404


def test_export_downloads_the_customers_data_as_json(customer_client: Any, customer: Customer) -> None:
    contract = ContractFactory(customer=customer)
    other = ContractFactory()

    response = customer_client.get(reverse("customers:export"))

    data = json.loads(response.content)
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="stadtwerk-meine-daten-')
    assert response["Cache-Control"] == "no-store"
    assert data["customer"]["customer_number"] == customer.customer_number
    assert [row["contract_number"] for row in data["contracts"]] == [contract.contract_number]
    assert other.contract_number not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [URL, "/konto/meine-daten/export.json", "/konto/meine-daten/email-bestaetigen/abc/", "/konto/vertrag/1/umzug/"],
)
def test_agent_gets_403_on_the_new_pages(client: Any, url: str) -> None:
    client.force_login(User.objects.create_user("agent-x@stadtwerk.example", "pw", role="AGENT"))

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


@pytest.mark.parametrize("url", [URL, "/konto/meine-daten/export.json", "/konto/meine-daten/email-bestaetigen/abc/"])
def test_visitor_is_sent_to_login(client: Any, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
