"""Umzug melden for every contract at the supply address (QA round 2, findings 9 and 17).

The form lists the customer's contracts at that address, ticked; the move is recorded for each ticked one in one
transaction, and the confirmation names each contract that ends and each one at the address that goes on.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from customers.models import Contract
from tests.factories import ContractFactory, MeterReadingFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 10:00:00+01:00"
NEW_ADDRESS = {"street": "Am Markt 3", "postal_code": "72070", "city": "Tübingen"}
SCHILLERSTRASSE = {"street": "Schillerstraße 4", "postal_code": "70173", "city": "Stuttgart"}


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def electricity() -> Contract:
    return ContractFactory(commodity="electricity", contract_number="V820001", **SCHILLERSTRASSE)


@pytest.fixture
def heat(electricity: Contract) -> Contract:
    # The same address, written a little differently (as imported data often is).
    return ContractFactory(
        customer=electricity.customer,
        commodity="heat",
        contract_number="V820002",
        street="Schillerstraße  4",
        postal_code="70173",
        city="stuttgart",
    )


@pytest.fixture
def customer_client(client: Any, electricity: Contract) -> Any:
    client.force_login(electricity.customer.user)
    return client


def url(contract: Contract) -> str:
    return reverse("customers:move", args=[contract.pk])


def checkboxes(page: str) -> dict[str, bool]:
    """Return the values of the "contracts" checkboxes and whether each is ticked."""
    found = re.findall(r'<input type="checkbox"[^>]*name="contracts" value="(\d+)"([^>]*)>', page)
    return {value: "checked" in rest for value, rest in found}


def test_the_form_lists_every_contract_at_the_address_ticked_and_no_other(
    customer_client: Any, electricity: Contract, heat: Contract
) -> None:
    elsewhere = ContractFactory(customer=electricity.customer, street="Goethestraße 9")
    ended = ContractFactory(customer=electricity.customer, status=Contract.Status.ENDED, **SCHILLERSTRASSE)
    foreign = ContractFactory(**SCHILLERSTRASSE)

    page = customer_client.get(url(electricity)).content.decode()

    assert checkboxes(page) == {str(electricity.pk): True, str(heat.pk): True}
    assert "Wärme, Vertrag V820002" in page
    for other in (elsewhere, ended, foreign):
        assert other.contract_number not in page


def test_a_single_contract_at_the_address_shows_no_list(customer_client: Any, electricity: Contract) -> None:
    page = customer_client.get(url(electricity)).content.decode()

    assert 'name="contracts"' not in page


def test_the_move_ends_every_ticked_contract_and_the_confirmation_names_each(
    customer_client: Any, electricity: Contract, heat: Contract
) -> None:
    response = customer_client.post(
        url(electricity), {"contracts": [electricity.pk, heat.pk], "move_out_date": "2027-01-15", **NEW_ADDRESS}
    )

    for contract in (electricity, heat):
        contract.refresh_from_db()
        assert contract.status == Contract.Status.CANCELLED
        assert contract.cancellation_kind == "MOVE"
        assert contract.end_date == date(2027, 1, 15)
        assert contract.final_reading_requested_for == date(2027, 1, 15)
        assert contract.moved_to == "Am Markt 3, 72070 Tübingen"
    assert response.status_code == 302
    page = customer_client.get(response["Location"]).content.decode()
    assert "Diese Verträge enden mit Ihrem Auszug: Stromvertrag V820001, Wärmevertrag V820002; " in page
    assert "Lieferung bis 14.01.2027 (Auszug 15.01.2027)" in page
    assert "läuft weiter" not in page


def test_an_unticked_contract_goes_on_and_the_confirmation_links_to_its_move(
    customer_client: Any, electricity: Contract, heat: Contract
) -> None:
    response = customer_client.post(
        url(electricity), {"contracts": [electricity.pk], "move_out_date": "2027-01-15", **NEW_ADDRESS}
    )

    heat.refresh_from_db()
    assert heat.status == Contract.Status.ACTIVE
    assert heat.end_date is None
    page = customer_client.get(response["Location"]).content.decode()
    assert "Ihr Vertrag V820001 endet mit Ihrem Auszug: Lieferung bis 14.01.2027 (Auszug 15.01.2027)." in page
    assert (
        f'Wärmevertrag V820002 an derselben Adresse läuft weiter. <a href="{url(heat)}">'
        "Auszug auch für diesen Vertrag melden</a>"
    ) in page


def test_one_refusal_writes_nothing_for_any_contract_and_names_the_contract(
    customer_client: Any, electricity: Contract, heat: Contract
) -> None:
    MeterReadingFactory(contract=heat, read_date=date(2026, 11, 20))

    response = customer_client.post(
        url(electricity), {"contracts": [electricity.pk, heat.pk], "move_out_date": "2026-11-10", **NEW_ADDRESS}
    )

    electricity.refresh_from_db()
    heat.refresh_from_db()
    assert response.status_code == 200
    assert "Wärmevertrag V820002: Für den 20.11.2026, also nach diesem Auszugsdatum" in response.content.decode()
    assert (electricity.status, electricity.end_date) == (Contract.Status.ACTIVE, None)
    assert (heat.status, heat.end_date) == (Contract.Status.ACTIVE, None)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("none", "Bitte wählen Sie mindestens einen Vertrag aus."),
        ("foreign", "Bitte wählen Sie nur Verträge aus der Liste."),
    ],
)
def test_no_contract_or_someone_elses_is_refused_and_nothing_is_written(
    customer_client: Any, electricity: Contract, heat: Contract, chosen: str, message: str
) -> None:
    foreign = ContractFactory(**SCHILLERSTRASSE)
    contracts = [] if chosen == "none" else [electricity.pk, foreign.pk]

    response = customer_client.post(
        url(electricity), {"contracts": contracts, "move_out_date": "2027-01-15", **NEW_ADDRESS}
    )

    assert message in response.content.decode()
    assert not Contract.objects.filter(cancellation_kind="MOVE").exists()


@pytest.mark.parametrize("others", [1, 4])
def test_the_move_page_runs_the_same_queries_however_many_contracts_share_the_address(
    customer_client: Any, electricity: Contract, others: int, django_assert_num_queries: Any
) -> None:
    for _ in range(others):
        ContractFactory(customer=electricity.customer, **SCHILLERSTRASSE)

    # session, user, customer, the contract with its tariff, the other contracts at the address with their tariffs
    with django_assert_num_queries(5):
        response = customer_client.get(url(electricity))

    assert len(checkboxes(response.content.decode())) == others + 1


def test_the_date_field_says_the_move_out_day_is_the_first_day_without_supply(
    customer_client: Any, electricity: Contract
) -> None:
    page = customer_client.get(url(electricity)).content.decode()

    assert "An diesem Tag endet Ihr Vertrag" not in page
    assert "Ab diesem Tag beliefern wir Sie an der bisherigen Adresse nicht mehr; Ihr letzter Liefertag ist" in page
