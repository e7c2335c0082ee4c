"""The one-off December relief 2022 (Dezember-Soforthilfe, EWSG) for gas and district heat."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import equals_sign, format_ct, format_eur, format_kwh, format_percent
from tariffs.domain.money import CENT, HUNDRED, TWELVE

KWH_PLACES = Decimal("0.001")
HEAT_SHARE = Decimal("1.2")  # 120 % of the Abschlag


class MissingAdvanceData(ValueError):
    """The heat December relief needs the September-2022 Abschlag or the Abschläge of the last billing period."""


@dataclass(frozen=True, slots=True)
class GasDecemberRelief:
    """The gas December relief: a twelfth of the Sept-2022 forecast at the December price plus a twelfth of the GP."""

    forecast_sept_2022_kwh: Decimal
    working_price_gross_ct: Decimal
    base_price_gross_eur_year: Decimal
    amount_eur: Decimal

    @property
    def explanation(self) -> Explanation:
        """Explain the amount in German."""
        month_kwh = self.forecast_sept_2022_kwh / TWELVE
        energy = self.forecast_sept_2022_kwh * self.working_price_gross_ct / HUNDRED / TWELVE
        base = self.base_price_gross_eur_year / TWELVE
        return (
            Step(
                text=(
                    "Im Dezember 2022 hat der Staat Ihnen einen Monat Gas bezahlt (Dezember-Soforthilfe). Grundlage "
                    "ist ein Zwölftel des Jahresverbrauchs, den wir im September 2022 für Sie erwartet haben: "
                    f"{format_kwh(month_kwh)}."
                ),
                formula=(
                    f"{format_kwh(self.forecast_sept_2022_kwh)} ÷ 12 {equals_sign(month_kwh, KWH_PLACES)} "
                    f"{format_kwh(month_kwh)}"
                ),
            ),
            Step(
                text=(
                    "Diese Menge rechnen wir mit Ihrem Arbeitspreis (dem Preis je Kilowattstunde) vom 1. "
                    "Dezember 2022: "
                    f"{format_ct(self.working_price_gross_ct)} brutto, also mit Umsatzsteuer."
                ),
                formula=(
                    f"{format_kwh(month_kwh)} × {format_ct(self.working_price_gross_ct)} "
                    f"{equals_sign(energy)} {format_eur(energy)}"
                ),
                amount=energy.quantize(CENT, rounding=ROUND_HALF_UP),
            ),
            Step(
                text=(
                    f"Dazu kommt ein Zwölftel Ihres Grundpreises (des festen Jahresbetrags) von "
                    f"{format_eur(self.base_price_gross_eur_year)}. Zusammen, auf den Cent gerundet, übernimmt der "
                    f"Staat {format_eur(self.amount_eur)}."
                ),
                formula=(
                    f"{format_eur(self.base_price_gross_eur_year)} ÷ 12 {equals_sign(base)} {format_eur(base)}; "
                    f"{format_eur(energy)} + {format_eur(base)} = {format_eur(self.amount_eur)}"
                ),
                amount=self.amount_eur,
            ),
        )


@dataclass(frozen=True, slots=True)
class HeatDecemberRelief:
    """The heat December relief: 120 % of the monthly Abschlag (or of the monthly average of the last period)."""

    monthly_advance_eur: Decimal
    advances_last_period_eur: Decimal | None
    amount_eur: Decimal

    @property
    def explanation(self) -> Explanation:
        """Explain the amount in German."""
        share = format_percent(HEAT_SHARE)
        if self.advances_last_period_eur is None:
            return (
                Step(
                    text=(
                        f"Für Fernwärme übernahm der Staat im Dezember 2022 einmalig {share} Ihres Abschlags (Ihrer "
                        f"monatlichen Teilzahlung) vom September 2022. Ihr Abschlag betrug "
                        f"{format_eur(self.monthly_advance_eur)}, die Soforthilfe also {format_eur(self.amount_eur)}."
                    ),
                    formula=f"{format_eur(self.monthly_advance_eur)} × {share} = {format_eur(self.amount_eur)}",
                    amount=self.amount_eur,
                ),
            )
        monthly = self.advances_last_period_eur / TWELVE
        return (
            Step(
                text=(
                    "Sie zahlen weniger als 12 Abschläge im Jahr. Deshalb nehmen wir alle Abschläge aus Ihrem letzten "
                    f"Abrechnungszeitraum ({format_eur(self.advances_last_period_eur)}) und teilen sie durch 12."
                ),
                formula=(
                    f"{format_eur(self.advances_last_period_eur)} ÷ 12 {equals_sign(monthly)} {format_eur(monthly)}"
                ),
            ),
            Step(
                text=(
                    f"Für Fernwärme übernahm der Staat im Dezember 2022 einmalig {share} dieses Monatsbetrags: "
                    f"{format_eur(self.amount_eur)}."
                ),
                formula=f"{format_eur(monthly)} × {share} = {format_eur(self.amount_eur)}",
                amount=self.amount_eur,
            ),
        )


def gas_december_relief(
    *, forecast_sept_2022_kwh: Decimal, working_price_gross_ct: Decimal, base_price_gross_eur_year: Decimal
) -> GasDecemberRelief:
    """Return the gas December relief, rounded half-up to the cent once at the end.

    relief = 1/12 × Sept-2022 forecast kWh × gross working price as of 2022-12-01 + 1/12 × annual gross base price
    (**Decision** in DOMAIN.md: the "December share of the other price elements" is 1/12 of the annual gross GP).
    """
    exact = (forecast_sept_2022_kwh * working_price_gross_ct / HUNDRED + base_price_gross_eur_year) / TWELVE
    return GasDecemberRelief(
        forecast_sept_2022_kwh=forecast_sept_2022_kwh,
        working_price_gross_ct=working_price_gross_ct,
        base_price_gross_eur_year=base_price_gross_eur_year,
        amount_eur=exact.quantize(CENT, rounding=ROUND_HALF_UP),
    )


def heat_december_relief(
    *,
    september_advance_eur: Decimal | None = None,
    installments_per_year: int = 12,
    advances_last_period_eur: Decimal | None = None,
) -> HeatDecemberRelief:
    """Return the heat December relief: 120 % of the September-2022 Abschlag, half-up to the cent.

    With fewer than 12 Abschläge a year it is 120 % of (sum of the Abschläge in the last billing period ÷ 12).

    :raises MissingAdvanceData: if the amount that case needs is missing.
    """
    if installments_per_year >= 12:
        if september_advance_eur is None:
            raise MissingAdvanceData("the September-2022 Abschlag is needed with 12 Abschläge a year")
        return HeatDecemberRelief(
            monthly_advance_eur=september_advance_eur,
            advances_last_period_eur=None,
            amount_eur=(september_advance_eur * HEAT_SHARE).quantize(CENT, rounding=ROUND_HALF_UP),
        )
    if advances_last_period_eur is None:
        raise MissingAdvanceData("the Abschläge of the last billing period are needed with fewer than 12 a year")
    return HeatDecemberRelief(
        monthly_advance_eur=advances_last_period_eur / TWELVE,
        advances_last_period_eur=advances_last_period_eur,
        amount_eur=(advances_last_period_eur * HEAT_SHARE / TWELVE).quantize(CENT, rounding=ROUND_HALF_UP),
    )
