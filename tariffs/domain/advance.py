"""The Abschlag (monthly advance payment) and the projected year-end balance."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import equals_sign, format_eur
from tariffs.domain.money import (
    CENT,
    EURO,
    HUNDRED,
    ZERO,
    ZERO_EUR,
    BalanceKind,
    Rounding,
    balance_kind,
    round_to,
)
from tariffs.domain.prices import explain_annual_cost

MAX_REDUCTION_WITHOUT_REVIEW = Decimal("0.20")
MAX_INCREASE_WITHOUT_CONFIRMATION = Decimal(3)  # a chosen Abschlag above 3 × the calculated one must be confirmed

_EURO_ROUNDING = Rounding.EURO  # reading an enum member costs about 0.2 µs on Python 3.11
_new_row = tuple.__new__  # builds a NamedTuple row in C, positionally


class InvalidInstallments(ValueError):
    """The number of Abschläge per year must be at least 1."""


class AdvancePayment(NamedTuple):
    """The Abschlag for a year: (expected annual cost − annual relief) ÷ instalments, rounded half-up.

    An immutable row (``NamedTuple``): one is built per contract and calculation, and a tuple is built in C.
    """

    forecast_kwh: Decimal
    working_price_gross_ct: Decimal
    base_price_gross_eur_year: Decimal
    annual_relief_eur: Decimal
    installments: int
    rounding: Rounding
    annual_cost_eur: Decimal
    annual_amount_eur: Decimal
    installment_eur: Decimal

    @property
    def energy_cost_eur(self) -> Decimal:
        """Return the energy part of the annual cost, half-up to the cent."""
        return (self.forecast_kwh * self.working_price_gross_ct / HUNDRED).quantize(CENT, ROUND_HALF_UP)

    @property
    def installment_exact_eur(self) -> Decimal:
        """Return the annual amount ÷ instalments before rounding."""
        return self.annual_amount_eur / self.installments

    @property
    def explanation(self) -> Explanation:
        """Explain the Abschlag in German."""
        steps = list(
            explain_annual_cost(
                forecast_kwh=self.forecast_kwh,
                working_price_gross_ct=self.working_price_gross_ct,
                base_price_gross_eur_year=self.base_price_gross_eur_year,
                energy_cost_eur=self.energy_cost_eur,
                total_eur=self.annual_cost_eur,
            )
        )
        cost, relief, amount = self.annual_cost_eur, self.annual_relief_eur, self.annual_amount_eur
        if relief:
            steps.append(
                Step(
                    text=(
                        f"Davon ziehen wir die Entlastung aus der Preisbremse ab: {format_eur(relief)} im Jahr. "
                        "Diesen Betrag übernimmt der Staat."
                        + (
                            " Die Entlastung ist höher als die Kosten, deshalb bleibt nichts zu zahlen."
                            if not amount
                            else ""
                        )
                    ),
                    formula=f"{format_eur(cost)} − {format_eur(relief)} = {format_eur(cost - relief)}",
                    amount=amount,
                )
            )
        exact = self.installment_exact_eur
        steps.append(
            Step(
                text=(
                    f"Diesen Betrag verteilen wir auf {self.installments} gleiche Abschläge (monatliche Teilzahlungen)"
                    + (", auf den Cent gerundet." if self.rounding is Rounding.CENT else ".")
                ),
                formula=f"{format_eur(amount)} ÷ {self.installments} {equals_sign(exact)} {format_eur(exact)}",
                amount=exact.quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
        if self.rounding is Rounding.EURO:
            steps.append(
                Step(
                    text=(
                        "Wir runden den Abschlag auf volle Euro; ab 50 Cent runden wir auf. Ihr Abschlag beträgt "
                        f"{format_eur(self.installment_eur)}."
                    ),
                    formula=f"{format_eur(exact)} → {format_eur(self.installment_eur)}",
                    amount=self.installment_eur,
                )
            )
        return tuple(steps)


def advance_payment(
    *,
    forecast_kwh: Decimal,
    working_price_gross_ct: Decimal,
    base_price_gross_eur_year: Decimal,
    annual_relief_eur: Decimal = ZERO_EUR,
    installments: int = 12,
    rounding: Rounding = Rounding.EURO,
) -> AdvancePayment:
    """Return the Abschlag (DOMAIN.md, advance payment).

    annual cost   = forecast kWh × gross working price + gross annual base price, half-up to the cent (the amount
                    the customer is shown, so it is the one divided);
    annual amount = max(0, annual cost − annual relief);
    Abschlag      = annual amount ÷ instalments, half-up to whole euros (**Decision**, the BMWK examples do) or to
                    the cent when ``rounding`` is ``Rounding.CENT``. Never below 0 €.

    :raises InvalidInstallments: if ``installments`` is less than 1.
    """
    if installments < 1:
        raise InvalidInstallments(f"{installments} instalments per year")
    cost = (forecast_kwh * working_price_gross_ct / HUNDRED + base_price_gross_eur_year).quantize(CENT, ROUND_HALF_UP)
    amount = cost - annual_relief_eur
    if amount < ZERO:
        amount = ZERO_EUR
    # money.round_to, inlined
    if rounding is _EURO_ROUNDING:
        installment = (amount / installments).quantize(EURO, ROUND_HALF_UP) + ZERO_EUR
    else:
        installment = (amount / installments).quantize(CENT, ROUND_HALF_UP)
    return _new_row(
        AdvancePayment,
        (
            forecast_kwh,
            working_price_gross_ct,
            base_price_gross_eur_year,
            annual_relief_eur,
            installments,
            rounding,
            cost,
            amount,
            installment,
        ),
    )


def scale_chosen_installment(
    *,
    chosen_eur: Decimal,
    old_recommended_eur: Decimal,
    new_recommended_eur: Decimal,
    rounding: Rounding = Rounding.EURO,
) -> Decimal:
    """Return a customer's own Abschlag adapted to a price change in the same proportion as the recommended one.

    new Abschlag = chosen × new recommended ÷ old recommended, rounded once at the end like a recommendation: half-up
    to whole euros (**Decision**, DOMAIN.md; ``Rounding.CENT`` rounds to the cent), never below 0 €. Without an old
    recommendation (0 €) there is no proportion to keep: the new recommendation is returned.

    Example: chosen 75 €, recommended 83 € before and 89 € after the change: 75 × 89 ÷ 83 = 80.42 → 80 €.
    """
    if old_recommended_eur <= ZERO:
        return new_recommended_eur
    scaled = chosen_eur * new_recommended_eur / old_recommended_eur
    return round_to(max(scaled, ZERO), rounding)


def reduction_needs_review(*, chosen_installment_eur: Decimal, calculated_installment_eur: Decimal) -> bool:
    """Tell whether a customer's chosen Abschlag needs a reason and review.

    **Decision** (DOMAIN.md): a reduction of more than 20 % below the calculated Abschlag is flagged; exactly 20 %
    is not.
    """
    return chosen_installment_eur < calculated_installment_eur * (1 - MAX_REDUCTION_WITHOUT_REVIEW)


def increase_needs_confirmation(*, chosen_installment_eur: Decimal, calculated_installment_eur: Decimal) -> bool:
    """Tell whether a chosen Abschlag is so far above the calculated one that the customer must confirm it.

    More than 3 × the calculated Abschlag is most likely a typing slip ("1234,50" for "123,45"), and it would be
    debited every month; exactly 3 × is not. Without a calculated amount (0 €) there is nothing to compare with.
    """
    return (
        calculated_installment_eur > ZERO
        and chosen_installment_eur > calculated_installment_eur * MAX_INCREASE_WITHOUT_CONFIRMATION
    )


@dataclass(frozen=True, slots=True)
class ProjectedBalance:
    """The expected balance at year end: expected cost − advances (positive = Nachzahlung, negative = Guthaben)."""

    expected_annual_cost: Decimal
    advances_total: Decimal
    balance_eur: Decimal

    @property
    def kind(self) -> BalanceKind:
        return balance_kind(self.balance_eur)

    @property
    def explanation(self) -> Explanation:
        """Explain the projection in German."""
        cost, advances, balance = self.expected_annual_cost, self.advances_total, self.balance_eur
        formula = f"{format_eur(cost)} − {format_eur(advances)} = {format_eur(balance)}"
        opening = (
            f"Wir erwarten für das Jahr Kosten von {format_eur(self.expected_annual_cost)}. Mit Ihren Abschlägen "
            f"zahlen Sie zusammen {format_eur(self.advances_total)}."
        )
        if self.kind is BalanceKind.ADDITIONAL_PAYMENT:
            closing = f" Am Jahresende müssten Sie voraussichtlich {format_eur(self.balance_eur)} nachzahlen."
        elif self.kind is BalanceKind.CREDIT:
            closing = f" Am Jahresende bekämen Sie voraussichtlich {format_eur(-self.balance_eur)} zurück (Guthaben)."
        else:
            closing = (
                " Das deckt die erwarteten Kosten genau: Sie müssten nichts nachzahlen und bekämen nichts zurück."
            )
        return (Step(text=opening + closing, formula=formula, amount=self.balance_eur),)


def projected_balance(*, expected_annual_cost: Decimal, advances_total: Decimal) -> ProjectedBalance:
    """Return the projected year-end balance for a chosen Abschlag (both amounts gross, in cents)."""
    return ProjectedBalance(
        expected_annual_cost=expected_annual_cost,
        advances_total=advances_total,
        balance_eur=expected_annual_cost - advances_total,
    )
