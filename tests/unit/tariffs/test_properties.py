"""Properties that must hold for any input, checked with hypothesis."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tariffs.domain import advance, billing, prices, relief
from tariffs.domain.billing import LineKind
from tariffs.domain.vat import Commodity

ct_prices = st.decimals(min_value=0, max_value=200, places=4)
quotas = st.decimals(min_value=0, max_value=2_000_000, places=2)
kwh = st.decimals(min_value=0, max_value=100_000, places=0)
euros = st.decimals(min_value=0, max_value=100_000, places=2)


@given(working_price_ct=ct_prices, reference_price_ct=ct_prices, quota_kwh_year=quotas)
def test_relief_is_never_negative(working_price_ct, reference_price_ct, quota_kwh_year):
    assert (
        relief.monthly_relief(
            working_price_ct=working_price_ct, reference_price_ct=reference_price_ct, quota_kwh_year=quota_kwh_year
        )
        >= 0
    )


@given(lower=ct_prices, higher=ct_prices, reference_price_ct=ct_prices, quota_kwh_year=quotas)
def test_relief_does_not_decrease_when_the_price_rises(lower, higher, reference_price_ct, quota_kwh_year):
    lower, higher = sorted((lower, higher))

    def at(price):
        return relief.monthly_relief(
            working_price_ct=price, reference_price_ct=reference_price_ct, quota_kwh_year=quota_kwh_year
        )

    assert at(lower) <= at(higher)


@given(reference_price_ct=ct_prices, below=ct_prices, quota_kwh_year=quotas)
def test_relief_is_zero_at_or_below_the_reference_price(reference_price_ct, below, quota_kwh_year):
    price = min(below, reference_price_ct)

    assert relief.monthly_relief(
        working_price_ct=price, reference_price_ct=reference_price_ct, quota_kwh_year=quota_kwh_year
    ) == Decimal(0)


@given(
    forecast_kwh=kwh,
    working_price_ct=ct_prices,
    base_price_eur=euros,
    relief_eur=euros,
    installments=st.integers(1, 12),
    rounding=st.sampled_from(list(advance.Rounding)),
)
def test_the_abschlag_is_never_below_zero(
    forecast_kwh, working_price_ct, base_price_eur, relief_eur, installments, rounding
):
    payment = advance.advance_payment(
        forecast_kwh=forecast_kwh,
        working_price_gross_ct=working_price_ct,
        base_price_gross_eur_year=base_price_eur,
        annual_relief_eur=relief_eur,
        installments=installments,
        rounding=rounding,
    )

    assert payment.installment_eur >= 0


@given(
    quota_kwh_year=st.decimals(min_value=0, max_value=50_000, places=2),
    monthly_prices=st.lists(ct_prices, min_size=10, max_size=10),
    base_advance_eur=st.decimals(min_value=0, max_value=2_000, places=2),
)
def test_schedule_abschlaege_are_never_below_zero_and_nothing_is_lost(
    quota_kwh_year, monthly_prices, base_advance_eur
):
    price_by_month = {date(2023, month, 1): price for month, price in zip(range(3, 13), monthly_prices, strict=True)}

    schedule = relief.relief_schedule(
        scheme=relief.DEFAULT_RELIEF_SCHEMES[0],
        quota_kwh_year=quota_kwh_year,
        working_price_ct_by_month=price_by_month,
        base_advance_eur=base_advance_eur,
    )

    for row in schedule.rows:
        assert row.advance_eur >= 0
        assert row.advance_eur + row.credited_eur - row.carried_eur == row.base_advance_eur
    assert sum(schedule.credited_eur_by_month) == schedule.total_relief_eur


@given(
    consumption_kwh=st.decimals(min_value=0, max_value=1_000_000, places=3),
    segment_days=st.lists(st.integers(0, 400), min_size=1, max_size=8).filter(lambda days: sum(days) > 0),
)
def test_split_kwh_add_up_to_the_consumption_and_are_never_negative(consumption_kwh, segment_days):
    parts = billing.split_by_days(consumption_kwh=consumption_kwh, segment_days=segment_days)

    assert sum(parts) == consumption_kwh
    assert all(part >= 0 for part in parts)


@st.composite
def bills(draw):
    commodity = draw(st.sampled_from(list(Commodity)))
    start = draw(st.dates(min_value=date(2022, 6, 1), max_value=date(2024, 6, 1)))
    end = start + timedelta(days=draw(st.integers(1, 800)))
    changes = sorted(set(draw(st.lists(st.dates(min_value=start, max_value=end), max_size=3))))
    bounds = [date(2020, 1, 1), *changes]
    versions = tuple(
        prices.PriceVersion(
            valid_from,
            valid_to,
            draw(st.decimals(min_value=0, max_value=80, places=4)),
            draw(st.decimals(min_value=0, max_value=400, places=2)),
        )
        for valid_from, valid_to in zip(bounds, [*bounds[1:], None], strict=True)
    )
    relief_months = [
        (date(2023, month, 1), draw(st.decimals(min_value=0, max_value=500, places=2)))
        for month in range(1, 13)
        if start <= date(2023, month, 1) < end
    ]
    return billing.compute_bill(
        commodity=commodity,
        start_date=start,
        end_date=end,
        consumption_kwh=draw(st.decimals(min_value=0, max_value=100_000, places=1)),
        price_versions=versions,
        relief_by_month=relief_months,
        advances_paid_eur=draw(euros),
    )


@given(bill=bills())
def test_bill_lines_add_up_to_the_totals(bill):
    price_lines = [line for line in bill.lines if line.kind is not LineKind.RELIEF]
    relief_lines = [line for line in bill.lines if line.kind is LineKind.RELIEF]

    assert sum(line.amount_eur for line in price_lines) == bill.net_total_eur
    for subtotal in bill.vat_subtotals:
        assert sum(line.amount_eur for line in price_lines if line.vat_rate == subtotal.rate) == subtotal.net_eur
    assert sum(subtotal.vat_eur for subtotal in bill.vat_subtotals) == bill.vat_total_eur
    assert bill.net_total_eur + bill.vat_total_eur == bill.gross_total_eur
    assert -sum(line.amount_eur for line in relief_lines) == bill.relief_total_eur
    assert bill.gross_total_eur - bill.relief_total_eur - bill.advances_paid_eur == bill.balance_eur
    assert sum(line.quantity for line in price_lines if line.kind is LineKind.WORKING_PRICE) == bill.consumption_kwh
    assert sum(line.days for line in price_lines if line.kind is LineKind.BASE_PRICE) == bill.days


@given(bill=bills())
def test_relief_never_exceeds_the_claim_nor_the_gross_cost(bill):
    assert 0 <= bill.relief_total_eur <= bill.relief_claimed_eur
    assert bill.relief_total_eur <= bill.gross_total_eur


@given(bill=bills())
def test_every_bill_explains_itself_in_words_and_ends_on_its_balance(bill):
    steps = bill.explanation

    assert steps[-1].amount == bill.balance_eur
    assert not any("None" in step.text or "Decimal" in step.text for step in steps)
