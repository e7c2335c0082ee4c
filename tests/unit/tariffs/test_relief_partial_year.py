"""A contract that began or ended during 2023 gets the price-brake relief only for the months it supplied."""

from datetime import date
from decimal import Decimal

from tariffs.domain import relief

ELECTRICITY = next(s for s in relief.DEFAULT_RELIEF_SCHEMES if s.code == "STROM_PBG")
NBSP = "\u00a0"


def full_year(*, base: str = "188.00", april_on: str = "50") -> relief.ReliefSchedule:
    """3,600 kWh quota at 50 ct in March (30.00 € a month, 10 ct above the cap), ``april_on`` ct from April."""
    prices = {date(2023, month, 1): Decimal("50" if month == 3 else april_on) for month in range(3, 13)}
    return relief.relief_schedule(
        scheme=ELECTRICITY,
        quota_kwh_year=Decimal("3600.00"),
        working_price_ct_by_month=prices,
        base_advance_eur=Decimal(base),
    )


def test_a_contract_supplied_all_year_keeps_the_whole_schedule() -> None:
    schedule = full_year()

    supplied = relief.supplied_schedule(schedule, supplied_from=date(2021, 1, 1), supplied_to=date(2024, 1, 1))

    assert supplied is schedule
    assert relief.explain_supply(schedule, supplied_from=date(2021, 1, 1), supplied_to=None) is None


def test_a_contract_that_began_on_1_may_gets_eight_months_each_credited_with_its_own_abschlag() -> None:
    supplied = relief.supplied_schedule(full_year(), supplied_from=date(2023, 5, 1), supplied_to=None)

    assert supplied is not None
    assert supplied.months == tuple(date(2023, month, 1) for month in range(5, 13))
    assert supplied.total_relief_eur == Decimal("240.00")  # 8 × 30.00 €
    assert supplied.credited_eur_by_month == (Decimal("30.00"),) * 8
    assert supplied.advance_eur_by_month == (Decimal("158.00"),) * 8
    assert not relief.is_settled_in_final_bill(supplied)


def test_the_explanation_names_the_start_date_and_the_eight_months() -> None:
    supplied = relief.supplied_schedule(full_year(), supplied_from=date(2023, 5, 1), supplied_to=None)
    assert supplied is not None

    supply = relief.explain_supply(supplied, supplied_from=date(2023, 5, 1), supplied_to=None)
    steps = supplied.explanation

    assert supply is not None
    assert supply.text.startswith("Ihr Vertrag begann am 01.05.2023: Entlastung für 8 Monate (Mai bis Dezember 2023).")
    assert "für 8 Monate (Mai bis Dezember 2023) um einen festen Betrag je Monat" in steps[0].text
    assert not any("zum ersten Mal verrechnet" in step.text for step in steps)
    assert steps[-1].text == f"Insgesamt beträgt Ihre Entlastung 240,00{NBSP}€."
    assert steps[-1].formula == f"8 × 30,00{NBSP}€ = 240,00{NBSP}€"


def test_a_month_counts_only_if_the_contract_supplied_on_its_first_day() -> None:
    supplied = relief.supplied_schedule(full_year(), supplied_from=date(2023, 5, 15), supplied_to=None)

    assert supplied is not None
    assert supplied.months[0] == date(2023, 6, 1)
    assert len(supplied.months) == 7


def test_a_contract_that_began_in_february_gets_february_with_the_march_abschlag_at_marchs_price() -> None:
    # March costs 50 ct, April on 45 ct (15.00 €): February is priced with March's values, as January would be.
    supplied = relief.supplied_schedule(full_year(april_on="45"), supplied_from=date(2023, 2, 1), supplied_to=None)

    assert supplied is not None
    assert supplied.months[:3] == (date(2023, 2, 1), date(2023, 3, 1), date(2023, 4, 1))
    assert supplied.relief_eur_by_month[:3] == (Decimal("30.00"), Decimal("30.00"), Decimal("15.00"))
    assert supplied.credited_eur_by_month[:3] == (Decimal("0.00"), Decimal("60.00"), Decimal("15.00"))
    assert supplied.advance_eur_by_month[:3] == (Decimal("188.00"), Decimal("128.00"), Decimal("173.00"))
    assert supplied.rows[0].priced_as_of == date(2023, 3, 1)
    assert supplied.total_relief_eur == Decimal("195.00")  # 2 × 30.00 € + 9 × 15.00 €


def test_the_february_start_explains_that_march_carried_february_and_march_only() -> None:
    supplied = relief.supplied_schedule(full_year(), supplied_from=date(2023, 2, 1), supplied_to=None)
    assert supplied is not None

    march = next(step for step in supplied.explanation if step.text.startswith("Im März 2023"))

    assert "die für Februar und März zusammen, beide mit den Werten vom März berechnet" in march.text
    assert "Januar" not in march.text
    assert march.formula == f"2 × 30,00{NBSP}€ = 60,00{NBSP}€"


def test_the_catch_up_above_the_abschlag_is_carried_to_the_next_bill() -> None:
    supplied = relief.supplied_schedule(full_year(base="50.00"), supplied_from=date(2023, 2, 1), supplied_to=None)

    assert supplied is not None
    assert (supplied.advance_eur_by_month[1], supplied.carried_eur_by_month[1]) == (Decimal("0.00"), Decimal("10.00"))
    assert supplied.total_carried_eur == Decimal("10.00")


def test_a_contract_that_ended_on_31_august_gets_january_to_august() -> None:
    # end_date is the first day without supply: 2023-09-01 means the last day of supply was 31 August
    supplied = relief.supplied_schedule(full_year(), supplied_from=date(2021, 1, 1), supplied_to=date(2023, 9, 1))
    assert supplied is not None

    supply = relief.explain_supply(supplied, supplied_from=date(2021, 1, 1), supplied_to=date(2023, 9, 1))

    assert supplied.months == tuple(date(2023, month, 1) for month in range(1, 9))
    assert supplied.credited_eur_by_month[2] == Decimal("90.00")  # March still carries January and February
    assert supplied.total_relief_eur == Decimal("240.00")
    assert supply is not None
    assert supply.text.startswith(
        "Ihr Vertrag endete am 31.08.2023 (letzter Liefertag): Entlastung für 8 Monate (Januar bis August 2023)."
    )


def test_a_contract_that_ended_before_march_had_nothing_credited_and_is_settled_in_the_final_bill() -> None:
    supplied = relief.supplied_schedule(full_year(), supplied_from=date(2021, 1, 1), supplied_to=date(2023, 2, 16))
    assert supplied is not None

    final = next(step for step in supplied.explanation if "Schlussrechnung" in step.text)

    assert supplied.months == (date(2023, 1, 1), date(2023, 2, 1))
    assert supplied.relief_eur_by_month == (Decimal("30.00"), Decimal("30.00"))  # priced with March's values
    assert supplied.credited_eur_by_month == (Decimal("0.00"), Decimal("0.00"))
    assert supplied.advance_eur_by_month == (Decimal("188.00"), Decimal("188.00"))
    assert supplied.total_carried_eur == Decimal("0.00")
    assert relief.is_settled_in_final_bill(supplied)
    assert "Ihr Vertrag endete vorher, deshalb wurde keiner Ihrer Abschläge gesenkt" in final.text
    assert final.formula == f"2 × 30,00{NBSP}€ = 60,00{NBSP}€"
    assert not any("zum ersten Mal verrechnet" in step.text for step in supplied.explanation)


def test_a_contract_that_began_and_ended_in_2023_names_both_days() -> None:
    supplied = relief.supplied_schedule(full_year(), supplied_from=date(2023, 5, 1), supplied_to=date(2023, 9, 1))
    assert supplied is not None

    supply = relief.explain_supply(supplied, supplied_from=date(2023, 5, 1), supplied_to=date(2023, 9, 1))

    assert supply is not None
    assert supply.text.startswith(
        "Ihr Vertrag lief vom 01.05.2023 bis zum 31.08.2023: Entlastung für 4 Monate (Mai bis August 2023)."
    )


def test_a_contract_supplied_on_no_first_day_of_2023_gets_no_schedule() -> None:
    assert relief.supplied_schedule(full_year(), supplied_from=date(2023, 6, 2), supplied_to=date(2023, 7, 1)) is None
    assert relief.supplied_schedule(full_year(), supplied_from=date(2023, 12, 2), supplied_to=None) is None


def test_the_supplied_months_are_exactly_the_months_a_bill_over_the_supply_period_takes() -> None:
    schedule = full_year(april_on="45")
    supplied = relief.supplied_schedule(schedule, supplied_from=date(2023, 5, 10), supplied_to=date(2023, 10, 20))
    assert supplied is not None

    billed = schedule.relief_by_month(from_date=date(2023, 5, 10), to_date=date(2023, 10, 20))

    assert supplied.relief_by_month() == billed
    assert supplied.total_relief_eur == sum((amount for _, amount in billed), Decimal("0.00"))
