"""The cancellation button (§ 312k BGB): record a declaration, match it to a contract, confirm it in text form.

Rules (DOMAIN.md, "Cancellation button"):

- The declaration is stored as submitted, with the time it was received, before anything else happens.
- It is matched to a contract only when the customer number, the contract or meter number (every one given must
  agree) and the postal code of the supply address all agree with one active contract; a logged-in customer picks
  one of their own contracts. Anything else goes to the review list for staff (status REVIEW), and no contract is
  touched. A declaration held for review (an anonymous flood, see customers.views.cancellation) is not matched
  automatically either: it is stored and confirmed like every other, and staff assign it.
- Contract.end_date is half-open like every period in the models (``is_supplied_on``: the first day *without*
  supply). A notice period runs from the day after receipt (§ 187 Abs. 1 BGB) and ends with the expiry of the day
  that corresponds to the day of receipt (§ 188 Abs. 2, 3 BGB), so the contract's end_date is the day after that.
  ``minimum_term_end`` follows the same half-open convention: the contract cannot end before it.
  Ordinary cancellation: basic supply two weeks (§ 20 StromGVV/GasGVV), special contracts ``notice_period_months``.
  A desired end date is the last day of supply the customer asks for; it counts when it is later than the earliest.
- Extraordinary cancellation after a price change (special termination right, § 41 Abs. 5 EnWG, § 5 Abs. 3 GVV)
  ends the contract when the change takes effect: end_date = valid_from of the tariff's next future price version.
  Without a pending price change the earliest ordinary date applies (staff review the reason).
- The confirmation e-mail goes out after commit and reads the same whether the declaration matched or not: the
  anonymous form never reveals whether a customer or contract exists.
"""

from __future__ import annotations

import logging
import secrets
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import User
from customers import errors
from customers.models import CancellationRequest, Contract
from tariffs.domain.formatting import format_date
from tariffs.models import PriceVersion

logger = logging.getLogger(__name__)

BASIC_SUPPLY_NOTICE = timedelta(weeks=2)
PRICE_CHANGE_REASON = "PRICE_CHANGE"  # Contract.cancellation_reason when the special termination right was used
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone without confusion
ONE_DAY = timedelta(days=1)


class CancellationNotStored(Exception):
    """No unique reference could be drawn for a declaration (practically never happens)."""


class CancellationAlreadyMatched(errors.CustomerActionRefused):
    def __init__(self) -> None:
        super().__init__("Diese Kündigung ist schon einem Vertrag zugeordnet oder abgeschlossen.")


class CancellationEndsBeforeStart(errors.CustomerActionRefused):
    def __init__(self, start_date: date) -> None:
        super().__init__(
            f"Der Vertrag würde vor dem Lieferbeginn am {format_date(start_date)} enden; "
            "bitte klären Sie das mit der Kundin oder dem Kunden."
        )


class LeavingReason(models.TextChoices):
    """Answers to the optional question "Warum gehen Sie?" (asked only after the cancellation is received)."""

    PRICE = "PRICE", "Der Preis ist mir zu hoch"
    PRICE_CHANGE = "PRICE_CHANGE", "Die Preiserhöhung"
    OTHER_SUPPLIER = "OTHER_SUPPLIER", "Ich habe ein besseres Angebot gefunden"
    MOVING = "MOVING", "Ich ziehe um"
    SERVICE = "SERVICE", "Ich bin mit dem Service unzufrieden"
    OWN_SUPPLY = "OWN_SUPPLY", "Eigene Erzeugung (z. B. Photovoltaik, Wärmepumpe)"
    OTHER = "OTHER", "Ein anderer Grund"


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a declaration lands: the matched contract and its end date, or the review list (contract None)."""

    contract: Contract | None
    effective_date: date | None
    used_price_change: bool = False


def add_months(day: date, months: int) -> date:
    """Return the day ``months`` later with the same day of month, or the month's last day (§ 188 Abs. 3 BGB)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def earliest_end_date(
    *, received_on: date, is_basic_supply: bool, notice_period_months: int, minimum_term_end: date | None
) -> date:
    """Return the earliest end_date (first day without supply) of an ordinary cancellation received on a day.

    Basic supply: two weeks' notice. Special contracts: the notice period in months, never before the end of the
    minimum term. Example: received 21.11.2026, one month → supplied through 21.12.2026, end_date 22.12.2026.
    """
    if is_basic_supply:
        return received_on + BASIC_SUPPLY_NOTICE + ONE_DAY
    end = add_months(received_on, notice_period_months) + ONE_DAY
    if minimum_term_end is not None:
        end = max(end, minimum_term_end)
    return end


def pending_price_change(*, contract: Contract, today: date) -> date | None:
    """Return the day the tariff's next price version takes effect after today, or None."""
    return (
        PriceVersion.objects.filter(tariff_id=contract.tariff_id, valid_from__gt=today)
        .order_by("valid_from", "pk")
        .values_list("valid_from", flat=True)
        .first()
    )


def effective_end_date(
    *, contract: Contract, kind: str, desired_end_date: date | None, received_on: date
) -> tuple[date, bool]:
    """Return the contract's end_date for a cancellation and whether the special termination right set it."""
    used_price_change = False
    end = earliest_end_date(
        received_on=received_on,
        is_basic_supply=contract.is_basic_supply,
        notice_period_months=contract.notice_period_months,
        minimum_term_end=contract.minimum_term_end,
    )
    if kind == CancellationRequest.Kind.EXTRAORDINARY:
        change_date = pending_price_change(contract=contract, today=received_on)
        if change_date is not None:
            end, used_price_change = change_date, True
    if desired_end_date is not None:
        end = max(end, desired_end_date + ONE_DAY)
    return end, used_price_change


def last_supply_day(end_date: date | None) -> date | None:
    """Return the last day of supply for a half-open end_date (what customers call "Vertragsende")."""
    return None if end_date is None else end_date - ONE_DAY


def _normalize(value: str) -> str:
    return "".join(value.split()).upper()


def find_contract(
    *, customer_number: str, contract_number: str, meter_number: str, postal_code: str
) -> Contract | None:
    """Return the one active contract the identification data point to, or None (then staff review it).

    All of customer number, postal code of the supply address and at least one of contract and meter number are
    needed; every number given must agree. Two candidates (which should not happen) count as no match.
    """
    customer_number, postal_code = customer_number.strip(), postal_code.strip()
    contract_number, meter_number = _normalize(contract_number), _normalize(meter_number)
    if not customer_number or not postal_code or not (contract_number or meter_number):
        return None
    candidates = Contract.objects.filter(
        customer__customer_number=customer_number, postal_code=postal_code, status=Contract.Status.ACTIVE
    )
    if contract_number:
        candidates = candidates.filter(contract_number__iexact=contract_number)
    if meter_number:
        candidates = candidates.filter(meter_number__iexact=meter_number)
    found = list(candidates.order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


def _new_reference(now: datetime) -> str:
    token = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"K-{timezone.localdate(now):%Y%m%d}-{token}"


def _create_request(*, submitted_at: datetime, **fields: Any) -> CancellationRequest:
    """Insert the declaration under a fresh random reference (retrying the unlikely collision)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return CancellationRequest.objects.create(
                    reference=_new_reference(submitted_at), submitted_at=submitted_at, **fields
                )
        except IntegrityError:
            continue
    raise CancellationNotStored


def _match(
    *,
    cancellation: CancellationRequest,
    user: User | None,
    chosen_contract: Contract | None,
) -> Outcome:
    """Find the contract (locked) and its end date; a contract that cannot end then goes to review."""
    if chosen_contract is not None:
        contract = (
            Contract.objects.select_for_update()
            .filter(pk=chosen_contract.pk, customer__user=user, status=Contract.Status.ACTIVE)
            .first()
            if user is not None
            else None
        )
    else:
        found = find_contract(
            customer_number=cancellation.customer_number,
            contract_number=cancellation.contract_number,
            meter_number=cancellation.meter_number,
            postal_code=cancellation.postal_code,
        )
        contract = (
            Contract.objects.select_for_update().filter(pk=found.pk, status=Contract.Status.ACTIVE).first()
            if found is not None
            else None
        )
    if contract is None:
        return Outcome(contract=None, effective_date=None)
    end, used_price_change = effective_end_date(
        contract=contract,
        kind=cancellation.kind,
        desired_end_date=cancellation.desired_end_date,
        received_on=timezone.localdate(cancellation.submitted_at),
    )
    if end <= contract.start_date:  # cancelled before supply even begins: a case for staff
        return Outcome(contract=None, effective_date=None)
    return Outcome(contract=contract, effective_date=end, used_price_change=used_price_change)


def _record_on_contract(*, cancellation: CancellationRequest, outcome: Outcome) -> None:
    contract = outcome.contract
    assert contract is not None and outcome.effective_date is not None
    contract.status = Contract.Status.CANCELLED
    contract.end_date = outcome.effective_date
    contract.cancelled_at = cancellation.submitted_at
    contract.cancellation_kind = cancellation.kind
    contract.cancellation_reason = PRICE_CHANGE_REASON if outcome.used_price_change else ""
    contract.save(update_fields=["status", "end_date", "cancelled_at", "cancellation_kind", "cancellation_reason"])
    cancellation.contract = contract
    cancellation.effective_date = outcome.effective_date
    cancellation.status = CancellationRequest.Status.MATCHED
    cancellation.save(update_fields=["contract", "effective_date", "status"])


@transaction.atomic
def submit_cancellation(
    *,
    kind: str,
    extraordinary_reason: str,
    name: str,
    customer_number: str,
    contract_number: str,
    meter_number: str,
    postal_code: str,
    desired_end_date: date | None,
    email: str,
    now: datetime,
    user: User | None = None,
    contract: Contract | None = None,
    hold_for_review: bool = False,
) -> CancellationRequest:
    """Record a cancellation made with the cancellation button and send the confirmation after commit.

    ``contract`` is the contract a logged-in ``user`` chose (it must be theirs); the identification then comes from
    it. Unmatched declarations go to the review list, and so does every declaration ``hold_for_review`` (staff match
    it; the notice period still counts from ``now``). The confirmation never says which of these happened.

    :raises CancellationNotStored: if no unique reference could be drawn (practically never).
    """
    if contract is not None:
        customer_number, postal_code = contract.customer.customer_number, contract.postal_code
        contract_number, meter_number = contract.contract_number, contract.meter_number
    cancellation = _create_request(
        submitted_at=now,
        kind=kind,
        extraordinary_reason=extraordinary_reason.strip() if kind == CancellationRequest.Kind.EXTRAORDINARY else "",
        name=name.strip(),
        customer_number=customer_number.strip(),
        contract_number=contract_number.strip(),
        meter_number=meter_number.strip(),
        postal_code=postal_code.strip(),
        desired_end_date=desired_end_date,
        email=email.strip(),
        status=CancellationRequest.Status.REVIEW,
        submitted_by=user if user is not None and user.is_authenticated else None,
    )
    if hold_for_review:
        logger.warning(
            "cancellation %s held for review: anonymous submissions over the hourly limit", cancellation.reference
        )
        transaction.on_commit(partial(send_confirmation, cancellation_id=cancellation.pk))
        return cancellation
    try:
        # A savepoint: if recording on the contract fails, the declaration itself is kept for staff to review.
        with transaction.atomic():
            outcome = _match(cancellation=cancellation, user=user, chosen_contract=contract)
            if outcome.contract is not None:
                _record_on_contract(cancellation=cancellation, outcome=outcome)
    except DatabaseError:
        logger.exception("cancellation %s could not be matched; left for review", cancellation.reference)
        cancellation.status = CancellationRequest.Status.REVIEW
        cancellation.contract, cancellation.effective_date = None, None
    transaction.on_commit(partial(send_confirmation, cancellation_id=cancellation.pk))
    return cancellation


@transaction.atomic
def assign_contract(*, cancellation: CancellationRequest, contract: Contract) -> CancellationRequest:
    """Record a reviewed declaration on the contract staff found for it, with the date it was received.

    :raises CancellationAlreadyMatched: if the declaration already belongs to a contract.
    :raises ContractNotActive: if the contract is no longer active.
    :raises CancellationEndsBeforeStart: if the contract would end before its supply begins.
    """
    cancellation = CancellationRequest.objects.select_for_update().get(pk=cancellation.pk)
    if cancellation.status != CancellationRequest.Status.REVIEW:
        raise CancellationAlreadyMatched
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_active:
        raise errors.ContractNotActive
    end, used_price_change = effective_end_date(
        contract=contract,
        kind=cancellation.kind,
        desired_end_date=cancellation.desired_end_date,
        received_on=timezone.localdate(cancellation.submitted_at),
    )
    if end <= contract.start_date:
        raise CancellationEndsBeforeStart(contract.start_date)
    _record_on_contract(
        cancellation=cancellation,
        outcome=Outcome(contract=contract, effective_date=end, used_price_change=used_price_change),
    )
    return cancellation


@transaction.atomic
def record_leaving_reason(*, cancellation: CancellationRequest, reason: str, comment: str) -> CancellationRequest:
    """Store the optional answer to "Warum gehen Sie?"; a matched contract keeps the reason for sales statistics.

    :raises ValueError: if the reason is not one of LeavingReason (the form prevents that).
    """
    if reason and reason not in LeavingReason.values:
        raise ValueError(reason)
    cancellation = CancellationRequest.objects.select_for_update().get(pk=cancellation.pk)
    cancellation.leaving_reason = reason
    cancellation.leaving_comment = comment.strip()
    cancellation.save(update_fields=["leaving_reason", "leaving_comment"])
    if reason and cancellation.contract_id is not None and cancellation.status == CancellationRequest.Status.MATCHED:
        # A special termination after a price change keeps that reason: it is the legal ground, and sales count it.
        Contract.objects.filter(pk=cancellation.contract_id, cancelled_at=cancellation.submitted_at).exclude(
            cancellation_reason=PRICE_CHANGE_REASON
        ).update(cancellation_reason=reason)
    return cancellation


def confirmation_context(cancellation: CancellationRequest) -> dict[str, object]:
    """Return what the confirmation (page, e-mail, file) shows: the declaration as submitted, with date and time.

    It contains nothing that depends on whether the declaration matched a contract.
    """
    return {
        "cancellation": cancellation,
        "received_at": timezone.localtime(cancellation.submitted_at),
        "utility_name": settings.UTILITY_NAME,
        "utility_address": settings.UTILITY_ADDRESS,
        "utility_phone": settings.UTILITY_PHONE,
        "utility_email": settings.UTILITY_EMAIL,
    }


def confirmation_text(cancellation: CancellationRequest) -> str:
    """Return the confirmation in text form (e-mail body and the downloadable file)."""
    return render_to_string("customers/cancellation_confirmation.txt", confirmation_context(cancellation))


def confirmation_subject(cancellation: CancellationRequest) -> str:
    return f"Ihre Kündigung ist eingegangen (Eingangsnummer {cancellation.reference})"


def send_confirmation(*, cancellation_id: int) -> None:
    """Send the confirmation e-mail. A mail-server failure is logged (without personal data), not raised: the
    declaration is stored and the page the customer sees is itself a confirmation they can save."""
    cancellation = CancellationRequest.objects.get(pk=cancellation_id)
    try:
        send_mail(
            subject=confirmation_subject(cancellation),
            message=confirmation_text(cancellation),
            from_email=None,
            recipient_list=[cancellation.email],
        )
    except OSError:  # smtplib.SMTPException is an OSError
        logger.exception("confirmation for cancellation %s could not be sent", cancellation.reference)
