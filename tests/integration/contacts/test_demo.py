"""The contacts demo data: personas and 300 synthetic customers get touchpoints, consents, tasks and interests, and a
second run creates nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from contacts import demo
from contacts.models import CallTask, Consent, ConsentUse, Interest, Touchpoint
from core.models import Role
from customers.models import AdvancePaymentChange, Contract, Customer
from customers.validators import is_valid_malo_id
from tests.factories import CustomerFactory, PriceVersionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))
MODELS = (Customer, Contract, AdvancePaymentChange, Touchpoint, Consent, ConsentUse, CallTask, Interest)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def personas() -> None:
    UserFactory(role=Role.AGENT, email="anna@stadtwerk.example", display_name="Anna")
    CustomerFactory(customer_number=demo.MELINA, name="Melina und Jonas Franke")
    CustomerFactory(customer_number=demo.HILDEGARD, name="Hildegard Meyer", is_vulnerable=True)
    PriceVersionFactory(tariff__code="strom-zuhause")


def test_seeding_twice_creates_the_contacts_once(personas: None, call_guides: None) -> None:
    first = demo.seed_contacts(now=NOW)
    after_first = counts()

    second = demo.seed_contacts(now=NOW)

    assert counts() == after_first
    assert (first.customers, first.skipped_personas) == (300, [])
    assert (second.customers, second.touchpoints, second.consents, second.tasks) == (0, 0, 0, 0)
    assert after_first["Touchpoint"] >= 1200
    assert after_first["CallTask"] >= 20


def test_the_synthetic_customers_have_valid_contracts_and_fill_the_queue(personas: None, call_guides: None) -> None:
    demo.seed_contacts(now=NOW)

    contracts = Contract.objects.filter(customer__customer_number__startswith="3")
    courtesy = CallTask.objects.filter(kind="COURTESY", status="OPEN")
    assert contracts.count() == 300
    assert all(is_valid_malo_id(malo_id) for malo_id in contracts.values_list("malo_id", flat=True))
    assert courtesy.filter(due_at__date__lte=NOW.date()).exists()
    assert all(task.guide is not None for task in courtesy.select_related("guide"))
    assert CallTask.objects.filter(kind="CALLBACK", status="OPEN").exists()


def test_the_personas_get_their_histories_consents_and_tasks(personas: None) -> None:
    demo.seed_contacts(now=NOW)

    melina = Customer.objects.get(customer_number=demo.MELINA)
    hildegard = Customer.objects.get(customer_number=demo.HILDEGARD)
    assert Touchpoint.objects.filter(customer=melina, topic="COURTESY_CALL", agent__display_name="Anna").exists()
    assert ConsentUse.objects.filter(consent__customer=melina, touchpoint__topic="COURTESY_CALL").exists()
    assert set(Interest.objects.filter(customer=melina).values_list("kind", flat=True)) == {"PV", "EMOBILITY"}
    assert not Consent.objects.filter(customer=hildegard, channel="PHONE").exists()  # vulnerable: no phone ads
    assert CallTask.objects.get(customer=hildegard, status="OPEN").kind == "CALLBACK"


def test_missing_personas_are_skipped_and_reported() -> None:
    summary = demo.seed_contacts(now=NOW)

    assert summary.skipped_personas == [demo.MELINA, demo.HILDEGARD]
    assert summary.customers == 300


def test_seed_demo_twice_gives_the_same_counts() -> None:
    call_command("seed_demo", password="Demo-Passwort-1")
    after_first = counts()

    call_command("seed_demo", password="Demo-Passwort-1")

    assert counts() == after_first
    assert after_first["CallTask"] > 0
