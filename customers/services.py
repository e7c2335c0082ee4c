"""Use cases of the customer portal (also used by agents acting for a customer). Each owns its transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from core.models import User
from customers import errors, selectors
from customers.models import AdvancePaymentChange, Contract, Customer, Installment, MeterReading, SepaMandate
from tariffs.domain import advance
from tariffs.domain.formatting import format_date, format_eur, format_number

PLAUSIBILITY_FACTOR = Decimal(3)  # a daily consumption above 3 × the forecast's daily rate is flagged for review


@dataclass(frozen=True, slots=True)
class ReadingResult:
    reading: MeterReading
    consumption_kwh: Decimal | None
    projection: selectors.Projection | None


@transaction.atomic
def submit_meter_reading(
    *, contract: Contract, value: Decimal, read_date: date, source: str, today: date, created_by: User | None = None
) -> ReadingResult:
    """Record a meter reading.

    :raises ReadingInFuture: if the date is after today (Berlin).
    :raises ReadingBeforeContractStart / ReadingAfterContractEnd: outside the supply period.
    :raises ReadingAlreadyExists: if the contract has a reading for that day.
    :raises ReadingBelowPrevious: if it is lower than the last reading before that day (names it).
    A consumption above 3 × the forecast's daily rate is accepted but flagged for review.
    """
    # Lock the contract row so two submissions for one contract are checked one after the other.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if read_date > today:
        raise errors.ReadingInFuture(read_date)
    if read_date < contract.start_date:
        raise errors.ReadingBeforeContractStart(contract.start_date)
    if contract.end_date is not None and read_date > contract.end_date:
        raise errors.ReadingAfterContractEnd(contract.end_date)
    if contract.readings.filter(read_date=read_date).exists():
        raise errors.ReadingAlreadyExists(read_date)
    previous = selectors.get_latest_reading(contract=contract, before=read_date)
    if previous is not None and value < previous.value:
        raise errors.ReadingBelowPrevious(
            previous_value=previous.value, previous_date=previous.read_date, unit=contract.get_meter_unit_display()
        )
    following = selectors.get_next_reading(contract=contract, after=read_date)
    if following is not None and value > following.value:
        raise errors.ReadingAboveNext(
            next_value=following.value, next_date=following.read_date, unit=contract.get_meter_unit_display()
        )
    consumption = None
    flagged, reason = False, ""
    if previous is not None:
        consumption = selectors.to_kwh(contract=contract, meter_delta=value - previous.value)
        days = (read_date - previous.read_date).days
        allowed = contract.forecast_kwh / 365 * days * PLAUSIBILITY_FACTOR
        if contract.forecast_kwh > 0 and consumption > allowed:
            flagged = True
            reason = "Verbrauch über dem Dreifachen der Prognose"
    try:
        reading = MeterReading.objects.create(
            contract=contract,
            value=value,
            read_date=read_date,
            source=source,
            is_flagged=flagged,
            flag_reason=reason,
            created_by=created_by,
        )
    except IntegrityError:  # a concurrent submission for the same day won the race
        raise errors.ReadingAlreadyExists(read_date) from None
    return ReadingResult(
        reading=reading,
        consumption_kwh=consumption,
        projection=selectors.project_balance(contract=contract, as_of=today),
    )


class NoAbschlagBeforeSupplyEnds(errors.CustomerActionRefused):
    """Supply ends before the next due date: no Abschlag is left that a change could apply to."""

    def __init__(self, *, last_supply_day: date) -> None:
        super().__init__(
            f"Bis zum Lieferende am {format_date(last_supply_day)} ist kein Abschlag mehr fällig. "
            "Was Sie bis dahin verbrauchen, rechnen wir mit der Schlussrechnung ab."
        )


class AmountNeedsConfirmation(errors.CustomerActionRefused):
    """The chosen Abschlag is far above the calculated one: it is saved only once confirmed."""

    def __init__(self, *, amount_eur: Decimal, recommended_eur: Decimal) -> None:
        factor = format_number(advance.MAX_INCREASE_WITHOUT_CONFIRMATION, max_places=0)
        super().__init__(
            f"{format_eur(amount_eur)} im Monat ist mehr als {factor}-mal so viel wie der berechnete Abschlag von "
            f"{format_eur(recommended_eur)}. Bitte prüfen Sie den Betrag. Wenn er stimmt, bestätigen Sie ihn bitte."
        )
        self.amount_eur = amount_eur
        self.recommended_eur = recommended_eur


@transaction.atomic
def change_advance_payment(
    *,
    contract: Contract,
    amount_eur: Decimal,
    reason: str,
    source: str,
    today: date,
    created_by: User | None = None,
    confirmed: bool = False,
) -> AdvancePaymentChange:
    """Change the Abschlag from the next due date on; open instalments from then on get the new amount.

    A cancelled contract (also after a reported move) keeps this while it is supplied on the next due date. A
    reduction of more than 20 % below the calculated amount needs a reason and is flagged for review; an amount more
    than 3 × the calculated one needs ``confirmed`` (a typing slip there would be debited every month).

    :raises ContractNotActive: if the contract has ended or its supply has ended.
    :raises NoAbschlagBeforeSupplyEnds: if supply ends before the next due date.
    :raises AmountNeedsConfirmation: if the amount is far above the calculated one and not confirmed.
    :raises ReductionNeedsReason: if the reduction is beyond the limit and no reason is given.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    valid_from = selectors.next_due_date(contract=contract, as_of=today)
    if not contract.accepts_advance_change(next_due_date=valid_from):
        last_day = contract.last_supply_day
        if contract.status == Contract.Status.ENDED or last_day is None or last_day < today:
            raise errors.ContractNotActive
        raise NoAbschlagBeforeSupplyEnds(last_supply_day=last_day)
    pricing = selectors.get_contract_pricing(contract)
    recommended = selectors.recommended_advance(contract=contract, pricing=pricing, as_of=today)
    recommended_eur = recommended.installment_eur if recommended else amount_eur
    amount_eur = amount_eur.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not confirmed and advance.increase_needs_confirmation(
        chosen_installment_eur=amount_eur, calculated_installment_eur=recommended_eur
    ):
        raise AmountNeedsConfirmation(amount_eur=amount_eur, recommended_eur=recommended_eur)
    needs_review = advance.reduction_needs_review(
        chosen_installment_eur=amount_eur, calculated_installment_eur=recommended_eur
    )
    if needs_review and not reason.strip():
        minimum = (recommended_eur * (1 - advance.MAX_REDUCTION_WITHOUT_REVIEW)).quantize(Decimal("0.01"))
        raise errors.ReductionNeedsReason(minimum_eur=minimum)
    change = AdvancePaymentChange.objects.create(
        contract=contract,
        valid_from=valid_from,
        amount_eur=amount_eur,
        recommended_eur=recommended_eur,
        source=source,
        reason=reason.strip(),
        needs_review=needs_review,
        created_by=created_by,
    )
    Installment.objects.filter(contract=contract, due_date__gte=valid_from, paid_at__isnull=True).update(
        amount_eur=amount_eur
    )
    return change


def new_mandate_reference(customer: Customer, now: datetime) -> str:
    """Return a unique SEPA mandate reference: customer number, date and a random suffix (max. 35 characters)."""
    return f"SWP-{customer.customer_number}-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


@transaction.atomic
def change_bank_account(*, customer: Customer, iban: str, account_holder: str, now: datetime) -> SepaMandate:
    """Replace the active SEPA mandate by a new one for the new IBAN; the old one is ended, never overwritten."""
    Customer.objects.select_for_update().filter(pk=customer.pk).get()
    SepaMandate.objects.filter(customer=customer, revoked_at__isnull=True).update(revoked_at=now)
    return SepaMandate.objects.create(
        customer=customer,
        reference=new_mandate_reference(customer, now),
        iban=iban,
        account_holder=account_holder.strip(),
        signed_at=now,
    )
