"""Courtesy and care rules at their edges (QA round 2, finding 17): a complaint resolved later no longer blocks, an
escalated complaint never resolved blocks however old, and outbound survey calls count toward the contact cap."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from contacts import consents, courtesy
from contacts.models import CallTask, Consent, Topic, Touchpoint
from customers.models import Customer
from tests.factories import CustomerFactory
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 20)  # a Friday
NOW = berlin(2026, 11, 20, 7)


@pytest.fixture
def new_contract(make_tariff: Any, make_contract: Any) -> Any:
    def make() -> Any:
        customer = CustomerFactory()
        consents.grant(
            customer=customer,
            channel=Consent.ConsentChannel.PHONE,
            purpose=Consent.Purpose.ADVERTISING,
            source=Consent.Source.CONTRACT_FORM,
            now=berlin(2026, 11, 1),
        )
        return make_contract(make_tariff(), customer=customer, start_date=AS_OF - timedelta(days=14))

    return make


def touchpoint(customer: Customer, *, at: datetime, topic: str = Topic.COMPLAINT, **fields: Any) -> Touchpoint:
    values: dict[str, Any] = {"channel": "PHONE", "direction": "IN", "outcome": "FOLLOW_UP"}
    values.update(fields)
    return Touchpoint.objects.create(customer=customer, topic=topic, occurred_at=at, **values)


def skip_reason_of(contract: Any) -> str:
    task = CallTask.objects.get(contract=contract)
    return task.skip_reason if task.status == CallTask.Status.SKIPPED else ""


def test_a_complaint_resolved_later_on_the_same_topic_no_longer_blocks(new_contract: Any) -> None:
    resolved = new_contract()
    touchpoint(resolved.customer, at=NOW - timedelta(days=20))
    touchpoint(resolved.customer, at=NOW - timedelta(days=15), outcome="RESOLVED")
    resolved_on_another_topic = new_contract()
    touchpoint(resolved_on_another_topic.customer, at=NOW - timedelta(days=20))
    touchpoint(resolved_on_another_topic.customer, at=NOW - timedelta(days=15), topic=Topic.BILL, outcome="RESOLVED")
    reopened = new_contract()
    touchpoint(reopened.customer, at=NOW - timedelta(days=20), outcome="RESOLVED")
    touchpoint(reopened.customer, at=NOW - timedelta(days=5))

    courtesy.courtesy_calls(as_of=AS_OF, now=NOW)

    assert skip_reason_of(resolved) == ""
    assert skip_reason_of(resolved_on_another_topic) == courtesy.SKIP_COMPLAINT
    assert skip_reason_of(reopened) == courtesy.SKIP_COMPLAINT


def test_an_escalated_complaint_never_resolved_blocks_however_old(new_contract: Any) -> None:
    escalated = new_contract()
    touchpoint(escalated.customer, at=NOW - timedelta(days=100), outcome="ESCALATED")
    escalated_then_resolved = new_contract()
    touchpoint(escalated_then_resolved.customer, at=NOW - timedelta(days=400), outcome="ESCALATED")
    touchpoint(escalated_then_resolved.customer, at=NOW - timedelta(days=300), outcome="RESOLVED")
    old_follow_up = new_contract()
    touchpoint(old_follow_up.customer, at=NOW - timedelta(days=100))

    courtesy.courtesy_calls(as_of=AS_OF, now=NOW)

    assert skip_reason_of(escalated) == courtesy.SKIP_COMPLAINT
    assert skip_reason_of(escalated_then_resolved) == ""
    assert skip_reason_of(old_follow_up) == ""  # not escalated: settled after COMPLAINT_DAYS


def test_a_resolution_after_now_does_not_close_the_complaint_yet(new_contract: Any) -> None:
    contract = new_contract()
    touchpoint(contract.customer, at=NOW - timedelta(days=3))
    touchpoint(contract.customer, at=NOW + timedelta(days=1), outcome="RESOLVED")

    courtesy.courtesy_calls(as_of=AS_OF, now=NOW)

    assert skip_reason_of(contract) == courtesy.SKIP_COMPLAINT


def test_outbound_survey_calls_count_toward_the_contact_cap(new_contract: Any) -> None:
    surveyed = new_contract()
    for days in (20, 8):
        touchpoint(
            surveyed.customer, at=NOW - timedelta(days=days), topic=Topic.SURVEY, direction="OUT", outcome="RESOLVED"
        )
    asked_in = new_contract()  # the customer called us about the survey: no optional contact of ours
    for days in (20, 8):
        touchpoint(
            asked_in.customer, at=NOW - timedelta(days=days), topic=Topic.SURVEY, direction="IN", outcome="RESOLVED"
        )

    courtesy.courtesy_calls(as_of=AS_OF, now=NOW)

    assert skip_reason_of(surveyed) == courtesy.SKIP_CAP
    assert skip_reason_of(asked_in) == ""


def test_the_survey_topic_is_offered_and_labelled_in_german() -> None:
    assert Topic.SURVEY.label == "Zufriedenheitsbefragung"
    assert Topic.SURVEY in courtesy.OPTIONAL_TOPICS
