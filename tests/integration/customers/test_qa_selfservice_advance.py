"""QA findings on the Abschlag: the projection covers the year a new Abschlag applies to (3), a cancelled contract
still supplied accepts a new Abschlag (4), and an amount far above the calculated one must be confirmed (21)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from customers import errors, selectors, services
from customers.models import AdvancePaymentChange, Contract, Installment
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)  # the last month of a billing year 01.12.2025 – 30.11.2026


@pytest.fixture
def contract() -> Contract:
    # 3,500 kWh × 35.70 ct (30 ct net + 19 %) + 142.80 €/year = 1,392.30 € → 116 € a month.
    contract = ContractFactory(start_date=date(2025, 12, 1), forecast_kwh=Decimal(3500))
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2025, 12, 1), amount_eur=Decimal(75), recommended_eur=Decimal(116),
        source="CALCULATED",
    )  # fmt: skip
    for month in range(14):  # 01.12.2025 … 01.01.2027
        due = date(2025 + (11 + month) // 12, (11 + month) % 12 + 1, 1)
        Installment.objects.create(contract=contract, due_date=due, amount_eur=Decimal(75))
    return contract


def cancel(contract: Contract, end_date: date) -> None:
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.CANCELLED, end_date=end_date)
    contract.refresh_from_db()


def project(contract: Contract, amount: str | None) -> selectors.Projection:
    projection = selectors.project_balance(
        contract=contract,
        as_of=TODAY,
        advance_eur=Decimal(amount) if amount is not None else None,
        from_next_due_date=True,
    )
    assert projection is not None
    return projection


def test_in_the_last_month_the_projection_covers_the_next_billing_year_with_the_chosen_amount(
    contract: Contract,
) -> None:
    projection = project(contract, "100")

    assert projection.is_following_year is True
    assert (projection.period_start, projection.last_day) == (date(2026, 12, 1), date(2027, 11, 30))
    assert projection.balance.expected_annual_cost == Decimal("1392.30")
    assert projection.balance.advances_total == Decimal("1200.00")  # 12 due dates × 100 €
    assert projection.balance.balance_eur == Decimal("192.30")


def test_the_chosen_amount_changes_the_projected_balance(contract: Contract) -> None:
    balances = {amount: project(contract, amount).balance.balance_eur for amount in ("0", "50", "116", "200")}

    assert balances == {
        "0": Decimal("1392.30"),
        "50": Decimal("792.30"),
        "116": Decimal("0.30"),  # 1,392.30 € − 12 × 116 €
        "200": Decimal("-1007.70"),
    }


def test_without_an_amount_the_next_year_uses_the_abschlag_due_next(contract: Contract) -> None:
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2026, 12, 1), amount_eur=Decimal(90), recommended_eur=Decimal(116),
        source="CUSTOMER",
    )  # fmt: skip

    projection = project(contract, None)

    assert projection.advance_eur == Decimal(90)
    assert projection.balance.advances_total == Decimal(1080)


def test_mid_year_the_current_billing_year_is_projected(contract: Contract) -> None:
    projection = selectors.project_balance(
        contract=contract, as_of=date(2026, 6, 15), advance_eur=Decimal(100), from_next_due_date=True
    )

    assert projection is not None
    assert projection.is_following_year is False
    assert (projection.period_start, projection.last_day) == (date(2025, 12, 1), date(2026, 11, 30))
    assert projection.balance.advances_total == Decimal(7 * 75 + 5 * 100)  # Dec–Jun due, Jul–Nov to come


def test_after_a_reading_the_current_billing_year_is_still_projected(contract: Contract) -> None:
    projection = selectors.project_balance(contract=contract, as_of=TODAY)

    assert projection is not None
    assert (projection.is_following_year, projection.last_day) == (False, date(2026, 11, 30))


def test_the_next_year_ends_with_the_supply(contract: Contract) -> None:
    cancel(contract, date(2027, 2, 1))

    projection = project(contract, "100")

    assert (projection.period_start, projection.period_end) == (date(2026, 12, 1), date(2027, 2, 1))
    assert projection.balance.advances_total == Decimal(200)  # December and January


@pytest.mark.parametrize("amount", [None, "100"])
def test_the_next_year_runs_as_many_queries_as_the_current_one(
    contract: Contract, django_assert_num_queries: Any, amount: str | None
) -> None:
    # 7 either way: a chosen amount also reads the Abschlag plan now (1 query), for its later entries (QA round 2, 3)
    expected = 7
    with django_assert_num_queries(expected):
        project(contract, amount)
    with django_assert_num_queries(expected):
        selectors.project_balance(
            contract=contract, as_of=date(2026, 6, 15), advance_eur=Decimal(amount) if amount else None
        )


def change(contract: Contract, amount: str, *, confirmed: bool = False) -> AdvancePaymentChange:
    return services.change_advance_payment(
        contract=contract, amount_eur=Decimal(amount), reason="", source="CUSTOMER", today=TODAY, confirmed=confirmed
    )


def test_a_cancelled_contract_still_supplied_takes_a_new_abschlag(contract: Contract) -> None:
    cancel(contract, date(2027, 2, 1))

    result = change(contract, "110")

    assert (result.valid_from, result.amount_eur) == (date(2026, 12, 1), Decimal(110))
    assert Installment.objects.get(contract=contract, due_date=date(2026, 12, 1)).amount_eur == Decimal(110)


def test_a_contract_whose_supply_ends_before_the_next_due_date_says_so(contract: Contract) -> None:
    cancel(contract, date(2026, 12, 1))

    with pytest.raises(errors.NoAbschlagBeforeSupplyEnds, match="Bis zum Lieferende am 30.11.2026 ist kein"):
        change(contract, "110")


def test_a_contract_no_longer_supplied_refuses_a_new_abschlag(contract: Contract) -> None:
    cancel(contract, date(2026, 11, 1))

    with pytest.raises(errors.ContractNotActive):
        change(contract, "110")


def test_an_abschlag_above_three_times_the_calculated_one_needs_confirmation_and_writes_nothing(
    contract: Contract,
) -> None:
    with pytest.raises(errors.AmountNeedsConfirmation) as raised:
        change(contract, "1234.50")

    assert str(raised.value) == (
        "1.234,50\xa0€ im Monat ist mehr als 3-mal so viel wie der berechnete Abschlag von 116,00\xa0€. "
        "Bitte prüfen Sie den Betrag. Wenn er stimmt, bestätigen Sie ihn bitte."
    )
    assert not AdvancePaymentChange.objects.filter(contract=contract, amount_eur=Decimal("1234.50")).exists()


def test_a_confirmed_high_abschlag_and_three_times_the_calculated_one_are_saved(contract: Contract) -> None:
    exactly_three_times = change(contract, "348")
    confirmed = change(contract, "1234.50", confirmed=True)

    assert exactly_three_times.amount_eur == Decimal(348)
    assert confirmed.amount_eur == Decimal("1234.50")
