"""QA findings on the agent's 360° screen over HTTP: a cancelled contract that is still supplied keeps "Abschlag
ändern" and shows its last day of supply (4, agent side); a move shows one set of dates everywhere (17)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from customers import move
from customers.models import AdvancePaymentChange, Contract
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(start_date=date(2021, 12, 1))


@pytest.fixture
def agent_client(client: Any) -> Any:
    client.force_login(UserFactory(role="AGENT", display_name="Anna"))
    return client


def _contract_card(page: str, contract: Contract) -> str:
    return page.split(f'data-testid="contract-{contract.contract_number}"')[1].split("</section>")[0]


def _page(agent_client: Any, contract: Contract) -> str:
    with time_machine.travel(NOW, tick=False):
        response = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_cancelled_contract_still_supplied_keeps_abschlag_and_reading(agent_client: Any, contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(
        status="CANCELLED", end_date=date(2027, 2, 1), cancelled_at=NOW - timedelta(days=1),
        cancellation_kind="EXTRAORDINARY",
    )  # fmt: skip

    card = _contract_card(_page(agent_client, contract), contract)

    assert "Lieferung bis 31.01.2027" in card
    assert reverse("contacts:change_advance", args=[contract.customer_id, contract.pk]) in card
    assert reverse("contacts:submit_reading", args=[contract.customer_id, contract.pk]) in card
    assert reverse("contacts:cancellation", args=[contract.customer_id, contract.pk]) not in card
    assert "erster Tag ohne Lieferung" not in card


def test_an_ended_contract_offers_no_abschlag_change(agent_client: Any, contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(
        status="ENDED", end_date=date(2026, 10, 1), cancelled_at=NOW - timedelta(days=90), cancellation_kind="ORDINARY"
    )

    card = _contract_card(_page(agent_client, contract), contract)

    assert "Lieferung bis 30.09.2026" in card
    assert reverse("contacts:change_advance", args=[contract.customer_id, contract.pk]) not in card


def test_a_move_shows_the_same_end_of_supply_on_the_card_and_in_the_timeline(
    agent_client: Any, contract: Contract
) -> None:
    move.report_move(contract=contract, move_out_date=date(2026, 11, 21), new_address="Goethestraße 9, Stuttgart",
                     today=NOW.date(), now=NOW)  # fmt: skip

    page = _page(agent_client, contract)

    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    card = _contract_card(page, contract)
    assert "Lieferung bis 20.11.2026 (Auszug 21.11.2026)" in timeline
    assert "Lieferung bis 20.11.2026 (Auszug 21.11.2026)" in card
    assert "Vertragsende" not in timeline
    assert "erster Tag ohne Lieferung" not in card
    assert "Auszug gemeldet" in card


def test_the_agent_changes_the_abschlag_of_a_cancelled_contract_still_supplied(
    agent_client: Any, contract: Contract
) -> None:
    Contract.objects.filter(pk=contract.pk).update(
        status="CANCELLED", end_date=date(2027, 2, 1), cancelled_at=NOW - timedelta(days=1),
        cancellation_kind="EXTRAORDINARY",
    )  # fmt: skip
    url = reverse("contacts:change_advance", args=[contract.customer_id, contract.pk])

    with time_machine.travel(NOW, tick=False):
        response = agent_client.post(url, {"amount_eur": "110", "reason": ""})

    assert response.status_code == 302
    change = AdvancePaymentChange.objects.get(contract=contract, source="AGENT")
    assert (change.amount_eur, change.valid_from) == (Decimal(110), date(2026, 12, 1))
