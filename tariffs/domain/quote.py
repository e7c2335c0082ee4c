"""The price-brake quote for one customer: relief per month and year, and the Abschlag without and with relief.

This is what the public calculator page, the ``relief_quote`` command and an agent reading aloud all show.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tariffs.domain import advance, relief
from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import format_eur
from tariffs.domain.money import ONE, Rounding
from tariffs.domain.relief import ReliefQuote, ReliefScheme
from tariffs.domain.vat import Commodity

# VAT in the relief year 2023 (§ 28 Abs. 5/6 UStG): used only to derive the net energy price for large consumers
# when the caller gives a gross working price and no net energy price.
VAT_2023 = {Commodity.ELECTRICITY: Decimal("0.19"), Commodity.GAS: Decimal("0.07"), Commodity.HEAT: Decimal("0.07")}


@dataclass(frozen=True, slots=True)
class Quote:
    """The relief and its effect on the Abschlag for one forecast and one working price."""

    commodity: Commodity
    relief: ReliefQuote
    without_relief: advance.AdvancePayment
    with_relief: advance.AdvancePayment

    @property
    def scheme(self) -> ReliefScheme:
        return self.relief.scheme

    @property
    def explanation(self) -> Explanation:
        """Explain the relief, then the Abschlag with relief, then the difference, in German."""
        difference = self.without_relief.installment_eur - self.with_relief.installment_eur
        closing = Step(
            text=(
                f"Ohne Preisbremse läge Ihr Abschlag bei {format_eur(self.without_relief.installment_eur)}, "
                f"mit Preisbremse bei {format_eur(self.with_relief.installment_eur)}. "
                + (
                    f"Sie zahlen also {format_eur(difference)} weniger je Abschlag."
                    if difference > 0
                    else "Ihr Preis liegt nicht über dem Referenzpreis, deshalb ändert sich Ihr Abschlag nicht."
                )
            ),
            formula=(
                f"{format_eur(self.without_relief.installment_eur)} − {format_eur(self.with_relief.installment_eur)}"
                f" = {format_eur(difference)}"
            ),
            amount=difference,
        )
        return (*self.relief.explanation, *self.with_relief.explanation, closing)


def quote(
    *,
    commodity: Commodity,
    forecast_kwh: Decimal,
    working_price_gross_ct: Decimal,
    base_price_gross_eur_year: Decimal = Decimal(0),
    installments: int = 12,
    rounding: Rounding = Rounding.EURO,
    customer_group: relief.CustomerGroup = relief.CustomerGroup.HOUSEHOLD,
    energy_price_net_ct: Decimal | None = None,
    schemes: tuple[relief.ReliefScheme, ...] = relief.DEFAULT_RELIEF_SCHEMES,
) -> Quote:
    """Return the quote. The forecast is the basis of the quota (the caller passes the basis the scheme needs).

    Schemes comparing the net energy price (large consumers) use ``energy_price_net_ct`` or, when it is missing,
    the net working price derived from the gross one with the 2023 VAT rate (an upper bound of the energy price).

    :raises relief.NoReliefScheme: if no scheme fits.
    :raises advance.InvalidInstallments: if ``installments`` < 1.
    """
    scheme = relief.select_scheme(
        schemes=schemes, commodity=commodity, customer_group=customer_group, annual_kwh=forecast_kwh
    )
    if scheme.reference_basis is relief.ReferenceBasis.NET_ENERGY_PRICE:
        compared = energy_price_net_ct
        if compared is None:
            compared = (working_price_gross_ct / (ONE + VAT_2023[commodity])).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP
            )
    else:
        compared = working_price_gross_ct
    relief_quote = relief.relief_quote(scheme=scheme, forecast_kwh=forecast_kwh, working_price_ct=compared)
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
    return Quote(commodity=commodity, relief=relief_quote, without_relief=without, with_relief=with_relief)
