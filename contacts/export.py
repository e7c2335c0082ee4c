"""Sections of the customer's data export (Art. 15/20 DSGVO): touchpoints, and consents with each use.

Registered into ``customers.profile.EXPORT_SECTIONS`` by ``ContactsConfig.ready()``. Staff appear by display name
only (``User.public_name``), never with full name or e-mail address; confirmation tokens are not exported.
"""

from __future__ import annotations

from collections import defaultdict

from contacts.models import Consent, ConsentUse, Touchpoint
from customers import profile
from customers.models import Customer


def export_touchpoints(customer: Customer) -> tuple[str, object]:
    """Return the customer's touchpoints, oldest first (1 query)."""
    touchpoints = Touchpoint.objects.filter(customer=customer).select_related("agent").order_by("occurred_at", "id")
    rows = []
    for touchpoint in touchpoints:
        row = profile.serialize(touchpoint, exclude={"agent", "customer"})
        row["staff_name"] = touchpoint.agent.public_name if touchpoint.agent else ""
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


SECTIONS = (export_touchpoints, export_consents)


def register() -> None:
    """Add the sections to the customers' data export once (ready() may run more than once in tests)."""
    for section in SECTIONS:
        if section not in profile.EXPORT_SECTIONS:
            profile.EXPORT_SECTIONS.append(section)
