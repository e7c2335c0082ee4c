"""The agent's search as you type: name, customer number, contract number, meter number, MaLo-ID, address, phone and
e-mail, in two queries whatever the number of customers.

On PostgreSQL ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%…%')``, which the pg_trgm GIN indexes of
customers/migrations/0002_search_indexes.py serve (one BitmapOr over the columns of each table). SQLite runs the same
queries without them. Exact hits on a number (customer, contract, meter, MaLo-ID) come first: on the phone the
customer reads one out, and the agent wants that customer at the top, not 20 partial matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from customers.models import Contract, Customer

MIN_LENGTH = 2
MAX_ROWS = 20

# (attribute, label): the order is the order in which a row names the field that matched.
CUSTOMER_FIELDS = (
    ("customer_number", "Kundennummer"),
    ("name", "Name"),
    ("email", "E-Mail"),
    ("phone", "Telefon"),
    ("street", "Straße"),
    ("postal_code", "PLZ"),
    ("city", "Ort"),
)
CONTRACT_FIELDS = (
    ("contract_number", "Vertragsnummer"),
    ("meter_number", "Zählernummer"),
    ("malo_id", "MaLo-ID"),
    ("street", "Lieferstelle"),
    ("postal_code", "PLZ der Lieferstelle"),
    ("city", "Ort der Lieferstelle"),
)
# Identifiers: typed with or without spaces ("1ESY 1100 0001"), so they are matched without whitespace.
NUMBER_FIELDS = frozenset({"customer_number", "contract_number", "meter_number", "malo_id"})


@dataclass(frozen=True, slots=True)
class SearchRow:
    """One customer found, with the field that matched split around the match for highlighting."""

    customer_id: int
    customer_number: str
    name: str
    address: str
    is_vulnerable: bool
    field_label: str
    before: str
    match: str
    after: str
    is_exact: bool
    contract_number: str  # "" when the customer's own data matched


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    rows: tuple[SearchRow, ...]
    too_short: bool
    has_more: bool


@dataclass(frozen=True, slots=True)
class _Terms:
    text: str  # whitespace collapsed, for names and addresses
    compact: str  # without any whitespace, for identifiers

    def for_field(self, name: str) -> str:
        return self.compact if name in NUMBER_FIELDS else self.text


def _terms(query: str) -> _Terms:
    text = " ".join(query.split())
    return _Terms(text=text, compact="".join(text.split()))


def _any_contains(fields: Iterable[tuple[str, str]], terms: _Terms) -> Q:
    condition = Q()
    for name, _label in fields:
        condition |= Q(**{f"{name}__icontains": terms.for_field(name)})
    return condition


def customer_query(query: str) -> QuerySet[Customer, dict[str, Any]]:
    """Return the customers whose own data contain the query, exact customer numbers first (for EXPLAIN in tests)."""
    terms = _terms(query)
    rank = Case(
        When(customer_number__iexact=terms.compact, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Customer.objects.filter(_any_contains(CUSTOMER_FIELDS, terms))
        .annotate(rank=rank)
        .order_by("rank", "name", "id")
        .values(
            "id", "customer_number", "name", "email", "phone", "street", "postal_code", "city", "is_vulnerable", "rank"
        )
    )


def contract_query(query: str) -> QuerySet[Contract, dict[str, Any]]:
    """Return the contracts whose data contain the query with their customer, exact numbers first."""
    terms = _terms(query)
    exact = Q(contract_number__iexact=terms.compact) | Q(meter_number__iexact=terms.compact) | Q(malo_id=terms.compact)
    rank = Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Contract.objects.filter(_any_contains(CONTRACT_FIELDS, terms))
        .annotate(rank=rank)
        .order_by("rank", "customer__name", "customer_id", "id")
        .values(
            "id",
            "contract_number",
            "meter_number",
            "malo_id",
            "street",
            "postal_code",
            "city",
            "customer_id",
            "customer__customer_number",
            "customer__name",
            "customer__street",
            "customer__postal_code",
            "customer__city",
            "customer__is_vulnerable",
            "rank",
        )
    )


def _split(value: str, term: str) -> tuple[str, str, str] | None:
    """Split a value around the first case-insensitive occurrence of the term, or None."""
    lowered = value.lower()
    position = lowered.find(term.lower())
    if position < 0 or len(lowered) != len(value):  # a character whose lower case has another length: no highlight
        return None
    end = position + len(term)
    return value[:position], value[position:end], value[end:]


def _highlight(values: dict[str, Any], fields: Iterable[tuple[str, str]], terms: _Terms) -> tuple[str, str, str, str]:
    for name, label in fields:
        parts = _split(str(values[name] or ""), terms.for_field(name))
        if parts is not None:
            return (label, *parts)
    return "", "", "", ""  # matched in the database only (e.g. special case folding): row without highlight


def search_customers(*, query: str) -> SearchResult:
    """Find customers for the agent: at most 20 rows, exact number matches first (2 queries, none if too short)."""
    terms = _terms(query)
    if len(terms.text) < MIN_LENGTH:
        return SearchResult(query=terms.text, rows=(), too_short=True, has_more=False)
    ranked: list[tuple[tuple[int, str, int, int], SearchRow]] = []
    customers = list(customer_query(terms.text)[: MAX_ROWS + 1])
    for values in customers:
        label, before, match, after = _highlight(values, CUSTOMER_FIELDS, terms)
        row = SearchRow(
            customer_id=values["id"],
            customer_number=values["customer_number"],
            name=values["name"],
            address=f"{values['street']}, {values['postal_code']} {values['city']}",
            is_vulnerable=values["is_vulnerable"],
            field_label=label,
            before=before,
            match=match,
            after=after,
            is_exact=values["rank"] == 0,
            contract_number="",
        )
        ranked.append(((values["rank"], values["name"], values["id"], 0), row))
    contracts = list(contract_query(terms.text)[: MAX_ROWS * 2])
    for values in contracts:
        label, before, match, after = _highlight(values, CONTRACT_FIELDS, terms)
        row = SearchRow(
            customer_id=values["customer_id"],
            customer_number=values["customer__customer_number"],
            name=values["customer__name"],
            address=f"{values['customer__street']}, {values['customer__postal_code']} {values['customer__city']}",
            is_vulnerable=values["customer__is_vulnerable"],
            field_label=label,
            before=before,
            match=match,
            after=after,
            is_exact=values["rank"] == 0,
            contract_number=values["contract_number"],
        )
        ranked.append(((values["rank"], values["customer__name"], values["customer_id"], 1), row))
    ranked.sort(key=lambda item: item[0])
    rows: list[SearchRow] = []
    seen: set[int] = set()
    for _key, row in ranked:
        if row.customer_id not in seen:  # one row per customer: the best match
            seen.add(row.customer_id)
            rows.append(row)
    has_more = len(rows) > MAX_ROWS or len(customers) > MAX_ROWS or len(contracts) >= MAX_ROWS * 2
    return SearchResult(query=terms.text, rows=tuple(rows[:MAX_ROWS]), too_short=False, has_more=has_more)
