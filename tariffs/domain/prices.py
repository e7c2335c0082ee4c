"""Price versions of a tariff, net-to-gross conversion and the expected annual cost."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import format_ct, format_eur, format_kwh
from tariffs.domain.money import CENT, CT_PLACES, HUNDRED, ONE
from tariffs.domain.vat import DEFAULT_VAT_PERIODS, Commodity, NoVatRate, VatPeriod, commodity_periods


@dataclass(frozen=True, slots=True)
class PriceVersion:
    """Net prices valid over the half-open period [valid_from, valid_to); ``valid_to`` None means open-ended.

    ``energy_price_net_ct`` is the energy share of the working price (without grid fees, levies and taxes); only the
    price brakes for large consumers need it.
    """

    valid_from: date
    valid_to: date | None
    working_price_net_ct: Decimal
    base_price_net_eur_year: Decimal
    energy_price_net_ct: Decimal | None = None


class NoPriceOnDate(LookupError):
    """No price version is valid on the day."""

    def __init__(self, day: date) -> None:
        super().__init__(f"no price version valid on {day.isoformat()}")
        self.day = day


class GrossPrice(NamedTuple):
    """Prices as the customer sees them, VAT included (an immutable row: built twice per contract, so a NamedTuple)."""

    working_price_ct: Decimal
    base_price_eur_year: Decimal
    vat_rate: Decimal


# Build NamedTuple rows in C, positionally (a ``quantize`` or constructor call with keywords parses them slowly).
_new_row = tuple.__new__


def price_on(*, versions: Sequence[PriceVersion], day: date) -> PriceVersion:
    """Return the price version valid on ``day``.

    :raises NoPriceOnDate: if none is.
    """
    for version in versions:
        if version.valid_from <= day and (version.valid_to is None or day < version.valid_to):
            return version
    raise NoPriceOnDate(day)


def defer_versions(
    versions: Sequence[PriceVersion], deferrals: Iterable[tuple[date, date]]
) -> tuple[PriceVersion, ...]:
    """Return a tariff's price history as it applies to one contract for which price changes take effect later.

    A price change takes effect for a contract only once its notice reached the customer in time (DOMAIN.md,
    price-change notices); when it did not, the change applies from a later, lawful day for that contract.
    ``deferrals`` holds (the change's planned day, the day for this contract) per such change: the version that ends
    on the planned day is extended to the contract's day, the one that starts then starts later. A version that
    starts between the two days still starts on its own day (its change was notified on its own): the extension
    stops there and the deferred version, whose time has passed, is dropped. The result has no gaps or overlaps
    where the input had none. Without deferrals the versions are returned unchanged.
    """
    shifted = list(versions)
    for planned, actual in sorted(deferrals):
        if actual <= planned:
            continue
        stop = min([actual, *(version.valid_from for version in shifted if version.valid_from > planned)])
        for index, version in enumerate(shifted):
            if version.valid_to == planned:
                shifted[index] = replace(version, valid_to=stop)
            elif version.valid_from == planned:
                shifted[index] = replace(version, valid_from=actual)
        shifted = [version for version in shifted if version.valid_to is None or version.valid_from < version.valid_to]
    return tuple(shifted)


def gross_ct(*, net_ct: Decimal, vat_rate: Decimal) -> Decimal:
    """Return the gross price in ct/kWh: net × (1 + VAT rate), half-up to 4 decimals like every stored price."""
    return (net_ct * (ONE + vat_rate)).quantize(CT_PLACES, ROUND_HALF_UP)


def gross_eur(*, net_eur: Decimal, vat_rate: Decimal) -> Decimal:
    """Return a gross euro amount (e.g. the annual base price): net × (1 + VAT rate), rounded half-up to the cent."""
    return (net_eur * (ONE + vat_rate)).quantize(CENT, ROUND_HALF_UP)


def gross_prices_on(
    *,
    versions: Sequence[PriceVersion],
    commodity: Commodity,
    day: date,
    vat_periods: Sequence[VatPeriod] = DEFAULT_VAT_PERIODS,
) -> GrossPrice:
    """Return the gross working price (4 decimals) and gross annual base price (cents) valid on ``day``.

    :raises NoPriceOnDate: if no price version is valid on the day.
    :raises NoVatRate: if no VAT period covers the day.
    """
    # price_on and vat_rate_on inlined; the VAT rows carry 1 + rate ready (the same value gross_ct/gross_eur use).
    for version in versions:
        if version.valid_from <= day and (version.valid_to is None or day < version.valid_to):
            break
    else:
        raise NoPriceOnDate(day)
    for valid_from, valid_to, rate, gross_factor in commodity_periods(vat_periods, commodity).rows:  # noqa: B007 (rate and gross_factor are used after break)
        if valid_from <= day and (valid_to is None or day < valid_to):
            break
    else:
        raise NoVatRate(commodity, day)
    return _new_row(
        GrossPrice,
        (
            (version.working_price_net_ct * gross_factor).quantize(CT_PLACES, ROUND_HALF_UP),
            (version.base_price_net_eur_year * gross_factor).quantize(CENT, ROUND_HALF_UP),
            rate,
        ),
    )


@dataclass(frozen=True, slots=True)
class AnnualCost:
    """The expected gross cost of a year: energy (forecast × working price) plus the annual base price."""

    forecast_kwh: Decimal
    working_price_gross_ct: Decimal
    base_price_gross_eur_year: Decimal
    energy_cost_eur: Decimal
    total_eur: Decimal

    @property
    def explanation(self) -> Explanation:
        """Explain the calculation in German."""
        return explain_annual_cost(
            forecast_kwh=self.forecast_kwh,
            working_price_gross_ct=self.working_price_gross_ct,
            base_price_gross_eur_year=self.base_price_gross_eur_year,
            energy_cost_eur=self.energy_cost_eur,
            total_eur=self.total_eur,
        )


def annual_cost(
    *, forecast_kwh: Decimal, working_price_gross_ct: Decimal, base_price_gross_eur_year: Decimal
) -> AnnualCost:
    """Return the expected annual gross cost, rounded half-up to the cent once (the base price is already in cents)."""
    energy = forecast_kwh * working_price_gross_ct / HUNDRED
    return AnnualCost(
        forecast_kwh=forecast_kwh,
        working_price_gross_ct=working_price_gross_ct,
        base_price_gross_eur_year=base_price_gross_eur_year,
        energy_cost_eur=energy.quantize(CENT, ROUND_HALF_UP),
        total_eur=(energy + base_price_gross_eur_year).quantize(CENT, ROUND_HALF_UP),
    )


def explain_annual_cost(
    *,
    forecast_kwh: Decimal,
    working_price_gross_ct: Decimal,
    base_price_gross_eur_year: Decimal,
    energy_cost_eur: Decimal,
    total_eur: Decimal,
) -> Explanation:
    """Return the German steps for forecast × working price + base price (shared with the Abschlag explanation).

    Customers see gross prices per kWh with 2 decimals (as on "Mein Konto"); the maths uses the unrounded price. When
    the shown numbers do not give the shown result (to the cent), the price is called rounded and the formula says ≈.
    """
    shown_ct = working_price_gross_ct.quantize(CENT, ROUND_HALF_UP)
    exact = (forecast_kwh * shown_ct / HUNDRED).quantize(CENT, ROUND_HALF_UP) == energy_cost_eur
    steps = [
        Step(
            text=(
                f"Für ein Jahr erwarten wir bei Ihnen einen Verbrauch von {format_kwh(forecast_kwh)}. "
                "Ihr Arbeitspreis (der Preis je Kilowattstunde) beträgt "
                f"{'' if exact else 'gerundet '}{format_ct(shown_ct)} brutto, also mit Umsatzsteuer. "
                f"Für diese Energie ergibt das{'' if exact else ' mit dem genauen Preis'} "
                f"{format_eur(energy_cost_eur)} im Jahr."
            ),
            formula=(
                f"{format_kwh(forecast_kwh)} × {format_ct(shown_ct)} {'=' if exact else '≈'} "
                f"{format_eur(energy_cost_eur)}"
            ),
            amount=energy_cost_eur,
        )
    ]
    if base_price_gross_eur_year:
        steps.append(
            Step(
                text=(
                    f"Dazu kommt der Grundpreis von {format_eur(base_price_gross_eur_year)} im Jahr. Das ist "
                    "der feste "
                    "Betrag, den Sie unabhängig vom Verbrauch zahlen, zum Beispiel für den Zähler. Zusammen sind das "
                    f"{format_eur(total_eur)} im Jahr."
                ),
                formula=(
                    f"{format_eur(energy_cost_eur)} + {format_eur(base_price_gross_eur_year)} = "
                    f"{format_eur(total_eur)}"
                ),
                amount=total_eur,
            )
        )
    return tuple(steps)
