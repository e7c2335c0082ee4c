"""Care triggers plan a retention call only for a notified price *increase*, in time or late (QA round 2, findings 6
and 7): explaining a price cut is no reason for an advertising call that uses up the contact cap."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from contacts import care, consents
from contacts.models import CallTask, Consent, PriceChangeNotice, Topic, Touchpoint
from tests.factories import CustomerFactory
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 20)
NOW = berlin(2026, 11, 20, 7, 30)


def _at_risk_customer() -> Any:
    """A customer with phone consent who talked about cancelling 100 days ago (on the at-risk list)."""
    customer = CustomerFactory()
    consents.grant(
        customer=customer,
        channel=Consent.ConsentChannel.PHONE,
        purpose=Consent.Purpose.ADVERTISING,
        source=Consent.Source.PORTAL,
        now=berlin(2026, 1, 1),
    )
    Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="IN", topic=Topic.CANCELLATION, outcome="RESOLVED",
        occurred_at=NOW - timedelta(days=100),
    )  # fmt: skip
    return customer


def _notice(change: Any, contract: Any, *, status: str = "SENT", **fields: Any) -> PriceChangeNotice:
    return PriceChangeNotice.objects.create(
        contract=contract, price_change=change, status=status, sent_at=berlin(2026, 11, 16), medium="EMAIL", **fields
    )


def test_a_notified_price_cut_plans_no_care_call(make_tariff: Any, make_contract: Any, published_change: Any) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff, customer=_at_risk_customer())
    cut = published_change(tariff, working_price="27.0000", base_price="120.00", published_at=berlin(2026, 11, 15))
    _notice(cut, contract)

    result = care.care_triggers(as_of=AS_OF, now=NOW)

    assert result["created"] == 0
    assert not CallTask.objects.filter(customer=contract.customer).exists()


def test_a_late_notice_of_an_increase_plans_a_care_call(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff, customer=_at_risk_customer())
    increase = published_change(tariff, effective=date(2026, 12, 15), published_at=berlin(2026, 11, 15))
    notice = _notice(increase, contract, status="LATE", effective_date=date(2027, 1, 1))

    result = care.care_triggers(as_of=AS_OF, now=NOW)

    assert result["created"] == 1
    task = CallTask.objects.get(source_key=f"care:notice:{notice.pk}")
    assert (task.kind, task.topic) == (CallTask.Kind.CARE, Topic.PRICE_CHANGE)
    assert task.note.startswith("Preiserhöhung zum 01.01.2027 mitgeteilt")
