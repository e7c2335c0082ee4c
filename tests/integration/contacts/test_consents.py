"""Consents: granting and withdrawing take effect at once, e-mail needs double opt-in (the link is mailed), and the
customer's data export contains touchpoints and consents with their uses but never an agent's identity."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import consents
from contacts.models import CallTask, Consent, Touchpoint
from core.models import Role
from customers import profile
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory(user__email="melina@example.org")


def link(token: str) -> str:
    return f"https://portal.example/konto/kontakte/einwilligung/bestaetigen/{token}/"


def test_a_phone_consent_is_in_force_at_once_with_the_standard_wording(customer: Customer) -> None:
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL", now=NOW)

    consent = consents.active_consent(customer=customer, channel="PHONE", purpose="ADVERTISING")

    assert consent is not None
    assert (consent.granted_at, consent.source) == (NOW, "PORTAL")
    assert consent.wording == consents.wording_for(channel="PHONE", purpose="ADVERTISING")


def test_withdrawing_takes_effect_at_once_and_keeps_the_record_as_proof(customer: Customer) -> None:
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL", now=NOW)

    withdrawn = consents.withdraw(
        customer=customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL", now=NOW + timedelta(minutes=1)
    )

    assert withdrawn
    assert consents.active_consent(customer=customer, channel="PHONE", purpose="ADVERTISING") is None
    record = Consent.objects.get(customer=customer)
    assert (record.withdrawn_at, record.withdrawal_source) == (NOW + timedelta(minutes=1), "PORTAL")


def test_an_email_consent_is_not_in_force_until_the_link_is_confirmed(
    customer: Customer, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        consent = consents.grant(
            customer=customer, channel="EMAIL", purpose="ADVERTISING", source="PORTAL", now=NOW, confirm_url=link
        )

    assert consents.active_consent(customer=customer, channel="EMAIL", purpose="ADVERTISING") is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["melina@example.org"]
    assert link(consent.confirmation_token) in mailoutbox[0].body

    consents.confirm_email(customer=customer, token=consent.confirmation_token, now=NOW + timedelta(hours=1))

    active = consents.active_consent(customer=customer, channel="EMAIL", purpose="ADVERTISING")
    assert active is not None
    assert active.confirmed_at == NOW + timedelta(hours=1)


def test_a_wrong_token_or_another_customers_token_confirms_nothing(customer: Customer) -> None:
    consent = consents.grant(customer=customer, channel="EMAIL", purpose="SURVEY", source="PORTAL", now=NOW)
    stranger = CustomerFactory()

    assert consents.confirm_email(customer=customer, token="falsch", now=NOW) is None
    assert consents.confirm_email(customer=customer, token="", now=NOW) is None
    assert consents.confirm_email(customer=stranger, token=consent.confirmation_token, now=NOW) is None
    assert consents.active_consent(customer=customer, channel="EMAIL", purpose="SURVEY") is None


def test_granting_again_while_waiting_for_confirmation_resends_the_same_link(
    customer: Customer, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = consents.grant(
            customer=customer, channel="EMAIL", purpose="ADVERTISING", source="PORTAL", now=NOW, confirm_url=link
        )
        again = consents.grant(
            customer=customer, channel="EMAIL", purpose="ADVERTISING", source="PORTAL", now=NOW, confirm_url=link
        )

    assert again.pk == first.pk
    assert Consent.objects.filter(customer=customer).count() == 1
    assert [link(first.confirmation_token) in mail.body for mail in mailoutbox] == [True, True]


def test_the_consent_states_cover_every_channel_and_purpose_with_the_wording(customer: Customer) -> None:
    consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL", now=NOW)
    consents.grant(customer=customer, channel="EMAIL", purpose="ADVERTISING", source="PORTAL", now=NOW)

    states = {(state.channel, state.purpose): state for state in consents.get_consent_states(customer=customer)}

    assert len(states) == 6
    assert states["PHONE", "ADVERTISING"].is_in_force
    assert states["EMAIL", "ADVERTISING"].awaiting_confirmation
    assert not states["EMAIL", "ADVERTISING"].is_in_force
    assert not states["LETTER", "SURVEY"].is_in_force
    assert states["LETTER", "SURVEY"].wording == consents.wording_for(channel="LETTER", purpose="SURVEY")


def test_the_data_export_contains_touchpoints_and_consents_with_uses_but_no_agent_identity(customer: Customer) -> None:
    agent = UserFactory(
        role=Role.AGENT, display_name="Anna", full_name="Anna Kowalski", email="anna.k@stadtwerk.example"
    )
    touchpoint = Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="OUT", topic="COURTESY_CALL", outcome="RESOLVED",
        occurred_at=NOW, agent=agent, summary="Höflichkeitsanruf", would_recommend=9,
    )  # fmt: skip
    consent = consents.grant(customer=customer, channel="PHONE", purpose="ADVERTISING", source="PHONE", now=NOW,
                             recorded_by=agent)  # fmt: skip
    task = CallTask.objects.create(customer=customer, kind="COURTESY", topic="COURTESY_CALL", due_at=NOW)
    consents.record_use(consent=consent, purpose="Höflichkeitsanruf", now=NOW, touchpoint=touchpoint, call_task=task)
    Touchpoint.objects.create(
        customer=CustomerFactory(), channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED", occurred_at=NOW
    )

    data = profile.export_customer_data(customer)

    assert [row["summary"] for row in data["touchpoints"]] == ["Höflichkeitsanruf"]  # type: ignore[index]
    assert data["touchpoints"][0]["staff_name"] == "Anna"  # type: ignore[index]
    assert [row["channel"] for row in data["consents"]] == ["PHONE"]  # type: ignore[index]
    assert [use["purpose"] for use in data["consents"][0]["uses"]] == ["Höflichkeitsanruf"]  # type: ignore[index]
    text = str(data)
    assert "Kowalski" not in text
    assert "anna.k@stadtwerk.example" not in text
    assert "confirmation_token" not in text
