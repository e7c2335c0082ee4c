"""The agent's search as you type: name, customer number, contract number, meter number, MaLo-ID, address, phone and
e-mail, in two queries whatever the number of customers.

Callers give their details in any order and form ("Meyer, Hildegard", "Franke 70190", "Lindenstr. 12"), so the query
is split into words and every word must occur in some field of the same customer, or of the customer and one of its
contracts. "Str." and "Strasse" are searched as "str", which every spelling of "Straße" contains. A query that looks
like a phone number ("0711/8765432", "+49 711 8765432", the caller ID) is also compared on digits only, with +49 or
0049 read as the leading 0.

On PostgreSQL ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%…%')``, which the pg_trgm GIN indexes of
customers/migrations/0002_search_indexes.py and 0004 serve (one BitmapOr over the columns per word, the words ANDed);
the digits of the phone number have their own trigram index (contacts/migrations/0011_search_phone_digits_index.py).
SQLite runs the same queries without them. Exact hits on a number (customer, contract, meter, MaLo-ID) come first:
on the phone the customer reads one out, and the agent wants that customer at the top, not 20 partial matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Replace

from customers.models import Contract, Customer

MIN_LENGTH = 2
MAX_ROWS = 20
# Each word adds one OR over all columns; beyond a handful of words a query only gets slower, not more precise.
MAX_WORDS = 6
# A shorter run of digits is a postal code or part of a number, not a phone number.
MIN_PHONE_DIGITS = 6
# Removed from the stored phone number before comparing digits; the same expression is indexed on PostgreSQL, so
# changing it needs a new migration like contacts/migrations/0011_search_phone_digits_index.py.
PHONE_SEPARATORS = (" ", "/", "-", "(", ")", ".", "+")

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
# Identifiers: typed with or without spaces ("1ESY 1100 0001"), so they are also matched on the whole query without
# whitespace.
NUMBER_FIELDS = frozenset({"customer_number", "contract_number", "meter_number", "malo_id"})

_WORD_SEPARATORS = re.compile(r"[\s,;]+")
_SURROUNDING_PUNCTUATION = "\"'()[]„“”‚‘»«:.-–/"
_STREET_SUFFIX = re.compile(r"(?:str\.|straße|strasse)$", re.IGNORECASE)
_PHONE_QUERY = re.compile(r"^[\d\s+/().-]+$")
_PHONE_PREFIX = re.compile(r"^(?:\+|00)49")
_INTERNATIONAL_PREFIX = re.compile(r"^(?:\+|00)")


@dataclass(frozen=True, slots=True)
class SearchRow:
    """One customer found, with the field that matched split into parts; the parts that matched are marked."""

    customer_id: int
    customer_number: str
    name: str
    address: str
    is_vulnerable: bool
    field_label: str
    segments: tuple[tuple[str, bool], ...]  # (text, matched) in order; together the whole field value
    is_exact: bool
    contract_number: str  # "" when the customer's own data matched

    @property
    def before(self) -> str:
        """Return the field value before the first match."""
        parts = []
        for text, matched in self.segments:
            if matched:
                break
            parts.append(text)
        return "".join(parts)

    @property
    def match(self) -> str:
        """Return the first matched part of the field value ("" without highlight)."""
        return next((text for text, matched in self.segments if matched), "")

    @property
    def after(self) -> str:
        """Return the field value after the first match."""
        return "".join(text for text, _matched in self.segments)[len(self.before) + len(self.match) :]


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    rows: tuple[SearchRow, ...]
    too_short: bool
    has_more: bool


@dataclass(frozen=True, slots=True)
class _Terms:
    text: str  # whitespace collapsed, as shown back to the agent
    words: tuple[str, ...]  # each must match some field
    compact: str  # the query without any whitespace, for identifiers typed with spaces
    phone_digits: str  # the digits to find in a phone number, "" if the query does not look like one

    @property
    def is_too_short(self) -> bool:
        return len(self.text) < MIN_LENGTH or not self.words


def _word(raw: str) -> str:
    word = raw.strip(_SURROUNDING_PUNCTUATION)
    return _STREET_SUFFIX.sub("str", word)


def _phone_digits(text: str) -> str:
    """Return the digits to look for when the text looks like a phone number, else "".

    +49 and 0049 count as the leading 0 of a German number; that 0 is then left out, so that numbers stored as
    "0711 …" and as "+49 711 …" are both found (the stored number is compared without separators and without "+").
    """
    if not _PHONE_QUERY.match(text):
        return ""
    number = _PHONE_PREFIX.sub("0", re.sub(r"[^\d+]", "", text.replace("(0)", "")))
    digits = re.sub(r"\D", "", _INTERNATIONAL_PREFIX.sub("", number))  # another country: without + or 00
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    return digits.removeprefix("0")


def _terms(query: str) -> _Terms:
    text = " ".join(query.split())
    words: list[str] = []
    for raw in _WORD_SEPARATORS.split(text):
        word = _word(raw)
        if word and word.lower() not in {known.lower() for known in words}:
            words.append(word)
    return _Terms(
        text=text, words=tuple(words[:MAX_WORDS]), compact="".join(text.split()), phone_digits=_phone_digits(text)
    )


def phone_digits(field: str = "phone") -> Combinable:
    """Return the phone number without separators as a database expression (indexed on PostgreSQL)."""
    expression: Combinable = F(field)
    for separator in PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def _any_contains(fields: Iterable[tuple[str, str]], term: str, *, prefix: str = "") -> Q:
    condition = Q()
    for name, _label in fields:
        condition |= Q(**{f"{prefix}{name}__icontains": term})
    return condition


def _numbers_contain(fields: Iterable[tuple[str, str]], terms: _Terms) -> Q:
    """Match identifiers typed with spaces on the whole query without whitespace.

    A single word is matched as it is, so the condition is then empty (Q() changes nothing in an AND or an OR).
    """
    if len(terms.words) < 2:
        return Q()
    return _any_contains([field for field in fields if field[0] in NUMBER_FIELDS], terms.compact)


def _numbers_exact(names: Iterable[str], terms: _Terms) -> Q:
    condition = Q()
    for name in names:
        lookup = "exact" if name == "malo_id" else "iexact"
        for term in dict.fromkeys((terms.compact, *terms.words)):
            condition |= Q(**{f"{name}__{lookup}": term})
    return condition


def customer_query(query: str) -> QuerySet[Customer, dict[str, Any]]:
    """Return the customers whose own data contain every word, exact customer numbers first (for EXPLAIN in tests)."""
    terms = _terms(query)
    every_word = Q()
    for word in terms.words:
        every_word &= _any_contains(CUSTOMER_FIELDS, word)
    condition = every_word | _numbers_contain(CUSTOMER_FIELDS, terms)
    if terms.phone_digits:
        condition |= Q(phone_digits__contains=terms.phone_digits)
    rank = Case(
        When(_numbers_exact(["customer_number"], terms), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Customer.objects.annotate(phone_digits=phone_digits())
        .filter(condition)
        .annotate(rank=rank)
        .order_by("rank", "name", "id")
        .values(
            "id", "customer_number", "name", "email", "phone", "street", "postal_code", "city", "is_vulnerable", "rank"
        )
    )


def contract_query(query: str) -> QuerySet[Contract, dict[str, Any]]:
    """Return the contracts with their customer where every word occurs in the contract's or the customer's data
    and at least one in the contract's (the others are the customer query's), exact numbers first.

    The first condition, over the contract's columns only, is the one the trigram indexes serve; the second is
    checked on the rows found.
    """
    terms = _terms(query)
    some_word = _numbers_contain(CONTRACT_FIELDS, terms)
    every_word = Q()
    for word in terms.words:
        in_contract = _any_contains(CONTRACT_FIELDS, word)
        some_word |= in_contract
        every_word &= in_contract | _any_contains(CUSTOMER_FIELDS, word, prefix="customer__")
    every_word |= _numbers_contain(CONTRACT_FIELDS, terms)
    exact = _numbers_exact(["contract_number", "meter_number", "malo_id"], terms)
    rank = Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Contract.objects.filter(some_word)
        .filter(every_word)
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


def _spans(value: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Return the merged (start, end) spans of the case-insensitive occurrences of the terms in the value."""
    lowered = value.lower()
    if len(lowered) != len(value):  # a character whose lower case has another length: no highlight
        return []
    found: list[tuple[int, int]] = []
    for term in terms:
        needle = term.lower()
        start = lowered.find(needle) if needle else -1
        while start >= 0:
            found.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _segments(value: str, spans: list[tuple[int, int]]) -> tuple[tuple[str, bool], ...]:
    segments: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if start > position:
            segments.append((value[position:start], False))
        segments.append((value[start:end], True))
        position = end
    if position < len(value):
        segments.append((value[position:], False))
    return tuple(segments)


def _digits_match(value: str, terms: _Terms) -> bool:
    digits = value
    for separator in PHONE_SEPARATORS:
        digits = digits.replace(separator, "")
    return bool(terms.phone_digits) and terms.phone_digits in digits


@dataclass(frozen=True, slots=True)
class _Highlight:
    label: str
    segments: tuple[tuple[str, bool], ...]
    covers_query: bool  # the field alone contains the whole query (all words, an identifier or the phone number)


def _highlight(values: dict[str, Any], fields: Iterable[tuple[str, str]], terms: _Terms) -> _Highlight:
    """Name the field that contains the most words (the first in field order on a tie) and mark them.

    An identifier typed with spaces and a phone number compared on digits count as containing the whole query.
    """
    everything = len(terms.words)
    best_count, best = 0, _Highlight(label="", segments=(), covers_query=False)
    for name, label in fields:
        value = str(values[name] or "")
        lowered = value.lower()
        count = sum(1 for word in terms.words if word.lower() in lowered)
        spans = _spans(value, terms.words) if count else []
        if count < everything and name in NUMBER_FIELDS and everything > 1 and terms.compact.lower() in lowered:
            count, spans = everything, _spans(value, [terms.compact])
        if count < everything and name == "phone" and _digits_match(value, terms):
            count, spans = everything, [(0, len(value))]
        if count > best_count and spans:
            best_count = count
            best = _Highlight(label=label, segments=_segments(value, spans), covers_query=count == everything)
    # No field found: matched in the database only (e.g. special case folding), a row without highlight.
    return best


def search_customers(*, query: str) -> SearchResult:
    """Find customers for the agent: at most 20 rows, exact number matches first (2 queries, none if too short).

    Among the others, a customer with one field that contains the whole query ("Lindenstr. 12" in the street) comes
    before one whose words are spread over several fields.
    """
    terms = _terms(query)
    if terms.is_too_short:
        return SearchResult(query=terms.text, rows=(), too_short=True, has_more=False)
    ranked: list[tuple[tuple[int, int, str, int, int], SearchRow]] = []
    customers = list(customer_query(terms.text)[: MAX_ROWS + 1])
    for values in customers:
        highlight = _highlight(values, CUSTOMER_FIELDS, terms)
        row = SearchRow(
            customer_id=values["id"],
            customer_number=values["customer_number"],
            name=values["name"],
            address=f"{values['street']}, {values['postal_code']} {values['city']}",
            is_vulnerable=values["is_vulnerable"],
            field_label=highlight.label,
            segments=highlight.segments,
            is_exact=values["rank"] == 0,
            contract_number="",
        )
        spread = 0 if highlight.covers_query else 1
        ranked.append(((values["rank"], spread, values["name"], values["id"], 0), row))
    contracts = list(contract_query(terms.text)[: MAX_ROWS * 2])
    for values in contracts:
        highlight = _highlight(values, CONTRACT_FIELDS, terms)
        row = SearchRow(
            customer_id=values["customer_id"],
            customer_number=values["customer__customer_number"],
            name=values["customer__name"],
            address=f"{values['customer__street']}, {values['customer__postal_code']} {values['customer__city']}",
            is_vulnerable=values["customer__is_vulnerable"],
            field_label=highlight.label,
            segments=highlight.segments,
            is_exact=values["rank"] == 0,
            contract_number=values["contract_number"],
        )
        spread = 0 if highlight.covers_query else 1
        ranked.append(((values["rank"], spread, values["customer__name"], values["customer_id"], 1), row))
    ranked.sort(key=lambda item: item[0])
    rows: list[SearchRow] = []
    seen: set[int] = set()
    for _key, row in ranked:
        if row.customer_id not in seen:  # one row per customer: the best match
            seen.add(row.customer_id)
            rows.append(row)
    has_more = len(rows) > MAX_ROWS or len(customers) > MAX_ROWS or len(contracts) >= MAX_ROWS * 2
    return SearchResult(query=terms.text, rows=tuple(rows[:MAX_ROWS]), too_short=False, has_more=has_more)
