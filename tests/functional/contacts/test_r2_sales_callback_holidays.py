"""Callbacks are refused on public holidays of the utility's state (QA round 2, finding 13), seen on Mon 23.11.2026."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from contacts import forms_agent
from contacts.models import CallTask, Touchpoint
from customers.models import Contract
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)  # a Monday


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agent_client(client: Any) -> Any:
    client.force_login(UserFactory(role="AGENT", display_name="Anna"))
    return client


@pytest.fixture
def contract() -> Contract:
    return ContractFactory()


def _callback(client: Any, contract: Contract, **callback: str) -> Any:
    return client.post(
        reverse("contacts:record_touchpoint", args=[contract.customer_id]),
        {"topic": "BILL", "outcome": "CALLBACK_AGREED", "summary": "Rückruf vereinbart", "channel": "PHONE",
         "direction": "IN", **callback},
    )  # fmt: skip


def test_a_callback_on_christmas_day_is_refused_in_german_and_nothing_is_written(
    agent_client: Any, contract: Contract
) -> None:
    response = _callback(agent_client, contract, follow_up_date="2026-12-25", follow_up_time="10:00")

    assert response.status_code == 400
    assert response.context["form"].errors["follow_up_date"] == [
        "Der 25.12.2026 ist ein Feiertag in Baden-Württemberg (1. Weihnachtstag); an Feiertagen rufen wir nicht an. "
        "Bitte wählen Sie einen anderen Werktag, zum Beispiel den 28.12.2026."
    ]
    assert not Touchpoint.objects.filter(customer=contract.customer).exists()
    assert not CallTask.objects.filter(customer=contract.customer).exists()


def test_epiphany_is_a_holiday_in_baden_wuerttemberg_but_not_in_north_rhine_westphalia(
    agent_client: Any, contract: Contract
) -> None:
    refused = _callback(agent_client, contract, follow_up_date="2027-01-06")
    with override_settings(PUBLIC_HOLIDAY_STATE="NW"):
        planned = _callback(agent_client, contract, follow_up_date="2027-01-06")

    assert refused.status_code == 400
    assert "Heilige Drei Könige" in refused.context["form"].errors["follow_up_date"][0]
    assert planned.status_code == 302
    task = CallTask.objects.get(customer=contract.customer)
    assert task.due_at == datetime(2027, 1, 6, 9, 0, tzinfo=BERLIN)


def test_a_callback_on_an_ordinary_working_day_before_christmas_is_planned(
    agent_client: Any, contract: Contract
) -> None:
    response = _callback(agent_client, contract, follow_up_date="2026-12-23", follow_up_time="14:30")

    assert response.status_code == 302
    task = CallTask.objects.get(customer=contract.customer)
    assert task.due_at == datetime(2026, 12, 23, 14, 30, tzinfo=BERLIN)


def test_the_form_says_that_there_are_no_callbacks_on_holidays(agent_client: Any, contract: Contract) -> None:
    page = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id])).content.decode()

    assert "nicht an Feiertagen" in page


@override_settings(PUBLIC_HOLIDAY_STATE="Schwaben")
def test_an_unknown_holiday_state_fails_loudly_with_the_setting_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_HOLIDAY_STATE"):
        forms_agent.holiday_state()
