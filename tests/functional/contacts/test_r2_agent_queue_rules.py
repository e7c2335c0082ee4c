"""The call queue applies the rules of optional calls when a call is worked (QA round 2, finding 13): an open
complaint or a reached contact cap is offered as a one-click skip on the list and the work page, and an advertising
call cannot be recorded outside the call window (Mon–Fri 09:00–18:00 Berlin)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contacts import consents, queue
from contacts.models import CallTask, Touchpoint
from core.models import Role, User
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def agent() -> User:
    user: User = UserFactory(role=Role.AGENT, display_name="Anna")
    return user


@pytest.fixture
def agent_client(client: Any, agent: User) -> Any:
    """The client of the agent, logged in whenever the test travels to (the session expires after 8 hours)."""
    return client


@contextmanager
def at(now: datetime, client: Any, agent: User) -> Iterator[None]:
    with time_machine.travel(now, tick=False):
        client.force_login(agent)
        yield


@pytest.fixture
def customer() -> Customer:
    customer: Customer = CustomerFactory(name="QA A")
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
                   now=MONDAY - timedelta(days=30))  # fmt: skip
    return customer


def courtesy_task(customer: Customer, **fields: Any) -> CallTask:
    values: dict[str, Any] = {"kind": "COURTESY", "topic": "COURTESY_CALL", "due_at": MONDAY - timedelta(hours=1)}
    values.update(fields)
    return CallTask.objects.create(customer=customer, **values)


def complaint(customer: Customer, *, at: datetime, outcome: str = "ESCALATED") -> Touchpoint:
    return Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="IN", topic="COMPLAINT", outcome=outcome, occurred_at=at,
        summary="Beschwerde über Zählerwechsel",
    )  # fmt: skip


def survey_call(customer: Customer, *, at: datetime) -> Touchpoint:
    return Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="OUT", topic="SURVEY", outcome="RESOLVED", occurred_at=at,
        summary="Zufriedenheitsbefragung",
    )  # fmt: skip


# --- the list --------------------------------------------------------------------------------------------------------


def test_a_courtesy_call_with_an_open_complaint_is_offered_as_a_one_click_skip(
    agent_client: Any, customer: Customer, agent: User
) -> None:
    task = courtesy_task(customer)
    complaint(customer, at=MONDAY - timedelta(days=1))

    with at(MONDAY, agent_client, agent):
        page = agent_client.get(reverse("contacts:queue")).content.decode()
        response = agent_client.post(reverse("contacts:skip_task", args=[task.pk]), {"reason": "COMPLAINT"})

    assert "offene Beschwerde</span>" in page
    assert 'value="COMPLAINT"' in page
    assert "Überspringen: offene Beschwerde" in page
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.skip_reason) == ("SKIPPED", "offene Beschwerde")


def test_a_courtesy_call_beyond_the_contact_cap_is_offered_as_a_one_click_skip(
    agent_client: Any, customer: Customer, agent: User
) -> None:
    courtesy_task(customer)
    survey_call(customer, at=MONDAY - timedelta(days=20))
    survey_call(customer, at=MONDAY - timedelta(days=5))

    with at(MONDAY, agent_client, agent):
        page = agent_client.get(reverse("contacts:queue")).content.decode()

    assert "Kontaktobergrenze erreicht</span>" in page
    assert 'value="CONTACT_CAP"' in page


def test_a_callback_the_customer_asked_for_is_not_held_back_by_a_complaint(
    agent_client: Any, customer: Customer, agent: User
) -> None:
    courtesy_task(customer, kind="CALLBACK", topic="COMPLAINT")

    with at(MONDAY, agent_client, agent):
        page = agent_client.get(reverse("contacts:queue")).content.decode()

    assert "skip-known-reason" not in page


def test_two_planned_calls_do_not_block_each_other_and_the_list_runs_the_same_queries(
    agent_client: Any, customer: Customer, agent: User, django_assert_num_queries: Any
) -> None:
    courtesy_task(customer)
    courtesy_task(customer, kind="CARE", topic="PRICE_CHANGE")
    courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=MONDAY)

    with at(MONDAY, agent_client, agent), django_assert_num_queries(5):
        page = agent_client.get(reverse("contacts:queue")).content.decode()

    assert "skip-known-reason" not in page
    assert "call-window-closed" not in page


def test_the_list_says_when_the_call_window_is_closed(agent_client: Any, customer: Customer, agent: User) -> None:
    courtesy_task(customer)

    with at(datetime(2026, 11, 21, 18, 58, tzinfo=BERLIN), agent_client, agent):
        page = agent_client.get(reverse("contacts:queue")).content.decode()

    assert 'data-testid="call-window-closed"' in page


# --- the work page and recording the call ----------------------------------------------------------------------------


def test_the_work_page_offers_the_skip_for_an_open_complaint(
    agent_client: Any, customer: Customer, agent: User
) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=MONDAY)
    complaint(customer, at=MONDAY - timedelta(days=100))  # escalated: open however old

    with at(MONDAY, agent_client, agent):
        response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    assert response.context["work"].known_skip_reason == queue.SkipReason.COMPLAINT
    assert response.context["skip_form"].initial["reason"] == queue.SkipReason.COMPLAINT
    assert "Überspringen: offene Beschwerde" in response.content.decode()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 21, 18, 58, tzinfo=BERLIN),  # Saturday evening (the QA case)
        datetime(2026, 11, 22, 11, 0, tzinfo=BERLIN),  # Sunday
        datetime(2026, 11, 23, 8, 59, tzinfo=BERLIN),  # Monday before 9
        datetime(2026, 11, 23, 18, 31, tzinfo=BERLIN),  # Monday after 18:00 and the grace for the note
    ],
)
def test_an_advertising_call_is_not_recorded_outside_the_call_window(
    agent_client: Any, customer: Customer, agent: User, now: datetime
) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=now - timedelta(minutes=5))

    with at(now, agent_client, agent):
        response = agent_client.post(
            reverse("contacts:work_task", args=[task.pk]), {"outcome": "RESOLVED", "summary": "Wahl bestätigt"}
        )

    assert response.status_code == 200
    assert "nur montags bis freitags von 9 bis 18 Uhr erlaubt" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "CLAIMED"
    assert not Touchpoint.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN),
        datetime(2026, 11, 27, 17, 59, tzinfo=BERLIN),
        datetime(2026, 11, 27, 18, 20, tzinfo=BERLIN),  # the note of a call begun before 18:00
    ],
)
def test_an_advertising_call_is_recorded_in_the_call_window(
    agent_client: Any, customer: Customer, agent: User, now: datetime
) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=now - timedelta(minutes=5))

    with at(now, agent_client, agent):
        response = agent_client.post(
            reverse("contacts:work_task", args=[task.pk]), {"outcome": "RESOLVED", "summary": "Wahl bestätigt"}
        )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "DONE"


def test_a_callback_may_be_recorded_outside_the_call_window(
    agent_client: Any, customer: Customer, agent: User
) -> None:
    saturday = datetime(2026, 11, 21, 18, 58, tzinfo=BERLIN)
    task = courtesy_task(
        customer, kind="CALLBACK", topic="BILL", status="CLAIMED", assignee=agent, claimed_at=saturday
    )

    with at(saturday, agent_client, agent):
        response = agent_client.post(
            reverse("contacts:work_task", args=[task.pk]), {"outcome": "RESOLVED", "summary": "Rechnung erklärt"}
        )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "DONE"
