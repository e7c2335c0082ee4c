"""The agent's search ranks whole-word matches first (QA round 2, finding 9): a house number equal to the number typed,
a whole name, name and address together; misheard names are found by a sound-alike spelling (Kölner Phonetik) when
nothing matches as typed. Still two queries, still served by the trigram indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from contacts import search
from customers.models import Customer
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def customer_at(name: str, street: str, *, postal_code: str = "70173", city: str = "Stuttgart") -> Customer:
    contract = ContractFactory(
        customer__name=name,
        customer__street=street,
        customer__postal_code=postal_code,
        customer__city=city,
        street=street,
        postal_code=postal_code,
        city=city,
    )
    customer: Customer = contract.customer
    return customer


@pytest.fixture
def schillerstrasse() -> Customer:
    """25 customers at Schillerstraße 40–424 whose names sort before Hildegard's, and Hildegard at number 4."""
    for number in range(25):
        customer_at(f"Anton Adler {number:02d}", f"Schillerstraße 4{number}")
    return customer_at("Hildegard Meyer", "Schillerstraße 4")


@pytest.mark.parametrize("query", ["Schillerstraße 4", "Schillerstr 4", "Schillerstr. 4", "Schiller Str. 4"])
def test_the_customer_at_the_house_number_typed_comes_first(schillerstrasse: Customer, query: str) -> None:
    result = search.search_customers(query=query)

    assert result.rows[0].customer_id == schillerstrasse.pk
    assert result.has_more  # the other 25 still match: their house numbers start with 4


def test_a_whole_name_comes_before_names_that_merely_contain_it() -> None:
    for number in range(22):
        CustomerFactory(name=f"Anna Obermeyer {number:02d}")
    CustomerFactory(name="Bernd Meyerhoff")
    hildegard = CustomerFactory(name="Hildegard Meyer")
    jonas = CustomerFactory(name="Jonas Meyer")

    result = search.search_customers(query="Meyer")

    assert [row.customer_id for row in result.rows[:2]] == [hildegard.pk, jonas.pk]
    assert result.rows[2].name == "Bernd Meyerhoff"  # the start of a word before the middle of one
    assert result.has_more


def test_name_and_address_together_come_before_either_alone() -> None:
    customer_at("Melina Franke", "Lindenstraße 120")
    customer_at("Jonas Franke", "Lindenstraße 3")
    melina = customer_at("Melina und Jonas Franke", "Lindenstraße 12")

    result = search.search_customers(query="Lindenstr. 12 Stuttgart")

    assert result.rows[0].customer_id == melina.pk
    assert search.search_customers(query="Franke Lindenstraße 12").rows[0].customer_id == melina.pk


def test_the_ranking_still_runs_two_queries(schillerstrasse: Customer, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        result = search.search_customers(query="Meyer Schillerstraße 4")

    assert [row.customer_id for row in result.rows] == [schillerstrasse.pk]


# --- sound-alike names -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Müller-Lüdenscheidt", "65752682"),
        ("Wikipedia", "3412"),
        ("Meyer", "67"),
        ("Meier", "67"),
        ("Maier", "67"),
        ("Breschnew", "17863"),
        ("Christoph", "47823"),
        ("Xaver", "4837"),
    ],
)
def test_the_koelner_phonetik_code(word: str, code: str) -> None:
    assert search.cologne_code(word) == code


def test_sound_alike_spellings_keep_the_code_and_skip_what_the_word_finds_anyway() -> None:
    assert set(search.sound_alikes("Meier")) == {"maier", "meyer", "mayer"}
    assert set(search.sound_alikes("Schmidt")) == {"schmitt", "schmit", "schmid"}
    assert "klaus" in search.sound_alikes("Claus")
    assert search.sound_alikes("70173") == ()
    assert search.sound_alikes("Li") == ()


def test_a_misheard_name_finds_the_customer_when_nothing_matches_as_typed(django_assert_num_queries: Any) -> None:
    hildegard = customer_at("Hildegard Meyer", "Schillerstraße 4")
    CustomerFactory(name="Hildegard Schulz")

    with django_assert_num_queries(2):
        result = search.search_customers(query="Hildegard Meier")

    assert [row.customer_id for row in result.rows] == [hildegard.pk]
    row = result.rows[0]
    assert result.is_sound_alike
    assert row.is_sound_alike
    assert (row.field_label, row.segments) == ("Name", (("Hildegard", True), (" ", False), ("Meyer", True)))


def test_sound_alike_names_are_not_shown_when_the_name_matches_as_typed() -> None:
    CustomerFactory(name="Hildegard Meyer")
    meier = CustomerFactory(name="Karl Meier")

    result = search.search_customers(query="Meier")

    assert [row.customer_id for row in result.rows] == [meier.pk]
    assert not result.is_sound_alike


def test_the_search_page_marks_sound_alike_names(client: Any) -> None:
    from tests.factories import UserFactory

    CustomerFactory(name="Hildegard Meyer")
    client.force_login(UserFactory(role="AGENT"))

    page = client.post("/service/suche/", {"q": "Meier"}, headers={"HX-Request": "true"}).content.decode()

    assert "Niemanden gefunden für „Meier“ – 1 ähnlich klingender Name:" in page
    assert "ähnlich klingend</span>" in page


@pytest.fixture
def bitmap_scans_only(require_postgres: None) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SET enable_indexscan = on")


def test_ranking_and_sound_alikes_on_postgresql_use_the_trigram_indexes(bitmap_scans_only: None) -> None:
    customer_at("Hildegard Meyer", "Schillerstraße 4")

    customer_plan = search.customer_query("Hildegard Meier Schillerstraße 4")[:21].explain()
    contract_plan = search.contract_query("Hildegard Meier Schillerstraße 4")[:40].explain()

    for column in ("customer_number", "name", "email", "phone", "street", "postal_code", "city"):
        assert f"Bitmap Index Scan on customers_customer_{column}_trgm" in customer_plan
    for column in ("contract_number", "meter_number", "malo_id", "street", "postal_code", "city"):
        assert f"Bitmap Index Scan on customers_contract_{column}_trgm" in contract_plan
    assert "Seq Scan" not in customer_plan + contract_plan
    assert [row.name for row in search.search_customers(query="Hildegard Meier Schillerstraße 4").rows] == [
        "Hildegard Meyer"
    ]
