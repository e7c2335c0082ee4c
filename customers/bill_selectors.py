"""Reads for the customer's bills: the list (1 query), one bill with everything its page and PDF show (2 queries)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from customers.models import Bill, BillLine, Contract, Customer, MeterReading
from tariffs.domain.formatting import format_percent

CENT = Decimal("0.01")
BASIC_SUPPLY_NOTICE = timedelta(days=14)  # § 20 Abs. 1 StromGVV/GasGVV: two weeks' notice in basic supply
_ONE_DAY = timedelta(days=1)
PRICE_BRAKE_START = date(2023, 1, 1)


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, or the month's last day where it has fewer days (31 Jan + 1 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_cancellation_date(*, contract: Contract, as_of: date) -> date | None:
    """Return the earliest day an ordinary cancellation declared on ``as_of`` ends the contract, or None if it ends.

    Basic supply: two weeks' notice (§ 20 StromGVV/GasGVV). Special contracts: the contract's notice period in
    months, but not before the end of the minimum term.
    """
    if contract.end_date is not None or contract.status != Contract.Status.ACTIVE:
        return None
    if contract.is_basic_supply:
        return as_of + BASIC_SUPPLY_NOTICE
    earliest = add_months(as_of, contract.notice_period_months)
    if contract.minimum_term_end is not None and earliest < contract.minimum_term_end:
        return contract.minimum_term_end
    return earliest


@dataclass(frozen=True, slots=True)
class BillRow:
    """One bill in the list."""

    id: int
    number: str
    kind_label: str
    commodity_label: str
    contract_number: str
    period_start: date
    period_last_day: date
    issued_date: date
    due_date: date
    gross_eur: Decimal
    relief_eur: Decimal
    advances_eur: Decimal
    balance_eur: Decimal

    @property
    def is_additional_payment(self) -> bool:
        return self.balance_eur > 0

    @property
    def is_credit(self) -> bool:
        return self.balance_eur < 0


def get_bill_list(*, customer: Customer) -> list[BillRow]:
    """Return the customer's bills, newest first (1 query, whatever their number)."""
    bills = Bill.objects.filter(contract__customer=customer).select_related("contract").order_by("-issued_date", "-id")
    return [
        BillRow(
            id=bill.pk,
            number=bill.number,
            kind_label=bill.get_kind_display(),
            commodity_label=bill.contract.get_commodity_display(),
            contract_number=bill.contract.contract_number,
            period_start=bill.period_start,
            period_last_day=bill.period_end - _ONE_DAY,
            issued_date=bill.issued_date,
            due_date=bill.due_date,
            gross_eur=bill.gross_eur,
            relief_eur=bill.relief_eur,
            advances_eur=bill.advances_eur,
            balance_eur=bill.balance_eur,
        )
        for bill in bills
    ]


@dataclass(frozen=True, slots=True)
class ReadingRow:
    read_date: date
    value: Decimal
    unit: str
    source_label: str
    is_estimate: bool


@dataclass(frozen=True, slots=True)
class LineRow:
    position: int
    kind: str
    label: str
    from_date: date
    last_day: date
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    vat_rate: Decimal | None
    amount_eur: Decimal

    @property
    def vat_label(self) -> str:
        """Return the VAT rate as "19 %" (empty for relief lines, which carry no VAT)."""
        return format_percent(self.vat_rate) if self.vat_rate is not None else ""

    @property
    def is_working_price(self) -> bool:
        return self.kind == BillLine.Kind.WORKING_PRICE

    @property
    def is_base_price(self) -> bool:
        return self.kind == BillLine.Kind.BASE_PRICE

    @property
    def is_relief(self) -> bool:
        return self.kind == BillLine.Kind.RELIEF


@dataclass(frozen=True, slots=True)
class VatRow:
    """The net amount of the lines at one VAT rate and the VAT on it."""

    rate: Decimal
    net_eur: Decimal
    vat_eur: Decimal

    @property
    def rate_label(self) -> str:
        return format_percent(self.rate)


@dataclass(frozen=True, slots=True)
class ExplanationStep:
    text: str
    formula: str


@dataclass(frozen=True, slots=True)
class BillDetail:
    """Everything a bill's page and its PDF show (DOMAIN.md, annual bill; § 40 EnWG)."""

    id: int
    number: str
    kind_label: str
    issued_date: date
    due_date: date
    period_start: date
    period_last_day: date
    customer_name: str
    customer_number: str
    customer_address: tuple[str, str]
    contract_number: str
    commodity_label: str
    supply_address: str
    malo_id: str
    meter_number: str
    meter_unit: str
    tariff_name: str
    is_basic_supply: bool
    start_reading: ReadingRow
    end_reading: ReadingRow
    meter_difference: Decimal
    gas_state_factor: Decimal | None
    gas_calorific_value: Decimal | None
    consumption_kwh: Decimal
    previous_consumption_kwh: Decimal | None
    lines: tuple[LineRow, ...]
    vat_rows: tuple[VatRow, ...]
    net_eur: Decimal
    vat_eur: Decimal
    gross_eur: Decimal
    relief_eur: Decimal
    relief_quota_year_kwh: Decimal | None
    relief_months: int
    advances_eur: Decimal
    balance_eur: Decimal
    next_cancellation_date: date | None
    explanation: tuple[ExplanationStep, ...]

    @property
    def is_additional_payment(self) -> bool:
        return self.balance_eur > 0

    @property
    def is_credit(self) -> bool:
        return self.balance_eur < 0

    @property
    def balance_abs_eur(self) -> Decimal:
        return abs(self.balance_eur)

    @property
    def advances_deducted_eur(self) -> Decimal:
        """Return the Abschläge as the negative amount the bill deducts."""
        return -self.advances_eur

    @property
    def readings(self) -> tuple[ReadingRow, ReadingRow]:
        return (self.start_reading, self.end_reading)

    @property
    def amount_due_eur(self) -> Decimal:
        """Return the gross total after relief, before the Abschläge."""
        return self.gross_eur - self.relief_eur

    @property
    def price_lines(self) -> tuple[LineRow, ...]:
        return tuple(line for line in self.lines if not line.is_relief)

    @property
    def relief_lines(self) -> tuple[LineRow, ...]:
        return tuple(line for line in self.lines if line.is_relief)

    @property
    def consumption_change(self) -> Decimal | None:
        """Return the change against the previous period as a share (0.05 = 5 % more), or None without one."""
        if not self.previous_consumption_kwh:
            return None
        return ((self.consumption_kwh - self.previous_consumption_kwh) / self.previous_consumption_kwh).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )

    @property
    def consumption_change_percent(self) -> Decimal | None:
        """Return the absolute change in per cent (one decimal), for "5,0 % mehr/weniger als im Vorjahr"."""
        change = self.consumption_change
        return None if change is None else abs(change * 100).quantize(Decimal("0.1"))

    @property
    def relief_quota_period_kwh(self) -> Decimal | None:
        """Return the share of the annual relief quota that falls on this bill's relief months."""
        if self.relief_quota_year_kwh is None or not self.relief_months:
            return None
        return (self.relief_quota_year_kwh * self.relief_months / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    @property
    def relief_quota_share_percent(self) -> Decimal | None:
        """Return this bill's relief months as per cent of the full annual quota (12 months = 100 %)."""
        if not self.relief_months:
            return None
        return (Decimal(self.relief_months) * 100 / 12).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _reading(reading: MeterReading, unit: str) -> ReadingRow:
    return ReadingRow(
        read_date=reading.read_date,
        value=reading.value,
        unit=unit,
        source_label=reading.get_source_display(),
        is_estimate=reading.is_estimate,
    )


def get_bill_detail(*, customer: Customer, bill_id: int) -> BillDetail | None:
    """Return one of the customer's bills with its lines, or None if the customer has no bill with that id (2 queries).

    The bill is looked up through the customer, so another customer's id gives None (the view answers 404).
    """
    return _detail(Bill.objects.filter(pk=bill_id, contract__customer=customer))


def get_bill_detail_by_id(*, bill_id: int) -> BillDetail | None:
    """Return a bill with its lines for rendering its PDF (2 queries); callers check access themselves."""
    return _detail(Bill.objects.filter(pk=bill_id))


def _detail(bills: QuerySet[Bill]) -> BillDetail | None:
    """Load the bill and its lines.

    The VAT per rate is recomputed from the stored lines with the billing rule (net sum per rate × rate, half-up to
    the cent); the stored VAT total is the sum of these rows.
    """
    bill = bills.select_related("contract__tariff", "contract__customer", "start_reading", "end_reading").first()
    if bill is None:
        return None
    lines = [
        LineRow(
            position=line.position,
            kind=line.kind,
            label=line.label,
            from_date=line.from_date,
            last_day=line.to_date - _ONE_DAY,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            amount_eur=line.amount_eur,
        )
        for line in BillLine.objects.filter(bill=bill).order_by("position", "id")
    ]
    net_by_rate: dict[Decimal, Decimal] = {}  # in the order the rates first appear (chronological)
    for line in lines:
        if line.vat_rate is not None:
            net_by_rate[line.vat_rate] = net_by_rate.get(line.vat_rate, Decimal("0.00")) + line.amount_eur
    vat_rows = tuple(
        VatRow(rate=rate, net_eur=net, vat_eur=(net * rate).quantize(CENT, rounding=ROUND_HALF_UP))
        for rate, net in net_by_rate.items()
    )
    contract = bill.contract
    customer_row = contract.customer
    unit = contract.get_meter_unit_display()
    # the 2023 price-brake line counts relief months; the December-2022 relief line starts before 2023
    price_brake_line = next((line for line in lines if line.is_relief and line.from_date >= PRICE_BRAKE_START), None)
    return BillDetail(
        id=bill.pk,
        number=bill.number,
        kind_label=bill.get_kind_display(),
        issued_date=bill.issued_date,
        due_date=bill.due_date,
        period_start=bill.period_start,
        period_last_day=bill.period_end - _ONE_DAY,
        customer_name=customer_row.name,
        customer_number=customer_row.customer_number,
        customer_address=(customer_row.street, f"{customer_row.postal_code} {customer_row.city}"),
        contract_number=contract.contract_number,
        commodity_label=contract.get_commodity_display(),
        supply_address=f"{contract.street}, {contract.postal_code} {contract.city}",
        malo_id=contract.malo_id,
        meter_number=contract.meter_number,
        meter_unit=unit,
        tariff_name=contract.tariff.name,
        is_basic_supply=contract.is_basic_supply,
        start_reading=_reading(bill.start_reading, unit),
        end_reading=_reading(bill.end_reading, unit),
        meter_difference=bill.end_reading.value - bill.start_reading.value,
        gas_state_factor=contract.gas_state_factor if contract.meter_unit == Contract.MeterUnit.CUBIC_METRE else None,
        gas_calorific_value=(
            contract.gas_calorific_value if contract.meter_unit == Contract.MeterUnit.CUBIC_METRE else None
        ),
        consumption_kwh=bill.consumption_kwh,
        previous_consumption_kwh=bill.previous_consumption_kwh,
        lines=tuple(lines),
        vat_rows=vat_rows,
        net_eur=bill.net_eur,
        vat_eur=bill.vat_eur,
        gross_eur=bill.gross_eur,
        relief_eur=bill.relief_eur,
        relief_quota_year_kwh=bill.relief_quota_kwh,
        relief_months=int(price_brake_line.quantity) if price_brake_line is not None else 0,
        advances_eur=bill.advances_eur,
        balance_eur=bill.balance_eur,
        next_cancellation_date=next_cancellation_date(contract=contract, as_of=bill.issued_date),
        explanation=tuple(
            ExplanationStep(text=str(step.get("text", "")), formula=str(step.get("formula", "")))
            for step in (bill.explanation or [])
            if isinstance(step, dict)
        ),
    )
