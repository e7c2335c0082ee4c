"""Umzug melden: a move out ends the contract on the move-out date and requests a final reading for that day.

One move usually ends several contracts: electricity and heat (or gas) at the same supply address. The form lists
all the customer's contracts at that address, and ``report_moves`` records the move for each chosen one in one
transaction: all of them or none.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from customers.errors import CustomerActionRefused
from customers.models import Contract, Installment
from tariffs.domain.formatting import format_date

logger = logging.getLogger(__name__)

CANCELLATION_KIND_MOVE = "MOVE"
LATEST_REPORT_AFTER_MOVE = timedelta(weeks=6)  # a move may be reported up to six weeks afterwards


class MoveRefused(CustomerActionRefused):
    """Base class of the reasons a move cannot be recorded (German message for the customer)."""


class MoveBeforeContractStart(MoveRefused):
    def __init__(self, start_date: date) -> None:
        super().__init__(
            f"Ihr Auszug muss nach dem Lieferbeginn am {format_date(start_date)} liegen. Bitte prüfen Sie das Datum."
        )


class MoveTooFarAhead(MoveRefused):
    def __init__(self, latest: date) -> None:
        super().__init__(
            f"Einen Auszug können Sie höchstens ein Jahr im Voraus melden, also bis zum {format_date(latest)}. "
            "Bitte melden Sie sich später noch einmal."
        )


class MoveTooLongAgo(MoveRefused):
    def __init__(self, earliest: date) -> None:
        super().__init__(
            "Einen Auszug können Sie hier höchstens sechs Wochen rückwirkend melden, also ab dem "
            f"{format_date(earliest)}. Für einen früheren Auszug rufen Sie uns bitte an; wir klären das gemeinsam."
        )


class MoveContractEnded(MoveRefused):
    def __init__(self, end_date: date | None) -> None:
        when = f" (Lieferung bis {format_date(end_date - timedelta(days=1))})" if end_date else ""
        super().__init__(f"Dieser Vertrag ist bereits beendet{when}; ein Umzug lässt sich dafür nicht mehr melden.")


class MoveAfterContractEnd(MoveRefused):
    def __init__(self, end_date: date) -> None:
        super().__init__(
            f"Ihr Vertrag endet bereits: Lieferung bis {format_date(end_date - timedelta(days=1))}. Ein späterer "
            f"Auszug ändert daran nichts; bitte lesen Sie Ihren Zähler am {format_date(end_date)} ab."
        )


class ReadingAfterMove(MoveRefused):
    def __init__(self, read_date: date) -> None:
        super().__init__(
            f"Für den {format_date(read_date)}, also nach diesem Auszugsdatum, liegt schon ein Zählerstand vor. "
            "Bitte prüfen Sie das Datum oder rufen Sie uns an."
        )


class MoveRefusedForContract(MoveRefused):
    """One of several chosen contracts refused the move; the message names it. ``cause`` is the original reason."""

    def __init__(self, contract: Contract, cause: MoveRefused) -> None:
        super().__init__(f"{contract.get_commodity_display()}vertrag {contract.contract_number}: {cause}")
        self.contract = contract
        self.cause = cause


def _address_key(contract: Contract) -> tuple[str, str, str]:
    """Return the supply address compared without case and extra spaces ("Schillerstr. 4" stays different)."""

    def normal(part: str) -> str:
        return " ".join(part.split()).casefold()

    return normal(contract.street), normal(contract.postal_code), normal(contract.city)


def contracts_at_same_address(*, contract: Contract) -> list[Contract]:
    """Return the customer's contracts at this contract's supply address that a move can still end (1 query).

    The given contract comes first, whatever its state (the service explains why an ended one cannot move); the
    others follow in contract-number order and only while they have not ended.
    """
    key = _address_key(contract)
    others = [
        other
        for other in Contract.objects.filter(customer_id=contract.customer_id, postal_code=contract.postal_code)
        .exclude(pk=contract.pk)
        .exclude(status=Contract.Status.ENDED)
        .select_related("tariff")
        .order_by("contract_number", "pk")
        if _address_key(other) == key
    ]
    return [contract, *others]


@transaction.atomic
def report_moves(
    *, contracts: Sequence[Contract], move_out_date: date, new_address: str, today: date, now: datetime
) -> list[Contract]:
    """Record one move for each of the contracts (all or none) and return them, updated, in the given order.

    Rows are locked in primary-key order, so two reports for the same address cannot deadlock.

    :raises MoveRefused: the reason, if there is one contract; else MoveRefusedForContract naming the contract.
    """
    updated: dict[int, Contract] = {}
    for contract in sorted(contracts, key=lambda item: item.pk):
        try:
            updated[contract.pk] = report_move(
                contract=contract, move_out_date=move_out_date, new_address=new_address, today=today, now=now
            )
        except MoveRefused as error:
            if len(contracts) == 1:
                raise
            raise MoveRefusedForContract(contract, error) from error
    return [updated[contract.pk] for contract in contracts]


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 2, 28)


@transaction.atomic
def report_move(
    *, contract: Contract, move_out_date: date, new_address: str, today: date, now: datetime | None = None
) -> Contract:
    """End the contract on the move-out date, request a final reading for that day and note the new address.

    The contract becomes CANCELLED with kind "MOVE" (it ends then); open Abschläge due on or after the move-out date
    are dropped, because nothing is supplied from then on. Reporting the same move again changes nothing; a reported
    move may be corrected (another date or address). ``now`` is when the customer reported it (default: now).

    :raises MoveContractEnded: if the contract has already ended.
    :raises MoveBeforeContractStart: if the date is not after the start of supply.
    :raises MoveTooFarAhead: if the date is more than one year after today.
    :raises MoveTooLongAgo: if the date is more than six weeks before today.
    :raises MoveAfterContractEnd: if the contract ends earlier anyway (another cancellation).
    :raises ReadingAfterMove: if a meter reading after the move-out date exists.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    new_address = " ".join(new_address.split())
    if contract.status == Contract.Status.ENDED:
        raise MoveContractEnded(contract.end_date)
    if move_out_date <= contract.start_date:
        raise MoveBeforeContractStart(contract.start_date)
    latest = _one_year_after(today)
    if move_out_date > latest:
        raise MoveTooFarAhead(latest)
    earliest = today - LATEST_REPORT_AFTER_MOVE
    if move_out_date < earliest:
        raise MoveTooLongAgo(earliest)
    is_move = contract.cancellation_kind == CANCELLATION_KIND_MOVE
    if contract.end_date is not None and not is_move and contract.end_date < move_out_date:
        raise MoveAfterContractEnd(contract.end_date)
    if (
        is_move
        and contract.end_date == move_out_date
        and contract.final_reading_requested_for == move_out_date
        and contract.moved_to == new_address
    ):
        return contract  # reported already: nothing to do
    later_reading = contract.readings.filter(read_date__gt=move_out_date).order_by("read_date", "id").first()
    if later_reading is not None:
        raise ReadingAfterMove(later_reading.read_date)

    contract.end_date = move_out_date
    contract.status = Contract.Status.CANCELLED
    contract.cancellation_kind = CANCELLATION_KIND_MOVE
    contract.final_reading_requested_for = move_out_date
    contract.moved_to = new_address
    update_fields = ["end_date", "status", "cancellation_kind", "final_reading_requested_for", "moved_to"]
    if not is_move or contract.cancelled_at is None:
        contract.cancelled_at = now or timezone.now()
        update_fields.append("cancelled_at")
    contract.save(update_fields=update_fields)
    dropped, _ = Installment.objects.filter(
        contract=contract, due_date__gte=move_out_date, paid_at__isnull=True
    ).delete()
    logger.info(
        "contract %s: move reported, ends %s, %s open instalments dropped", contract.pk, move_out_date, dropped
    )
    return contract
