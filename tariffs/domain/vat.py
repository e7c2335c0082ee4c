"""Value added tax (Umsatzsteuer) on energy, by commodity and date."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Commodity(StrEnum):
    """The Sparte of a contract."""

    ELECTRICITY = "electricity"
    GAS = "gas"
    HEAT = "heat"

    @property
    def name_de(self) -> str:
        """Return the German name ("Strom", "Gas", "Wärme")."""
        return _NAMES_DE[self]


_NAMES_DE = {Commodity.ELECTRICITY: "Strom", Commodity.GAS: "Gas", Commodity.HEAT: "Wärme"}


@dataclass(frozen=True, slots=True)
class VatPeriod:
    """A VAT rate (0.19 for 19 %) for one commodity over the half-open period [valid_from, valid_to)."""

    commodity: Commodity
    valid_from: date
    valid_to: date | None
    rate: Decimal


class NoVatRate(LookupError):
    """No VAT period covers the commodity on the day."""

    def __init__(self, commodity: Commodity, day: date) -> None:
        super().__init__(f"no VAT rate for {commodity} on {day.isoformat()}")
        self.commodity = commodity
        self.day = day


STANDARD_RATE = Decimal("0.19")
REDUCED_RATE = Decimal("0.07")
_REDUCED_FROM = date(2022, 10, 1)  # § 28 Abs. 5/6 UStG: gas and district heat at 7 % ...
_REDUCED_TO = date(2024, 4, 1)  # ... for supplies up to 2024-03-31

DEFAULT_VAT_PERIODS: tuple[VatPeriod, ...] = (
    VatPeriod(Commodity.ELECTRICITY, date.min, None, STANDARD_RATE),
    VatPeriod(Commodity.GAS, date.min, _REDUCED_FROM, STANDARD_RATE),
    VatPeriod(Commodity.GAS, _REDUCED_FROM, _REDUCED_TO, REDUCED_RATE),
    VatPeriod(Commodity.GAS, _REDUCED_TO, None, STANDARD_RATE),
    VatPeriod(Commodity.HEAT, date.min, _REDUCED_FROM, STANDARD_RATE),
    VatPeriod(Commodity.HEAT, _REDUCED_FROM, _REDUCED_TO, REDUCED_RATE),
    VatPeriod(Commodity.HEAT, _REDUCED_TO, None, STANDARD_RATE),
)


def vat_rate_on(*, commodity: Commodity, day: date, periods: Sequence[VatPeriod] = DEFAULT_VAT_PERIODS) -> Decimal:
    """Return the VAT rate for ``commodity`` on ``day``.

    :raises NoVatRate: if no period covers the day.
    """
    for period in periods:
        if (
            period.commodity == commodity
            and period.valid_from <= day
            and (period.valid_to is None or day < period.valid_to)
        ):
            return period.rate
    raise NoVatRate(commodity, day)
