"""The call queue's services: claiming (one winner, also under a real race), releasing, skipping, completing, and the
consent use recorded when an advertising call is worked; the queue selector's order and query count."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from contacts import consents, queue
from contacts.models import CallTask, Consent, ConsentUse, Touchpoint
from core.models import Role, User
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BERLIN)  # a Friday: advertising calls only Mon–Fri 09–18


def make_task(customer: Customer | None = None, **fields: Any) -> CallTask:
    values: dict[str, Any] = {"kind": CallTask.Kind.COURTESY, "topic": "COURTESY_CALL", "due_at": NOW}
    values.update(fields)
    return CallTask.objects.create(customer=customer or CustomerFactory(), **values)


def grant_phone(customer: Customer, at: datetime = NOW - timedelta(days=30)) -> Consent:
    return consents.grant(
        customer=customer, channel="PHONE", purpose="ADVERTISING", source=Consent.Source.CONTRACT_FORM, now=at
    )


@pytest.fixture
def agent(db: None) -> User:
    return UserFactory(role=Role.AGENT, display_name="Anna", full_name="Anna Kowalski")


@pytest.fixture
def colleague(db: None) -> User:
    return UserFactory(role=Role.AGENT, display_name="Ben")


@pytest.mark.django_db
def test_claiming_an_open_task_gives_it_to_the_agent(agent: User) -> None:
    task = make_task()

    claimed = queue.claim(task_id=task.pk, agent=agent, now=NOW)

    assert (claimed.status, claimed.assignee, claimed.claimed_at) == (CallTask.Status.CLAIMED, agent, NOW)


@pytest.mark.django_db
def test_claiming_a_task_a_colleague_holds_is_refused_with_a_german_message(agent: User, colleague: User) -> None:
    task = make_task()
    queue.claim(task_id=task.pk, agent=colleague, now=NOW)

    with pytest.raises(queue.TaskAlreadyClaimed) as refused:
        queue.claim(task_id=task.pk, agent=agent, now=NOW + timedelta(seconds=1))

    assert str(refused.value) == "Diese Aufgabe hat gerade eine Kollegin oder ein Kollege übernommen."
    task.refresh_from_db()
    assert task.assignee == colleague


@pytest.mark.django_db(transaction=True)
def test_two_agents_claiming_the_same_task_at_the_same_moment_get_exactly_one_winner(
    require_postgres: None,
) -> None:
    agents = [UserFactory(role=Role.AGENT), UserFactory(role=Role.AGENT)]
    tasks = [make_task() for _ in range(10)]
    outcomes: dict[int, list[str]] = {task.pk: [] for task in tasks}
    lock = threading.Lock()

    def claim_all(agent: User, barrier: threading.Barrier) -> None:
        try:
            for task in tasks:
                barrier.wait(timeout=10)
                try:
                    queue.claim(task_id=task.pk, agent=agent, now=NOW)
                    result = f"won:{agent.pk}"
                except queue.TaskAlreadyClaimed:
                    result = "refused"
                with lock:
                    outcomes[task.pk].append(result)
        finally:
            connection.close()  # each thread used its own connection

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=claim_all, args=(agent, barrier)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    for task in tasks:
        task.refresh_from_db()
        results = outcomes[task.pk]
        assert sorted(result.split(":")[0] for result in results) == ["refused", "won"]
        winner = next(result for result in results if result.startswith("won"))
        assert winner == f"won:{task.assignee_id}"


@pytest.mark.django_db
def test_releasing_puts_the_task_back_into_the_open_queue(agent: User) -> None:
    task = make_task()
    queue.claim(task_id=task.pk, agent=agent, now=NOW)

    queue.release(task=task, agent=agent)

    task.refresh_from_db()
    assert (task.status, task.assignee, task.claimed_at) == (CallTask.Status.OPEN, None, None)


@pytest.mark.django_db
def test_only_the_holder_can_release_a_task(agent: User, colleague: User) -> None:
    task = make_task()
    queue.claim(task_id=task.pk, agent=colleague, now=NOW)

    with pytest.raises(queue.TaskNotHeld):
        queue.release(task=task, agent=agent)

    task.refresh_from_db()
    assert task.assignee == colleague


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_skipping_without_a_reason_is_refused_and_writes_nothing(agent: User, reason: str) -> None:
    task = make_task()
    queue.claim(task_id=task.pk, agent=agent, now=NOW)

    with pytest.raises(queue.SkipReasonMissing) as refused:
        queue.skip(task=task, agent=agent, reason=reason, now=NOW)

    assert "Bitte geben Sie einen Grund an" in str(refused.value)
    task.refresh_from_db()
    assert (task.status, task.skip_reason, task.finished_at) == (CallTask.Status.CLAIMED, "", None)


@pytest.mark.django_db
def test_skipping_with_a_reason_closes_the_task_and_keeps_the_reason(agent: User) -> None:
    task = make_task()
    queue.claim(task_id=task.pk, agent=agent, now=NOW)

    queue.skip(task=task, agent=agent, reason=queue.SkipReason.OTHER, detail="  Kundin im   Urlaub ", now=NOW)

    task.refresh_from_db()
    assert (task.status, task.skip_reason, task.finished_at) == (
        CallTask.Status.SKIPPED,
        "Sonstiges: Kundin im Urlaub",
        NOW,
    )


@pytest.mark.django_db
def test_a_task_a_colleague_holds_cannot_be_skipped(agent: User, colleague: User) -> None:
    task = make_task()
    queue.claim(task_id=task.pk, agent=colleague, now=NOW)

    with pytest.raises(queue.TaskNotHeld):
        queue.skip(task=task, agent=agent, reason=queue.SkipReason.ALREADY_IN_CONTACT, now=NOW)

    task.refresh_from_db()
    assert task.status == CallTask.Status.CLAIMED


@pytest.mark.django_db
def test_only_the_assignee_can_complete_the_task(agent: User, colleague: User) -> None:
    task = make_task(kind=CallTask.Kind.CALLBACK, topic="BILL")
    queue.claim(task_id=task.pk, agent=colleague, now=NOW)
    touchpoint = Touchpoint.objects.create(
        customer=task.customer, channel="PHONE", direction="OUT", topic="BILL", outcome="RESOLVED", occurred_at=NOW
    )

    with pytest.raises(queue.TaskNotHeld):
        queue.complete(task=task, agent=agent, touchpoint=touchpoint, now=NOW)
    queue.complete(task=task, agent=colleague, touchpoint=touchpoint, now=NOW)

    task.refresh_from_db()
    assert (task.status, task.result, task.finished_at) == (CallTask.Status.DONE, touchpoint, NOW)


@pytest.mark.django_db
def test_working_a_courtesy_task_records_the_call_and_the_use_of_the_phone_consent(agent: User) -> None:
    task = make_task()
    consent = grant_phone(task.customer)
    queue.claim(task_id=task.pk, agent=agent, now=NOW)

    touchpoint = queue.record_result(
        task=task, agent=agent, now=NOW, outcome="RESOLVED", summary="Wahl bestätigt", would_recommend=9
    )

    task.refresh_from_db()
    assert (task.status, task.result) == (CallTask.Status.DONE, touchpoint)
    assert (touchpoint.channel, touchpoint.direction, touchpoint.topic, touchpoint.agent) == (
        "PHONE",
        "OUT",
        "COURTESY_CALL",
        agent,
    )
    assert touchpoint.would_recommend == 9
    use = ConsentUse.objects.get(consent=consent)
    assert (use.touchpoint, use.call_task, use.used_at) == (touchpoint, task, NOW)


@pytest.mark.django_db
@pytest.mark.parametrize("consent_state", ["none", "withdrawn", "email only"])
def test_a_courtesy_call_without_phone_consent_is_refused_and_writes_nothing(agent: User, consent_state: str) -> None:
    task = make_task()
    if consent_state == "withdrawn":
        grant_phone(task.customer)
        consents.withdraw(customer=task.customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL", now=NOW)
    elif consent_state == "email only":
        consents.grant(customer=task.customer, channel="EMAIL", purpose="ADVERTISING", source="PORTAL", now=NOW)
    queue.claim(task_id=task.pk, agent=agent, now=NOW)

    with pytest.raises(queue.PhoneConsentMissing) as refused:
        queue.record_result(task=task, agent=agent, now=NOW, outcome="RESOLVED", summary="Hallo")

    assert "telefonische Einwilligung" in str(refused.value)
    task.refresh_from_db()
    assert task.status == CallTask.Status.CLAIMED
    assert not Touchpoint.objects.filter(customer=task.customer).exists()
    assert not ConsentUse.objects.filter(consent__customer=task.customer).exists()


@pytest.mark.django_db
def test_a_callback_the_customer_asked_for_needs_no_consent_and_records_no_use(agent: User) -> None:
    task = make_task(kind=CallTask.Kind.CALLBACK, topic="BILL")
    queue.claim(task_id=task.pk, agent=agent, now=NOW)

    touchpoint = queue.record_result(task=task, agent=agent, now=NOW, outcome="RESOLVED", summary="Rechnung erklärt")

    assert touchpoint.topic == "BILL"
    assert not ConsentUse.objects.filter(consent__customer=task.customer).exists()


@pytest.mark.django_db
def test_recording_a_result_for_a_task_someone_else_holds_writes_nothing(agent: User, colleague: User) -> None:
    task = make_task(kind=CallTask.Kind.CALLBACK, topic="BILL")
    queue.claim(task_id=task.pk, agent=colleague, now=NOW)

    with pytest.raises(queue.TaskNotHeld):
        queue.record_result(task=task, agent=agent, now=NOW, outcome="RESOLVED", summary="x")

    assert not Touchpoint.objects.filter(customer=task.customer).exists()


@pytest.mark.django_db
def test_the_queue_lists_due_and_overdue_tasks_first_then_upcoming_and_only_open_ones(agent: User) -> None:
    upcoming = make_task(due_at=NOW + timedelta(days=2))
    overdue = make_task(due_at=NOW - timedelta(days=3))
    due_now = make_task(due_at=NOW)
    claimed = make_task(due_at=NOW - timedelta(days=5))
    queue.claim(task_id=claimed.pk, agent=agent, now=NOW)

    page = queue.get_open_queue(now=NOW)

    assert [entry.task_id for entry in page.entries] == [overdue.pk, due_now.pk, upcoming.pk]
    assert [entry.is_due for entry in page.entries] == [True, True, False]
    assert [entry.task_id for entry in queue.get_claimed_tasks(agent=agent, now=NOW)] == [claimed.pk]


@pytest.mark.django_db
def test_a_queue_entry_carries_the_customer_the_kind_the_vulnerable_flag_and_the_consent(agent: User) -> None:
    customer = CustomerFactory(name="Hildegard Meyer", customer_number="2100002", is_vulnerable=True)
    make_task(customer=customer)

    entry = queue.get_open_queue(now=NOW).entries[0]

    assert (entry.customer_name, entry.customer_number, entry.kind_label, entry.topic_label) == (
        "Hildegard Meyer",
        "2100002",
        "Höflichkeitsanruf",
        "Höflichkeitsanruf",
    )
    assert entry.is_vulnerable
    assert entry.consent_missing


@pytest.mark.django_db
@pytest.mark.parametrize("tasks", [1, 100])
def test_the_queue_runs_two_queries_for_1_or_100_tasks(django_assert_num_queries: Any, tasks: int) -> None:
    customer = CustomerFactory()
    for offset in range(tasks):
        make_task(customer=customer, due_at=NOW + timedelta(minutes=offset))
    grant_phone(customer)

    with django_assert_num_queries(2):
        page = queue.get_open_queue(now=NOW)

    assert page.total == tasks
    assert all(entry.has_phone_consent for entry in page.entries)


@pytest.mark.django_db
def test_the_work_context_has_the_guide_for_the_topic_and_the_customers_key_data(
    agent: User, call_guides: None
) -> None:
    customer = CustomerFactory(name="Melina Franke", phone="0711 2345678")
    task = make_task(customer=customer)
    grant_phone(customer)

    work = queue.get_work_context(task=queue.get_task(task_id=task.pk), as_of=NOW.date())  # type: ignore[arg-type]

    assert work.guide_title == "Höflichkeitsanruf nach Vertragsbeginn"
    assert any("0 bis 10" in step for step in work.guide_steps)
    assert (work.customer_name, work.phone) == ("Melina Franke", "0711 2345678")
    assert [(c.channel_label, c.purpose_label) for c in work.consents_in_force] == [
        ("Telefon", "Angebote, Beratung und Höflichkeitsanrufe")
    ]
    assert not work.consent_missing


@pytest.mark.django_db
def test_withdrawing_the_phone_consent_closes_the_advertising_calls_that_relied_on_it(agent: User) -> None:
    courtesy_task = make_task()
    held = make_task(kind=CallTask.Kind.CARE, customer=courtesy_task.customer)
    callback = make_task(kind=CallTask.Kind.CALLBACK, topic="BILL", customer=courtesy_task.customer)
    grant_phone(courtesy_task.customer)
    queue.claim(task_id=held.pk, agent=agent, now=NOW)

    withdrawn = queue.withdraw_consent(
        customer=courtesy_task.customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL", now=NOW
    )

    assert withdrawn
    for task in (courtesy_task, held):
        task.refresh_from_db()
        assert (task.status, task.skip_reason, task.finished_at) == (
            CallTask.Status.SKIPPED,
            "keine Einwilligung: Einwilligung widerrufen",
            NOW,
        )
    callback.refresh_from_db()
    assert callback.status == CallTask.Status.OPEN  # the customer asked for it: no consent needed


@pytest.mark.django_db
def test_withdrawing_another_consent_leaves_the_calls_alone() -> None:
    task = make_task()
    grant_phone(task.customer)
    consents.grant(customer=task.customer, channel="EMAIL", purpose="ADVERTISING", source="PORTAL", now=NOW)

    queue.withdraw_consent(customer=task.customer, channel="EMAIL", purpose="ADVERTISING", source="PORTAL", now=NOW)

    task.refresh_from_db()
    assert task.status == CallTask.Status.OPEN
