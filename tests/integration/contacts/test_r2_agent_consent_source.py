"""A consent given in a conversation is stored with the source of the touchpoint's channel (QA round 2, finding 16):
at the customer center CUSTOMER_CENTER, not PHONE; a letter or an e-mail is no conversation and is refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contacts import touchpoints
from contacts.models import Consent, Touchpoint
from customers.models import Contract
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def contract() -> Contract:
    contract: Contract = ContractFactory()
    return contract


def record(contract: Contract, channel: str) -> Touchpoint:
    return touchpoints.record_touchpoint(
        customer=contract.customer,
        agent=UserFactory(role="AGENT"),
        channel=channel,
        direction="IN",
        topic="TARIFF_ADVICE",
        outcome="RESOLVED",
        summary="Beratung",
        occurred_at=NOW,
        consent_captured=("PHONE", "ADVERTISING"),
    )


@pytest.mark.parametrize(
    ("channel", "source"),
    [
        ("CUSTOMER_CENTER", "CUSTOMER_CENTER"),
        ("POP_UP_STORE", "CUSTOMER_CENTER"),
        ("EVENT", "CUSTOMER_CENTER"),
        ("PHONE", "PHONE"),
        ("PORTAL", "PORTAL"),
        ("CHAT", "PORTAL"),
    ],
)
def test_the_consent_source_follows_the_channel_of_the_conversation(
    contract: Contract, channel: str, source: str
) -> None:
    record(contract, channel)

    consent = Consent.objects.get(customer=contract.customer)
    assert consent.source == source


@pytest.mark.parametrize("channel", ["LETTER", "EMAIL"])
def test_a_consent_cannot_be_captured_from_a_letter_or_an_e_mail_and_nothing_is_written(
    contract: Contract, channel: str
) -> None:
    with pytest.raises(touchpoints.ConsentWithoutConversation, match="nur aus einem Gespräch"):
        record(contract, channel)

    assert not Consent.objects.filter(customer=contract.customer).exists()
    assert not Touchpoint.objects.filter(customer=contract.customer).exists()


def test_the_360_screen_stores_a_visit_consent_as_customer_center(client: Any, contract: Contract) -> None:
    client.force_login(UserFactory(role="AGENT"))

    response = client.post(
        reverse("contacts:record_touchpoint", args=[contract.customer_id]),
        {"topic": "TARIFF_ADVICE", "outcome": "RESOLVED", "summary": "Beratung im Kundenzentrum",
         "channel": "CUSTOMER_CENTER", "direction": "IN", "consent": "PHONE:ADVERTISING"},
    )  # fmt: skip

    assert response.status_code == 302
    assert Consent.objects.get(customer=contract.customer).source == "CUSTOMER_CENTER"


def test_the_360_screen_refuses_a_consent_on_a_letter_with_a_german_message(client: Any, contract: Contract) -> None:
    client.force_login(UserFactory(role="AGENT"))

    response = client.post(
        reverse("contacts:record_touchpoint", args=[contract.customer_id]),
        {"topic": "OTHER", "outcome": "RESOLVED", "summary": "Brief erhalten", "channel": "LETTER",
         "direction": "IN", "consent": "PHONE:ADVERTISING"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "nicht bei Kanal „Brief“" in response.content.decode()
    assert not Touchpoint.objects.filter(customer=contract.customer).exists()
