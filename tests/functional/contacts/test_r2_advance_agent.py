"""QA round 2, staff 5 (the agent's half): setting an Abschlag while the plan has a later entry for a price change
shows that entry, lets the agent keep or replace it as the customer decides, and the confirmation says what applies
when."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from customers.models import AdvancePaymentChange, Contract, Installment
from tests.factories import ContractFactory, PriceVersionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 10:00:00+01:00"
CHANGE_DAY = date(2027, 2, 1)


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def contract() -> Contract:
    """Melina's gas contract: 109 € now, a plan entry of 104 € from 01.02.2027 written by the price-change notice."""
    old = PriceVersionFactory(tariff__commodity="gas", valid_to=CHANGE_DAY, working_price_net_ct=Decimal("9.2437"))
    PriceVersionFactory(
        tariff=old.tariff, valid_from=CHANGE_DAY, working_price_net_ct=Decimal("8.5042"),
        base_price_net_eur_year=Decimal("115.97"),
    )  # fmt: skip
    contract = ContractFactory(commodity="gas", tariff=old.tariff, forecast_kwh=Decimal(11000))
    for valid_from, amount, source in ((date(2026, 1, 1), "109", "BILL"), (CHANGE_DAY, "104", "PRICE_CHANGE")):
        AdvancePaymentChange.objects.create(
            contract=contract, valid_from=valid_from, amount_eur=Decimal(amount), recommended_eur=Decimal(amount),
            source=source,
        )  # fmt: skip
    for due, amount in ((date(2026, 12, 1), 109), (date(2027, 1, 1), 109), (CHANGE_DAY, 104)):
        Installment.objects.create(contract=contract, due_date=due, amount_eur=Decimal(amount))
    return contract


@pytest.fixture
def agent_client(client: Any) -> Any:
    client.force_login(UserFactory(role="AGENT", display_name="Anna"))
    return client


def url(contract: Contract) -> str:
    return reverse("contacts:change_advance", args=[contract.customer_id, contract.pk])


def text(html: bytes) -> str:
    return re.sub(r"[ \n\t]+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_the_agent_form_shows_the_later_entry_and_the_choice(agent_client: Any, contract: Contract) -> None:
    page = text(agent_client.get(url(contract)).content)

    assert "Später geplant ab 01.02.2027: 104,00\xa0€ (Preisänderung)" in page
    assert "Ab dem 01.02.2027 gilt wie geplant 104,00\xa0€ (Preisänderung)." in page
    assert "Der neue Abschlag gilt auch ab dem 01.02.2027 (statt 104,00\xa0€)." in page
    assert "mit der Preisänderung zum 01.02.2027" in page


def test_keeping_the_later_entry_is_confirmed_with_both_amounts(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(url(contract), {"amount_eur": "120", "reason": "", "later_plan": "keep"}, follow=True)

    page = text(response.content)
    assert (
        "Zum Vorlesen: Ihr Abschlag beträgt ab dem 01.12.2026 120,00\xa0€. Wie geplant gilt dann ab dem 01.02.2027 "
        "104,00\xa0€ (Preisänderung)." in page
    )
    amounts = dict(contract.installments.values_list("due_date", "amount_eur"))
    assert amounts == {date(2026, 12, 1): Decimal(120), date(2027, 1, 1): Decimal(120), CHANGE_DAY: Decimal(104)}


def test_replacing_the_later_entry_keeps_the_customers_amount_after_it(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(
        url(contract), {"amount_eur": "120", "reason": "", "later_plan": "replace"}, follow=True
    )

    page = text(response.content)
    assert "Er gilt auch ab dem 01.02.2027 statt der geplanten 104,00\xa0€ (Preisänderung)." in page
    latest = AdvancePaymentChange.objects.filter(contract=contract, valid_from=CHANGE_DAY).order_by("-id").first()
    assert latest is not None and (latest.amount_eur, latest.source) == (Decimal(120), "AGENT")
    assert Installment.objects.get(contract=contract, due_date=CHANGE_DAY).amount_eur == Decimal(120)


def test_without_the_choice_nothing_is_written(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(url(contract), {"amount_eur": "120", "reason": ""})

    assert response.status_code == 200
    assert "Bitte wählen Sie, welcher Abschlag ab dem 01.02.2027 gelten soll." in response.content.decode()
    assert not AdvancePaymentChange.objects.filter(contract=contract, source="AGENT").exists()
