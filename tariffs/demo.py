"""Demo tariffs with realistic price histories 2021–2026 (idempotent; `seed_demo` calls it).

Prices are stored net (ct/kWh with 4 decimals, €/year with 2); the comments give the gross price the customer saw
(19 % VAT, gas and district heat 7 % from 2022-10-01 to 2024-03-31). The 2023 working prices lie above the price-brake
reference prices (electricity 40 ct, gas 12 ct, heat 9.5 ct gross), so the relief shows on the personas' bills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tariffs.models import Commodity, PriceVersion, Tariff


@dataclass(frozen=True, slots=True)
class DemoTariff:
    code: str
    name: str
    commodity: str
    is_basic_supply: bool
    description: str
    # (valid_from, net ct/kWh, net €/year); each version ends where the next begins, the last is open
    prices: tuple[tuple[date, str, str], ...]


ELECTRICITY = "strom-zuhause"
ELECTRICITY_BASIC = "strom-grundversorgung"
GAS = "gas-zuhause"
HEAT = "fernwaerme"

DEMO_TARIFFS = (
    DemoTariff(
        code=ELECTRICITY,
        name="Stadtwerk Strom Zuhause",
        commodity=Commodity.ELECTRICITY,
        is_basic_supply=False,
        description="Strom für Haushalte, 100 % Ökostrom, monatlich kündbar nach 12 Monaten.",
        prices=(
            (date(2021, 1, 1), "25.2101", "100.84"),  # 30,00 ct gross, 120,00 €/year
            (date(2022, 4, 1), "29.4118", "100.84"),  # 35,00 ct
            (date(2023, 1, 1), "37.8151", "126.05"),  # 45,00 ct, 150,00 €/year (crisis; brake at 40 ct)
            (date(2024, 1, 1), "29.4118", "126.05"),  # 35,00 ct
            (date(2025, 4, 1), "26.8908", "134.45"),  # 32,00 ct, 160,00 €/year
        ),
    ),
    DemoTariff(
        code=ELECTRICITY_BASIC,
        name="Stadtwerk Strom Grundversorgung",
        commodity=Commodity.ELECTRICITY,
        is_basic_supply=True,
        description="Grundversorgung nach StromGVV; Kündigungsfrist zwei Wochen.",
        prices=(
            (date(2021, 1, 1), "26.8908", "117.65"),  # 32,00 ct gross, 140,00 €/year
            (date(2022, 7, 1), "31.9328", "117.65"),  # 38,00 ct
            (date(2023, 1, 1), "40.3361", "142.86"),  # 48,00 ct, 170,00 €/year
            (date(2024, 1, 1), "33.6134", "142.86"),  # 40,00 ct
            (date(2025, 1, 1), "31.0924", "151.26"),  # 37,00 ct, 180,00 €/year
        ),
    ),
    DemoTariff(
        code=GAS,
        name="Stadtwerk Gas Zuhause",
        commodity=Commodity.GAS,
        is_basic_supply=False,
        description="Erdgas für Heizung und Warmwasser.",
        prices=(
            (date(2021, 1, 1), "5.4622", "100.84"),  # 6,50 ct gross (19 %), 120,00 €/year
            (date(2022, 4, 1), "7.5630", "100.84"),  # 9,00 ct
            (date(2022, 10, 1), "14.9533", "130.84"),  # 16,00 ct (7 %), 140,00 €/year (brake at 12 ct)
            (date(2024, 1, 1), "9.3458", "130.84"),  # 10,00 ct at 7 %, 11,12 ct at 19 % from 2024-04-01
            (date(2025, 1, 1), "9.2437", "126.05"),  # 11,00 ct, 150,00 €/year
        ),
    ),
    DemoTariff(
        code=HEAT,
        name="Stadtwerk Fernwärme",
        commodity=Commodity.HEAT,
        is_basic_supply=False,
        description="Fernwärme aus dem Heizkraftwerk, Übergabestation im Haus.",
        prices=(
            (date(2021, 1, 1), "7.1429", "201.68"),  # 8,50 ct gross (19 %), 240,00 €/year
            (date(2022, 7, 1), "8.8235", "201.68"),  # 10,50 ct
            (date(2022, 10, 1), "13.0841", "224.30"),  # 14,00 ct (7 %), 240,00 €/year (brake at 9.5 ct)
            (date(2024, 1, 1), "10.2804", "224.30"),  # 11,00 ct at 7 %
            (date(2025, 1, 1), "9.6639", "201.68"),  # 11,50 ct (19 %), 240,00 €/year
        ),
    ),
)


def seed_tariffs() -> dict[str, Tariff]:
    """Create or update the demo tariffs and their price versions; return them by code. Rerunning changes nothing."""
    tariffs = {}
    for demo in DEMO_TARIFFS:
        tariff, _created = Tariff.objects.update_or_create(
            code=demo.code,
            defaults={
                "name": demo.name,
                "commodity": demo.commodity,
                "is_basic_supply": demo.is_basic_supply,
                "description": demo.description,
                "is_active": True,
            },
        )
        ends = [valid_from for valid_from, _ap, _gp in demo.prices[1:]] + [None]
        for (valid_from, working_price, base_price), valid_to in zip(demo.prices, ends, strict=True):
            if valid_to is None:
                # A later version (e.g. the demo's published price change) ends the last demo version: keep that end.
                later = PriceVersion.objects.filter(tariff=tariff, valid_from__gt=valid_from).order_by("valid_from")
                valid_to = later.values_list("valid_from", flat=True).first()
            PriceVersion.objects.update_or_create(
                tariff=tariff,
                valid_from=valid_from,
                defaults={
                    "valid_to": valid_to,
                    "working_price_net_ct": Decimal(working_price),
                    "base_price_net_eur_year": Decimal(base_price),
                },
            )
        tariffs[demo.code] = tariff
    return tariffs
