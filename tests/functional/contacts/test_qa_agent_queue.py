"""The call queue over HTTP: a one-click skip for calls the portal knows may not be made, reasons from a fixed list
(QA finding 6), and no score or mood for a call that did not reach the customer (QA finding 8)."""

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
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


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
def without_consent() -> Customer:
    return CustomerFactory(name="Marie Wagner")


@pytest.fixture
def with_consent() -> Customer:
    customer = CustomerFactory(name="Melina Franke")
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
                   now=NOW - timedelta(days=20))  # fmt: skip
    return customer


def task_for(customer: Customer, **fields: Any) -> CallTask:
    values: dict[str, Any] = {"kind": "COURTESY", "topic": "COURTESY_CALL", "due_at": NOW - timedelta(hours=1)}
    values.update(fields)
    return CallTask.objects.create(customer=customer, **values)


def skip_url(task: CallTask) -> str:
    return reverse("contacts:skip_task", args=[task.pk])


# --- one click from the list ---------------------------------------------------------------------------------------


def test_the_list_offers_a_one_click_skip_only_where_the_call_may_not_be_made(
    agent_client: Any, without_consent: Customer, with_consent: Customer
) -> None:
    no_consent = task_for(without_consent)
    task_for(with_consent)
    task_for(without_consent, kind="CALLBACK", topic="BILL")  # asked for by the customer: no consent needed

    page = agent_client.get(reverse("contacts:queue")).content.decode()

    assert page.count('data-testid="skip-known-reason"') == 1
    assert f'action="{skip_url(no_consent)}"' in page
    assert '<input type="hidden" name="reason" value="NO_CONSENT">' in page
    assert "Überspringen: keine Einwilligung" in page


def test_the_one_click_skip_closes_the_open_task_with_the_preset_reason(
    agent_client: Any, agent: User, without_consent: Customer
) -> None:
    task = task_for(without_consent)

    response = agent_client.post(skip_url(task), {"reason": "NO_CONSENT"}, follow=True)

    assert response.redirect_chain == [(reverse("contacts:queue"), 302)]
    assert "Die Aufgabe für Marie Wagner ist übersprungen (Grund: keine Einwilligung)." in response.content.decode()
    task.refresh_from_db()
    assert (task.status, task.skip_reason, task.assignee, task.finished_at) == (
        CallTask.Status.SKIPPED, "keine Einwilligung", agent, NOW,
    )  # fmt: skip
    assert not Touchpoint.objects.filter(customer=without_consent).exists()
    assert not ConsentUse.objects.filter(call_task=task).exists()


def test_a_vulnerable_customer_gets_the_one_click_skip_as_schutzbeduerftig(agent_client: Any) -> None:
    customer = CustomerFactory(is_vulnerable=True)
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
                   now=NOW - timedelta(days=20))  # fmt: skip
    task_for(customer)

    page = agent_client.get(reverse("contacts:queue")).content.decode()

    assert '<input type="hidden" name="reason" value="VULNERABLE">' in page
    assert "Überspringen: schutzbedürftig" in page


def test_a_forged_reason_from_the_list_is_refused_and_the_task_stays_open(
    agent_client: Any, without_consent: Customer
) -> None:
    task = task_for(without_consent)

    response = agent_client.post(skip_url(task), {"reason": "Kundin im Urlaub"}, follow=True)

    assert "Bitte wählen Sie einen Grund aus der Liste." in response.content.decode()
    task.refresh_from_db()
    assert task.status == CallTask.Status.OPEN


def test_a_task_already_skipped_by_a_colleague_is_not_skipped_twice(
    agent_client: Any, without_consent: Customer
) -> None:
    colleague = UserFactory(role=Role.AGENT)
    task = task_for(without_consent, status="SKIPPED", skip_reason="keine Einwilligung", assignee=colleague)

    response = agent_client.post(skip_url(task), {"reason": "NO_CONSENT"}, follow=True)

    assert "Diese Aufgabe ist bereits abgeschlossen." in response.content.decode()
    task.refresh_from_db()
    assert task.assignee == colleague


def test_the_queue_page_still_runs_five_queries_with_one_click_skips(
    agent_client: Any, without_consent: Customer, django_assert_num_queries: Any
) -> None:
    for offset in range(30):
        task_for(without_consent, due_at=NOW + timedelta(minutes=offset))

    with django_assert_num_queries(5):  # session, user, open count, open page, my claimed tasks
        response = agent_client.get(reverse("contacts:queue"))

    assert response.content.decode().count('data-testid="skip-known-reason"') == 25


# --- the work page ---------------------------------------------------------------------------------------------------


def test_the_work_page_offers_the_one_click_skip_and_presets_the_reason(
    agent_client: Any, agent: User, without_consent: Customer
) -> None:
    task = task_for(without_consent, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    page = response.content.decode()
    assert "Überspringen: keine Einwilligung" in page
    assert response.context["skip_form"]["reason"].value() == "NO_CONSENT"


def test_the_work_page_without_a_known_reason_presets_nothing(
    agent_client: Any, agent: User, with_consent: Customer
) -> None:
    task = task_for(with_consent, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    assert response.context["skip_form"]["reason"].value() is None
    assert "Überspringen:" not in response.content.decode()


def test_the_reason_is_a_choice_from_the_list_with_german_labels(
    agent_client: Any, agent: User, with_consent: Customer
) -> None:
    task = task_for(with_consent, status="CLAIMED", assignee=agent, claimed_at=NOW)

    form = agent_client.get(reverse("contacts:work_task", args=[task.pk])).context["skip_form"]

    assert [label for _value, label in form.fields["reason"].choices] == [
        "Bitte wählen", "keine Einwilligung", "schutzbedürftig", "offene Beschwerde", "Kontaktobergrenze erreicht",
        "Kontakt bereits erfolgt", "keine gültige Telefonnummer", "Vertrag gekündigt oder beendet", "Sonstiges",
    ]  # fmt: skip


def test_sonstiges_without_words_is_refused_on_the_work_page(
    agent_client: Any, agent: User, with_consent: Customer
) -> None:
    task = task_for(with_consent, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.post(skip_url(task), {"reason": "OTHER", "detail": " "})

    assert response.status_code == 200
    assert "Bitte beschreiben Sie bei „Sonstiges“ kurz" in response.content.decode()
    task.refresh_from_db()
    assert task.status == CallTask.Status.CLAIMED


# --- not reached: no score, no mood --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "field", "message"),
    [
        ({"would_recommend": "10"}, "would_recommend", "Bitte lassen Sie die Weiterempfehlung leer."),
        ({"sentiment": "POSITIVE"}, "sentiment", "Bitte wählen Sie bei Stimmung „keine Angabe“."),
    ],
)
def test_not_reached_with_a_score_or_a_mood_is_refused_and_nothing_is_written(
    agent_client: Any, agent: User, with_consent: Customer, rating: dict[str, str], field: str, message: str
) -> None:
    task = task_for(with_consent, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.post(
        reverse("contacts:work_task", args=[task.pk]), {"outcome": "NOT_REACHED", "summary": "", **rating}
    )

    assert response.status_code == 200
    assert any(message in error for error in response.context["result_form"].errors[field])
    assert not Touchpoint.objects.filter(customer=with_consent).exists()
    task.refresh_from_db()
    assert task.status == CallTask.Status.CLAIMED


def test_not_reached_without_rating_completes_the_task(agent_client: Any, agent: User, with_consent: Customer) -> None:
    task = task_for(with_consent, status="CLAIMED", assignee=agent, claimed_at=NOW)

    response = agent_client.post(
        reverse("contacts:work_task", args=[task.pk]),
        {"outcome": "NOT_REACHED", "summary": "", "would_recommend": "", "sentiment": ""},
    )

    assert response.status_code == 302
    touchpoint = Touchpoint.objects.get(customer=with_consent)
    assert (touchpoint.outcome, touchpoint.would_recommend, touchpoint.sentiment) == ("NOT_REACHED", None, "")
