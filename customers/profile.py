"""Meine Daten: change contact data, confirm a new e-mail address by link, and export all own data (DSGVO).

Phone and postal address change at once. A new e-mail address is the login, so it takes effect only when the customer
opens the link sent to it (proof that the address is theirs): until then it waits in ``Customer.pending_email``. Only
a SHA-256 hash of the link's token is stored, so a copy of the database cannot confirm anything. After the change the
hash stays (with no pending address), so that opening the used link again can say "already confirmed".

Whether an address already belongs to another login is never revealed when the change is asked for: every new
address gets the link. A conflict is resolved when the link is used, by someone who has just shown that the mailbox is
theirs, and then with a neutral message.

The data export (Art. 15/20 DSGVO) is assembled from ``EXPORT_SECTIONS``: functions that take the customer and
return ``(key, data)``. Other apps add their own sections (touchpoints, consents) from their ``AppConfig.ready()``::

    from customers import profile
    profile.EXPORT_SECTIONS.append(export_touchpoints)
"""

from __future__ import annotations

import enum
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import User
from customers.errors import CustomerActionRefused
from customers.models import (
    AdvancePaymentChange,
    Bill,
    BillLine,
    CancellationRequest,
    Contract,
    Customer,
    Installment,
    MeterReading,
    PriceDeferral,
    SepaMandate,
)
from tariffs.domain.formatting import format_date

logger = logging.getLogger(__name__)

EMAIL_LINK_VALIDITY = timedelta(days=3)
EXPORT_FORMAT_VERSION = 1


class EmailAlreadyUsed(CustomerActionRefused):
    """The confirmed address cannot become this login (another login has it); the message does not say why."""

    def __init__(self) -> None:
        super().__init__(
            "Diese E-Mail-Adresse können wir für Ihren Zugang leider nicht übernehmen. Ihre bisherige Adresse gilt "
            "weiter, auch für die Anmeldung. Bitte geben Sie unter „Meine Daten“ eine andere Adresse an oder rufen "
            "Sie uns an."
        )


class EmailTokenInvalid(CustomerActionRefused):
    """The link's token is not this customer's pending one (the view answers 404)."""

    def __init__(self) -> None:
        super().__init__("Dieser Bestätigungslink ist nicht gültig.")


class EmailTokenExpired(CustomerActionRefused):
    def __init__(self, requested_at: datetime) -> None:
        valid_until = requested_at + EMAIL_LINK_VALIDITY
        super().__init__(
            f"Dieser Bestätigungslink war nur bis zum {format_date(timezone.localdate(valid_until))} gültig. "
            "Bitte geben Sie die neue E-Mail-Adresse unter „Meine Daten“ noch einmal ein; wir schicken Ihnen "
            "dann einen neuen Link."
        )


class EmailLinkState(enum.Enum):
    """What a confirmation link is, seen from the logged-in customer who opens it."""

    PENDING = "pending"  # theirs and valid: the page offers the button
    EXPIRED = "expired"  # theirs, older than three days
    USED = "used"  # theirs, already confirmed
    FOREIGN = "foreign"  # another login's pending or used link
    UNKNOWN = "unknown"  # never issued, replaced by a newer link, or withdrawn


@dataclass(frozen=True, slots=True)
class EmailLink:
    """A confirmation link's state with what the explanation page needs (the customer's own data only)."""

    state: EmailLinkState
    current_email: str
    pending_email: str = ""
    valid_until: datetime | None = None

    @property
    def is_pending(self) -> bool:
        return self.state is EmailLinkState.PENDING

    @property
    def is_expired(self) -> bool:
        return self.state is EmailLinkState.EXPIRED

    @property
    def is_used(self) -> bool:
        return self.state is EmailLinkState.USED

    @property
    def is_foreign(self) -> bool:
        return self.state is EmailLinkState.FOREIGN


@dataclass(frozen=True, slots=True)
class ContactChange:
    """What ``update_contact_data`` did: the fields changed at once and whether an e-mail link was sent."""

    changed_fields: tuple[str, ...]
    email_pending: str = ""

    @property
    def changed_anything(self) -> bool:
        return bool(self.changed_fields or self.email_pending)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _login_taken(email: str, *, own_user_id: int | None) -> bool:
    logins = User.objects.filter(email__iexact=email)
    if own_user_id is not None:
        logins = logins.exclude(pk=own_user_id)
    return logins.exists()


def _send(*, template: str, recipient: str, context: dict[str, Any]) -> None:
    send_mail(
        subject=render_to_string(f"customers/email/{template}_subject.txt", context).strip(),
        message=render_to_string(f"customers/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient],
    )


@transaction.atomic
def update_contact_data(
    *,
    customer: Customer,
    email: str,
    phone: str,
    street: str,
    postal_code: str,
    city: str,
    now: datetime,
    confirm_url: Callable[[str], str],
) -> ContactChange:
    """Change phone and postal address at once; send a confirmation link to a new e-mail address.

    ``confirm_url`` turns a token into the absolute link for the e-mail. Entering the current address again
    withdraws a pending change. An address another login already uses is treated like any other (the link is sent),
    so that this form cannot be used to find out which addresses have a login; ``confirm_email`` refuses it.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    email = email.strip().lower()
    current_email = (customer.user.email if customer.user else customer.email).lower()
    wants_new_email = bool(email) and email != current_email

    changed = []
    for field, value in (("phone", phone.strip()), ("street", street.strip()), ("postal_code", postal_code.strip())):
        if getattr(customer, field) != value:
            setattr(customer, field, value)
            changed.append(field)
    if customer.city != city.strip():
        customer.city = city.strip()
        changed.append("city")

    update_fields = list(changed)
    pending = ""
    if wants_new_email:
        token = secrets.token_urlsafe(32)
        customer.pending_email = email
        customer.pending_email_token = _hash_token(token)
        customer.pending_email_requested_at = now
        update_fields += ["pending_email", "pending_email_token", "pending_email_requested_at"]
        pending = email
        context = {
            "name": customer.name,
            "link": confirm_url(token),
            "valid_until": format_date(timezone.localdate(now + EMAIL_LINK_VALIDITY)),
        }
        transaction.on_commit(partial(_send, template="confirm_email", recipient=email, context=context))
    elif customer.pending_email:  # the customer kept (or re-entered) the current address: withdraw the request
        customer.pending_email = customer.pending_email_token = ""
        customer.pending_email_requested_at = None
        update_fields += ["pending_email", "pending_email_token", "pending_email_requested_at"]
    if update_fields:
        customer.save(update_fields=update_fields)
        logger.info("customer %s changed contact data: %s", customer.pk, ",".join(update_fields))
    return ContactChange(changed_fields=tuple(changed), email_pending=pending)


def _current_email(customer: Customer) -> str:
    return customer.user.email if customer.user else customer.email


def check_email_link(*, customer: Customer, token: str, now: datetime) -> EmailLink:
    """Return what the link's token is for this customer (at most 1 query; only when the link is not theirs)."""
    current = _current_email(customer)
    token_hash = _hash_token(token)
    if customer.pending_email_token and secrets.compare_digest(customer.pending_email_token, token_hash):
        requested_at = customer.pending_email_requested_at
        if not customer.pending_email:
            return EmailLink(state=EmailLinkState.USED, current_email=current)
        valid_until = timezone.localtime((requested_at or now) + EMAIL_LINK_VALIDITY)
        expired = requested_at is None or now > requested_at + EMAIL_LINK_VALIDITY
        return EmailLink(
            state=EmailLinkState.EXPIRED if expired else EmailLinkState.PENDING,
            current_email=current,
            pending_email=customer.pending_email,
            valid_until=valid_until,
        )
    if Customer.objects.filter(pending_email_token=token_hash).exclude(pk=customer.pk).exists():
        return EmailLink(state=EmailLinkState.FOREIGN, current_email=current)
    return EmailLink(state=EmailLinkState.UNKNOWN, current_email=current, pending_email=customer.pending_email)


def find_pending_email(*, customer: Customer, token: str) -> str:
    """Return the pending address the token confirms (for the confirmation page).

    :raises EmailTokenInvalid: if the token is not the customer's pending one.
    """
    if not customer.pending_email or not customer.pending_email_token:
        raise EmailTokenInvalid
    if not secrets.compare_digest(customer.pending_email_token, _hash_token(token)):
        raise EmailTokenInvalid
    return customer.pending_email


def confirm_email(*, customer: Customer, token: str, now: datetime) -> str:
    """Make the pending e-mail address the customer's address and login; tell the old address. Return the new one.

    The token's hash stays after the change, so that the used link can tell the customer it was already confirmed.

    :raises EmailTokenInvalid: if the token is not the customer's pending one.
    :raises EmailTokenExpired: if the link is older than three days.
    :raises EmailAlreadyUsed: if another login has the address: the request is withdrawn, the address unchanged.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        new_email = find_pending_email(customer=customer, token=token)
        requested_at = customer.pending_email_requested_at
        if requested_at is None or now > requested_at + EMAIL_LINK_VALIDITY:
            raise EmailTokenExpired(requested_at or now)
        user = customer.user
        old_email = user.email if user else customer.email
        taken = user is not None and not _set_login_email(user, new_email)
        if taken:  # withdraw the request, so that Meine Daten no longer shows it as waiting
            customer.pending_email = customer.pending_email_token = ""
            customer.pending_email_requested_at = None
            customer.save(update_fields=["pending_email", "pending_email_token", "pending_email_requested_at"])
            logger.info("customer %s: new e-mail address not applied, another login has it", customer.pk)
        else:
            customer.email = new_email
            customer.pending_email = ""
            customer.pending_email_requested_at = None
            customer.save(update_fields=["email", "pending_email", "pending_email_requested_at"])
            logger.info("customer %s confirmed a new e-mail address", customer.pk)
            if old_email and old_email.lower() != new_email:
                context = {"name": customer.name, "changed_on": format_date(timezone.localdate(now))}
                transaction.on_commit(partial(_send, template="email_changed", recipient=old_email, context=context))
    if taken:  # raised outside the transaction: the withdrawn request must stay withdrawn
        raise EmailAlreadyUsed
    return new_email


def _set_login_email(user: User, email: str) -> bool:
    """Give the login the new address; return False (and change nothing) if another login has it."""
    if _login_taken(email, own_user_id=user.pk):
        return False
    user.email = email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:  # another login took the address between the check and the write
        return False
    return True


# --- the data export (Art. 15/20 DSGVO) -----------------------------------------------------------------------------

ExportSection = Callable[[Customer], tuple[str, object]]

# Fields that are not the customer's personal data or would reveal staff (customers see no agent's identity).
_NEVER_EXPORTED = frozenset({"pending_email_token", "created_by", "submitted_by", "user"})


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def serialize(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, object]:
    """Return a model instance's concrete fields as JSON values (Decimal as exact string, dates ISO 8601).

    Foreign keys appear as ``<name>_id``; a field with choices also gets ``<name>_label`` (its German label).
    """
    skipped = _NEVER_EXPORTED | set(exclude)
    data: dict[str, object] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped:
            continue
        value = field.value_from_object(instance)
        data[field.attname] = _json_value(value)
        if field.choices and value not in (None, ""):
            data[f"{field.name}_label"] = str(getattr(instance, f"get_{field.name}_display")())
    return data


def _customer_section(customer: Customer) -> tuple[str, object]:
    data = serialize(customer)
    user = customer.user
    if user is not None:
        data["login"] = {"email": user.email, "name": user.full_name, "registered_at": _json_value(user.date_joined)}
    return "customer", data


def _contracts_section(customer: Customer) -> tuple[str, object]:
    contracts = Contract.objects.filter(customer=customer).select_related("tariff").order_by("start_date", "id")
    rows = []
    for contract in contracts:
        row = serialize(contract, exclude={"customer"})
        row["tariff_name"] = contract.tariff.name
        rows.append(row)
    return "contracts", rows


def _per_contract(model: type[models.Model], key: str, *order: str) -> ExportSection:
    def section(customer: Customer) -> tuple[str, object]:
        rows = model._default_manager.filter(contract__customer=customer).order_by(*order)
        return key, [serialize(row) for row in rows]

    section.__name__ = f"export_{key}"
    return section


def _bills_section(customer: Customer) -> tuple[str, object]:
    bills = list(Bill.objects.filter(contract__customer=customer).order_by("contract_id", "period_start", "id"))
    lines_by_bill: dict[int, list[dict[str, object]]] = {bill.pk: [] for bill in bills}
    for line in BillLine.objects.filter(bill__contract__customer=customer).order_by("bill_id", "position", "id"):
        lines_by_bill[line.bill_id].append(serialize(line, exclude={"bill"}))
    return "bills", [{**serialize(bill), "lines": lines_by_bill[bill.pk]} for bill in bills]


def _mandates_section(customer: Customer) -> tuple[str, object]:
    mandates = SepaMandate.objects.filter(customer=customer).order_by("signed_at", "id")
    return "sepa_mandates", [serialize(mandate, exclude={"customer"}) for mandate in mandates]


def _cancellations_section(customer: Customer) -> tuple[str, object]:
    own = Q(contract__customer=customer)
    if customer.user_id is not None:
        own |= Q(submitted_by_id=customer.user_id)
    requests = CancellationRequest.objects.filter(own).order_by("submitted_at", "id")
    return "cancellation_requests", [serialize(request) for request in requests]


EXPORT_SECTIONS: list[ExportSection] = [
    _customer_section,
    _contracts_section,
    _per_contract(MeterReading, "meter_readings", "contract_id", "read_date", "id"),
    _per_contract(AdvancePaymentChange, "advance_payment_changes", "contract_id", "valid_from", "id"),
    _per_contract(Installment, "installments", "contract_id", "due_date", "id"),
    _per_contract(PriceDeferral, "price_deferrals", "contract_id", "planned_date", "id"),
    _bills_section,
    _mandates_section,
    _cancellations_section,
]


def export_customer_data(customer: Customer, *, now: datetime | None = None) -> dict[str, object]:
    """Return all data stored about the customer as JSON-ready values, one key per section of ``EXPORT_SECTIONS``.

    One query per section (plus one for the bill lines), whatever the amount of data.
    """
    data: dict[str, object] = {"format_version": EXPORT_FORMAT_VERSION}
    if now is not None:
        data["exported_at"] = now.isoformat()
    for section in EXPORT_SECTIONS:
        key, value = section(customer)
        if key in data:
            raise ValueError(f"two export sections use the key {key!r}")
        data[key] = value
    return data
