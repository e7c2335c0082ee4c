"""The agent's search finds callers the way they identify themselves (QA finding 5): words in any order and form,
street abbreviations, phone numbers on digits only; still two queries, still served by the trigram indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from contacts import search
from customers.models import Contract
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def melina() -> Contract:
    return ContractFactory(
        customer__name="Melina und Jonas Franke",
        customer__customer_number="2100001",
        customer__phone="0711 2345678",
        customer__street="Lindenstraße 12",
        customer__postal_code="70190",
        customer__city="Stuttgart",
        contract_number="V810001",
        street="Lindenstraße 12",
        postal_code="70190",
        city="Stuttgart",
    )


@pytest.fixture
def hildegard() -> Contract:
    return ContractFactory(
        customer__name="Hildegard Meyer",
        customer__customer_number="2200001",
        customer__phone="0711 8765432",
        customer__street="Schillerstraße 5",
        customer__postal_code="70173",
        customer__city="Stuttgart",
        contract_number="V820001",
        street="Schillerstraße 5",
        postal_code="70173",
        city="Stuttgart",
    )


@pytest.fixture
def others() -> None:
    """Customers sharing single words with the callers above, but never all of them."""
    # Fixed numbers without "12": sequence numbers from the factories could contain it and match "Lindenstr. 12".
    ContractFactory(
        customer__name="Jonas Franke",
        customer__customer_number="3000001",
        contract_number="V3000001",
        meter_number="1ESY30000001",
        malo_id="50000000005",
        customer__phone="0711 5550001",
        customer__street="Hauptstraße 1",
        customer__postal_code="70499",
        customer__city="Stuttgart",
        street="Hauptstraße 1",
        postal_code="70499",
        city="Stuttgart",
    )
    ContractFactory(
        customer__name="Hildegard Schulz",
        customer__customer_number="3000003",
        contract_number="V3000003",
        meter_number="1ESY30000003",
        malo_id="50000000039",
        customer__phone="07031 444555",
        customer__street="Lindenstraße 3",
        customer__postal_code="71032",
        customer__city="Böblingen",
        street="Lindenstraße 3",
        postal_code="71032",
        city="Böblingen",
    )


def found(query: str) -> list[str]:
    return [row.name for row in search.search_customers(query=query).rows]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Melina Franke", "Melina und Jonas Franke"),
        ("Franke Melina", "Melina und Jonas Franke"),
        ("Meyer Hildegard", "Hildegard Meyer"),
        ("Meyer, Hildegard", "Hildegard Meyer"),
        ("Franke 70190", "Melina und Jonas Franke"),
        ("Meyer Schillerstraße", "Hildegard Meyer"),
        ("Meyer Schillerstr.", "Hildegard Meyer"),
        ("Lindenstr. 12", "Melina und Jonas Franke"),
        ("Lindenstrasse 12", "Melina und Jonas Franke"),
        ("Franke V810001", "Melina und Jonas Franke"),
    ],
)
def test_every_word_must_match_some_field_of_the_same_customer(
    melina: Contract, hildegard: Contract, others: None, query: str, name: str
) -> None:
    assert found(query) == [name]


@pytest.mark.parametrize(
    "query", ["07118765432", "0711/8765432", "0711-876 54 32", "+49 711 8765432", "0049 711 8765432"]
)
def test_a_phone_number_is_compared_on_digits_with_plus_49_read_as_0(
    melina: Contract, hildegard: Contract, others: None, query: str
) -> None:
    result = search.search_customers(query=query)

    assert [row.name for row in result.rows] == ["Hildegard Meyer"]
    assert (result.rows[0].field_label, result.rows[0].match) == ("Telefon", "0711 8765432")


def test_a_number_stored_with_plus_49_is_found_by_the_national_form(others: None) -> None:
    CustomerFactory(name="Bäckerei Wolf", phone="+49 (0)711 / 123 456 7")

    assert found("0711 1234567") == ["Bäckerei Wolf"]


def test_a_short_number_is_not_read_as_a_phone_number(hildegard: Contract) -> None:
    assert search._terms("70173").phone_digits == ""
    assert found("70173") == ["Hildegard Meyer"]  # the postal code, as before


def test_the_row_marks_every_word_in_the_field_that_contains_most_of_them(melina: Contract, others: None) -> None:
    result = search.search_customers(query="Franke Melina")

    row = result.rows[0]
    assert row.field_label == "Name"
    assert row.segments == (("Melina", True), (" und Jonas ", False), ("Franke", True))


def test_a_customer_with_the_whole_query_in_one_field_comes_first(melina: Contract, others: None) -> None:
    CustomerFactory(name="Anton Adler", street="Lindenstraße 3", customer_number="2100012")

    result = search.search_customers(query="Lindenstr. 12")

    assert [row.name for row in result.rows] == ["Melina und Jonas Franke", "Anton Adler"]
    assert (result.rows[0].field_label, result.rows[0].match) == ("Straße", "Lindenstr")


def test_an_exact_number_among_other_words_still_comes_first(melina: Contract, others: None) -> None:
    result = search.search_customers(query="V810001 Franke")

    assert result.rows[0].name == "Melina und Jonas Franke"
    assert result.rows[0].is_exact


@pytest.mark.parametrize("query", ["Meyer Hildegard Schillerstr. 5", "+49 711 8765432"])
def test_a_query_of_several_words_or_a_phone_number_still_runs_two_queries(
    hildegard: Contract, others: None, django_assert_num_queries: Any, query: str
) -> None:
    with django_assert_num_queries(2):
        result = search.search_customers(query=query)

    assert [row.name for row in result.rows] == ["Hildegard Meyer"]


@pytest.mark.parametrize("query", ["", "   ", ",", "m"])
def test_an_empty_or_one_character_query_runs_no_query(django_assert_num_queries: Any, query: str) -> None:
    with django_assert_num_queries(0):
        result = search.search_customers(query=query)

    assert result.too_short
    assert result.rows == ()


@pytest.fixture
def bitmap_scans_only(require_postgres: None) -> Iterator[None]:
    """Let the planner reach rows only through bitmap scans, so a plan shows whether every arm is index-served."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SET enable_indexscan = on")


def test_several_words_on_postgresql_use_the_trigram_indexes(bitmap_scans_only: None, hildegard: Contract) -> None:
    customer_plan = search.customer_query("Meyer, Hildegard")[:21].explain()
    contract_plan = search.contract_query("Meyer Schillerstr. 5")[:40].explain()

    for column in ("customer_number", "name", "email", "phone", "street", "postal_code", "city"):
        assert f"Bitmap Index Scan on customers_customer_{column}_trgm" in customer_plan
    for column in ("contract_number", "meter_number", "malo_id", "street", "postal_code", "city"):
        assert f"Bitmap Index Scan on customers_contract_{column}_trgm" in contract_plan
    assert "Seq Scan" not in customer_plan + contract_plan


def test_a_phone_number_on_postgresql_uses_the_digits_index(bitmap_scans_only: None, hildegard: Contract) -> None:
    plan = search.customer_query("+49 711 8765432")[:21].explain()

    assert "Bitmap Index Scan on customers_customer_phone_digits_trgm" in plan
    assert "Seq Scan" not in plan


@pytest.mark.parametrize(
    ("query", "digits"),
    [
        ("0711 8765432", "7118765432"),
        ("+49 (0)711 8765432", "7118765432"),
        ("0049-711-8765432", "7118765432"),
        ("+43 1 2345678", "4312345678"),
        ("0043 1 2345678", "4312345678"),
        ("8765432", "8765432"),
        ("Franke 70190", ""),
        ("0711", ""),
    ],
)
def test_the_digits_compared_for_a_phone_number(query: str, digits: str) -> None:
    assert search._terms(query).phone_digits == digits
