"""The customer's own contact history („Ihre Kontakte mit uns"): touchpoints newest first, staff shown by display name.

Customers never see an agent's full name or e-mail address (DOMAIN.md, personal data): only ``User.public_name``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator

from contacts.models import Channel, Topic, Touchpoint
from core.models import User
from customers.models import Customer

PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class ContactLine:
    occurred_at: datetime
    channel_label: str
    direction_label: str
    topic_label: str
    outcome_label: str
    summary: str
    staff_name: str


@dataclass(frozen=True, slots=True)
class ContactPage:
    lines: list[ContactLine]
    total: int
    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def get_contact_history(*, customer: Customer, page: int | str | None = 1, per_page: int = PER_PAGE) -> ContactPage:
    """Return one page of the customer's touchpoints, newest first (2 queries: count and page).

    Only the agent's display name is read from the database, never the full name or e-mail address.
    """
    rows = (
        Touchpoint.objects.filter(customer=customer)
        .order_by("-occurred_at", "-id")
        .values(
            "occurred_at",
            "channel",
            "direction",
            "topic",
            "outcome",
            "summary",
            "agent_id",
            "agent__display_name",
        )
    )
    paginator = Paginator(rows, per_page)
    current = paginator.get_page(page)
    lines = []
    for row in current.object_list:
        staff_name = ""
        if row["agent_id"] is not None:
            staff_name = User(display_name=row["agent__display_name"]).public_name
        lines.append(
            ContactLine(
                occurred_at=row["occurred_at"],
                channel_label=Channel(row["channel"]).label,
                direction_label=Touchpoint.Direction(row["direction"]).label,
                topic_label=Topic(row["topic"]).label,
                outcome_label=Touchpoint.Outcome(row["outcome"]).label,
                summary=row["summary"],
                staff_name=staff_name,
            )
        )
    return ContactPage(lines=lines, total=paginator.count, number=current.number, num_pages=paginator.num_pages)
