"""The earliest end of an ordinary cancellation (§§ 187, 188 BGB; § 20 StromGVV/GasGVV), without a database."""

from __future__ import annotations

from datetime import date

import pytest

from customers.cancellation import add_months, earliest_end_date, last_supply_day


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 21), 1, date(2026, 12, 21)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # § 188 Abs. 3 BGB: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 11, 21), 12, date(2027, 11, 21)),
    ],
)
def test_months_are_added_calendar_wise(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_basic_supply_is_supplied_through_the_same_weekday_two_weeks_later() -> None:
    end = earliest_end_date(
        received_on=date(2026, 11, 21), is_basic_supply=True, notice_period_months=1, minimum_term_end=None
    )

    assert last_supply_day(end) == date(2026, 12, 5)


def test_one_month_notice_received_on_the_31st_ends_with_the_last_day_of_february() -> None:
    end = earliest_end_date(
        received_on=date(2027, 1, 31), is_basic_supply=False, notice_period_months=1, minimum_term_end=None
    )

    assert end == date(2027, 3, 1)
    assert last_supply_day(end) == date(2027, 2, 28)


def test_the_minimum_term_wins_when_it_ends_later() -> None:
    end = earliest_end_date(
        received_on=date(2026, 11, 21),
        is_basic_supply=False,
        notice_period_months=1,
        minimum_term_end=date(2027, 1, 1),
    )

    assert end == date(2027, 1, 1)


def test_the_notice_period_wins_when_the_minimum_term_ends_sooner() -> None:
    end = earliest_end_date(
        received_on=date(2026, 11, 21),
        is_basic_supply=False,
        notice_period_months=3,
        minimum_term_end=date(2026, 12, 1),
    )

    assert end == date(2027, 2, 22)
