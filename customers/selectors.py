"""Reads for the customer portal and the agent screens: plain dataclasses, a fixed number of queries.

Each function documents its query count; tests pin it with 1 and with many bills and readings.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import (
    AdvancePaymentChange,
    Bill,
    Contract,
    Customer,
    Installment,
    MeterReading,
    PriceDeferral,
)
from tariffs import selectors as tariff_selectors
from tariffs.domain import advance, prices
from tariffs.domain.vat import Commodity, VatPeriod

ZERO = Decimal("0.00")


Deferral = tuple[date, date]  # (a price change's planned day, the later day it takes effect for one contract)


@dataclass(frozen=True, slots=True)
class PricingData:
    """What price calculations need besides the contract: price histories, VAT periods and, for the contracts asked
    for, the price changes that take effect later for them (customers.models.PriceDeferral).

    Always ask with ``contract_id`` when the price is for a contract: a contract whose price-change notice was late
    keeps its old price longer than the tariff's history says.
    """

    versions_by_tariff: dict[int, tuple[prices.PriceVersion, ...]]
    vat_periods: tuple[VatPeriod, ...]
    deferrals_by_contract: dict[int, tuple[Deferral, ...]] = field(default_factory=dict)

    def versions(self, *, tariff_id: int, contract_id: int | None = None) -> tuple[prices.PriceVersion, ...]:
        """Return the tariff's price versions as they apply to the contract (with its deferrals applied)."""
        versions = self.versions_by_tariff.get(tariff_id, ())
        deferrals = self.deferrals_by_contract.get(contract_id) if contract_id is not None else None
        return prices.defer_versions(versions, deferrals) if deferrals else versions

    def gross_on(
        self, *, tariff_id: int, commodity: str, day: date, contract_id: int | None = None
    ) -> prices.GrossPrice | None:
        versions = self.versions(tariff_id=tariff_id, contract_id=contract_id)
        try:
            return prices.gross_prices_on(
                versions=versions, commodity=Commodity(commodity), day=day, vat_periods=self.vat_periods
            )
        except (prices.NoPriceOnDate, LookupError):
            return None

    def contract_gross_on(self, contract: Contract, day: date) -> prices.GrossPrice | None:
        """Return the gross prices that apply to the contract on ``day``."""
        return self.gross_on(
            tariff_id=contract.tariff_id, commodity=contract.commodity, day=day, contract_id=contract.pk
        )


def get_pricing_data(*, tariff_ids: set[int], contract_ids: Iterable[int] = ()) -> PricingData:
    """Load the price histories of the tariffs, all VAT periods (2 queries) and, when ``contract_ids`` are given, the
    contracts' price deferrals (1 more query)."""
    ids = sorted(set(contract_ids))
    deferrals: dict[int, list[Deferral]] = defaultdict(list)
    if ids:
        for contract_id, planned, actual in (
            PriceDeferral.objects.filter(contract_id__in=ids)
            .order_by("contract_id", "planned_date", "id")
            .values_list("contract_id", "planned_date", "effective_date")
        ):
            deferrals[contract_id].append((planned, actual))
    return PricingData(
        versions_by_tariff=tariff_selectors.get_price_versions(tariff_ids=tariff_ids),
        vat_periods=tariff_selectors.get_vat_periods(),
        deferrals_by_contract={contract_id: tuple(rows) for contract_id, rows in deferrals.items()},
    )


def get_contract_pricing(contract: Contract) -> PricingData:
    """Return the pricing data for one contract, its deferrals included (3 queries)."""
    return get_pricing_data(tariff_ids={contract.tariff_id}, contract_ids=(contract.pk,))


def to_kwh(*, contract: Contract, meter_delta: Decimal) -> Decimal:
    """Convert a difference of meter readings to kWh (gas meters count m³)."""
    if contract.meter_unit == Contract.MeterUnit.CUBIC_METRE:
        from tariffs.domain.billing import gas_kwh

        return gas_kwh(
            m3=meter_delta,
            zustandszahl=contract.gas_state_factor or Decimal("0.9500"),
            brennwert=contract.gas_calorific_value or Decimal("11.000"),
        )
    return meter_delta


def recommended_advance(*, contract: Contract, pricing: PricingData, as_of: date) -> advance.AdvancePayment | None:
    """Return the Abschlag the current prices and forecast call for (no relief after 2023), or None without a price."""
    gross = pricing.contract_gross_on(contract, as_of)
    if gross is None:
        return None
    return advance.advance_payment(
        forecast_kwh=contract.forecast_kwh,
        working_price_gross_ct=gross.working_price_ct,
        base_price_gross_eur_year=gross.base_price_eur_year,
        installments=contract.installments_per_year,
    )


def next_due_date(*, contract: Contract, as_of: date) -> date:
    """Return the next Abschlag due date after `as_of`: the 1st of the next month (Abschläge fall due monthly)."""
    year, month = (as_of.year + 1, 1) if as_of.month == 12 else (as_of.year, as_of.month + 1)
    return date(year, month, 1)


@dataclass(frozen=True, slots=True)
class ContractSummary:
    """One contract on "Mein Konto"."""

    id: int
    contract_number: str
    commodity: str
    commodity_label: str
    tariff_name: str
    is_basic_supply: bool
    address: str
    status_label: str
    is_active: bool
    end_date: date | None
    working_price_gross_ct: Decimal | None
    base_price_gross_eur_year: Decimal | None
    current_advance_eur: Decimal | None
    next_due_date: date | None
    next_due_amount_eur: Decimal | None
    latest_bill_id: int | None
    latest_bill_number: str | None
    latest_bill_balance_eur: Decimal | None
    latest_reading_value: Decimal | None
    latest_reading_date: date | None
    meter_unit: str
    relief_received_eur: Decimal


def _latest(queryset: object, column: str) -> Subquery:
    return Subquery(queryset.values(column)[:1])  # type: ignore[attr-defined]


def get_contract_summaries(*, customer: Customer, as_of: date) -> list[ContractSummary]:
    """Return the customer's contracts with prices, Abschlag, latest bill and reading (4 queries in all)."""
    bills = Bill.objects.filter(contract=OuterRef("pk")).order_by("-issued_date", "-id")
    readings = MeterReading.objects.filter(contract=OuterRef("pk")).order_by("-read_date", "-id")
    changes = AdvancePaymentChange.objects.filter(contract=OuterRef("pk"), valid_from__lte=as_of).order_by(
        "-valid_from", "-id"
    )
    upcoming = Installment.objects.filter(contract=OuterRef("pk"), due_date__gt=as_of).order_by("due_date", "id")
    relief = (
        Bill.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("relief_eur"))
        .values("total")
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)
    contracts = list(
        customer.contracts.select_related("tariff")
        .annotate(
            latest_bill_id=_latest(bills, "id"),
            latest_bill_number=_latest(bills, "number"),
            latest_bill_balance=_latest(bills, "balance_eur"),
            latest_reading_value=_latest(readings, "value"),
            latest_reading_date=_latest(readings, "read_date"),
            current_advance=_latest(changes, "amount_eur"),
            next_due=_latest(upcoming, "due_date"),
            next_due_amount=_latest(upcoming, "amount_eur"),
            relief_received=Coalesce(Subquery(relief[:1], output_field=money), Value(ZERO), output_field=money),
        )
        .order_by("-status", "start_date", "id")
    )
    pricing = get_pricing_data(
        tariff_ids={contract.tariff_id for contract in contracts}, contract_ids=[contract.pk for contract in contracts]
    )
    summaries = []
    for contract in contracts:
        gross = pricing.contract_gross_on(contract, as_of)
        summaries.append(
            ContractSummary(
                id=contract.pk,
                contract_number=contract.contract_number,
                commodity=contract.commodity,
                commodity_label=contract.get_commodity_display(),
                tariff_name=contract.tariff.name,
                is_basic_supply=contract.is_basic_supply,
                address=f"{contract.street}, {contract.postal_code} {contract.city}",
                status_label=contract.get_status_display(),
                is_active=contract.is_active,
                end_date=contract.end_date,
                working_price_gross_ct=gross.working_price_ct if gross else None,
                base_price_gross_eur_year=gross.base_price_eur_year if gross else None,
                current_advance_eur=contract.current_advance,
                next_due_date=contract.next_due,
                next_due_amount_eur=contract.next_due_amount,
                latest_bill_id=contract.latest_bill_id,
                latest_bill_number=contract.latest_bill_number,
                latest_bill_balance_eur=contract.latest_bill_balance,
                latest_reading_value=contract.latest_reading_value,
                latest_reading_date=contract.latest_reading_date,
                meter_unit=contract.get_meter_unit_display(),
                relief_received_eur=contract.relief_received,
            )
        )
    return summaries


def get_latest_reading(*, contract: Contract, before: date | None = None) -> MeterReading | None:
    """Return the latest reading (optionally strictly before a date), not counting flagged estimates."""
    readings = contract.readings.all()
    if before is not None:
        readings = readings.filter(read_date__lt=before)
    return readings.order_by("-read_date", "-id").first()


def get_next_reading(*, contract: Contract, after: date) -> MeterReading | None:
    return contract.readings.filter(read_date__gt=after).order_by("read_date", "id").first()


@dataclass(frozen=True, slots=True)
class YearConsumption:
    year: int
    kwh: Decimal


def consumption_by_year(*, readings: list[MeterReading], contract: Contract) -> list[YearConsumption]:
    """Return the consumption per calendar year, splitting each interval between readings linearly by days."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    ordered = sorted(readings, key=lambda reading: reading.read_date)
    for previous, current in itertools.pairwise(ordered):
        days = (current.read_date - previous.read_date).days
        if days <= 0:
            continue
        kwh = to_kwh(contract=contract, meter_delta=current.value - previous.value)
        day = previous.read_date
        while day < current.read_date:
            year_end = date(day.year + 1, 1, 1)
            segment_end = min(year_end, current.read_date)
            totals[day.year] += kwh * (segment_end - day).days / days
            day = segment_end
    return [YearConsumption(year=year, kwh=totals[year].quantize(Decimal(1))) for year in sorted(totals)]


@dataclass(frozen=True, slots=True)
class ContractDetail:
    contract: Contract
    summary_gross: prices.GrossPrice | None
    price_history: list[dict[str, object]]
    advance_changes: list[AdvancePaymentChange]
    installments: list[Installment]
    readings: list[MeterReading]
    bills: list[Bill]
    consumption: list[YearConsumption]
    recommended: advance.AdvancePayment | None
    current_advance_eur: Decimal | None
    deferrals: tuple[Deferral, ...] = ()  # price changes that take effect later for this contract (planned, actual)
    extra: dict[str, object] = field(default_factory=dict)


def get_contract_detail(*, contract: Contract, as_of: date) -> ContractDetail:
    """Return everything the contract page shows (8 queries, whatever the history's length)."""
    pricing = get_contract_pricing(contract)
    history: list[dict[str, object]] = []
    for version in pricing.versions(tariff_id=contract.tariff_id, contract_id=contract.pk):
        gross = pricing.contract_gross_on(contract, version.valid_from)
        history.append(
            {
                "valid_from": version.valid_from,
                "valid_to": version.valid_to,
                "working_price_gross_ct": gross.working_price_ct if gross else None,
                "base_price_gross_eur_year": gross.base_price_eur_year if gross else None,
                "is_current": version.valid_from <= as_of and (version.valid_to is None or as_of < version.valid_to),
            }
        )
    changes = list(contract.advance_changes.order_by("valid_from", "id"))
    current = [change for change in changes if change.valid_from <= as_of]
    readings = list(contract.readings.order_by("-read_date", "-id"))
    return ContractDetail(
        contract=contract,
        summary_gross=pricing.contract_gross_on(contract, as_of),
        price_history=history,
        advance_changes=changes,
        installments=list(
            contract.installments.filter(Q(due_date__gte=date(as_of.year - 1, 1, 1))).order_by("due_date", "id")
        ),
        readings=readings,
        bills=list(contract.bills.order_by("-issued_date", "-id")),
        consumption=consumption_by_year(readings=readings, contract=contract),
        recommended=recommended_advance(contract=contract, pricing=pricing, as_of=as_of),
        current_advance_eur=current[-1].amount_eur if current else None,
        deferrals=pricing.deferrals_by_contract.get(contract.pk, ()),
    )


@dataclass(frozen=True, slots=True)
class Projection:
    """The expected balance at the end of a billing year [period_start, period_end) for an Abschlag."""

    period_start: date
    period_end: date
    expected_kwh: Decimal
    advance_eur: Decimal
    balance: advance.ProjectedBalance
    basis: str  # German: on what the consumption estimate rests
    is_following_year: bool = False  # the year after the current one: no Abschlag of the current one is left

    @property
    def last_day(self) -> date:
        """Return the billing year's last day (``period_end`` is the first day after it)."""
        return self.period_end - timedelta(days=1)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 3, 1)


def billing_year(*, contract: Contract, last_bill_end: date | None) -> tuple[date, date]:
    """Return the current billing year [start, end): from the last bill's end (or the contract start), one year,
    ending with the supply at the latest."""
    start = last_bill_end or contract.start_date
    end = _one_year_after(start)
    if contract.end_date is not None:
        end = min(end, contract.end_date)
    return start, end


def _due_dates(start: date, end: date) -> list[date]:
    """Return the first days of months in [start, end) on which an Abschlag falls due."""
    dates = []
    year, month = start.year, start.month
    day = date(year, month, 1)
    if day < start:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while (day := date(year, month, 1)) < end:
        dates.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def project_balance(
    *, contract: Contract, as_of: date, advance_eur: Decimal | None = None, from_next_due_date: bool = False
) -> Projection | None:
    """Project a billing year's balance for the given Abschlag (default: the one due at the next due date).
    7 queries without ``advance_eur``, 6 with it, whichever year is projected.

    The year is the current billing year; with ``from_next_due_date`` (the Abschlag page) it is the year in which a
    new Abschlag takes effect: when the next due date lies at or after the current year's end, the following year,
    with the chosen amount for all its due dates (else a new amount could never show an effect in the last month of
    a billing year). The following year ends after one year or with the supply.

    Consumption: the daily rate between the current billing year's first reading and the latest one when they are
    at least 30 days apart, otherwise the forecast; extrapolated linearly by days over the projected year. Costs at
    the gross prices valid on today (on the first day of a following year), the base price pro rata by days.
    Abschläge: those already due in the year plus the chosen amount for each due date still to come (DOMAIN.md,
    advance payment).
    """
    last_bill = contract.bills.order_by("-period_end", "-id").first()
    current_start, current_end = billing_year(
        contract=contract, last_bill_end=last_bill.period_end if last_bill else None
    )
    next_due = next_due_date(contract=contract, as_of=as_of)
    start, end = current_start, current_end
    following = False
    if from_next_due_date and (contract.end_date is None or next_due < contract.end_date):
        while next_due >= end:  # once, unless the last bill is more than a year old
            start, end, following = end, _one_year_after(end), True
        if contract.end_date is not None:
            end = min(end, contract.end_date)
    pricing = get_contract_pricing(contract)
    gross = pricing.contract_gross_on(contract, max(as_of, start))
    if gross is None and following:
        gross = pricing.contract_gross_on(contract, as_of)
    if gross is None or end <= start:
        return None
    readings = list(contract.readings.filter(read_date__gte=current_start).order_by("read_date", "id"))
    period_days = Decimal((end - start).days)
    basis = "Ihrer Jahresverbrauchsprognose"
    expected_kwh = (contract.forecast_kwh * period_days / 365).quantize(Decimal(1))
    if len(readings) >= 2 and (readings[-1].read_date - readings[0].read_date).days >= 30:
        first, latest = readings[0], readings[-1]
        used = to_kwh(contract=contract, meter_delta=latest.value - first.value)
        rate = used / (latest.read_date - first.read_date).days
        expected_kwh = (rate * period_days).quantize(Decimal(1))
        basis = "Ihrem bisherigen Verbrauch laut Zählerständen"
    cost = (expected_kwh * gross.working_price_ct / 100 + gross.base_price_eur_year * period_days / 365).quantize(
        Decimal("0.01")
    )
    if advance_eur is None:
        # The Abschlag for the due dates still to come: a change already made applies from the next due date.
        current = (
            contract.advance_changes.filter(valid_from__lte=max(as_of, next_due))
            .order_by("-valid_from", "-id")
            .first()
        )
        advance_eur = current.amount_eur if current else ZERO
    due = _due_dates(start, end)
    already_due = (
        contract.installments.filter(due_date__gte=start, due_date__lt=end, due_date__lte=as_of).aggregate(
            total=Sum("amount_eur")
        )["total"]
        or ZERO
    )
    remaining = sum(1 for day in due if day > as_of)
    advances_total = already_due + advance_eur * remaining
    return Projection(
        period_start=start,
        period_end=end,
        expected_kwh=expected_kwh,
        advance_eur=advance_eur,
        balance=advance.projected_balance(expected_annual_cost=cost, advances_total=advances_total),
        basis=basis,
        is_following_year=following,
    )
