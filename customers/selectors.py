"""Reads for the customer portal and the agent screens: plain dataclasses, a fixed number of queries.

Each function documents its query count; tests pin it with 1 and with many bills and readings.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import User
from customers.models import (
    AdvancePaymentChange,
    Bill,
    Contract,
    Customer,
    Installment,
    MeterReading,
    PriceDeferral,
)
from customers.move import CANCELLATION_KIND_MOVE
from tariffs import selectors as tariff_selectors
from tariffs.domain import advance, prices
from tariffs.domain.billing import split_by_days
from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import equals_sign, format_ct, format_date, format_days, format_eur, format_kwh
from tariffs.domain.money import CENT, EURO, HUNDRED
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


# --- prices within a period: what the projection and the year's Abschlag are calculated with ----------------------


@dataclass(frozen=True, slots=True)
class PricePeriod:
    """The gross prices that apply to a contract over [start, end)."""

    start: date
    end: date
    gross: prices.GrossPrice

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def price_periods(*, contract: Contract, pricing: PricingData, start: date, end: date) -> tuple[PricePeriod, ...]:
    """Cut [start, end) at every price-version and VAT boundary into periods of equal gross prices (no queries).

    The versions are the contract's (``PricingData.versions`` with its deferrals), so an announced price change is in
    and a late-notified one starts on the contract's own day. A part of the period without a price (a tariff whose
    history ends) takes the nearest known price: a projection is an estimate, not a bill. Empty when no day has one.
    """
    if end <= start:
        return ()
    edges = {start, end}
    for version in pricing.versions(tariff_id=contract.tariff_id, contract_id=contract.pk):
        edges.update(day for day in (version.valid_from, version.valid_to) if day is not None and start < day < end)
    for vat in pricing.vat_periods:
        if vat.commodity == contract.commodity:
            edges.update(day for day in (vat.valid_from, vat.valid_to) if day is not None and start < day < end)
    bounds = sorted(edges)
    pieces = [(first, last, pricing.contract_gross_on(contract, first)) for first, last in itertools.pairwise(bounds)]
    known = [gross for _first, _last, gross in pieces if gross is not None]
    if not known:
        return ()
    periods: list[PricePeriod] = []
    fill = known[0]
    for first, last, gross in pieces:
        fill = gross if gross is not None else fill
        if periods and periods[-1].gross == fill:
            periods[-1] = PricePeriod(start=periods[-1].start, end=last, gross=fill)
        else:
            periods.append(PricePeriod(start=first, end=last, gross=fill))
    return tuple(periods)


@dataclass(frozen=True, slots=True)
class CostPart:
    """The expected gross cost of one price period: kWh × working price plus the base price pro rata by days, each
    rounded half-up to the cent (as the lines of a bill are)."""

    period: PricePeriod
    kwh: Decimal
    energy_eur: Decimal
    base_eur: Decimal

    @property
    def total_eur(self) -> Decimal:
        return self.energy_eur + self.base_eur


def cost_parts(*, periods: tuple[PricePeriod, ...], kwh: Decimal, days_per_year: int = 365) -> tuple[CostPart, ...]:
    """Split ``kwh`` linearly by days over the periods (whole kWh that add up, tariffs.domain.billing.split_by_days)
    and price each part; the base price counts ``days ÷ days_per_year`` of the annual amount (DOMAIN.md: × days ÷ 365
    on a bill)."""
    if not periods:
        return ()
    shares = split_by_days(consumption_kwh=kwh, segment_days=[period.days for period in periods])
    year = Decimal(days_per_year)
    return tuple(
        CostPart(
            period=period,
            kwh=share,
            energy_eur=(share * period.gross.working_price_ct / HUNDRED).quantize(CENT, ROUND_HALF_UP),
            base_eur=(period.gross.base_price_eur_year * period.days / year).quantize(CENT, ROUND_HALF_UP),
        )
        for period, share in zip(periods, shares, strict=True)
    )


def _explain_part(part: CostPart, *, days_per_year: int) -> Step:
    period, gross = part.period, part.period.gross
    shown_ct = gross.working_price_ct.quantize(CENT, ROUND_HALF_UP)
    energy_sign = "=" if (part.kwh * shown_ct / HUNDRED).quantize(CENT, ROUND_HALF_UP) == part.energy_eur else "≈"
    base_exact = gross.base_price_eur_year * period.days / days_per_year
    return Step(
        text=(
            f"{format_date(period.start)} bis {format_date(period.last_day)} ({format_days(period.days)}): "
            f"{format_kwh(part.kwh)} zu {format_ct(shown_ct)} und der Grundpreis von "
            f"{format_eur(gross.base_price_eur_year)} im Jahr anteilig für {format_days(period.days)}, zusammen "
            f"{format_eur(part.total_eur)}."
        ),
        formula=(
            f"{format_kwh(part.kwh)} × {format_ct(shown_ct)} {energy_sign} {format_eur(part.energy_eur)}; "
            f"{format_eur(gross.base_price_eur_year)} × {period.days} ÷ {days_per_year} "
            f"{equals_sign(base_exact)} {format_eur(part.base_eur)}"
        ),
        amount=part.total_eur,
    )


@dataclass(frozen=True, slots=True)
class YearAdvance:
    """The Abschlag for the twelve months from a due date: the forecast at the prices that apply in those months.

    With one price all year it is exactly ``advance.advance_payment`` (``single``); when an announced change (or a
    VAT change) falls within the months, each period is priced on its own and the sum is divided by the instalments,
    half-up to whole euros (DOMAIN.md, advance payment).
    """

    period_start: date
    period_end: date
    forecast_kwh: Decimal
    installments: int
    parts: tuple[CostPart, ...]
    annual_cost_eur: Decimal
    installment_eur: Decimal
    single: advance.AdvancePayment | None = None

    @property
    def price_change_dates(self) -> tuple[date, ...]:
        """Return the days within the months on which the prices change."""
        return tuple(part.period.start for part in self.parts[1:])

    @property
    def explanation(self) -> Explanation:
        """Explain the Abschlag in German, period by period when the prices change within the months."""
        if self.single is not None:
            return self.single.explanation
        days = (self.period_end - self.period_start).days
        changes = ", ".join(format_date(day) for day in self.price_change_dates)
        steps = [
            Step(
                text=(
                    f"Für die zwölf Monate ab dem {format_date(self.period_start)} erwarten wir bei Ihnen einen "
                    f"Verbrauch von {format_kwh(self.forecast_kwh)}. Am {changes} ändern sich die Preise; deshalb "
                    "rechnen wir jeden Zeitraum mit dem Preis, der dann gilt (Preise brutto, also mit Umsatzsteuer). "
                    "Den Verbrauch verteilen wir gleichmäßig nach Tagen."
                ),
            ),
            *(_explain_part(part, days_per_year=days) for part in self.parts),
        ]
        total = " + ".join(format_eur(part.total_eur) for part in self.parts)
        steps.append(
            Step(
                text=f"Zusammen sind das {format_eur(self.annual_cost_eur)} für die zwölf Monate.",
                formula=f"{total} = {format_eur(self.annual_cost_eur)}",
                amount=self.annual_cost_eur,
            )
        )
        cost = self.annual_cost_eur
        exact = cost / self.installments
        steps.append(
            Step(
                text=(
                    f"Diesen Betrag verteilen wir auf {self.installments} gleiche Abschläge "
                    "(monatliche Teilzahlungen)."
                ),
                formula=f"{format_eur(cost)} ÷ {self.installments} {equals_sign(exact)} {format_eur(exact)}",
                amount=exact.quantize(CENT, ROUND_HALF_UP),
            )
        )
        steps.append(
            Step(
                text=(
                    "Wir runden den Abschlag auf volle Euro; ab 50 Cent runden wir auf. Ihr Abschlag beträgt "
                    f"{format_eur(self.installment_eur)}."
                ),
                formula=f"{format_eur(exact)} → {format_eur(self.installment_eur)}",
                amount=self.installment_eur,
            )
        )
        return tuple(steps)


def recommended_advance_for_year(*, contract: Contract, pricing: PricingData, start: date) -> YearAdvance | None:
    """Return the Abschlag the forecast calls for in the twelve months from ``start`` (a due date), at the prices that
    apply to the contract in them, announced changes and its deferrals included; None without a price (no queries).

    This is the amount the Abschlag page recommends and the 20 % / 3 × rules compare with: a new Abschlag applies from
    the next due date on, so the prices of the months it is paid in count, not only today's (``recommended_advance``
    keeps the price of one day, as a price-change notice needs it).
    """
    end = _one_year_after(start)
    periods = price_periods(contract=contract, pricing=pricing, start=start, end=end)
    if not periods:
        return None
    forecast = contract.forecast_kwh
    installments = contract.installments_per_year
    if len(periods) == 1:
        single = advance.advance_payment(
            forecast_kwh=forecast,
            working_price_gross_ct=periods[0].gross.working_price_ct,
            base_price_gross_eur_year=periods[0].gross.base_price_eur_year,
            installments=installments,
        )
        return YearAdvance(
            period_start=start,
            period_end=end,
            forecast_kwh=forecast,
            installments=installments,
            parts=(),
            annual_cost_eur=single.annual_cost_eur,
            installment_eur=single.installment_eur,
            single=single,
        )
    days = (end - start).days
    parts = cost_parts(periods=periods, kwh=forecast, days_per_year=days)
    cost = sum((part.total_eur for part in parts), ZERO)
    return YearAdvance(
        period_start=start,
        period_end=end,
        forecast_kwh=forecast,
        installments=installments,
        parts=parts,
        annual_cost_eur=cost,
        installment_eur=(cost / installments).quantize(EURO, ROUND_HALF_UP) + ZERO,
    )


# --- the Abschlag plan --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanStep:
    """The Abschlag in force from a due date on: the latest entry of the plan for that date."""

    valid_from: date
    amount_eur: Decimal
    source: str

    @property
    def source_label(self) -> str:
        """Return why the entry was made ("Preisänderung", "Kundenwunsch", …)."""
        return str(AdvancePaymentChange.Source(self.source).label)

    @property
    def is_price_change(self) -> bool:
        return self.source == AdvancePaymentChange.Source.PRICE_CHANGE


def plan_steps(changes: Iterable[AdvancePaymentChange], *, after: date) -> tuple[PlanStep, ...]:
    """Return the plan's steps on due dates after ``after``, one per date: the entry entered last for it wins (the
    plan's order is valid_from, then id, as everywhere)."""
    latest: dict[date, AdvancePaymentChange] = {}
    for change in sorted(changes, key=lambda change: (change.valid_from, change.pk)):
        if change.valid_from > after:
            latest[change.valid_from] = change
    return tuple(
        PlanStep(valid_from=day, amount_eur=change.amount_eur, source=change.source) for day, change in latest.items()
    )


def amount_in_force(changes: list[AdvancePaymentChange], *, day: date) -> Decimal | None:
    """Return the Abschlag the plan sets for a due date, or None before its first entry (``changes`` ordered by
    valid_from, id)."""
    amount = None
    for change in changes:
        if change.valid_from > day:
            break
        amount = change.amount_eur
    return amount


def get_later_plan_steps(*, contract: Contract, as_of: date) -> tuple[PlanStep, ...]:
    """Return the plan entries after the next due date, e.g. a new Abschlag for a price change from 01.02.2027: a new
    Abschlag from the next due date would otherwise end there without anyone noticing (1 query)."""
    after = next_due_date(contract=contract, as_of=as_of)
    changes = contract.advance_changes.filter(valid_from__gt=after)
    if contract.end_date is not None:  # a due date after the end of supply never falls due
        changes = changes.filter(valid_from__lt=contract.end_date)
    return plan_steps(changes.order_by("valid_from", "id"), after=after)


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
    status: str = Contract.Status.ACTIVE
    cancellation_kind: str = ""
    latest_reading_is_flagged: bool = False  # "wird geprüft": not used for projections until it is checked

    @property
    def is_move_reported(self) -> bool:
        """Tell whether the contract ends because the customer moves out (reported with „Umzug melden“)."""
        return self.cancellation_kind == CANCELLATION_KIND_MOVE and self.status == Contract.Status.CANCELLED


def _status_label(contract: Contract) -> str:
    """Return the contract's status as customers read it: a reported move is „Auszug gemeldet“, not „gekündigt“."""
    if contract.is_cancelled and contract.cancellation_kind == CANCELLATION_KIND_MOVE:
        return "Auszug gemeldet"
    return str(contract.get_status_display())


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
            latest_reading_is_flagged=_latest(readings, "is_flagged"),
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
                status_label=_status_label(contract),
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
                status=contract.status,
                cancellation_kind=contract.cancellation_kind,
                latest_reading_is_flagged=bool(contract.latest_reading_is_flagged),
            )
        )
    return summaries


def get_latest_reading(*, contract: Contract, before: date | None = None) -> MeterReading | None:
    """Return the latest reading (optionally strictly before a date), flagged ones included: a later reading must not
    be below it either; callers show ``is_flagged`` („wird geprüft“)."""
    readings = contract.readings.all()
    if before is not None:
        readings = readings.filter(read_date__lt=before)
    return readings.order_by("-read_date", "-id").first()


def get_next_reading(*, contract: Contract, after: date) -> MeterReading | None:
    return contract.readings.filter(read_date__gt=after).order_by("read_date", "id").first()


def reading_is_correctable(*, reading: MeterReading, user: User | None, today: date) -> bool:
    """Tell whether the customer logged in as ``user`` may replace this reading with a corrected value (1 query).

    Only their own portal reading that no bill uses: entered today (Berlin), or still „wird geprüft“ (flagged as
    implausible, so most likely a typing slip that nothing relies on yet). Everything else goes through staff.
    """
    if user is None or user.pk is None or reading.source != MeterReading.Source.CUSTOMER:
        return False
    if reading.created_by_id != user.pk:
        return False
    if not reading.is_flagged and timezone.localdate(reading.created_at) != today:
        return False
    return not Bill.objects.filter(Q(start_reading=reading) | Q(end_reading=reading)).exists()


@dataclass(frozen=True, slots=True)
class YearConsumption:
    """The consumption of a calendar year, as far as readings cover it: [first_day, until) - ``until`` is the day of
    the reading that closes it (or 1 January of the next year)."""

    year: int
    kwh: Decimal
    first_day: date | None = None
    until: date | None = None

    @property
    def days(self) -> int:
        if self.first_day is None or self.until is None:
            return 0
        return (self.until - self.first_day).days

    @property
    def starts_late(self) -> bool:
        return self.first_day is not None and self.first_day != date(self.year, 1, 1)

    @property
    def ends_early(self) -> bool:
        return self.until is not None and self.until != date(self.year + 1, 1, 1)

    @property
    def is_partial(self) -> bool:
        """Tell whether the readings cover only part of the year (the first and the last year, usually)."""
        return self.starts_late or self.ends_early

    @property
    def label(self) -> str:
        """Return the year as shown: „2021 (ab 01.12.)“, „2026 (bis 02.11.)“, „2022 (01.03.–30.06.)“ or „2023“."""
        if self.first_day is None or self.until is None or not self.is_partial:
            return str(self.year)
        if self.starts_late and self.ends_early:
            return f"{self.year} ({self.first_day:%d.%m.}–{self.until:%d.%m.})"
        if self.starts_late:
            return f"{self.year} (ab {self.first_day:%d.%m.})"
        return f"{self.year} (bis {self.until:%d.%m.})"

    @property
    def kwh_per_day(self) -> Decimal | None:
        """Return the average kWh per day (one decimal): comparable between whole and partial years."""
        if not self.days:
            return None
        return (self.kwh / self.days).quantize(Decimal("0.1"), ROUND_HALF_UP)


def consumption_by_year(*, readings: list[MeterReading], contract: Contract) -> list[YearConsumption]:
    """Return the consumption per calendar year, splitting each interval between readings linearly by days.

    Readings „wird geprüft“ (flagged as implausible) are left out until they are checked. Each year says which days
    the readings cover, so a partial first or last year is not read as a drop in consumption.
    """
    totals: dict[int, Decimal] = defaultdict(Decimal)
    covered: dict[int, tuple[date, date]] = {}
    ordered = sorted(
        (reading for reading in readings if not reading.is_flagged), key=lambda reading: reading.read_date
    )
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
            covered[day.year] = (covered.get(day.year, (day, day))[0], segment_end)
            day = segment_end
    return [
        YearConsumption(
            year=year, kwh=totals[year].quantize(Decimal(1)), first_day=covered[year][0], until=covered[year][1]
        )
        for year in sorted(totals)
    ]


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
    recommended: YearAdvance | None  # for the twelve months from the next due date, announced prices included
    current_advance_eur: Decimal | None
    deferrals: tuple[Deferral, ...] = ()  # price changes that take effect later for this contract (planned, actual)
    extra: dict[str, object] = field(default_factory=dict)
    upcoming_plan: tuple[PlanStep, ...] = ()  # the Abschlag from each later due date on, the latest entry per date

    @property
    def has_partial_years(self) -> bool:
        return any(row.is_partial for row in self.consumption)

    @property
    def has_flagged_readings(self) -> bool:
        """Tell whether a reading „wird geprüft“: consumption and projections leave it out until it is checked."""
        return any(reading.is_flagged for reading in self.readings)


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
    upcoming = [
        step
        for step in plan_steps(changes, after=as_of)
        # a step that repeats the amount before it changes nothing the customer pays
        if step.amount_eur != amount_in_force(changes, day=step.valid_from - timedelta(days=1))
    ]
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
        recommended=recommended_advance_for_year(
            contract=contract, pricing=pricing, start=next_due_date(contract=contract, as_of=as_of)
        ),
        current_advance_eur=current[-1].amount_eur if current else None,
        deferrals=pricing.deferrals_by_contract.get(contract.pk, ()),
        upcoming_plan=tuple(upcoming),
    )


@dataclass(frozen=True, slots=True)
class AdvanceRun:
    """Consecutive due dates still to come with the same Abschlag: ``count`` × ``amount_eur`` from ``first_due``."""

    first_due: date
    count: int
    amount_eur: Decimal


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
    cost_parts: tuple[CostPart, ...] = ()  # one per price period within the year
    already_due_eur: Decimal = ZERO  # Abschläge of the year due up to today
    runs: tuple[AdvanceRun, ...] = ()  # the Abschläge still to come, as planned (or chosen)
    flagged_readings_left_out: int = 0  # readings „wird geprüft“ the estimate does not use

    @property
    def last_day(self) -> date:
        """Return the billing year's last day (``period_end`` is the first day after it)."""
        return self.period_end - timedelta(days=1)

    @property
    def price_changes(self) -> tuple[PricePeriod, ...]:
        """Return the price periods after the first one: the year's price changes (e.g. an announced one)."""
        return tuple(part.period for part in self.cost_parts[1:])

    @property
    def has_planned_changes(self) -> bool:
        """Tell whether the Abschlag still to come changes within the year (e.g. for an announced price change)."""
        return len(self.runs) > 1


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
    *,
    contract: Contract,
    as_of: date,
    advance_eur: Decimal | None = None,
    from_next_due_date: bool = False,
    keep_later: bool = True,
) -> Projection | None:
    """Project a billing year's balance for the Abschlag plan, or for a new Abschlag ``advance_eur`` from the next due
    date (7 queries, whichever year is projected).

    The year is the current billing year; with ``from_next_due_date`` (the Abschlag page) it is the year in which a
    new Abschlag takes effect: when the next due date lies at or after the current year's end, the following year
    (else a new amount could never show an effect in the last month of a billing year). The following year ends after
    one year or with the supply.

    Consumption: the daily rate between the current billing year's first reading and the latest one when they are
    at least 30 days apart, otherwise the forecast; extrapolated linearly by days over the projected year. Readings
    „wird geprüft“ (flagged as implausible) are left out until checked: a typing slip must not show a five-figure
    Nachzahlung. Costs: the year is cut at each price change that applies to the contract (announced ones and its
    deferrals included) and each part priced like a bill line - kWh split by days × gross working price, the gross
    base price × days ÷ 365, each rounded half-up to the cent.

    Abschläge: those already due in the year, plus for each due date still to come the amount the plan sets for it
    (a later entry, e.g. for a price change from 01.02.2027, from its date on). A new ``advance_eur`` applies from the
    next due date; with ``keep_later`` the plan's later entries still apply from their dates, without it the new
    amount replaces them (DOMAIN.md, advance payment).
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
    if end <= start:
        return None
    pricing = get_contract_pricing(contract)
    periods = price_periods(contract=contract, pricing=pricing, start=start, end=end)
    if not periods and following and (today_gross := pricing.contract_gross_on(contract, as_of)) is not None:
        periods = (PricePeriod(start=start, end=end, gross=today_gross),)  # no price known yet for that year
    if not periods:
        return None
    readings = list(contract.readings.filter(read_date__gte=current_start).order_by("read_date", "id"))
    confirmed = [reading for reading in readings if not reading.is_flagged]
    period_days = Decimal((end - start).days)
    basis = "Ihrer Jahresverbrauchsprognose"
    expected_kwh = (contract.forecast_kwh * period_days / 365).quantize(Decimal(1))
    if len(confirmed) >= 2 and (confirmed[-1].read_date - confirmed[0].read_date).days >= 30:
        first, latest = confirmed[0], confirmed[-1]
        used = to_kwh(contract=contract, meter_delta=latest.value - first.value)
        rate = used / (latest.read_date - first.read_date).days
        expected_kwh = (rate * period_days).quantize(Decimal(1))
        basis = "Ihrem bisherigen Verbrauch laut Zählerständen"
    parts = cost_parts(periods=periods, kwh=expected_kwh)
    cost = sum((part.total_eur for part in parts), ZERO)
    plan = list(contract.advance_changes.order_by("valid_from", "id"))
    # From this due date on the plan applies, not the chosen amount (None: never).
    plan_from: date | None = next_due
    if advance_eur is not None:
        later = next((change.valid_from for change in plan if change.valid_from > next_due), None)
        plan_from = later if keep_later else None
    else:
        advance_eur = amount_in_force(plan, day=next_due) or ZERO
    chosen = advance_eur

    def amount_due_on(day: date) -> Decimal:
        if plan_from is not None and day >= plan_from:
            return amount_in_force(plan, day=day) or ZERO
        return chosen

    already_due = (
        contract.installments.filter(due_date__gte=start, due_date__lt=end, due_date__lte=as_of).aggregate(
            total=Sum("amount_eur")
        )["total"]
        or ZERO
    )
    runs: list[AdvanceRun] = []
    for day in _due_dates(start, end):
        if day <= as_of:
            continue
        amount = amount_due_on(day)
        if runs and runs[-1].amount_eur == amount:
            runs[-1] = AdvanceRun(first_due=runs[-1].first_due, count=runs[-1].count + 1, amount_eur=amount)
        else:
            runs.append(AdvanceRun(first_due=day, count=1, amount_eur=amount))
    advances_total = already_due + sum((run.amount_eur * run.count for run in runs), ZERO)
    return Projection(
        period_start=start,
        period_end=end,
        expected_kwh=expected_kwh,
        advance_eur=advance_eur,
        balance=advance.projected_balance(expected_annual_cost=cost, advances_total=advances_total),
        basis=basis,
        is_following_year=following,
        cost_parts=parts,
        already_due_eur=already_due,
        runs=tuple(runs),
        flagged_readings_left_out=len(readings) - len(confirmed),
    )
