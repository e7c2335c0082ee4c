from decimal import Decimal

import pytest

from tariffs.domain import december


def test_heat_december_relief_is_120_percent_of_the_september_abschlag():
    relief = december.heat_december_relief(september_advance_eur=Decimal("150.00"))

    assert relief.amount_eur == Decimal("180.00")
    assert relief.explanation[0].formula == "150,00\u00a0€ × 120\u00a0% = 180,00\u00a0€"


def test_heat_with_fewer_than_twelve_abschlaege_uses_a_twelfth_of_the_last_periods_sum():
    # 11 Abschläge of 163.64 € = 1,800.04 €; ÷ 12 × 120 % = 180.004 € → 180.00 €
    relief = december.heat_december_relief(installments_per_year=11, advances_last_period_eur=Decimal("1800.04"))

    assert relief.amount_eur == Decimal("180.00")


def test_heat_without_the_needed_abschlag_raises_a_named_error():
    with pytest.raises(december.MissingAdvanceData):
        december.heat_december_relief(installments_per_year=10)


def test_gas_december_relief_is_a_twelfth_of_the_forecast_at_the_december_price_plus_a_twelfth_of_the_base_price():
    # 15,000 kWh ÷ 12 × 22 ct = 275.00 €; 120.00 € ÷ 12 = 10.00 €; together 285.00 €
    relief = december.gas_december_relief(
        forecast_sept_2022_kwh=Decimal(15_000),
        working_price_gross_ct=Decimal("22.0000"),
        base_price_gross_eur_year=Decimal("120.00"),
    )

    assert relief.amount_eur == Decimal("285.00")


def test_gas_december_relief_is_rounded_once_at_the_end():
    # 13,333 kWh × 11.2345 ct = 1,497.895885 €; + 150.00 € = 1,647.895885 €; ÷ 12 = 137.324657… € → 137.32 €
    # (rounding the parts first would give 124.82 € + 12.50 € = 137.32 € too, but the rule is one rounding)
    relief = december.gas_december_relief(
        forecast_sept_2022_kwh=Decimal(13_333),
        working_price_gross_ct=Decimal("11.2345"),
        base_price_gross_eur_year=Decimal("150.00"),
    )

    assert relief.amount_eur == Decimal("137.32")
    assert relief.explanation[-1].amount == relief.amount_eur
