"""Use cases of the customer portal (also used by agents acting for a customer). Each owns its transaction."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from core.models import User
from customers import errors, selectors
from customers.models import AdvancePaymentChange, Contract, Customer, Installment, MeterReading, SepaMandate
from tariffs.domain import advance
from tariffs.domain.formatting import format_date, format_eur

logger = logging.getLogger(__name__)

PLAUSIBILITY_FACTOR = Decimal(3)  # a daily consumption above 3 × the forecast's daily rate is flagged for review


@dataclass(frozen=True, slots=True)
class ReadingResult:
    reading: MeterReading
    consumption_kwh: Decimal | None
    projection: selectors.Projection | None
    replaced_value: Decimal | None = None  # the customer's earlier value for the day, when this one replaced it


@transaction.atomic
def submit_meter_reading(
    *,
    contract: Contract,
    value: Decimal,
    read_date: date,
    source: str,
    today: date,
    created_by: User | None = None,
    ask_if_implausible: bool = False,
    replace_own: bool = False,
) -> ReadingResult:
    """Record a meter reading.

    A consumption above 3 × the forecast's daily rate is accepted but flagged for review („wird geprüft“); projections
    leave such a reading out until it is checked. With ``ask_if_implausible`` (the customer portal) it is not saved
    at all until the customer confirms it: a worried customer sees "Stimmt dieser Stand?" rather than a five-figure
    Nachzahlung. A customer may replace their own reading of the day (selectors.reading_is_correctable) with
    ``replace_own``; without it they are asked first.

    :raises ReadingInFuture: if the date is after today (Berlin).
    :raises ReadingBeforeContractStart / ReadingAfterContractEnd: outside the supply period.
    :raises ReadingCanBeReplaced: if the customer's own correctable reading exists for that day and ``replace_own`` is
        not set.
    :raises ReadingAlreadyExists: if the contract has another reading for that day.
    :raises ReadingBelowPrevious: if it is lower than the last reading before that day (names it).
    :raises ReadingAboveNext: if it is higher than the next reading after that day.
    :raises ReadingLooksImplausible: if it is implausible and ``ask_if_implausible`` is set.
    """
    # Lock the contract row so two submissions for one contract are checked one after the other.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    unit = contract.get_meter_unit_display()
    if read_date > today:
        raise errors.ReadingInFuture(read_date)
    if read_date < contract.start_date:
        raise errors.ReadingBeforeContractStart(contract.start_date)
    if contract.end_date is not None and read_date > contract.end_date:
        raise errors.ReadingAfterContractEnd(contract.end_date)
    existing = contract.readings.filter(read_date=read_date).first()
    if existing is not None:
        correctable = source == MeterReading.Source.CUSTOMER and selectors.reading_is_correctable(
            reading=existing, user=created_by, today=today
        )
        if not correctable:
            raise errors.ReadingAlreadyExists(read_date)
        if not replace_own:
            raise errors.ReadingCanBeReplaced(
                read_date=read_date, existing_value=existing.value, new_value=value, unit=unit
            )
    previous = selectors.get_latest_reading(contract=contract, before=read_date)
    if previous is not None and value < previous.value:
        raise errors.ReadingBelowPrevious(
            previous_value=previous.value,
            previous_date=previous.read_date,
            unit=unit,
            previous_correctable=source == MeterReading.Source.CUSTOMER
            and previous.is_flagged
            and selectors.reading_is_correctable(reading=previous, user=created_by, today=today),
        )
    following = selectors.get_next_reading(contract=contract, after=read_date)
    if following is not None and value > following.value:
        raise errors.ReadingAboveNext(next_value=following.value, next_date=following.read_date, unit=unit)
    consumption = None
    flagged, reason = False, ""
    if previous is not None:
        consumption = selectors.to_kwh(contract=contract, meter_delta=value - previous.value)
        days = (read_date - previous.read_date).days
        expected = contract.forecast_kwh / 365 * days
        if contract.forecast_kwh > 0 and consumption > expected * PLAUSIBILITY_FACTOR:
            if ask_if_implausible:
                raise errors.ReadingLooksImplausible(
                    value=value,
                    unit=unit,
                    consumption_kwh=consumption,
                    expected_kwh=expected,
                    since=previous.read_date,
                )
            flagged = True
            reason = "Verbrauch über dem Dreifachen der Prognose"
    replaced_value = None
    if existing is not None:
        # Only the customer's own unbilled reading gets here (reading_is_correctable); log ids, never values.
        replaced_value = existing.value
        existing.value, existing.is_flagged, existing.flag_reason = value, flagged, reason
        existing.save(update_fields=["value", "is_flagged", "flag_reason"])
        logger.info("reading %s of contract %s replaced by its customer", existing.pk, contract.pk)
        reading = existing
    else:
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
        replaced_value=replaced_value,
    )


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
    keep_later: bool | None = None,
) -> AdvancePaymentChange:
    """Change the Abschlag from the next due date on; open instalments from then on get the new amount.

    The calculated amount the rules compare with is the one for the twelve months from the next due date, at the
    prices that apply in them (selectors.recommended_advance_for_year). A cancelled contract (also after a reported
    move) keeps this while it is supplied on the next due date. A reduction of more than 20 % below the calculated
    amount needs a reason and is flagged for review; an amount more than 3 × the calculated one needs ``confirmed``
    (a typing slip there would be debited every month).

    When the plan already has entries after the next due date (e.g. a new Abschlag for a price change from
    01.02.2027), the caller must say what happens to them, never silently: with ``keep_later`` they stay and the new
    amount applies until the first of them; without it the new amount applies from each of their dates too - a new
    entry of this change's source on each such date supersedes the earlier one (the plan keeps both, the latest entry
    for a date wins).

    :raises ContractNotActive: if the contract has ended or its supply has ended.
    :raises errors.NoAbschlagBeforeSupplyEnds: if supply ends before the next due date.
    :raises LaterPlanNeedsDecision: if the plan has later entries and ``keep_later`` is None.
    :raises errors.AmountNeedsConfirmation: if the amount is far above the calculated one and not confirmed.
    :raises ReductionNeedsReason: if the reduction is beyond the limit and no reason is given.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    valid_from = selectors.next_due_date(contract=contract, as_of=today)
    if not contract.accepts_advance_change(next_due_date=valid_from):
        last_day = contract.last_supply_day
        if contract.status == Contract.Status.ENDED or last_day is None or last_day < today:
            raise errors.ContractNotActive
        raise errors.NoAbschlagBeforeSupplyEnds(last_supply_day=last_day)
    later = selectors.get_later_plan_steps(contract=contract, as_of=today)
    if later and keep_later is None:
        raise errors.LaterPlanNeedsDecision(later_dates=[step.valid_from for step in later])
    pricing = selectors.get_contract_pricing(contract)
    recommended = selectors.recommended_advance_for_year(contract=contract, pricing=pricing, start=valid_from)
    recommended_eur = recommended.installment_eur if recommended else amount_eur
    amount_eur = amount_eur.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not confirmed and advance.increase_needs_confirmation(
        chosen_installment_eur=amount_eur, calculated_installment_eur=recommended_eur
    ):
        raise errors.AmountNeedsConfirmation(amount_eur=amount_eur, recommended_eur=recommended_eur)
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
    open_installments = Installment.objects.filter(contract=contract, due_date__gte=valid_from, paid_at__isnull=True)
    if later and keep_later:
        open_installments = open_installments.filter(due_date__lt=later[0].valid_from)
    elif later:
        AdvancePaymentChange.objects.bulk_create(
            AdvancePaymentChange(
                contract=contract,
                valid_from=step.valid_from,
                amount_eur=amount_eur,
                recommended_eur=recommended_eur,
                source=source,
                reason=(
                    f"Ersetzt den geplanten Abschlag von {format_eur(step.amount_eur)} ({step.source_label}); "
                    f"der Abschlag ab {format_date(valid_from)} gilt auch hier."
                    + (f" {change.reason}" if change.reason else "")
                ),
                needs_review=needs_review,
                created_by=created_by,
            )
            for step in later
        )
    open_installments.update(amount_eur=amount_eur)
    return change


def describe_advance_change(
    *, change: AdvancePaymentChange, later: tuple[selectors.PlanStep, ...], keep_later: bool
) -> str:
    """Say in German what applies when after a change: the new amount from its date, and what happens from each
    later plan entry's date on (kept or replaced)."""
    text = f"Ihr Abschlag beträgt ab dem {format_date(change.valid_from)} {format_eur(change.amount_eur)}."
    if later and keep_later:
        steps = "; ".join(
            f"ab dem {format_date(step.valid_from)} {format_eur(step.amount_eur)} ({step.source_label})"
            for step in later
        )
        text += f" Wie geplant gilt dann {steps}."
    elif later:
        replaced = " und ".join(
            f"ab dem {format_date(step.valid_from)} statt der geplanten {format_eur(step.amount_eur)} "
            f"({step.source_label})"
            for step in later
        )
        text += f" Er gilt auch {replaced}."
    return text


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
