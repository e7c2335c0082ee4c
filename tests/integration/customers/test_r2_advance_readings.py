"""QA round 2, customers 2 and 18: an implausible reading is saved only once the customer confirms it, a flagged one
does not feed projections or the consumption by year, the customer can correct their own reading of the day, and a
partial year says so."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers import errors, selectors, services
from customers.models import Contract, MeterReading
from tests.factories import ContractFactory, MeterReadingFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)


@pytest.fixture
def contract() -> Contract:
    # 3.500 kWh a year: 9,6 kWh a day; 19 days since the last reading allow 3 × 182 = 547 kWh before a flag.
    contract = ContractFactory(start_date=date(2025, 12, 1), forecast_kwh=Decimal(3500))
    MeterReadingFactory(contract=contract, read_date=date(2025, 12, 1), value=Decimal(10000))
    MeterReadingFactory(contract=contract, read_date=date(2026, 11, 2), value=Decimal(13200))
    return contract


def submit(contract: Contract, value: str, **kwargs: object) -> services.ReadingResult:
    options: dict[str, object] = {
        "read_date": TODAY,
        "source": "CUSTOMER",
        "today": TODAY,
        "created_by": contract.customer.user,
        "ask_if_implausible": True,
        **kwargs,
    }
    return services.submit_meter_reading(contract=contract, value=Decimal(value), **options)  # type: ignore[arg-type]


def test_an_implausible_reading_is_not_saved_until_confirmed(contract: Contract) -> None:
    with pytest.raises(errors.ReadingLooksImplausible, match="Stimmt dieser Stand?") as refused:
        submit(contract, "132000")  # one digit too many

    assert "seit dem 02.11.2026 118.800 kWh verbraucht" in str(refused.value)
    assert not contract.readings.filter(read_date=TODAY).exists()


def test_a_plausible_reading_is_saved_without_asking(contract: Contract) -> None:
    result = submit(contract, "13380")

    assert result.reading.is_flagged is False


def test_a_confirmed_implausible_reading_is_saved_flagged_and_left_out_of_the_projection(contract: Contract) -> None:
    before = selectors.project_balance(contract=contract, as_of=TODAY)

    result = submit(contract, "132000", ask_if_implausible=False)

    assert result.reading.is_flagged is True
    assert before is not None and result.projection is not None
    assert result.projection.expected_kwh == before.expected_kwh
    assert result.projection.balance == before.balance
    assert result.projection.flagged_readings_left_out == 1


def test_agents_still_save_an_implausible_reading_flagged_without_being_asked(contract: Contract) -> None:
    result = services.submit_meter_reading(
        contract=contract, value=Decimal(132000), read_date=TODAY, source="AGENT", today=TODAY
    )

    assert result.reading.is_flagged is True


def test_the_summary_marks_a_flagged_latest_reading(contract: Contract) -> None:
    submit(contract, "132000", ask_if_implausible=False)

    (summary,) = selectors.get_contract_summaries(customer=contract.customer, as_of=TODAY)

    assert (summary.latest_reading_value, summary.latest_reading_is_flagged) == (Decimal(132000), True)


def test_the_customer_is_asked_before_their_own_reading_of_the_day_is_replaced(contract: Contract) -> None:
    submit(contract, "132000", ask_if_implausible=False)

    with pytest.raises(errors.ReadingCanBeReplaced, match=r"schon 132\.000 kWh gemeldet.*durch 13\.380 kWh"):
        submit(contract, "13380")

    assert contract.readings.get(read_date=TODAY).value == Decimal(132000)


def test_the_customer_replaces_their_own_reading_of_the_day(contract: Contract) -> None:
    submit(contract, "132000", ask_if_implausible=False)

    result = submit(contract, "13380", replace_own=True)

    reading = contract.readings.get(read_date=TODAY)
    assert (reading.pk, reading.value, reading.is_flagged, reading.flag_reason) == (
        result.reading.pk,
        Decimal(13380),
        False,
        "",
    )
    assert result.replaced_value == Decimal(132000)
    assert contract.readings.count() == 3


def test_a_flagged_own_reading_can_be_corrected_on_a_later_day(contract: Contract) -> None:
    flagged = submit(
        contract, "132000", read_date=date(2026, 11, 20), today=date(2026, 11, 20), ask_if_implausible=False
    )

    result = submit(contract, "13370", read_date=date(2026, 11, 20), replace_own=True)

    assert result.reading.pk == flagged.reading.pk
    assert result.reading.value == Decimal(13370)


def test_an_unflagged_reading_of_an_earlier_day_is_not_replaced(contract: Contract) -> None:
    submit(contract, "13370", read_date=date(2026, 11, 20), today=date(2026, 11, 20))
    MeterReading.objects.filter(contract=contract, read_date=date(2026, 11, 20)).update(
        created_at=datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    )

    with pytest.raises(errors.ReadingAlreadyExists, match="sagen Sie bitte unserem Kundenservice Bescheid"):
        submit(contract, "13380", read_date=date(2026, 11, 20), replace_own=True)


@pytest.mark.parametrize("who", ["agent", "other login", "grid operator"])
def test_only_the_customers_own_portal_reading_can_be_replaced(contract: Contract, who: str) -> None:
    if who == "agent":
        services.submit_meter_reading(
            contract=contract, value=Decimal(13370), read_date=TODAY, source="AGENT", today=TODAY
        )
    elif who == "other login":
        submit(contract, "13370", created_by=UserFactory())
    else:
        MeterReadingFactory(contract=contract, read_date=TODAY, value=Decimal(13370))

    with pytest.raises(errors.ReadingAlreadyExists):
        submit(contract, "13380", replace_own=True)


def test_a_lower_reading_after_a_flagged_own_one_says_how_to_correct_it(contract: Contract) -> None:
    submit(contract, "132000", read_date=date(2026, 11, 20), today=date(2026, 11, 20), ask_if_implausible=False)

    with pytest.raises(errors.ReadingBelowPrevious, match="Geben Sie als Ablesedatum den 20.11.2026 an"):
        submit(contract, "13380")


def test_consumption_by_year_leaves_flagged_readings_out_and_marks_partial_years(contract: Contract) -> None:
    submit(contract, "132000", ask_if_implausible=False)
    contract.refresh_from_db()

    rows = selectors.consumption_by_year(readings=list(contract.readings.all()), contract=contract)

    assert [(row.label, row.kwh, row.kwh_per_day) for row in rows] == [
        ("2025 (ab 01.12.)", Decimal(295), Decimal("9.5")),  # 3.200 kWh in 336 days: 31 of them in 2025
        ("2026 (bis 02.11.)", Decimal(2905), Decimal("9.5")),  # 305 days
    ]


def test_a_whole_year_has_no_note() -> None:
    row = selectors.YearConsumption(year=2023, kwh=Decimal(2513), first_day=date(2023, 1, 1), until=date(2024, 1, 1))

    assert (row.label, row.is_partial, row.days, row.kwh_per_day) == ("2023", False, 365, Decimal("6.9"))


def test_a_year_covered_in_the_middle_shows_both_days() -> None:
    row = selectors.YearConsumption(year=2022, kwh=Decimal(800), first_day=date(2022, 3, 1), until=date(2022, 7, 1))

    assert row.label == "2022 (01.03.–01.07.)"
