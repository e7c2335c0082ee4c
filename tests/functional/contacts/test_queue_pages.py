"""The call queue pages: list, claim, work with the guide beside the customer's data, record the result, skip."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contacts import consents
from contacts.models import CallTask, ConsentUse, Touchpoint
from core.models import Role, User
from customers.models import Customer
from tests.factories import ContractFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BERLIN)  # a Friday: advertising calls only Mon–Fri 09–18


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, display_name="Anna")


@pytest.fixture
def agent_client(client: Any, agent: User) -> Any:
    client.force_login(agent)
    return client


@pytest.fixture
def customer() -> Customer:
    contract = ContractFactory(customer__name="Melina Franke", customer__customer_number="2100001")
    consents.grant(customer=contract.customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
                   now=NOW - timedelta(days=20))  # fmt: skip
    return contract.customer


def courtesy_task(customer: Customer, **fields: Any) -> CallTask:
    values: dict[str, Any] = {"kind": "COURTESY", "topic": "COURTESY_CALL", "due_at": NOW - timedelta(hours=1)}
    values.update(fields)
    return CallTask.objects.create(customer=customer, **values)


def test_the_queue_lists_open_tasks_with_a_claim_button(agent_client: Any, customer: Customer) -> None:
    courtesy_task(customer)

    response = agent_client.get(reverse("contacts:queue"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Melina Franke" in content
    assert "Übernehmen" in content
    assert "Sie bearbeiten gerade keine Aufgabe." in content


def test_claiming_leads_to_the_work_page_with_the_guide_and_the_customers_data(
    agent_client: Any, agent: User, customer: Customer, call_guides: None
) -> None:
    task = courtesy_task(customer)

    response = agent_client.post(reverse("contacts:claim_task", args=[task.pk]), follow=True)

    assert response.redirect_chain == [(reverse("contacts:work_task", args=[task.pk]), 302)]
    content = response.content.decode()
    assert "Höflichkeitsanruf nach Vertragsbeginn" in content
    assert "Weiterempfehlung erfragen" in content
    assert "Melina Franke" in content
    assert "2100001" in content
    assert "Telefon: Angebote, Beratung und Höflichkeitsanrufe" in content
    task.refresh_from_db()
    assert task.assignee == agent


def test_claiming_a_task_a_colleague_just_took_shows_the_german_message(agent_client: Any, customer: Customer) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=UserFactory(role=Role.AGENT))

    response = agent_client.post(reverse("contacts:claim_task", args=[task.pk]), follow=True)

    assert response.redirect_chain == [(reverse("contacts:queue"), 302)]
    assert "Diese Aufgabe hat gerade eine Kollegin oder ein Kollege übernommen." in response.content.decode()


def test_claiming_an_unknown_task_gives_404(agent_client: Any) -> None:
    response = agent_client.post(reverse("contacts:claim_task", args=[999999]))

    assert response.status_code == 404


def test_the_work_page_of_a_task_held_by_a_colleague_sends_back_to_the_queue(
    agent_client: Any, customer: Customer
) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=UserFactory(role=Role.AGENT))

    get_response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))
    post_response = agent_client.post(
        reverse("contacts:work_task", args=[task.pk]), {"outcome": "RESOLVED", "summary": "x"}
    )

    assert get_response.status_code == post_response.status_code == 302
    assert not Touchpoint.objects.filter(customer=customer).exists()


def test_recording_the_result_completes_the_task_and_records_the_consent_use(
    agent_client: Any, agent: User, customer: Customer
) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.post(
        reverse("contacts:work_task", args=[task.pk]),
        {"outcome": "RESOLVED", "summary": "Wahl bestätigt, keine Fragen.", "would_recommend": "9",
         "sentiment": "POSITIVE", "duration_minutes": "4"},
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:queue")
    task.refresh_from_db()
    touchpoint = Touchpoint.objects.get(customer=customer)
    assert (task.status, task.result) == (CallTask.Status.DONE, touchpoint)
    assert (touchpoint.would_recommend, touchpoint.sentiment, touchpoint.duration_seconds) == (9, "POSITIVE", 240)
    assert ConsentUse.objects.filter(touchpoint=touchpoint, call_task=task).count() == 1
    queue_page = agent_client.get(reverse("contacts:queue")).content.decode()
    assert "Keine offenen Aufgaben" in queue_page


def test_a_score_above_10_is_refused_at_the_field_and_nothing_is_written(
    agent_client: Any, agent: User, customer: Customer
) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.post(
        reverse("contacts:work_task", args=[task.pk]), {"outcome": "RESOLVED", "summary": "x", "would_recommend": "11"}
    )

    assert response.status_code == 200
    assert "Bitte geben Sie eine ganze Zahl von 0 bis 10 ein." in response.content.decode()
    assert not Touchpoint.objects.filter(customer=customer).exists()


def test_a_courtesy_call_without_phone_consent_is_refused_with_the_reason(agent_client: Any, agent: User) -> None:
    customer = CustomerFactory()
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=NOW)

    page = agent_client.get(reverse("contacts:work_task", args=[task.pk])).content.decode()
    response = agent_client.post(
        reverse("contacts:work_task", args=[task.pk]), {"outcome": "RESOLVED", "summary": "x"}
    )

    assert "Keine telefonische Einwilligung" in page
    assert response.status_code == 200
    assert "fehlt die telefonische Einwilligung" in response.content.decode()
    assert not Touchpoint.objects.filter(customer=customer).exists()


def test_skipping_without_a_reason_shows_the_german_message_and_changes_nothing(
    agent_client: Any, agent: User, customer: Customer
) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.post(reverse("contacts:skip_task", args=[task.pk]), {"reason": ""})

    assert response.status_code == 200
    assert "Bitte geben Sie einen Grund an, warum Sie die Aufgabe überspringen." in response.content.decode()
    task.refresh_from_db()
    assert task.status == CallTask.Status.CLAIMED


def test_skipping_with_a_reason_closes_the_task(agent_client: Any, agent: User, customer: Customer) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.post(
        reverse("contacts:skip_task", args=[task.pk]), {"reason": "OTHER", "detail": "Kundin im Urlaub"}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.skip_reason) == (CallTask.Status.SKIPPED, "Sonstiges: Kundin im Urlaub")


def test_releasing_puts_the_task_back_into_the_list(agent_client: Any, agent: User, customer: Customer) -> None:
    task = courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=NOW)

    agent_client.post(reverse("contacts:release_task", args=[task.pk]))

    task.refresh_from_db()
    assert (task.status, task.assignee) == (CallTask.Status.OPEN, None)


@pytest.mark.parametrize("tasks", [1, 100])
def test_the_queue_page_runs_the_same_queries_for_1_or_100_tasks(
    agent_client: Any, agent: User, customer: Customer, django_assert_num_queries: Any, tasks: int
) -> None:
    for offset in range(tasks):
        courtesy_task(customer, due_at=NOW + timedelta(minutes=offset))
    courtesy_task(customer, status="CLAIMED", assignee=agent, claimed_at=NOW)

    with django_assert_num_queries(5):  # session, user, open count, open page, my claimed tasks
        response = agent_client.get(reverse("contacts:queue"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.SALES])
def test_customers_and_sales_get_403_on_the_queue(client: Any, role: str, customer: Customer) -> None:
    task = courtesy_task(customer)
    client.force_login(UserFactory(role=role))

    responses = [
        client.get(reverse("contacts:queue")),
        client.post(reverse("contacts:claim_task", args=[task.pk])),
        client.get(reverse("contacts:work_task", args=[task.pk])),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    task.refresh_from_db()
    assert task.status == CallTask.Status.OPEN
