from datetime import date
from decimal import Decimal

import pytest

from tariffs.domain import prices, vat
from tariffs.domain.vat import Commodity

VERSIONS = (
    prices.PriceVersion(date(2023, 1, 1), date(2023, 7, 1), Decimal("30.0000"), Decimal("120.00")),
    prices.PriceVersion(date(2023, 7, 1), None, Decimal("35.0000"), Decimal("132.00")),
)


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2022, 9, 30), Decimal("0.19")),
        (date(2022, 10, 1), Decimal("0.07")),
        (date(2024, 3, 31), Decimal("0.07")),
        (date(2024, 4, 1), Decimal("0.19")),
    ],
)
def test_gas_is_taxed_at_7_percent_from_october_2022_to_march_2024(day, rate):
    assert vat.vat_rate_on(commodity=Commodity.GAS, day=day) == rate


def test_heat_follows_the_same_vat_periods_as_gas():
    assert vat.vat_rate_on(commodity=Commodity.HEAT, day=date(2023, 6, 1)) == Decimal("0.07")


def test_electricity_is_always_taxed_at_19_percent():
    assert vat.vat_rate_on(commodity=Commodity.ELECTRICITY, day=date(2023, 6, 1)) == Decimal("0.19")


def test_a_day_without_a_vat_period_raises_a_named_error():
    periods = (vat.VatPeriod(Commodity.GAS, date(2024, 1, 1), None, Decimal("0.19")),)

    with pytest.raises(vat.NoVatRate):
        vat.vat_rate_on(commodity=Commodity.GAS, day=date(2023, 12, 31), periods=periods)


def test_price_versions_are_half_open_so_the_new_price_applies_on_its_first_day():
    assert prices.price_on(versions=VERSIONS, day=date(2023, 6, 30)) is VERSIONS[0]
    assert prices.price_on(versions=VERSIONS, day=date(2023, 7, 1)) is VERSIONS[1]


def test_a_day_before_the_first_version_has_no_price():
    with pytest.raises(prices.NoPriceOnDate):
        prices.price_on(versions=VERSIONS, day=date(2022, 12, 31))


def test_gross_prices_keep_four_decimals_per_kwh_and_cents_per_year():
    # 10.0840 ct × 1.19 = 11.99996 ct → 12.0000 ct; 120.00 € × 1.19 = 142.80 €
    assert prices.gross_ct(net_ct=Decimal("10.0840"), vat_rate=Decimal("0.19")) == Decimal("12.0000")
    assert prices.gross_eur(net_eur=Decimal("120.00"), vat_rate=Decimal("0.19")) == Decimal("142.80")


def test_gross_prices_on_a_day_apply_that_days_vat_rate():
    gross = prices.gross_prices_on(versions=VERSIONS, commodity=Commodity.GAS, day=date(2023, 7, 1))

    assert gross == prices.GrossPrice(
        working_price_ct=Decimal("37.4500"), base_price_eur_year=Decimal("141.24"), vat_rate=Decimal("0.07")
    )


def test_annual_cost_is_forecast_times_working_price_plus_base_price_to_the_cent():
    cost = prices.annual_cost(
        forecast_kwh=Decimal(29_500),
        working_price_gross_ct=Decimal("5.50"),
        base_price_gross_eur_year=Decimal("228.48"),
    )

    assert cost.energy_cost_eur == Decimal("1622.50")
    assert cost.total_eur == Decimal("1850.98")
    assert cost.explanation[-1].formula == "1.622,50\u00a0€ + 228,48\u00a0€ = 1.850,98\u00a0€"
