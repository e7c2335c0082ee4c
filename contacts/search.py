"""The agent's search as you type: name, customer number, contract number, meter number, MaLo-ID, address, phone and
e-mail, in two queries whatever the number of customers.

Callers give their details in any order and form ("Meyer, Hildegard", "Franke 70190", "Lindenstr. 12"), so the query
is split into words and every word must occur in some field of the same customer, or of the customer and one of its
contracts. "Str." and "Strasse" are searched as "str", which every spelling of "Straße" contains. A query that looks
like a phone number ("0711/8765432", "+49 711 8765432", the caller ID) is also compared on digits only, with +49 or
0049 read as the leading 0.

On PostgreSQL ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%…%')``, which the pg_trgm GIN indexes of
customers/migrations/0002_search_indexes.py and 0004 serve (one BitmapOr over the columns per word, the words ANDed);
the digits of the phone number have their own trigram index (customers/migrations/0006_search_phone_digits_index.py).
SQLite runs the same queries without them. Exact hits on a number (customer, contract, meter, MaLo-ID) come first:
on the phone the customer reads one out, and the agent wants that customer at the top, not 20 partial matches.

The rest is ranked in the database, before the 20 rows are cut off, by how well the words match (``_score``): a word
that is a whole word of a name or address field ("4" in "Schillerstraße 4", "Meyer" in "Hildegard Meyer", a whole
postal code) counts 2, the start of a word ("Schiller…", "Mey…") 1, a match inside a word ("…4…" in "Schillerstraße
48") 0. So "Schillerstraße 4" lists the customer at number 4 before those at 48 and 54, "Meyer" the Meyers before
"Obermeyer", and "Meyer Schillerstr 4" the one customer with both. The ranking runs on the rows found only, so it
does not touch the index-served conditions.

Names are misheard on the phone (Meyer, Meier, Maier, Mayer). When nothing matches as typed, customers whose name
contains a sound-alike spelling are shown instead, marked as such: the spellings are derived from the word with
usual German alternatives (ei/ai/ey/ay, dt/tt/t/d at the end, ä/ae, ß/ss, ck/k, tz/z, ph/f, th/t, C/K at the start,
double letters) and kept only if they have the same Kölner Phonetik code as the typed word. They are extra OR arms on
the name column (index-served like the others) in the same two queries; rows that need them sort after every direct
match, and are dropped when there is a direct match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Concat, Replace

from customers.models import Contract, Customer

MIN_LENGTH = 2
MAX_ROWS = 20
# Each word adds one OR over all columns; beyond a handful of words a query only gets slower, not more precise.
MAX_WORDS = 6
# A shorter run of digits is a postal code or part of a number, not a phone number.
MIN_PHONE_DIGITS = 6
# Removed from the stored phone number before comparing digits; the same expression is indexed on PostgreSQL, so
# changing it needs a new migration like customers/migrations/0006_search_phone_digits_index.py.
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
# (field, what separates words in it besides spaces): the fields ranked by whole-word matches (_score); identifiers
# and phone numbers are ranked by the exact-number rule instead. Each separator is one REPLACE per row and field, so
# a field lists only those that occur in it ("Müller-Lüdenscheidt", "Schillerstr. 4", "5/1", "melina@example.org").
_NAME_SEPARATORS = ("-", ",", ".")
_STREET_SEPARATORS = ("-", ",", ".", "/")
_CITY_SEPARATORS = ("-", "/")
_EMAIL_SEPARATORS = ("@", ".", "-")
CUSTOMER_SCORED_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name", _NAME_SEPARATORS),
    ("email", _EMAIL_SEPARATORS),
    ("street", _STREET_SEPARATORS),
    ("postal_code", ()),
    ("city", _CITY_SEPARATORS),
)
CONTRACT_SCORED_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("street", _STREET_SEPARATORS),
    ("postal_code", ()),
    ("city", _CITY_SEPARATORS),
    ("customer__name", _NAME_SEPARATORS),
    ("customer__street", _STREET_SEPARATORS),
    ("customer__postal_code", ()),
    ("customer__city", _CITY_SEPARATORS),
)
STREET_FIELDS = frozenset({"street", "customer__street"})
WHOLE_WORD_POINTS = 2
WORD_START_POINTS = 1
# Characters that separate words inside a field, for the words of the query (the union of those above).
FIELD_WORD_SEPARATORS = ("-", ",", ".", "/", "@")
# Spellings of "Straße" in stored streets, searched as "str" like the words of the query (_word).
STREET_SPELLINGS = ("straße", "Straße", "strasse", "Strasse")
# Sound-alike spellings tried per word of the query (on the name only); more only make the query longer.
MAX_SOUND_ALIKES = 8
MIN_SOUND_ALIKE_LENGTH = 3

_WORD_SEPARATORS = re.compile(r"[\s,;]+")
_SURROUNDING_PUNCTUATION = "\"'()[]„“”‚‘»«:.-–/"
_STREET_SUFFIX = re.compile(r"(?:str\.|straße|strasse)$", re.IGNORECASE)
_PHONE_QUERY = re.compile(r"^[\d\s+/().-]+$")
_PHONE_PREFIX = re.compile(r"^(?:\+|00)49")
_INTERNATIONAL_PREFIX = re.compile(r"^(?:\+|00)")
_FIELD_WORD_SEPARATOR = re.compile("[" + re.escape("".join(FIELD_WORD_SEPARATORS)) + r"\s]+")

# Spellings heard alike, by where in the word they may be swapped: (spellings, "any" | "start" | "end").
_SOUND_ALIKE_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ei", "ai", "ey", "ay"), "any"),
    (("dt", "tt", "t", "d"), "end"),
    (("ä", "ae"), "any"),
    (("ö", "oe"), "any"),
    (("ü", "ue"), "any"),
    (("ß", "ss"), "any"),
    (("ck", "k"), "any"),
    (("tz", "z"), "any"),
    (("ph", "f"), "any"),
    (("th", "t"), "any"),
    (("c", "k"), "start"),
)
# A double letter typed for a single one ("Hofmann" for "Hofman"); the other way round the typed word is contained in
# the stored one anyway.
_DOUBLE_LETTER = re.compile(r"([bdfglmnprt])\1")


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
    is_sound_alike: bool = False  # found by a sound-alike spelling of the name, not as typed

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
    is_sound_alike: bool = False  # nothing matched as typed; the rows are sound-alike names


@dataclass(frozen=True, slots=True)
class _Terms:
    text: str  # whitespace collapsed, as shown back to the agent
    words: tuple[str, ...]  # each must match some field
    compact: str  # the query without any whitespace, for identifiers typed with spaces
    phone_digits: str  # the digits to find in a phone number, "" if the query does not look like one
    sound_alikes: tuple[tuple[str, ...], ...] = ()  # per word: other spellings with the same Kölner Phonetik code

    @property
    def is_too_short(self) -> bool:
        return len(self.text) < MIN_LENGTH or not self.words

    @property
    def has_sound_alikes(self) -> bool:
        return any(self.sound_alikes)


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
    words = words[:MAX_WORDS]
    return _Terms(
        text=text,
        words=tuple(words),
        compact="".join(text.split()),
        phone_digits=_phone_digits(text),
        # A word ending in "str" is a street (_word), not a name.
        sound_alikes=tuple(() if word.lower().endswith("str") else sound_alikes(word) for word in words),
    )


_COLOGNE_VOWELS = frozenset("AEIJOUYÄÖÜ")


def cologne_code(word: str) -> str:
    """Return the Kölner Phonetik code of a word ("Meyer", "Meier", "Maier" → "67"; "Müller-Lüdenscheidt" →
    "65752682").

    Letters are coded by their neighbours (Postel 1969): vowels 0, B/P 1 (PH 3), D/T 2 (before C, S, Z 8), F/V/W 3,
    G/K/Q 4, C 4 or 8 by context, X 48 (8 after C, K, Q), L 5, M/N 6, R 7, S/Z/ß 8, H nothing; then repeated digits
    are merged and every 0 but a leading one is dropped. Characters other than letters are ignored.
    """
    letters = [
        letter for letter in word.upper() if letter.isalpha() and (letter in _COLOGNE_VOWELS or "A" <= letter <= "Z")
    ]
    digits: list[str] = []
    for index, letter in enumerate(letters):
        before = letters[index - 1] if index else ""
        after = letters[index + 1] if index + 1 < len(letters) else ""
        if letter in _COLOGNE_VOWELS:
            code = "0"
        elif letter == "H":
            code = ""
        elif letter == "B":
            code = "1"
        elif letter == "P":
            code = "3" if after == "H" else "1"
        elif letter in "DT":
            code = "8" if after and after in "CSZ" else "2"
        elif letter in "FVW":
            code = "3"
        elif letter in "GKQ":
            code = "4"
        elif letter == "C":
            if index == 0:
                code = "4" if after and after in "AHKLOQRUX" else "8"
            else:
                code = "4" if after and after in "AHKOQUX" and before not in ("S", "Z") else "8"
        elif letter == "X":
            code = "8" if before and before in "CKQ" else "48"
        elif letter == "L":
            code = "5"
        elif letter in "MN":
            code = "6"
        elif letter == "R":
            code = "7"
        else:  # S, Z
            code = "8"
        digits.append(code)
    merged: list[str] = []
    for digit in "".join(digits):
        if not merged or merged[-1] != digit:
            merged.append(digit)
    return "".join(digit for position, digit in enumerate(merged) if digit != "0" or position == 0)


def sound_alikes(word: str) -> tuple[str, ...]:
    """Return other spellings of a name word that sound alike: the usual alternatives (_SOUND_ALIKE_GROUPS, one
    swap each, and a double letter made single), kept only with the same Kölner Phonetik code; at most
    MAX_SOUND_ALIKES. Words with anything but letters, or shorter than 3 letters, have none.
    """
    lowered = word.lower()
    if len(lowered) < MIN_SOUND_ALIKE_LENGTH or not lowered.isalpha():
        return ()
    candidates: list[str] = []
    for spellings, where in _SOUND_ALIKE_GROUPS:
        if where == "any":
            places = [(spelling, match.start()) for spelling in spellings for match in re.finditer(spelling, lowered)]
        elif where == "start":
            places = [(spelling, 0) for spelling in spellings if lowered.startswith(spelling)][:1]
        else:  # the longest spelling the word ends with ("dt", not its "t")
            places = [(spelling, len(lowered) - len(spelling)) for spelling in spellings if lowered.endswith(spelling)]
            places = places[:1]
        for spelling, start in places:
            end = start + len(spelling)
            candidates.extend(lowered[:start] + other + lowered[end:] for other in spellings if other != spelling)
    candidates.extend(
        lowered[: match.start()] + lowered[match.start() + 1 :] for match in _DOUBLE_LETTER.finditer(lowered)
    )
    code = cologne_code(lowered)
    found: list[str] = []
    for candidate in candidates:
        if (
            candidate != lowered
            and candidate not in found
            and lowered not in candidate
            and cologne_code(candidate) == code
        ):
            found.append(candidate)
    return tuple(found[:MAX_SOUND_ALIKES])


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


def _name_sounds_like(name_field: str, alternatives: Iterable[str]) -> Q:
    condition = Q()
    for alternative in alternatives:
        condition |= Q(**{f"{name_field}__icontains": alternative})
    return condition


def _scored_words(field: str, separators: tuple[str, ...]) -> Combinable:
    """Return the field as words between single spaces (" Schillerstr 4 ") as a database expression.

    The separators inside the field become spaces and, in streets, every spelling of "Straße" becomes "str" (as in
    the query), so that " 4 " finds a whole house number and " Meyer " a whole name with one LIKE each.
    """
    expression: Combinable = F(field)
    if field in STREET_FIELDS:
        for spelling in STREET_SPELLINGS:
            expression = Replace(expression, Value(spelling), Value("str"))
    for separator in separators:
        expression = Replace(expression, Value(separator), Value(" "))
    return Concat(Value(" "), expression, Value(" "), output_field=CharField())


def _score_word(word: str) -> str:
    return " ".join(_FIELD_WORD_SEPARATOR.split(word)).strip()


def _aliases(fields: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, Combinable]:
    return {f"words_{name}": _scored_words(name, separators) for name, separators in fields}


def _score(terms: _Terms, aliases: Iterable[str]) -> Combinable:
    """Return the points of a row: per word WHOLE_WORD_POINTS if it is a whole word of a scored field,
    WORD_START_POINTS if a word starts with it, else 0 (see the module docstring)."""
    total: Combinable = Value(0)
    for word in terms.words:
        text = _score_word(word)
        if not text:
            continue
        whole, start = Q(), Q()
        for alias in aliases:
            whole |= Q(**{f"{alias}__icontains": f" {text} "})
            start |= Q(**{f"{alias}__icontains": f" {text}"})
        total = total + Case(
            When(whole, then=Value(WHOLE_WORD_POINTS)),
            When(start, then=Value(WORD_START_POINTS)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return total


def _fallback(direct: Q, terms: _Terms) -> Case | Value:
    """Return 0 for a row that matches as typed, 1 for one found only by a sound-alike name (sorted after)."""
    if not terms.has_sound_alikes:
        return Value(0)
    return Case(When(direct, then=Value(0)), default=Value(1), output_field=IntegerField())


def customer_query(query: str) -> QuerySet[Customer, dict[str, Any]]:
    """Return the customers whose own data contain every word, exact customer numbers first, then the best matches
    (_score), and sound-alike names last (for EXPLAIN in tests)."""
    terms = _terms(query)
    every_word = Q()
    every_word_or_sound_alike = Q()
    for word, alternatives in zip(terms.words, terms.sound_alikes, strict=True):
        in_customer = _any_contains(CUSTOMER_FIELDS, word)
        every_word &= in_customer
        every_word_or_sound_alike &= in_customer | _name_sounds_like("name", alternatives)
    direct = every_word | _numbers_contain(CUSTOMER_FIELDS, terms)
    condition = every_word_or_sound_alike | _numbers_contain(CUSTOMER_FIELDS, terms)
    if terms.phone_digits:
        direct |= Q(phone_digits__contains=terms.phone_digits)
        condition |= Q(phone_digits__contains=terms.phone_digits)
    rank = Case(
        When(_numbers_exact(["customer_number"], terms), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    aliases = _aliases(CUSTOMER_SCORED_FIELDS)
    return (
        Customer.objects.annotate(phone_digits=phone_digits())
        .filter(condition)
        .alias(**aliases)
        .annotate(rank=rank, fallback=_fallback(direct, terms), score=_score(terms, aliases))
        .order_by("fallback", "rank", "-score", "name", "id")
        .values(
            "id",
            "customer_number",
            "name",
            "email",
            "phone",
            "street",
            "postal_code",
            "city",
            "is_vulnerable",
            "rank",
            "fallback",
            "score",
        )
    )


def contract_query(query: str) -> QuerySet[Contract, dict[str, Any]]:
    """Return the contracts with their customer where every word occurs in the contract's or the customer's data
    and at least one in the contract's (the others are the customer query's), exact numbers first, then the best
    matches (_score), sound-alike names of the customer last.

    The first condition, over the contract's columns only, is the one the trigram indexes serve; the second is
    checked on the rows found.
    """
    terms = _terms(query)
    some_word = _numbers_contain(CONTRACT_FIELDS, terms)
    every_word = Q()
    every_word_or_sound_alike = Q()
    for word, alternatives in zip(terms.words, terms.sound_alikes, strict=True):
        in_contract = _any_contains(CONTRACT_FIELDS, word)
        some_word |= in_contract
        in_either = in_contract | _any_contains(CUSTOMER_FIELDS, word, prefix="customer__")
        every_word &= in_either
        every_word_or_sound_alike &= in_either | _name_sounds_like("customer__name", alternatives)
    every_word |= _numbers_contain(CONTRACT_FIELDS, terms)
    every_word_or_sound_alike |= _numbers_contain(CONTRACT_FIELDS, terms)
    exact = _numbers_exact(["contract_number", "meter_number", "malo_id"], terms)
    rank = Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    aliases = _aliases(CONTRACT_SCORED_FIELDS)
    return (
        Contract.objects.filter(some_word)
        .filter(every_word_or_sound_alike)
        .alias(**aliases)
        .annotate(rank=rank, fallback=_fallback(every_word, terms), score=_score(terms, aliases))
        .order_by("fallback", "rank", "-score", "customer__name", "customer_id", "id")
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
            "fallback",
            "score",
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

    An identifier typed with spaces and a phone number compared on digits count as containing the whole query; in
    the name a sound-alike spelling of a word counts as the word.
    """
    everything = len(terms.words)
    best_count, best = 0, _Highlight(label="", segments=(), covers_query=False)
    for name, label in fields:
        value = str(values[name] or "")
        lowered = value.lower()
        found = [
            next((alternative for alternative in alternatives if alternative.lower() in lowered), "")
            for alternatives in (
                (word, *(sounding if name == "name" else ()))
                for word, sounding in zip(terms.words, terms.sound_alikes, strict=True)
            )
        ]
        count = sum(1 for alternative in found if alternative)
        spans = _spans(value, [alternative for alternative in found if alternative]) if count else []
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

    Then the best matches (_score: whole words before word starts before parts of words); on a tie a customer with
    one field that contains the whole query ("Lindenstr. 12" in the street) comes before one whose words are spread
    over several fields. Sound-alike names are shown only when nothing matches as typed.
    """
    terms = _terms(query)
    if terms.is_too_short:
        return SearchResult(query=terms.text, rows=(), too_short=True, has_more=False)
    ranked: list[tuple[tuple[int, int, int, int, str, int, int], SearchRow]] = []
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
            is_sound_alike=values["fallback"] == 1,
        )
        spread = 0 if highlight.covers_query else 1
        key = (values["fallback"], values["rank"], -values["score"], spread, values["name"], values["id"], 0)
        ranked.append((key, row))
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
            is_sound_alike=values["fallback"] == 1,
        )
        spread = 0 if highlight.covers_query else 1
        key = (
            values["fallback"],
            values["rank"],
            -values["score"],
            spread,
            values["customer__name"],
            values["customer_id"],
            1,
        )
        ranked.append((key, row))
    ranked.sort(key=lambda item: item[0])
    # Sound-alike names only when nothing matched as typed: the database sorts them after every direct match, so a
    # direct match among the rows fetched means all of them are there.
    sound_alike = bool(ranked) and all(row.is_sound_alike for _key, row in ranked)
    rows: list[SearchRow] = []
    seen: set[int] = set()
    for _key, row in ranked:
        if row.is_sound_alike == sound_alike and row.customer_id not in seen:  # one row per customer: the best match
            seen.add(row.customer_id)
            rows.append(row)
    has_more = (
        len(rows) > MAX_ROWS
        or (len(customers) > MAX_ROWS and customers[-1]["fallback"] == int(sound_alike))
        or (len(contracts) >= MAX_ROWS * 2 and contracts[-1]["fallback"] == int(sound_alike))
    )
    return SearchResult(
        query=terms.text,
        rows=tuple(rows[:MAX_ROWS]),
        too_short=False,
        has_more=has_more,
        is_sound_alike=sound_alike,
    )
