"""The 2023 price brakes (Strom-, Gas- und Wärmepreisbremse): schemes as data, relief amounts and the payment schedule.

Relief does not depend on actual consumption: it is fixed in advance from a forecast (DOMAIN.md, price brakes)::

    quota_kwh_year = forecast_kwh × quota_share                               (half-up to 2 decimals)
    monthly relief = max(0, working price − reference price) × quota ÷ 100 ÷ 12  (half-up to the cent)

The schemes are rows of data (reference price, quota, basis, months), not code branches, so a future relief scheme
is a new row.
"""

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import (
    MONTH_NAMES_DE,
    format_ct,
    format_date,
    format_eur,
    format_kwh,
    format_percent,
)
from tariffs.domain.money import CENT, CT_PLACES, HUNDRED, ONE, TWELVE, ZERO, ZERO_EUR
from tariffs.domain.prices import NoPriceOnDate, PriceVersion
from tariffs.domain.vat import Commodity

_QUOTA_PLACES = Decimal("0.01")
_new_row = tuple.__new__  # builds a NamedTuple row in C, positionally


class CustomerGroup(StrEnum):
    """Who the contract supplies: a private household or a business."""

    HOUSEHOLD = "household"
    BUSINESS = "business"


class ReferenceBasis(StrEnum):
    """Which price is compared with the reference price."""

    GROSS_WORKING_PRICE = "GROSS_WORKING_PRICE"  # the full working price incl. VAT
    NET_ENERGY_PRICE = "NET_ENERGY_PRICE"  # the net energy share of the working price (large consumers)


class ForecastBasis(StrEnum):
    """Which consumption the quota is a share of."""

    CURRENT_FORECAST = "CURRENT_FORECAST"  # the current Jahresverbrauchsprognose
    SEPT_2022_FORECAST = "SEPT_2022_FORECAST"  # the supplier's forecast as of September 2022
    CONSUMPTION_2021 = "CONSUMPTION_2021"  # the measured consumption of 2021


# Reading an enum member costs about 0.2 µs on Python 3.11; the calculation compares with this alias.
_GROSS_WORKING_PRICE = ReferenceBasis.GROSS_WORKING_PRICE


@dataclass(frozen=True, slots=True)
class ReliefScheme:
    """One price-brake scheme.

    ``min_kwh`` (exclusive) and ``max_kwh`` (inclusive) bound the annual consumption a scheme is meant for; they only
    choose between schemes that apply to the same customer group (see :func:`select_scheme`). Relief is granted for
    the months ``first_month`` … ``last_month`` (first days of months) and first paid in ``first_payment_month``.
    """

    code: str
    name_de: str
    commodity: Commodity
    customer_groups: frozenset[CustomerGroup]
    min_kwh: Decimal | None
    max_kwh: Decimal | None
    reference_price_ct: Decimal
    reference_basis: ReferenceBasis
    quota_share: Decimal
    forecast_basis: ForecastBasis
    first_month: date = date(2023, 1, 1)
    last_month: date = date(2023, 12, 1)
    first_payment_month: date = date(2023, 3, 1)

    @property
    def months(self) -> tuple[date, ...]:
        """Return the first days of the relief months."""
        return _months(self.first_month, self.last_month)

    def contains(self, annual_kwh: Decimal) -> bool:
        """Tell whether ``annual_kwh`` lies within the scheme's consumption bounds."""
        return (self.min_kwh is None or annual_kwh > self.min_kwh) and (
            self.max_kwh is None or annual_kwh <= self.max_kwh
        )


_BOTH = frozenset({CustomerGroup.HOUSEHOLD, CustomerGroup.BUSINESS})
_BUSINESS = frozenset({CustomerGroup.BUSINESS})

DEFAULT_RELIEF_SCHEMES: tuple[ReliefScheme, ...] = (
    ReliefScheme(  # StromPBG §§ 4–6
        code="STROM_PBG",
        name_de="Strompreisbremse",
        commodity=Commodity.ELECTRICITY,
        customer_groups=_BOTH,
        min_kwh=None,
        max_kwh=Decimal(30_000),
        reference_price_ct=Decimal("40.0000"),
        reference_basis=ReferenceBasis.GROSS_WORKING_PRICE,
        quota_share=Decimal("0.80"),
        forecast_basis=ForecastBasis.CURRENT_FORECAST,
    ),
    ReliefScheme(
        code="STROM_PBG_LARGE",
        name_de="Strompreisbremse für Großverbraucher",
        commodity=Commodity.ELECTRICITY,
        customer_groups=_BUSINESS,
        min_kwh=Decimal(30_000),
        max_kwh=None,
        reference_price_ct=Decimal("13.0000"),
        reference_basis=ReferenceBasis.NET_ENERGY_PRICE,
        quota_share=Decimal("0.70"),
        forecast_basis=ForecastBasis.CONSUMPTION_2021,
    ),
    ReliefScheme(  # EWPBG §§ 8–10
        code="GAS_EWPBG",
        name_de="Gaspreisbremse",
        commodity=Commodity.GAS,
        customer_groups=_BOTH,
        min_kwh=None,
        max_kwh=Decimal(1_500_000),
        reference_price_ct=Decimal("12.0000"),
        reference_basis=ReferenceBasis.GROSS_WORKING_PRICE,
        quota_share=Decimal("0.80"),
        forecast_basis=ForecastBasis.SEPT_2022_FORECAST,
    ),
    ReliefScheme(
        code="GAS_EWPBG_INDUSTRY",
        name_de="Gaspreisbremse für die Industrie",
        commodity=Commodity.GAS,
        customer_groups=_BUSINESS,
        min_kwh=Decimal(1_500_000),
        max_kwh=None,
        reference_price_ct=Decimal("7.0000"),
        reference_basis=ReferenceBasis.NET_ENERGY_PRICE,
        quota_share=Decimal("0.70"),
        forecast_basis=ForecastBasis.CONSUMPTION_2021,
    ),
    ReliefScheme(  # EWPBG §§ 15–17; the reference is the full gross price incl. levies
        code="HEAT_EWPBG",
        name_de="Wärmepreisbremse",
        commodity=Commodity.HEAT,
        customer_groups=_BOTH,
        min_kwh=None,
        max_kwh=Decimal(1_500_000),
        reference_price_ct=Decimal("9.5000"),
        reference_basis=ReferenceBasis.GROSS_WORKING_PRICE,
        quota_share=Decimal("0.80"),
        forecast_basis=ForecastBasis.SEPT_2022_FORECAST,
    ),
    ReliefScheme(  # hot water; steam (9 ct net) would be a further row chosen by the heat medium
        code="HEAT_EWPBG_INDUSTRY",
        name_de="Wärmepreisbremse für die Industrie",
        commodity=Commodity.HEAT,
        customer_groups=_BUSINESS,
        min_kwh=Decimal(1_500_000),
        max_kwh=None,
        reference_price_ct=Decimal("7.5000"),
        reference_basis=ReferenceBasis.NET_ENERGY_PRICE,
        quota_share=Decimal("0.70"),
        forecast_basis=ForecastBasis.CONSUMPTION_2021,
    ),
)


class NoReliefScheme(LookupError):
    """No relief scheme (or more than one) fits the contract."""


class MissingEnergyPrice(ValueError):
    """A scheme compares the net energy price, but the price version has none."""


class MissingBaseAdvance(LookupError):
    """A relief schedule was given Abschläge by month, but not for every relief month."""


@lru_cache(maxsize=16)
def _months(first_month: date, last_month: date) -> tuple[date, ...]:
    months = []
    year, month = first_month.year, first_month.month
    while (year, month) <= (last_month.year, last_month.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


@lru_cache(maxsize=16)
def _layout(first_month: date, last_month: date, first_payment_month: date) -> tuple[tuple[date, ...], int]:
    """Return the relief months and the index of the first payment month in them."""
    months = _months(first_month, last_month)
    if first_payment_month not in months:
        raise ValueError(f"the first payment month {first_payment_month} is not a relief month")
    return months, months.index(first_payment_month)


# Candidate schemes by (commodity, customer group), cached by the identity of the schemes tuple (frozen schemes cannot
# change; the entry keeps the tuple alive, so its id is not reused while cached). Lists are never cached.
_CANDIDATES: dict[int, tuple[Sequence[ReliefScheme], dict[tuple[object, object], tuple[ReliefScheme, ...]]]] = {}
_CACHE_SIZE = 32


def _candidates(
    schemes: Sequence[ReliefScheme], commodity: Commodity, customer_group: CustomerGroup
) -> Sequence[ReliefScheme]:
    """Return the schemes of the commodity that cover the customer group, in the given order."""
    entry = _CANDIDATES.get(id(schemes))
    key = (commodity, customer_group)
    if entry is not None and entry[0] is schemes:
        cached = entry[1].get(key)
        if cached is not None:
            return cached
    candidates = tuple([s for s in schemes if s.commodity == commodity and customer_group in s.customer_groups])
    if type(schemes) is tuple:
        if entry is None or entry[0] is not schemes:
            if len(_CANDIDATES) >= _CACHE_SIZE:
                _CANDIDATES.clear()
            entry = (schemes, {})
            _CANDIDATES[id(schemes)] = entry
        entry[1][key] = candidates
    return candidates


_Layout = tuple[tuple[date, ...], int, tuple[date, ...]]
_LAYOUTS: dict[int, tuple[ReliefScheme, _Layout]] = {}  # by scheme identity (hashing a scheme is slow)


def _scheme_layout(scheme: ReliefScheme) -> _Layout:
    """Return the relief months, the index of the first payment month and the payment months of a scheme."""
    entry = _LAYOUTS.get(id(scheme))
    if entry is not None and entry[0] is scheme:
        return entry[1]
    months, first_paid = _layout(scheme.first_month, scheme.last_month, scheme.first_payment_month)
    layout = (months, first_paid, months[first_paid:])
    if len(_LAYOUTS) >= _CACHE_SIZE:
        _LAYOUTS.clear()
    _LAYOUTS[id(scheme)] = (scheme, layout)
    return layout


def select_scheme(
    *,
    schemes: Sequence[ReliefScheme] = DEFAULT_RELIEF_SCHEMES,
    commodity: Commodity,
    customer_group: CustomerGroup,
    annual_kwh: Decimal,
) -> ReliefScheme:
    """Return the relief scheme for a contract.

    **Decision:** households always get the small-consumer scheme, whatever their consumption; a business gets the
    small-consumer scheme up to its threshold (≤ 30,000 kWh electricity, ≤ 1,500,000 kWh gas/heat) and the large
    scheme above it. As data: a group covered by one scheme of the commodity gets it; where several cover the group,
    the consumption bounds (``min_kwh`` exclusive, ``max_kwh`` inclusive) decide.

    :raises NoReliefScheme: if no scheme, or more than one, fits.
    """
    candidates = _candidates(schemes, commodity, customer_group)
    if len(candidates) > 1:
        candidates = [s for s in candidates if s.contains(annual_kwh)]
    if len(candidates) != 1:
        raise NoReliefScheme(
            f"{len(candidates)} relief schemes fit {commodity}/{customer_group} with {annual_kwh} kWh/year"
        )
    return candidates[0]


def quota_kwh(*, forecast_kwh: Decimal, quota_share: Decimal) -> Decimal:
    """Return the relief quota (Entlastungskontingent) in kWh/year: forecast × share, half-up to 2 decimals."""
    return (forecast_kwh * quota_share).quantize(_QUOTA_PLACES, ROUND_HALF_UP)


def monthly_relief(*, working_price_ct: Decimal, reference_price_ct: Decimal, quota_kwh_year: Decimal) -> Decimal:
    """Return the monthly relief in euros, rounded half-up to the cent (DOMAIN.md, price brakes)."""
    gap_ct = working_price_ct - reference_price_ct
    if gap_ct < ZERO:  # max(gap, 0)
        gap_ct = ZERO
    return (gap_ct * quota_kwh_year / HUNDRED / TWELVE).quantize(CENT, ROUND_HALF_UP)


def comparison_price_ct(*, scheme: ReliefScheme, version: PriceVersion, vat_rate: Decimal) -> Decimal:
    """Return the price the scheme compares with its reference price: the gross working price or the net energy price.

    :raises MissingEnergyPrice: if the scheme needs the net energy price and the version has none.
    """
    if scheme.reference_basis is _GROSS_WORKING_PRICE:  # prices.gross_ct, inlined
        return (version.working_price_net_ct * (ONE + vat_rate)).quantize(CT_PLACES, ROUND_HALF_UP)
    if version.energy_price_net_ct is None:
        raise MissingEnergyPrice(f"{scheme.code} needs the net energy price of the version from {version.valid_from}")
    return version.energy_price_net_ct


# --- the yearly view ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReliefQuote:
    """The relief for a whole relief year from one working price (the offer / letter view)."""

    scheme: ReliefScheme
    forecast_kwh: Decimal
    working_price_ct: Decimal
    quota_kwh_year: Decimal
    monthly_eur: Decimal
    annual_eur: Decimal

    @property
    def reference_price_ct(self) -> Decimal:
        return self.scheme.reference_price_ct

    @property
    def explanation(self) -> Explanation:
        """Explain the relief in German."""
        scheme = self.scheme
        steps = [_price_step(scheme, self.working_price_ct)]
        if not self.monthly_eur:
            return tuple(steps)
        steps.append(
            Step(
                text=(
                    f"Die {format_percent(scheme.quota_share)} rechnen wir von "
                    f"{_FORECAST_BASIS_DE[scheme.forecast_basis]}."
                    " Wie viel Sie tatsächlich verbrauchen, ändert an der Entlastung nichts. Das ergibt Ihr "
                    "Entlastungskontingent (die Menge, für die der Deckel gilt) von "
                    f"{format_kwh(self.quota_kwh_year)}."
                ),
                formula=(
                    f"{format_kwh(self.forecast_kwh)} × {format_percent(scheme.quota_share)} = "
                    f"{format_kwh(self.quota_kwh_year)}"
                ),
            )
        )
        steps.append(_monthly_step(scheme, self.working_price_ct, self.quota_kwh_year, self.monthly_eur))
        months = len(scheme.months)
        steps.append(
            Step(
                text=f"Für {months} Monate sind das zusammen {format_eur(self.annual_eur)}.",
                formula=f"{format_eur(self.monthly_eur)} × {months} = {format_eur(self.annual_eur)}",
                amount=self.annual_eur,
            )
        )
        return tuple(steps)


def relief_quote(*, scheme: ReliefScheme, forecast_kwh: Decimal, working_price_ct: Decimal) -> ReliefQuote:
    """Return the relief per month and per relief year.

    **Decision:** relief is paid monthly, so the year is the sum of its months: monthly × number of months (12 in
    2023). It can differ by a few cents from quota × gap: the heat example's "260 €" is 12 × 21.67 € = 260.04 €
    (matched to the euro, as the published example rounds to euros).

    ``forecast_kwh`` is the consumption the scheme's ``forecast_basis`` names; ``working_price_ct`` the price its
    ``reference_basis`` names (see :func:`comparison_price_ct`).
    """
    quota = quota_kwh(forecast_kwh=forecast_kwh, quota_share=scheme.quota_share)
    monthly = monthly_relief(
        working_price_ct=working_price_ct, reference_price_ct=scheme.reference_price_ct, quota_kwh_year=quota
    )
    return ReliefQuote(
        scheme=scheme,
        forecast_kwh=forecast_kwh,
        working_price_ct=working_price_ct,
        quota_kwh_year=quota,
        monthly_eur=monthly,
        annual_eur=monthly * len(scheme.months),
    )


# --- the monthly schedule -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReliefMonth:
    """One month of a relief schedule (a row for display).

    ``priced_as_of`` is the month whose working price (on its first day) the relief was computed with: the first
    payment month for the months before it, else the month itself.
    """

    month: date
    priced_as_of: date
    working_price_ct: Decimal
    relief_eur: Decimal
    credited_eur: Decimal
    base_advance_eur: Decimal
    advance_eur: Decimal
    carried_eur: Decimal


class ReliefSchedule(NamedTuple):
    """The relief months of a scheme, stored column by column (one tuple per column, aligned with ``months``).

    - ``relief_eur_by_month``: the relief for each month (the months before the first payment month are computed
      with the first payment month's working price).
    - ``credited_eur_by_month``: what is credited against the Abschlag of each payment month: nothing before the
      first payment month, then the relief of all months so far, then each month its own.
    - ``advance_eur_by_month``: the Abschlag to pay, max(0, base Abschlag − credited relief).
    - ``carried_eur_by_month``: the part of the credited relief the Abschlag could not absorb; it is settled in the
      next bill.

    Columns instead of row objects keep the calculation cheap; :attr:`rows` gives the row view for display. The
    schedule itself is an immutable ``NamedTuple`` (one is built per contract; a tuple is built in C).
    """

    scheme: ReliefScheme
    quota_kwh_year: Decimal
    months: tuple[date, ...]
    working_price_ct_by_month: tuple[Decimal, ...]
    relief_eur_by_month: tuple[Decimal, ...]
    credited_eur_by_month: tuple[Decimal, ...]
    base_advance_eur_by_month: tuple[Decimal, ...]
    advance_eur_by_month: tuple[Decimal, ...]
    carried_eur_by_month: tuple[Decimal, ...]

    @property
    def rows(self) -> tuple[ReliefMonth, ...]:
        """Return one row per month."""
        first_payment = self.scheme.first_payment_month
        return tuple(
            ReliefMonth(month, max(month, first_payment), *values)
            for month, *values in zip(
                self.months,
                self.working_price_ct_by_month,
                self.relief_eur_by_month,
                self.credited_eur_by_month,
                self.base_advance_eur_by_month,
                self.advance_eur_by_month,
                self.carried_eur_by_month,
                strict=True,
            )
        )

    @property
    def total_relief_eur(self) -> Decimal:
        return sum(self.relief_eur_by_month, ZERO_EUR)

    @property
    def total_advance_eur(self) -> Decimal:
        """Return the sum of the Abschläge to pay in the relief months."""
        return sum(self.advance_eur_by_month, ZERO_EUR)

    @property
    def total_carried_eur(self) -> Decimal:
        """Return the relief left over for the next bill because the Abschlag cannot go below 0 €."""
        return sum(self.carried_eur_by_month, ZERO_EUR)

    def relief_by_month(
        self, *, from_date: date | None = None, to_date: date | None = None
    ) -> tuple[tuple[date, Decimal], ...]:
        """Return (month, relief) pairs, optionally only the months whose first day lies in [from_date, to_date)."""
        months = self.months
        low = 0 if from_date is None else bisect_left(months, from_date)
        high = len(months) if to_date is None else bisect_left(months, to_date)
        return tuple(zip(months[low:high], self.relief_eur_by_month[low:high], strict=True))

    @property
    def explanation(self) -> Explanation:
        """Explain the schedule in German, one step per run of equal months."""
        return _explain_schedule(self)


def _advance_and_rest(base: Decimal, credit: Decimal) -> tuple[Decimal, Decimal]:
    """Return (max(base − credit, 0), max(credit − base, 0)): the Abschlag to pay and the relief carried over."""
    advance = base - credit
    if advance > ZERO_EUR:
        return advance, ZERO_EUR
    if advance < ZERO_EUR:
        advance = ZERO_EUR
    rest = credit - base
    if rest < ZERO_EUR:
        rest = ZERO_EUR
    return advance, rest


def relief_schedule(
    *,
    scheme: ReliefScheme,
    quota_kwh_year: Decimal,
    working_price_ct_by_month: Mapping[date, Decimal] | Callable[[date], Decimal],
    base_advance_eur: Decimal | Mapping[date, Decimal],
) -> ReliefSchedule:
    """Return the relief, the credited relief and the resulting Abschlag for each relief month.

    ``working_price_ct_by_month`` gives the compared price (see :func:`comparison_price_ct`) valid on the first day
    of a month; it is asked for the payment months only, because the months before the first payment month are
    computed with the first payment month's values (DOMAIN.md: March carries January and February).
    ``base_advance_eur`` is the Abschlag without relief, one amount or one per month.

    :raises NoPriceOnDate: if a mapping has no price for a payment month.
    :raises MissingBaseAdvance: if a mapping has no base Abschlag for a relief month.
    """
    months, first_paid, paid_months = _scheme_layout(scheme)
    reference = scheme.reference_price_ct
    if callable(working_price_ct_by_month):
        paid_prices = list(map(working_price_ct_by_month, paid_months))
    else:
        for month in paid_months:
            if month not in working_price_ct_by_month:
                raise NoPriceOnDate(month)
        paid_prices = [working_price_ct_by_month[month] for month in paid_months]

    # Prices and Abschläge change rarely: work per run of equal values, not per month. A run's result is computed
    # from its first value (as itertools.groupby would) and shared by the run; monthly_relief is inlined.
    paid_reliefs: list[Decimal] = []
    run_price: Decimal | None = None  # no run yet
    relief = ZERO_EUR
    for price in paid_prices:
        if run_price is None or not (price is run_price or price == run_price):
            run_price = price
            gap = price - reference
            if gap < ZERO:  # max(gap, 0)
                gap = ZERO
            relief = (gap * quota_kwh_year / HUNDRED / TWELVE).quantize(CENT, ROUND_HALF_UP)
        paid_reliefs.append(relief)
    first_relief = paid_reliefs[0]
    prices = (paid_prices[0],) * first_paid + tuple(paid_prices)
    reliefs = (first_relief,) * first_paid + tuple(paid_reliefs)
    credited = (ZERO_EUR,) * first_paid + (first_relief * (first_paid + 1),) + tuple(paid_reliefs[1:])
    advances: list[Decimal] = []
    carried: list[Decimal] = []
    advance = rest = ZERO_EUR
    if isinstance(base_advance_eur, Decimal):
        # One base Abschlag: runs of equal (base, credit) pairs are runs of equal credits.
        base = base_advance_eur
        bases: tuple[Decimal, ...] = (base,) * len(months)
        run_credit: Decimal | None = None  # no run yet
        for credit in credited:
            if run_credit is None or not (credit is run_credit or credit == run_credit):
                run_credit = credit
                advance, rest = _advance_and_rest(base, credit)
            advances.append(advance)
            carried.append(rest)
    else:
        for month in months:
            if month not in base_advance_eur:
                raise MissingBaseAdvance(f"no base Abschlag for {month.isoformat()}")
        bases = tuple([base_advance_eur[month] for month in months])
        run_base: Decimal | None = None  # no run yet
        run_credit = None
        for base, credit in zip(bases, credited, strict=True):
            if run_base is None or not (
                (base is run_base or base == run_base) and (credit is run_credit or credit == run_credit)
            ):
                run_base, run_credit = base, credit
                advance, rest = _advance_and_rest(base, credit)
            advances.append(advance)
            carried.append(rest)

    return _new_row(
        ReliefSchedule,
        (scheme, quota_kwh_year, months, prices, reliefs, credited, bases, tuple(advances), tuple(carried)),
    )


def supplied_schedule(
    schedule: ReliefSchedule, *, supplied_from: date, supplied_to: date | None
) -> ReliefSchedule | None:
    """Return the schedule restricted to the relief months the contract supplied, or None if there is none.

    **Rule:** a relief month counts when the contract supplied the customer on its first day, i.e. the first day lies
    in the half-open supply period ``[supplied_from, supplied_to)`` (``supplied_to`` is the first day without supply).
    The price on the first day of a month decides that month's relief (DOMAIN.md), and a bill takes exactly these
    months (:meth:`ReliefSchedule.relief_by_month` with the bill period), so page and bill agree.

    The relief of each kept month is unchanged (months before the first payment month keep the first payment month's
    values); what changes is what is credited with which Abschlag:

    - the first payment month carries the relief of the supplied months up to it: February and March for a contract
      that started in February 2023 (2 × the monthly relief), not January;
    - a contract that started after the first payment month is credited each month with that month's relief;
    - a contract that ended before the first payment month had no Abschlag the relief could be credited with:
      nothing is credited, its Abschläge stay as they were and the final bill settles the whole relief.

    The schedule itself is returned when the contract supplied every relief month.
    """
    months = schedule.months
    low = bisect_left(months, supplied_from)
    high = len(months) if supplied_to is None else bisect_left(months, supplied_to)
    if low == 0 and high == len(months):
        return schedule
    if low >= high:
        return None
    kept = months[low:high]
    reliefs = schedule.relief_eur_by_month[low:high]
    bases = schedule.base_advance_eur_by_month[low:high]
    first_payment = schedule.scheme.first_payment_month
    caught_up = sum(1 for month in kept if month <= first_payment)  # the months the first payment month carries
    credited = tuple(
        ZERO_EUR if month < first_payment else relief * caught_up if month == first_payment else relief
        for month, relief in zip(kept, reliefs, strict=True)
    )
    advances, carried = zip(*map(_advance_and_rest, bases, credited), strict=True)
    return ReliefSchedule(
        scheme=schedule.scheme,
        quota_kwh_year=schedule.quota_kwh_year,
        months=kept,
        working_price_ct_by_month=schedule.working_price_ct_by_month[low:high],
        relief_eur_by_month=reliefs,
        credited_eur_by_month=credited,
        base_advance_eur_by_month=bases,
        advance_eur_by_month=tuple(advances),
        carried_eur_by_month=tuple(carried),
    )


def is_settled_in_final_bill(schedule: ReliefSchedule) -> bool:
    """Tell whether no relief month could be credited with an Abschlag: the contract ended before the first payment
    month, so the final bill settles the whole relief."""
    return schedule.months[-1] < schedule.scheme.first_payment_month


def explain_supply(schedule: ReliefSchedule, *, supplied_from: date, supplied_to: date | None) -> Step | None:
    """Return the step that says why the relief covers fewer months than the scheme (the contract began or ended
    within the relief year), or None when it covers every relief month.

    ``supplied_to`` is the first day without supply; customers are told the last day of supply.
    """
    scheme, months = schedule.scheme, schedule.months
    if len(months) == len(scheme.months):
        return None
    began = months[0] > scheme.first_month
    ended = supplied_to is not None and months[-1] < scheme.last_month
    last_day = supplied_to - timedelta(days=1) if supplied_to is not None else None
    if began and ended and last_day is not None:
        when = f"Ihr Vertrag lief vom {format_date(supplied_from)} bis zum {format_date(last_day)}"
    elif ended and last_day is not None:
        when = f"Ihr Vertrag endete am {format_date(last_day)} (letzter Liefertag)"
    else:
        when = f"Ihr Vertrag begann am {format_date(supplied_from)}"
    count = len(months)
    return Step(
        text=(
            f"{when}: Entlastung für {count} Monat{'e' if count != 1 else ''} "
            f"({months_de(months[0], months[-1])}). Die {scheme.name_de} gilt nur für die Monate, an deren Erstem "
            "wir Sie beliefert haben, denn die Entlastung eines Monats richtet sich nach dem Preis am Monatsersten."
        ),
    )


# --- explanations ---------------------------------------------------------------------------------------------------

_FORECAST_BASIS_DE = {
    ForecastBasis.CURRENT_FORECAST: "dem Verbrauch, der für Sie im Jahr erwartet wird (Jahresverbrauchsprognose)",
    ForecastBasis.SEPT_2022_FORECAST: (
        "dem Jahresverbrauch, den Ihr Versorger im September 2022 für Sie erwartet hat (Prognose vom September "
        "2022), nicht von Ihrem heutigen"
    ),
    ForecastBasis.CONSUMPTION_2021: "Ihrem Verbrauch im Jahr 2021",
}
_QUOTA_OF_DE = {
    ForecastBasis.CURRENT_FORECAST: "Ihres erwarteten Verbrauchs",
    ForecastBasis.SEPT_2022_FORECAST: "Ihres erwarteten Verbrauchs",
    ForecastBasis.CONSUMPTION_2021: "Ihres Verbrauchs von 2021",
}


def _price_name(scheme: ReliefScheme) -> str:
    if scheme.reference_basis is ReferenceBasis.GROSS_WORKING_PRICE:
        return "Ihr Arbeitspreis (der Preis je Kilowattstunde, brutto mit Umsatzsteuer)"
    return (
        "Ihr Energiepreis (der Teil des Arbeitspreises für die Energie selbst, ohne Netzentgelte, Abgaben und "
        "Umsatzsteuer)"
    )


# "Referenzpreis" is the word of the law and of bills; customers are told in plain words what it means.
_REFERENCE_PRICE_DE = (
    "Diesen Deckel nennt das Gesetz Referenzpreis: Nur den Teil eines Preises, der darüber liegt, übernimmt der Staat."
)


def _price_step(scheme: ReliefScheme, working_price_ct: Decimal) -> Step:
    price, reference = format_ct(working_price_ct), format_ct(scheme.reference_price_ct)
    if working_price_ct <= scheme.reference_price_ct:
        return Step(
            text=(
                f"{_price_name(scheme)} liegt bei {price}. Die {scheme.name_de} deckelt ihn auf {reference}. "
                f"{_REFERENCE_PRICE_DE} Ihr Preis liegt nicht darüber, er ist also nicht höher als der gedeckelte "
                "Preis. Deshalb gibt es keine Entlastung."
            ),
            formula=f"{price} ≤ {reference} → {format_eur(ZERO)}",
            amount=ZERO,
        )
    return Step(
        text=(
            f"{_price_name(scheme)} liegt bei {price}. Der Staat deckelt ihn für "
            f"{format_percent(scheme.quota_share)} {_QUOTA_OF_DE[scheme.forecast_basis]} auf {reference} "
            f"({scheme.name_de}). {_REFERENCE_PRICE_DE}"
        ),
        formula=f"{price} − {reference} = {format_ct(working_price_ct - scheme.reference_price_ct)}",
    )


def _monthly_step(scheme: ReliefScheme, working_price_ct: Decimal, quota: Decimal, monthly_eur: Decimal) -> Step:
    gap = format_ct(max(working_price_ct - scheme.reference_price_ct, ZERO))
    return Step(
        text=(
            f"Für jede Kilowattstunde Ihres Kontingents übernimmt der Staat {gap}. Verteilt auf 12 Monate werden Sie "
            f"jeden Monat um {format_eur(monthly_eur)} entlastet."
        ),
        formula=f"{format_kwh(quota)} × {gap} ÷ 12 = {format_eur(monthly_eur)}",
        amount=monthly_eur,
    )


def months_de(first: date, last: date) -> str:
    """Return "März 2023", "Januar und Februar 2023", "April bis Juni 2023" or "Dezember 2023 bis Januar 2024"."""
    first_name, last_name = MONTH_NAMES_DE[first.month - 1], MONTH_NAMES_DE[last.month - 1]
    if first == last:
        return f"{first_name} {first.year}"
    if first.year != last.year:
        return f"{first_name} {first.year} bis {last_name} {last.year}"
    return f"{first_name} {'und' if last.month == first.month + 1 else 'bis'} {last_name} {last.year}"


def _month_span(first: date, last: date) -> str:
    """Return "Im März 2023", "Im Januar und Februar 2023" or "Von April bis Juni 2023" to start a sentence."""
    two_months = first.year == last.year and last.month == first.month + 1
    return ("Im " if first == last or two_months else "Von ") + months_de(first, last)


def _advance_step(
    span: str, base: Decimal, credited: Decimal, advance: Decimal, carried: Decimal, *, several_months: bool
) -> Step:
    if carried:
        return Step(
            text=(
                f"{span} ist die Entlastung höher als Ihr Abschlag (Ihre monatliche Teilzahlung) von "
                f"{format_eur(base)}. Ein Abschlag kann nicht unter 0 € sinken: Sie zahlen {format_eur(ZERO)}, "
                f"und die übrigen {format_eur(carried)}{' je Monat' if several_months else ''} schreiben wir Ihnen "
                "in der nächsten Rechnung gut."
            ),
            formula=(
                f"{format_eur(base)} − {format_eur(credited)} = {format_eur(base - credited)} → Abschlag "
                f"{format_eur(ZERO)}, Rest {format_eur(carried)}"
            ),
            amount=advance,
        )
    return Step(
        text=f"{span} sinkt Ihr Abschlag (Ihre monatliche Teilzahlung) dadurch von {format_eur(base)} auf "
        f"{format_eur(advance)}.",
        formula=f"{format_eur(base)} − {format_eur(credited)} = {format_eur(advance)}",
        amount=advance,
    )


def _explain_schedule(schedule: ReliefSchedule) -> Explanation:
    scheme, quota = schedule.scheme, schedule.quota_kwh_year
    months = schedule.months
    first_payment = scheme.first_payment_month
    # A schedule restricted to the supplied months (supplied_schedule) may lack the first payment month: all its months
    # lie after it (no catch-up) or before it (the contract ended first: nothing was credited with an Abschlag).
    if first_payment in months:
        first_paid = months.index(first_payment)
    else:
        first_paid = len(months) if months[-1] < first_payment else 0
    prices, reliefs = schedule.working_price_ct_by_month, schedule.relief_eur_by_month
    credited, bases = schedule.credited_eur_by_month, schedule.base_advance_eur_by_month
    advances, carried = schedule.advance_eur_by_month, schedule.carried_eur_by_month
    span_de = months_de(months[0], months[-1])
    which_months = (
        f"für jeden Monat von {span_de} um einen festen Betrag"
        if len(months) == len(scheme.months)
        else f"für {len(months)} Monat{'e' if len(months) != 1 else ''} ({span_de}) um einen festen Betrag je Monat"
    )
    steps = [
        Step(
            text=(
                f"Die {scheme.name_de} entlastet Sie {which_months}. Er hängt nur von Ihrem Entlastungskontingent ab "
                f"({format_kwh(quota)} im Jahr, die Menge, für die der Deckel gilt) und vom Preis am Ersten des "
                "Monats – nicht davon, wie viel Sie tatsächlich verbrauchen."
            ),
        )
    ]
    if not any(reliefs):
        steps.append(
            Step(
                text=(
                    f"{_price_name(scheme)} lag an keinem Monatsersten über dem Deckel von "
                    f"{format_ct(scheme.reference_price_ct)}. Deshalb gibt es keine Entlastung, und Ihr Abschlag "
                    "bleibt, wie er ist."
                ),
                formula=f"max({', '.join(format_ct(price) for price in dict.fromkeys(prices))}) ≤ "
                f"{format_ct(scheme.reference_price_ct)} → {format_eur(ZERO_EUR)}",
                amount=ZERO_EUR,
            )
        )
        return tuple(steps)
    if first_paid:
        full_advance = _full_advances(months[:first_paid], bases[:first_paid])
        steps.append(
            Step(
                text=f"{_month_span(months[0], months[first_paid - 1])} wurde die Entlastung noch nicht ausgezahlt."
                + full_advance
            )
        )
        if first_paid == len(months):
            steps.append(_final_bill_step(schedule))
            start = len(months)
        else:
            steps.extend(_first_payment_steps(schedule, first_paid))
            start = first_paid + 1
    else:
        start = 0
    while start < len(months):
        end = start
        key = (prices[start], credited[start], bases[start])
        while end + 1 < len(months) and (prices[end + 1], credited[end + 1], bases[end + 1]) == key:
            end += 1
        span = _month_span(months[start], months[end])
        steps.append(
            Step(
                text=f"{span}: {_relief_clause(scheme, prices[start], quota, reliefs[start])}",
                formula=_relief_formula(scheme, prices[start], quota, reliefs[start]),
                amount=reliefs[start],
            )
        )
        if credited[start]:
            steps.append(
                _advance_step(
                    span, bases[start], credited[start], advances[start], carried[start], several_months=end > start
                )
            )
        start = end + 1
    total, rest = schedule.total_relief_eur, schedule.total_carried_eur
    carried_note = (
        f" Davon schreiben wir Ihnen {format_eur(rest)} in der nächsten Rechnung gut, weil Ihr Abschlag nicht unter "
        "0 € sinken kann."
        if rest
        else ""
    )
    runs: list[tuple[int, Decimal]] = []
    for relief in reliefs:
        if runs and runs[-1][1] == relief:
            runs[-1] = (runs[-1][0] + 1, relief)
        else:
            runs.append((1, relief))
    steps.append(
        Step(
            text=f"Insgesamt beträgt Ihre Entlastung {format_eur(total)}.{carried_note}",
            formula=" + ".join(f"{count} × {format_eur(relief)}" for count, relief in runs)
            + f" = {format_eur(total)}",
            amount=total,
        )
    )
    return tuple(steps)


def _full_advances(months: tuple[date, ...], bases: tuple[Decimal, ...]) -> str:
    """Return the sentence on the full Abschläge paid before the first payment month: " Sie zahlten Ihren vollen
    Abschlag von 112,00 €." or, where it changed, " … Abschlag: 80,00 € im Januar und 77,00 € im Februar."; "" when no
    Abschlag was due in those months."""
    if not any(bases):
        return ""
    if len(set(bases)) == 1:
        return f" Sie zahlten Ihren vollen Abschlag von {format_eur(bases[0])}."
    parts = [
        f"{format_eur(base)} im {MONTH_NAMES_DE[month.month - 1]}"
        for month, base in zip(months, bases, strict=True)
        if base
    ]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]
    return f" Sie zahlten Ihren vollen Abschlag: {listed}."


def _first_payment_steps(schedule: ReliefSchedule, first_paid: int) -> list[Step]:
    """Explain the first payment month, which carries the relief of the supplied months before it."""
    scheme, quota, months = schedule.scheme, schedule.quota_kwh_year, schedule.months
    price, relief = schedule.working_price_ct_by_month[first_paid], schedule.relief_eur_by_month[first_paid]
    credited = schedule.credited_eur_by_month[first_paid]
    names = [MONTH_NAMES_DE[month.month - 1] for month in months[: first_paid + 1]]
    listed = ", ".join(names[:-1]) + " und " + names[-1]
    first = names[-1]
    steps = [
        Step(
            text=(
                f"Im {first} {months[first_paid].year} wurde die Entlastung zum ersten Mal verrechnet: die für "
                f"{listed} zusammen, {'beide' if first_paid == 1 else 'alle'} mit den Werten vom {first} berechnet. "
                f"{_relief_clause(scheme, price, quota, relief)}"
            ),
            formula=f"{first_paid + 1} × {format_eur(relief)} = {format_eur(credited)}",
            amount=credited,
        )
    ]
    if credited:
        steps.append(
            _advance_step(
                f"Im {first}",
                schedule.base_advance_eur_by_month[first_paid],
                credited,
                schedule.advance_eur_by_month[first_paid],
                schedule.carried_eur_by_month[first_paid],
                several_months=False,
            )
        )
    return steps


def _final_bill_step(schedule: ReliefSchedule) -> Step:
    """Explain a relief that no Abschlag carried: the contract ended before the first payment month."""
    scheme, quota, months = schedule.scheme, schedule.quota_kwh_year, schedule.months
    price, relief = schedule.working_price_ct_by_month[0], schedule.relief_eur_by_month[0]
    payment = scheme.first_payment_month
    payment_name = f"{MONTH_NAMES_DE[payment.month - 1]} {payment.year}"
    total = schedule.total_relief_eur
    return Step(
        text=(
            f"Mit dem Abschlag verrechnet wurde die Entlastung erst ab {payment_name}. Ihr Vertrag endete vorher, "
            f"deshalb wurde keiner Ihrer Abschläge gesenkt: Die Entlastung für {months_de(months[0], months[-1])} "
            f"schreiben wir Ihnen in Ihrer Schlussrechnung gut, berechnet wie bei allen Kunden mit den Werten vom "
            f"1. {payment_name}. {_relief_clause(scheme, price, quota, relief)}"
        ),
        formula=f"{len(months)} × {format_eur(relief)} = {format_eur(total)}",
        amount=total,
    )


def _relief_formula(scheme: ReliefScheme, price_ct: Decimal, quota: Decimal, relief: Decimal) -> str:
    reference = scheme.reference_price_ct
    if price_ct <= reference:
        return f"{format_ct(price_ct)} ≤ {format_ct(reference)} → {format_eur(relief)}"
    return f"{format_kwh(quota)} × {format_ct(price_ct - reference)} ÷ 12 = {format_eur(relief)}"


def _relief_clause(scheme: ReliefScheme, price_ct: Decimal, quota: Decimal, relief: Decimal) -> str:
    basis = "Arbeitspreis" if scheme.reference_basis is ReferenceBasis.GROSS_WORKING_PRICE else "Energiepreis"
    if price_ct <= scheme.reference_price_ct:
        return (
            f"Ihr {basis} am Monatsersten ({format_ct(price_ct)}) liegt nicht über dem Deckel von "
            f"{format_ct(scheme.reference_price_ct)}, deshalb gibt es keine Entlastung."
        )
    return (
        f"Ihr {basis} am Monatsersten ({format_ct(price_ct)}) liegt "
        f"{format_ct(price_ct - scheme.reference_price_ct)} über dem Deckel von "
        f"{format_ct(scheme.reference_price_ct)}. "
        f"Für ein Zwölftel Ihres Kontingents ({format_kwh(quota / 12)}) sind das {format_eur(relief)} im Monat."
    )
