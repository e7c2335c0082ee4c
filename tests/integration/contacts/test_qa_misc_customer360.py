"""QA findings on the 360° selector: one move, one end of supply (17); a cancelled contract keeps the Abschlag change
while it is still supplied (4, agent side)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import customer360
from customers import move
from customers.models import CancellationRequest, Contract
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(start_date=date(2021, 1, 1))


def _report_move(contract: Contract, move_out_date: date) -> Contract:
    return move.report_move(
        contract=contract, move_out_date=move_out_date, new_address="Goethestraße 9, 70174 Stuttgart", today=TODAY,
        now=NOW,
    )  # fmt: skip


def _timeline(contract: Contract) -> list[customer360.TimelineEntry]:
    customer = contract.customer
    page = customer360.get_timeline(
        customer=customer, page=1, contracts=list(customer.contracts.all()), consents=list(customer.consents.all())
    )
    return list(page.entries)


def _card(contract: Contract, as_of: date = TODAY) -> customer360.ContractCard:
    data = customer360.get_customer_360(customer=contract.customer, as_of=as_of)
    return next(card for card in data.contract_cards if card.summary.id == contract.pk)


# --- finding 17: one move, one end of supply ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end_date", "is_move", "text"),
    [
        (date(2026, 11, 21), True, "Lieferung bis 20.11.2026 (Auszug 21.11.2026)"),
        (date(2027, 2, 1), False, "Lieferung bis 31.01.2027"),
        (None, False, ""),
    ],
)
def test_the_end_of_supply_names_the_last_day_and_for_a_move_the_move_out_date(
    end_date: date | None, is_move: bool, text: str
) -> None:
    assert customer360.describe_supply_end(end_date=end_date, is_move=is_move) == text


def test_a_move_shows_the_same_dates_in_the_timeline_and_on_the_contract(contract: Contract) -> None:
    _report_move(contract, date(2026, 11, 21))

    entry = _timeline(contract)[0]
    card = _card(contract)

    assert entry.title == "Auszug gemeldet"
    assert entry.detail == f"Vertrag {contract.contract_number} · Lieferung bis 20.11.2026 (Auszug 21.11.2026)"
    assert "Vertragsende" not in entry.detail
    assert card.supply_end == "Lieferung bis 20.11.2026 (Auszug 21.11.2026)"
    assert card.status_label == "Auszug gemeldet"


def test_a_cancellation_names_the_last_day_of_supply(contract: Contract) -> None:
    CancellationRequest.objects.create(
        reference="K-20261121-QAMISC", submitted_at=NOW, kind="ORDINARY", name=contract.customer.name,
        customer_number=contract.customer.customer_number, email="k@example.org", contract=contract,
        effective_date=date(2026, 12, 22), status="MATCHED",
    )  # fmt: skip

    entry = _timeline(contract)[0]

    assert entry.title == "Kündigung eingegangen"
    assert entry.detail.endswith("· Lieferung bis 21.12.2026")


def test_a_move_reported_after_a_button_cancellation_shows_in_the_timeline_too(contract: Contract) -> None:
    CancellationRequest.objects.create(
        reference="K-20261101-QAMISC", submitted_at=NOW - timedelta(days=20), kind="ORDINARY",
        name=contract.customer.name, customer_number=contract.customer.customer_number, email="k@example.org",
        contract=contract, effective_date=date(2026, 12, 22), status="MATCHED",
    )  # fmt: skip
    Contract.objects.filter(pk=contract.pk).update(
        status="CANCELLED", end_date=date(2026, 12, 22), cancelled_at=NOW - timedelta(days=20),
        cancellation_kind="ORDINARY",
    )  # fmt: skip
    contract.refresh_from_db()
    _report_move(contract, date(2026, 12, 5))

    titles = [(entry.title, entry.detail.rsplit(" · ", 1)[-1]) for entry in _timeline(contract)]

    assert titles == [
        ("Auszug gemeldet", "Lieferung bis 04.12.2026 (Auszug 05.12.2026)"),
        ("Kündigung eingegangen", "Lieferung bis 21.12.2026"),
    ]


# --- finding 4 (agent side): supplied until the end date, so the Abschlag can still change ---------------------------


def _cancel(contract: Contract, end_date: date, status: str = "CANCELLED") -> None:
    Contract.objects.filter(pk=contract.pk).update(
        status=status, end_date=end_date, cancelled_at=NOW - timedelta(days=3), cancellation_kind="EXTRAORDINARY"
    )


@pytest.mark.parametrize(
    ("end_date", "status", "supplied", "abschlag"),
    [
        (date(2027, 2, 1), "CANCELLED", True, True),  # supplied until 31.01.2027: Abschläge on 1.12. and 1.1.
        (date(2026, 12, 2), "CANCELLED", True, True),  # the 1.12. Abschlag is still due
        (date(2026, 12, 1), "CANCELLED", True, False),  # supplied until 30.11.: no Abschlag falls due any more
        (date(2026, 11, 21), "CANCELLED", False, False),  # today is the first day without supply
        (date(2026, 10, 1), "ENDED", False, False),
    ],
)
def test_the_abschlag_can_change_while_one_falls_due_before_supply_ends(
    contract: Contract, end_date: date, status: str, supplied: bool, abschlag: bool
) -> None:
    _cancel(contract, end_date, status)

    card = _card(contract)

    assert (card.is_supplied, card.can_change_advance, card.can_cancel) == (supplied, abschlag, False)


def test_an_active_contract_keeps_every_action(contract: Contract) -> None:
    card = _card(contract)

    assert (card.is_supplied, card.can_change_advance, card.can_cancel, card.supply_end) == (True, True, True, "")


def test_an_active_contract_that_starts_later_may_get_its_abschlag_changed_before_it_starts() -> None:
    later: Any = ContractFactory(start_date=date(2027, 1, 1))

    card = _card(later)

    assert (card.is_supplied, card.can_change_advance) == (False, True)
