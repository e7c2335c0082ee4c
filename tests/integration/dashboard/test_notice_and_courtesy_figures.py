"""Cancellations after price-change notices, courtesy calls and the 12-month retention, against hand-built data.

The period is January to March 2026 (seen on 21.11.2026).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import dashboard
from contacts.models import CallTask, PriceChangeNotice, Touchpoint
from tariffs.models import PriceChange
from tests.factories import ContractFactory, PriceVersionFactory

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = date(2026, 11, 21)
PERIOD = dashboard.make_filter(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), as_of=AS_OF)


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


# --- price-change notices ------------------------------------------------------------------------------------------


def _notice(contract: Any, change: PriceChange, *, sent_at: datetime | None, status: str = "SENT") -> None:
    PriceChangeNotice.objects.create(
        contract=contract, price_change=change, status=status, sent_at=sent_at, effective_date=change.effective_date
    )


def _cancelled(tariff: Any, *, at: datetime, kind: str = "ORDINARY", reason: str = "") -> Any:
    return ContractFactory(
        tariff=tariff,
        status="CANCELLED",
        cancelled_at=at,
        end_date=date(2026, 3, 1),
        cancellation_kind=kind,
        cancellation_reason=reason,
    )


@pytest.fixture
def notified(db: None) -> PriceChange:
    """Six contracts of one tariff and a price change effective 01.03.2026, notified on 10.01.2026."""
    version = PriceVersionFactory(tariff__name="Strom Basis", valid_from=date(2026, 3, 1))
    tariff = version.tariff
    change = PriceChange.objects.create(
        tariff=tariff,
        price_version=version,
        effective_date=date(2026, 3, 1),
        reason="Netzentgelte",
        status="PUBLISHED",
        published_at=_at(2026, 1, 5, 9),
    )
    sent = _at(2026, 1, 10, 8)
    # p1: special termination on 20.01. (in the window)
    special = _cancelled(tariff, at=_at(2026, 1, 20, 10), kind="EXTRAORDINARY", reason="PRICE_CHANGE")
    _notice(special, change, sent_at=sent)
    # p2: ordinary cancellation on 28.02., the last day before the change (in the window, not special)
    _notice(_cancelled(tariff, at=_at(2026, 2, 28, 18)), change, sent_at=sent)
    # p3: cancelled at 00:30 on 02.03. Berlin time (23:30 UTC on 01.03.): after the window
    _notice(_cancelled(tariff, at=_at(2026, 3, 2, 0, 30), kind="EXTRAORDINARY"), change, sent_at=sent)
    # p4: notified, stays
    _notice(ContractFactory(tariff=tariff), change, sent_at=sent)
    # p5: notice not sent (pending) → not notified
    _notice(ContractFactory(tariff=tariff), change, sent_at=None, status="PENDING")
    # p6: notice sent before the period → not counted in this period
    _notice(ContractFactory(tariff=tariff), change, sent_at=_at(2025, 12, 20, 8))
    return change


def test_share_of_notified_contracts_that_cancelled_within_the_notice_window(notified: PriceChange) -> None:
    result = dashboard.get_price_change_cancellations(flt=PERIOD)

    # notified p1–p4 = 4; in the window p1, p2 = 2 (50 %); special terminations p1 = 1 (25 %)
    assert [(r.tariff_name, r.effective_date, r.notified, r.cancelled_in_window, r.special_terminations)
            for r in result.rows] == [("Strom Basis", date(2026, 3, 1), 4, 2, 1)]  # fmt: skip
    assert (result.cancelled_share, result.special_share) == (Decimal("50.0"), Decimal("25.0"))


def test_notice_window_ends_with_the_berlin_day_of_the_change(notified: PriceChange) -> None:
    later = ContractFactory(tariff=notified.tariff, status="CANCELLED", end_date=date(2026, 3, 1),
                            cancelled_at=_at(2026, 3, 1, 23, 30))  # fmt: skip
    _notice(later, notified, sent_at=_at(2026, 1, 10, 8))

    result = dashboard.get_price_change_cancellations(flt=PERIOD)

    # 23:30 on the effective day still counts (it is 22:30 UTC): 3 of 5 in the window
    assert (result.notified, result.cancelled_in_window) == (5, 3)


# --- courtesy calls --------------------------------------------------------------------------------------------------


def _courtesy(contract: Any, *, status: str, outcome: str | None = None, skip_reason: str = "") -> CallTask:
    result = None
    if outcome is not None:
        result = Touchpoint.objects.create(
            customer=contract.customer, contract=contract, channel="PHONE", direction="OUT",
            topic="COURTESY_CALL", outcome=outcome, occurred_at=_at(2026, 2, 1, 10),
        )  # fmt: skip
    return CallTask.objects.create(
        customer=contract.customer, contract=contract, kind="COURTESY", topic="COURTESY_CALL",
        due_at=_at(2026, 2, 1, 9), status=status, skip_reason=skip_reason, result=result,
    )  # fmt: skip


@pytest.fixture
def new_contracts(db: None) -> None:
    """Six contracts that started in the period, one started before it."""
    _courtesy(ContractFactory(start_date=date(2026, 1, 5)), status="DONE", outcome="RESOLVED")  # reached
    _courtesy(ContractFactory(start_date=date(2026, 1, 6)), status="DONE", outcome="NOT_REACHED")  # not reached
    _courtesy(ContractFactory(start_date=date(2026, 2, 1)), status="SKIPPED", skip_reason="keine Einwilligung")
    _courtesy(ContractFactory(start_date=date(2026, 2, 2)), status="SKIPPED", skip_reason="schutzbedürftig")
    _courtesy(ContractFactory(start_date=date(2026, 3, 20)), status="OPEN")  # pending
    ContractFactory(start_date=date(2026, 3, 25))  # no task
    _courtesy(ContractFactory(start_date=date(2025, 12, 20)), status="DONE", outcome="RESOLVED")  # before the period


def test_courtesy_calls_of_new_contracts_called_reached_skipped_pending(new_contracts: None) -> None:
    summary = dashboard.get_courtesy_summary(flt=PERIOD)

    assert (summary.new_contracts, summary.called, summary.reached, summary.skipped, summary.pending,
            summary.without_task) == (6, 2, 1, 2, 1, 1)  # fmt: skip
    # 2/6, 1/6, 2/6
    assert (summary.called_share, summary.reached_share, summary.skipped_share) == (
        Decimal("33.3"), Decimal("16.7"), Decimal("33.3"),
    )  # fmt: skip


def test_skipped_courtesy_calls_by_reason(new_contracts: None) -> None:
    rows = dashboard.get_courtesy_skip_reasons(flt=PERIOD)

    assert [(r.label, r.count, r.share) for r in rows] == [
        ("keine Einwilligung", 1, Decimal("50.0")),
        ("schutzbedürftig", 1, Decimal("50.0")),
    ]


def test_twelve_month_retention_of_called_and_not_called_cohorts(db: None) -> None:
    # Cohort: started 01.01.–31.03.2025 (their first year ended in the period)
    reached_stays = ContractFactory(start_date=date(2025, 1, 10))
    # 303 days of supply: left within the first year; 369 days: stayed
    reached_leaves = ContractFactory(start_date=date(2025, 2, 1), end_date=date(2025, 12, 1), status="ENDED")
    not_reached_stays = ContractFactory(start_date=date(2025, 3, 1), end_date=date(2026, 3, 5), status="ENDED")
    ContractFactory(start_date=date(2025, 1, 20), end_date=date(2025, 6, 1), status="ENDED")  # not called, leaves
    skipped_stays = ContractFactory(start_date=date(2025, 2, 15))  # skipped = not called, stays
    ContractFactory(start_date=date(2025, 4, 1))  # outside the cohort
    _courtesy(reached_stays, status="DONE", outcome="RESOLVED")
    _courtesy(reached_leaves, status="DONE", outcome="RESOLVED")
    _courtesy(not_reached_stays, status="DONE", outcome="NOT_REACHED")
    _courtesy(skipped_stays, status="SKIPPED", skip_reason="keine Einwilligung")

    retention = dashboard.get_courtesy_retention(flt=PERIOD)

    assert (retention.cohort_from, retention.cohort_to) == (date(2025, 1, 1), date(2025, 3, 31))
    assert [(r.group, r.contracts, r.retained, r.retention_rate) for r in retention.rows] == [
        ("REACHED", 2, 1, Decimal("50.0")),
        ("NOT_REACHED", 1, 1, Decimal("100.0")),
        ("NOT_CALLED", 2, 1, Decimal("50.0")),
    ]
