from datetime import date
from decimal import Decimal

import pytest

from tariffs.domain import prices, relief
from tariffs.domain.relief import CustomerGroup
from tariffs.domain.vat import Commodity


def scheme(code):
    return next(s for s in relief.DEFAULT_RELIEF_SCHEMES if s.code == code)


ELECTRICITY = scheme("STROM_PBG")
GAS = scheme("GAS_EWPBG")
HEAT = scheme("HEAT_EWPBG")
MARCH_TO_DECEMBER = [date(2023, month, 1) for month in range(3, 13)]


def test_bmwk_electricity_example_relieves_30_euros_a_month_and_360_a_year():
    quote = relief.relief_quote(scheme=ELECTRICITY, forecast_kwh=Decimal(4500), working_price_ct=Decimal("50"))

    assert quote.quota_kwh_year == Decimal("3600.00")
    assert quote.monthly_eur == Decimal("30.00")
    assert quote.annual_eur == Decimal("360.00")


def test_bmwk_gas_example_relieves_1200_euros_a_year():
    quote = relief.relief_quote(scheme=GAS, forecast_kwh=Decimal(15_000), working_price_ct=Decimal("22"))

    assert quote.monthly_eur == Decimal("100.00")
    assert quote.annual_eur == Decimal("1200.00")


def test_neckarsulm_example_relieves_20_euros_a_month_and_240_a_year():
    quote = relief.relief_quote(scheme=ELECTRICITY, forecast_kwh=Decimal(3000), working_price_ct=Decimal("50"))

    assert (quote.monthly_eur, quote.annual_eur) == (Decimal("20.00"), Decimal("240.00"))


def test_heat_example_relieves_260_euros_a_year_to_the_euro():
    # 13,000 kWh × 80 % = 10,400 kWh; (12 − 9.5) ct × 10,400 kWh ÷ 100 = 260 € a year, but relief is paid monthly:
    # 260 € ÷ 12 = 21.666… → 21.67 € a month, and the year is the sum of its months, 12 × 21.67 € = 260.04 €.
    # The published example states the year in whole euros, so it is matched to the euro (DOMAIN.md).
    quote = relief.relief_quote(scheme=HEAT, forecast_kwh=Decimal(13_000), working_price_ct=Decimal("12"))

    assert quote.monthly_eur == Decimal("21.67")
    assert quote.annual_eur == Decimal("260.04")
    assert quote.annual_eur.quantize(Decimal(1)) == Decimal(260)


def test_a_price_below_the_reference_price_gets_no_relief():
    quote = relief.relief_quote(scheme=ELECTRICITY, forecast_kwh=Decimal(3000), working_price_ct=Decimal("35"))

    assert quote.monthly_eur == Decimal("0.00")
    assert quote.annual_eur == Decimal("0.00")
    assert "keine Entlastung" in quote.explanation[0].text


def test_monthly_relief_rounds_an_exact_half_cent_up():
    # 10 ct × 1,481.40 kWh ÷ 100 ÷ 12 = 12.345 € exactly → 12.35 € (banker's rounding would give 12.34 €)
    relief_eur = relief.monthly_relief(
        working_price_ct=Decimal("50"), reference_price_ct=Decimal("40"), quota_kwh_year=Decimal("1481.40")
    )

    assert relief_eur == Decimal("12.35")


def test_the_quota_is_the_forecast_times_the_share_to_two_decimals():
    assert relief.quota_kwh(forecast_kwh=Decimal("3333.33"), quota_share=Decimal("0.80")) == Decimal("2666.66")


def test_the_quote_explains_the_cap_in_plain_german():
    quote = relief.relief_quote(scheme=ELECTRICITY, forecast_kwh=Decimal(4500), working_price_ct=Decimal("50"))

    texts = [step.text for step in quote.explanation]

    assert "Arbeitspreis (der Preis je Kilowattstunde" in texts[0]
    assert "80\u00a0% Ihres erwarteten Verbrauchs auf 40,00\u00a0ct/kWh" in texts[0]
    assert quote.explanation[-1].formula == "30,00\u00a0€ × 12 = 360,00\u00a0€"
    assert quote.explanation[-1].amount == quote.annual_eur


def test_a_large_consumer_scheme_compares_the_net_energy_price_with_its_quota_from_2021():
    large = scheme("STROM_PBG_LARGE")

    # 40,000 kWh × 70 % = 28,000 kWh; (20 − 13) ct × 28,000 kWh ÷ 100 ÷ 12 = 163.333… → 163.33 €
    quote = relief.relief_quote(scheme=large, forecast_kwh=Decimal(40_000), working_price_ct=Decimal("20"))

    assert quote.quota_kwh_year == Decimal("28000.00")
    assert quote.monthly_eur == Decimal("163.33")
    assert "Energiepreis" in quote.explanation[0].text


def test_households_always_get_the_small_consumer_scheme_even_above_30000_kwh():
    chosen = relief.select_scheme(
        commodity=Commodity.ELECTRICITY, customer_group=CustomerGroup.HOUSEHOLD, annual_kwh=Decimal(35_000)
    )

    assert chosen.code == "STROM_PBG"


@pytest.mark.parametrize(
    ("commodity", "annual_kwh", "code"),
    [
        (Commodity.ELECTRICITY, Decimal(30_000), "STROM_PBG"),
        (Commodity.ELECTRICITY, Decimal(30_001), "STROM_PBG_LARGE"),
        (Commodity.GAS, Decimal(1_500_000), "GAS_EWPBG"),
        (Commodity.GAS, Decimal(1_500_001), "GAS_EWPBG_INDUSTRY"),
        (Commodity.HEAT, Decimal(2_000_000), "HEAT_EWPBG_INDUSTRY"),
    ],
)
def test_a_business_gets_the_small_scheme_up_to_the_threshold_and_the_large_one_above(commodity, annual_kwh, code):
    chosen = relief.select_scheme(commodity=commodity, customer_group=CustomerGroup.BUSINESS, annual_kwh=annual_kwh)

    assert chosen.code == code


def test_no_fitting_scheme_raises_a_named_error():
    with pytest.raises(relief.NoReliefScheme):
        relief.select_scheme(
            schemes=(), commodity=Commodity.GAS, customer_group=CustomerGroup.HOUSEHOLD, annual_kwh=Decimal(1)
        )


def test_the_compared_price_is_the_gross_working_price_or_the_net_energy_price():
    version = prices.PriceVersion(date(2023, 1, 1), None, Decimal("42.0168"), Decimal("120.00"), Decimal("20.0000"))

    gross = relief.comparison_price_ct(scheme=ELECTRICITY, version=version, vat_rate=Decimal("0.19"))
    net_energy = relief.comparison_price_ct(
        scheme=scheme("STROM_PBG_LARGE"), version=version, vat_rate=Decimal("0.19")
    )

    assert gross == Decimal("50.0000")
    assert net_energy == Decimal("20.0000")


def test_a_large_consumer_scheme_without_an_energy_price_raises_a_named_error():
    version = prices.PriceVersion(date(2023, 1, 1), None, Decimal("42.0168"), Decimal("120.00"))

    with pytest.raises(relief.MissingEnergyPrice):
        relief.comparison_price_ct(scheme=scheme("STROM_PBG_LARGE"), version=version, vat_rate=Decimal("0.19"))


# --- the monthly schedule ----------------------------------------------------------------------------------------


def test_march_carries_the_relief_for_january_and_february_computed_with_march_values():
    # January and February are not in the mapping at all: their relief uses March's price (50 ct); from April on
    # the price is 45 ct, which must not leak into January to March.
    price_by_month = {month: Decimal("50") if month.month == 3 else Decimal("45") for month in MARCH_TO_DECEMBER}

    schedule = relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("3600.00"),
        working_price_ct_by_month=price_by_month,
        base_advance_eur=Decimal("188.00"),
    )

    assert schedule.relief_eur_by_month[:4] == (Decimal("30.00"), Decimal("30.00"), Decimal("30.00"), Decimal("15.00"))
    assert schedule.credited_eur_by_month[:4] == (Decimal(0), Decimal(0), Decimal("90.00"), Decimal("15.00"))
    assert schedule.advance_eur_by_month[:4] == (
        Decimal("188.00"),
        Decimal("188.00"),
        Decimal("98.00"),
        Decimal("173.00"),
    )
    assert schedule.rows[0].priced_as_of == date(2023, 3, 1)


def test_a_schedule_credits_the_whole_years_relief_by_december():
    schedule = relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("3600.00"),
        working_price_ct_by_month=lambda month: Decimal("50"),
        base_advance_eur=Decimal("188.00"),
    )

    assert sum(schedule.credited_eur_by_month) == schedule.total_relief_eur == Decimal("360.00")
    assert schedule.total_advance_eur == Decimal("188.00") * 12 - Decimal("360.00")


def test_the_abschlag_never_goes_below_zero_and_the_rest_is_carried_to_the_next_bill():
    schedule = relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("3600.00"),
        working_price_ct_by_month=lambda month: Decimal("50"),
        base_advance_eur=Decimal("60.00"),
    )

    march = schedule.rows[2]

    assert (march.credited_eur, march.advance_eur, march.carried_eur) == (
        Decimal("90.00"),
        Decimal("0.00"),
        Decimal("30.00"),
    )
    assert schedule.advance_eur_by_month[3] == Decimal("30.00")
    assert schedule.total_carried_eur == Decimal("30.00")
    assert "nächsten Rechnung gut" in schedule.explanation[-1].text


def test_a_schedule_accepts_a_base_abschlag_per_month():
    bases = {date(2023, month, 1): Decimal("100.00") if month < 7 else Decimal("120.00") for month in range(1, 13)}

    schedule = relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("3600.00"),
        working_price_ct_by_month=lambda month: Decimal("50"),
        base_advance_eur=bases,
    )

    assert schedule.advance_eur_by_month[5:7] == (Decimal("70.00"), Decimal("90.00"))


def test_a_missing_monthly_price_raises_no_price_on_date():
    with pytest.raises(prices.NoPriceOnDate):
        relief.relief_schedule(
            scheme=ELECTRICITY,
            quota_kwh_year=Decimal("3600.00"),
            working_price_ct_by_month={date(2023, 3, 1): Decimal("50")},
            base_advance_eur=Decimal("188.00"),
        )


def test_relief_by_month_returns_only_the_months_starting_in_the_period():
    schedule = relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("3600.00"),
        working_price_ct_by_month=lambda month: Decimal("50"),
        base_advance_eur=Decimal("188.00"),
    )

    pairs = schedule.relief_by_month(from_date=date(2023, 10, 1), to_date=date(2024, 10, 1))

    assert pairs == (
        (date(2023, 10, 1), Decimal("30.00")),
        (date(2023, 11, 1), Decimal("30.00")),
        (date(2023, 12, 1), Decimal("30.00")),
    )


def test_the_schedule_explanation_tells_that_march_carries_january_and_february():
    schedule = relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("3600.00"),
        working_price_ct_by_month=lambda month: Decimal("50"),
        base_advance_eur=Decimal("188.00"),
    )

    march = next(step for step in schedule.explanation if step.text.startswith("Im März 2023"))

    assert "Januar, Februar und März" in march.text
    assert march.formula == "3 × 30,00\u00a0€ = 90,00\u00a0€"


def test_a_missing_monthly_base_abschlag_raises_a_named_error():
    with pytest.raises(relief.MissingBaseAdvance):
        relief.relief_schedule(
            scheme=ELECTRICITY,
            quota_kwh_year=Decimal("3600.00"),
            working_price_ct_by_month=lambda month: Decimal("50"),
            base_advance_eur={date(2023, 1, 1): Decimal("188.00")},
        )


def test_a_year_without_relief_is_explained_in_one_sentence():
    schedule = relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("2400.00"),
        working_price_ct_by_month=lambda month: Decimal("35"),
        base_advance_eur=Decimal("88.00"),
    )

    assert schedule.total_relief_eur == Decimal("0.00")
    assert schedule.advance_eur_by_month == (Decimal("88.00"),) * 12
    assert "an keinem Monatsersten über dem Deckel" in schedule.explanation[-1].text
