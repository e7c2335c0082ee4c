"""The customer 360° screen: everything an agent needs during a call, on one page, in a fixed number of queries.

The timeline merges the touchpoints with what the customer did in the portal (readings, Abschlag changes,
cancellations, consents; the same actions entered by an agent show too). One UNION query picks the page, newest
first; the rows of that page are then loaded per source within the page's time span, so the count stays the same
whether a customer has one touchpoint or thousands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum, Value
from django.utils import timezone

from contacts.models import CallTask, Consent, Interest, PriceChangeNotice, Touchpoint
from customers import move, relief, selectors
from customers.cancellation import earliest_end_date, last_supply_day
from customers.models import (
    AdvancePaymentChange,
    Bill,
    CancellationRequest,
    Contract,
    Customer,
    Installment,
    MeterReading,
    SepaMandate,
)
from tariffs import selectors as tariff_selectors
from tariffs.domain.explanation import Explanation
from tariffs.domain.formatting import format_date, format_eur, format_number

TIMELINE_PER_PAGE = 25
READINGS_SHOWN = 12
PORTAL_SOURCES = (MeterReading.Source.CUSTOMER, MeterReading.Source.AGENT)
ADVANCE_SOURCES = (AdvancePaymentChange.Source.CUSTOMER, AdvancePaymentChange.Source.AGENT)


class Kind:
    """What a timeline entry is (the UNION's discriminator column)."""

    TOUCHPOINT = "touchpoint"
    READING = "reading"
    ADVANCE = "advance"
    CANCELLATION = "cancellation"
    CONTRACT_CANCELLED = "contract_cancelled"
    CONSENT_GRANTED = "consent_granted"
    CONSENT_WITHDRAWN = "consent_withdrawn"


@dataclass(frozen=True, slots=True)
class CustomerCard:
    id: int
    customer_number: str
    name: str
    address: str
    email: str
    phone: str
    customer_group_label: str
    is_vulnerable: bool
    has_login: bool


@dataclass(frozen=True, slots=True)
class BankDetails:
    """How the customer pays: by direct debit under the active SEPA mandate, else by bank transfer.

    Only the masked IBAN leaves this module: agents read out no more than its last four digits.
    """

    masked_iban: str = ""
    mandate_reference: str = ""

    @property
    def has_direct_debit(self) -> bool:
        return bool(self.mandate_reference)


@dataclass(frozen=True, slots=True)
class AdvanceStep:
    """A later entry of the Abschlag plan: the amount due from ``valid_from`` on, and why it changes."""

    valid_from: date
    amount_eur: Decimal
    source_label: str


@dataclass(frozen=True, slots=True)
class InstallmentState:
    """Whether the Abschläge are paid (``Installment.paid_at``): the unpaid ones past their due date, the last
    payment."""

    overdue_count: int
    overdue_eur: Decimal
    oldest_overdue_date: date | None
    last_paid_date: date | None


@dataclass(frozen=True, slots=True)
class AnnouncedPriceChange:
    """A price change the customer has been notified of (a SENT or LATE PriceChangeNotice) that is still ahead."""

    planned_date: date  # the tariff's date
    effective_date: date  # for this contract: later than planned when the notice was LATE
    notified_on: date | None
    medium_label: str
    old_working_price_gross_ct: Decimal | None
    new_working_price_gross_ct: Decimal | None
    old_base_price_gross_eur_year: Decimal | None
    new_base_price_gross_eur_year: Decimal | None
    old_advance_eur: Decimal | None
    new_advance_eur: Decimal | None
    advance_from: date  # the first due date at the new prices
    termination_date: date | None  # special termination right (the day the change takes effect); None if not active

    @property
    def is_late(self) -> bool:
        return self.effective_date > self.planned_date


@dataclass(frozen=True, slots=True)
class ContractCard:
    """A contract on the 360° screen: what „Mein Konto“ shows, what the agent checks during a call, and what the
    agent can still do for it today."""

    summary: selectors.ContractSummary
    status_label: str
    supply_end: str  # "Lieferung bis 20.11.2026 (Auszug 21.11.2026)"; empty while no end is set
    is_supplied: bool
    can_change_advance: bool  # while an Abschlag falls due before supply ends, also when cancelled or moving out
    can_cancel: bool
    meter_number: str
    malo_id: str
    forecast_kwh: Decimal
    notice_period_label: str  # "1 Monat", "2 Wochen (Grundversorgung)"
    minimum_term_label: str  # "bis 30.11.2022 (abgelaufen)", "keine"
    ordinary_cancellation_last_day: date | None  # last day of supply if cancelled today; None unless active
    upcoming_advances: tuple[AdvanceStep, ...]  # later plan entries (each changes the amount), before supply ends
    installments: InstallmentState
    latest_bill: BillRow | None
    price_changes: tuple[AnnouncedPriceChange, ...]
    bank: BankDetails  # the customer's, the same on every card


@dataclass(frozen=True, slots=True)
class BillRow:
    id: int
    number: str
    kind_label: str
    contract_number: str
    period_start: date
    period_last_day: date
    gross_eur: Decimal
    relief_eur: Decimal
    balance_eur: Decimal
    issued_date: date
    due_date: date

    @property
    def is_additional_payment(self) -> bool:
        return self.balance_eur > 0

    @property
    def balance_abs_eur(self) -> Decimal:
        return abs(self.balance_eur)


@dataclass(frozen=True, slots=True)
class ReadingRow:
    contract_number: str
    read_date: date
    value: Decimal
    unit: str
    source_label: str
    is_flagged: bool
    flag_reason: str


@dataclass(frozen=True, slots=True)
class ReliefCard:
    """The relief explanation the customer sees on „Meine Entlastung“, to read aloud."""

    contract_number: str
    commodity_label: str
    scheme_name: str
    total_2023_eur: Decimal
    monthly_eur: Decimal | None
    quota_kwh_year: Decimal | None
    explanation: Explanation
    december_eur: Decimal | None
    december_explanation: Explanation
    reason_none: str


@dataclass(frozen=True, slots=True)
class ConsentRow:
    channel: str
    purpose: str
    channel_label: str
    purpose_label: str
    status_label: str
    is_in_force: bool
    is_open: bool  # not withdrawn (an unconfirmed e-mail consent is open but not yet in force)
    granted_at: datetime
    source_label: str
    withdrawn_at: datetime | None
    withdrawal_source_label: str
    wording: str


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: int
    kind_label: str
    topic_label: str
    due_at: datetime
    status_label: str
    assignee_name: str
    note: str


@dataclass(frozen=True, slots=True)
class InterestRow:
    kind: str
    kind_label: str
    noted_at: datetime


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    kind: str
    at: datetime
    title: str
    detail: str
    actor: str
    labels: tuple[str, ...]
    is_customer_action: bool


@dataclass(frozen=True, slots=True)
class TimelinePage:
    entries: tuple[TimelineEntry, ...]
    number: int
    num_pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


@dataclass(frozen=True, slots=True)
class Customer360:
    customer: CustomerCard
    bank: BankDetails
    contracts: list[selectors.ContractSummary]
    contract_cards: tuple[ContractCard, ...]  # the same contracts in the same order, for the "Verträge" panel
    bills: tuple[BillRow, ...]
    readings: tuple[ReadingRow, ...]
    relief: tuple[ReliefCard, ...]
    consents: tuple[ConsentRow, ...]
    open_tasks: tuple[TaskRow, ...]
    interests: tuple[InterestRow, ...]
    timeline: TimelinePage

    @property
    def flagged_readings(self) -> int:
        return sum(1 for reading in self.readings if reading.is_flagged)


def get_customer_360(*, customer: Customer, as_of: date, page: int = 1) -> Customer360:
    """Return everything the 360° screen shows (25 queries, whatever the number of contracts, touchpoints, bills or
    readings; 19 when the timeline is empty, 1 less without contracts). ``page`` is the timeline page; out-of-range
    pages show the nearest one."""
    summaries = selectors.get_contract_summaries(customer=customer, as_of=as_of)  # 4 queries
    contracts = list(customer.contracts.select_related("tariff").order_by("start_date", "id"))  # 1
    consents = list(Consent.objects.filter(customer=customer).order_by("-granted_at", "-id"))  # 1
    # price histories, VAT periods and the contracts' price deferrals (3): for the relief and the announced changes
    pricing = selectors.get_pricing_data(
        tariff_ids={contract.tariff_id for contract in contracts}, contract_ids=[contract.pk for contract in contracts]
    )
    bills = _bills(customer)  # 1
    bank = get_bank_details(customer=customer)  # 1
    return Customer360(
        customer=_card(customer),
        bank=bank,
        contracts=summaries,
        contract_cards=_contract_cards(
            summaries,
            contracts,
            as_of=as_of,
            bank=bank,
            bills=bills,
            advance_plans=get_upcoming_advances(customer=customer, as_of=as_of),  # 1
            installments=_installment_states(customer, as_of=as_of),  # 1
            price_changes=_announced_price_changes(customer, contracts, pricing=pricing, as_of=as_of),  # 1
        ),
        bills=bills,
        readings=_readings(customer),  # 1
        relief=_relief(customer, contracts, pricing=pricing),  # 2
        consents=tuple(_consent_row(consent) for consent in _consents_in_force_first(consents)),
        open_tasks=_open_tasks(customer),  # 1
        interests=tuple(
            InterestRow(kind=interest.kind, kind_label=interest.get_kind_display(), noted_at=interest.noted_at)
            for interest in Interest.objects.filter(customer=customer).order_by("kind", "id")  # 1
        ),
        timeline=get_timeline(customer=customer, page=page, contracts=contracts, consents=consents),  # 6
    )


def _card(customer: Customer) -> CustomerCard:
    return CustomerCard(
        id=customer.pk,
        customer_number=customer.customer_number,
        name=customer.name,
        address=f"{customer.street}, {customer.postal_code} {customer.city}",
        email=customer.email,
        phone=customer.phone,
        customer_group_label=customer.get_customer_group_display(),
        is_vulnerable=customer.is_vulnerable,
        has_login=customer.user_id is not None,
    )


def describe_supply_end(*, end_date: date | None, is_move: bool) -> str:
    """Return the end of supply as agents and customers should read it, e.g. "Lieferung bis 20.11.2026".

    ``end_date`` is half-open, the first day without supply; a move-out date is that day (customers.move), so a move
    names both: "Lieferung bis 20.11.2026 (Auszug 21.11.2026)". Empty without an end date.
    """
    last_day = last_supply_day(end_date)
    if end_date is None or last_day is None:
        return ""
    text = f"Lieferung bis {format_date(last_day)}"
    return f"{text} (Auszug {format_date(end_date)})" if is_move else text


def _is_move(contract: Contract) -> bool:
    return contract.cancellation_kind == move.CANCELLATION_KIND_MOVE


def _contract_cards(
    summaries: list[selectors.ContractSummary],
    contracts: list[Contract],
    *,
    as_of: date,
    bank: BankDetails,
    bills: tuple[BillRow, ...],
    advance_plans: dict[int, tuple[AdvanceStep, ...]],
    installments: dict[int, InstallmentState],
    price_changes: dict[int, tuple[AnnouncedPriceChange, ...]],
) -> tuple[ContractCard, ...]:
    by_id = {contract.pk: contract for contract in contracts}
    latest_bills: dict[str, BillRow] = {}
    for bill in bills:  # newest first
        latest_bills.setdefault(bill.contract_number, bill)
    cards = []
    for summary in summaries:
        contract = by_id[summary.id]
        is_move = _is_move(contract)
        next_due = selectors.next_due_date(contract=contract, as_of=as_of)
        cards.append(
            ContractCard(
                summary=summary,
                status_label="Auszug gemeldet" if is_move and contract.is_cancelled else summary.status_label,
                supply_end=describe_supply_end(end_date=contract.end_date, is_move=is_move),
                is_supplied=contract.is_supplied_on(as_of),
                # the rule of services.change_advance_payment, so the button is offered only where it can work
                can_change_advance=contract.accepts_advance_change(next_due_date=next_due),
                can_cancel=contract.is_active,
                meter_number=contract.meter_number,
                malo_id=contract.malo_id,
                forecast_kwh=contract.forecast_kwh,
                notice_period_label=describe_notice_period(contract),
                minimum_term_label=describe_minimum_term(contract, as_of=as_of),
                ordinary_cancellation_last_day=ordinary_cancellation_last_day(contract, as_of=as_of),
                upcoming_advances=advance_plans.get(contract.pk, ()),
                installments=installments.get(contract.pk, NO_INSTALLMENTS),
                latest_bill=latest_bills.get(contract.contract_number),
                price_changes=price_changes.get(contract.pk, ()),
                bank=bank,
            )
        )
    return tuple(cards)


# --- what the agent checks during a call: bank details, Abschlag plan, payments, notice, announced price changes ----

NO_INSTALLMENTS = InstallmentState(
    overdue_count=0, overdue_eur=Decimal("0.00"), oldest_overdue_date=None, last_paid_date=None
)


def get_bank_details(*, customer: Customer) -> BankDetails:
    """Return the customer's active SEPA mandate as agents may see it, or no direct debit (1 query)."""
    mandate = (
        SepaMandate.objects.filter(customer=customer, revoked_at__isnull=True).order_by("-signed_at", "-id").first()
    )
    if mandate is None:
        return BankDetails()
    return BankDetails(masked_iban=mandate.masked_iban, mandate_reference=mandate.reference)


def get_upcoming_advances(*, customer: Customer, as_of: date) -> dict[int, tuple[AdvanceStep, ...]]:
    """Return, per contract, the Abschlag plan's entries after ``as_of`` that change the amount and fall due before
    supply ends, e.g. the new Abschlag of an announced price change (1 query for all contracts).

    The plan's rule as on the contract page (customers.selectors): per due date the entry entered last wins, and an
    entry repeating the amount before it changes nothing the customer pays.
    """
    changes: dict[int, list[AdvancePaymentChange]] = {}
    ends: dict[int, date | None] = {}
    for change in (
        AdvancePaymentChange.objects.filter(contract__customer=customer)
        .select_related("contract")
        .order_by("contract_id", "valid_from", "id")
    ):
        changes.setdefault(change.contract_id, []).append(change)
        ends[change.contract_id] = change.contract.end_date
    plans = {}
    for contract_id, plan in changes.items():
        end = ends[contract_id]
        plans[contract_id] = tuple(
            AdvanceStep(valid_from=step.valid_from, amount_eur=step.amount_eur, source_label=step.source_label)
            for step in selectors.plan_steps(plan, after=as_of)
            if (end is None or step.valid_from < end)
            and step.amount_eur != selectors.amount_in_force(plan, day=step.valid_from - timedelta(days=1))
        )
    return plans


def _installment_states(customer: Customer, *, as_of: date) -> dict[int, InstallmentState]:
    """Return per contract the Abschläge past their due date and still unpaid, and the last payment (1 query)."""
    overdue = Q(paid_at__isnull=True, due_date__lt=as_of)
    rows = (
        Installment.objects.filter(contract__customer=customer)
        .order_by()
        .values("contract_id")
        .annotate(
            overdue_count=Count("id", filter=overdue),
            overdue_eur=Sum("amount_eur", filter=overdue),
            oldest_overdue_date=Min("due_date", filter=overdue),
            last_paid_date=Max("paid_at"),
        )
    )
    return {
        row["contract_id"]: InstallmentState(
            overdue_count=row["overdue_count"],
            overdue_eur=row["overdue_eur"] or Decimal("0.00"),
            oldest_overdue_date=row["oldest_overdue_date"],
            last_paid_date=row["last_paid_date"],
        )
        for row in rows
    }


def _first_of_month_on_or_after(day: date) -> date:
    if day.day == 1:
        return day
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _announced_price_changes(
    customer: Customer, contracts: list[Contract], *, pricing: selectors.PricingData, as_of: date
) -> dict[int, tuple[AnnouncedPriceChange, ...]]:
    """Return per contract the price changes its customer was notified of that take effect today or later, with old
    and new gross prices as the notice stated them (1 query; ``pricing`` must carry the contracts' deferrals).

    A LATE notice moved the change for this contract: its own ``effective_date`` counts, for the prices, the Abschlag
    and the special termination right alike (contacts.notices).
    """
    by_id = {contract.pk: contract for contract in contracts}
    notices = (
        PriceChangeNotice.objects.filter(
            contract__customer=customer,
            status__in=(PriceChangeNotice.Status.SENT, PriceChangeNotice.Status.LATE),
        )
        .filter(Q(effective_date__gte=as_of) | Q(effective_date__isnull=True, price_change__effective_date__gte=as_of))
        .select_related("price_change")
        .order_by("contract_id", "price_change__effective_date", "id")
    )
    announced: dict[int, list[AnnouncedPriceChange]] = {}
    for notice in notices:
        contract = by_id.get(notice.contract_id)
        if contract is None:
            continue
        planned = notice.price_change.effective_date
        effective = notice.effective_date or planned
        old = pricing.contract_gross_on(contract, effective - timedelta(days=1))
        new = pricing.contract_gross_on(contract, effective)
        announced.setdefault(contract.pk, []).append(
            AnnouncedPriceChange(
                planned_date=planned,
                effective_date=effective,
                notified_on=timezone.localdate(notice.sent_at) if notice.sent_at else None,
                medium_label=notice.get_medium_display() if notice.medium else "",
                old_working_price_gross_ct=old.working_price_ct if old else None,
                new_working_price_gross_ct=new.working_price_ct if new else None,
                old_base_price_gross_eur_year=old.base_price_eur_year if old else None,
                new_base_price_gross_eur_year=new.base_price_eur_year if new else None,
                old_advance_eur=notice.old_advance_eur,
                new_advance_eur=notice.new_advance_eur,
                advance_from=_first_of_month_on_or_after(effective),
                termination_date=effective if contract.is_active else None,
            )
        )
    return {contract_id: tuple(rows) for contract_id, rows in announced.items()}


def describe_notice_period(contract: Contract) -> str:
    """Return the notice period of an ordinary cancellation (customers.cancellation), e.g. "1 Monat"."""
    if contract.is_basic_supply:
        return "2 Wochen (Grundversorgung)"
    months = contract.notice_period_months
    return f"{months} Monat" if months == 1 else f"{months} Monate"


def describe_minimum_term(contract: Contract, *, as_of: date) -> str:
    """Return the minimum term by its last day (``minimum_term_end`` is the first day the contract may end)."""
    if contract.is_basic_supply or contract.minimum_term_end is None:
        return "keine"
    last_day = contract.minimum_term_end - timedelta(days=1)
    return f"bis {format_date(last_day)}" + (" (abgelaufen)" if last_day < as_of else "")


def ordinary_cancellation_last_day(contract: Contract, *, as_of: date) -> date | None:
    """Return the last day of supply if the customer cancels ordinarily today (the rule the cancellation uses), or
    None when the contract is not active (already cancelled or ended)."""
    if not contract.is_active:
        return None
    return last_supply_day(
        earliest_end_date(
            received_on=as_of,
            is_basic_supply=contract.is_basic_supply,
            notice_period_months=contract.notice_period_months,
            minimum_term_end=contract.minimum_term_end,
        )
    )


@dataclass(frozen=True, slots=True)
class ContractEssentials:
    """A contract on the call queue's work page, with what the call guide tells the agent to check."""

    summary: selectors.ContractSummary
    meter_number: str
    upcoming_advances: tuple[AdvanceStep, ...]


@dataclass(frozen=True, slots=True)
class CallEssentials:
    bank: BankDetails
    contracts: tuple[ContractEssentials, ...]  # in the order of the summaries given


def get_call_essentials(
    *, customer: Customer, summaries: list[selectors.ContractSummary], as_of: date
) -> CallEssentials:
    """Return the data the call guide asks the agent to check besides the summaries: meter number, the Abschlag plan
    ahead and the bank details with the masked IBAN (3 queries, whatever the number of contracts)."""
    meter_numbers = dict(Contract.objects.filter(customer=customer).values_list("pk", "meter_number"))
    plans = get_upcoming_advances(customer=customer, as_of=as_of)
    return CallEssentials(
        bank=get_bank_details(customer=customer),
        contracts=tuple(
            ContractEssentials(
                summary=summary,
                meter_number=meter_numbers.get(summary.id, ""),
                upcoming_advances=plans.get(summary.id, ()),
            )
            for summary in summaries
        ),
    )


def _bills(customer: Customer) -> tuple[BillRow, ...]:
    bills = Bill.objects.filter(contract__customer=customer).select_related("contract").order_by("-issued_date", "-id")
    return tuple(
        BillRow(
            id=bill.pk,
            number=bill.number,
            kind_label=bill.get_kind_display(),
            contract_number=bill.contract.contract_number,
            period_start=bill.period_start,
            period_last_day=bill.period_end - timedelta(days=1),  # periods are half-open
            gross_eur=bill.gross_eur,
            relief_eur=bill.relief_eur,
            balance_eur=bill.balance_eur,
            issued_date=bill.issued_date,
            due_date=bill.due_date,
        )
        for bill in bills
    )


def _readings(customer: Customer) -> tuple[ReadingRow, ...]:
    """Return the flagged readings first (they need a look), then the latest ones; at most READINGS_SHOWN."""
    readings = (
        MeterReading.objects.filter(contract__customer=customer)
        .select_related("contract")
        .order_by("-is_flagged", "-read_date", "-id")[:READINGS_SHOWN]
    )
    return tuple(
        ReadingRow(
            contract_number=reading.contract.contract_number,
            read_date=reading.read_date,
            value=reading.value,
            unit=reading.contract.get_meter_unit_display(),
            source_label=reading.get_source_display(),
            is_flagged=reading.is_flagged,
            flag_reason=reading.flag_reason,
        )
        for reading in readings
    )


def _relief(
    customer: Customer, contracts: list[Contract], *, pricing: selectors.PricingData
) -> tuple[ReliefCard, ...]:
    """Compute each contract's relief as „Meine Entlastung“ shows it (2 queries for all contracts, besides the
    ``pricing`` the caller loaded)."""
    schemes = tariff_selectors.get_price_brake_schemes()  # 1
    advances = relief.load_advances(customer=customer)  # 1
    cards = []
    for contract in contracts:
        contract_relief = relief.get_contract_relief(
            contract=contract, pricing=pricing, schemes=schemes, advances=advances.get(contract.pk)
        )
        schedule = contract_relief.schedule
        monthly = None
        if schedule is not None:
            first_payment = schedule.scheme.first_payment_month
            monthly = next((row.relief_eur for row in schedule.rows if row.month > first_payment), None)
        december: Explanation = ()
        if contract_relief.december_gas is not None:
            december = contract_relief.december_gas.explanation
        elif contract_relief.december_heat is not None:
            december = contract_relief.december_heat.explanation
        cards.append(
            ReliefCard(
                contract_number=contract.contract_number,
                commodity_label=contract.get_commodity_display(),
                scheme_name=contract_relief.scheme.name_de if contract_relief.scheme else "Preisbremse",
                total_2023_eur=contract_relief.total_2023_eur,
                monthly_eur=monthly,
                quota_kwh_year=contract_relief.quota_kwh_year,
                explanation=contract_relief.explanation,
                december_eur=contract_relief.december_amount_eur,
                december_explanation=december,
                reason_none=contract_relief.reason_none,
            )
        )
    return tuple(cards)


def _consents_in_force_first(consents: list[Consent]) -> list[Consent]:
    return sorted(consents, key=lambda consent: consent.withdrawn_at is not None)  # stable: newest first within


def _consent_row(consent: Consent) -> ConsentRow:
    if consent.withdrawn_at is not None:
        status = "widerrufen"
    elif consent.is_in_force:
        status = "erteilt"
    else:
        status = "unbestätigt (Double-Opt-in ausstehend)"
    return ConsentRow(
        channel=consent.channel,
        purpose=consent.purpose,
        channel_label=consent.get_channel_display(),
        purpose_label=consent.get_purpose_display(),
        status_label=status,
        is_in_force=consent.is_in_force,
        is_open=consent.withdrawn_at is None,
        granted_at=consent.granted_at,
        source_label=consent.get_source_display(),
        withdrawn_at=consent.withdrawn_at,
        withdrawal_source_label=consent.get_withdrawal_source_display() if consent.withdrawal_source else "",
        wording=consent.wording,
    )


def _open_tasks(customer: Customer) -> tuple[TaskRow, ...]:
    tasks = (
        CallTask.objects.filter(customer=customer, status__in=[CallTask.Status.OPEN, CallTask.Status.CLAIMED])
        .select_related("assignee")
        .order_by("due_at", "id")
    )
    return tuple(
        TaskRow(
            id=task.pk,
            kind_label=task.get_kind_display(),
            topic_label=task.get_topic_display(),
            due_at=task.due_at,
            status_label=task.get_status_display(),
            assignee_name=str(task.assignee) if task.assignee else "",
            note=task.note,
        )
        for task in tasks
    )


# --- the timeline ------------------------------------------------------------------------------------------------


def _stamped(queryset: QuerySet[Any], kind: str, at: str) -> QuerySet[Any, Any]:
    """Reduce a source to (kind, row_id, at) rows for the UNION (annotations only, so the columns line up)."""
    stamped: QuerySet[Any, Any] = (
        queryset.order_by()
        .annotate(entry_kind=Value(kind, output_field=CharField()), row_id=F("pk"), entry_at=F(at))
        .values_list("entry_kind", "row_id", "entry_at")
    )
    return stamped


def _cancellations(customer: Customer) -> QuerySet[CancellationRequest]:
    # Declarations still under review carry no contract yet; they show where the customer number fits.
    return CancellationRequest.objects.filter(
        Q(contract__customer=customer) | Q(contract__isnull=True, customer_number=customer.customer_number)
    )


def _sources(customer: Customer) -> list[QuerySet[Any, Any]]:
    return [
        _stamped(Touchpoint.objects.filter(customer=customer), Kind.TOUCHPOINT, "occurred_at"),
        _stamped(
            MeterReading.objects.filter(contract__customer=customer, source__in=PORTAL_SOURCES),
            Kind.READING,
            "created_at",
        ),
        _stamped(
            AdvancePaymentChange.objects.filter(contract__customer=customer, source__in=ADVANCE_SOURCES),
            Kind.ADVANCE,
            "created_at",
        ),
        _stamped(_cancellations(customer), Kind.CANCELLATION, "submitted_at"),
        _stamped(
            # Cancelled without the cancellation button (e.g. by letter) or moving out: the contract itself is the
            # record (a move reported after a button cancellation shows as well; it changed the end of supply).
            Contract.objects.filter(customer=customer, cancelled_at__isnull=False).exclude(
                Exists(CancellationRequest.objects.filter(contract=OuterRef("pk"))),
                ~Q(cancellation_kind=move.CANCELLATION_KIND_MOVE),
            ),
            Kind.CONTRACT_CANCELLED,
            "cancelled_at",
        ),
        _stamped(Consent.objects.filter(customer=customer), Kind.CONSENT_GRANTED, "granted_at"),
        _stamped(
            Consent.objects.filter(customer=customer, withdrawn_at__isnull=False),
            Kind.CONSENT_WITHDRAWN,
            "withdrawn_at",
        ),
    ]


def get_timeline(*, customer: Customer, page: int, contracts: list[Contract], consents: list[Consent]) -> TimelinePage:
    """Return one page of the merged timeline, newest first (6 queries; 1 when there is nothing to show).

    ``contracts`` and ``consents`` are the customer's, already loaded by the caller; their entries need no query.
    """
    first, *others = _sources(customer)
    union = first.union(*others, all=True)
    total = union.count()
    if total == 0:
        return TimelinePage(entries=(), number=1, num_pages=1, total=0)
    num_pages = (total + TIMELINE_PER_PAGE - 1) // TIMELINE_PER_PAGE
    number = min(max(page, 1), num_pages)
    offset = (number - 1) * TIMELINE_PER_PAGE
    keys: list[tuple[str, int, datetime]] = list(
        union.order_by("-entry_at", "entry_kind", "-row_id")[offset : offset + TIMELINE_PER_PAGE]
    )
    oldest, newest = min(key[2] for key in keys), max(key[2] for key in keys)
    loaded = _load_page(customer, oldest, newest, contracts, consents)
    entries = []
    for kind, row_id, _at in keys:
        entry = loaded.get((kind, row_id))
        if entry is not None:
            entries.append(entry)
    return TimelinePage(entries=tuple(entries), number=number, num_pages=num_pages, total=total)


def _load_page(
    customer: Customer, oldest: datetime, newest: datetime, contracts: list[Contract], consents: list[Consent]
) -> dict[tuple[str, int], TimelineEntry]:
    """Render the rows in the page's time span, one query per table (4 queries), keyed by (kind, id)."""
    span = (oldest, newest)
    loaded: dict[tuple[str, int], TimelineEntry] = {}
    for touchpoint in Touchpoint.objects.filter(customer=customer, occurred_at__range=span).select_related(
        "agent", "contract"
    ):
        loaded[(Kind.TOUCHPOINT, touchpoint.pk)] = _touchpoint_entry(touchpoint)
    for reading in MeterReading.objects.filter(
        contract__customer=customer, source__in=PORTAL_SOURCES, created_at__range=span
    ).select_related("contract", "created_by"):
        loaded[(Kind.READING, reading.pk)] = _reading_entry(reading)
    for change in AdvancePaymentChange.objects.filter(
        contract__customer=customer, source__in=ADVANCE_SOURCES, created_at__range=span
    ).select_related("contract", "created_by"):
        loaded[(Kind.ADVANCE, change.pk)] = _advance_entry(change)
    for cancellation in (
        _cancellations(customer).filter(submitted_at__range=span).select_related("contract", "submitted_by")
    ):
        loaded[(Kind.CANCELLATION, cancellation.pk)] = _cancellation_entry(cancellation)
    for contract in contracts:
        if contract.cancelled_at is not None:
            loaded[(Kind.CONTRACT_CANCELLED, contract.pk)] = _contract_cancelled_entry(contract)
    for consent in consents:
        loaded[(Kind.CONSENT_GRANTED, consent.pk)] = _consent_entry(consent, withdrawn=False)
        if consent.withdrawn_at is not None:
            loaded[(Kind.CONSENT_WITHDRAWN, consent.pk)] = _consent_entry(consent, withdrawn=True)
    return loaded


def _staff_name(user: Any) -> str:
    return str(user) if user is not None else "Kundenservice"


def _touchpoint_entry(touchpoint: Touchpoint) -> TimelineEntry:
    details = [touchpoint.summary] if touchpoint.summary else []
    if touchpoint.contract is not None:
        details.append(f"Vertrag {touchpoint.contract.contract_number}")
    labels = [touchpoint.get_outcome_display()]
    if touchpoint.sentiment:
        labels.append(f"Stimmung {touchpoint.get_sentiment_display()}")
    if touchpoint.would_recommend is not None:
        labels.append(f"Weiterempfehlung {touchpoint.would_recommend}/10")
    return TimelineEntry(
        kind=Kind.TOUCHPOINT,
        at=touchpoint.occurred_at,
        title=(
            f"{touchpoint.get_topic_display()} · {touchpoint.get_channel_display()}, "
            f"{touchpoint.get_direction_display()}"
        ),
        detail=" · ".join(details),
        actor=_staff_name(touchpoint.agent),
        labels=tuple(labels),
        is_customer_action=False,
    )


def _by_customer(source: str, created_by: Any) -> tuple[str, bool]:
    if source in (MeterReading.Source.CUSTOMER, AdvancePaymentChange.Source.CUSTOMER):
        return "Kundin/Kunde im Portal", True
    return _staff_name(created_by), False


def _reading_entry(reading: MeterReading) -> TimelineEntry:
    actor, by_customer = _by_customer(reading.source, reading.created_by)
    unit = reading.contract.get_meter_unit_display()
    return TimelineEntry(
        kind=Kind.READING,
        at=reading.created_at,
        title="Zählerstand gemeldet" if by_customer else "Zählerstand erfasst",
        detail=(
            f"{format_number(reading.value)} {unit} zum {format_date(reading.read_date)} · "
            f"Vertrag {reading.contract.contract_number}"
        ),
        actor=actor,
        labels=("zur Prüfung markiert",) if reading.is_flagged else (),
        is_customer_action=by_customer,
    )


def _advance_entry(change: AdvancePaymentChange) -> TimelineEntry:
    actor, by_customer = _by_customer(change.source, change.created_by)
    detail = (
        f"{format_eur(change.amount_eur)} ab {format_date(change.valid_from)} "
        f"(berechnet {format_eur(change.recommended_eur)}) · Vertrag {change.contract.contract_number}"
    )
    if change.reason:
        detail += f" · Begründung: {change.reason}"
    return TimelineEntry(
        kind=Kind.ADVANCE,
        at=change.created_at,
        title="Abschlag geändert",
        detail=detail,
        actor=actor,
        labels=("zur Prüfung",) if change.needs_review else (),
        is_customer_action=by_customer,
    )


def _cancellation_entry(cancellation: CancellationRequest) -> TimelineEntry:
    details = [cancellation.get_kind_display(), f"Eingangsnummer {cancellation.reference}"]
    if cancellation.contract is not None:
        details.append(f"Vertrag {cancellation.contract.contract_number}")
    supply_end = describe_supply_end(end_date=cancellation.effective_date, is_move=False)
    if supply_end:
        details.append(supply_end)
    # The button without login leaves submitted_by empty; a logged-in customer or an agent is named there.
    submitter = cancellation.submitted_by
    by_customer = submitter is None or submitter.is_customer
    return TimelineEntry(
        kind=Kind.CANCELLATION,
        at=cancellation.submitted_at,
        title="Kündigung eingegangen",
        detail=" · ".join(details),
        actor="Kündigungsbutton" if by_customer else _staff_name(submitter),
        labels=(cancellation.get_status_display(),),
        is_customer_action=by_customer,
    )


def _contract_cancelled_entry(contract: Contract) -> TimelineEntry:
    assert contract.cancelled_at is not None
    is_move = _is_move(contract)
    supply_end = describe_supply_end(end_date=contract.end_date, is_move=is_move)
    return TimelineEntry(
        kind=Kind.CONTRACT_CANCELLED,
        at=contract.cancelled_at,
        title="Auszug gemeldet" if is_move else "Vertrag gekündigt",
        detail=f"Vertrag {contract.contract_number}" + (f" · {supply_end}" if supply_end else ""),
        actor="",
        labels=(),
        is_customer_action=False,
    )


def _consent_entry(consent: Consent, *, withdrawn: bool) -> TimelineEntry:
    if withdrawn:
        assert consent.withdrawn_at is not None
        source = consent.get_withdrawal_source_display() if consent.withdrawal_source else ""
        return TimelineEntry(
            kind=Kind.CONSENT_WITHDRAWN,
            at=consent.withdrawn_at,
            title="Einwilligung widerrufen",
            detail=f"{consent.get_channel_display()} – {consent.get_purpose_display()}",
            actor=source,
            labels=(),
            is_customer_action=consent.withdrawal_source == Consent.Source.PORTAL,
        )
    return TimelineEntry(
        kind=Kind.CONSENT_GRANTED,
        at=consent.granted_at,
        title="Einwilligung erteilt",
        detail=f"{consent.get_channel_display()} – {consent.get_purpose_display()}",
        actor=consent.get_source_display(),
        labels=(),
        is_customer_action=consent.source == Consent.Source.PORTAL,
    )
