"""QA findings on customer self-service, without a database: which contracts still accept changes and readings (4),
the German decimal field (21, 23), the phone check (20) and the rounded price in the Abschlag explanation (12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.fields import GermanDecimalField, format_german_number
from customers.forms import ChangeAdvancePayment, SubmitMeterReading
from customers.forms_profile import ContactData
from customers.models import Contract, accepts_advance_change, awaits_reading
from tariffs.domain import advance
from tariffs.domain.prices import explain_annual_cost

CANCELLED, ENDED = Contract.Status.CANCELLED, Contract.Status.ENDED
NEXT_DUE = date(2026, 12, 1)  # seen from 21.11.2026


@pytest.mark.parametrize(
    ("status", "end_date", "expected"),
    [
        (Contract.Status.ACTIVE, None, True),
        (CANCELLED, date(2027, 2, 1), True),  # supplied until 31.01.2027: Abschläge for December and January
        (CANCELLED, date(2026, 12, 2), True),  # the 01.12. Abschlag still falls due while supplied
        (CANCELLED, date(2026, 12, 1), False),  # supply ends before the next due date
        (CANCELLED, date(2026, 11, 21), False),  # moved out today
        (ENDED, None, False),
        (ENDED, date(2027, 2, 1), False),
    ],
)
def test_a_new_abschlag_is_accepted_while_the_contract_is_supplied_on_the_next_due_date(
    status: str, end_date: date | None, expected: bool
) -> None:
    assert accepts_advance_change(status=status, end_date=end_date, next_due_date=NEXT_DUE) is expected


@pytest.mark.parametrize(
    ("status", "end_date", "latest_reading_date", "expected"),
    [
        (CANCELLED, date(2027, 2, 1), date(2026, 1, 1), True),
        (CANCELLED, date(2026, 11, 21), date(2026, 1, 1), True),  # the move-out day's final reading is missing
        (CANCELLED, date(2026, 11, 1), None, True),  # a move reported afterwards still needs its final reading
        (CANCELLED, date(2026, 11, 21), date(2026, 11, 21), False),  # the final reading is in
        (ENDED, date(2026, 11, 1), date(2026, 1, 1), False),
    ],
)
def test_readings_are_accepted_until_the_final_reading_is_in(
    status: str, end_date: date, latest_reading_date: date | None, expected: bool
) -> None:
    assert awaits_reading(status=status, end_date=end_date, latest_reading_date=latest_reading_date) is expected


def test_the_last_supply_day_is_the_day_before_the_end_date() -> None:
    assert Contract(end_date=date(2027, 2, 1)).last_supply_day == date(2027, 1, 31)
    assert Contract(end_date=None).last_supply_day is None


@pytest.mark.parametrize("text", ["1e4", "1E4", "NaN", "nan", "Infinity", "-Infinity", "inf", "1_000", "1,234.5"])
def test_scientific_notation_and_special_values_are_no_number(text: str) -> None:
    form = SubmitMeterReading({"value": text, "read_date": "2026-11-20"})

    assert not form.is_valid()
    assert form.errors["value"] == ["Bitte geben Sie eine Zahl ein, z. B. 1.234,5."]


@pytest.mark.parametrize(
    ("text", "expected"), [("1.234,5", "1234.5"), ("12.5", "12.5"), ("4.500", "4500"), ("9390", "9390"), (",5", "0.5")]
)
def test_german_numbers_still_parse(text: str, expected: str) -> None:
    assert GermanDecimalField().clean(text) == Decimal(expected)


def test_limits_are_shown_german_style_and_each_message_is_a_sentence() -> None:
    form = ChangeAdvancePayment({"amount_eur": "1234567890123", "reason": ""})

    assert not form.is_valid()
    assert form.errors["amount_eur"] == ["Der Wert darf nicht größer als 100.000 sein.", "Diese Zahl ist zu lang."]


@pytest.mark.parametrize(("value", "expected"), [(Decimal(100000), "100.000"), (0, "0"), (Decimal("0.50"), "0,5")])
def test_format_german_number(value: Decimal, expected: str) -> None:
    assert format_german_number(value) == expected


def _phone_errors(phone: str) -> list[str]:
    form = ContactData(
        {"email": "a@example.org", "phone": phone, "street": "Hauptstraße 1", "postal_code": "70173", "city": "X"}
    )
    form.is_valid()
    return list(form.errors.get("phone", []))


def test_a_too_short_phone_number_is_called_too_short() -> None:
    assert _phone_errors("0711") == [
        "Die Telefonnummer ist zu kurz. Bitte geben Sie sie mit Vorwahl ein, zum Beispiel 0711 123456."
    ]


def test_letters_in_a_phone_number_keep_their_own_message() -> None:
    assert _phone_errors("0711 abc")[0].startswith("Bitte geben Sie nur Ziffern, Leerzeichen")


@pytest.mark.parametrize("phone", ["0711 999", "+49 711 987654", "0711/8765432", "(0711) 12-34"])
def test_usual_phone_numbers_are_accepted(phone: str) -> None:
    assert _phone_errors(phone) == []


def test_an_abschlag_above_three_times_the_calculated_one_needs_confirmation_exactly_three_times_does_not() -> None:
    calculated = Decimal("83.00")

    assert advance.increase_needs_confirmation(
        chosen_installment_eur=Decimal("249.01"), calculated_installment_eur=calculated
    )
    assert not advance.increase_needs_confirmation(
        chosen_installment_eur=Decimal("249.00"), calculated_installment_eur=calculated
    )
    assert not advance.increase_needs_confirmation(
        chosen_installment_eur=Decimal("50.00"), calculated_installment_eur=Decimal("0.00")
    )


def _energy_step(forecast_kwh: str, price_ct: str) -> tuple[str, str]:
    price = Decimal(price_ct)
    energy = (Decimal(forecast_kwh) * price / 100).quantize(Decimal("0.01"))
    step = explain_annual_cost(
        forecast_kwh=Decimal(forecast_kwh),
        working_price_gross_ct=price,
        base_price_gross_eur_year=Decimal(0),
        energy_cost_eur=energy,
        total_eur=energy,
    )[0]
    return step.text, step.formula


def test_the_explanation_shows_the_gross_price_with_two_decimals() -> None:
    text, formula = _energy_step("2600", "32.0001")

    assert "beträgt 32,00\xa0ct/kWh brutto" in text
    assert formula == "2.600\xa0kWh × 32,00\xa0ct/kWh = 832,00\xa0€"
    assert "32,0001" not in text + formula


def test_a_rounded_price_that_does_not_multiply_to_the_result_is_called_rounded() -> None:
    text, formula = _energy_step("10000", "32.0049")

    assert "beträgt gerundet 32,00\xa0ct/kWh brutto" in text
    assert "mit dem genauen Preis 3.200,49\xa0€" in text
    assert formula == "10.000\xa0kWh × 32,00\xa0ct/kWh ≈ 3.200,49\xa0€"
