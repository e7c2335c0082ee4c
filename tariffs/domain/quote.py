"""The price-brake quote for one customer: relief per month and year, and the Abschlag without and with relief.

This is what the public calculator page, the ``relief_quote`` command and an agent reading aloud all show.

Large consumers (a business above the scheme's threshold) are quoted only with the two inputs their schemes need
(DOMAIN.md, price brakes): the net energy price, which is compared with the reference price, and the 2021
consumption, of which the quota is a share. Neither is guessed: the full net working price would include grid fees
and levies and overstate the relief many times over, and the forecast is not the 2021 consumption.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tariffs.domain import advance, relief
from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import format_ct, format_eur, format_kwh, format_percent
from tariffs.domain.money import Rounding
from tariffs.domain.relief import CustomerGroup, ForecastBasis, ReferenceBasis, ReliefQuote, ReliefScheme
from tariffs.domain.vat import Commodity

ENERGY_PRICE = "energy_price_net_ct"
CONSUMPTION_2021 = "consumption_2021_kwh"


class MissingLargeConsumerInput(ValueError):
    """The scheme caps the net energy price on the 2021 consumption, and the caller did not give one of them.

    ``missing`` names the missing inputs as the keyword arguments of :func:`quote` (``energy_price_net_ct``,
    ``consumption_2021_kwh``).
    """

    def __init__(self, scheme: ReliefScheme, *, missing: tuple[str, ...]) -> None:
        super().__init__(f"{scheme.code} needs {', '.join(missing)}")
        self.scheme = scheme
        self.missing = missing


def needs_large_consumer_inputs(scheme: ReliefScheme) -> bool:
    """Tell whether the scheme compares the net energy price or takes its quota from the 2021 consumption."""
    return (
        scheme.reference_basis is ReferenceBasis.NET_ENERGY_PRICE
        or scheme.forecast_basis is ForecastBasis.CONSUMPTION_2021
    )


def describe_large_consumer_schemes(schemes: Sequence[ReliefScheme]) -> tuple[str, ...]:
    """Return one German line per large-consumer scheme: for whom it is and what it caps, from the scheme's data.

    Example: "Strom über 30.000 kWh im Jahr: Energiepreis netto gedeckelt auf 13,00 ct/kWh, für 70 % Ihres
    Verbrauchs von 2021."
    """
    lines = []
    for scheme in schemes:
        if not needs_large_consumer_inputs(scheme):
            continue
        above = f" über {format_kwh(scheme.min_kwh)} im Jahr" if scheme.min_kwh is not None else ""
        net = scheme.reference_basis is ReferenceBasis.NET_ENERGY_PRICE
        price = "Energiepreis netto" if net else "Arbeitspreis brutto"
        share = format_percent(scheme.quota_share)
        of_2021 = scheme.forecast_basis is ForecastBasis.CONSUMPTION_2021
        basis = "Ihres Verbrauchs von 2021" if of_2021 else "Ihres erwarteten Verbrauchs"
        lines.append(
            f"{scheme.commodity.name_de}{above}: {price} gedeckelt auf {format_ct(scheme.reference_price_ct)}, "
            f"für {share} {basis}."
        )
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class Quote:
    """The relief and its effect on the Abschlag for one forecast and one working price."""

    commodity: Commodity
    relief: ReliefQuote
    without_relief: advance.AdvancePayment
    with_relief: advance.AdvancePayment
    customer_group: CustomerGroup = CustomerGroup.HOUSEHOLD

    @property
    def scheme(self) -> ReliefScheme:
        return self.relief.scheme

    @property
    def is_large_consumer(self) -> bool:
        """Tell whether the quote used a large-consumer scheme (net energy price, 2021 consumption)."""
        return needs_large_consumer_inputs(self.scheme)

    @property
    def explanation(self) -> Explanation:
        """Explain the relief, then the Abschlag with relief, then the difference, in German."""
        difference = self.without_relief.installment_eur - self.with_relief.installment_eur
        closing = Step(
            text=(
                f"Ohne Preisbremse läge Ihr Abschlag bei {format_eur(self.without_relief.installment_eur)}, "
                f"mit Preisbremse bei {format_eur(self.with_relief.installment_eur)}. "
                + self._closing_sentence(difference)
            ),
            formula=(
                f"{format_eur(self.without_relief.installment_eur)} − {format_eur(self.with_relief.installment_eur)}"
                f" = {format_eur(difference)}"
            ),
            amount=difference,
        )
        return (*self._group_steps(), *self.relief.explanation, *self.with_relief.explanation, closing)

    def _closing_sentence(self, difference: Decimal) -> str:
        if difference > 0:
            return f"Sie zahlen also {format_eur(difference)} weniger je Abschlag."
        if not self.relief.annual_eur:
            return "Ihr Preis liegt nicht über dem gedeckelten Preis, deshalb ändert sich Ihr Abschlag nicht."
        # a relief of a few euros a year can vanish in the Abschlag rounded to whole euros; the bill still credits it
        return (
            f"Die Entlastung von {format_eur(self.relief.annual_eur)} im Jahr ist zu klein, um den gerundeten "
            "Abschlag zu ändern. Sie geht Ihnen nicht verloren: Sie wird in der Jahresabrechnung abgezogen."
        )

    def _group_steps(self) -> tuple[Step, ...]:
        """Say why a business gets the small-consumer scheme, when it does (it has no large-consumer inputs then)."""
        scheme = self.scheme
        if (
            self.customer_group is not CustomerGroup.BUSINESS
            or CustomerGroup.HOUSEHOLD not in scheme.customer_groups
            or scheme.max_kwh is None
        ):
            return ()
        return (
            Step(
                text=(
                    f"Ihr Betrieb verbraucht im Jahr nicht mehr als {format_kwh(scheme.max_kwh)}. Deshalb gilt für "
                    f"ihn dieselbe {scheme.name_de} wie für Haushalte; Energiepreis und Verbrauch von 2021 brauchen "
                    "wir dafür nicht."
                ),
            ),
        )


def quote(
    *,
    commodity: Commodity,
    forecast_kwh: Decimal,
    working_price_gross_ct: Decimal,
    base_price_gross_eur_year: Decimal = Decimal(0),
    installments: int = 12,
    rounding: Rounding = Rounding.EURO,
    customer_group: CustomerGroup = CustomerGroup.HOUSEHOLD,
    energy_price_net_ct: Decimal | None = None,
    consumption_2021_kwh: Decimal | None = None,
    schemes: tuple[relief.ReliefScheme, ...] = relief.DEFAULT_RELIEF_SCHEMES,
) -> Quote:
    """Return the quote.

    ``forecast_kwh`` chooses the scheme (its consumption bounds) and is the basis of the Abschlag; it is also the
    basis of the quota for the schemes whose basis is a forecast (the caller passes the forecast the scheme names:
    the current one for electricity, the September-2022 one for gas and heat). Large-consumer schemes compare
    ``energy_price_net_ct`` (the net energy share of the working price, without grid fees, levies and VAT) and take
    their quota from ``consumption_2021_kwh``.

    :raises relief.NoReliefScheme: if no scheme fits.
    :raises MissingLargeConsumerInput: if the scheme needs the net energy price or the 2021 consumption and it is
        missing.
    :raises advance.InvalidInstallments: if ``installments`` < 1.
    """
    scheme = relief.select_scheme(
        schemes=schemes, commodity=commodity, customer_group=customer_group, annual_kwh=forecast_kwh
    )
    compares_energy_price = scheme.reference_basis is ReferenceBasis.NET_ENERGY_PRICE
    quota_from_2021 = scheme.forecast_basis is ForecastBasis.CONSUMPTION_2021
    missing = tuple(
        name
        for name, needed, given in (
            (ENERGY_PRICE, compares_energy_price, energy_price_net_ct),
            (CONSUMPTION_2021, quota_from_2021, consumption_2021_kwh),
        )
        if needed and given is None
    )
    if missing:
        raise MissingLargeConsumerInput(scheme, missing=missing)
    compared = energy_price_net_ct if compares_energy_price else working_price_gross_ct
    basis_kwh = consumption_2021_kwh if quota_from_2021 else forecast_kwh
    assert compared is not None and basis_kwh is not None  # checked above
    relief_quote = relief.relief_quote(scheme=scheme, forecast_kwh=basis_kwh, working_price_ct=compared)
    without = advance.advance_payment(
        forecast_kwh=forecast_kwh,
        working_price_gross_ct=working_price_gross_ct,
        base_price_gross_eur_year=base_price_gross_eur_year,
        installments=installments,
        rounding=rounding,
    )
    with_relief = advance.advance_payment(
        forecast_kwh=forecast_kwh,
        working_price_gross_ct=working_price_gross_ct,
        base_price_gross_eur_year=base_price_gross_eur_year,
        annual_relief_eur=relief_quote.annual_eur,
        installments=installments,
        rounding=rounding,
    )
    return Quote(
        commodity=commodity,
        relief=relief_quote,
        without_relief=without,
        with_relief=with_relief,
        customer_group=customer_group,
    )
