"""The agent's search: every field, minimum length, exact number matches first, fixed query count, trigram indexes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from contacts import search
from customers.models import Contract
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hildegard() -> Contract:
    return ContractFactory(
        customer__name="Hildegard Mayer",
        customer__customer_number="204711",
        customer__email="hildegard@example.org",
        customer__phone="07031 987654",
        customer__street="Lindenweg 7",
        customer__postal_code="71032",
        customer__city="Böblingen",
        customer__user__email="hildegard@example.org",
        contract_number="V880042",
        meter_number="1ESY1161234567",
        malo_id="41373559241",
        street="Lindenweg 7",
        postal_code="71032",
        city="Böblingen",
    )


@pytest.fixture
def others() -> None:
    """Three other customers whose data matches none of the queries (random names could: "Hildebrand")."""
    for number in range(3):
        ContractFactory(
            customer__name=f"Erika Muster {number}",
            customer__email=f"erika{number}@example.org",
            customer__user__email=f"erika{number}@example.org",
            customer__phone=f"0711 11122{number}",
            customer__street="Hauptstraße 1",
            customer__postal_code="70173",
            customer__city="Stuttgart",
            street="Hauptstraße 1",
            postal_code="70173",
            city="Stuttgart",
        )


@pytest.mark.parametrize(
    ("query", "label", "match"),
    [
        ("mayer", "Name", "Mayer"),
        ("Hilde", "Name", "Hilde"),
        ("204711", "Kundennummer", "204711"),
        ("v880042", "Vertragsnummer", "V880042"),
        ("1ESY1161234567", "Zählernummer", "1ESY1161234567"),
        ("41373559241", "MaLo-ID", "41373559241"),
        ("Lindenweg", "Straße", "Lindenweg"),
        ("71032", "PLZ", "71032"),
        ("Böblingen", "Ort", "Böblingen"),
        ("987654", "Telefon", "987654"),
        ("hildegard@example", "E-Mail", "hildegard@example"),
    ],
)
def test_search_finds_the_customer_by_each_field_and_names_it(
    hildegard: Contract, others: None, query: str, label: str, match: str
) -> None:
    result = search.search_customers(query=query)

    assert [row.customer_id for row in result.rows] == [hildegard.customer_id]
    row = result.rows[0]
    assert (row.field_label, row.match) == (label, match)
    assert row.before + row.match + row.after  # the whole field value, split around the match


def test_meter_number_typed_with_spaces_is_found(hildegard: Contract) -> None:
    result = search.search_customers(query="1ESY 1161 2345 67")

    assert [row.contract_number for row in result.rows] == ["V880042"]
    assert result.rows[0].is_exact


def test_a_single_character_is_too_short_and_runs_no_query(
    hildegard: Contract, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        result = search.search_customers(query=" m ")

    assert result.too_short
    assert result.rows == ()


def test_exact_number_matches_come_before_partial_ones() -> None:
    partial = ContractFactory(customer__name="Anton Adler", meter_number="X12345678")
    exact = ContractFactory(customer__name="Zora Zimmer", meter_number="12345678")

    result = search.search_customers(query="12345678")

    assert [row.customer_id for row in result.rows] == [exact.customer_id, partial.customer_id]
    assert [row.is_exact for row in result.rows] == [True, False]


def test_exact_customer_number_comes_before_a_contract_containing_it() -> None:
    contract_hit = ContractFactory(customer__name="Anton Adler", contract_number="V300123")
    customer_hit = CustomerFactory(name="Zora Zimmer", customer_number="300123")

    result = search.search_customers(query="300123")

    assert [row.customer_id for row in result.rows] == [customer_hit.pk, contract_hit.customer_id]


def test_a_customer_matching_twice_is_listed_once() -> None:
    contract = ContractFactory(customer__street="Mühlgasse 3", street="Mühlgasse 3")
    ContractFactory(customer=contract.customer, street="Mühlgasse 5")

    result = search.search_customers(query="Mühlgasse")

    assert [row.customer_id for row in result.rows] == [contract.customer_id]


def test_at_most_twenty_rows_are_returned_and_more_is_signalled() -> None:
    for number in range(25):
        CustomerFactory(name=f"Schmidt {number:02d}")

    result = search.search_customers(query="Schmidt")

    assert len(result.rows) == 20
    assert result.has_more


@pytest.mark.parametrize("customers", [5, 100])
def test_search_runs_two_queries_for_5_or_100_customers(customers: int, django_assert_num_queries: Any) -> None:
    for number in range(customers):
        ContractFactory(customer__name=f"Weber {number}")

    with django_assert_num_queries(2):
        result = search.search_customers(query="Weber")

    assert len(result.rows) == min(customers, 20)


def test_search_on_postgresql_uses_the_trigram_indexes(require_postgres: None, hildegard: Contract) -> None:
    # With sequential and plain index scans off the planner can reach rows only through bitmap scans, so the plan
    # shows whether every OR arm (UPPER(col::text) LIKE …) is served by a trigram index. (On a tiny table a full
    # scan of the foreign-key index would otherwise look cheaper than the GIN bitmaps.)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
    try:
        customer_plan = search.customer_query("Lindenweg")[:21].explain()
        contract_plan = search.contract_query("Lindenweg")[:40].explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = on")
            cursor.execute("SET enable_indexscan = on")

    for column in ("customer_number", "name", "email", "phone", "street", "postal_code", "city"):
        assert f"Bitmap Index Scan on customers_customer_{column}_trgm" in customer_plan
    for column in ("contract_number", "meter_number", "malo_id", "street", "postal_code", "city"):
        assert f"Bitmap Index Scan on customers_contract_{column}_trgm" in contract_plan
    assert "Seq Scan" not in customer_plan + contract_plan
