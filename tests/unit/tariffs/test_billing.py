from datetime import date
from decimal import Decimal

import pytest

from tariffs.domain import billing, prices
from tariffs.domain.billing import LineKind
from tariffs.domain.money import BalanceKind
from tariffs.domain.vat import Commodity

GAS_VERSIONS = (
    prices.PriceVersion(date(2023, 1, 1), date(2024, 1, 1), Decimal("10.0000"), Decimal("120.00")),
    prices.PriceVersion(date(2024, 1, 1), None, Decimal("12.0000"), Decimal("150.00")),
)
ELECTRICITY_VERSIONS = (prices.PriceVersion(date(2023, 1, 1), None, Decimal("40.0000"), Decimal("0.00")),)


def gas_bill_across_the_price_and_vat_change(**overrides):
    arguments = {
        "commodity": Commodity.GAS,
        "start_date": date(2023, 10, 1),
        "end_date": date(2024, 10, 1),
        "consumption_kwh": Decimal(12_000),
        "price_versions": GAS_VERSIONS,
        "relief_by_month": [(date(2023, month, 1), Decimal("25.00")) for month in (10, 11, 12)],
        "advances_paid_eur": Decimal("1600.00"),
    } | overrides
    return billing.compute_bill(**arguments)


def test_a_gas_bill_spanning_a_price_change_and_the_vat_change_is_computed_to_the_cent():
    # Period 2023-10-01 … 2024-10-01 = 366 days, cut at the price change (2024-01-01) and the VAT change (2024-04-01):
    #   A 2023-10-01 … 2023-12-31:  92 days, 10 ct, 120 €/year, 7 %
    #   B 2024-01-01 … 2024-03-31:  91 days, 12 ct, 150 €/year, 7 %
    #   C 2024-04-01 … 2024-09-30: 183 days, 12 ct, 150 €/year, 19 %
    # kWh, cumulative and rounded: 12,000 × 92/366 = 3,016.39 → 3,016; 12,000 × 183/366 = 6,000 → B 2,984; C 6,000
    #   A: 3,016 kWh × 10 ct = 301.60 €   120 € × 92/365 = 30.2466 → 30.25 €
    #   B: 2,984 kWh × 12 ct = 358.08 €   150 € × 91/365 = 37.3973 → 37.40 €
    #   C: 6,000 kWh × 12 ct = 720.00 €   150 € × 183/365 = 75.2055 → 75.21 €
    # 7 %: net 727.33 € → VAT 50.9131 → 50.91 €;  19 %: net 795.21 € → VAT 151.0899 → 151.09 €
    # net 1,522.54 € + VAT 202.00 € = gross 1,724.54 €
    # relief Oct–Dec 2023: 3 × 25.00 € = 75.00 € (cap: 2023 gross = 331.85 € × 1.07 = 355.0795 → 355.08 €)
    # 1,724.54 − 75.00 − 1,600.00 = 49.54 € Nachzahlung
    bill = gas_bill_across_the_price_and_vat_change()

    assert [(line.kind, line.quantity, line.amount_eur) for line in bill.lines] == [
        (LineKind.WORKING_PRICE, Decimal(3016), Decimal("301.60")),
        (LineKind.BASE_PRICE, Decimal(92), Decimal("30.25")),
        (LineKind.WORKING_PRICE, Decimal(2984), Decimal("358.08")),
        (LineKind.BASE_PRICE, Decimal(91), Decimal("37.40")),
        (LineKind.WORKING_PRICE, Decimal(6000), Decimal("720.00")),
        (LineKind.BASE_PRICE, Decimal(183), Decimal("75.21")),
        (LineKind.RELIEF, Decimal(3), Decimal("-75.00")),
    ]
    assert [(s.rate, s.net_eur, s.vat_eur) for s in bill.vat_subtotals] == [
        (Decimal("0.07"), Decimal("727.33"), Decimal("50.91")),
        (Decimal("0.19"), Decimal("795.21"), Decimal("151.09")),
    ]
    assert (bill.net_total_eur, bill.vat_total_eur, bill.gross_total_eur) == (
        Decimal("1522.54"),
        Decimal("202.00"),
        Decimal("1724.54"),
    )
    assert (bill.relief_cap_eur, bill.relief_total_eur) == (Decimal("355.08"), Decimal("75.00"))
    assert bill.balance_eur == Decimal("49.54")
    assert bill.is_additional_payment
    assert bill.kind is BalanceKind.ADDITIONAL_PAYMENT


def test_the_segments_of_a_bill_carry_the_right_dates_and_vat_rates():
    bill = gas_bill_across_the_price_and_vat_change()

    working = [line for line in bill.lines if line.kind is LineKind.WORKING_PRICE]

    assert [(line.from_date, line.to_date, line.vat_rate) for line in working] == [
        (date(2023, 10, 1), date(2024, 1, 1), Decimal("0.07")),
        (date(2024, 1, 1), date(2024, 4, 1), Decimal("0.07")),
        (date(2024, 4, 1), date(2024, 10, 1), Decimal("0.19")),
    ]
    assert working[0].label == "Arbeitspreis 01.10.2023–31.12.2023"


def test_the_relief_is_capped_at_the_actual_gross_cost_of_the_2023_days():
    # 2023-07-01 … 2024-07-01 = 366 days, 184 of them in 2023; 732 kWh × 40 ct = 292.80 € net, × 1.19 = 348.432 €;
    # the 2023 share is 348.432 € × 184/366 = 175.168 € → cap 175.17 €, below the 6 × 30 € = 180 € claimed.
    # Gross 292.80 + 55.63 = 348.43 €; 348.43 − 175.17 = 173.26 € to pay.
    bill = billing.compute_bill(
        commodity=Commodity.ELECTRICITY,
        start_date=date(2023, 7, 1),
        end_date=date(2024, 7, 1),
        consumption_kwh=Decimal(732),
        price_versions=ELECTRICITY_VERSIONS,
        relief_by_month=[(date(2023, month, 1), Decimal("30.00")) for month in range(7, 13)],
    )

    assert bill.relief_claimed_eur == Decimal("180.00")
    assert bill.relief_cap_eur == Decimal("175.17")
    assert bill.relief_total_eur == Decimal("175.17")
    assert bill.gross_total_eur == Decimal("348.43")
    assert bill.balance_eur == Decimal("173.26")
    assert any("nicht höher sein" in step.text for step in bill.explanation)


def test_relief_comes_off_after_vat_so_vat_is_due_on_the_full_price():
    bill = billing.compute_bill(
        commodity=Commodity.ELECTRICITY,
        start_date=date(2023, 1, 1),
        end_date=date(2024, 1, 1),
        consumption_kwh=Decimal(1000),
        price_versions=ELECTRICITY_VERSIONS,
        relief_by_month=[(date(2023, month, 1), Decimal("10.00")) for month in range(1, 13)],
    )

    # 1,000 kWh × 40 ct = 400.00 € net; VAT 19 % = 76.00 € on the full price; minus 120.00 € relief
    assert bill.vat_total_eur == Decimal("76.00")
    assert bill.amount_due_eur == Decimal("356.00")


def test_a_bill_whose_abschlaege_exceed_the_cost_is_a_guthaben():
    bill = gas_bill_across_the_price_and_vat_change(advances_paid_eur=Decimal("1700.00"))

    assert bill.balance_eur == Decimal("-50.46")
    assert bill.is_credit
    assert "50,46\u00a0€ zurück" in bill.explanation[-1].text


def test_a_bill_whose_abschlaege_match_the_cost_is_settled():
    bill = gas_bill_across_the_price_and_vat_change(advances_paid_eur=Decimal("1649.54"))

    assert bill.kind is BalanceKind.SETTLED
    assert not bill.is_additional_payment
    assert not bill.is_credit


def test_a_working_price_line_rounds_an_exact_half_cent_up():
    # 25 kWh × 10.1 ct = 2.525 € → 2.53 €
    bill = billing.compute_bill(
        commodity=Commodity.ELECTRICITY,
        start_date=date(2023, 1, 1),
        end_date=date(2023, 1, 2),
        consumption_kwh=Decimal(25),
        price_versions=(prices.PriceVersion(date(2023, 1, 1), None, Decimal("10.1000"), Decimal("0.00")),),
    )

    assert bill.lines[0].amount_eur == Decimal("2.53")


def test_consumption_is_split_linearly_by_days_in_whole_kwh_and_adds_up_exactly():
    parts = billing.split_by_days(consumption_kwh=Decimal("1000.4"), segment_days=[10, 10, 10])

    # 1,000.4 × 10/30 = 333.47 → 333; × 20/30 = 666.93 → 667; the last gets the rest, 1,000.4 − 667 = 333.4
    assert parts == (Decimal(333), Decimal(334), Decimal("333.4"))
    assert sum(parts) == Decimal("1000.4")


def test_split_kwh_never_go_negative_when_rounding_pushes_early_segments_up():
    parts = billing.split_by_days(consumption_kwh=Decimal(1), segment_days=[1, 1, 0])

    assert parts == (Decimal(1), Decimal(0), Decimal(0))


def test_gas_volume_is_converted_to_whole_kwh_half_up():
    # 100 m³ × 0.95 × 11.1 kWh/m³ = 1,054.5 kWh → 1,055 kWh
    kwh = billing.gas_kwh(m3=Decimal(100), zustandszahl=Decimal("0.9500"), brennwert=Decimal("11.100"))

    assert kwh == Decimal(1055)


def test_a_period_that_does_not_end_after_it_starts_is_rejected():
    with pytest.raises(billing.EmptyBillPeriod):
        gas_bill_across_the_price_and_vat_change(end_date=date(2023, 10, 1))


def test_negative_consumption_is_rejected():
    with pytest.raises(billing.NegativeConsumption):
        gas_bill_across_the_price_and_vat_change(consumption_kwh=Decimal(-1))


def test_a_relief_month_outside_the_bill_period_is_rejected():
    with pytest.raises(billing.ReliefMonthOutsideBill):
        gas_bill_across_the_price_and_vat_change(relief_by_month=[(date(2023, 9, 1), Decimal("25.00"))])


def test_a_period_without_a_price_raises_no_price_on_date():
    with pytest.raises(prices.NoPriceOnDate):
        gas_bill_across_the_price_and_vat_change(start_date=date(2022, 12, 1))


def test_the_bill_explanation_walks_from_the_lines_to_the_balance():
    bill = gas_bill_across_the_price_and_vat_change(basic_supply=True)

    steps = bill.explanation

    assert "01.10.2023 bis zum 30.09.2024 (366\u00a0Tage)" in steps[0].text
    assert "Grundversorgung" in steps[0].text
    assert steps[1].formula == "3.016\u00a0kWh + 2.984\u00a0kWh + 6.000\u00a0kWh = 12.000\u00a0kWh"
    assert "727,33\u00a0€ × 7\u00a0% ≈ 50,91\u00a0€" in [step.formula for step in steps]
    assert "1.724,54\u00a0€ − 75,00\u00a0€ = 1.649,54\u00a0€" in [step.formula for step in steps]
    assert steps[-1].text.startswith("Es bleibt eine Nachzahlung: Bitte zahlen Sie 49,54\u00a0€ nach.")
    assert steps[-1].amount == bill.balance_eur


def test_a_fraction_of_a_kwh_stays_in_the_last_segment():
    parts = billing.split_by_days(consumption_kwh=Decimal("0.5"), segment_days=[1, 0])

    assert parts == (Decimal(0), Decimal("0.5"))
