"""The sales retention dashboard: every figure is computed in the database (aggregates and window functions).

Each selector returns plain dataclasses and runs a fixed number of queries, whatever the size of the data. The
figures are defined here once; the page repeats the definitions in German.

Definitions (``Contract.end_date`` is the first day without supply, so the *last day of supply* is end_date − 1):

- **Active at the start of month M** (*Bestand zu Monatsbeginn*): contracts that began before the 1st of M and whose
  last day of supply is on or after the 1st of M (``start_date < M₁`` and ``end_date IS NULL OR end_date > M₁``).
- **New in M**: ``start_date`` in M. **Ended in M**: the last day of supply lies in M. Then, exactly,
  *active at the start of M+1 = active at the start of M + new in M − ended in M*; the database computes the stock
  as a running sum (window function) of new − ended over all earlier months.
- **Cancellation effective in M**: a contract with ``cancelled_at`` set whose last day of supply lies in M. Moves
  (``cancellation_kind`` MOVE) count as cancellations with the reason "Umzug".
- **Monthly churn rate (M)** = cancellations effective in M ÷ active at the start of M.
- **Rolling 12-month churn rate (M)** = cancellations effective in the 12 months ending with M ÷ the average of the
  active-at-start counts of those 12 months (a window frame of 12 rows over a gap-free month series).
- **Period**: whole calendar months from the month of ``date_from`` to ``date_to`` (at most today); events after
  today are not counted.

Filters (period, commodity, tariff, customer group) apply to contracts; figures about customers (contacts, scores,
interests, the at-risk list) take the customers with at least one contract that matches.

Speed: computing everything (:func:`get_dashboard`, 16 queries) takes seconds at 100,000 customers, so the page shows
a snapshot per filter and day (:func:`get_dashboard_snapshot`, Django cache), computed by the daily Celery job
``contacts.dashboard_snapshot`` for the default view, on the first view of another filter, or on request; the page
says when ("Stand"). On PostgreSQL the indexes of contacts/migrations/0009 serve the queries; PostgreSQL's JIT
compiler should be off for this workload (it costs seconds per query here; see benchmarks/bench_dashboard.py).
"""

from __future__ import annotations

import calendar
import logging
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone
from redis.exceptions import RedisError

from contacts import care, queue
from contacts.models import CallTask, Channel, Consent, Interest, PriceChangeNotice, Topic, Touchpoint
from customers.cancellation import LeavingReason
from customers.models import Bill, CancellationRequest, Contract, Customer

logger = logging.getLogger(__name__)

ONE_DAY = timedelta(days=1)
HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")
MOVE_KIND = "MOVE"  # customers.move.CANCELLATION_KIND_MOVE
SPECIAL_TERMINATION_KIND = "EXTRAORDINARY"
PRICE_CHANGE_REASON = "PRICE_CHANGE"  # customers.cancellation.PRICE_CHANGE_REASON
NO_REASON = "UNKNOWN"
AT_RISK_LIMIT = 50
LEAD_LIMIT = 50
VULNERABLE_NO_CALLS = "nein – besonders schutzbedürftig – keine Werbeanrufe"

REASON_LABELS: dict[str, str] = {
    **{choice.value: choice.label for choice in LeavingReason},
    PRICE_CHANGE_REASON: "Preisänderung (Sonderkündigung)",
    "MOVING": "Umzug",
    NO_REASON: "ohne Angabe",
}

TENURE_BANDS: tuple[tuple[str, str, int | None], ...] = (
    # (key, label, upper bound in days of supply, exclusive; None = open)
    ("0", "unter 1 Jahr", 365),
    ("1", "1 bis unter 2 Jahre", 730),
    ("2", "2 bis unter 3 Jahre", 1095),
    ("3", "3 bis unter 5 Jahre", 1826),
    ("4", "5 Jahre und länger", None),
)

CONTACT_BANDS: tuple[tuple[str, str, int | None], ...] = (
    # (key, label, highest number of contacts in the band; None = open)
    ("0", "kein Kontakt", 0),
    ("1", "1–2 Kontakte", 2),
    ("2", "3–5 Kontakte", 5),
    ("3", "6 und mehr Kontakte", None),
)

COURTESY_GROUPS: dict[str, str] = {
    "REACHED": "angerufen und erreicht",
    "NOT_REACHED": "angerufen, nicht erreicht",
    "NOT_CALLED": "nicht angerufen",
}


# --- filters --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """What the dashboard shows: whole months [date_from, date_to] and optional commodity, tariff, customer group.

    Build it with :func:`make_filter`, which snaps the dates to whole months and caps the end at today.
    """

    date_from: date
    date_to: date
    as_of: date
    commodity: str = ""
    tariff_id: int | None = None
    customer_group: str = ""

    @property
    def end_exclusive(self) -> date:
        return self.date_to + ONE_DAY

    @property
    def from_at(self) -> datetime:
        return _start_of_day(self.date_from)

    @property
    def to_at(self) -> datetime:
        """The first moment after the period (exclusive bound for datetimes)."""
        return _start_of_day(self.end_exclusive)

    @property
    def years(self) -> Decimal:
        """The length of the period in years (days ÷ 365.25), for rates per year."""
        return Decimal((self.end_exclusive - self.date_from).days) / Decimal("365.25")

    @property
    def first_month_key(self) -> int:
        return _key(self.date_from)

    @property
    def last_month_key(self) -> int:
        return _key(self.date_to)


def make_filter(
    *,
    date_from: date | None,
    date_to: date | None,
    as_of: date,
    commodity: str = "",
    tariff_id: int | None = None,
    customer_group: str = "",
) -> DashboardFilter:
    """Return a filter for whole months: from the 1st of date_from's month to the end of date_to's month or today.

    Without dates: the twelve months ending with the current month (the current one up to today).
    """
    last = min(date_to or as_of, as_of)
    first = date_from or add_months(last.replace(day=1), -11)
    first = min(first, last).replace(day=1)
    month_end = date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
    return DashboardFilter(
        date_from=first,
        date_to=min(month_end, as_of),
        as_of=as_of,
        commodity=commodity,
        tariff_id=tariff_id,
        customer_group=customer_group,
    )


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), or the last day of that month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _key(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_of(key: int) -> date:
    year, month = divmod(int(key), 12)
    return date(year, month + 1, 1)


def _contracts(flt: DashboardFilter) -> QuerySet[Contract]:
    """Return the contracts that match the commodity, tariff and customer-group filters."""
    contracts = Contract.objects.all()
    if flt.commodity:
        contracts = contracts.filter(commodity=flt.commodity)
    if flt.tariff_id is not None:
        contracts = contracts.filter(tariff_id=flt.tariff_id)
    if flt.customer_group:
        contracts = contracts.filter(customer__customer_group=flt.customer_group)
    return contracts


def _customer_q(flt: DashboardFilter) -> Q:
    """Return a condition on rows with a ``customer`` foreign key: the customer has a contract that matches."""
    condition = Q()
    if flt.commodity or flt.tariff_id is not None:
        matching = Contract.objects.filter(customer_id=OuterRef("customer_id"))
        if flt.commodity:
            matching = matching.filter(commodity=flt.commodity)
        if flt.tariff_id is not None:
            matching = matching.filter(tariff_id=flt.tariff_id)
        condition &= Q(Exists(matching))
    if flt.customer_group:
        condition &= Q(customer__customer_group=flt.customer_group)
    return condition


def _cancelled_between(start: date, end_exclusive: date) -> Q:
    """Contracts cancelled whose last day of supply lies in [start, end_exclusive)."""
    return Q(cancelled_at__isnull=False, end_date__gt=start, end_date__lte=end_exclusive)


def _active_on_first_day(day: date) -> Q:
    """Contracts active at the start of the month beginning on ``day`` (see the module docstring)."""
    return Q(start_date__lt=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


def _ratio(part: int | Decimal, whole: int | Decimal, *, scale: int = 100) -> Decimal | None:
    """Return part ÷ whole × scale rounded half-up to one decimal, or None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _sql(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _fetch(sql: str, params: Sequence[Any], *, using: str = "default") -> list[tuple[Any, ...]]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# --- contracts: stock, new, cancellations, churn ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: date
    active_at_start: int
    new: int
    ended: int
    cancelled: int
    churn_rate: Decimal | None  # percent
    rolling_churn_rate: Decimal | None  # percent, rolling 12 months


@dataclass(frozen=True, slots=True)
class ContractSeries:
    months: list[MonthRow]
    active_at_end: int
    new: int
    cancelled: int
    average_churn_rate: Decimal | None  # percent: cancellations in the period ÷ average stock at month starts
    rolling_churn_rate: Decimal | None  # percent, at the last month


SERIES_SQL = """
WITH RECURSIVE
  started AS (
    SELECT {started_key} AS month_key, grouped.n AS n FROM ({started}) AS grouped
  ),
  ended AS (
    SELECT {ended_key} - grouped.first_day AS month_key, SUM(grouped.n) AS n, SUM(grouped.cancelled) AS cancelled
      FROM ({ended}) AS grouped
     GROUP BY 1
  ),
  months (month_key) AS (
    SELECT MIN(anchor.month_key) FROM (SELECT month_key FROM started UNION ALL SELECT %s) AS anchor
    UNION ALL
    SELECT month_key + 1 FROM months WHERE month_key < %s
  ),
  monthly AS (
    SELECT months.month_key,
           COALESCE(started.n, 0) AS started_n,
           COALESCE(ended.n, 0) AS ended_n,
           COALESCE(ended.cancelled, 0) AS cancelled_n
      FROM months
      LEFT JOIN started ON started.month_key = months.month_key
      LEFT JOIN ended ON ended.month_key = months.month_key
  ),
  stock AS (
    SELECT month_key, started_n, ended_n, cancelled_n,
           COALESCE(SUM(started_n - ended_n) OVER (
             ORDER BY month_key ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS opening
      FROM monthly
  ),
  series AS (
    SELECT month_key, opening, started_n, ended_n, cancelled_n,
           SUM(cancelled_n) OVER last_12 AS cancelled_12,
           SUM(opening) OVER last_12 AS opening_sum_12,
           COUNT(*) OVER last_12 AS months_12
      FROM stock
    WINDOW last_12 AS (ORDER BY month_key ROWS BETWEEN 11 PRECEDING AND CURRENT ROW)
  )
SELECT month_key, opening, started_n, ended_n, cancelled_n, cancelled_12, opening_sum_12, months_12
  FROM series
 WHERE month_key >= %s
 ORDER BY month_key
"""


def _month_key_sql(column: str, *, using: str) -> tuple[str, list[Any]]:
    """Return SQL for year × 12 + month − 1 of a date column: an integer that counts months and sorts like them."""
    ops = connections[using].ops
    year_sql, year_params = ops.date_extract_sql("year", column, ())
    month_sql, month_params = ops.date_extract_sql("month", column, ())
    return f"(CAST({year_sql} AS INTEGER) * 12 + CAST({month_sql} AS INTEGER) - 1)", [*year_params, *month_params]


def get_contract_series(*, flt: DashboardFilter) -> ContractSeries:
    """Return stock, new contracts, cancellations and churn per month of the period (1 query).

    The ORM builds the two grouped counts (starts per month; ends per month, flagged when the end is the 1st, whose
    last day of supply lies in the month before); one SQL statement around them numbers the months, generates the
    gap-free month series (recursive CTE), the stock as a running sum and the rolling 12-month figures (window
    frames). Months are truncated per row and numbered per group, which is cheaper than numbering every row. The ORM
    cannot express a recursive CTE or a window over a join.
    """
    contracts = _contracts(flt)
    started = (
        contracts.filter(start_date__lte=flt.date_to)
        .values(month=TruncMonth("start_date"))
        .annotate(n=Count("id"))
        .order_by()
    )
    first_day = Case(
        When(end_date=TruncMonth("end_date"), then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    ended = (
        contracts.filter(end_date__isnull=False, end_date__lte=flt.end_exclusive)
        .values(month=TruncMonth("end_date"), first_day=first_day)
        .annotate(n=Count("id"), cancelled=Count("id", filter=Q(cancelled_at__isnull=False)))
        .order_by()
    )
    started_sql, started_params = _sql(started)
    ended_sql, ended_params = _sql(ended)
    started_key, started_key_params = _month_key_sql("grouped.month", using=contracts.db)
    ended_key, ended_key_params = _month_key_sql("grouped.month", using=contracts.db)
    sql = SERIES_SQL.format(started_key=started_key, started=started_sql, ended_key=ended_key, ended=ended_sql)
    first_key = flt.first_month_key
    params = [
        *started_key_params,
        *started_params,
        *ended_key_params,
        *ended_params,
        first_key - 11,
        flt.last_month_key,
        first_key,
    ]
    rows = _fetch(sql, params, using=contracts.db)
    months = []
    for key, opening, new, ended_count, cancelled, cancelled_12, opening_sum_12, months_12 in rows:
        opening, cancelled = int(opening), int(cancelled)
        months.append(
            MonthRow(
                month=_month_of(key),
                active_at_start=opening,
                new=int(new),
                ended=int(ended_count),
                cancelled=cancelled,
                churn_rate=_ratio(cancelled, opening),
                # cancellations of 12 months ÷ (sum of 12 openings ÷ 12)
                rolling_churn_rate=_ratio(int(cancelled_12) * int(months_12), int(opening_sum_12))
                if int(months_12) == 12
                else None,
            )
        )
    if not months:
        return ContractSeries(
            months=[], active_at_end=0, new=0, cancelled=0, average_churn_rate=None, rolling_churn_rate=None
        )
    last = months[-1]
    cancelled_total = sum(row.cancelled for row in months)
    opening_total = sum(row.active_at_start for row in months)
    return ContractSeries(
        months=months,
        active_at_end=last.active_at_start + last.new - last.ended,
        new=sum(row.new for row in months),
        cancelled=cancelled_total,
        average_churn_rate=_ratio(cancelled_total * len(months), opening_total),
        rolling_churn_rate=last.rolling_churn_rate,
    )


@dataclass(frozen=True, slots=True)
class CountRow:
    key: str
    label: str
    count: int
    share: Decimal | None  # percent of all rows


def _with_shares(rows: Iterable[tuple[str, str, int]]) -> list[CountRow]:
    materialised = list(rows)
    total = sum(count for _key, _label, count in materialised)
    return [
        CountRow(key=key, label=label, count=count, share=_ratio(count, total)) for key, label, count in materialised
    ]


def get_cancellations_by_reason(*, flt: DashboardFilter) -> list[CountRow]:
    """Return the cancellations effective in the period by reason, most frequent first (1 query).

    The reason is, in this order: "Umzug" for moves; the contract's cancellation_reason (e.g. PRICE_CHANGE for the
    special termination right); the answer to "Warum gehen Sie?" of the latest cancellation-button declaration;
    otherwise "ohne Angabe".
    """
    leaving_reason = (
        CancellationRequest.objects.filter(contract_id=OuterRef("pk"))
        .exclude(leaving_reason="")
        .order_by("-submitted_at", "-id")
        .values("leaving_reason")[:1]
    )
    reason = Case(
        When(cancellation_kind=MOVE_KIND, then=Value("MOVING")),
        When(~Q(cancellation_reason=""), then=F("cancellation_reason")),
        default=Coalesce(NullIf(Subquery(leaving_reason), Value("")), Value(NO_REASON)),
        output_field=CharField(),
    )
    rows = (
        _contracts(flt)
        .filter(_cancelled_between(flt.date_from, flt.end_exclusive))
        .values(reason=reason)
        .annotate(n=Count("id"))
        .order_by("-n", "reason")
    )
    return _with_shares((row["reason"], REASON_LABELS.get(row["reason"], row["reason"]), row["n"]) for row in rows)


@dataclass(frozen=True, slots=True)
class TariffRow:
    tariff_id: int
    tariff_name: str
    active_at_start: int
    cancelled: int
    churn_rate: Decimal | None  # percent of the stock at the period's start


def get_cancellations_by_tariff(*, flt: DashboardFilter) -> list[TariffRow]:
    """Return per tariff the stock at the period's start and the cancellations effective in the period (1 query)."""
    rows = (
        _contracts(flt)
        .values("tariff_id", "tariff__name")
        .annotate(
            opening=Count("id", filter=_active_on_first_day(flt.date_from)),
            cancelled=Count("id", filter=_cancelled_between(flt.date_from, flt.end_exclusive)),
        )
        .filter(Q(opening__gt=0) | Q(cancelled__gt=0))
        .order_by("-cancelled", "tariff__name", "tariff_id")
    )
    return [
        TariffRow(
            tariff_id=row["tariff_id"],
            tariff_name=row["tariff__name"],
            active_at_start=row["opening"],
            cancelled=row["cancelled"],
            churn_rate=_ratio(row["cancelled"], row["opening"]),
        )
        for row in rows
    ]


def _days_supplied() -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F("end_date") - F("start_date"), output_field=DurationField())


def get_cancellations_by_tenure(*, flt: DashboardFilter) -> list[CountRow]:
    """Return the cancellations effective in the period by how long the contract had run (1 query).

    Tenure = days of supply (end_date − start_date); bands: under 1 year (< 365 days), 1–2, 2–3, 3–5, 5 years and more.
    """
    band = Case(
        *[When(tenure__lt=timedelta(days=upper), then=Value(key)) for key, _label, upper in TENURE_BANDS if upper],
        default=Value(TENURE_BANDS[-1][0]),
        output_field=CharField(),
    )
    rows = (
        _contracts(flt)
        .filter(_cancelled_between(flt.date_from, flt.end_exclusive))
        .annotate(tenure=_days_supplied())
        .values(band=band)
        .annotate(n=Count("id"))
        .order_by("band")
    )
    counts = {row["band"]: row["n"] for row in rows}
    return _with_shares((key, label, counts.get(key, 0)) for key, label, _upper in TENURE_BANDS)


# --- price-change notices --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceChangeRow:
    price_change_id: int
    tariff_name: str
    effective_date: date
    notified: int
    cancelled_in_window: int
    special_terminations: int
    cancelled_share: Decimal | None  # percent of notified contracts
    special_share: Decimal | None


@dataclass(frozen=True, slots=True)
class PriceChangeCancellations:
    rows: list[PriceChangeRow]
    notified: int
    cancelled_in_window: int
    special_terminations: int

    @property
    def cancelled_share(self) -> Decimal | None:
        return _ratio(self.cancelled_in_window, self.notified)

    @property
    def special_share(self) -> Decimal | None:
        return _ratio(self.special_terminations, self.notified)


def get_price_change_cancellations(*, flt: DashboardFilter) -> PriceChangeCancellations:
    """Return per price change the contracts notified in the period and how many cancelled in the window (1 query).

    Notified: a notice sent in the period, in time (SENT) or too late for the planned date (LATE, which the change
    then takes effect later for that contract). The notice window runs from sent_at to the end of the day the change
    takes effect for that contract (the notice's effective_date, else the change's). Price cuts count as well: the
    table compares changes. Special terminations are
    the cancellations in the window of kind EXTRAORDINARY or with reason PRICE_CHANGE.
    """
    effective = Coalesce(F("effective_date"), F("price_change__effective_date"))
    in_window = Q(contract__cancelled_at__gte=F("sent_at")) & Q(contract__cancelled_at__date__lte=effective)
    special = Q(contract__cancellation_kind=SPECIAL_TERMINATION_KIND) | Q(
        contract__cancellation_reason=PRICE_CHANGE_REASON
    )
    notices = PriceChangeNotice.objects.filter(
        status__in=care.NOTIFIED, sent_at__gte=flt.from_at, sent_at__lt=flt.to_at
    )
    if flt.commodity:
        notices = notices.filter(contract__commodity=flt.commodity)
    if flt.tariff_id is not None:
        notices = notices.filter(contract__tariff_id=flt.tariff_id)
    if flt.customer_group:
        notices = notices.filter(contract__customer__customer_group=flt.customer_group)
    rows = (
        notices.values("price_change_id", "price_change__tariff__name", "price_change__effective_date")
        .annotate(
            # one notice per contract and change (unique constraint), so counting notices counts contracts
            notified=Count("id"),
            cancelled=Count("id", filter=in_window),
            special=Count("id", filter=in_window & special),
        )
        .order_by("-price_change__effective_date", "price_change_id")
    )
    result = [
        PriceChangeRow(
            price_change_id=row["price_change_id"],
            tariff_name=row["price_change__tariff__name"],
            effective_date=row["price_change__effective_date"],
            notified=row["notified"],
            cancelled_in_window=row["cancelled"],
            special_terminations=row["special"],
            cancelled_share=_ratio(row["cancelled"], row["notified"]),
            special_share=_ratio(row["special"], row["notified"]),
        )
        for row in rows
    ]
    return PriceChangeCancellations(
        rows=result,
        notified=sum(row.notified for row in result),
        cancelled_in_window=sum(row.cancelled_in_window for row in result),
        special_terminations=sum(row.special_terminations for row in result),
    )


# --- courtesy calls ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourtesySummary:
    """Courtesy calls for the contracts that started in the period (each contract counted once)."""

    new_contracts: int
    called: int  # a COURTESY task DONE with a result touchpoint
    reached: int  # … whose outcome is not NOT_REACHED
    skipped: int  # a COURTESY task SKIPPED and none done
    pending: int  # a COURTESY task still OPEN or CLAIMED and none done or skipped
    without_task: int

    @property
    def called_share(self) -> Decimal | None:
        return _ratio(self.called, self.new_contracts)

    @property
    def reached_share(self) -> Decimal | None:
        return _ratio(self.reached, self.new_contracts)

    @property
    def skipped_share(self) -> Decimal | None:
        return _ratio(self.skipped, self.new_contracts)

    @property
    def pending_share(self) -> Decimal | None:
        return _ratio(self.pending, self.new_contracts)

    @property
    def without_task_share(self) -> Decimal | None:
        return _ratio(self.without_task, self.new_contracts)


# A contract's courtesy call in one number, so that one subquery per contract says it all (the highest state wins
# when, unusually, a contract has several courtesy tasks).
COURTESY_REACHED, COURTESY_NOT_REACHED, COURTESY_SKIPPED, COURTESY_PENDING, COURTESY_NONE = 4, 3, 2, 1, 0


def _courtesy_state() -> Coalesce:
    """Return the courtesy-call state of the contract (OuterRef pk) as an integer (see COURTESY_REACHED …)."""
    done = Q(status=CallTask.Status.DONE, result__isnull=False)
    state = Case(
        When(done & ~Q(result__outcome=Touchpoint.Outcome.NOT_REACHED), then=Value(COURTESY_REACHED)),
        When(done, then=Value(COURTESY_NOT_REACHED)),
        When(status=CallTask.Status.SKIPPED, then=Value(COURTESY_SKIPPED)),
        When(status__in=[CallTask.Status.OPEN, CallTask.Status.CLAIMED], then=Value(COURTESY_PENDING)),
        default=Value(COURTESY_NONE),
        output_field=IntegerField(),
    )
    best = (
        CallTask.objects.filter(kind=CallTask.Kind.COURTESY, contract_id=OuterRef("pk"))
        .annotate(state=state)
        .order_by("-state")
        .values("state")[:1]
    )
    return Coalesce(Subquery(best, output_field=IntegerField()), Value(COURTESY_NONE))


def _new_contracts(flt: DashboardFilter) -> QuerySet[Contract]:
    return _contracts(flt).filter(start_date__gte=flt.date_from, start_date__lte=flt.date_to)


def get_courtesy_summary(*, flt: DashboardFilter) -> CourtesySummary:
    """Return how many contracts that started in the period were called, reached, skipped or not yet (1 query)."""
    rows = _new_contracts(flt).values(state=_courtesy_state()).annotate(n=Count("id")).order_by("state")
    counts = {row["state"]: row["n"] for row in rows}
    return CourtesySummary(
        new_contracts=sum(counts.values()),
        called=counts.get(COURTESY_REACHED, 0) + counts.get(COURTESY_NOT_REACHED, 0),
        reached=counts.get(COURTESY_REACHED, 0),
        skipped=counts.get(COURTESY_SKIPPED, 0),
        pending=counts.get(COURTESY_PENDING, 0),
        without_task=counts.get(COURTESY_NONE, 0),
    )


def get_courtesy_skip_reasons(*, flt: DashboardFilter) -> list[CountRow]:
    """Return why courtesy calls for contracts that started in the period were skipped (1 query).

    Grouped by the reason of the fixed list (queue.SkipReason): "Sonstiges: …" with the agent's words counts as
    "Sonstiges", reasons typed freely before the list existed are read by keyword, unknown ones count as "Sonstiges".
    """
    rows = (
        CallTask.objects.filter(
            kind=CallTask.Kind.COURTESY,
            status=CallTask.Status.SKIPPED,
            contract__in=_new_contracts(flt).values("id"),
        )
        .values(reason=queue.skip_reason_group())
        .annotate(n=Count("contract_id", distinct=True))
        .order_by()
    )
    counted = sorted(((queue.SkipReason(row["reason"]), row["n"]) for row in rows), key=lambda r: (-r[1], r[0].label))
    return _with_shares((reason.value, reason.label, n) for reason, n in counted)


@dataclass(frozen=True, slots=True)
class RetentionRow:
    group: str
    label: str
    contracts: int
    retained: int
    retention_rate: Decimal | None  # percent


@dataclass(frozen=True, slots=True)
class CourtesyRetention:
    cohort_from: date
    cohort_to: date
    rows: list[RetentionRow]


def get_courtesy_retention(*, flt: DashboardFilter) -> CourtesyRetention:
    """Return the 12-month retention of contracts whose first year ended in the period, by courtesy call (1 query).

    Cohort: contracts that started between 12 months before the period's start and 12 months before its end, so
    every one has had its first twelve months. Retained: still supplied after 365 days (end_date NULL or at least
    365 days after start_date). Groups: called and reached, called but not reached, not called.
    """
    cohort_from, cohort_to = add_months(flt.date_from, -12), add_months(flt.date_to, -12)
    retained = Q(end_date__isnull=True) | Q(tenure__gte=timedelta(days=365))
    rows = (
        _contracts(flt)
        .filter(start_date__gte=cohort_from, start_date__lte=cohort_to)
        .annotate(tenure=_days_supplied())
        .values(state=_courtesy_state())
        .annotate(n=Count("id"), retained=Count("id", filter=retained))
        .order_by("state")
    )
    group_of = {COURTESY_REACHED: "REACHED", COURTESY_NOT_REACHED: "NOT_REACHED"}
    found: dict[str, tuple[int, int]] = {}
    for row in rows:
        group = group_of.get(row["state"], "NOT_CALLED")
        contracts, retained_count = found.get(group, (0, 0))
        found[group] = (contracts + row["n"], retained_count + row["retained"])
    return CourtesyRetention(
        cohort_from=cohort_from,
        cohort_to=cohort_to,
        rows=[
            RetentionRow(
                group=key,
                label=label,
                contracts=found.get(key, (0, 0))[0],
                retained=found.get(key, (0, 0))[1],
                retention_rate=_ratio(found.get(key, (0, 0))[1], found.get(key, (0, 0))[0]),
            )
            for key, label in COURTESY_GROUPS.items()
        ],
    )


# --- contacts: frequency by channel, churn by frequency --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelRow:
    channel: str
    label: str
    touchpoints: int
    per_customer_per_year: Decimal | None  # two decimals


@dataclass(frozen=True, slots=True)
class ContactFrequency:
    customers: int  # customers with a matching contract supplied at some time in the period
    rows: list[ChannelRow]

    @property
    def touchpoints(self) -> int:
        return sum(row.touchpoints for row in self.rows)

    years: Decimal = Decimal(1)

    @property
    def per_customer_per_year(self) -> Decimal | None:
        if not self.customers:
            return None
        return (Decimal(self.touchpoints) / self.customers / self.years).quantize(Decimal("0.01"))


def _supplied_customers(flt: DashboardFilter) -> QuerySet[Customer]:
    supplied = _contracts(flt).filter(
        Q(customer_id=OuterRef("pk")),
        Q(start_date__lte=flt.date_to),
        Q(end_date__isnull=True) | Q(end_date__gt=flt.date_from),
    )
    return Customer.objects.filter(Exists(supplied))


def get_contact_frequency(*, flt: DashboardFilter) -> ContactFrequency:
    """Return touchpoints per customer per year by channel (2 queries).

    Rate = touchpoints in the period (of the customers that match the filters) ÷ customers supplied in the period ÷
    years of the period.
    """
    base = _supplied_customers(flt).count()
    rows = (
        Touchpoint.objects.filter(_customer_q(flt), occurred_at__gte=flt.from_at, occurred_at__lt=flt.to_at)
        .values("channel")
        .annotate(n=Count("id"))
        .order_by("-n", "channel")
    )
    labels = dict(Channel.choices)
    years = flt.years
    return ContactFrequency(
        customers=base,
        years=years,
        rows=[
            ChannelRow(
                channel=row["channel"],
                label=labels.get(row["channel"], row["channel"]),
                touchpoints=row["n"],
                per_customer_per_year=(Decimal(row["n"]) / base / years).quantize(Decimal("0.01")) if base else None,
            )
            for row in rows
        ],
    )


@dataclass(frozen=True, slots=True)
class BandRow:
    """A band of contact counts: the customers in it counting all contacts, and counting proactive ones only."""

    band: str
    label: str
    customers: int
    churned: int
    churn_rate: Decimal | None  # percent
    proactive_customers: int = 0
    proactive_churned: int = 0

    @property
    def proactive_churn_rate(self) -> Decimal | None:
        return _ratio(self.proactive_churned, self.proactive_customers)


# Outbound tasks we start ourselves (a CALLBACK answers the customer's own request; REVIEW is back-office work).
PROACTIVE_TASK_KINDS = (CallTask.Kind.COURTESY, CallTask.Kind.CARE, CallTask.Kind.WIN_BACK)

CONTACT_BAND_SQL = """
SELECT CASE {bands} END AS band, CASE {proactive_bands} END AS proactive_band,
       COUNT(*) AS customers, SUM(base.churned) AS churned
  FROM ({customers}) AS base
  LEFT JOIN ({contacts}) AS contacts ON contacts.customer_id = base.id
 GROUP BY 1, 2
"""


def _proactive_q() -> Q:
    """Touchpoints we started and that reached the customer: courtesy, care and win-back calls and price notices.

    Outbound, not "nicht erreicht", and either a courtesy call, the result of a COURTESY/CARE/WIN_BACK call task, or
    the touchpoint of a price-change notice. Not proactive: every inbound contact, agreed callbacks, other outbound
    calls an agent records.
    """
    started_by_us = (
        Q(topic=Topic.COURTESY_CALL)
        | Q(Exists(CallTask.objects.filter(result_id=OuterRef("pk"), kind__in=PROACTIVE_TASK_KINDS)))
        | Q(Exists(PriceChangeNotice.objects.filter(touchpoint_id=OuterRef("pk"))))
    )
    return Q(direction=Touchpoint.Direction.OUTBOUND) & ~Q(outcome=Touchpoint.Outcome.NOT_REACHED) & started_by_us


def _band_case(column: str) -> str:
    """Return SQL CASE branches putting a contact count (NULL: none) into CONTACT_BANDS."""
    return (
        " ".join(
            f"WHEN COALESCE({column}, 0) <= {int(upper)} THEN '{key}'"
            for key, _label, upper in CONTACT_BANDS
            if upper is not None
        )
        + f" ELSE '{CONTACT_BANDS[-1][0]}'"
    )


def get_churn_by_contact_frequency(*, flt: DashboardFilter) -> list[BandRow]:
    """Return churn by how often the customer was in contact in the 12 months before the period (1 query).

    Customers: those with a matching contract active at the period's start. Contacts: their touchpoints in the 12
    months before the period's start (so the cancellation call itself is not counted). Churned: a matching contract
    of theirs was cancelled effective in the period. Each band is counted twice: by all contacts (``customers``,
    ``churned``), which mostly measures problem customers (complaints, their own calls), and by proactive contacts
    only (``proactive_customers``, ``proactive_churned``; see :func:`_proactive_q`), which shows whether reaching
    out helps. The ORM builds the customers (with the churn flag) and both contact counts per customer; SQL around
    them joins the two and counts per pair of bands (the ORM cannot group by an aggregate of another query).
    """
    window_from = _start_of_day(add_months(flt.date_from, -12))
    contacts = (
        Touchpoint.objects.filter(occurred_at__gte=window_from, occurred_at__lt=flt.from_at)
        .values("customer_id")
        .annotate(n=Count("id"), proactive=Count("id", filter=_proactive_q()))
        .order_by()
    )
    opening = _contracts(flt).filter(Q(customer_id=OuterRef("pk")) & _active_on_first_day(flt.date_from))
    churned = _contracts(flt).filter(
        Q(customer_id=OuterRef("pk")) & _cancelled_between(flt.date_from, flt.end_exclusive)
    )
    customers = (
        Customer.objects.filter(Exists(opening))
        .annotate(churned=Case(When(Exists(churned), then=Value(1)), default=Value(0), output_field=IntegerField()))
        .values("id", "churned")
        .order_by()
    )
    customers_sql, customers_params = _sql(customers)
    contacts_sql, contacts_params = _sql(contacts)
    sql = CONTACT_BAND_SQL.format(
        bands=_band_case("contacts.n"),
        proactive_bands=_band_case("contacts.proactive"),
        customers=customers_sql,
        contacts=contacts_sql,
    )
    rows = _fetch(sql, [*customers_params, *contacts_params], using=customers.db)
    by_all: dict[str, list[int]] = {key: [0, 0] for key, _label, _upper in CONTACT_BANDS}
    by_proactive: dict[str, list[int]] = {key: [0, 0] for key, _label, _upper in CONTACT_BANDS}
    for band_key, proactive_key, count, churned_count in rows:
        for counts, key in ((by_all, str(band_key)), (by_proactive, str(proactive_key))):
            counts[key][0] += int(count)
            counts[key][1] += int(churned_count or 0)
    return [
        BandRow(
            band=key,
            label=label,
            customers=by_all[key][0],
            churned=by_all[key][1],
            churn_rate=_ratio(by_all[key][1], by_all[key][0]),
            proactive_customers=by_proactive[key][0],
            proactive_churned=by_proactive[key][1],
        )
        for key, label, _upper in CONTACT_BANDS
    ]


# --- would-recommend (NPS) ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreRow:
    month: date | None  # None: the whole period
    scores: int
    promoters: int  # 9–10
    passives: int  # 7–8
    detractors: int  # 0–6

    @property
    def nps(self) -> Decimal | None:
        """% promoters − % detractors, one decimal (−100 … 100)."""
        if not self.scores:
            return None
        return (Decimal(self.promoters - self.detractors) * HUNDRED / self.scores).quantize(
            ONE_DECIMAL, rounding=ROUND_HALF_UP
        )

    @property
    def referral_rate(self) -> Decimal | None:
        """Share of the scores that would recommend us (9 or 10), percent."""
        return _ratio(self.promoters, self.scores)

    @property
    def detractor_rate(self) -> Decimal | None:
        return _ratio(self.detractors, self.scores)


@dataclass(frozen=True, slots=True)
class Recommendation:
    months: list[ScoreRow]
    total: ScoreRow


def get_recommendation(*, flt: DashboardFilter) -> Recommendation:
    """Return NPS and referral rate per month and for the period from the recorded scores (1 query).

    Every recorded would-recommend score (Touchpoint.would_recommend) in the period counts once. NPS = % promoters
    (9–10) − % detractors (0–6); referral rate = % promoters.
    """
    rows = (
        Touchpoint.objects.filter(
            _customer_q(flt), would_recommend__isnull=False, occurred_at__gte=flt.from_at, occurred_at__lt=flt.to_at
        )
        .values(month=TruncMonth("occurred_at"))
        .annotate(
            scores=Count("id"),
            promoters=Count("id", filter=Q(would_recommend__gte=9)),
            passives=Count("id", filter=Q(would_recommend__gte=7, would_recommend__lte=8)),
            detractors=Count("id", filter=Q(would_recommend__lte=6)),
        )
        .order_by("month")
    )
    months = [
        ScoreRow(
            month=timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime) else row["month"],
            scores=row["scores"],
            promoters=row["promoters"],
            passives=row["passives"],
            detractors=row["detractors"],
        )
        for row in rows
    ]
    total = ScoreRow(
        month=None,
        scores=sum(row.scores for row in months),
        promoters=sum(row.promoters for row in months),
        passives=sum(row.passives for row in months),
        detractors=sum(row.detractors for row in months),
    )
    return Recommendation(months=months, total=total)


# --- interests as leads ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterestRow:
    kind: str
    label: str
    in_period: int
    total: int


@dataclass(frozen=True, slots=True)
class Lead:
    customer_id: int
    customer_number: str
    customer_name: str
    kind_label: str
    noted_at: datetime
    phone_allowed: bool  # telephone consent for advertising in force
    email_allowed: bool  # e-mail consent for advertising in force (confirmed)
    is_vulnerable: bool = False  # marked "besonders schutzbedürftig": never an advertising call, consent or not

    @property
    def may_call(self) -> bool:
        """Tell whether an offer may be made by phone: consent in force and not a vulnerable customer."""
        return self.phone_allowed and not self.is_vulnerable

    @property
    def call_note(self) -> str:
        """Say whether an advertising call is allowed, and if not, why (German, for the page and the CSV)."""
        if self.is_vulnerable:
            return VULNERABLE_NO_CALLS
        return "ja" if self.phone_allowed else "nein – keine Telefon-Einwilligung"


def _consent_in_force(channel: str, *, customer_ref: str = "customer_id") -> Exists:
    consents = Consent.objects.filter(
        customer_id=OuterRef(customer_ref),
        channel=channel,
        purpose=Consent.Purpose.ADVERTISING,
        withdrawn_at__isnull=True,
    )
    if channel == Consent.ConsentChannel.EMAIL:
        consents = consents.filter(confirmed_at__isnull=False)
    return Exists(consents)


def get_interest_counts(*, flt: DashboardFilter) -> list[InterestRow]:
    """Return per kind of interest the leads noted in the period and all recorded ones (1 query)."""
    rows = (
        Interest.objects.filter(_customer_q(flt))
        .values("kind")
        .annotate(
            total=Count("id"),
            in_period=Count("id", filter=Q(noted_at__gte=flt.from_at, noted_at__lt=flt.to_at)),
        )
        .order_by("kind")
    )
    found = {row["kind"]: (row["in_period"], row["total"]) for row in rows}
    return [
        InterestRow(kind=kind, label=label, in_period=found.get(kind, (0, 0))[0], total=found.get(kind, (0, 0))[1])
        for kind, label in Interest.Kind.choices
    ]


def get_leads(*, flt: DashboardFilter, limit: int = LEAD_LIMIT) -> list[Lead]:
    """Return the latest interests noted in the period with whether we may call or e-mail the customer (2 queries).

    The consents are looked up for the listed customers only (a second query), not for every lead of the period.
    Vulnerable customers stay on the list (an e-mail or letter may still suit them) but are marked: no advertising
    call, whatever their consent says (the same rule as the call queue and the at-risk list).
    """
    labels = dict(Interest.Kind.choices)
    rows = list(
        Interest.objects.filter(_customer_q(flt), noted_at__gte=flt.from_at, noted_at__lt=flt.to_at)
        .values(
            "customer_id", "customer__customer_number", "customer__name", "customer__is_vulnerable", "kind", "noted_at"
        )
        .order_by("-noted_at", "-id")[:limit]
    )
    allowed = {
        (row["customer_id"], row["channel"])
        for row in Consent.objects.filter(
            customer_id__in={row["customer_id"] for row in rows},
            purpose=Consent.Purpose.ADVERTISING,
            channel__in=[Consent.ConsentChannel.PHONE, Consent.ConsentChannel.EMAIL],
            withdrawn_at__isnull=True,
        )
        .filter(Q(channel=Consent.ConsentChannel.PHONE) | Q(confirmed_at__isnull=False))
        .values("customer_id", "channel")
    }
    return [
        Lead(
            customer_id=row["customer_id"],
            customer_number=row["customer__customer_number"],
            customer_name=row["customer__name"],
            kind_label=labels.get(row["kind"], row["kind"]),
            noted_at=row["noted_at"],
            phone_allowed=(row["customer_id"], Consent.ConsentChannel.PHONE) in allowed,
            email_allowed=(row["customer_id"], Consent.ConsentChannel.EMAIL) in allowed,
            is_vulnerable=bool(row["customer__is_vulnerable"]),
        )
        for row in rows
    ]


# --- the at-risk list ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskRule:
    key: str
    label: str
    points: int


RISK_RULES: tuple[RiskRule, ...] = (
    RiskRule("price_notice", "Preiserhöhung mitgeteilt (letzte 90 Tage)", 3),
    RiskRule("high_back_payment", "Hohe Nachzahlung: mehr als 30 % der Abschläge auf der letzten Rechnung", 3),
    RiskRule("complaint", "Beschwerde (letzte 12 Monate)", 2),
    RiskRule("negative_sentiment", "Negative Stimmung im Kontakt (letzte 6 Monate)", 2),
    RiskRule("detractor", "Würde uns kaum weiterempfehlen: Bewertung 0–6 (letzte 12 Monate)", 2),
    RiskRule("contract_end", "Vertragsende oder Ende der Mindestlaufzeit in den nächsten 90 Tagen", 2),
    RiskRule("no_contact", "Kein Kontakt seit 2 Jahren (Kunde seit mehr als 2 Jahren)", 1),
)
RULES_BY_KEY = {rule.key: rule for rule in RISK_RULES}
HIGH_BACK_PAYMENT_SHARE = Decimal("0.30")
LATEST_BILL_WITHIN = timedelta(days=400)  # annual bills: the latest bill of a contract is at most ~13 months old


@dataclass(frozen=True, slots=True)
class AtRiskCustomer:
    customer_id: int
    customer_number: str
    name: str
    score: int
    reasons: list[RiskRule]
    phone_consent: bool
    is_vulnerable: bool

    @property
    def reason_labels(self) -> list[str]:
        return [rule.label for rule in self.reasons]

    @property
    def can_create_task(self) -> bool:
        return self.phone_consent and not self.is_vulnerable


def _risk_flags(*, as_of: date) -> dict[str, Exists | ExpressionWrapper[Q]]:
    """Return one EXISTS per rule, correlated with the customer's primary key."""
    now = _start_of_day(as_of + ONE_DAY)
    active = Q(contract__status=Contract.Status.ACTIVE)
    newer_bill = Bill.objects.filter(contract_id=OuterRef("contract_id")).filter(
        Q(issued_date__gt=OuterRef("issued_date")) | Q(issued_date=OuterRef("issued_date"), id__gt=OuterRef("id"))
    )
    return {
        # a price increase, notified in time or late; a price cut is no reason to leave (care.price_increases)
        "price_notice": Exists(
            care.price_increases(
                PriceChangeNotice.objects.filter(
                    contract__customer_id=OuterRef("pk"),
                    status__in=care.NOTIFIED,
                    sent_at__gte=now - timedelta(days=90),
                    sent_at__lt=now,
                )
            )
        ),
        "high_back_payment": Exists(
            Bill.objects.filter(
                active,
                contract__customer_id=OuterRef("pk"),
                issued_date__gte=as_of - LATEST_BILL_WITHIN,
                issued_date__lte=as_of,
                advances_eur__gt=0,
                balance_eur__gt=F("advances_eur") * HIGH_BACK_PAYMENT_SHARE,
            ).exclude(Exists(newer_bill))
        ),
        "complaint": Exists(
            Touchpoint.objects.filter(
                customer_id=OuterRef("pk"),
                topic=Topic.COMPLAINT,
                occurred_at__gte=now - timedelta(days=365),
                occurred_at__lt=now,
            )
        ),
        "negative_sentiment": Exists(
            Touchpoint.objects.filter(
                customer_id=OuterRef("pk"),
                sentiment=Touchpoint.Sentiment.NEGATIVE,
                occurred_at__gte=now - timedelta(days=182),
                occurred_at__lt=now,
            )
        ),
        "detractor": Exists(
            Touchpoint.objects.filter(
                customer_id=OuterRef("pk"),
                would_recommend__lte=6,
                occurred_at__gte=now - timedelta(days=365),
                occurred_at__lt=now,
            )
        ),
        "contract_end": Exists(
            Contract.objects.filter(customer_id=OuterRef("pk"), status=Contract.Status.ACTIVE).filter(
                Q(end_date__gt=as_of, end_date__lte=as_of + timedelta(days=90))
                | Q(minimum_term_end__gte=as_of, minimum_term_end__lte=as_of + timedelta(days=90))
            )
        ),
        "no_contact": ExpressionWrapper(
            Q(
                Exists(
                    Contract.objects.filter(
                        customer_id=OuterRef("pk"),
                        status=Contract.Status.ACTIVE,
                        start_date__lte=as_of - timedelta(days=730),
                    )
                )
            )
            & ~Q(
                Exists(
                    Touchpoint.objects.filter(
                        customer_id=OuterRef("pk"), occurred_at__gte=now - timedelta(days=730), occurred_at__lt=now
                    )
                )
            ),
            output_field=BooleanField(),
        ),
    }


AT_RISK_SQL = """
WITH flagged AS MATERIALIZED ({flagged})
SELECT * FROM (SELECT flagged.*, {score} AS score FROM flagged) AS scored
 WHERE score > 0
 ORDER BY score DESC, id
 LIMIT %s
"""


def _at_risk(*, flt: DashboardFilter, as_of: date, limit: int, customer_id: int | None = None) -> list[AtRiskCustomer]:
    """Score the customers by RISK_RULES and return the highest scores (1 query).

    The ORM builds one row per customer with a flag per rule (each an EXISTS, which PostgreSQL runs as a hashed
    subplan); SQL around it adds the points up, keeps scores above 0 and sorts. The flags are materialised first so
    that no rule is evaluated twice (for the score and for the reasons shown).
    """
    matching_active = Contract.objects.filter(customer_id=OuterRef("pk"), status=Contract.Status.ACTIVE)
    if flt.commodity:
        matching_active = matching_active.filter(commodity=flt.commodity)
    if flt.tariff_id is not None:
        matching_active = matching_active.filter(tariff_id=flt.tariff_id)
    customers = Customer.objects.filter(Exists(matching_active))
    if flt.customer_group:
        customers = customers.filter(customer_group=flt.customer_group)
    if customer_id is not None:
        customers = customers.filter(pk=customer_id)
    flagged = (
        customers.annotate(**_risk_flags(as_of=as_of))
        .annotate(phone_consent=_consent_in_force(Consent.ConsentChannel.PHONE, customer_ref="pk"))
        .values("id", "customer_number", "name", "is_vulnerable", "phone_consent", *RULES_BY_KEY)
        .order_by()
    )
    flagged_sql, params = _sql(flagged)
    score = " + ".join(f"CASE WHEN flagged.{rule.key} THEN {int(rule.points)} ELSE 0 END" for rule in RISK_RULES)
    sql = AT_RISK_SQL.format(flagged=flagged_sql, score=score)
    with connections[flagged.db].cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [
        AtRiskCustomer(
            customer_id=row["id"],
            customer_number=row["customer_number"],
            name=row["name"],
            score=int(row["score"]),
            reasons=[rule for rule in RISK_RULES if row[rule.key]],
            phone_consent=bool(row["phone_consent"]),
            is_vulnerable=bool(row["is_vulnerable"]),
        )
        for row in rows
    ]


def get_at_risk_customers(*, flt: DashboardFilter, limit: int = AT_RISK_LIMIT) -> list[AtRiskCustomer]:
    """Return the customers most at risk of leaving today, scored by the transparent RISK_RULES (1 query).

    Every rule is an EXISTS on the customer; the score is the sum of the points of the rules that hold. Only
    customers with a matching active contract and a score above 0 are listed; highest score first, then customer id.
    """
    return _at_risk(flt=flt, as_of=flt.as_of, limit=limit)


def get_risk_of_customer(*, customer_id: int, as_of: date) -> AtRiskCustomer | None:
    """Return the customer's risk today by the same rules (None if no rule holds or no active contract) (1 query)."""
    flt = make_filter(date_from=as_of, date_to=as_of, as_of=as_of)
    rows = _at_risk(flt=flt, as_of=as_of, limit=1, customer_id=customer_id)
    return rows[0] if rows else None


# --- everything at once, and its daily snapshot ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dashboard:
    filter: DashboardFilter
    computed_at: datetime
    series: ContractSeries
    by_reason: list[CountRow]
    by_tariff: list[TariffRow]
    by_tenure: list[CountRow]
    price_changes: PriceChangeCancellations
    courtesy: CourtesySummary
    skip_reasons: list[CountRow]
    retention: CourtesyRetention
    contacts: ContactFrequency
    contact_bands: list[BandRow]
    recommendation: Recommendation
    interests: list[InterestRow]
    leads: list[Lead]
    at_risk: list[AtRiskCustomer]
    rules: tuple[RiskRule, ...] = field(default=RISK_RULES)


def get_dashboard(*, flt: DashboardFilter, now: datetime) -> Dashboard:
    """Compute every figure of the dashboard live: 16 queries, whatever the size of the data."""
    return Dashboard(
        filter=flt,
        computed_at=now,
        series=get_contract_series(flt=flt),
        by_reason=get_cancellations_by_reason(flt=flt),
        by_tariff=get_cancellations_by_tariff(flt=flt),
        by_tenure=get_cancellations_by_tenure(flt=flt),
        price_changes=get_price_change_cancellations(flt=flt),
        courtesy=get_courtesy_summary(flt=flt),
        skip_reasons=get_courtesy_skip_reasons(flt=flt),
        retention=get_courtesy_retention(flt=flt),
        contacts=get_contact_frequency(flt=flt),
        contact_bands=get_churn_by_contact_frequency(flt=flt),
        recommendation=get_recommendation(flt=flt),
        interests=get_interest_counts(flt=flt),
        leads=get_leads(flt=flt),
        at_risk=get_at_risk_customers(flt=flt),
    )


SNAPSHOT_JOB = "dashboard_snapshot"
SNAPSHOT_SECONDS = 26 * 60 * 60  # a day and a bit: the daily job replaces it before it expires
SNAPSHOT_VERSION = 2  # part of the key: raise it when the dataclasses above change shape
SNAPSHOT_ERRORS = (OSError, RedisError, pickle.UnpicklingError, AttributeError, TypeError)


def _snapshot_key(flt: DashboardFilter) -> str:
    parts = (flt.as_of, flt.date_from, flt.date_to, flt.commodity, flt.tariff_id or "", flt.customer_group)
    return f"dashboard:v{SNAPSHOT_VERSION}:" + ":".join(str(part) for part in parts)


def get_dashboard_snapshot(*, flt: DashboardFilter, now: datetime, refresh: bool = False) -> Dashboard:
    """Return the dashboard as computed earlier today for this filter (no query), else compute and keep it.

    At 100,000 customers computing every figure takes seconds, too slow for each page view; so the result is kept per
    filter and day in the Django cache (Redis in production, files locally), computed anew by the daily job
    ``dashboard_snapshot`` for the default view, on the first view of any other filter, and on request ("Neu
    berechnen"). The page shows when it was computed. A cache that cannot be used (e.g. Redis down) is logged and
    skipped: the figures are then computed live.
    """
    key = _snapshot_key(flt)
    if not refresh:
        try:
            cached = cache.get(key)
        except SNAPSHOT_ERRORS:
            logger.warning("dashboard snapshot could not be read; computing live", exc_info=True)
            cached = None
        if isinstance(cached, Dashboard):
            return cached
    data = get_dashboard(flt=flt, now=now)
    try:
        cache.set(key, data, SNAPSHOT_SECONDS)
    except SNAPSHOT_ERRORS:
        logger.warning("dashboard snapshot could not be stored", exc_info=True)
    return data


def refresh_snapshot(*, as_of: date, now: datetime) -> dict[str, Any]:
    """Compute the default view (the last twelve months, no filter) anew and keep it (the daily job)."""
    data = get_dashboard_snapshot(flt=make_filter(date_from=None, date_to=None, as_of=as_of), now=now, refresh=True)
    return {"job": SNAPSHOT_JOB, "as_of": as_of.isoformat(), "at_risk": len(data.at_risk)}
