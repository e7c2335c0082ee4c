"""Cancellation button services: matching, the end date by the contract's terms, the review list, the e-mail."""

from __future__ import annotations

import smtplib
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction

from customers import cancellation
from customers.models import CancellationRequest, Contract
from tariffs.models import PriceVersion
from tests.factories import ContractFactory, CustomerFactory, PriceVersionFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 14, 5, tzinfo=BERLIN)


def declare(identified: Contract | None = None, **overrides: Any) -> CancellationRequest:
    """Submit an anonymous declaration whose data identify a contract (changed by the overrides)."""
    data: dict[str, Any] = {
        "kind": CancellationRequest.Kind.ORDINARY,
        "extraordinary_reason": "",
        "name": "Erika Mustermann",
        "customer_number": identified.customer.customer_number if identified else "999999",
        "contract_number": identified.contract_number if identified else "V0",
        "meter_number": "",
        "postal_code": identified.postal_code if identified else "70173",
        "desired_end_date": None,
        "email": "erika@example.org",
        "now": NOW,
    }
    data.update(overrides)
    return cancellation.submit_cancellation(**data)


def test_ordinary_cancellation_of_a_special_contract_ends_after_one_month_notice() -> None:
    contract = ContractFactory(notice_period_months=1)

    declaration = declare(contract)

    contract.refresh_from_db()
    assert declaration.status == CancellationRequest.Status.MATCHED
    assert declaration.contract == contract
    assert contract.status == Contract.Status.CANCELLED
    assert contract.end_date == date(2026, 12, 22)  # supplied through 21.12.2026 (§ 188 Abs. 2 BGB)
    assert declaration.effective_date == contract.end_date
    assert contract.cancelled_at == NOW
    assert contract.cancellation_kind == CancellationRequest.Kind.ORDINARY


def test_basic_supply_ends_after_two_weeks_notice() -> None:
    contract = ContractFactory(is_basic_supply=True, notice_period_months=3)

    declare(contract)

    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 6)  # supplied through 05.12.2026


def test_contract_cannot_end_before_its_minimum_term() -> None:
    contract = ContractFactory(notice_period_months=1, minimum_term_end=date(2027, 6, 1))

    declare(contract)

    contract.refresh_from_db()
    assert contract.end_date == date(2027, 6, 1)


def test_a_later_desired_end_date_is_respected() -> None:
    contract = ContractFactory(notice_period_months=1)

    declare(contract, desired_end_date=date(2027, 3, 31))

    contract.refresh_from_db()
    assert contract.end_date == date(2027, 4, 1)  # supplied through the desired 31.03.2027


def test_a_desired_end_date_earlier_than_possible_moves_to_the_earliest_date() -> None:
    contract = ContractFactory(notice_period_months=1)

    declare(contract, desired_end_date=date(2026, 11, 30))

    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 22)


def test_special_termination_after_a_pending_price_change_ends_when_the_change_takes_effect() -> None:
    contract = ContractFactory(notice_period_months=1)
    PriceVersion.objects.filter(tariff=contract.tariff).update(valid_to=date(2027, 2, 1))
    PriceVersionFactory(tariff=contract.tariff, valid_from=date(2027, 2, 1))

    declaration = declare(
        contract, kind=CancellationRequest.Kind.EXTRAORDINARY, extraordinary_reason="Preiserhöhung zum 01.02.2027"
    )

    contract.refresh_from_db()
    assert contract.end_date == date(2027, 2, 1)
    assert contract.cancellation_kind == CancellationRequest.Kind.EXTRAORDINARY
    assert contract.cancellation_reason == cancellation.PRICE_CHANGE_REASON
    assert declaration.extraordinary_reason == "Preiserhöhung zum 01.02.2027"


def test_extraordinary_cancellation_without_a_pending_price_change_ends_at_the_earliest_date() -> None:
    contract = ContractFactory(notice_period_months=1)

    declare(contract, kind=CancellationRequest.Kind.EXTRAORDINARY, extraordinary_reason="Umzug ins Ausland")

    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 22)
    assert contract.cancellation_reason == ""


def test_the_meter_number_identifies_the_contract_as_well_as_the_contract_number() -> None:
    contract = ContractFactory()

    declaration = declare(contract, contract_number="", meter_number=f" {contract.meter_number.lower()} ")

    assert declaration.status == CancellationRequest.Status.MATCHED


@pytest.mark.parametrize(
    "overrides",
    [
        {"postal_code": "10115"},
        {"customer_number": ""},
        {"contract_number": "", "meter_number": ""},
        {"meter_number": "1ESY-FALSCH"},
        {"customer_number": "000000"},
    ],
    ids=[
        "other postal code",
        "no customer number",
        "no contract or meter number",
        "wrong meter number",
        "other customer",
    ],
)
def test_a_declaration_that_does_not_identify_a_contract_goes_to_review_and_touches_nothing(
    overrides: dict[str, str],
) -> None:
    contract = ContractFactory()

    declaration = declare(contract, **overrides)

    contract.refresh_from_db()
    assert declaration.status == CancellationRequest.Status.REVIEW
    assert declaration.contract is None
    assert declaration.effective_date is None
    assert contract.status == Contract.Status.ACTIVE
    assert contract.end_date is None
    assert contract.cancelled_at is None


def test_another_customers_contract_number_does_not_match() -> None:
    mine, theirs = ContractFactory(), ContractFactory()

    declaration = declare(mine, contract_number=theirs.contract_number)

    theirs.refresh_from_db()
    assert declaration.status == CancellationRequest.Status.REVIEW
    assert theirs.status == Contract.Status.ACTIVE


def test_a_second_declaration_for_a_cancelled_contract_goes_to_review_and_keeps_the_first_end_date() -> None:
    contract = ContractFactory(notice_period_months=1)
    declare(contract)

    second = declare(contract, desired_end_date=date(2027, 12, 31))

    contract.refresh_from_db()
    assert second.status == CancellationRequest.Status.REVIEW
    assert contract.end_date == date(2026, 12, 22)


def test_logged_in_customer_cancels_the_chosen_contract_with_its_own_identification() -> None:
    contract = ContractFactory()
    user = contract.customer.user

    declaration = declare(
        customer_number="", contract_number="", postal_code="", user=user, contract=contract, name="Erika"
    )

    assert declaration.status == CancellationRequest.Status.MATCHED
    assert declaration.submitted_by == user
    assert declaration.customer_number == contract.customer.customer_number
    assert declaration.contract_number == contract.contract_number
    assert declaration.postal_code == contract.postal_code


def test_logged_in_customer_cannot_cancel_another_customers_contract() -> None:
    theirs = ContractFactory()
    user = CustomerFactory().user

    declaration = declare(user=user, contract=theirs)

    theirs.refresh_from_db()
    assert declaration.status == CancellationRequest.Status.REVIEW
    assert theirs.status == Contract.Status.ACTIVE


def test_a_contract_that_would_end_before_it_starts_goes_to_review() -> None:
    contract = ContractFactory(start_date=date(2027, 3, 1))

    declaration = declare(contract)

    contract.refresh_from_db()
    assert declaration.status == CancellationRequest.Status.REVIEW
    assert contract.end_date is None


def test_the_confirmation_email_is_sent_only_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    contract = ContractFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        declaration = declare(contract)
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erika@example.org"]
    assert declaration.reference in mail.outbox[0].subject
    assert "Eingegangen am: 21.11.2026, 14:05 Uhr" in mail.outbox[0].body
    assert "innerhalb einer Woche" in mail.outbox[0].body


def test_a_rolled_back_declaration_sends_no_email(django_capture_on_commit_callbacks: Any) -> None:
    contract = ContractFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        declare(contract)
        raise RuntimeError

    assert callbacks == []
    assert mail.outbox == []
    assert not CancellationRequest.objects.filter(contract=contract).exists()


def test_matched_and_unmatched_declarations_get_the_same_email(django_capture_on_commit_callbacks: Any) -> None:
    contract = ContractFactory()

    with django_capture_on_commit_callbacks(execute=True):
        matched = declare(contract)
        unmatched = declare(contract)  # the contract is cancelled now: the same data no longer match

    assert matched.status == CancellationRequest.Status.MATCHED
    assert unmatched.status == CancellationRequest.Status.REVIEW
    first, second = mail.outbox
    assert first.subject.replace(matched.reference, "REF") == second.subject.replace(unmatched.reference, "REF")
    assert first.body.replace(matched.reference, "REF") == second.body.replace(unmatched.reference, "REF")


def test_a_mail_server_failure_keeps_the_declaration_and_is_logged(
    django_capture_on_commit_callbacks: Any, monkeypatch: Any, caplog: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(cancellation, "send_mail", refuse)
    contract = ContractFactory()

    with django_capture_on_commit_callbacks(execute=True):
        declaration = declare(contract)

    assert CancellationRequest.objects.filter(pk=declaration.pk, status=CancellationRequest.Status.MATCHED).exists()
    assert f"confirmation for cancellation {declaration.reference} could not be sent" in caplog.text
    assert "erika@example.org" not in caplog.text


def test_leaving_reason_is_stored_and_kept_on_the_matched_contract() -> None:
    contract = ContractFactory()
    declaration = declare(contract)

    cancellation.record_leaving_reason(cancellation=declaration, reason="MOVING", comment="  Wir ziehen nach Kiel. ")

    declaration.refresh_from_db()
    contract.refresh_from_db()
    assert (declaration.leaving_reason, declaration.leaving_comment) == ("MOVING", "Wir ziehen nach Kiel.")
    assert contract.cancellation_reason == "MOVING"


def test_leaving_reason_of_an_unmatched_declaration_touches_no_contract() -> None:
    contract = ContractFactory()
    declaration = declare(contract, postal_code="10115")

    cancellation.record_leaving_reason(cancellation=declaration, reason="PRICE", comment="")

    contract.refresh_from_db()
    assert contract.cancellation_reason == ""
    assert CancellationRequest.objects.get(pk=declaration.pk).leaving_reason == "PRICE"


def test_staff_assign_a_reviewed_declaration_with_the_date_it_was_received() -> None:
    contract = ContractFactory(notice_period_months=1)
    declaration = declare(contract, postal_code="10115")

    cancellation.assign_contract(cancellation=declaration, contract=contract)

    contract.refresh_from_db()
    declaration.refresh_from_db()
    assert declaration.status == CancellationRequest.Status.MATCHED
    assert contract.end_date == date(2026, 12, 22)  # notice counted from 21.11.2026, not from the review
    assert contract.cancelled_at == NOW


def test_staff_cannot_assign_a_declaration_to_an_inactive_contract() -> None:
    contract = ContractFactory(status=Contract.Status.ENDED)
    declaration = declare(contract)

    with pytest.raises(cancellation.errors.ContractNotActive):
        cancellation.assign_contract(cancellation=declaration, contract=contract)

    declaration.refresh_from_db()
    assert declaration.status == CancellationRequest.Status.REVIEW
