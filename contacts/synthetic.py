"""A synthetic customer population for the sales dashboard and its benchmark (``manage.py seed_synthetic``).

Realistic in what the dashboard shows and deterministic for a seed; fast enough for 100,000 customers in about a
minute on two cores: rows are generated as tuples with ids assigned here (from the tables' current maxima), so they
can reference each other before they are written, and written with PostgreSQL ``COPY`` (one ``executemany`` INSERT
per table on other databases), 5,000 customers per batch, each batch in its own transaction. On PostgreSQL two
threads with their own connections write batches while the next is generated (the database's index and foreign-key
work is most of the time, and so runs on two cores). PostgreSQL's id sequences are moved past the new rows at the end
(also after a failed batch) and the tables analysed. Run it on a database that nobody else writes to at the same time.

The model, per customer (``Draws(seed)``, a ``random.Random``):

- 12 % businesses, 3 % vulnerable households, 15 % unhappy (more complaints, negative sentiment, low scores, and a
  higher cancellation hazard); an engagement factor scales how often they are in contact.
- 40 % are long-standing customers (since 5–15 years), 60 % joined in the last five years; one contract (electricity
  mostly), a third have a second one (gas), a few a third (district heat), on the demo tariffs and three synthetic
  tariffs ("… Regional", "Strom Gewerbe") whose price changes are notified (SENT notices with a touchpoint).
- A contract's lifetime is drawn from a monthly cancellation hazard (about 8 % a year) raised by basic supply,
  unhappiness and little contact, lowered by a reached courtesy call; price increases make some customers use their
  special termination right within the notice window (kind EXTRAORDINARY, reason PRICE_CHANGE). About a fifth of
  the other cancellations are moves (kind MOVE); the rest carry a reason (price, other supplier, service, …) or none.
- Courtesy calls (since four years, 14 days after the start; source key ``courtesy:contract:<id>`` like the job):
  done and reached, done and not reached, or skipped with the job's reasons (no consent, vulnerable, contact cap,
  open complaint); the result is an outbound touchpoint and the consent use is recorded.
- About ten touchpoints per customer over the last five years (channels, topics, outcomes, sentiment; a score 0–10
  on about one in eight), annual bills with start and end readings for the last five years (consistent totals:
  gross = net + VAT, balance = gross − relief − advances; about one in ten with a Nachzahlung above 30 % of the
  Abschläge), consents with wording and source, and interests (PV, storage, e-mobility, heat pump) as leads.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import logging
import math
import random
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from contacts import consents
from contacts.courtesy import SKIP_CAP, SKIP_COMPLAINT, SKIP_NO_CONSENT, SKIP_VULNERABLE
from contacts.models import (
    CallGuide,
    CallTask,
    Channel,
    Consent,
    ConsentUse,
    Interest,
    PriceChangeNotice,
    Topic,
    Touchpoint,
)
from customers.cancellation import LeavingReason
from customers.models import Bill, Contract, Customer, MeterReading
from customers.validators import malo_check_digit
from tariffs import demo as tariffs_demo
from tariffs.models import Commodity, CustomerGroup, PriceChange, PriceVersion, Tariff

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")

logger = logging.getLogger(__name__)

BERLIN = ZoneInfo("Europe/Berlin")
NUMBER_PREFIX = "SY"  # customer numbers SY00000001…; contract, meter and bill numbers derive from the ids
BATCH_CUSTOMERS = 5_000
WRITERS = 2  # threads writing batches on PostgreSQL, each with its own connection
TEXT_FIELDS = frozenset({"CharField", "TextField", "SlugField", "EmailField"})
YEARS = 5
COURTESY_YEARS = 4
COURTESY_DELAY = timedelta(days=14)
ONE_DAY = timedelta(days=1)
GRID = MeterReading.Source.GRID_OPERATOR


def synthetic_customer_count() -> int:
    """Return how many synthetic customers exist (numbers starting with SY)."""
    return Customer.objects.filter(customer_number__startswith=NUMBER_PREFIX).count()


# --- writing rows fast ----------------------------------------------------------------------------------------------


def _csv_value(value: object) -> object:
    """Prepare a default value for COPY's CSV format (JSON as text); everything else is written as str()."""
    return json.dumps(value) if isinstance(value, list | dict) else value


def _sql_value(value: Any) -> Any:
    """Adapt a value for a plain INSERT (SQLite): times in UTC as Django stores them, dates and decimals as text."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


class TableWriter:
    """Write rows (tuples in the order of ``columns``, attribute names) into a model's table.

    Columns not given get the field's default (the same for every row), so a field the lead adds later with a
    default does not break the seed.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.columns = tuple(columns)
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        missing = [f for attname, f in concrete.items() if attname not in self.columns]
        now = timezone.now()
        self.extra: list[tuple[str, object]] = [
            (f.column, now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default())
            for f in missing
        ]
        self.db_columns = [concrete[name].column for name in self.columns] + [column for column, _ in self.extra]
        # In COPY's CSV format an empty unquoted value is NULL; for NOT NULL text columns it must be the empty string.
        by_column = {f.column: f for f in concrete.values()}
        self.not_null_text = [
            column
            for column in self.db_columns
            if not by_column[column].null and by_column[column].get_internal_type() in TEXT_FIELDS
        ]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def take(self) -> list[tuple[Any, ...]]:
        """Return the rows added since the last take (they count as written)."""
        rows, self.rows = self.rows, []
        self.written += len(rows)
        return rows

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Write rows on the current thread's connection: COPY on PostgreSQL, one executemany elsewhere."""
        if not rows:
            return
        if connection.vendor == "postgresql":
            self._copy(rows)
        else:
            self._insert(rows)

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        # A plain INSERT with the values adapted by type: several times faster than bulk_create, which prepares
        # every value of every model instance field by field.
        extra = tuple(_sql_value(value) for _column, value in self.extra)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.db_columns)
        placeholders = ", ".join(["%s"] * len(self.db_columns))
        sql = f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, [tuple(_sql_value(value) for value in row) + extra for row in rows])

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        buffer = io.StringIO()
        extra = tuple(_csv_value(value) for _column, value in self.extra)
        csv.writer(buffer, lineterminator="\n").writerows(row + extra for row in rows)
        buffer.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.db_columns)
        force = f", FORCE_NOT_NULL ({', '.join(quote(c) for c in self.not_null_text)})" if self.not_null_text else ""
        table = quote(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv{force})", buffer)


def _next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


# --- the price world -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyntheticTariff:
    code: str
    name: str
    commodity: str
    customer_group: str
    base_ct: str  # net working price in the first version; later versions scale it
    base_eur: str


SYNTHETIC_TARIFFS = (
    SyntheticTariff("sy-strom-regional", "Stadtwerk Strom Regional", Commodity.ELECTRICITY, "household",
                    "24.3697", "109.24"),
    SyntheticTariff("sy-strom-gewerbe", "Stadtwerk Strom Gewerbe", Commodity.ELECTRICITY, "business",
                    "22.6891", "151.26"),
    SyntheticTariff("sy-gas-regional", "Stadtwerk Gas Regional", Commodity.GAS, "household", "5.8824", "117.65"),
)  # fmt: skip
# (valid from, factor on the first version's working price, reason) — the last two are relative to the seed day.
PRICE_STEPS: tuple[tuple[str, str, str], ...] = (
    ("2023-01-01", "1.55", "Die Beschaffungskosten sind wegen der Energiekrise stark gestiegen."),
    ("2024-04-01", "1.20", "Die Beschaffungskosten sind gesunken; wir geben die Senkung weiter."),
    ("recent", "1.28", "Höhere Netzentgelte des Netzbetreibers."),
    ("upcoming", "1.33", "Höhere Kosten für CO₂-Zertifikate und Umlagen."),
)


@dataclass(frozen=True, slots=True)
class Change:
    """A notified price change of a synthetic tariff."""

    id: int
    effective: date
    sent: date
    is_increase: bool
    old_ct: Decimal
    new_ct: Decimal
    base_eur: Decimal


@dataclass
class PriceWorld:
    tariffs: dict[str, Tariff]
    versions: dict[int, list[tuple[date, Decimal, Decimal]]]  # tariff id → (valid from, net ct, net €/year)
    changes: dict[int, list[Change]]  # synthetic tariff id → its notified changes, oldest first
    courtesy_guide_id: int | None

    def price_on(self, tariff_id: int, day: date) -> tuple[Decimal, Decimal]:
        found = self.versions[tariff_id][0]
        for version in self.versions[tariff_id]:
            if version[0] <= day:
                found = version
        return found[1], found[2]


def _first_of_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def ensure_price_world(*, as_of: date) -> PriceWorld:
    """Create the demo tariffs and the synthetic tariffs with their price changes if missing; return the lookups.

    The synthetic tariffs are created once, with a price change about four months ago and one announced for the
    month after next (so notices of the last 90 days exist); running again keeps them as they are.
    """
    tariffs = dict(tariffs_demo.seed_tariffs())
    for spec in SYNTHETIC_TARIFFS:
        tariff, created = Tariff.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "commodity": spec.commodity,
                "customer_group": spec.customer_group,
                "description": "Tarif der synthetischen Testpopulation (seed_synthetic).",
            },
        )
        tariffs[spec.code] = tariff
        if created:
            _create_price_history(tariff=tariff, spec=spec, as_of=as_of)
    versions: dict[int, list[tuple[date, Decimal, Decimal]]] = {}
    for version in PriceVersion.objects.filter(tariff__in=tariffs.values()).order_by("tariff_id", "valid_from"):
        versions.setdefault(version.tariff_id, []).append(
            (version.valid_from, version.working_price_net_ct, version.base_price_net_eur_year)
        )
    changes: dict[int, list[Change]] = {}
    synthetic_ids = [tariffs[spec.code].pk for spec in SYNTHETIC_TARIFFS]
    for change in (
        PriceChange.objects.filter(tariff_id__in=synthetic_ids)
        .select_related("price_version")
        .order_by("tariff_id", "effective_date")
    ):
        history = versions[change.tariff_id]
        before = [v for v in history if v[0] < change.effective_date][-1]
        sent = change.effective_date - timedelta(days=45)
        new_version = change.price_version  # None for a draft or a VAT-only change: no notices to simulate
        if sent > as_of or new_version is None:
            continue
        changes.setdefault(change.tariff_id, []).append(
            Change(
                id=change.pk,
                effective=change.effective_date,
                sent=sent,
                is_increase=new_version.working_price_net_ct > before[1],
                old_ct=before[1],
                new_ct=new_version.working_price_net_ct,
                base_eur=new_version.base_price_net_eur_year,
            )
        )
    guide = CallGuide.objects.filter(topic=Topic.COURTESY_CALL).values_list("id", flat=True).first()
    return PriceWorld(tariffs=tariffs, versions=versions, changes=changes, courtesy_guide_id=guide)


def _create_price_history(*, tariff: Tariff, spec: SyntheticTariff, as_of: date) -> None:
    starts = [date(as_of.year - 15, 1, 1)]
    for when, _factor, _reason in PRICE_STEPS:
        if when == "recent":
            starts.append(_first_of_month(as_of, -4))
        elif when == "upcoming":
            starts.append(_first_of_month(as_of, 2))
        else:
            starts.append(date.fromisoformat(when))
    base_ct, base_eur = Decimal(spec.base_ct), Decimal(spec.base_eur)
    factors = [Decimal(1)] + [Decimal(factor) for _when, factor, _reason in PRICE_STEPS]
    ends: list[date | None] = [*starts[1:], None]
    for index, (valid_from, valid_to, factor) in enumerate(zip(starts, ends, factors, strict=True)):
        version = PriceVersion.objects.create(
            tariff=tariff,
            valid_from=valid_from,
            valid_to=valid_to,
            working_price_net_ct=(base_ct * factor).quantize(Decimal("0.0001")),
            base_price_net_eur_year=(base_eur + 6 * index).quantize(Decimal("0.01")),
        )
        if index == 0:
            continue
        reason = PRICE_STEPS[index - 1][2]
        PriceChange.objects.create(
            tariff=tariff,
            price_version=version,
            effective_date=valid_from,
            reason=reason,
            conditions="Alle übrigen Vertragsbedingungen bleiben unverändert.",
            status=PriceChange.Status.PUBLISHED,
            published_at=timezone.make_aware(datetime.combine(valid_from - timedelta(days=50), time(9))),
        )


# --- the population ---------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Emma", "Paul", "Lena", "Leon", "Laura", "Tim", "Julia",
    "Ursula", "Wolfgang", "Renate", "Brigitte", "Jürgen", "Gisela", "Dieter", "Ingrid", "Helga", "Sabine", "Uwe",
    "Petra", "Frank", "Andrea", "Stefan", "Elif", "Mehmet", "Aylin", "Olga", "Agnieszka", "Giulia", "Marco", "Can",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch",
    "Bauer", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Krüger", "Hartmann", "Lange", "Werner",
    "Krause", "Lehmann", "Köhler", "König", "Huber", "Kaiser", "Fuchs", "Peters", "Möller", "Yılmaz", "Kaya", "Nowak",
)  # fmt: skip
BUSINESS_KINDS = ("Bäckerei", "Metzgerei", "Friseursalon", "Autowerkstatt", "Gaststätte", "Arztpraxis", "Schreinerei")
STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Kirchstraße", "Lindenstraße", "Bergstraße",
    "Mühlweg", "Rosenweg", "Birkenallee", "Neckarstraße", "Schillerstraße", "Goethestraße", "Talstraße",
)  # fmt: skip
PLACES = (
    ("70173", "Stuttgart"), ("70176", "Stuttgart"), ("70190", "Stuttgart"), ("70469", "Stuttgart"),
    ("70734", "Fellbach"), ("70806", "Kornwestheim"), ("71032", "Böblingen"), ("71332", "Waiblingen"),
)  # fmt: skip

CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.LETTER, Channel.PORTAL, Channel.CUSTOMER_CENTER,
            Channel.POP_UP_STORE, Channel.EVENT, Channel.CHAT)  # fmt: skip
CHANNEL_WEIGHTS = (46, 20, 7, 12, 7, 3, 2, 3)
TOPICS = (Topic.BILL, Topic.ADVANCE_PAYMENT, Topic.PRICE_BRAKE, Topic.PRICE_CHANGE, Topic.METER_READING, Topic.MOVE,
          Topic.TARIFF_ADVICE, Topic.PV_STORAGE_EMOBILITY, Topic.HEAT_PUMP, Topic.OTHER)  # fmt: skip
TOPIC_WEIGHTS = (22, 16, 8, 8, 16, 3, 6, 4, 3, 6)
OUTCOMES = (
    Touchpoint.Outcome.RESOLVED, Touchpoint.Outcome.FOLLOW_UP, Touchpoint.Outcome.CALLBACK_AGREED,
    Touchpoint.Outcome.ESCALATED, Touchpoint.Outcome.NOT_REACHED,
)  # fmt: skip
OUTCOME_WEIGHTS = (72, 12, 8, 3, 5)
SUMMARIES = {
    Topic.BILL: "Fragen zur Jahresabrechnung geklärt.",
    Topic.ADVANCE_PAYMENT: "Abschlag besprochen.",
    Topic.PRICE_BRAKE: "Preisbremse erklärt.",
    Topic.PRICE_CHANGE: "Preisänderung erläutert.",
    Topic.METER_READING: "Zählerstand erfasst.",
    Topic.MOVE: "Umzug besprochen.",
    Topic.TARIFF_ADVICE: "Tarifberatung.",
    Topic.PV_STORAGE_EMOBILITY: "Interesse an PV, Speicher oder E-Mobilität.",
    Topic.HEAT_PUMP: "Fragen zur Wärmepumpe.",
    Topic.OTHER: "Allgemeine Frage.",
    Topic.COMPLAINT: "Beschwerde aufgenommen.",
    Topic.COURTESY_CALL: "Höflichkeitsanruf nach Lieferbeginn.",
    Topic.CANCELLATION: "Kündigung eingegangen.",
}
HAPPY_SCORES = (10, 9, 8, 7, 6, 5, 3, 0)
HAPPY_SCORE_WEIGHTS = (26, 26, 20, 12, 7, 4, 3, 2)
UNHAPPY_SCORES = (0, 2, 3, 4, 5, 6, 7, 8, 9, 10)
UNHAPPY_SCORE_WEIGHTS = (10, 10, 12, 12, 14, 14, 12, 8, 5, 3)
REASONS = (
    LeavingReason.PRICE, LeavingReason.OTHER_SUPPLIER, LeavingReason.SERVICE, LeavingReason.OWN_SUPPLY,
    LeavingReason.OTHER, "",
)  # fmt: skip
REASON_WEIGHTS = (28, 22, 8, 6, 10, 26)
INTEREST_KINDS = tuple(Interest.Kind.values)

CUSTOMER_COLUMNS = ("id", "customer_number", "name", "email", "phone", "street", "postal_code", "city",
                    "customer_group", "is_vulnerable", "created_at")  # fmt: skip
CONTRACT_COLUMNS = ("id", "customer_id", "contract_number", "commodity", "tariff_id", "is_basic_supply", "street",
                    "postal_code", "city", "malo_id", "meter_number", "start_date", "end_date", "status",
                    "forecast_kwh", "notice_period_months", "minimum_term_end", "cancelled_at", "cancellation_kind",
                    "cancellation_reason", "created_at")  # fmt: skip
READING_COLUMNS = ("id", "contract_id", "read_date", "value", "source", "created_at")
BILL_COLUMNS = ("id", "contract_id", "number", "kind", "period_start", "period_end", "start_reading_id",
                "end_reading_id", "consumption_kwh", "previous_consumption_kwh", "net_eur", "vat_eur", "gross_eur",
                "relief_eur", "advances_eur", "balance_eur", "issued_date", "due_date")  # fmt: skip
TOUCHPOINT_COLUMNS = ("id", "customer_id", "contract_id", "channel", "direction", "topic", "outcome", "summary",
                      "occurred_at", "duration_seconds", "sentiment", "would_recommend", "created_at")  # fmt: skip
CONSENT_COLUMNS = ("id", "customer_id", "channel", "purpose", "granted_at", "source", "wording", "confirmed_at",
                   "withdrawn_at", "withdrawal_source")  # fmt: skip
TASK_COLUMNS = ("id", "customer_id", "contract_id", "kind", "topic", "due_at", "status", "claimed_at",
                "finished_at", "guide_id", "note", "skip_reason", "result_id", "source_key", "created_at")  # fmt: skip
CONSENT_USE_COLUMNS = ("id", "consent_id", "used_at", "purpose", "touchpoint_id", "call_task_id")
INTEREST_COLUMNS = ("id", "customer_id", "kind", "noted_at", "touchpoint_id")
NOTICE_COLUMNS = ("id", "contract_id", "price_change_id", "status", "medium", "claimed_at", "sent_at",
                  "effective_date", "old_advance_eur", "new_advance_eur", "touchpoint_id")  # fmt: skip


class Draws(random.Random):
    """A seeded random.Random with leaner integer draws (randint: two Python calls instead of three).

    randint, randrange(n) and choice are the hot path of the generation (about 45 draws per customer). They draw
    exactly as CPython's own (rejection sampling on getrandbits, Random._randbelow_with_getrandbits), so a seed gives
    the same population as with a plain random.Random; and as getrandbits is the documented primitive, the population
    no longer depends on how a Python version implements randint.
    """

    def _below(self, width: int) -> int:
        """Return a uniformly drawn integer 0 <= n < width."""
        if width <= 0:
            raise ValueError(f"empty range for a draw below {width}")
        bits = width.bit_length()
        value = self.getrandbits(bits)
        while value >= width:
            value = self.getrandbits(bits)
        return value

    def randint(self, a: int, b: int) -> int:
        return a + self._below(b - a + 1)

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is not None or step != 1:
            return super().randrange(start, stop, step)
        return self._below(start)

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        if not len(seq):
            raise IndexError("Cannot choose from an empty sequence")
        return seq[self._below(len(seq))]


class Pick:
    """Draw one of the values by weight (a bisect on precomputed cumulative weights: fast for millions of draws)."""

    def __init__(self, values: Sequence[Any], weights: Sequence[float]) -> None:
        self.values = tuple(values)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


PICK_FIRST_COMMODITY = Pick((Commodity.ELECTRICITY, Commodity.GAS, Commodity.HEAT), (80, 15, 5))
PICK_HAPPY_SCORE = Pick(HAPPY_SCORES, HAPPY_SCORE_WEIGHTS)
PICK_UNHAPPY_SCORE = Pick(UNHAPPY_SCORES, UNHAPPY_SCORE_WEIGHTS)
PICK_REASON = Pick(REASONS, REASON_WEIGHTS)
PICK_UNHAPPY_REASON = Pick(
    REASONS, [w * 4 if r == LeavingReason.SERVICE else w for r, w in zip(REASONS, REASON_WEIGHTS, strict=True)]
)
PICK_CHANNEL = Pick(CHANNELS, CHANNEL_WEIGHTS)
PICK_TOPIC = Pick(TOPICS, TOPIC_WEIGHTS)
PICK_OUTCOME = Pick(OUTCOMES, OUTCOME_WEIGHTS)
PICK_CANCEL_CHANNEL = Pick((Channel.PORTAL, Channel.PHONE, Channel.LETTER, Channel.EMAIL), (40, 30, 20, 10))


def _cents(value: int) -> str:
    """Render cents as a decimal euro string (exact; works for negative amounts)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Ids:
    """The next free id per model; rows are numbered here so they can reference each other before writing."""

    next: dict[type[models.Model], int] = field(default_factory=dict)

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


@dataclass
class Summary:
    customers: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = ", ".join(f"{_thousands(count)} {name}" for name, count in self.rows.items())
        return f"{_thousands(self.customers)} synthetische Kunden angelegt: {parts}"


class Population:
    """Generate customers and everything around them into table writers (see the module docstring)."""

    def __init__(self, *, seed: int, as_of: date, world: PriceWorld) -> None:
        self.rng = Draws(seed)
        self.as_of = as_of
        self.window_start = _add_years(as_of, -YEARS)
        self.courtesy_start = _add_years(as_of, -COURTESY_YEARS)
        self.world = world
        self.now = timezone.now()
        models_and_columns: tuple[tuple[type[models.Model], Sequence[str]], ...] = (
            (Customer, CUSTOMER_COLUMNS),
            (Contract, CONTRACT_COLUMNS),
            (MeterReading, READING_COLUMNS),
            (Bill, BILL_COLUMNS),
            (Touchpoint, TOUCHPOINT_COLUMNS),
            (Consent, CONSENT_COLUMNS),
            (CallTask, TASK_COLUMNS),
            (ConsentUse, CONSENT_USE_COLUMNS),
            (Interest, INTEREST_COLUMNS),
            (PriceChangeNotice, NOTICE_COLUMNS),
        )
        self.writers = {model: TableWriter(model, columns) for model, columns in models_and_columns}
        self.ids = Ids({model: _next_id(model) for model in self.writers})
        t = world.tariffs
        self.tariff_choices: dict[tuple[str, str], Pick] = {
            (Commodity.ELECTRICITY, "household"): Pick(
                (t[tariffs_demo.ELECTRICITY], t[tariffs_demo.ELECTRICITY_BASIC], t["sy-strom-regional"]), (45, 20, 35)
            ),
            (Commodity.ELECTRICITY, "business"): Pick(
                (t["sy-strom-gewerbe"], t[tariffs_demo.ELECTRICITY_BASIC]), (80, 20)
            ),
            (Commodity.GAS, "household"): Pick((t[tariffs_demo.GAS], t["sy-gas-regional"]), (60, 40)),
            (Commodity.GAS, "business"): Pick((t[tariffs_demo.GAS],), (1,)),
            (Commodity.HEAT, "household"): Pick((t[tariffs_demo.HEAT],), (1,)),
            (Commodity.HEAT, "business"): Pick((t[tariffs_demo.HEAT],), (1,)),
        }
        self.wording_phone = consents.wording_for(
            channel=Consent.ConsentChannel.PHONE, purpose=Consent.Purpose.ADVERTISING
        )
        self.wording_email = consents.wording_for(
            channel=Consent.ConsentChannel.EMAIL, purpose=Consent.Purpose.ADVERTISING
        )

    def add(self, model: type[models.Model], row: tuple[Any, ...]) -> None:
        self.writers[model].add(row)

    def take_batch(self) -> list[tuple[TableWriter, list[tuple[Any, ...]]]]:
        """Return the rows generated since the last call, per table in insertion order (parents first)."""
        return [(writer, writer.take()) for writer in self.writers.values()]

    # -- one customer ---------------------------------------------------------------------------------------------

    def customer(self) -> None:
        rng, as_of = self.rng, self.as_of
        cid = self.ids.take(Customer)
        business = rng.random() < 0.12
        group = CustomerGroup.BUSINESS if business else CustomerGroup.HOUSEHOLD
        unhappy = rng.random() < 0.15
        vulnerable = not business and rng.random() < 0.03
        engagement = rng.choice((0.3, 0.6, 1.0, 1.0, 1.2, 1.5, 2.0))
        if rng.random() < 0.4:
            joined = as_of - timedelta(days=rng.randint(YEARS * 365, 15 * 365))
        else:
            joined = as_of - timedelta(days=rng.randint(1, YEARS * 365))
        last = rng.choice(LAST_NAMES)
        name = f"{rng.choice(BUSINESS_KINDS)} {last}" if business else f"{rng.choice(FIRST_NAMES)} {last}"
        has_email = rng.random() < 0.8
        street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        postal_code, city = rng.choice(PLACES)
        self.add(
            Customer,
            (
                cid, f"{NUMBER_PREFIX}{cid:08d}", name, f"kunde{cid}@example.org" if has_email else "",
                f"0711 {rng.randint(100000, 999999)}" if rng.random() < 0.85 else "", street, postal_code, city,
                group, vulnerable, _at(joined, 9),
            ),
        )  # fmt: skip
        phone_consent = self._consents(cid, joined, has_email)
        contracts = self._contracts(
            cid=cid, business=business, group=group, unhappy=unhappy, vulnerable=vulnerable,
            engagement=engagement, joined=joined, address=(street, postal_code, city), phone_consent=phone_consent,
        )  # fmt: skip
        self._touchpoints(cid=cid, contracts=contracts, joined=joined, unhappy=unhappy, engagement=engagement)
        if rng.random() < 0.1:
            self._interests(cid, joined)

    def _consents(self, cid: int, joined: date, has_email: bool) -> tuple[int, date | None] | None:
        """Write the customer's consents; return (id, withdrawn on) of the phone advertising consent, if any."""
        rng = self.rng
        phone: tuple[int, date | None] | None = None
        if rng.random() < 0.55:
            consent_id = self.ids.take(Consent)
            withdrawn = joined + timedelta(days=rng.randint(30, 2000)) if rng.random() < 0.08 else None
            if withdrawn is not None and withdrawn >= self.as_of:
                withdrawn = None
            granted = _at(joined, 10)
            self.add(
                Consent,
                (
                    consent_id, cid, Consent.ConsentChannel.PHONE, Consent.Purpose.ADVERTISING, granted,
                    Consent.Source.CONTRACT_FORM, self.wording_phone, granted,
                    _at(withdrawn, 11) if withdrawn else None, Consent.Source.PORTAL if withdrawn else "",
                ),
            )  # fmt: skip
            phone = (consent_id, withdrawn)
        if has_email and rng.random() < 0.4:
            granted = _at(joined, 10, 5)
            self.add(
                Consent,
                (
                    self.ids.take(Consent), cid, Consent.ConsentChannel.EMAIL, Consent.Purpose.ADVERTISING, granted,
                    Consent.Source.PORTAL, self.wording_email, granted + timedelta(hours=2), None, "",
                ),
            )  # fmt: skip
        return phone

    def _contracts(
        self,
        *,
        cid: int,
        business: bool,
        group: str,
        unhappy: bool,
        vulnerable: bool,
        engagement: float,
        joined: date,
        address: tuple[str, str, str],
        phone_consent: tuple[int, date | None] | None,
    ) -> list[tuple[int, date, date | None]]:
        """Write the customer's contracts with tasks, notices, readings and bills; return (id, start, end)."""
        rng, as_of = self.rng, self.as_of
        first = PICK_FIRST_COMMODITY(rng)
        commodities = [first]
        if rng.random() < 0.33:
            commodities.append(Commodity.GAS if first != Commodity.GAS else Commodity.ELECTRICITY)
            if rng.random() < 0.15:
                commodities.append(Commodity.HEAT if Commodity.HEAT not in commodities else Commodity.ELECTRICITY)
        result = []
        for index, commodity in enumerate(commodities):
            start = joined if index == 0 else min(joined + timedelta(days=rng.randint(0, 400)), as_of - ONE_DAY)
            tariff: Tariff = self.tariff_choices[(commodity, group)](rng)
            contract_id = self.ids.take(Contract)
            courtesy = self._courtesy(cid, contract_id, start, vulnerable, unhappy, phone_consent)
            end, cancelled_at, kind, reason = self._lifetime(
                contract_id=contract_id, cid=cid, tariff=tariff, start=start, business=business, unhappy=unhappy,
                engagement=engagement, courtesy=courtesy,
            )  # fmt: skip
            if end is None:
                status = Contract.Status.ACTIVE
            else:
                status = Contract.Status.ENDED if end <= as_of else Contract.Status.CANCELLED
            forecast = self._forecast(commodity, business)
            first_ten = f"{6000000000 + contract_id:010d}"
            minimum_term_end = None if tariff.is_basic_supply else _add_years(start, 1)
            self.add(
                Contract,
                (
                    contract_id, cid, f"SYV{contract_id:09d}", commodity, tariff.pk, tariff.is_basic_supply,
                    *address, first_ten + str(malo_check_digit(first_ten)), f"SYZ{contract_id:09d}", start, end,
                    status, forecast, 1, minimum_term_end, cancelled_at, kind, reason, _at(start, 8),
                ),
            )  # fmt: skip
            self._bills(contract_id, tariff, commodity, start, end, forecast, unhappy)
            result.append((contract_id, start, end))
        return result

    def _forecast(self, commodity: str, business: bool) -> int:
        if commodity == Commodity.ELECTRICITY:
            return self.rng.randint(8000, 60000) if business else self.rng.randint(1500, 5500)
        if commodity == Commodity.GAS:
            return self.rng.randint(8000, 25000)
        return self.rng.randint(6000, 18000)

    def _courtesy(
        self,
        cid: int,
        contract_id: int,
        start: date,
        vulnerable: bool,
        unhappy: bool,
        phone_consent: tuple[int, date | None] | None,
    ) -> str:
        """Write the courtesy call of a contract; return REACHED, NOT_REACHED, SKIPPED, PENDING or NONE."""
        rng = self.rng
        if start < self.courtesy_start:
            return "NONE"
        due_day = start + COURTESY_DELAY
        while due_day.weekday() >= 5:
            due_day += ONE_DAY
        due_at = _at(due_day, 10, rng.randint(0, 59))
        task_id = self.ids.take(CallTask)
        key = f"courtesy:contract:{contract_id}"
        if due_day > self.as_of:
            self.add(
                CallTask,
                (task_id, cid, contract_id, CallTask.Kind.COURTESY, Topic.COURTESY_CALL, due_at,
                 CallTask.Status.OPEN, None, None, self.world.courtesy_guide_id, "", "", None, key, _at(start, 7)),
            )  # fmt: skip
            return "PENDING"
        consent_in_force = phone_consent is not None and (phone_consent[1] is None or phone_consent[1] > due_day)
        reason = ""
        if vulnerable:
            reason = SKIP_VULNERABLE
        elif unhappy and rng.random() < 0.1:
            reason = SKIP_COMPLAINT
        elif not consent_in_force:
            reason = SKIP_NO_CONSENT
        elif rng.random() < 0.05:
            reason = SKIP_CAP
        if reason:
            self.add(
                CallTask,
                (task_id, cid, contract_id, CallTask.Kind.COURTESY, Topic.COURTESY_CALL, due_at,
                 CallTask.Status.SKIPPED, None, due_at, self.world.courtesy_guide_id, "", reason, None, key, due_at),
            )  # fmt: skip
            return "SKIPPED"
        assert phone_consent is not None
        reached = rng.random() < 0.78
        touchpoint_id = self.ids.take(Touchpoint)
        called_at = due_at + timedelta(minutes=rng.randint(5, 240))
        happy_score = None
        if reached and rng.random() < 0.4:
            happy_score = (PICK_UNHAPPY_SCORE if unhappy else PICK_HAPPY_SCORE)(rng)
        self.add(
            Touchpoint,
            (
                touchpoint_id, cid, contract_id, Channel.PHONE, Touchpoint.Direction.OUTBOUND, Topic.COURTESY_CALL,
                Touchpoint.Outcome.RESOLVED if reached else Touchpoint.Outcome.NOT_REACHED,
                SUMMARIES[Topic.COURTESY_CALL], called_at, rng.randint(120, 600) if reached else 30,
                (Touchpoint.Sentiment.POSITIVE if rng.random() < 0.5 else Touchpoint.Sentiment.NEUTRAL)
                if reached
                else "",
                happy_score, called_at,
            ),
        )  # fmt: skip
        self.add(
            CallTask,
            (task_id, cid, contract_id, CallTask.Kind.COURTESY, Topic.COURTESY_CALL, due_at, CallTask.Status.DONE,
             due_at, called_at, self.world.courtesy_guide_id, "", "", touchpoint_id, key, due_at),
        )  # fmt: skip
        self.add(
            ConsentUse,
            (self.ids.take(ConsentUse), phone_consent[0], due_at,
             f"Höflichkeitsanruf geplant (Anrufaufgabe {task_id})", touchpoint_id, task_id),
        )  # fmt: skip
        return "REACHED" if reached else "NOT_REACHED"

    def _lifetime(
        self,
        *,
        contract_id: int,
        cid: int,
        tariff: Tariff,
        start: date,
        business: bool,
        unhappy: bool,
        engagement: float,
        courtesy: str,
    ) -> tuple[date | None, datetime | None, str, str]:
        """Draw when the contract ends and why; write its notices. Return (end_date, cancelled_at, kind, reason)."""
        rng, as_of = self.rng, self.as_of
        hazard = 0.0065
        hazard *= 1.4 if tariff.is_basic_supply else 1.0
        hazard *= 0.8 if business else 1.0
        hazard *= 2.3 if unhappy else 1.0
        hazard *= 1.4 if engagement <= 0.6 else 1.0
        hazard *= {"REACHED": 0.65, "NOT_REACHED": 0.95, "SKIPPED": 1.15}.get(courtesy, 1.0)
        days = int(-math.log(1.0 - rng.random()) / hazard * 30.44) + 1
        natural_end = start + timedelta(days=days)
        end: date | None = natural_end
        kind, reason = "", ""
        special_at: datetime | None = None
        for change in self.world.changes.get(tariff.pk, ()):
            if not (start < change.sent and natural_end > change.effective):
                continue
            sent_at = _at(change.sent, 8, rng.randint(0, 59))
            self._notice(contract_id, cid, change, sent_at)
            chance = (0.05 if change.is_increase else 0.01) * (2.5 if unhappy else 1.0)
            if special_at is None and rng.random() < chance:
                window = (min(change.effective, as_of) - change.sent).days
                special_at = sent_at + timedelta(days=rng.randint(0, max(window - 1, 0)), hours=rng.randint(1, 8))
                end = change.effective
                kind, reason = "EXTRAORDINARY", "PRICE_CHANGE"
                break
        if special_at is not None:
            return end, special_at, kind, reason
        assert end is not None
        if end > as_of + timedelta(days=45):
            return None, None, "", ""
        if rng.random() < 0.22:
            cancelled_on = end - timedelta(days=rng.randint(5, 30))
            kind = "MOVE"
        else:
            cancelled_on = end - timedelta(days=rng.randint(31, 75))
            kind = "ORDINARY"
            reason = (PICK_UNHAPPY_REASON if unhappy else PICK_REASON)(rng)
        cancelled_on = max(min(cancelled_on, as_of), start)
        return end, _at(cancelled_on, rng.randint(8, 20), rng.randint(0, 59)), kind, reason

    def _notice(self, contract_id: int, cid: int, change: Change, sent_at: datetime) -> None:
        rng = self.rng
        medium = PriceChangeNotice.Medium.EMAIL if rng.random() < 0.75 else PriceChangeNotice.Medium.LETTER
        touchpoint_id = self.ids.take(Touchpoint)
        self.add(
            Touchpoint,
            (
                touchpoint_id, cid, contract_id,
                Channel.EMAIL if medium == PriceChangeNotice.Medium.EMAIL else Channel.LETTER,
                Touchpoint.Direction.OUTBOUND, Topic.PRICE_CHANGE, Touchpoint.Outcome.RESOLVED,
                "Preisänderungsmitteilung versandt.", sent_at, None, "", None, sent_at,
            ),
        )  # fmt: skip
        kwh = Decimal(rng.randint(1500, 5000))
        old = (kwh * change.old_ct * Decimal("1.19") / 100 + change.base_eur * Decimal("1.19")) / 12
        new = (kwh * change.new_ct * Decimal("1.19") / 100 + change.base_eur * Decimal("1.19")) / 12
        self.add(
            PriceChangeNotice,
            (
                self.ids.take(PriceChangeNotice), contract_id, change.id, PriceChangeNotice.Status.SENT, medium,
                sent_at, sent_at, change.effective, old.quantize(Decimal(1)), new.quantize(Decimal(1)), touchpoint_id,
            ),
        )  # fmt: skip

    def _bills(
        self, contract_id: int, tariff: Tariff, commodity: str, start: date, end: date | None, forecast: int,
        unhappy: bool,
    ) -> None:  # fmt: skip
        """Write annual bills (and the final bill) issued in the last five years, each with its two readings."""
        rng, as_of = self.rng, self.as_of
        last_day = min(end, as_of) if end is not None else as_of
        periods: list[tuple[date, date, str]] = []
        year = 0
        while True:
            period_start, period_end = _add_years(start, year), _add_years(start, year + 1)
            if end is not None and period_end >= end:
                if end <= as_of - timedelta(days=21) and end > period_start:
                    periods.append((period_start, end, Bill.Kind.FINAL))
                break
            if period_end > last_day - timedelta(days=21):
                break
            if period_end > self.window_start:
                periods.append((period_start, period_end, Bill.Kind.ANNUAL))
            year += 1
        if not periods:
            return
        meter = rng.randint(1000, 90000)
        start_reading = self.ids.take(MeterReading)
        self.add(
            MeterReading,
            (
                start_reading,
                contract_id,
                periods[0][0],
                meter,
                MeterReading.Source.GRID_OPERATOR,
                _at(periods[0][0], 12),
            ),
        )
        previous: int | None = None
        high_share = 0.22 if unhappy else 0.08
        for period_start, period_end, kind in periods:
            days = (period_end - period_start).days
            consumption = max(1, round(forecast * days / 365 * rng.uniform(0.85, 1.15)))
            meter += consumption
            end_reading = self.ids.take(MeterReading)
            self.add(
                MeterReading,
                (end_reading, contract_id, period_end, meter, GRID, _at(period_end, 12)),
            )
            middle = period_start + timedelta(days=days // 2)
            ap_ct, gp_eur = self.world.price_on(tariff.pk, middle)
            net = round(Decimal(consumption) * ap_ct + gp_eur * 100 * days / 365)
            reduced = commodity != Commodity.ELECTRICITY and date(2022, 10, 1) <= middle <= date(2024, 3, 31)
            vat = round(net * (0.07 if reduced else 0.19))
            gross = net + vat
            overlap = (min(period_end, date(2024, 1, 1)) - max(period_start, date(2023, 1, 1))).days
            relief = round(gross * 0.08 * overlap / days) if overlap > 0 else 0
            expected = gross - relief
            draw = rng.random()
            if draw < high_share:
                factor = rng.uniform(0.55, 0.74)
            elif draw < high_share + 0.15:
                factor = rng.uniform(0.85, 0.97)
            else:
                factor = rng.uniform(0.97, 1.15)
            advances = round(expected * factor)
            bill_id = self.ids.take(Bill)
            issued = period_end + timedelta(days=rng.randint(5, 20))
            self.add(
                Bill,
                (
                    bill_id, contract_id, f"SYR{bill_id:010d}", kind, period_start, period_end, start_reading,
                    end_reading, consumption, previous, _cents(net), _cents(vat), _cents(gross), _cents(relief),
                    _cents(advances), _cents(gross - relief - advances), issued, issued + timedelta(days=14),
                ),
            )  # fmt: skip
            previous, start_reading = consumption, end_reading

    def _touchpoints(
        self, *, cid: int, contracts: list[tuple[int, date, date | None]], joined: date, unhappy: bool,
        engagement: float,
    ) -> None:  # fmt: skip
        """Write about two contacts a year (scaled by engagement) while the customer is supplied, and cancellations."""
        rng, as_of = self.rng, self.as_of
        span_start = max(joined, self.window_start)
        ends = [end for _id, _start, end in contracts]
        span_end = as_of if any(end is None or end > as_of for end in ends) else max(e for e in ends if e is not None)
        span_days = max((span_end - span_start).days, 1)
        expected = 2.9 * engagement * span_days / 365
        count = max(0, round(rng.gauss(expected, math.sqrt(expected) if expected > 0 else 0)))
        contract_ids = [contract_id for contract_id, _start, _end in contracts]
        complaint_share = 0.18 if unhappy else 0.02
        pick_score = PICK_UNHAPPY_SCORE if unhappy else PICK_HAPPY_SCORE
        for _ in range(count):
            day = span_start + timedelta(days=rng.randrange(span_days))
            if day.weekday() == 6:
                day -= ONE_DAY
            occurred = _at(day, rng.randint(8, 17), rng.randint(0, 59))
            channel = PICK_CHANNEL(rng)
            topic = Topic.COMPLAINT if rng.random() < complaint_share else PICK_TOPIC(rng)
            draw = rng.random()
            if unhappy:
                sentiment = "NEGATIVE" if draw < 0.35 else ("NEUTRAL" if draw < 0.75 else "")
            else:
                sentiment = (
                    "POSITIVE" if draw < 0.3 else ("NEUTRAL" if draw < 0.6 else ("NEGATIVE" if draw < 0.63 else ""))
                )
            if topic == Topic.COMPLAINT and sentiment == "POSITIVE":
                sentiment = "NEUTRAL"
            # the draws in this order keep a seed's population the same
            touchpoint_id = self.ids.take(Touchpoint)
            contract_id = rng.choice(contract_ids) if rng.random() < 0.75 else None
            direction = Touchpoint.Direction.INBOUND if rng.random() < 0.8 else Touchpoint.Direction.OUTBOUND
            outcome = PICK_OUTCOME(rng)
            duration = rng.randint(60, 900) if channel == Channel.PHONE else None
            score = pick_score(rng) if rng.random() < 0.12 else None
            if outcome == Touchpoint.Outcome.NOT_REACHED:  # nobody reached: no mood, no score (model constraint)
                sentiment, score = "", None
            self.add(
                Touchpoint,
                (touchpoint_id, cid, contract_id, channel, direction, topic, outcome, SUMMARIES[topic], occurred,
                 duration, sentiment, score, occurred),
            )  # fmt: skip
        for contract_id, _start, end in contracts:
            if end is None or end > as_of + timedelta(days=45):
                continue
            day = min(end - timedelta(days=rng.randint(20, 60)), as_of)
            if day < span_start:
                continue
            occurred = _at(day, rng.randint(8, 17), rng.randint(0, 59))
            channel = PICK_CANCEL_CHANNEL(rng)
            self.add(
                Touchpoint,
                (
                    self.ids.take(Touchpoint), cid, contract_id, channel, Touchpoint.Direction.INBOUND,
                    Topic.CANCELLATION, Touchpoint.Outcome.RESOLVED, SUMMARIES[Topic.CANCELLATION], occurred,
                    None, "NEGATIVE" if unhappy else "", None, occurred,
                ),
            )  # fmt: skip

    def _interests(self, cid: int, joined: date) -> None:
        rng = self.rng
        first_day = max(joined, self.as_of - timedelta(days=3 * 365))
        span = max((self.as_of - first_day).days, 1)
        for kind in rng.sample(INTEREST_KINDS, rng.choice((1, 1, 2))):
            noted = _at(first_day + timedelta(days=rng.randrange(span)), rng.randint(9, 17))
            self.add(Interest, (self.ids.take(Interest), cid, kind, noted, None))


def seed_population(
    *, customers: int, seed: int, as_of: date, progress: Callable[[str], None] | None = None
) -> Summary:
    """Create ``customers`` synthetic customers with everything around them; return what was written.

    On PostgreSQL outside a transaction, WRITERS threads (each with its own connection) write batches while the next
    one is generated: the batches are independent (a customer's rows only refer to each other and to the price world),
    so two can be written at once and the database's work (indexes, foreign-key checks) runs on two cores. Otherwise
    batches are written one after the other.
    """
    world = ensure_price_world(as_of=as_of)
    population = Population(seed=seed, as_of=as_of, world=world)
    overlap = connection.vendor == "postgresql" and not connection.in_atomic_block
    done = 0
    try:
        with _cyclic_gc_paused(), ThreadPoolExecutor(max_workers=WRITERS) as pool:
            pending: deque[Future[None]] = deque()
            while done < customers:
                size = min(BATCH_CUSTOMERS, customers - done)
                for _ in range(size):
                    population.customer()
                batch = population.take_batch()
                if overlap:
                    if len(pending) == WRITERS:
                        pending.popleft().result()  # at most WRITERS batches in memory besides the one generated
                    pending.append(pool.submit(_write_in_thread, batch))
                else:
                    _write_batch(batch)
                done += size
                if progress is not None:
                    progress(f"{_thousands(done)} von {_thousands(customers)} Kunden")
            while pending:
                pending.popleft().result()
    finally:
        # Also after a failed batch: the batches written before it stay, and the sequences must be past them.
        _finish(population.writers.values())
    return Summary(
        customers=customers,
        rows={str(writer.model._meta.verbose_name_plural): writer.written for writer in population.writers.values()},
    )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while generating and writing.

    The rows are tuples of numbers, strings and dates, which form no reference cycles and are freed by reference
    counting; but with a few hundred thousand of them alive per batch, the collector would walk them again and again
    (about a fifth of the generation time). It runs as before once the population is written.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_batch(batch: list[tuple[TableWriter, list[tuple[Any, ...]]]]) -> None:
    with transaction.atomic():
        for writer, rows in batch:
            writer.write(rows)


def _write_in_thread(batch: list[tuple[TableWriter, list[tuple[Any, ...]]]]) -> None:
    try:
        _write_batch(batch)
    finally:
        connection.close()  # the thread's own connection; the next batch opens a fresh one


def _finish(writers: Iterable[TableWriter]) -> None:
    """Move PostgreSQL's id sequences past the rows written with explicit ids and refresh the planner statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for writer in writers:
            table = writer.model._meta.db_table
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {quoted}))", [table])  # noqa: S608 - a model's table name
            cursor.execute("ANALYZE " + connection.ops.quote_name(table))
