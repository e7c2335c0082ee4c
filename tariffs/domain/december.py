"""The one-off December relief 2022 (Dezember-Soforthilfe, EWSG) for gas and district heat."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import (
    NBSP,
    equals_sign,
    format_ct,
    format_date,
    format_eur,
    format_kwh,
    format_percent,
)
from tariffs.domain.money import CENT, HUNDRED, TWELVE, ZERO_EUR

KWH_PLACES = Decimal("0.001")
HEAT_SHARE = Decimal("1.2")  # 120 % of the Abschlag
ADVANCE_YEAR_FROM = date(2021, 12, 1)  # the 12 months before December 2022 decide "fewer than 12 Abschläge a year"
SEPTEMBER_2022 = date(2022, 9, 1)
OCTOBER_2022 = date(2022, 10, 1)
DECEMBER_2022 = date(2022, 12, 1)


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
        # The amount is rounded once, at the end; the parts shown are rounded for display and may add up to a cent
        # more or less. Then the text says so instead of showing a sum that does not add up.
        shown_sum = _cent(energy) + _cent(base)
        sum_sign, rounding_note, rounding_text = "=", "", ""
        if shown_sum != self.amount_eur:
            difference = abs(shown_sum - self.amount_eur)
            sum_sign = "≈"
            rounding_note = f" {_ROUNDING_NOTE}"
            rounding_text = (
                " Wir rechnen mit den ungerundeten Beträgen und runden erst das Ergebnis auf den Cent. Die oben "
                f"gerundet gezeigten Teilbeträge ergeben zusammen {format_eur(shown_sum)}, "
                f"{_cents_de(difference)} {'mehr' if shown_sum > self.amount_eur else 'weniger'}."
            )
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
                    f"Staat {format_eur(self.amount_eur)}.{rounding_text}"
                ),
                formula=(
                    f"{format_eur(self.base_price_gross_eur_year)} ÷ 12 {equals_sign(base)} {format_eur(base)}; "
                    f"{format_eur(energy)} + {format_eur(base)} {sum_sign} {format_eur(self.amount_eur)}"
                    f"{rounding_note}"
                ),
                amount=self.amount_eur,
            ),
        )


@dataclass(frozen=True, slots=True)
class HeatDecemberRelief:
    """The heat December relief: 120 % of the monthly Abschlag (or of the monthly average of the last period).

    With fewer than 12 Abschläge a year, ``advances_last_period_eur`` is the sum the average is taken of and, where
    known, ``period_from``/``period_to`` (half-open) the period it was summed over, ``period_is_bill`` whether that is
    the last billing period, ``advance_count`` how many Abschläge it holds and ``advances_in_year`` how many were due
    in the 12 months before December 2022 (None: the Abschlagsplan's number decided, ``installments_per_year``).
    """

    monthly_advance_eur: Decimal
    advances_last_period_eur: Decimal | None
    amount_eur: Decimal
    period_from: date | None = None
    period_to: date | None = None
    period_is_bill: bool = False
    advance_count: int | None = None
    advances_in_year: int | None = None
    installments_per_year: int | None = None

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
        shown_product = (_cent(monthly) * HEAT_SHARE).quantize(CENT, rounding=ROUND_HALF_UP)
        rounding_note = f" {_ROUNDING_NOTE}" if shown_product != self.amount_eur else ""
        return (
            Step(
                text=(
                    f"{self._why_average()} Deshalb zählt nicht ein einzelner Abschlag, sondern der Durchschnitt je "
                    f"Monat. Wir nehmen {self._which_advances()}, zusammen "
                    f"{format_eur(self.advances_last_period_eur)}, und teilen durch 12.{self._without_bill()}"
                ),
                formula=(
                    f"{format_eur(self.advances_last_period_eur)} ÷ 12 {equals_sign(monthly)} {format_eur(monthly)}"
                ),
            ),
            Step(
                text=(
                    f"Für Fernwärme übernahm der Staat im Dezember 2022 einmalig {share} dieses Monatsbetrags, auf "
                    f"den Cent gerundet: {format_eur(self.amount_eur)}."
                ),
                formula=f"{format_eur(monthly)} × {share} {equals_sign(monthly * HEAT_SHARE)} "
                f"{format_eur(self.amount_eur)}{rounding_note}",
                amount=self.amount_eur,
            ),
        )

    def _why_average(self) -> str:
        if self.advances_in_year is not None:
            return (
                f"In den 12 Monaten vor Dezember 2022 (Dezember 2021 bis November 2022) waren bei Ihnen "
                f"{_count_de(self.advances_in_year, 'Abschlag', 'Abschläge')} (Teilzahlungen) fällig, nicht 12."
            )
        if self.installments_per_year is not None:
            return (
                f"Ihr Abschlagsplan sieht {_count_de(self.installments_per_year, 'Abschlag', 'Abschläge')} "
                "(Teilzahlungen) im Jahr vor, nicht 12."
            )
        return "Sie zahlen weniger als 12 Abschläge (Teilzahlungen) im Jahr."

    def _which_advances(self) -> str:
        if self.period_from is None or self.period_to is None:
            return "alle Abschläge aus Ihrem letzten Abrechnungszeitraum"
        period = f"{format_date(self.period_from)} bis {format_date(self.period_to - timedelta(days=1))}"
        what = (
            f"die {_count_de(self.advance_count, 'Abschlag', 'Abschläge')}"
            if self.advance_count is not None
            else "alle Abschläge"
        )
        if self.period_is_bill:
            return f"{what} aus Ihrem letzten Abrechnungszeitraum vor Dezember 2022 ({period})"
        return f"{what} der 12 Monate davor ({period})"

    def _without_bill(self) -> str:
        if self.period_from is None or self.period_is_bill:
            return ""
        return " Eine Abrechnung vor Dezember 2022 gibt es für Ihren Vertrag nicht, deshalb zählen diese 12 Monate."


_ROUNDING_NOTE = "(gerundet; gerechnet wird mit den ungerundeten Beträgen)"


def _cent(amount: Decimal) -> Decimal:
    """Round half-up to the cent, as format_eur shows an amount."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _cents_de(difference: Decimal) -> str:
    """Return "1 Cent" or "2 Cent" for a difference in euros."""
    return f"{int(difference * HUNDRED)}{NBSP}Cent"


def _count_de(count: int, singular: str, plural: str) -> str:
    """Return "1 Abschlag" or "3 Abschläge"."""
    return f"{count} {singular if count == 1 else plural}"


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


def heat_december_relief_from_installments(
    *,
    installments: Sequence[tuple[date, Decimal]],
    supplied_from: date,
    installments_per_year: int,
    last_bill_period: tuple[date, date] | None = None,
) -> HeatDecemberRelief:
    """Return the heat December relief from the contract's Abschläge (installments) before December 2022.

    ``installments`` are (due date, amount) pairs; only those due before 2022-12-01 in the periods below count.
    ``last_bill_period`` is the half-open period ``[start, end)`` of the contract's last bill that ends on or before
    2022-12-01 (None: no such bill); ``supplied_from`` is the contract's first day of supply and
    ``installments_per_year`` the number of Abschläge a year in its Abschlagsplan.

    **Rule** (DOMAIN.md, December relief 2022):

    1. *The year* is the 12 months before December 2022: due dates in ``[2021-12-01, 2022-12-01)``. A contract
       supplied since 2021-12-01 or earlier paid *fewer than 12 Abschläge a year* if fewer than 12 installments were
       due in that year. A contract that started later has no full year to count: its Abschlagsplan decides
       (``installments_per_year`` < 12).
    2. 12 or more a year: the relief is 120 % of the Abschlag due in September 2022 (the earliest due that month).
    3. Fewer than 12 a year: the relief is 120 % of the monthly average, the sum of the Abschläge due in the last
       billing period ÷ 12; without a bill ending on or before 2022-12-01, the sum of those due in the year of rule 1.
       Abschläge count as agreed (due), whether paid or not. One rounding: (sum × 120 % ÷ 12) half-up to the cent.

    :raises MissingAdvanceData: if there is no Abschlag due in September 2022 (rule 2), or none in the period summed
        (rule 3: an empty period says nothing about the monthly cost, so no amount is guessed).
    :raises ValueError: if ``last_bill_period`` ends after 2022-12-01.
    """
    ordered = sorted(installments)
    in_year = [(due, amount) for due, amount in ordered if ADVANCE_YEAR_FROM <= due < DECEMBER_2022]
    counted: int | None = len(in_year) if supplied_from <= ADVANCE_YEAR_FROM else None
    fewer = counted < 12 if counted is not None else installments_per_year < 12
    if not fewer:
        september = next((amount for due, amount in in_year if SEPTEMBER_2022 <= due < OCTOBER_2022), None)
        return heat_december_relief(september_advance_eur=september)
    if last_bill_period is not None:
        (period_from, period_to), is_bill = last_bill_period, True
        if period_to > DECEMBER_2022:
            raise ValueError(f"the last billing period before December 2022 cannot end on {period_to.isoformat()}")
    else:
        (period_from, period_to), is_bill = (ADVANCE_YEAR_FROM, DECEMBER_2022), False
    in_period = [amount for due, amount in ordered if period_from <= due < period_to]
    if not in_period:
        raise MissingAdvanceData(f"no Abschlag due in {period_from.isoformat()} … {period_to.isoformat()}")
    total = sum(in_period, ZERO_EUR)
    return HeatDecemberRelief(
        monthly_advance_eur=total / TWELVE,
        advances_last_period_eur=total,
        amount_eur=(total * HEAT_SHARE / TWELVE).quantize(CENT, rounding=ROUND_HALF_UP),
        period_from=period_from,
        period_to=period_to,
        period_is_bill=is_bill,
        advance_count=len(in_period),
        advances_in_year=counted,
        installments_per_year=None if counted is not None else installments_per_year,
    )
