from decimal import Decimal

import pytest

from tariffs.domain import advance, relief
from tariffs.domain.money import BalanceKind, Rounding


def abschlag(forecast_kwh, working_price_ct, relief_eur="0", base_price_eur="0", **options):
    return advance.advance_payment(
        forecast_kwh=Decimal(forecast_kwh),
        working_price_gross_ct=Decimal(working_price_ct),
        base_price_gross_eur_year=Decimal(base_price_eur),
        annual_relief_eur=Decimal(relief_eur),
        **options,
    ).installment_eur


def test_bmwk_electricity_abschlag_goes_from_113_to_188_and_with_the_brake_to_158():
    # 4,500 kWh × 30 ct = 1,350 € ÷ 12 = 112.50 → 113; × 50 ct = 2,250 € ÷ 12 = 187.50 → 188;
    # (2,250 − 360) € ÷ 12 = 157.50 → 158
    assert abschlag(4500, "30") == Decimal("113.00")
    assert abschlag(4500, "50") == Decimal("188.00")
    assert abschlag(4500, "50", relief_eur="360") == Decimal("158.00")


def test_bmwk_gas_abschlag_goes_from_100_to_275_and_with_the_brake_to_175():
    assert abschlag(15_000, "8") == Decimal("100.00")
    assert abschlag(15_000, "22") == Decimal("275.00")
    assert abschlag(15_000, "22", relief_eur="1200") == Decimal("175.00")


def test_heat_example_in_cents_goes_from_75_83_to_130_and_with_the_brake_to_108_33():
    assert abschlag(13_000, "7", rounding=Rounding.CENT) == Decimal("75.83")
    assert abschlag(13_000, "12", rounding=Rounding.CENT) == Decimal("130.00")
    assert abschlag(13_000, "12", relief_eur="260", rounding=Rounding.CENT) == Decimal("108.33")


def test_heat_example_gives_108_33_with_the_relief_actually_paid_too():
    heat = next(scheme for scheme in relief.DEFAULT_RELIEF_SCHEMES if scheme.code == "HEAT_EWPBG")
    quote = relief.relief_quote(scheme=heat, forecast_kwh=Decimal(13_000), working_price_ct=Decimal("12"))

    # (1,560.00 − 260.04) € ÷ 12 = 108.33 €
    assert abschlag(13_000, "12", relief_eur=quote.annual_eur, rounding=Rounding.CENT) == Decimal("108.33")


def test_example_a1_with_a_base_price_gives_154_euros():
    payment = advance.advance_payment(
        forecast_kwh=Decimal(29_500),
        working_price_gross_ct=Decimal("5.50"),
        base_price_gross_eur_year=Decimal("228.48"),
    )

    assert payment.annual_amount_eur == Decimal("1850.98")
    assert payment.installment_exact_eur.quantize(Decimal("0.01")) == Decimal("154.25")
    assert payment.installment_eur == Decimal("154.00")


def test_the_abschlag_rounded_to_cents_rounds_an_exact_half_cent_up():
    # 2,000 kWh × 61.743 ct = 1,234.86 € ÷ 12 = 102.905 € exactly → 102.91 € (half-even would give 102.90 €)
    assert abschlag(2000, "61.7430", rounding=Rounding.CENT) == Decimal("102.91")


def test_the_abschlag_can_be_split_into_fewer_than_twelve_instalments():
    assert abschlag(4500, "50", installments=10) == Decimal("225.00")


def test_the_abschlag_is_zero_when_the_relief_exceeds_the_cost():
    assert abschlag(100, "50", relief_eur="1000") == Decimal("0.00")


def test_zero_instalments_are_rejected():
    with pytest.raises(advance.InvalidInstallments):
        abschlag(4500, "50", installments=0)


def test_the_abschlag_with_the_brake_combines_with_the_relief_quote():
    electricity = relief.DEFAULT_RELIEF_SCHEMES[0]
    quote = relief.relief_quote(scheme=electricity, forecast_kwh=Decimal(4500), working_price_ct=Decimal("50"))

    payment = advance.advance_payment(
        forecast_kwh=Decimal(4500),
        working_price_gross_ct=Decimal("50"),
        base_price_gross_eur_year=Decimal(0),
        annual_relief_eur=quote.annual_eur,
    )

    assert payment.installment_eur == Decimal("158.00")
    assert [step.formula for step in payment.explanation] == [
        "4.500\u00a0kWh × 50,00\u00a0ct/kWh = 2.250,00\u00a0€",
        "2.250,00\u00a0€ − 360,00\u00a0€ = 1.890,00\u00a0€",
        "1.890,00\u00a0€ ÷ 12 = 157,50\u00a0€",
        "157,50\u00a0€ → 158,00\u00a0€",
    ]
    assert payment.explanation[-1].amount == payment.installment_eur


def test_a_reduction_of_more_than_20_percent_needs_review_but_exactly_20_percent_does_not():
    calculated = Decimal("100.00")

    assert advance.reduction_needs_review(
        chosen_installment_eur=Decimal("79.99"), calculated_installment_eur=calculated
    )
    assert not advance.reduction_needs_review(
        chosen_installment_eur=Decimal("80.00"), calculated_installment_eur=calculated
    )


def test_the_projected_balance_is_a_nachzahlung_when_the_advances_fall_short():
    projection = advance.projected_balance(expected_annual_cost=Decimal("1850.98"), advances_total=Decimal("1800.00"))

    assert projection.balance_eur == Decimal("50.98")
    assert projection.kind is BalanceKind.ADDITIONAL_PAYMENT
    assert "50,98\u00a0€ nachzahlen" in projection.explanation[0].text


def test_the_projected_balance_is_a_guthaben_when_the_advances_exceed_the_cost():
    projection = advance.projected_balance(expected_annual_cost=Decimal("1850.98"), advances_total=Decimal("1920.00"))

    assert projection.balance_eur == Decimal("-69.02")
    assert projection.kind is BalanceKind.CREDIT
    assert "69,02\u00a0€ zurück" in projection.explanation[0].text
