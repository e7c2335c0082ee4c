"""Courtesy calls: consent (and its use recorded), the contact cap, vulnerable customers, open complaints, the call
window across DST changes, and idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from contacts import consents, courtesy
from contacts.models import CallTask, Consent, ConsentUse, Topic, Touchpoint
from tests.factories import CustomerFactory
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 20)  # a Friday
NOW = berlin(2026, 11, 20, 7)
STARTED = AS_OF - timedelta(days=14)


def run(as_of: date = AS_OF, now: datetime = NOW) -> dict[str, Any]:
    return courtesy.courtesy_calls(as_of=as_of, now=now)


def with_phone_consent(customer: Any) -> Consent:
    return consents.grant(
        customer=customer,
        channel=Consent.ConsentChannel.PHONE,
        purpose=Consent.Purpose.ADVERTISING,
        source=Consent.Source.CONTRACT_FORM,
        now=berlin(2026, 11, 1),
    )


@pytest.fixture
def new_contract(make_tariff: Any, make_contract: Any) -> Any:
    def make(*, consent: bool = True, started: date = STARTED, **customer_fields: Any) -> Any:
        customer = CustomerFactory(**customer_fields)
        if consent:
            with_phone_consent(customer)
        return make_contract(make_tariff(), customer=customer, start_date=started)

    return make


def test_a_new_contract_with_phone_consent_gets_a_courtesy_call_in_the_call_window(
    new_contract: Any, call_guides: None
) -> None:
    contract = new_contract()

    result = run()

    assert result == {"job": "courtesy_calls", "created": 1, "already_done": 0, "skipped": {}}
    task = CallTask.objects.get(source_key=f"courtesy:contract:{contract.pk}")
    assert (task.kind, task.topic, task.status) == (CallTask.Kind.COURTESY, Topic.COURTESY_CALL, CallTask.Status.OPEN)
    assert task.customer == contract.customer
    assert task.contract == contract
    assert task.due_at == berlin(2026, 11, 20, 9)
    assert task.guide is not None
    assert task.guide.topic == Topic.COURTESY_CALL


def test_planning_the_call_records_the_use_of_the_consent(new_contract: Any) -> None:
    contract = new_contract()

    run()

    task = CallTask.objects.get(contract=contract)
    use = ConsentUse.objects.get(call_task=task)
    assert use.consent.customer == contract.customer
    assert use.consent.channel == Consent.ConsentChannel.PHONE
    assert use.used_at == NOW


def test_only_contracts_started_14_to_30_days_ago_are_taken(new_contract: Any) -> None:
    too_new = new_contract(started=AS_OF - timedelta(days=13))
    oldest = new_contract(started=AS_OF - timedelta(days=30))
    too_old = new_contract(started=AS_OF - timedelta(days=31))

    run()

    assert set(CallTask.objects.values_list("contract_id", flat=True)) == {oldest.pk}
    assert not CallTask.objects.filter(contract__in=[too_new, too_old]).exists()


def test_without_consent_the_call_is_skipped_with_its_reason(new_contract: Any) -> None:
    without = new_contract(consent=False)
    withdrawn = new_contract()
    consents.withdraw(
        customer=withdrawn.customer,
        channel=Consent.ConsentChannel.PHONE,
        purpose=Consent.Purpose.ADVERTISING,
        source=Consent.Source.PORTAL,
        now=berlin(2026, 11, 10),
    )

    result = run()

    assert result["skipped"] == {courtesy.SKIP_NO_CONSENT: 2}
    for contract in (without, withdrawn):
        task = CallTask.objects.get(source_key=f"courtesy:contract:{contract.pk}")
        assert (task.status, task.skip_reason) == (CallTask.Status.SKIPPED, "keine Einwilligung")
    assert not ConsentUse.objects.exists()


def test_the_contact_cap_skips_a_third_optional_contact_within_90_days(new_contract: Any) -> None:
    capped = new_contract()
    CallTask.objects.create(
        customer=capped.customer,
        kind=CallTask.Kind.WIN_BACK,
        due_at=NOW - timedelta(days=80),
        status=CallTask.Status.DONE,
        finished_at=NOW - timedelta(days=80),
    )
    Touchpoint.objects.create(
        customer=capped.customer,
        channel="PHONE",
        direction="OUT",
        topic=Topic.COURTESY_CALL,
        outcome="RESOLVED",
        occurred_at=NOW - timedelta(days=10),
    )
    earlier = new_contract()
    CallTask.objects.create(
        customer=earlier.customer,
        kind=CallTask.Kind.CARE,
        due_at=NOW - timedelta(days=91),
        status=CallTask.Status.DONE,
        finished_at=NOW - timedelta(days=91),
    )
    CallTask.objects.create(
        customer=earlier.customer,
        kind=CallTask.Kind.COURTESY,
        due_at=NOW - timedelta(days=5),
        status=CallTask.Status.SKIPPED,
        skip_reason="nicht erreicht",
    )

    result = run()

    assert result["created"] == 1
    assert result["skipped"] == {courtesy.SKIP_CAP: 1}
    assert CallTask.objects.get(contract=capped).skip_reason == "Kontaktobergrenze erreicht"
    assert CallTask.objects.get(contract=earlier).status == CallTask.Status.OPEN


def test_two_new_contracts_of_one_customer_count_against_the_cap_together(
    make_tariff: Any, make_contract: Any
) -> None:
    customer = CustomerFactory()
    with_phone_consent(customer)
    CallTask.objects.create(
        customer=customer, kind=CallTask.Kind.CARE, due_at=NOW - timedelta(days=3), status=CallTask.Status.DONE
    )
    make_contract(make_tariff(), customer=customer, start_date=STARTED)
    make_contract(make_tariff(), customer=customer, start_date=STARTED)

    result = run()

    assert result["created"] == 1
    assert result["skipped"] == {courtesy.SKIP_CAP: 1}


def test_vulnerable_customers_get_no_courtesy_call(new_contract: Any) -> None:
    contract = new_contract(is_vulnerable=True)

    result = run()

    assert result["skipped"] == {courtesy.SKIP_VULNERABLE: 1}
    assert CallTask.objects.get(contract=contract).skip_reason == "schutzbedürftig"


def test_an_open_complaint_blocks_the_call_and_a_resolved_one_does_not(new_contract: Any) -> None:
    open_complaint = new_contract()
    resolved = new_contract()
    complaint_task = new_contract()
    for contract, outcome in ((open_complaint, "FOLLOW_UP"), (resolved, "RESOLVED")):
        Touchpoint.objects.create(
            customer=contract.customer,
            channel="PHONE",
            direction="IN",
            topic=Topic.COMPLAINT,
            outcome=outcome,
            occurred_at=NOW - timedelta(days=20),
        )
    CallTask.objects.create(
        customer=complaint_task.customer,
        kind=CallTask.Kind.CALLBACK,
        topic=Topic.COMPLAINT,
        due_at=NOW + timedelta(days=1),
    )

    result = run()

    assert result["skipped"] == {courtesy.SKIP_COMPLAINT: 2}
    assert CallTask.objects.get(contract=open_complaint).skip_reason == "offene Beschwerde"
    assert CallTask.objects.get(contract=complaint_task).skip_reason == "offene Beschwerde"
    assert CallTask.objects.get(contract=resolved).status == CallTask.Status.OPEN


def test_running_the_job_again_creates_nothing(new_contract: Any) -> None:
    new_contract()
    new_contract(consent=False)
    first = run()

    second = run(now=NOW + timedelta(hours=1))

    assert (first["created"], first["skipped"]) == (1, {courtesy.SKIP_NO_CONSENT: 1})
    assert second == {"job": "courtesy_calls", "created": 0, "already_done": 2, "skipped": {}}
    assert CallTask.objects.count() == 2
    assert ConsentUse.objects.count() == 1


def test_a_contract_with_a_courtesy_task_planned_elsewhere_gets_no_second_one(new_contract: Any) -> None:
    contract = new_contract()
    CallTask.objects.create(
        customer=contract.customer, contract=contract, kind=CallTask.Kind.COURTESY, due_at=NOW, source_key="demo:1"
    )

    result = run()

    assert result == {"job": "courtesy_calls", "created": 0, "already_done": 1, "skipped": {}}
    assert CallTask.objects.filter(contract=contract).count() == 1


def test_the_delay_is_a_setting(new_contract: Any, settings: Any) -> None:
    settings.COURTESY_CALL_DELAY_DAYS = 7
    contract = new_contract(started=AS_OF - timedelta(days=7))

    run()

    assert CallTask.objects.filter(contract=contract).exists()


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (berlin(2026, 11, 20, 7), berlin(2026, 11, 20, 9)),  # Friday morning: today at nine
        (berlin(2026, 11, 20, 12), berlin(2026, 11, 20, 12)),  # inside the window: now
        (berlin(2026, 11, 20, 17, 45), berlin(2026, 11, 20, 17, 45)),  # a quarter of an hour left: now
        (berlin(2026, 11, 20, 17, 59), berlin(2026, 11, 23, 9)),  # Friday 17:59: Monday at nine
        (berlin(2026, 11, 21, 10), berlin(2026, 11, 23, 9)),  # Saturday: Monday
        (berlin(2026, 11, 23, 18, 30), berlin(2026, 11, 24, 9)),  # Monday evening: Tuesday
        (berlin(2026, 12, 24, 17, 59), berlin(2026, 12, 28, 9)),  # Christmas Eve: after the two holidays and Sunday
        (berlin(2026, 12, 25, 10), berlin(2026, 12, 28, 9)),  # a public holiday (Baden-Württemberg): no calls
    ],
)
def test_calls_are_due_in_the_next_call_window(now: datetime, due: datetime) -> None:
    assert courtesy.next_call_window(now) == due


def test_the_call_window_is_nine_o_clock_berlin_time_across_the_autumn_clock_change() -> None:
    friday_evening = berlin(2026, 10, 23, 17, 59)  # CEST, UTC+2; clocks go back on Sunday 25 October

    due = courtesy.next_call_window(friday_evening)

    assert due == berlin(2026, 10, 26, 9)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # CET, UTC+1


def test_the_call_window_is_nine_o_clock_berlin_time_across_the_spring_clock_change() -> None:
    thursday_evening = berlin(2027, 3, 25, 17, 59)  # CET; clocks go forward on Sunday 28 March (Easter)

    due = courtesy.next_call_window(thursday_evening.astimezone(UTC))

    # Good Friday and Easter Monday are public holidays: the next window opens on Tuesday, 09:00 CEST
    assert due.astimezone(UTC) == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
