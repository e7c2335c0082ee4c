"""Umzug melden: the move-out date ends the contract, a final reading is requested, bad dates are refused in German."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from customers import move
from customers.models import Contract, Installment
from tests.factories import ContractFactory, MeterReadingFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 10:00:00+01:00"
TODAY = date(2026, 11, 21)
NEW_ADDRESS = {"street": "Am Markt 3", "postal_code": "72070", "city": "Tübingen"}


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(start_date=date(2021, 1, 1))


@pytest.fixture
def customer_client(client: Any, contract: Contract) -> Any:
    client.force_login(contract.customer.user)
    return client


def url(contract: Contract) -> str:
    return reverse("customers:move", args=[contract.pk])


def test_move_ends_the_contract_on_the_date_and_requests_a_final_reading(
    customer_client: Any, contract: Contract
) -> None:
    open_before = Installment.objects.create(contract=contract, due_date=date(2027, 1, 1), amount_eur=Decimal(116))
    open_after = Installment.objects.create(contract=contract, due_date=date(2027, 2, 1), amount_eur=Decimal(116))

    response = customer_client.post(url(contract), {"move_out_date": "2027-01-15", **NEW_ADDRESS})

    contract.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:contract", args=[contract.pk])
    assert contract.end_date == date(2027, 1, 15)
    assert contract.status == Contract.Status.CANCELLED
    assert contract.cancellation_kind == "MOVE"
    assert contract.final_reading_requested_for == date(2027, 1, 15)
    assert contract.moved_to == "Am Markt 3, 72070 Tübingen"
    assert contract.cancelled_at is not None
    assert Installment.objects.filter(pk=open_before.pk).exists()
    assert not Installment.objects.filter(pk=open_after.pk).exists()
    page = customer_client.get(response["Location"]).content.decode()
    # one wording with the agent's screen: the last day of supply, then the move-out day (the first without)
    assert "Lieferung bis 14.01.2027 (Auszug 15.01.2027)" in page


@pytest.mark.parametrize(
    ("move_out_date", "message"),
    [
        ("2021-01-01", "Ihr Auszug muss nach dem Lieferbeginn am 01.01.2021 liegen."),
        ("2027-11-22", "höchstens ein Jahr im Voraus melden, also bis zum 21.11.2027"),
        ("2026-10-09", "höchstens sechs Wochen rückwirkend melden, also ab dem 10.10.2026"),
        ("", "Bitte geben Sie das Auszugsdatum an."),
        ("morgen", "Bitte geben Sie ein Datum ein"),
    ],
)
def test_a_bad_move_out_date_is_refused_at_the_field_and_nothing_is_written(
    customer_client: Any, contract: Contract, move_out_date: str, message: str
) -> None:
    response = customer_client.post(url(contract), {"move_out_date": move_out_date, **NEW_ADDRESS})

    contract.refresh_from_db()
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="error_1_id_move_out_date"' in response.content.decode()
    assert (contract.end_date, contract.status, contract.moved_to) == (None, Contract.Status.ACTIVE, "")


def test_the_limits_themselves_are_accepted(contract: Contract) -> None:
    earliest = move.report_move(
        contract=contract, move_out_date=date(2026, 10, 10), new_address="Am Markt 3, 72070 Tübingen", today=TODAY
    )
    latest = move.report_move(
        contract=contract, move_out_date=date(2027, 11, 21), new_address="Am Markt 3, 72070 Tübingen", today=TODAY
    )

    assert (earliest.end_date, latest.end_date) == (date(2026, 10, 10), date(2027, 11, 21))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "720", "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein"),
        ("street", "", "Bitte geben Sie Ihre neue Straße und Hausnummer ein."),
        ("city", "", "Bitte geben Sie den neuen Ort ein."),
    ],
)
def test_a_missing_new_address_is_refused_in_german(
    customer_client: Any, contract: Contract, field: str, value: str, message: str
) -> None:
    response = customer_client.post(url(contract), {"move_out_date": "2027-01-15", **NEW_ADDRESS, field: value})

    contract.refresh_from_db()
    assert message in response.content.decode()
    assert contract.end_date is None


def test_a_reading_after_the_move_out_date_is_refused(customer_client: Any, contract: Contract) -> None:
    MeterReadingFactory(contract=contract, read_date=date(2026, 11, 20))

    response = customer_client.post(url(contract), {"move_out_date": "2026-11-01", **NEW_ADDRESS})

    contract.refresh_from_db()
    assert "Für den 20.11.2026, also nach diesem Auszugsdatum, liegt schon ein Zählerstand vor." in (
        response.content.decode()
    )
    assert contract.end_date is None


def test_an_ended_contract_cannot_report_a_move(customer_client: Any, contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ENDED, end_date=date(2026, 6, 1))

    response = customer_client.post(url(contract), {"move_out_date": "2026-12-01", **NEW_ADDRESS})

    contract.refresh_from_db()
    assert "Dieser Vertrag ist bereits beendet (Lieferung bis 31.05.2026)" in response.content.decode()
    assert contract.end_date == date(2026, 6, 1)


def test_a_move_after_an_earlier_cancellation_is_refused(contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(
        status=Contract.Status.CANCELLED, end_date=date(2026, 12, 31), cancellation_kind="ORDINARY"
    )

    with pytest.raises(move.MoveAfterContractEnd, match="Ihr Vertrag endet bereits: Lieferung bis 30.12.2026"):
        move.report_move(contract=contract, move_out_date=date(2027, 2, 1), new_address="x 1, 12345 Y", today=TODAY)


def test_reporting_the_same_move_twice_changes_nothing(contract: Contract) -> None:
    first = move.report_move(
        contract=contract, move_out_date=date(2027, 1, 15), new_address="Am Markt 3, 72070 Tübingen", today=TODAY
    )

    second = move.report_move(
        contract=contract, move_out_date=date(2027, 1, 15), new_address="Am Markt 3,  72070 Tübingen", today=TODAY
    )

    assert (second.end_date, second.cancelled_at, second.moved_to) == (
        first.end_date,
        first.cancelled_at,
        first.moved_to,
    )


def test_a_reported_move_can_be_corrected(contract: Contract) -> None:
    move.report_move(
        contract=contract, move_out_date=date(2027, 1, 15), new_address="Am Markt 3, 72070 Tübingen", today=TODAY
    )

    corrected = move.report_move(
        contract=contract, move_out_date=date(2027, 1, 31), new_address="Am Markt 5, 72070 Tübingen", today=TODAY
    )

    contract.refresh_from_db()
    assert (contract.end_date, contract.final_reading_requested_for) == (date(2027, 1, 31), date(2027, 1, 31))
    assert corrected.moved_to == contract.moved_to == "Am Markt 5, 72070 Tübingen"


def test_another_customers_contract_gives_404(client: Any, contract: Contract) -> None:
    other = ContractFactory()
    client.force_login(contract.customer.user)

    get_response = client.get(url(other))
    post_response = client.post(url(other), {"move_out_date": "2027-01-15", **NEW_ADDRESS})

    other.refresh_from_db()
    assert (get_response.status_code, post_response.status_code) == (404, 404)
    assert other.end_date is None


def test_the_page_shows_the_form_with_labels(customer_client: Any, contract: Contract) -> None:
    html = customer_client.get(url(contract)).content.decode()

    assert "Auszugsdatum" in html
    assert "Neue Straße und Hausnummer" in html
    assert contract.meter_number in html


def test_visitor_is_sent_to_login(client: Any, contract: Contract) -> None:
    response = client.get(url(contract))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_agent_gets_403(client: Any, make_user: Any, contract: Contract) -> None:
    client.force_login(make_user(role="AGENT"))

    response = client.post(url(contract), {"move_out_date": "2027-01-15", **NEW_ADDRESS})

    contract.refresh_from_db()
    assert response.status_code == 403
    assert contract.end_date is None
