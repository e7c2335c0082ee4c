"""The optimised calculations return exactly what the straightforward implementation returned.

The ``reference_*`` functions below are the calculations as they were before the hot paths were optimised for
benchmarks/bench_tariffs.py (caches, inlined helpers, run-wise schedule, NamedTuple results). Hypothesis feeds both the
same random inputs, including awkward ones (unsorted versions, equal prices with different exponents, relief months
outside the bill, gaps without a price), and every result must be identical down to the ``Decimal`` exponent (compared
by ``repr``), and every error must be the same error.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import groupby, pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tariffs.domain import advance, billing, prices, relief
from tariffs.domain.money import (
    CENT,
    CT_PLACES,
    DAYS_PER_YEAR,
    EURO,
    HUNDRED,
    KWH,
    ONE,
    TWELVE,
    ZERO,
    ZERO_EUR,
    Rounding,
)
from tariffs.domain.vat import DEFAULT_VAT_PERIODS, Commodity, NoVatRate, VatPeriod

# --- the reference implementation -----------------------------------------------------------------------------------


def reference_vat_rate_on(*, commodity: Commodity, day: date, periods: Sequence[VatPeriod]) -> Decimal:
    for period in periods:
        if (
            period.commodity == commodity
            and period.valid_from <= day
            and (period.valid_to is None or day < period.valid_to)
        ):
            return period.rate
    raise NoVatRate(commodity, day)


def reference_price_on(*, versions: Sequence[prices.PriceVersion], day: date) -> prices.PriceVersion:
    for version in versions:
        if version.valid_from <= day and (version.valid_to is None or day < version.valid_to):
            return version
    raise prices.NoPriceOnDate(day)


def reference_gross_prices_on(
    *, versions: Sequence[prices.PriceVersion], commodity: Commodity, day: date, vat_periods: Sequence[VatPeriod]
) -> tuple[Decimal, Decimal, Decimal]:
    version = reference_price_on(versions=versions, day=day)
    rate = reference_vat_rate_on(commodity=commodity, day=day, periods=vat_periods)
    return (
        (version.working_price_net_ct * (ONE + rate)).quantize(CT_PLACES, rounding=ROUND_HALF_UP),
        (version.base_price_net_eur_year * (ONE + rate)).quantize(CENT, rounding=ROUND_HALF_UP),
        rate,
    )


def reference_advance_payment(
    *,
    forecast_kwh: Decimal,
    working_price_gross_ct: Decimal,
    base_price_gross_eur_year: Decimal,
    annual_relief_eur: Decimal,
    installments: int,
    rounding: advance.Rounding,
) -> tuple[Any, ...]:
    cost = (forecast_kwh * working_price_gross_ct / HUNDRED + base_price_gross_eur_year).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    amount = cost - annual_relief_eur
    if amount < ZERO:
        amount = ZERO_EUR
    return (
        forecast_kwh,
        working_price_gross_ct,
        base_price_gross_eur_year,
        annual_relief_eur,
        installments,
        rounding,
        cost,
        amount,
        (amount / installments).quantize(EURO, rounding=ROUND_HALF_UP) + ZERO_EUR
        if rounding is Rounding.EURO
        else (amount / installments).quantize(CENT, rounding=ROUND_HALF_UP),
    )


def reference_select_scheme(
    *,
    schemes: Sequence[relief.ReliefScheme],
    commodity: Commodity,
    customer_group: relief.CustomerGroup,
    annual_kwh: Decimal,
) -> relief.ReliefScheme:
    candidates = [s for s in schemes if s.commodity == commodity and customer_group in s.customer_groups]
    if len(candidates) > 1:
        candidates = [s for s in candidates if s.contains(annual_kwh)]
    if len(candidates) != 1:
        raise relief.NoReliefScheme(
            f"{len(candidates)} relief schemes fit {commodity}/{customer_group} with {annual_kwh} kWh/year"
        )
    return candidates[0]


def reference_monthly_relief(
    *, working_price_ct: Decimal, reference_price_ct: Decimal, quota_kwh_year: Decimal
) -> Any:
    gap_ct = max(working_price_ct - reference_price_ct, ZERO)
    return (gap_ct * quota_kwh_year / HUNDRED / TWELVE).quantize(CENT, rounding=ROUND_HALF_UP)


def reference_relief_schedule(
    *,
    scheme: relief.ReliefScheme,
    quota_kwh_year: Decimal,
    working_price_ct_by_month: Mapping[date, Decimal] | Callable[[date], Decimal],
    base_advance_eur: Decimal | Mapping[date, Decimal],
) -> tuple[Any, ...]:
    months = scheme.months
    if scheme.first_payment_month not in months:
        raise ValueError(f"the first payment month {scheme.first_payment_month} is not a relief month")
    first_paid = months.index(scheme.first_payment_month)
    reference = scheme.reference_price_ct
    paid_months = months[first_paid:]
    if callable(working_price_ct_by_month):
        paid_prices = [working_price_ct_by_month(month) for month in paid_months]
    else:
        for month in paid_months:
            if month not in working_price_ct_by_month:
                raise prices.NoPriceOnDate(month)
        paid_prices = [working_price_ct_by_month[month] for month in paid_months]
    paid_reliefs: list[Decimal] = []
    for price, equal_prices in groupby(paid_prices):
        amount = reference_monthly_relief(
            working_price_ct=price, reference_price_ct=reference, quota_kwh_year=quota_kwh_year
        )
        paid_reliefs += [amount] * len(list(equal_prices))
    first_relief = paid_reliefs[0]
    month_prices = (paid_prices[0],) * first_paid + tuple(paid_prices)
    reliefs = (first_relief,) * first_paid + tuple(paid_reliefs)
    credited = (ZERO_EUR,) * first_paid + (first_relief * (first_paid + 1),) + tuple(paid_reliefs[1:])
    if isinstance(base_advance_eur, Decimal):
        bases: tuple[Decimal, ...] = (base_advance_eur,) * len(months)
    else:
        for month in months:
            if month not in base_advance_eur:
                raise relief.MissingBaseAdvance(f"no base Abschlag for {month.isoformat()}")
        bases = tuple([base_advance_eur[month] for month in months])
    advances: list[Decimal] = []
    carried: list[Decimal] = []
    for (base, credit), equal_months in groupby(zip(bases, credited, strict=True)):
        count = len(list(equal_months))
        advances += [max(base - credit, ZERO_EUR)] * count
        carried += [max(credit - base, ZERO_EUR)] * count
    return (
        scheme,
        quota_kwh_year,
        months,
        month_prices,
        reliefs,
        credited,
        bases,
        tuple(advances),
        tuple(carried),
    )


def reference_split_by_days(*, consumption_kwh: Decimal, segment_days: Sequence[int]) -> tuple[Decimal, ...]:
    total_days = sum(segment_days)
    whole_kwh = consumption_kwh.to_integral_value(rounding=ROUND_FLOOR)
    parts = []
    done_days = 0
    done_kwh = ZERO
    for days in segment_days[:-1]:
        done_days += days
        upto = min((consumption_kwh * done_days / total_days).quantize(KWH, rounding=ROUND_HALF_UP), whole_kwh)
        parts.append(upto - done_kwh)
        done_kwh = upto
    parts.append(consumption_kwh - done_kwh)
    return tuple(parts)


def reference_compute_bill(
    *,
    commodity: Commodity,
    start_date: date,
    end_date: date,
    consumption_kwh: Decimal,
    price_versions: Sequence[prices.PriceVersion],
    vat_periods: Sequence[VatPeriod] = DEFAULT_VAT_PERIODS,
    relief_by_month: Iterable[tuple[date, Decimal]] = (),
    advances_paid_eur: Decimal = ZERO_EUR,
    basic_supply: bool = False,
    relief_period: tuple[date, date] = billing.RELIEF_PERIOD_2023,
) -> tuple[Any, ...]:
    if end_date <= start_date:
        raise billing.EmptyBillPeriod(f"{start_date.isoformat()} … {end_date.isoformat()}")
    if consumption_kwh < ZERO:
        raise billing.NegativeConsumption(str(consumption_kwh))
    relief_pairs = tuple(relief_by_month)
    claimed = ZERO_EUR
    if relief_pairs:
        relief_months, relief_amounts = zip(*relief_pairs, strict=True)
        if min(relief_months) < start_date or max(relief_months) >= end_date:
            raise billing.ReliefMonthOutsideBill(
                f"relief months {min(relief_months)} … {max(relief_months)} are not all in "
                f"{start_date.isoformat()} … {end_date.isoformat()}"
            )
        claimed = sum(relief_amounts, ZERO_EUR)
    periods = [period for period in vat_periods if period.commodity == commodity]
    edges: set[Any] = {version.valid_from for version in price_versions}
    edges.update(
        [version.valid_to for version in price_versions],
        [period.valid_from for period in periods],
        [period.valid_to for period in periods],
    )
    edges.discard(None)
    ordered = sorted(edges)
    bounds = [start_date, *ordered[bisect_right(ordered, start_date) : bisect_left(ordered, end_date)], end_date]
    segments = list(pairwise(bounds))
    segment_days = [(seg_to - seg_from).days for seg_from, seg_to in segments]
    kwh_parts = reference_split_by_days(consumption_kwh=consumption_kwh, segment_days=segment_days)
    relief_from, relief_to = relief_period
    gross_in_relief_period = ZERO
    lines: list[tuple[Any, ...]] = []
    net_by_rate: dict[Decimal, Decimal] = {}
    for (seg_from, seg_to), days, kwh in zip(segments, segment_days, kwh_parts, strict=True):
        version = reference_price_on(versions=price_versions, day=seg_from)
        rate = reference_vat_rate_on(commodity=commodity, day=seg_from, periods=periods)
        working_price, base_price = version.working_price_net_ct, version.base_price_net_eur_year
        working = (kwh * working_price / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        base = (base_price * days / DAYS_PER_YEAR).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append((billing.LineKind.WORKING_PRICE, seg_from, seg_to, kwh, working_price, rate, working))
        lines.append((billing.LineKind.BASE_PRICE, seg_from, seg_to, Decimal(days), base_price, rate, base))
        net = working + base
        net_by_rate[rate] = net_by_rate[rate] + net if rate in net_by_rate else net
        if relief_pairs and seg_from < relief_to and relief_from < seg_to:
            overlap = (min(seg_to, relief_to) - max(seg_from, relief_from)).days
            gross = net * (ONE + rate)
            gross_in_relief_period += gross if overlap == days else gross * overlap / days
    subtotals = tuple(
        (rate, net, (net * rate).quantize(CENT, rounding=ROUND_HALF_UP)) for rate, net in net_by_rate.items()
    )
    net_total = sum(net_by_rate.values(), ZERO_EUR)
    vat_total = sum([subtotal[2] for subtotal in subtotals], ZERO_EUR)
    gross_total = net_total + vat_total
    cap: Decimal | None = None
    relief_total = ZERO_EUR
    if relief_pairs:
        cap = min(gross_in_relief_period.quantize(CENT, rounding=ROUND_HALF_UP), gross_total)
        relief_total = min(claimed, cap)
        line_from = max(start_date, relief_from)
        line_to = max(min(end_date, relief_to), line_from)
        lines.append(
            (billing.LineKind.RELIEF, line_from, line_to, Decimal(len(relief_pairs)), None, None, -relief_total)
        )
    return (
        commodity,
        start_date,
        end_date,
        consumption_kwh,
        basic_supply,
        tuple(lines),
        subtotals,
        net_total,
        vat_total,
        gross_total,
        claimed,
        cap,
        relief_total,
        advances_paid_eur,
        gross_total - relief_total - advances_paid_eur,
    )


# --- comparing ------------------------------------------------------------------------------------------------------


def outcome(call: Callable[[], Any]) -> str:
    """Return the repr of the result as plain tuples (so exponents and signs count), or the error raised."""
    try:
        result = call()
    except Exception as error:  # noqa: BLE001 (the error is the outcome being compared)
        return f"raises {type(error).__name__}: {error}"
    return repr(_plain(result))


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    return value


# --- inputs ---------------------------------------------------------------------------------------------------------


def _written(value: Decimal, places: int, how: int) -> Decimal:
    if how == 0:  # as drawn
        return value
    if how == 1:  # without trailing zeros, e.g. 1E+2 for 100
        return value.normalize()
    return value.quantize(Decimal(1).scaleb(-(places + how)))  # with more trailing zeros


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals with up to ``places`` places, sometimes written with fewer or more trailing zeros."""
    return st.builds(
        _written,
        st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places),
        st.just(places),
        st.sampled_from([0, 0, 1, 2]),
    )


days_2021_to_2025 = st.dates(min_value=date(2021, 6, 1), max_value=date(2025, 6, 1))
ct = decimals("0", "80", 4)
eur_year = decimals("0", "400", 2)


@st.composite
def price_versions(draw: st.DrawFn, start: date, end: date) -> tuple[prices.PriceVersion, ...]:
    changes = sorted(set(draw(st.lists(st.dates(min_value=start, max_value=max(start, end)), max_size=3))))
    bounds = [draw(st.sampled_from([date(2020, 1, 1), start, start + timedelta(days=3)])), *changes]
    ends = [*bounds[1:], draw(st.sampled_from([None, end, end - timedelta(days=2)]))]
    versions = [
        prices.PriceVersion(valid_from, valid_to, draw(ct), draw(eur_year), draw(st.none() | ct))
        for valid_from, valid_to in zip(bounds, ends, strict=True)
        if valid_to is None or valid_from < valid_to
    ]
    if draw(st.booleans()):
        versions = draw(st.permutations(versions))
    return tuple(versions)


vat_period_sets = st.sampled_from(
    [
        DEFAULT_VAT_PERIODS,
        list(DEFAULT_VAT_PERIODS),
        (
            VatPeriod(Commodity.GAS, date(2023, 3, 1), None, Decimal("0.070")),
            *DEFAULT_VAT_PERIODS,
            VatPeriod(Commodity.HEAT, date(2023, 6, 15), date(2023, 8, 1), Decimal("0.16")),
        ),
        (VatPeriod(Commodity.ELECTRICITY, date(2023, 1, 1), None, Decimal("0.19")),),
    ]
)


@st.composite
def bill_arguments(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(days_2021_to_2025)
    end = start + timedelta(days=draw(st.integers(-1, 800)))
    relief_from = draw(st.sampled_from([date(2023, 1, 1), date(2022, 12, 15)]))
    months = [date(year, month, 1) for year in (2022, 2023, 2024) for month in range(1, 13)]
    inside = [month for month in months if start <= month < end and date(2023, 1, 1) <= month < date(2024, 1, 1)]
    relief_months = draw(st.lists(st.sampled_from(months), max_size=3)) if draw(st.booleans()) else []
    relief_pairs = [(month, draw(decimals("-5", "500", 2))) for month in [*inside, *relief_months]]
    if draw(st.booleans()):
        relief_pairs = draw(st.permutations(relief_pairs))
    return {
        "commodity": draw(st.sampled_from(list(Commodity))),
        "start_date": start,
        "end_date": end,
        "consumption_kwh": draw(decimals("-1", "100000", 3)),
        "price_versions": draw(price_versions(start, end)),
        "vat_periods": draw(vat_period_sets),
        "relief_by_month": tuple(relief_pairs) if draw(st.booleans()) else relief_pairs,
        "advances_paid_eur": draw(decimals("0", "9000", 2)),
        "basic_supply": draw(st.booleans()),
        "relief_period": (relief_from, draw(st.sampled_from([date(2024, 1, 1), date(2023, 7, 1)]))),
    }


# --- properties -----------------------------------------------------------------------------------------------------


@settings(max_examples=200)
@given(arguments=bill_arguments())
def test_compute_bill_returns_exactly_what_the_reference_returns(arguments):
    expected = outcome(lambda: reference_compute_bill(**arguments))

    assert outcome(lambda: billing.compute_bill(**arguments)) == expected
    assert outcome(lambda: billing.compute_bill(**arguments)) == expected  # again, from the caches


@given(consumption_kwh=decimals("0", "1000000", 3), segment_days=st.lists(st.integers(1, 400), min_size=1, max_size=6))
def test_split_by_days_returns_exactly_what_the_reference_returns(consumption_kwh, segment_days):
    assert outcome(
        lambda: billing.split_by_days(consumption_kwh=consumption_kwh, segment_days=segment_days)
    ) == outcome(lambda: reference_split_by_days(consumption_kwh=consumption_kwh, segment_days=segment_days))


EARLY_PAYMENT = relief.ReliefScheme(
    code="TEST_FIRST_MONTH_PAID",
    name_de="Testbremse",
    commodity=Commodity.GAS,
    customer_groups=frozenset(relief.CustomerGroup),
    min_kwh=None,
    max_kwh=None,
    reference_price_ct=Decimal("12.0"),
    reference_basis=relief.ReferenceBasis.GROSS_WORKING_PRICE,
    quota_share=Decimal("0.8"),
    forecast_basis=relief.ForecastBasis.CURRENT_FORECAST,
    first_month=date(2022, 11, 1),
    last_month=date(2023, 4, 1),
    first_payment_month=date(2022, 11, 1),
)


@st.composite
def schedule_arguments(draw: st.DrawFn) -> dict[str, Any]:
    scheme = draw(st.sampled_from([*relief.DEFAULT_RELIEF_SCHEMES, EARLY_PAYMENT]))
    months = scheme.months
    palette = draw(st.lists(decimals("0", "60", 4), min_size=1, max_size=3))
    palette += [price.quantize(Decimal("1E-6")) for price in palette]  # equal values, other exponents
    by_month = {month: draw(st.sampled_from(palette)) for month in months}
    if draw(st.booleans()):
        del by_month[draw(st.sampled_from(months))]
    base: Decimal | dict[date, Decimal] = draw(decimals("0", "400", 2))
    if draw(st.booleans()):
        bases = draw(st.lists(decimals("0", "400", 2), min_size=1, max_size=2))
        base = {month: draw(st.sampled_from(bases)) for month in months}
        if draw(st.integers(0, 9)) == 0:
            del base[months[-1]]
    return {
        "scheme": scheme,
        "quota_kwh_year": draw(decimals("-10", "50000", 2)),
        "working_price_ct_by_month": by_month if draw(st.booleans()) else (lambda month: by_month[month]),
        "base_advance_eur": base,
    }


@settings(max_examples=200)
@given(arguments=schedule_arguments())
def test_relief_schedule_returns_exactly_what_the_reference_returns(arguments):
    assert outcome(lambda: relief.relief_schedule(**arguments)) == outcome(
        lambda: reference_relief_schedule(**arguments)
    )


@given(
    forecast_kwh=decimals("0", "2000000", 0),
    working_price_gross_ct=ct,
    base_price_gross_eur_year=eur_year,
    annual_relief_eur=decimals("0", "5000", 2),
    installments=st.integers(1, 12),
    rounding=st.sampled_from(list(advance.Rounding)),
)
def test_advance_payment_returns_exactly_what_the_reference_returns(**arguments):
    assert outcome(lambda: advance.advance_payment(**arguments)) == outcome(
        lambda: reference_advance_payment(**arguments)
    )


@given(
    commodity=st.sampled_from(list(Commodity)),
    day=days_2021_to_2025,
    vat_periods=vat_period_sets,
    versions=price_versions(date(2022, 1, 1), date(2024, 12, 31)),
)
def test_gross_prices_on_returns_exactly_what_the_reference_returns(commodity, day, vat_periods, versions):
    arguments = {"versions": versions, "commodity": commodity, "day": day, "vat_periods": vat_periods}

    assert outcome(lambda: prices.gross_prices_on(**arguments)) == outcome(
        lambda: reference_gross_prices_on(**arguments)
    )


@given(
    schemes=st.sampled_from([relief.DEFAULT_RELIEF_SCHEMES, list(relief.DEFAULT_RELIEF_SCHEMES), (EARLY_PAYMENT,)]),
    commodity=st.sampled_from(list(Commodity)),
    customer_group=st.sampled_from(list(relief.CustomerGroup)),
    annual_kwh=st.sampled_from(
        [Decimal(0), Decimal(30_000), Decimal("30000.5"), Decimal(1_500_000), Decimal(2_000_000)]
    ),
)
def test_select_scheme_returns_exactly_what_the_reference_returns(**arguments):
    assert outcome(lambda: relief.select_scheme(**arguments)) == outcome(lambda: reference_select_scheme(**arguments))


def test_results_stay_immutable():
    bill = billing.compute_bill(
        commodity=Commodity.GAS,
        start_date=date(2023, 1, 1),
        end_date=date(2024, 1, 1),
        consumption_kwh=Decimal(1000),
        price_versions=(prices.PriceVersion(date(2020, 1, 1), None, Decimal("10.0000"), Decimal("100.00")),),
    )

    for result, field in ((bill, "balance_eur"), (bill.lines[0], "amount_eur")):
        try:
            setattr(result, field, Decimal(0))
        except AttributeError:
            continue
        raise AssertionError(f"{type(result).__name__}.{field} could be changed")
