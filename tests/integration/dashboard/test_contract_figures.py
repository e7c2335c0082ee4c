"""Stock, new contracts, cancellations and churn, by reason, tariff and tenure, against a hand-built population.

The period is January to March 2026 (seen on 21.11.2026). Contracts (end_date is the first day without supply):

    c1  T1  2020-01-01 … open                                     active all the time
    c2  T1  2020-01-01 … 2026-02-01  cancelled, reason PRICE      last day 31.01. → cancellation in January
    c3  T2  2026-01-15 … open                                     new in January
    c4  T2  2025-06-01 … 2026-03-15  cancelled, a move            last day 14.03. → cancellation in March
    c5  T1  2026-02-10 … 2026-02-20  cancelled, answer SERVICE    new and cancelled in February (10 days)
    c6  T1  2019-05-01 … 2025-12-01  cancelled                    last day 30.11.2025 → before the period
    c7  T1  2020-01-01 … 2026-03-01  ended without cancellation   leaves the stock in February, no cancellation
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import dashboard
from customers.models import CancellationRequest
from tests.factories import ContractFactory, CustomerFactory, PriceVersionFactory

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = date(2026, 11, 21)


def _period(**filters: object) -> dashboard.DashboardFilter:
    return dashboard.make_filter(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), as_of=AS_OF, **filters)


def _cancelled(start: date, end: date, *, tariff: Any, kind: str = "ORDINARY", reason: str = "", **fields: Any) -> Any:
    return ContractFactory(
        start_date=start,
        end_date=end,
        tariff=tariff,
        status="ENDED",
        cancelled_at=datetime.combine(max(start, end - timedelta(days=30)), time(9), tzinfo=BERLIN),
        cancellation_kind=kind,
        cancellation_reason=reason,
        **fields,
    )


@pytest.fixture
def population(db: None) -> dict[str, Any]:
    t1 = PriceVersionFactory(tariff__name="Strom Basis").tariff
    t2 = PriceVersionFactory(tariff__name="Strom Öko").tariff
    business = CustomerFactory(customer_group="business")
    contracts = {
        "c1": ContractFactory(start_date=date(2020, 1, 1), tariff=t1),
        "c2": _cancelled(date(2020, 1, 1), date(2026, 2, 1), tariff=t1, reason="PRICE"),
        "c3": ContractFactory(start_date=date(2026, 1, 15), tariff=t2),
        "c4": _cancelled(date(2025, 6, 1), date(2026, 3, 15), tariff=t2, kind="MOVE", customer=business),
        "c5": _cancelled(date(2026, 2, 10), date(2026, 2, 20), tariff=t1),
        "c6": _cancelled(date(2019, 5, 1), date(2025, 12, 1), tariff=t1),
        "c7": ContractFactory(start_date=date(2020, 1, 1), end_date=date(2026, 3, 1), status="ENDED", tariff=t1),
    }
    CancellationRequest.objects.create(
        reference="K-TEST-1",
        submitted_at=datetime(2026, 2, 12, 10, tzinfo=BERLIN),
        kind="ORDINARY",
        name="Test",
        email="test@example.org",
        contract=contracts["c5"],
        status="MATCHED",
        leaving_reason="SERVICE",
    )
    return {"t1": t1, "t2": t2, **contracts}


def test_monthly_stock_new_cancellations_and_churn_match_the_hand_count(population: dict[str, Any]) -> None:
    series = dashboard.get_contract_series(flt=_period())

    rows = [(r.month, r.active_at_start, r.new, r.ended, r.cancelled, r.churn_rate) for r in series.months]
    assert rows == [
        # 1 Jan: c1, c2, c4, c7 (c6 ended 30.11.); January: c3 new, c2 cancelled → 1/4
        (date(2026, 1, 1), 4, 1, 1, 1, Decimal("25.0")),
        # 1 Feb: c1, c3, c4, c7; February: c5 new; c5 cancelled, c7 ended without cancellation → 1/4
        (date(2026, 2, 1), 4, 1, 2, 1, Decimal("25.0")),
        # 1 Mar: c1, c3, c4; March: c4 cancelled (a move counts) → 1/3
        (date(2026, 3, 1), 3, 0, 1, 1, Decimal("33.3")),
    ]


def test_rolling_twelve_month_churn_divides_by_the_average_stock(population: dict[str, Any]) -> None:
    series = dashboard.get_contract_series(flt=_period())

    # April 2025 … March 2026: cancellations c6 (Nov), c2 (Jan), c5 (Feb), c4 (Mar) = 4.
    # Stock at the month starts: Apr–Jun 4 (c4 starts on 1 June, counted from July), Jul–Nov 5, Dec–Feb 4, Mar 3
    # = 4+4+4+5+5+5+5+5+4+4+4+3 = 52; average 52/12; 4 ÷ (52/12) = 92.3 %.
    assert series.months[-1].rolling_churn_rate == Decimal("92.3")
    assert series.rolling_churn_rate == Decimal("92.3")


def test_period_totals_add_up_the_months(population: dict[str, Any]) -> None:
    series = dashboard.get_contract_series(flt=_period())

    assert series.new == 2  # c3, c5
    assert series.cancelled == 3  # c2, c5, c4
    assert series.active_at_end == 2  # c1, c3 after March
    # 3 cancellations ÷ average stock (4+4+3)/3 = 81.8 %
    assert series.average_churn_rate == Decimal("81.8")


def test_cancellations_by_reason_use_move_contract_reason_and_leaving_answer(population: dict[str, Any]) -> None:
    rows = dashboard.get_cancellations_by_reason(flt=_period())

    assert [(r.key, r.label, r.count, r.share) for r in rows] == [
        ("MOVING", "Umzug", 1, Decimal("33.3")),
        ("PRICE", "Der Preis ist mir zu hoch", 1, Decimal("33.3")),
        ("SERVICE", "Ich bin mit dem Service unzufrieden", 1, Decimal("33.3")),
    ]


def test_cancellations_by_tariff_relate_to_the_stock_at_the_start(population: dict[str, Any]) -> None:
    rows = dashboard.get_cancellations_by_tariff(flt=_period())

    # T1: stock c1, c2, c7 = 3, cancelled c2, c5 = 2 → 66.7 %; T2: stock c4 = 1, cancelled c4 → 100 %
    assert [(r.tariff_name, r.active_at_start, r.cancelled, r.churn_rate) for r in rows] == [
        ("Strom Basis", 3, 2, Decimal("66.7")),
        ("Strom Öko", 1, 1, Decimal("100.0")),
    ]


def test_cancellations_by_tenure_bands(population: dict[str, Any]) -> None:
    rows = dashboard.get_cancellations_by_tenure(flt=_period())

    # c4: 287 days and c5: 10 days → under a year; c2: 2,223 days → five years and more
    assert [(r.label, r.count) for r in rows] == [
        ("unter 1 Jahr", 2),
        ("1 bis unter 2 Jahre", 0),
        ("2 bis unter 3 Jahre", 0),
        ("3 bis unter 5 Jahre", 0),
        ("5 Jahre und länger", 1),
    ]


def test_tariff_filter_keeps_only_that_tariffs_contracts(population: dict[str, Any]) -> None:
    t2 = population["t2"]

    series = dashboard.get_contract_series(flt=_period(tariff_id=t2.pk))

    # T2: c4 from July 2025, c3 new in January; c4 cancelled in March
    assert [(r.active_at_start, r.new, r.cancelled) for r in series.months] == [(1, 1, 0), (2, 0, 0), (2, 0, 1)]


def test_customer_group_filter_keeps_only_that_groups_contracts(population: dict[str, Any]) -> None:
    rows = dashboard.get_cancellations_by_reason(flt=_period(customer_group="business"))

    assert [(r.key, r.count) for r in rows] == [("MOVING", 1)]


def test_commodity_filter_keeps_only_that_commodity(population: dict[str, Any]) -> None:
    ContractFactory(commodity="gas", start_date=date(2026, 2, 1))

    series = dashboard.get_contract_series(flt=_period(commodity="gas"))

    assert [(r.active_at_start, r.new) for r in series.months] == [(0, 0), (0, 1), (1, 0)]


def test_period_is_snapped_to_whole_months_and_capped_at_today() -> None:
    flt = dashboard.make_filter(date_from=date(2026, 1, 17), date_to=date(2027, 5, 3), as_of=AS_OF)

    assert (flt.date_from, flt.date_to) == (date(2026, 1, 1), AS_OF)


def test_default_period_is_the_twelve_months_up_to_today() -> None:
    flt = dashboard.make_filter(date_from=None, date_to=None, as_of=AS_OF)

    assert (flt.date_from, flt.date_to) == (date(2025, 12, 1), AS_OF)
