"""Wording a worried customer reads (QA round 2, finding 17): contacts, password rules, the password-reset mail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Touchpoint
from core.models import Role
from tests.factories import CustomerFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.django_db
def test_the_contact_history_names_the_agent_neutrally(client: Any) -> None:
    customer = CustomerFactory()
    agent = UserFactory(role=Role.AGENT, display_name="Anna")
    Touchpoint.objects.create(
        customer=customer,
        agent=agent,
        channel="EMAIL",
        direction="OUT",
        topic="PRICE_BRAKE",
        outcome="RESOLVED",
        occurred_at=datetime(2026, 11, 20, 10, 0, tzinfo=BERLIN),
        summary="Preisbremse erklärt",
    )
    client.force_login(customer.user)

    page = client.get(reverse("contacts_customer:history")).content.decode()

    assert "Ansprechpartner" not in page
    assert 'Bearbeitet von: <span data-testid="staff-name">Anna</span>' in page


def errors_for(password: str, user: Any = None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz123", "Das Passwort ist zu kurz. Bitte verwenden Sie mindestens 10 Zeichen."),
        ("password123", "Dieses Passwort wird sehr häufig benutzt und ist leicht zu erraten."),
        ("4711081547110815", "Das Passwort besteht nur aus Ziffern."),
    ],
)
def test_password_rules_speak_plain_german(password: str, message: str) -> None:
    assert any(text.startswith(message) for text in errors_for(password)), errors_for(password)


@pytest.mark.parametrize("attribute", ["email", "full_name"])
def test_a_password_like_the_e_mail_address_or_name_is_refused_in_german(attribute: str) -> None:
    user = UserFactory.build(email="kundin4711@example.org", full_name="Hildegard Meyer")
    password = {"email": "kundin4711@example", "full_name": "HildegardMeyer"}[attribute]

    messages = errors_for(password, user)

    label = {"email": "E-Mail-Adresse", "full_name": "Name"}[attribute]
    assert f"Das Passwort ähnelt zu sehr Ihren persönlichen Angaben ({label}). Bitte wählen Sie ein anderes." in (
        messages
    )
    assert not any("zu ähnlich zu" in text for text in messages)


def test_the_password_help_lists_the_rules_in_german() -> None:
    help_texts = password_validation.password_validators_help_texts()

    assert help_texts == [
        "Nicht ähnlich zu Ihrer E-Mail-Adresse oder Ihrem Namen.",
        "Mindestens 10 Zeichen.",
        "Kein häufig benutztes Passwort.",
        "Nicht nur Ziffern.",
    ]


@pytest.mark.django_db
def test_the_password_reset_mail_says_how_long_the_link_works(client: Any) -> None:
    UserFactory(email="hilde@example.org")

    client.post(reverse("password_reset"), {"email": "hilde@example.org"})

    body = mail.outbox[0].body
    assert "Der Link gilt drei Tage und nur einmal." in body
    assert re.search(r"http://testserver/passwort/neu/\S+/", body)
    # The mail's "drei Tage" is the token lifetime Django checks.
    assert timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) == timedelta(days=3)
