"""Submitting meter readings: every rejection with its German message and nothing written; flagged outliers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from customers import errors, services
from customers.models import Contract, MeterReading
from tests.factories import ContractFactory, MeterReadingFactory

TODAY = date(2026, 11, 21)


@pytest.fixture
def contract(db: None) -> Contract:
    contract = ContractFactory(start_date=date(2025, 1, 1), forecast_kwh=Decimal(3650))  # 10 kWh a day
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    return contract


def submit(contract: Contract, value: str, read_date: date) -> services.ReadingResult:
    return services.submit_meter_reading(
        contract=contract, value=Decimal(value), read_date=read_date, source="CUSTOMER", today=TODAY
    )


def test_plausible_reading_is_stored_with_consumption_and_projection(contract: Contract) -> None:
    result = submit(contract, "15500", date(2026, 11, 1))

    assert result.reading.pk is not None
    assert result.reading.is_flagged is False
    assert result.consumption_kwh == Decimal(3155)
    assert result.projection is not None


def test_reading_below_the_previous_one_names_that_reading_and_writes_nothing(contract: Contract) -> None:
    with pytest.raises(errors.ReadingBelowPrevious) as refused:
        submit(contract, "12000", date(2026, 11, 1))

    assert str(refused.value).startswith("Der Zählerstand ist niedriger als der letzte (12.345 kWh am 01.01.2026).")
    assert MeterReading.objects.filter(contract=contract).count() == 1


def test_reading_in_the_future_is_refused(contract: Contract) -> None:
    with pytest.raises(errors.ReadingInFuture, match="22.11.2026 liegt in der Zukunft"):
        submit(contract, "15500", date(2026, 11, 22))

    assert MeterReading.objects.filter(contract=contract).count() == 1


def test_reading_before_the_contract_start_is_refused(contract: Contract) -> None:
    with pytest.raises(errors.ReadingBeforeContractStart, match="vor dem Lieferbeginn am 01.01.2025"):
        submit(contract, "100", date(2024, 12, 31))


def test_second_reading_on_the_same_day_is_refused(contract: Contract) -> None:
    submit(contract, "15500", date(2026, 11, 1))

    with pytest.raises(errors.ReadingAlreadyExists, match="Für den 01.11.2026 liegt schon ein Zählerstand vor"):
        submit(contract, "15600", date(2026, 11, 1))
    assert MeterReading.objects.filter(contract=contract).count() == 2


def test_reading_above_a_later_reading_is_refused(contract: Contract) -> None:
    submit(contract, "15500", date(2026, 11, 1))

    with pytest.raises(errors.ReadingAboveNext, match="höher als ein späterer Zählerstand"):
        submit(contract, "16000", date(2026, 6, 1))


def test_consumption_above_three_times_the_forecast_rate_is_accepted_but_flagged(contract: Contract) -> None:
    # 304 days since 01.01.2026 at 10 kWh/day forecast: 3 × 3,040 = 9,120 kWh allowed.
    result = submit(contract, str(12345 + 9121), date(2026, 11, 1))

    assert result.reading.is_flagged is True
    assert "Dreifachen" in result.reading.flag_reason


def test_consumption_exactly_three_times_the_forecast_rate_is_not_flagged(contract: Contract) -> None:
    result = submit(contract, str(12345 + 9120), date(2026, 11, 1))

    assert result.reading.is_flagged is False


def test_gas_meter_readings_in_cubic_metres_are_converted_for_the_plausibility_check(db: None) -> None:
    contract = ContractFactory(
        commodity="gas",
        meter_unit="M3",
        gas_state_factor=Decimal("0.9500"),
        gas_calorific_value=Decimal("11.000"),
        start_date=date(2025, 1, 1),
        forecast_kwh=Decimal(10450),
    )
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(1000))

    result = submit(contract, "1100", date(2026, 2, 1))

    assert result.consumption_kwh == Decimal(1045)  # 100 m³ × 0.95 × 11.0
