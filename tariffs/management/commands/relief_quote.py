"""Price-brake calculator on the command line: prints one JSON object; bad input exits 2 with one German line."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from tariffs import selectors
from tariffs.domain import december, quote, relief
from tariffs.domain.advance import InvalidInstallments
from tariffs.domain.money import CENT, EURO, Rounding
from tariffs.domain.vat import Commodity

EXIT_BAD_INPUT = 2
COMMODITIES = {"electricity": Commodity.ELECTRICITY, "gas": Commodity.GAS, "heat": Commodity.HEAT}
GROUPS = {"household": relief.CustomerGroup.HOUSEHOLD, "business": relief.CustomerGroup.BUSINESS}
ROUNDINGS = {"euro": Rounding.EURO, "cent": Rounding.CENT}
LARGE_CONSUMER_OPTIONS = {
    quote.ENERGY_PRICE: "--energy-price-net-ct",
    quote.CONSUMPTION_2021: "--consumption-2021-kwh",
}


class BadInput(Exception):
    """The user gave an option a value the calculator cannot use; the message is German."""


class GermanParser(argparse.ArgumentParser):
    """Report usage errors as one German line and exit 2 (argparse would print English usage text)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"Fehler: Aufruf nicht verstanden ({message}). Hilfe: manage.py relief_quote --help\n")
        sys.exit(EXIT_BAD_INPUT)


def _decimal(value: str | None, option: str, *, required: bool = True, positive: bool = False) -> Decimal | None:
    if value is None:
        if required:
            raise BadInput(f"Fehler: --{option} fehlt.")
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise BadInput(f"Fehler: --{option} muss eine Zahl sein, nicht „{value}“.") from None
    if not number.is_finite():
        raise BadInput(f"Fehler: --{option} muss eine endliche Zahl sein.")
    if number < 0:
        raise BadInput(f"Fehler: --{option} darf nicht negativ sein ({value}).")
    if positive and number == 0:
        raise BadInput(f"Fehler: --{option} muss größer als 0 sein.")
    return number


def _choice(value: str | None, option: str, choices: dict[str, Any]) -> Any:
    if value is None:
        raise BadInput(f"Fehler: --{option} fehlt.")
    if value not in choices:
        raise BadInput(f"Fehler: --{option} kennt „{value}“ nicht; möglich: {', '.join(choices)}.")
    return choices[value]


def _text(amount: Decimal, places: Decimal = CENT) -> str:
    return str(amount.quantize(places))


class Command(BaseCommand):
    help = "Berechnet Entlastung aus der Preisbremse und Abschlag (oder mit --december die Dezember-Soforthilfe)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = type("RelieveQuoteParser", (GermanParser, type(parser)), {})
        return parser

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--commodity", help="electricity, gas oder heat")
        parser.add_argument("--forecast-kwh", help="Jahresverbrauchsprognose in kWh")
        parser.add_argument("--working-price-ct", help="Arbeitspreis brutto in ct/kWh")
        parser.add_argument("--base-price-eur-year", default="0", help="Grundpreis brutto in €/Jahr (Standard 0)")
        parser.add_argument("--installments", default="12", help="Abschläge pro Jahr (Standard 12)")
        parser.add_argument("--rounding", default="euro", help="euro (Standard) oder cent")
        parser.add_argument("--customer-group", default="household", help="household (Standard) oder business")
        parser.add_argument("--energy-price-net-ct", help="Energiepreis netto in ct/kWh (nur Großverbraucher)")
        parser.add_argument("--consumption-2021-kwh", help="Verbrauch im Jahr 2021 in kWh (nur Großverbraucher)")
        parser.add_argument("--december", action="store_true", help="Dezember-Soforthilfe 2022 berechnen")
        parser.add_argument("--september-advance-eur", help="Wärme: Abschlag September 2022 in €")
        parser.add_argument("--last-period-advances-eur", help="Wärme: Summe der Abschläge der letzten Abrechnung")

    def execute(self, *args: Any, **options: Any) -> None:
        try:
            super().execute(*args, **options)
        except BadInput as error:
            sys.stderr.write(f"{error}\n")
            sys.exit(EXIT_BAD_INPUT)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(self._compute(options), ensure_ascii=False))

    def _compute(self, options: dict[str, Any]) -> dict[str, Any]:
        commodity: Commodity = _choice(options["commodity"], "commodity", COMMODITIES)
        installments_text = options["installments"]
        if not str(installments_text).isdigit() or int(installments_text) < 1 or int(installments_text) > 12:
            raise BadInput(
                f"Fehler: --installments muss eine ganze Zahl von 1 bis 12 sein, nicht „{installments_text}“."
            )
        installments = int(installments_text)
        if options["december"]:
            return self._december(commodity, installments, options)
        forecast = _decimal(options["forecast_kwh"], "forecast-kwh", positive=True)
        price = _decimal(options["working_price_ct"], "working-price-ct")
        base = _decimal(options["base_price_eur_year"], "base-price-eur-year")
        energy = _decimal(options["energy_price_net_ct"], "energy-price-net-ct", required=False)
        consumption_2021 = _decimal(options["consumption_2021_kwh"], "consumption-2021-kwh", required=False)
        rounding: Rounding = _choice(options["rounding"], "rounding", ROUNDINGS)
        group: relief.CustomerGroup = _choice(options["customer_group"], "customer-group", GROUPS)
        assert forecast is not None and price is not None and base is not None
        try:
            result = quote.quote(
                commodity=commodity,
                forecast_kwh=forecast,
                working_price_gross_ct=price,
                base_price_gross_eur_year=base,
                installments=installments,
                rounding=rounding,
                customer_group=group,
                energy_price_net_ct=energy,
                consumption_2021_kwh=consumption_2021,
                schemes=selectors.get_price_brake_schemes(),
            )
        except relief.NoReliefScheme:
            raise BadInput("Fehler: Für diese Angaben gibt es keine passende Preisbremse.") from None
        except quote.MissingLargeConsumerInput as error:
            options_de = " und ".join(LARGE_CONSUMER_OPTIONS[name] for name in error.missing)
            raise BadInput(
                f"Fehler: Die {error.scheme.name_de} ({error.scheme.code}) rechnet mit dem Energiepreis netto und "
                f"dem Verbrauch von 2021: bitte {options_de} angeben."
            ) from None
        except InvalidInstallments:
            raise BadInput("Fehler: --installments muss mindestens 1 sein.") from None
        places = EURO if rounding is Rounding.EURO else CENT
        return {
            "commodity": commodity.value,
            "scheme": result.scheme.code,
            "reference_price_ct": _text(result.relief.reference_price_ct),
            "quota_kwh_year": _text(result.relief.quota_kwh_year),
            "relief_eur_month": _text(result.relief.monthly_eur),
            "relief_eur_year": _text(result.relief.annual_eur),
            "advance_payment_eur": {
                "without_relief": _text(result.without_relief.installment_eur, places),
                "with_relief": _text(result.with_relief.installment_eur, places),
            },
            "explanation": [step.text + (f" ({step.formula})" if step.formula else "") for step in result.explanation],
        }

    def _december(self, commodity: Commodity, installments: int, options: dict[str, Any]) -> dict[str, Any]:
        if commodity is Commodity.ELECTRICITY:
            raise BadInput("Fehler: Die Dezember-Soforthilfe gab es nur für Gas und Wärme, nicht für Strom.")
        if commodity is Commodity.GAS:
            forecast = _decimal(options["forecast_kwh"], "forecast-kwh", positive=True)
            price = _decimal(options["working_price_ct"], "working-price-ct")
            base = _decimal(options["base_price_eur_year"], "base-price-eur-year")
            assert forecast is not None and price is not None and base is not None
            gas = december.gas_december_relief(
                forecast_sept_2022_kwh=forecast, working_price_gross_ct=price, base_price_gross_eur_year=base
            )
            amount, explanation = gas.amount_eur, gas.explanation
        else:
            september = _decimal(
                options["september_advance_eur"], "september-advance-eur", required=installments >= 12
            )
            last_period = _decimal(
                options["last_period_advances_eur"], "last-period-advances-eur", required=installments < 12
            )
            heat = december.heat_december_relief(
                september_advance_eur=september,
                installments_per_year=installments,
                advances_last_period_eur=last_period,
            )
            amount, explanation = heat.amount_eur, heat.explanation
        return {
            "commodity": commodity.value,
            "december_relief_eur": _text(amount),
            "explanation": [step.text + (f" ({step.formula})" if step.formula else "") for step in explanation],
        }
