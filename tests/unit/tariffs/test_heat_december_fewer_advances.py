"""The heat December relief 2022 from the contract's Abschläge: 120 % of the September Abschlag, or with fewer than
12 Abschläge a year of the monthly average of the last billing period (DOMAIN.md, December relief 2022)."""

from datetime import date
from decimal import Decimal

import pytest

from tariffs.domain import december

NBSP = "\u00a0"
SINCE_2020 = date(2020, 1, 1)


def monthly(first: date, count: int, amount: str) -> list[tuple[date, Decimal]]:
    """Return ``count`` monthly Abschläge of ``amount`` due on the 1st, from ``first`` on."""
    result = []
    year, month = first.year, first.month
    for _ in range(count):
        result.append((date(year, month, 1), Decimal(amount)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def test_twelve_abschlaege_a_year_give_120_percent_of_the_september_abschlag() -> None:
    # the DOMAIN example: 150 € → 180 €
    relief = december.heat_december_relief_from_installments(
        installments=monthly(date(2021, 12, 1), 12, "150.00"), supplied_from=SINCE_2020, installments_per_year=12
    )

    assert relief.amount_eur == Decimal("180.00")
    assert relief.advances_last_period_eur is None
    assert relief.explanation[0].formula == f"150,00{NBSP}€ × 120{NBSP}% = 180,00{NBSP}€"


def test_the_september_abschlag_counts_even_if_others_differ() -> None:
    installments = monthly(date(2021, 12, 1), 12, "150.00")
    installments[9] = (date(2022, 9, 1), Decimal("160.00"))

    relief = december.heat_december_relief_from_installments(
        installments=installments, supplied_from=SINCE_2020, installments_per_year=12
    )

    assert relief.amount_eur == Decimal("192.00")


def test_quarterly_abschlaege_use_a_twelfth_of_the_last_billing_periods_sum() -> None:
    # Last bill 01.01.2022–30.09.2022 holds 3 × 450 € = 1,350 €; ÷ 12 = 112.50 €; × 120 % = 135.00 €.
    # The November Abschlag (600 €) lies after that period and the one of November 2021 before it: neither counts.
    installments = [
        (date(2021, 11, 15), Decimal("450.00")),
        (date(2022, 2, 15), Decimal("450.00")),
        (date(2022, 5, 15), Decimal("450.00")),
        (date(2022, 8, 15), Decimal("450.00")),
        (date(2022, 11, 15), Decimal("600.00")),
    ]

    relief = december.heat_december_relief_from_installments(
        installments=installments,
        supplied_from=SINCE_2020,
        installments_per_year=4,
        last_bill_period=(date(2022, 1, 1), date(2022, 10, 1)),
    )

    assert relief.advances_last_period_eur == Decimal("1350.00")
    assert relief.amount_eur == Decimal("135.00")
    assert relief.explanation[0].formula == f"1.350,00{NBSP}€ ÷ 12 = 112,50{NBSP}€"
    assert relief.explanation[1].formula == f"112,50{NBSP}€ × 120{NBSP}% = 135,00{NBSP}€"


def test_the_quarterly_explanation_says_why_and_which_period_in_german() -> None:
    installments = [(date(2022, month, 15), Decimal("450.00")) for month in (2, 5, 8, 11)]

    relief = december.heat_december_relief_from_installments(
        installments=installments,
        supplied_from=SINCE_2020,
        installments_per_year=4,
        last_bill_period=(date(2022, 1, 1), date(2022, 10, 1)),
    )

    text = relief.explanation[0].text
    assert "In den 12 Monaten vor Dezember 2022 (Dezember 2021 bis November 2022) waren bei Ihnen 4 Abschläge" in text
    assert (
        "die 3 Abschläge aus Ihrem letzten Abrechnungszeitraum vor Dezember 2022 (01.01.2022 bis 30.09.2022), "
        f"zusammen 1.350,00{NBSP}€, und teilen durch 12." in text
    )
    assert relief.explanation[-1].amount == Decimal("135.00")


def test_without_a_bill_the_12_months_before_december_2022_are_summed() -> None:
    # quarterly since 2020, no bill before December 2022: Feb, May, Aug, Nov 2022 = 4 × 450 € = 1,800 €
    installments = [(date(2021, 11, 15), Decimal("450.00"))] + [
        (date(2022, month, 15), Decimal("450.00")) for month in (2, 5, 8, 11)
    ]

    relief = december.heat_december_relief_from_installments(
        installments=installments, supplied_from=SINCE_2020, installments_per_year=4
    )

    assert relief.advances_last_period_eur == Decimal("1800.00")
    assert relief.amount_eur == Decimal("180.00")
    assert "der 12 Monate davor (01.12.2021 bis 30.11.2022)" in relief.explanation[0].text
    assert "Eine Abrechnung vor Dezember 2022 gibt es für Ihren Vertrag nicht" in relief.explanation[0].text


def test_the_installments_decide_not_the_plans_number_for_a_contract_supplied_all_year() -> None:
    # the plan says 4 a year today, but 12 were due in the year before December 2022: the September rule applies
    relief = december.heat_december_relief_from_installments(
        installments=monthly(date(2021, 12, 1), 12, "150.00"), supplied_from=SINCE_2020, installments_per_year=4
    )

    assert relief.amount_eur == Decimal("180.00")
    assert relief.advances_last_period_eur is None


def test_eleven_abschlaege_in_the_year_count_as_fewer_than_twelve() -> None:
    # 11 × 163.64 € = 1,800.04 €; × 120 % ÷ 12 = 180.004 € → 180.00 €
    relief = december.heat_december_relief_from_installments(
        installments=monthly(date(2022, 1, 1), 11, "163.64"), supplied_from=SINCE_2020, installments_per_year=12
    )

    assert relief.advances_in_year == 11
    assert relief.amount_eur == Decimal("180.00")


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # 1,000.04 € × 120 % ÷ 12 = 100.004 € → 100.00 €; rounding the average first would give 83.34 € × 120 % =
        # 100.008 € → 100.01 €: the amount is rounded once, at the end
        ("500.02", "500.02", "100.00"),
        # 1,000.05 € × 120 % ÷ 12 = 100.005 € → 100.01 € (half-up, not to even)
        ("500.00", "500.05", "100.01"),
    ],
)
def test_the_average_is_rounded_once_at_the_end_half_up(first: str, second: str, expected: str) -> None:
    relief = december.heat_december_relief_from_installments(
        installments=[(date(2022, 3, 1), Decimal(first)), (date(2022, 9, 1), Decimal(second))],
        supplied_from=SINCE_2020,
        installments_per_year=2,
    )

    assert relief.amount_eur == Decimal(expected)


def test_a_contract_that_started_within_the_year_follows_its_abschlagsplan() -> None:
    # started 01.06.2022 paying quarterly (plan: 4 a year), no bill: 2 × 450 € = 900 € ÷ 12 = 75 € × 120 % = 90 €
    quarterly = [(date(2022, 6, 15), Decimal("450.00")), (date(2022, 9, 15), Decimal("450.00"))]

    relief = december.heat_december_relief_from_installments(
        installments=quarterly, supplied_from=date(2022, 6, 1), installments_per_year=4
    )

    assert relief.amount_eur == Decimal("90.00")
    assert "Ihr Abschlagsplan sieht 4 Abschläge (Teilzahlungen) im Jahr vor, nicht 12." in relief.explanation[0].text


def test_a_monthly_payer_that_started_within_the_year_gets_120_percent_of_september() -> None:
    relief = december.heat_december_relief_from_installments(
        installments=monthly(date(2022, 6, 1), 6, "120.00"), supplied_from=date(2022, 6, 1), installments_per_year=12
    )

    assert relief.amount_eur == Decimal("144.00")


def test_no_abschlag_in_the_period_summed_raises_a_named_error() -> None:
    with pytest.raises(december.MissingAdvanceData):
        december.heat_december_relief_from_installments(
            installments=[(date(2021, 12, 15), Decimal("450.00")), (date(2022, 11, 15), Decimal("450.00"))],
            supplied_from=SINCE_2020,
            installments_per_year=2,
            last_bill_period=(date(2022, 1, 1), date(2022, 10, 1)),
        )


def test_a_monthly_payer_without_a_september_abschlag_raises_a_named_error() -> None:
    installments = monthly(date(2021, 12, 1), 12, "150.00")
    installments[9] = (date(2022, 10, 2), Decimal("150.00"))  # September's moved to October: still 12 in the year

    with pytest.raises(december.MissingAdvanceData):
        december.heat_december_relief_from_installments(
            installments=installments, supplied_from=SINCE_2020, installments_per_year=12
        )


def test_a_billing_period_ending_after_december_2022_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end on 2023-01-01"):
        december.heat_december_relief_from_installments(
            installments=[(date(2022, 3, 1), Decimal("450.00"))],
            supplied_from=SINCE_2020,
            installments_per_year=4,
            last_bill_period=(date(2022, 1, 1), date(2023, 1, 1)),
        )
