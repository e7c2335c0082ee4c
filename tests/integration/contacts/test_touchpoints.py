"""record_touchpoint: the contact, interests, a callback task and a consent captured on the phone, all or nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import consents, touchpoints
from contacts.models import CallTask, Consent, Interest, Touchpoint
from customers.models import Contract
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def contract() -> Contract:
    return ContractFactory()


@pytest.fixture
def agent() -> Any:
    return UserFactory(role="AGENT", display_name="Anna")


def record(for_contract: Contract, agent: Any, **overrides: Any) -> Touchpoint:
    fields: dict[str, Any] = {
        "customer": for_contract.customer,
        "agent": agent,
        "channel": "PHONE",
        "direction": "IN",
        "topic": "PRICE_BRAKE",
        "outcome": "RESOLVED",
        "summary": "  Preisbremse erklärt  ",
        "occurred_at": NOW,
        **overrides,
    }
    return touchpoints.record_touchpoint(**fields)


def test_a_call_is_recorded_with_its_details(contract: Contract, agent: Any) -> None:
    touchpoint = record(
        contract, agent, contract=contract, duration_seconds=240, sentiment="POSITIVE", would_recommend=9
    )

    touchpoint.refresh_from_db()
    assert touchpoint.customer_id == contract.customer_id
    assert touchpoint.contract_id == contract.pk
    assert touchpoint.agent == agent
    assert touchpoint.summary == "Preisbremse erklärt"
    assert (touchpoint.topic, touchpoint.outcome, touchpoint.would_recommend) == ("PRICE_BRAKE", "RESOLVED", 9)
    assert touchpoint.occurred_at == NOW
    assert touchpoint.duration_seconds == 240


def test_interests_are_added_once_and_keep_their_first_note(contract: Contract, agent: Any) -> None:
    first = record(contract, agent, interests=["PV"])

    second = record(contract, agent, interests=["PV", "HEAT_PUMP"], occurred_at=NOW + timedelta(days=3))

    interests = {interest.kind: interest for interest in Interest.objects.filter(customer=contract.customer)}
    assert set(interests) == {"PV", "HEAT_PUMP"}
    assert interests["PV"].touchpoint_id == first.pk
    assert interests["PV"].noted_at == NOW
    assert interests["HEAT_PUMP"].touchpoint_id == second.pk


def test_a_follow_up_date_creates_an_open_callback_task_nobody_holds(contract: Contract, agent: Any) -> None:
    due = NOW + timedelta(days=2)

    touchpoint = record(contract, agent, contract=contract, outcome="CALLBACK_AGREED", follow_up_due_at=due)

    task = CallTask.objects.get(customer=contract.customer)
    assert (task.kind, task.status, task.assignee, task.due_at) == ("CALLBACK", "OPEN", None, due)
    assert task.topic == touchpoint.topic
    assert task.contract_id == contract.pk
    assert task.note == "Preisbremse erklärt"


def test_a_consent_captured_on_the_phone_stores_source_phone_and_the_wording_read_out(
    contract: Contract, agent: Any
) -> None:
    wording = "Frau M. ist einverstanden, dass wir sie zu Angeboten anrufen. Widerruf jederzeit möglich."

    record(contract, agent, consent_captured=("PHONE", "ADVERTISING"), consent_wording=wording)

    consent = Consent.objects.get(customer=contract.customer)
    assert (consent.channel, consent.purpose, consent.source) == ("PHONE", "ADVERTISING", "PHONE")
    assert consent.wording == wording
    assert consent.recorded_by == agent
    assert consent.granted_at == NOW
    assert consents.active_consent(customer=contract.customer, channel="PHONE", purpose="ADVERTISING") == consent


def test_a_captured_consent_without_wording_stores_the_standard_text(contract: Contract, agent: Any) -> None:
    record(contract, agent, consent_captured=("PHONE", "SURVEY"))

    consent = Consent.objects.get(customer=contract.customer)
    assert consent.wording == consents.wording_for(channel="PHONE", purpose="SURVEY")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"would_recommend": 11}, touchpoints.ScoreOutOfRange),
        ({"follow_up_due_at": NOW - timedelta(minutes=1)}, touchpoints.FollowUpBeforeContact),
        ({"consent_captured": ("FAX", "ADVERTISING")}, touchpoints.UnknownConsent),
    ],
)
def test_a_rejected_touchpoint_writes_nothing(
    contract: Contract, agent: Any, overrides: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        record(
            contract,
            agent,
            interests=["PV"],
            consent_captured=overrides.pop("consent_captured", ("PHONE", "ADVERTISING")),
            follow_up_due_at=overrides.pop("follow_up_due_at", NOW + timedelta(days=1)),
            **overrides,
        )

    customer = contract.customer
    assert not Touchpoint.objects.filter(customer=customer).exists()
    assert not Interest.objects.filter(customer=customer).exists()
    assert not CallTask.objects.filter(customer=customer).exists()
    assert not Consent.objects.filter(customer=customer).exists()


def test_a_contract_of_another_customer_is_refused(contract: Contract, agent: Any) -> None:
    other = ContractFactory()

    with pytest.raises(touchpoints.ContractOfAnotherCustomer):
        record(contract, agent, contract=other)

    assert not Touchpoint.objects.filter(customer=contract.customer).exists()


def test_a_failure_after_the_touchpoint_rolls_everything_back(
    contract: Contract, agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_grant(**kwargs: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(consents, "grant", broken_grant)

    with pytest.raises(RuntimeError):
        record(
            contract,
            agent,
            interests=["PV"],
            follow_up_due_at=NOW + timedelta(days=1),
            consent_captured=("PHONE", "ADVERTISING"),
        )

    assert not Touchpoint.objects.filter(customer=contract.customer).exists()
    assert not Interest.objects.filter(customer=contract.customer).exists()
    assert not CallTask.objects.filter(customer=contract.customer).exists()
