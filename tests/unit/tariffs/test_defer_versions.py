"""A price change that takes effect later for one contract (its notice was late): the contract's price history."""

from datetime import date
from decimal import Decimal

from tariffs.domain import prices

OLD = prices.PriceVersion(date(2020, 1, 1), date(2027, 2, 1), Decimal(30), Decimal(120))
NEW = prices.PriceVersion(date(2027, 2, 1), None, Decimal(35), Decimal(150))


def periods(versions: tuple[prices.PriceVersion, ...]) -> list[tuple[date, date | None, Decimal]]:
    return [(version.valid_from, version.valid_to, version.working_price_net_ct) for version in versions]


def test_without_deferrals_the_history_is_unchanged() -> None:
    assert prices.defer_versions((OLD, NEW), []) == (OLD, NEW)


def test_the_old_price_is_extended_to_the_contracts_day() -> None:
    shifted = prices.defer_versions((OLD, NEW), [(date(2027, 2, 1), date(2027, 2, 15))])

    assert periods(shifted) == [
        (date(2020, 1, 1), date(2027, 2, 15), Decimal(30)),
        (date(2027, 2, 15), None, Decimal(35)),
    ]
    assert prices.price_on(versions=shifted, day=date(2027, 2, 14)).working_price_net_ct == Decimal(30)
    assert prices.price_on(versions=shifted, day=date(2027, 2, 15)).working_price_net_ct == Decimal(35)


def test_a_later_change_that_starts_before_the_contracts_day_still_starts_on_its_own_day() -> None:
    middle = prices.PriceVersion(date(2027, 2, 1), date(2027, 3, 1), Decimal(35), Decimal(150))
    later = prices.PriceVersion(date(2027, 3, 1), None, Decimal(32), Decimal(150))

    shifted = prices.defer_versions((OLD, middle, later), [(date(2027, 2, 1), date(2027, 3, 15))])

    # the deferred price would only have applied after the next change: it never applies to this contract
    assert periods(shifted) == [
        (date(2020, 1, 1), date(2027, 3, 1), Decimal(30)),
        (date(2027, 3, 1), None, Decimal(32)),
    ]


def test_a_deferral_that_is_not_later_changes_nothing() -> None:
    assert prices.defer_versions((OLD, NEW), [(date(2027, 2, 1), date(2027, 2, 1))]) == (OLD, NEW)
