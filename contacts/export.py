"""Sections of the customer's data export (Art. 15/20 DSGVO): everything the contacts app stores about a customer.

Touchpoints, consents with each use, call tasks with their notes, interests (sales leads), price-change notices and
the log of staff opening the customer's record. Registered into ``customers.profile.EXPORT_SECTIONS`` by
``ContactsConfig.ready()``. Staff appear by display name only (``User.public_name``), never with full name, e-mail
address or id; confirmation tokens, job keys and file paths on our servers are not exported.

Each section runs exactly one query (consents two), whatever the amount of data.
"""

from __future__ import annotations

from collections import defaultdict

from contacts.models import CallTask, Consent, ConsentUse, CustomerAccessLog, Interest, PriceChangeNotice, Touchpoint
from core.models import User
from customers import profile
from customers.models import Customer


def _staff_name(user: User | None) -> str:
    return user.public_name if user is not None else ""


def export_touchpoints(customer: Customer) -> tuple[str, object]:
    """Return the customer's touchpoints, oldest first (1 query)."""
    touchpoints = Touchpoint.objects.filter(customer=customer).select_related("agent").order_by("occurred_at", "id")
    rows = []
    for touchpoint in touchpoints:
        row = profile.serialize(touchpoint, exclude={"agent", "customer"})
        row["staff_name"] = _staff_name(touchpoint.agent)
        rows.append(row)
    return "touchpoints", rows


def export_consents(customer: Customer) -> tuple[str, object]:
    """Return the customer's consents (in force and withdrawn) with every recorded use (2 queries)."""
    consents = list(Consent.objects.filter(customer=customer).order_by("granted_at", "id"))
    uses: dict[int, list[dict[str, object]]] = defaultdict(list)
    for use in ConsentUse.objects.filter(consent__customer=customer).order_by("used_at", "id"):
        uses[use.consent_id].append(profile.serialize(use, exclude={"consent"}))
    return "consents", [
        {
            **profile.serialize(consent, exclude={"customer", "recorded_by", "confirmation_token"}),
            "uses": uses[consent.pk],
        }
        for consent in consents
    ]


def export_call_tasks(customer: Customer) -> tuple[str, object]:
    """Return the calls planned or made to the customer with their notes and skip reasons (1 query).

    The job key (``source_key``) and the call guide are internal working aids, not data about the customer.
    """
    tasks = CallTask.objects.filter(customer=customer).select_related("assignee").order_by("due_at", "id")
    rows = []
    for task in tasks:
        row = profile.serialize(task, exclude={"customer", "assignee", "guide", "source_key"})
        row["staff_name"] = _staff_name(task.assignee)
        rows.append(row)
    return "call_tasks", rows


def export_interests(customer: Customer) -> tuple[str, object]:
    """Return what the customer told us they are interested in (sales leads) (1 query)."""
    interests = Interest.objects.filter(customer=customer).order_by("noted_at", "id")
    return "interests", [profile.serialize(interest, exclude={"customer"}) for interest in interests]


def export_price_change_notices(customer: Customer) -> tuple[str, object]:
    """Return the price-change notices for the customer's contracts, with the change's date and reason (1 query).

    The claim time is the job's internal lock and the letter's file path is a location on our servers; neither is
    exported (the letter's content is the notice itself, whose data is here).
    """
    notices = (
        PriceChangeNotice.objects.filter(contract__customer=customer)
        .select_related("price_change")
        .order_by("contract_id", "price_change__effective_date", "id")
    )
    rows = []
    for notice in notices:
        row = profile.serialize(notice, exclude={"claimed_at", "letter_pdf"})
        row["price_change_planned_date"] = notice.price_change.effective_date.isoformat()
        row["price_change_reason"] = notice.price_change.reason
        rows.append(row)
    return "price_change_notices", rows


def export_access_log(customer: Customer) -> tuple[str, object]:
    """Return when staff opened the customer's record, and who by display name only (1 query)."""
    entries = CustomerAccessLog.objects.filter(customer=customer).select_related("user").order_by("opened_at", "id")
    return "staff_access_log", [
        {"opened_at": entry.opened_at.isoformat(), "staff_name": _staff_name(entry.user)} for entry in entries
    ]


SECTIONS = (
    export_touchpoints,
    export_consents,
    export_call_tasks,
    export_interests,
    export_price_change_notices,
    export_access_log,
)


def register() -> None:
    """Add the sections to the customers' data export once (ready() may run more than once in tests)."""
    for section in SECTIONS:
        if section not in profile.EXPORT_SECTIONS:
            profile.EXPORT_SECTIONS.append(section)
