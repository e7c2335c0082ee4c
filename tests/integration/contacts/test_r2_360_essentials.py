"""What the agent needs during a call on each contract card of the 360° screen (QA round 2, #8): meter number, MaLo-ID,
forecast, bank details, notice terms, whether Abschläge and bills are paid, the announced price change - loaded in a
fixed number of queries however many contracts, bills, Abschläge and notices there are."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import customer360
from contacts.models import PriceChangeNotice, Touchpoint
from customers import selectors
from customers.models import (
    AdvancePaymentChange,
    Bill,
    Contract,
    Customer,
    Installment,
    MeterReading,
    PriceDeferral,
    SepaMandate,
)
from tariffs.models import PriceChange, PriceVersion
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)
IBAN = "DE02120300000000202051"


def card_for(contract: Contract, as_of: date = TODAY) -> customer360.ContractCard:
    data = customer360.get_customer_360(customer=contract.customer, as_of=as_of)
    return next(card for card in data.contract_cards if card.summary.id == contract.pk)


def publish_change(contract: Contract, *, effective: date, working_price: str, base_price: str) -> PriceChange:
    """Publish new net prices for the contract's tariff from ``effective`` on (the old version ends there)."""
    PriceVersion.objects.filter(tariff=contract.tariff, valid_to__isnull=True).update(valid_to=effective)
    version = PriceVersion.objects.create(
        tariff=contract.tariff,
        valid_from=effective,
        working_price_net_ct=Decimal(working_price),
        base_price_net_eur_year=Decimal(base_price),
    )
    return PriceChange.objects.create(
        tariff=contract.tariff,
        price_version=version,
        effective_date=effective,
        reason="Die Beschaffungskosten sind gestiegen.",
        status="PUBLISHED",
        published_at=NOW - timedelta(days=10),
    )


def notify(contract: Contract, change: PriceChange, *, status: str = "SENT", **fields: Any) -> PriceChangeNotice:
    values: dict[str, Any] = {
        "medium": "EMAIL",
        "claimed_at": NOW - timedelta(days=5),
        "sent_at": NOW - timedelta(days=5),
        "effective_date": change.effective_date,
        "old_advance_eur": Decimal("104.00"),
        "new_advance_eur": Decimal("111.00"),
    }
    values.update(fields)
    return PriceChangeNotice.objects.create(contract=contract, price_change=change, status=status, **values)


def add_bill(contract: Contract, *, number: str, issued: date, balance: str) -> Bill:
    start = MeterReading.objects.create(
        contract=contract, read_date=issued - timedelta(days=300), value=Decimal(1000), source="GRID_OPERATOR"
    )
    end = MeterReading.objects.create(
        contract=contract, read_date=issued - timedelta(days=5), value=Decimal(4500), source="GRID_OPERATOR"
    )
    gross = Decimal("1200.00")
    return Bill.objects.create(
        contract=contract,
        number=number,
        kind="ANNUAL",
        period_start=start.read_date,
        period_end=end.read_date,
        start_reading=start,
        end_reading=end,
        consumption_kwh=Decimal(3500),
        net_eur=Decimal("1008.40"),
        vat_eur=gross - Decimal("1008.40"),
        gross_eur=gross,
        advances_eur=gross - Decimal(balance),
        balance_eur=Decimal(balance),
        issued_date=issued,
        due_date=issued + timedelta(days=14),
    )


# --- meter, market location, forecast ------------------------------------------------------------------------------


def test_the_card_shows_meter_number_malo_id_and_forecast() -> None:
    contract = ContractFactory(meter_number="1ESY1160421357", malo_id="41373559241", forecast_kwh=Decimal(2600))

    card = card_for(contract)

    assert (card.meter_number, card.malo_id, card.forecast_kwh) == ("1ESY1160421357", "41373559241", Decimal(2600))


# --- notice period, minimum term, next ordinary cancellation -------------------------------------------------------


def test_a_special_contract_shows_its_notice_period_and_the_next_ordinary_end_of_supply() -> None:
    contract = ContractFactory(notice_period_months=3, minimum_term_end=date(2022, 1, 1))

    card = card_for(contract)

    assert card.notice_period_label == "3 Monate"
    assert card.minimum_term_label == "bis 31.12.2021 (abgelaufen)"
    # received 21.11.2026, three months: supplied through 21.02.2027 (customers.cancellation)
    assert card.ordinary_cancellation_last_day == date(2027, 2, 21)


def test_a_running_minimum_term_postpones_the_next_ordinary_end_of_supply() -> None:
    contract = ContractFactory(notice_period_months=1, minimum_term_end=date(2027, 6, 1))

    card = card_for(contract)

    assert card.notice_period_label == "1 Monat"
    assert card.minimum_term_label == "bis 31.05.2027"
    assert card.ordinary_cancellation_last_day == date(2027, 5, 31)


def test_basic_supply_has_two_weeks_notice_and_no_minimum_term() -> None:
    contract = ContractFactory(is_basic_supply=True, minimum_term_end=date(2027, 6, 1))

    card = card_for(contract)

    assert card.notice_period_label == "2 Wochen (Grundversorgung)"
    assert card.minimum_term_label == "keine"
    assert card.ordinary_cancellation_last_day == date(2026, 12, 5)


def test_a_cancelled_contract_offers_no_ordinary_cancellation_date() -> None:
    contract = ContractFactory(status="CANCELLED", end_date=date(2027, 1, 1), cancelled_at=NOW - timedelta(days=3))

    card = card_for(contract)

    assert card.ordinary_cancellation_last_day is None
    assert card.supply_end == "Lieferung bis 31.12.2026"


# --- bank details ---------------------------------------------------------------------------------------------------


def test_the_card_shows_the_active_mandate_masked_and_its_reference() -> None:
    contract = ContractFactory()
    SepaMandate.objects.create(
        customer=contract.customer,
        reference="SW-OLD-01",
        iban="DE89370400440532013000",
        account_holder="M. Franke",
        signed_at=NOW - timedelta(days=900),
        revoked_at=NOW - timedelta(days=400),
    )
    SepaMandate.objects.create(
        customer=contract.customer,
        reference="SW-NEW-02",
        iban=IBAN,
        account_holder="M. Franke",
        signed_at=NOW - timedelta(days=400),
    )

    card = card_for(contract)

    assert card.bank.has_direct_debit
    assert card.bank.mandate_reference == "SW-NEW-02"
    assert card.bank.masked_iban == "DE02 **** **** **** **20 51"


def test_without_an_active_mandate_the_customer_pays_by_transfer() -> None:
    contract = ContractFactory()
    SepaMandate.objects.create(
        customer=contract.customer,
        reference="SW-OLD-01",
        iban=IBAN,
        account_holder="M. Franke",
        signed_at=NOW - timedelta(days=900),
        revoked_at=NOW - timedelta(days=400),
    )

    card = card_for(contract)

    assert not card.bank.has_direct_debit
    assert card.bank.masked_iban == ""


# --- payments: Abschläge paid or open, the latest bill -------------------------------------------------------------


def test_the_card_counts_unpaid_abschlaege_past_their_due_date() -> None:
    contract = ContractFactory()
    for due, paid in [
        (date(2026, 9, 1), date(2026, 9, 1)),
        (date(2026, 10, 1), None),
        (date(2026, 11, 1), None),
        (date(2026, 12, 1), None),  # not due yet
    ]:
        Installment.objects.create(contract=contract, due_date=due, amount_eur=Decimal("75.00"), paid_at=paid)

    state = card_for(contract).installments

    assert (state.overdue_count, state.overdue_eur, state.oldest_overdue_date) == (
        2,
        Decimal("150.00"),
        date(2026, 10, 1),
    )
    assert state.last_paid_date == date(2026, 9, 1)


def test_paid_abschlaege_show_no_open_amount() -> None:
    contract = ContractFactory()
    Installment.objects.create(
        contract=contract, due_date=date(2026, 11, 1), amount_eur=Decimal("75.00"), paid_at=date(2026, 11, 2)
    )

    state = card_for(contract).installments

    assert (state.overdue_count, state.overdue_eur, state.last_paid_date) == (0, Decimal("0.00"), date(2026, 11, 2))


def test_each_card_shows_the_latest_bill_of_its_own_contract() -> None:
    contract = ContractFactory()
    other = ContractFactory(customer=contract.customer)
    add_bill(contract, number="R2024-1", issued=date(2024, 12, 6), balance="-20.00")
    add_bill(contract, number="R2025-1", issued=date(2025, 12, 5), balance="64.55")
    add_bill(other, number="R2026-2", issued=date(2026, 1, 14), balance="-10.00")

    card = card_for(contract)

    assert card.latest_bill is not None
    assert (card.latest_bill.number, card.latest_bill.balance_eur) == ("R2025-1", Decimal("64.55"))
    assert card.latest_bill.due_date == date(2025, 12, 19)
    assert card_for(other).latest_bill is not None
    assert card_for(other).latest_bill.number == "R2026-2"  # type: ignore[union-attr]


# --- the Abschlag plan ahead ----------------------------------------------------------------------------------------


def test_the_card_lists_later_abschlag_changes_but_not_repeats_or_dates_after_supply_ends() -> None:
    contract = ContractFactory(end_date=date(2027, 4, 1), status="CANCELLED", cancelled_at=NOW)
    for valid_from, amount, source in [
        (date(2026, 1, 1), "75.00", "BILL"),
        (date(2027, 1, 1), "75.00", "AGENT"),  # repeats the amount: changes nothing the customer pays
        (date(2027, 2, 1), "80.00", "PRICE_CHANGE"),
        (date(2027, 5, 1), "90.00", "CALCULATED"),  # after the end of supply: never falls due
    ]:
        AdvancePaymentChange.objects.create(
            contract=contract,
            valid_from=valid_from,
            amount_eur=Decimal(amount),
            recommended_eur=Decimal(amount),
            source=source,
        )

    card = card_for(contract)

    assert card.summary.current_advance_eur == Decimal("75.00")
    assert [(step.valid_from, step.amount_eur, step.source_label) for step in card.upcoming_advances] == [
        (date(2027, 2, 1), Decimal("80.00"), "Preisänderung")
    ]


# --- the announced price change -------------------------------------------------------------------------------------


def test_a_notified_price_change_shows_old_and_new_prices_abschlag_and_the_special_termination_date() -> None:
    contract = ContractFactory()  # 30 ct + 120 € net → 35,70 ct and 142,80 € gross
    change = publish_change(contract, effective=date(2027, 2, 1), working_price="32.0000", base_price="130.00")
    notify(contract, change)

    (announced,) = card_for(contract).price_changes

    assert (announced.planned_date, announced.effective_date, announced.is_late) == (
        date(2027, 2, 1),
        date(2027, 2, 1),
        False,
    )
    assert (announced.old_working_price_gross_ct, announced.new_working_price_gross_ct) == (
        Decimal("35.7000"),
        Decimal("38.0800"),
    )
    assert (announced.old_base_price_gross_eur_year, announced.new_base_price_gross_eur_year) == (
        Decimal("142.80"),
        Decimal("154.70"),
    )
    assert (announced.old_advance_eur, announced.new_advance_eur) == (Decimal("104.00"), Decimal("111.00"))
    assert announced.advance_from == date(2027, 2, 1)
    assert announced.termination_date == date(2027, 2, 1)
    assert (announced.notified_on, announced.medium_label) == (date(2026, 11, 16), "E-Mail")


def test_a_late_notice_shows_its_own_date_and_the_old_prices_until_then() -> None:
    contract = ContractFactory()
    change = publish_change(contract, effective=date(2027, 1, 1), working_price="32.0000", base_price="130.00")
    notify(contract, change, status="LATE", effective_date=date(2027, 1, 15))
    PriceDeferral.objects.create(
        contract=contract, price_change=change, planned_date=date(2027, 1, 1), effective_date=date(2027, 1, 15)
    )

    (announced,) = card_for(contract).price_changes

    assert announced.is_late
    assert (announced.planned_date, announced.effective_date) == (date(2027, 1, 1), date(2027, 1, 15))
    # the contract keeps the old price until its own date (the deferral), so the notice compares with that
    assert (announced.old_working_price_gross_ct, announced.new_working_price_gross_ct) == (
        Decimal("35.7000"),
        Decimal("38.0800"),
    )
    assert announced.termination_date == date(2027, 1, 15)
    assert announced.advance_from == date(2027, 2, 1)


def test_past_and_unsent_price_changes_are_not_announced() -> None:
    contract = ContractFactory()
    past = publish_change(contract, effective=date(2026, 11, 1), working_price="31.0000", base_price="125.00")
    notify(contract, past)
    pending = publish_change(contract, effective=date(2027, 2, 1), working_price="32.0000", base_price="130.00")
    PriceChangeNotice.objects.create(contract=contract, price_change=pending, status="PENDING")

    assert card_for(contract).price_changes == ()


def test_a_cancelled_contract_gets_no_special_termination_date() -> None:
    contract = ContractFactory(status="CANCELLED", end_date=date(2027, 3, 1), cancelled_at=NOW)
    change = publish_change(contract, effective=date(2027, 2, 1), working_price="32.0000", base_price="130.00")
    notify(contract, change)

    (announced,) = card_for(contract).price_changes

    assert announced.termination_date is None
    assert announced.new_working_price_gross_ct == Decimal("38.0800")


# --- a fixed number of queries ---------------------------------------------------------------------------------------


def give_history(customer: Customer, contracts: int) -> None:
    """Give the customer ``contracts`` contracts, each with bills, Abschläge, a plan, notices and touchpoints."""
    SepaMandate.objects.create(
        customer=customer, reference=f"SW-{customer.pk}", iban=IBAN, account_holder="X", signed_at=NOW
    )
    for number in range(contracts):
        contract = ContractFactory(customer=customer)
        change = publish_change(contract, effective=date(2027, 2, 1), working_price="32.0000", base_price="130.00")
        notify(contract, change)
        for year in (2024, 2025):
            add_bill(contract, number=f"R{year}-{contract.pk}", issued=date(year, 12, 5), balance="12.00")
        for month in range(1, 13):
            due = date(2026, month, 1)
            Installment.objects.create(
                contract=contract, due_date=due, amount_eur=Decimal(75), paid_at=due if month < 11 else None
            )
        for valid_from in (date(2026, 1, 1), date(2027, 2, 1)):
            AdvancePaymentChange.objects.create(
                contract=contract, valid_from=valid_from, amount_eur=Decimal(75 + number),
                recommended_eur=Decimal(75), source="CALCULATED",
            )  # fmt: skip
        Touchpoint.objects.create(
            customer=customer, contract=contract, channel="PHONE", direction="IN", topic="BILL",
            outcome="RESOLVED", occurred_at=NOW - timedelta(hours=number + 1),
        )  # fmt: skip


@pytest.mark.parametrize("contracts", [1, 6])
def test_the_360_runs_the_same_queries_for_1_or_6_contracts_with_their_history(
    contracts: int, django_assert_num_queries: Any
) -> None:
    customer = CustomerFactory()
    give_history(customer, contracts)

    # 20 before + bank details, Abschlag plan, Abschläge paid/open, notices, price deferrals (1 each)
    with django_assert_num_queries(25):
        data = customer360.get_customer_360(customer=customer, as_of=TODAY)

    assert len(data.contract_cards) == contracts
    assert all(len(card.price_changes) == 1 for card in data.contract_cards)
    assert all(card.installments.overdue_count == 1 for card in data.contract_cards)


@pytest.mark.parametrize("contracts", [1, 6])
def test_the_call_essentials_run_three_queries_for_1_or_6_contracts(
    contracts: int, django_assert_num_queries: Any
) -> None:
    customer = CustomerFactory()
    give_history(customer, contracts)
    summaries = selectors.get_contract_summaries(customer=customer, as_of=TODAY)

    with django_assert_num_queries(3):  # meter numbers, Abschlag plan, bank details
        essentials = customer360.get_call_essentials(customer=customer, summaries=summaries, as_of=TODAY)

    assert [row.summary.id for row in essentials.contracts] == [summary.id for summary in summaries]
    assert essentials.bank.masked_iban == "DE02 **** **** **** **20 51"
    assert all(row.meter_number.startswith("1ESY") for row in essentials.contracts)
