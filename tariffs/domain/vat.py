"""Value added tax (Umsatzsteuer) on energy, by commodity and date."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from enum import StrEnum
from typing import NamedTuple


class Commodity(StrEnum):
    """The Sparte of a contract."""

    ELECTRICITY = "electricity"
    GAS = "gas"
    HEAT = "heat"

    @property
    def name_de(self) -> str:
        """Return the German name ("Strom", "Gas", "Wärme")."""
        return _NAMES_DE[self]


_NAMES_DE = {Commodity.ELECTRICITY: "Strom", Commodity.GAS: "Gas", Commodity.HEAT: "Wärme"}


@dataclass(frozen=True, slots=True)
class VatPeriod:
    """A VAT rate (0.19 for 19 %) for one commodity over the half-open period [valid_from, valid_to)."""

    commodity: Commodity
    valid_from: date
    valid_to: date | None
    rate: Decimal


class NoVatRate(LookupError):
    """No VAT period covers the commodity on the day."""

    def __init__(self, commodity: Commodity, day: date) -> None:
        super().__init__(f"no VAT rate for {commodity} on {day.isoformat()}")
        self.commodity = commodity
        self.day = day


STANDARD_RATE = Decimal("0.19")
REDUCED_RATE = Decimal("0.07")
_REDUCED_FROM = date(2022, 10, 1)  # § 28 Abs. 5/6 UStG: gas and district heat at 7 % ...
_REDUCED_TO = date(2024, 4, 1)  # ... for supplies up to 2024-03-31

DEFAULT_VAT_PERIODS: tuple[VatPeriod, ...] = (
    VatPeriod(Commodity.ELECTRICITY, date.min, None, STANDARD_RATE),
    VatPeriod(Commodity.GAS, date.min, _REDUCED_FROM, STANDARD_RATE),
    VatPeriod(Commodity.GAS, _REDUCED_FROM, _REDUCED_TO, REDUCED_RATE),
    VatPeriod(Commodity.GAS, _REDUCED_TO, None, STANDARD_RATE),
    VatPeriod(Commodity.HEAT, date.min, _REDUCED_FROM, STANDARD_RATE),
    VatPeriod(Commodity.HEAT, _REDUCED_FROM, _REDUCED_TO, REDUCED_RATE),
    VatPeriod(Commodity.HEAT, _REDUCED_TO, None, STANDARD_RATE),
)


class CommodityPeriods(NamedTuple):
    """The VAT periods of one commodity, prepared for hot paths (see :func:`commodity_periods`).

    ``rows`` holds (valid_from, valid_to, rate, 1 + rate) per period in the order of the given periods, so the first
    row covering a day is the period :func:`vat_rate_on` returns; ``edges`` the sorted distinct period boundaries.
    """

    rows: tuple[tuple[date, date | None, Decimal, Decimal], ...]
    edges: tuple[date, ...]


# 1 + rate is exact in any realistic precision; an unbounded context makes it exact whatever the caller's context is.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_ONE = Decimal(1)
# Cache by the identity of the periods tuple (tuples of frozen VatPeriods cannot change); the entry keeps the tuple
# alive, so its id cannot be reused while cached. Lists are never cached.
_CACHE: dict[int, tuple[Sequence[VatPeriod], dict[object, CommodityPeriods]]] = {}
_CACHE_SIZE = 32
_LAST: tuple[object, object, CommodityPeriods] = (None, None, CommodityPeriods((), ()))  # the last hit


def commodity_periods(periods: Sequence[VatPeriod], commodity: Commodity) -> CommodityPeriods:
    """Return the VAT periods of ``commodity`` in ``periods`` as rows and boundaries, cached per periods tuple."""
    last = _LAST  # one read: another thread may replace it
    if last[0] is periods and last[1] is commodity:
        return last[2]
    entry = _CACHE.get(id(periods))
    if entry is not None and entry[0] is periods:
        cached = entry[1].get(commodity)
        if cached is not None:
            _remember(periods, commodity, cached)
            return cached
    rows = tuple(
        (period.valid_from, period.valid_to, period.rate, _EXACT.add(_ONE, period.rate))
        for period in periods
        if period.commodity == commodity
    )
    edges = {row[0] for row in rows} | {row[1] for row in rows if row[1] is not None}
    result = CommodityPeriods(rows, tuple(sorted(edges)))
    if type(periods) is tuple:
        if entry is None or entry[0] is not periods:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.clear()
            entry = (periods, {})
            _CACHE[id(periods)] = entry
        entry[1][commodity] = result
        _remember(periods, commodity, result)
    return result


def _remember(periods: Sequence[VatPeriod], commodity: Commodity, result: CommodityPeriods) -> None:
    global _LAST  # a one-entry cache in front of the dict
    _LAST = (periods, commodity, result)


def vat_rate_on(*, commodity: Commodity, day: date, periods: Sequence[VatPeriod] = DEFAULT_VAT_PERIODS) -> Decimal:
    """Return the VAT rate for ``commodity`` on ``day``.

    :raises NoVatRate: if no period covers the day.
    """
    for valid_from, valid_to, rate, _ in commodity_periods(periods, commodity).rows:
        if valid_from <= day and (valid_to is None or day < valid_to):
            return rate
    raise NoVatRate(commodity, day)
