"""QA round 2, finding 13: sessions end with the browser and after 30 idle minutes, and an expired form says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from core.models import Role
from customers.models import Contract, MeterReading
from tests.factories import PASSWORD, ContractFactory, MeterReadingFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.get_fixed_timezone(60))
EXPIRED_FORM = "Ihre Sitzung ist abgelaufen, deshalb haben wir Ihre Eingaben nicht gespeichert."
EXPIRED_PAGE = "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."


@pytest.fixture(autouse=True)
def idle_timeout_of_production(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30  # the test settings switch the idle logout off for other tests


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def contract() -> Contract:
    contract = ContractFactory()
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    return contract


@pytest.fixture
def customer_client(client: Any, contract: Contract, clock: Any) -> Any:
    client.force_login(contract.customer.user)
    return client


def reading_url(contract: Contract) -> str:
    return reverse("customers:submit_reading", args=[contract.pk])


def submit_reading(client: Any, contract: Contract, **kwargs: Any) -> Any:
    return client.post(reading_url(contract), {"value": "15.500", "read_date": "20.11.2026"}, **kwargs)


def new_readings(contract: Contract) -> int:
    return MeterReading.objects.filter(contract=contract, read_date=date(2026, 11, 20)).count()


def test_the_login_cookie_ends_with_the_browser(client: Any, make_user: Any) -> None:
    user = make_user()

    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert response.status_code == 302
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_a_reading_sent_within_the_idle_time_is_saved(customer_client: Any, contract: Contract, clock: Any) -> None:
    clock.shift(timedelta(minutes=29))

    response = submit_reading(customer_client, contract)

    assert response.status_code in {200, 302}
    assert not response.get("Location", "").startswith(reverse("login"))
    assert new_readings(contract) == 1


def test_a_reading_sent_after_30_idle_minutes_is_not_saved_and_the_login_page_says_so(
    customer_client: Any, contract: Contract, clock: Any
) -> None:
    clock.shift(timedelta(minutes=31))

    response = submit_reading(customer_client, contract, follow=True)

    assert response.redirect_chain[0] == (f"{reverse('login')}?next={quote(reading_url(contract))}", 302)
    assert EXPIRED_FORM in response.content.decode()
    assert "Ihre Angaben noch einmal absenden" in response.content.decode()
    assert new_readings(contract) == 0
    assert "_auth_user_id" not in customer_client.session


def test_after_logging_in_again_the_customer_is_back_on_the_form(
    customer_client: Any, contract: Contract, clock: Any
) -> None:
    clock.shift(timedelta(minutes=31))
    submit_reading(customer_client, contract)

    response = customer_client.post(
        reverse("login"),
        {"username": contract.customer.user.email, "password": PASSWORD, "next": reading_url(contract)},
    )

    assert response.status_code == 302
    assert response["Location"] == reading_url(contract)


def test_a_session_the_server_has_expired_also_explains_the_lost_form(
    customer_client: Any, contract: Contract
) -> None:
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))

    response = submit_reading(customer_client, contract, follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login") + "?next=")
    assert EXPIRED_FORM in response.content.decode()
    assert new_readings(contract) == 0


def test_activity_keeps_the_session_alive_beyond_30_minutes(
    customer_client: Any, contract: Contract, clock: Any
) -> None:
    for _step in range(4):
        clock.shift(timedelta(minutes=20))
        assert customer_client.get(reverse("customers:home")).status_code == 200

    response = submit_reading(customer_client, contract)

    assert not response.get("Location", "").startswith(reverse("login"))
    assert new_readings(contract) == 1


def test_opening_a_page_after_the_idle_time_asks_to_log_in_again(
    customer_client: Any, contract: Contract, clock: Any
) -> None:
    clock.shift(timedelta(minutes=45))

    response = customer_client.get(reverse("customers:contract", args=[contract.pk]), follow=True)

    page = response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("login") + "?next=")
    assert EXPIRED_PAGE in page
    assert EXPIRED_FORM not in page


def test_the_idle_time_is_configurable(customer_client: Any, contract: Contract, clock: Any, settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    clock.shift(timedelta(minutes=6))

    response = submit_reading(customer_client, contract)

    assert response["Location"].startswith(reverse("login"))
    assert new_readings(contract) == 0


def test_an_htmx_request_after_expiry_sends_the_whole_page_to_the_login(
    customer_client: Any, contract: Contract, clock: Any
) -> None:
    clock.shift(timedelta(minutes=31))
    url = reverse("customers:change_advance", args=[contract.pk])

    response = customer_client.get(url, {"amount_eur": "80"}, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")


def test_logging_out_shows_no_expiry_message(customer_client: Any, clock: Any) -> None:
    clock.shift(timedelta(minutes=31))

    response = customer_client.post(reverse("logout"), follow=True)

    assert response.status_code == 200
    assert "Sitzung ist abgelaufen" not in response.content.decode()


def test_staff_are_not_logged_out_when_idle(client: Any, make_user: Any, clock: Any) -> None:
    client.force_login(make_user(role=Role.AGENT))
    clock.shift(timedelta(hours=2))

    response = client.get(reverse("contacts:home"))

    assert response.status_code == 200


def test_a_visitor_without_a_session_sees_no_expiry_message(client: Any, contract: Contract) -> None:
    response = submit_reading(client, contract, follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login") + "?next=")
    assert "Sitzung ist abgelaufen" not in response.content.decode()
