"""Care triggers: a high Nachzahlung and a notice to a customer at risk each plan a care call, by the same rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from contacts import care, consents, courtesy
from contacts.models import CallTask, Consent, PriceChangeNotice, Topic, Touchpoint
from customers.models import Bill
from tests.factories import CustomerFactory, MeterReadingFactory
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 20)
NOW = berlin(2026, 11, 20, 7, 30)


def consenting_customer(**fields: Any) -> Any:
    customer = CustomerFactory(**fields)
    consents.grant(
        customer=customer,
        channel=Consent.ConsentChannel.PHONE,
        purpose=Consent.Purpose.ADVERTISING,
        source=Consent.Source.PORTAL,
        now=berlin(2026, 1, 1),
    )
    return customer


def bill(contract: Any, *, gross: str, advances: str, number: str) -> Bill:
    start = MeterReadingFactory(contract=contract, read_date=date(2025, 11, 1), value=Decimal(1000))
    end = MeterReadingFactory(contract=contract, read_date=date(2026, 11, 1), value=Decimal(4500))
    gross_eur, advances_eur = Decimal(gross), Decimal(advances)
    return Bill.objects.create(
        contract=contract,
        number=number,
        kind=Bill.Kind.ANNUAL,
        period_start=start.read_date,
        period_end=end.read_date,
        start_reading=start,
        end_reading=end,
        consumption_kwh=Decimal(3500),
        net_eur=gross_eur,
        vat_eur=Decimal("0.00"),
        gross_eur=gross_eur,
        advances_eur=advances_eur,
        balance_eur=gross_eur - advances_eur,
        issued_date=date(2026, 11, 10),
        due_date=date(2026, 11, 24),
    )


def test_a_nachzahlung_above_30_percent_of_the_abschlaege_plans_a_care_call(
    make_tariff: Any, make_contract: Any
) -> None:
    high = make_contract(make_tariff(), customer=consenting_customer())
    normal = make_contract(make_tariff(), customer=consenting_customer())
    high_bill = bill(high, gross="1560.01", advances="1200.00", number="R-1")  # 360.01 > 30 % of 1,200
    bill(normal, gross="1560.00", advances="1200.00", number="R-2")  # exactly 30 %: no call

    result = care.care_triggers(as_of=AS_OF, now=NOW)

    assert result == {"job": "care_triggers", "created": 1, "already_done": 0, "skipped": {}}
    task = CallTask.objects.get(source_key=f"care:bill:{high_bill.pk}")
    assert (task.kind, task.topic, task.customer, task.contract) == (
        CallTask.Kind.CARE,
        Topic.BILL,
        high.customer,
        high,
    )
    assert "360,01" in task.note
    assert task.due_at == berlin(2026, 11, 20, 9)
    assert not CallTask.objects.filter(customer=normal.customer).exists()


def test_a_notice_to_a_customer_at_risk_plans_a_care_call(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    at_risk = make_contract(tariff, customer=consenting_customer())
    calm = make_contract(tariff, customer=consenting_customer())
    Touchpoint.objects.create(
        customer=at_risk.customer,
        channel="PHONE",
        direction="IN",
        topic=Topic.CANCELLATION,
        outcome="RESOLVED",
        occurred_at=NOW - timedelta(days=100),
    )
    change = published_change(tariff, published_at=berlin(2026, 11, 15))
    for contract in (at_risk, calm):
        PriceChangeNotice.objects.create(
            contract=contract, price_change=change, status="SENT", sent_at=berlin(2026, 11, 16), medium="EMAIL"
        )
    notice = PriceChangeNotice.objects.get(contract=at_risk)

    result = care.care_triggers(as_of=AS_OF, now=NOW)

    assert result["created"] == 1
    task = CallTask.objects.get(source_key=f"care:notice:{notice.pk}")
    assert (task.kind, task.topic, task.customer) == (CallTask.Kind.CARE, Topic.PRICE_CHANGE, at_risk.customer)
    assert not CallTask.objects.filter(customer=calm.customer).exists()


def test_care_calls_follow_the_same_rules_and_run_once(make_tariff: Any, make_contract: Any) -> None:
    vulnerable = make_contract(make_tariff(), customer=consenting_customer(is_vulnerable=True))
    without_consent = make_contract(make_tariff())
    bill(vulnerable, gross="2000.00", advances="1000.00", number="R-3")
    bill(without_consent, gross="2000.00", advances="1000.00", number="R-4")

    first = care.care_triggers(as_of=AS_OF, now=NOW)
    second = care.care_triggers(as_of=AS_OF, now=NOW)

    assert first["skipped"] == {courtesy.SKIP_VULNERABLE: 1, courtesy.SKIP_NO_CONSENT: 1}
    assert second == {"job": "care_triggers", "created": 0, "already_done": 2, "skipped": {}}


def test_the_at_risk_rule_looks_at_negative_sentiment_complaints_and_cancellations_of_180_days() -> None:
    negative, complaint, old, calm = (CustomerFactory() for _ in range(4))
    for customer, fields, days in (
        (negative, {"topic": Topic.BILL, "sentiment": "NEGATIVE"}, 10),
        (complaint, {"topic": Topic.COMPLAINT}, 179),
        (old, {"topic": Topic.CANCELLATION}, 181),
        (calm, {"topic": Topic.BILL, "sentiment": "POSITIVE"}, 10),
    ):
        Touchpoint.objects.create(
            customer=customer,
            channel="PHONE",
            direction="IN",
            outcome="RESOLVED",
            occurred_at=berlin(2026, 11, 20) - timedelta(days=days),
            **fields,
        )

    at_risk = {customer.pk for customer in (negative, complaint, old, calm) if care.is_at_risk(customer, AS_OF)}

    assert at_risk == {negative.pk, complaint.pk}
