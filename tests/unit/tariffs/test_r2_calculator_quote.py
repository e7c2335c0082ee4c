"""The quote behind the Preisbremsen-Rechner, QA round 2: large consumers (#10) and honest wording (#17)."""

from decimal import Decimal

import pytest

from tariffs.domain import quote, relief
from tariffs.domain.money import Rounding
from tariffs.domain.relief import CustomerGroup
from tariffs.domain.vat import Commodity


def texts(result: quote.Quote) -> str:
    return " ".join(step.text for step in result.explanation)


@pytest.mark.parametrize(
    ("commodity", "forecast", "missing"),
    [
        (Commodity.ELECTRICITY, Decimal(40_000), ("energy_price_net_ct", "consumption_2021_kwh")),
        (Commodity.GAS, Decimal(2_000_000), ("energy_price_net_ct", "consumption_2021_kwh")),
        (Commodity.HEAT, Decimal(2_000_000), ("energy_price_net_ct", "consumption_2021_kwh")),
    ],
)
def test_a_large_consumer_is_not_quoted_without_the_energy_price_and_the_2021_consumption(
    commodity: Commodity, forecast: Decimal, missing: tuple[str, ...]
) -> None:
    with pytest.raises(quote.MissingLargeConsumerInput) as refused:
        quote.quote(
            commodity=commodity,
            forecast_kwh=forecast,
            working_price_gross_ct=Decimal(50),
            customer_group=CustomerGroup.BUSINESS,
        )

    assert refused.value.missing == missing
    assert refused.value.scheme.customer_groups == frozenset({CustomerGroup.BUSINESS})


def test_the_energy_price_alone_is_not_enough_either() -> None:
    with pytest.raises(quote.MissingLargeConsumerInput) as refused:
        quote.quote(
            commodity=Commodity.ELECTRICITY,
            forecast_kwh=Decimal(40_000),
            working_price_gross_ct=Decimal(50),
            customer_group=CustomerGroup.BUSINESS,
            energy_price_net_ct=Decimal(20),
        )

    assert refused.value.missing == ("consumption_2021_kwh",)


def test_a_large_consumer_quota_is_70_percent_of_2021_and_the_abschlag_uses_the_forecast() -> None:
    result = quote.quote(
        commodity=Commodity.ELECTRICITY,
        forecast_kwh=Decimal(40_000),
        working_price_gross_ct=Decimal(50),
        customer_group=CustomerGroup.BUSINESS,
        energy_price_net_ct=Decimal(20),
        consumption_2021_kwh=Decimal(36_000),
    )

    # 36,000 × 70 % = 25,200 kWh; (20 − 13) ct × 25,200 kWh ÷ 100 ÷ 12 = 147.00 €
    assert result.relief.quota_kwh_year == Decimal("25200.00")
    assert result.relief.monthly_eur == Decimal("147.00")
    assert result.without_relief.installment_eur == Decimal("1667.00")  # 40,000 kWh × 50 ct ÷ 12
    assert result.is_large_consumer
    assert "Ihr Energiepreis (der Teil des Arbeitspreises für die Energie selbst" in texts(result)
    assert "Ihrem Verbrauch im Jahr 2021" in texts(result)


def test_a_small_business_gets_the_household_scheme_and_the_explanation_says_why() -> None:
    result = quote.quote(
        commodity=Commodity.ELECTRICITY,
        forecast_kwh=Decimal(4500),
        working_price_gross_ct=Decimal(50),
        customer_group=CustomerGroup.BUSINESS,
    )

    assert result.with_relief.installment_eur == Decimal("158.00")
    assert not result.is_large_consumer
    assert result.explanation[0].text.startswith("Ihr Betrieb verbraucht im Jahr nicht mehr als 30.000\xa0kWh.")


def test_a_household_quote_has_no_business_step() -> None:
    result = quote.quote(
        commodity=Commodity.ELECTRICITY, forecast_kwh=Decimal(4500), working_price_gross_ct=Decimal(50)
    )

    assert "Betrieb" not in texts(result)


def test_below_the_cap_the_text_says_der_gedeckelte_preis_and_explains_the_reference_price() -> None:
    result = quote.quote(
        commodity=Commodity.ELECTRICITY, forecast_kwh=Decimal(3000), working_price_gross_ct=Decimal(35)
    )

    assert "nicht höher als der gedeckelte Preis" in texts(result)
    assert "den gedeckelten Preis" not in texts(result)
    assert "Diesen Deckel nennt das Gesetz Referenzpreis" in texts(result)
    assert "Ihr Preis liegt nicht über dem gedeckelten Preis, deshalb ändert sich Ihr Abschlag nicht." in texts(result)


def test_a_relief_too_small_for_the_rounded_abschlag_is_not_called_no_relief() -> None:
    # 3,000 kWh at 40.1 ct: 2,400 kWh × 0.1 ct ÷ 12 = 0.20 €/month; 100.25 € and 100.05 € both round to 100 €
    result = quote.quote(
        commodity=Commodity.ELECTRICITY, forecast_kwh=Decimal(3000), working_price_gross_ct=Decimal("40.1")
    )

    assert result.relief.annual_eur == Decimal("2.40")
    assert result.without_relief.installment_eur == result.with_relief.installment_eur
    closing = result.explanation[-1].text
    assert "nicht über dem gedeckelten Preis" not in closing
    assert "ist zu klein, um den gerundeten Abschlag zu ändern" in closing


def test_the_gas_quota_text_names_the_september_2022_forecast_of_the_supplier() -> None:
    result = quote.quote(commodity=Commodity.GAS, forecast_kwh=Decimal(15_000), working_price_gross_ct=Decimal(22))

    assert "den Ihr Versorger im September 2022 für Sie erwartet hat" in texts(result)


def test_the_heat_example_in_cents() -> None:
    result = quote.quote(
        commodity=Commodity.HEAT,
        forecast_kwh=Decimal(13_000),
        working_price_gross_ct=Decimal(12),
        rounding=Rounding.CENT,
    )

    assert (result.without_relief.installment_eur, result.with_relief.installment_eur) == (
        Decimal("130.00"),
        Decimal("108.33"),
    )


def test_the_large_consumer_schemes_are_described_from_their_data() -> None:
    lines = quote.describe_large_consumer_schemes(relief.DEFAULT_RELIEF_SCHEMES)

    assert lines == (
        "Strom über 30.000\xa0kWh im Jahr: Energiepreis netto gedeckelt auf 13,00\xa0ct/kWh, für 70\xa0% Ihres "
        "Verbrauchs von 2021.",
        "Gas über 1.500.000\xa0kWh im Jahr: Energiepreis netto gedeckelt auf 7,00\xa0ct/kWh, für 70\xa0% Ihres "
        "Verbrauchs von 2021.",
        "Wärme über 1.500.000\xa0kWh im Jahr: Energiepreis netto gedeckelt auf 7,50\xa0ct/kWh, für 70\xa0% Ihres "
        "Verbrauchs von 2021.",
    )
