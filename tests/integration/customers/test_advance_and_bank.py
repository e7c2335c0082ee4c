"""Changing the Abschlag (limits, review flag, open instalments) and the bank account (mandates are kept)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers import errors, services
from customers.models import AdvancePaymentChange, Contract, Installment, SepaMandate
from tests.factories import ContractFactory

TODAY = date(2026, 11, 21)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def contract(db: None) -> Contract:
    # 3,500 kWh × 35.70 ct (30 ct net + 19 %) + 142.80 €/year = 1,392.30 € → 116.025 → 116 € a month.
    return ContractFactory(forecast_kwh=Decimal(3500))


def change(contract: Contract, amount: str, reason: str = "") -> AdvancePaymentChange:
    return services.change_advance_payment(
        contract=contract, amount_eur=Decimal(amount), reason=reason, source="CUSTOMER", today=TODAY
    )


def test_new_abschlag_applies_from_the_next_due_date_to_open_instalments(contract: Contract) -> None:
    paid = Installment.objects.create(
        contract=contract, due_date=date(2026, 11, 1), amount_eur=Decimal(100), paid_at=date(2026, 11, 1)
    )
    upcoming = Installment.objects.create(contract=contract, due_date=date(2026, 12, 1), amount_eur=Decimal(100))

    result = change(contract, "120")

    assert result.valid_from == date(2026, 12, 1)
    assert result.recommended_eur == Decimal("116.00")
    assert result.needs_review is False
    paid.refresh_from_db()
    upcoming.refresh_from_db()
    assert paid.amount_eur == Decimal(100)
    assert upcoming.amount_eur == Decimal(120)


def test_reduction_of_more_than_20_percent_needs_a_reason_and_writes_nothing(contract: Contract) -> None:
    with pytest.raises(errors.ReductionNeedsReason, match="unter 92,80\xa0€ liegt mehr als 20 %"):
        change(contract, "92.79")

    assert not AdvancePaymentChange.objects.filter(contract=contract).exists()


def test_reduction_of_exactly_20_percent_needs_no_reason(contract: Contract) -> None:
    result = change(contract, "92.80")

    assert result.needs_review is False


def test_reduction_with_a_reason_is_accepted_and_flagged_for_review(contract: Contract) -> None:
    result = change(contract, "50", reason="Wir sind jetzt nur noch zu zweit.")

    assert result.needs_review is True
    assert result.reason == "Wir sind jetzt nur noch zu zweit."


def test_ended_contract_refuses_a_new_abschlag(contract: Contract) -> None:
    contract.status = Contract.Status.ENDED
    contract.save(update_fields=["status"])

    with pytest.raises(errors.ContractNotActive):
        change(contract, "120")


def test_new_bank_account_gets_a_new_mandate_and_keeps_the_old_one(contract: Contract) -> None:
    customer = contract.customer
    first = services.change_bank_account(
        customer=customer,
        iban="DE89370400440532013000",
        account_holder="Hildegard M.",
        now=datetime(2026, 1, 5, tzinfo=BERLIN),
    )

    second = services.change_bank_account(
        customer=customer,
        iban="DE02120300000000202051",
        account_holder="Hildegard M.",
        now=datetime(2026, 11, 21, tzinfo=BERLIN),
    )

    first.refresh_from_db()
    assert first.revoked_at == datetime(2026, 11, 21, tzinfo=BERLIN)
    assert first.iban == "DE89370400440532013000"
    assert second.reference != first.reference
    assert SepaMandate.objects.filter(customer=customer, revoked_at__isnull=True).get() == second
