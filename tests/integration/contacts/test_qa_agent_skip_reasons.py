"""Skip reasons from a fixed list, grouped cleanly for sales (QA finding 6), and no score or mood for a customer who
was not reached (QA finding 8)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import dashboard, queue, touchpoints
from contacts.models import CallTask, ConsentUse, Touchpoint
from core.models import Role, User
from customers.models import Contract
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
PERIOD = dashboard.make_filter(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), as_of=date(2026, 11, 21))


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT)


def skipped_courtesy_call(reason: str) -> CallTask:
    contract = ContractFactory(start_date=date(2026, 2, 1))
    return CallTask.objects.create(
        customer=contract.customer, contract=contract, kind="COURTESY", topic="COURTESY_CALL",
        due_at=datetime(2026, 2, 15, 9, tzinfo=BERLIN), status="SKIPPED", skip_reason=reason,
    )  # fmt: skip


# --- the fixed list ------------------------------------------------------------------------------------------------


def test_a_reason_of_the_list_is_stored_as_its_label_the_same_text_the_courtesy_job_writes(agent: User) -> None:
    task = CallTask.objects.create(customer=ContractFactory().customer, kind="COURTESY", due_at=NOW)

    queue.skip(task=task, agent=agent, reason=queue.SkipReason.NO_CONSENT, now=NOW)

    task.refresh_from_db()
    assert (task.status, task.skip_reason) == (CallTask.Status.SKIPPED, "keine Einwilligung")
    assert not Touchpoint.objects.filter(customer=task.customer).exists()  # no call, no touchpoint
    assert not ConsentUse.objects.filter(call_task=task).exists()  # no call, no consent used


@pytest.mark.parametrize("reason", ["", "keine telefonische Einwilligung", "no_consent"])
def test_a_reason_outside_the_list_is_refused_and_nothing_is_written(agent: User, reason: str) -> None:
    task = CallTask.objects.create(customer=ContractFactory().customer, kind="COURTESY", due_at=NOW)

    with pytest.raises(queue.SkipReasonMissing):
        queue.skip(task=task, agent=agent, reason=reason, now=NOW)

    task.refresh_from_db()
    assert (task.status, task.skip_reason) == (CallTask.Status.OPEN, "")


def test_sonstiges_needs_the_agents_words_and_keeps_them_after_a_colon(agent: User) -> None:
    task = CallTask.objects.create(customer=ContractFactory().customer, kind="COURTESY", due_at=NOW)

    with pytest.raises(queue.SkipDetailMissing):
        queue.skip(task=task, agent=agent, reason=queue.SkipReason.OTHER, detail="  ", now=NOW)
    queue.skip(task=task, agent=agent, reason=queue.SkipReason.OTHER, detail="Kundin  im Urlaub", now=NOW)

    task.refresh_from_db()
    assert task.skip_reason == "Sonstiges: Kundin im Urlaub"


# --- the sales statistics ------------------------------------------------------------------------------------------


def test_skip_reasons_are_grouped_by_the_reason_of_the_list_whatever_was_typed() -> None:
    for reason in ["keine Einwilligung", "keine Einwilligung", "keine telefonische Einwilligung",
                   "Keine Telefon-Einwilligung", "keine Einwilligung: Kunde will keine Anrufe",
                   "Kontaktobergrenze erreicht", "Kunde hat bereits gekündigt",
                   "Sonstiges: Kundin im Urlaub", "Kundin im Urlaub", "hat sich bereits selbst gemeldet"]:  # fmt: skip
        skipped_courtesy_call(reason)

    rows = dashboard.get_courtesy_skip_reasons(flt=PERIOD)

    assert [(row.key, row.label, row.count) for row in rows] == [
        ("NO_CONSENT", "keine Einwilligung", 5),
        ("OTHER", "Sonstiges", 2),
        ("ALREADY_IN_CONTACT", "Kontakt bereits erfolgt", 1),
        ("CONTACT_CAP", "Kontaktobergrenze erreicht", 1),
        ("CONTRACT_ENDED", "Vertrag gekündigt oder beendet", 1),
    ]
    assert rows[0].share == Decimal("50.0")


def test_grouping_the_skip_reasons_still_runs_one_query(django_assert_num_queries: Any) -> None:
    skipped_courtesy_call("keine telefonische Einwilligung")

    with django_assert_num_queries(1):
        rows = dashboard.get_courtesy_skip_reasons(flt=PERIOD)

    assert [row.label for row in rows] == ["keine Einwilligung"]


# --- not reached: no score, no mood -------------------------------------------------------------------------------


@pytest.fixture
def contract() -> Contract:
    return ContractFactory()


def record(contract: Contract, **fields: Any) -> Touchpoint:
    values: dict[str, Any] = {
        "customer": contract.customer, "agent": None, "channel": "PHONE", "direction": "OUT",
        "topic": "COURTESY_CALL", "outcome": "NOT_REACHED", "summary": "", "occurred_at": NOW, **fields,
    }  # fmt: skip
    return touchpoints.record_touchpoint(**values)


@pytest.mark.parametrize("rating", [{"would_recommend": 10}, {"would_recommend": 0}, {"sentiment": "POSITIVE"}])
def test_a_touchpoint_that_did_not_reach_the_customer_refuses_a_score_or_a_mood(
    contract: Contract, rating: dict[str, Any]
) -> None:
    with pytest.raises(touchpoints.RatingWithoutConversation):
        record(contract, **rating)

    assert not Touchpoint.objects.filter(customer=contract.customer).exists()


def test_a_touchpoint_that_did_not_reach_the_customer_is_recorded_without_rating(contract: Contract) -> None:
    touchpoint = record(contract)

    assert (touchpoint.outcome, touchpoint.would_recommend, touchpoint.sentiment) == ("NOT_REACHED", None, "")


@pytest.mark.parametrize("outcome", sorted(set(Touchpoint.Outcome.values) - {"NOT_REACHED"}))
def test_every_score_of_a_reached_customer_still_counts_in_the_nps(contract: Contract, outcome: str) -> None:
    occurred_at = datetime(2026, 2, 10, 11, tzinfo=BERLIN)
    for score in (10, 9, 7, 3):
        record(contract, outcome=outcome, would_recommend=score, sentiment="NEUTRAL", occurred_at=occurred_at)
    record(contract, occurred_at=occurred_at + timedelta(hours=1))  # not reached: nothing to count

    total = dashboard.get_recommendation(flt=PERIOD).total

    assert (total.scores, total.promoters, total.passives, total.detractors) == (4, 2, 1, 1)
