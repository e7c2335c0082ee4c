"""A retention call from the at-risk list follows the rules of every optional call: consent, vulnerability,
complaints and the contact cap; a refusal writes nothing and says why in German."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import retention
from contacts.models import CallTask, Consent, ConsentUse, Touchpoint
from tests.factories import ContractFactory

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)  # a Monday, inside the call window


def _unhappy_customer(*, vulnerable: bool = False) -> Any:
    """A customer on the at-risk list: negative sentiment and a low score last month (2 + 2 points)."""
    customer = ContractFactory(start_date=date(2024, 1, 1)).customer
    if vulnerable:
        customer.is_vulnerable = True
        customer.save(update_fields=["is_vulnerable"])
    Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED",
        occurred_at=NOW - timedelta(days=30), sentiment="NEGATIVE", would_recommend=4,
    )  # fmt: skip
    return customer


def _phone_consent(customer: Any, *, withdrawn: bool = False) -> Consent:
    granted = NOW - timedelta(days=400)
    return Consent.objects.create(
        customer=customer, channel="PHONE", purpose="ADVERTISING", granted_at=granted, source="CONTRACT_FORM",
        wording="…", confirmed_at=granted, withdrawn_at=NOW - timedelta(days=1) if withdrawn else None,
    )  # fmt: skip


@pytest.mark.django_db
def test_task_is_planned_with_the_reasons_and_the_consent_use_is_recorded() -> None:
    customer = _unhappy_customer()
    consent = _phone_consent(customer)

    task = retention.create_retention_task(customer=customer, now=NOW)

    assert (task.kind, task.status, task.customer_id, task.due_at) == ("CARE", "OPEN", customer.pk, NOW)
    assert "Negative Stimmung im Kontakt" in task.note and "Bewertung 0–6" in task.note
    assert task.source_key == f"care:retention:{customer.pk}:2026-11-23"
    use = ConsentUse.objects.get(call_task=task)
    assert use.consent_id == consent.pk


@pytest.mark.django_db
@pytest.mark.parametrize("withdrawn", [False, True], ids=["never given", "withdrawn"])
def test_without_phone_consent_no_task_is_planned(withdrawn: bool) -> None:
    customer = _unhappy_customer()
    if withdrawn:
        _phone_consent(customer, withdrawn=True)

    with pytest.raises(retention.NoPhoneConsent, match="nicht in Werbeanrufe eingewilligt"):
        retention.create_retention_task(customer=customer, now=NOW)

    assert not CallTask.objects.filter(customer=customer).exists()
    assert not ConsentUse.objects.exists()


@pytest.mark.django_db
def test_vulnerable_customer_gets_no_advertising_call() -> None:
    customer = _unhappy_customer(vulnerable=True)
    _phone_consent(customer)

    with pytest.raises(retention.CustomerVulnerable, match="besonders schutzbedürftig"):
        retention.create_retention_task(customer=customer, now=NOW)

    assert not CallTask.objects.filter(customer=customer).exists()


@pytest.mark.django_db
def test_open_complaint_blocks_the_call() -> None:
    customer = _unhappy_customer()
    _phone_consent(customer)
    Touchpoint.objects.create(customer=customer, channel="EMAIL", direction="IN", topic="COMPLAINT",
                              outcome="FOLLOW_UP", occurred_at=NOW - timedelta(days=5))  # fmt: skip

    with pytest.raises(retention.ComplaintOpen, match="Beschwerde"):
        retention.create_retention_task(customer=customer, now=NOW)


@pytest.mark.django_db
def test_contact_cap_blocks_a_third_optional_call_in_90_days() -> None:
    customer = _unhappy_customer()
    _phone_consent(customer)
    for days in (10, 40):
        CallTask.objects.create(customer=customer, kind="COURTESY", due_at=NOW - timedelta(days=days), status="DONE",
                                finished_at=NOW - timedelta(days=days))  # fmt: skip

    with pytest.raises(retention.ContactCapReached, match="Obergrenze"):
        retention.create_retention_task(customer=customer, now=NOW)


@pytest.mark.django_db
def test_a_second_request_while_a_care_task_is_open_is_refused() -> None:
    customer = _unhappy_customer()
    _phone_consent(customer)
    retention.create_retention_task(customer=customer, now=NOW)

    with pytest.raises(retention.TaskAlreadyOpen):
        retention.create_retention_task(customer=customer, now=NOW + timedelta(minutes=1))

    assert CallTask.objects.filter(customer=customer, kind="CARE").count() == 1


@pytest.mark.django_db
def test_customer_without_a_risk_rule_is_refused() -> None:
    customer = ContractFactory(start_date=date(2025, 6, 1)).customer
    _phone_consent(customer)

    with pytest.raises(retention.NotAtRisk):
        retention.create_retention_task(customer=customer, now=NOW)
