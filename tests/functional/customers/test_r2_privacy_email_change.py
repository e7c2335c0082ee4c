"""Meine Daten, e-mail change (QA round 2): the form does not reveal which addresses have a login (C#19), and a
link that cannot be used explains what happened instead of a bare „Seite nicht gefunden“ (C#14)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/konto/meine-daten/"
NOW = "2026-11-21 10:00:00+01:00"
NEUTRAL = "Diese E-Mail-Adresse können wir für Ihren Zugang leider nicht übernehmen."


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory(user__email="melina@example.org", phone="0711 123456")


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


def ask_for(client: Any, customer: Customer, new_email: str, capture: Any, **changes: str) -> Any:
    with capture(execute=True):
        return client.post(URL, form_data(customer, email=new_email, **changes), follow=True)


def link_in_last_mail() -> str:
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    return link[1]


def visible_text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"\s+", " ", html)


# --- C#19: no probing of addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize("taken_by", ["CUSTOMER", "AGENT"])
def test_an_address_of_another_login_is_treated_like_any_new_address(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any, taken_by: str
) -> None:
    UserFactory(email="hildegard@example.org", role=taken_by)

    response = ask_for(
        customer_client, customer, "Hildegard@example.org", django_capture_on_commit_callbacks, phone="0711 555"
    )

    customer.refresh_from_db()
    content = response.content.decode()
    assert response.status_code == 200
    assert "Wir haben Ihnen einen Bestätigungslink an hildegard@example.org geschickt." in content
    assert "anderen Zugang" not in content
    assert (customer.pending_email, customer.phone) == ("hildegard@example.org", "0711 555")
    assert mail.outbox[-1].to == ["hildegard@example.org"]


def test_the_answer_for_a_taken_address_is_the_same_as_for_a_free_one(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(email="taken@example.org")
    answers = []
    for new_email in ("taken@example.org", "free@example.org"):
        someone = CustomerFactory()
        client.force_login(someone.user)

        response = ask_for(client, someone, new_email, django_capture_on_commit_callbacks)

        text = visible_text(response).replace(new_email, "ADDRESS").replace(someone.user.email, "OWN")
        for own in (someone.name, someone.customer_number, someone.user.display_name):
            text = text.replace(own, "OWN")
        answers.append((response.status_code, text))

    assert answers[0] == answers[1]


def test_a_conflict_is_resolved_at_confirmation_with_a_neutral_message_and_the_request_withdrawn(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory(email="hildegard@example.org")
    ask_for(customer_client, customer, "hildegard@example.org", django_capture_on_commit_callbacks)
    link = link_in_last_mail()

    response = customer_client.post(link, follow=True)

    customer.refresh_from_db()
    customer.user.refresh_from_db()
    other.refresh_from_db()
    content = response.content.decode()
    assert NEUTRAL in content
    assert "gehört schon zu einem anderen Zugang" not in content
    assert customer.user.email == customer.email == "melina@example.org"
    assert other.email == "hildegard@example.org"
    assert customer.pending_email == ""
    assert 'data-testid="pending-email"' not in content


def test_an_address_taken_between_request_and_confirmation_gets_the_same_neutral_message(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    ask_for(customer_client, customer, "neu@example.org", django_capture_on_commit_callbacks)
    link = link_in_last_mail()
    UserFactory(email="neu@example.org")

    response = customer_client.post(link, follow=True)

    customer.user.refresh_from_db()
    assert NEUTRAL in response.content.decode()
    assert customer.user.email == "melina@example.org"


# --- C#14: links that cannot be used explain themselves -----------------------------------------------------------


def test_a_used_link_says_the_address_is_already_confirmed(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    ask_for(customer_client, customer, "melina.neu@example.org", django_capture_on_commit_callbacks)
    link = link_in_last_mail()
    with django_capture_on_commit_callbacks(execute=True):
        customer_client.post(link)

    again_get = customer_client.get(link)
    again_post = customer_client.post(link)

    assert (again_get.status_code, again_post.status_code) == (200, 200)
    content = visible_text(again_get)
    assert "Ihre E-Mail-Adresse ist schon bestätigt" in content
    assert "<strong>melina.neu@example.org</strong>" in content
    assert "Seite nicht gefunden" not in content


def test_an_expired_link_answers_410_with_what_to_do(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        ask_for(customer_client, customer, "melina.neu@example.org", django_capture_on_commit_callbacks)
    link = link_in_last_mail()

    with time_machine.travel(datetime.fromisoformat(NOW) + timedelta(days=3, minutes=1), tick=False):
        customer_client.force_login(customer.user)  # sessions last 8 hours
        page = customer_client.get(link)
        pressed = customer_client.post(link)

    customer.user.refresh_from_db()
    assert (page.status_code, pressed.status_code) == (410, 410)
    content = visible_text(page)
    assert "Dieser Bestätigungslink war nur bis zum 24.11.2026 gültig." in content
    assert "noch einmal ein; wir schicken Ihnen dann einen neuen Link" in content
    assert customer.user.email == "melina@example.org"


def test_another_customers_link_keeps_404_but_explains_to_log_out(
    client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(customer.user)
    ask_for(client, customer, "melina.neu@example.org", django_capture_on_commit_callbacks)
    link = link_in_last_mail()
    intruder = CustomerFactory()
    client.force_login(intruder.user)

    page = client.get(link)
    pressed = client.post(link)

    intruder.user.refresh_from_db()
    assert (page.status_code, pressed.status_code) == (404, 404)
    content = visible_text(page)
    assert "Dieser Link gehört zu einem anderen Zugang" in content
    assert "melina" not in content  # nothing of the other customer
    assert intruder.user.email != "melina.neu@example.org"


def test_a_replaced_link_keeps_404_and_points_to_the_newest_mail(
    customer_client: Any, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    ask_for(customer_client, customer, "erste@example.org", django_capture_on_commit_callbacks)
    first_link = link_in_last_mail()
    ask_for(customer_client, customer, "zweite@example.org", django_capture_on_commit_callbacks)

    response = customer_client.get(first_link)

    content = visible_text(response)
    assert response.status_code == 404
    assert "Dieser Bestätigungslink gilt nicht (mehr)" in content
    assert "Dann gilt nur der Link aus unserer neuesten E-Mail" in content
    assert "<strong>zweite@example.org</strong>" in content


def test_a_mistyped_link_keeps_404_with_the_explanation(customer_client: Any) -> None:
    response = customer_client.get(reverse("customers:confirm_email", args=["abgeschnitten"]))

    assert response.status_code == 404
    assert "Dieser Bestätigungslink gilt nicht (mehr)" in visible_text(response)
