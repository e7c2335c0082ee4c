"""The database refuses a mood or a recommendation score on a call that reached nobody."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.models import Channel, Topic, Touchpoint
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def touchpoint(**fields: Any) -> Touchpoint:
    return Touchpoint.objects.create(
        customer=CustomerFactory(),
        channel=Channel.PHONE,
        direction=Touchpoint.Direction.OUTBOUND,
        topic=Topic.COURTESY_CALL,
        summary="Höflichkeitsanruf",
        occurred_at=timezone.now(),
        **fields,
    )


@pytest.mark.parametrize("fields", [{"would_recommend": 10}, {"sentiment": "POSITIVE"}])
def test_a_call_that_reached_nobody_has_no_score_and_no_mood(fields: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        touchpoint(outcome=Touchpoint.Outcome.NOT_REACHED, **fields)


def test_a_call_that_reached_the_customer_keeps_score_and_mood() -> None:
    stored = touchpoint(outcome=Touchpoint.Outcome.RESOLVED, would_recommend=10, sentiment="POSITIVE")

    assert (stored.would_recommend, stored.sentiment) == (10, "POSITIVE")
