"""Price changes: the new price version, the legal lead times per contract, and publishing through the outbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.models import OutboxMessage
from tariffs import pricing_changes
from tariffs.models import PriceChange, PriceVersion
from tariffs.pricing_changes import NoticeRule
from tests.factories import CustomerFactory
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db


def draft(tariff: Any, **fields: Any) -> PriceChange:
    """A draft change of the tariff to 35 ct + 150 €/year net from 01.02.2027 (fields override)."""
    values: dict[str, Any] = {
        "valid_from": date(2027, 2, 1),
        "working_price_net_ct": Decimal("35"),
        "base_price_net_eur_year": Decimal("150"),
        "reason": "x",
        "conditions": "",
    }
    values.update(fields)
    return pricing_changes.create_price_change(tariff=tariff, **values)


def lawful(rule: NoticeRule, effective: date, notice: date) -> date:
    return pricing_changes.effective_date_for(rule=rule, effective_date=effective, notice_date=notice)


def test_basic_supply_needs_six_weeks_and_the_first_of_a_month() -> None:
    assert lawful(NoticeRule.BASIC_SUPPLY, date(2027, 2, 1), date(2026, 12, 21)) == date(2027, 2, 1)
    assert lawful(NoticeRule.BASIC_SUPPLY, date(2027, 2, 1), date(2026, 12, 22)) == date(2027, 3, 1)


def test_basic_supply_change_not_on_the_first_of_a_month_moves_to_the_next_first() -> None:
    assert lawful(NoticeRule.BASIC_SUPPLY, date(2027, 2, 15), date(2026, 11, 1)) == date(2027, 3, 1)
    assert pricing_changes.latest_notice_date(rule=NoticeRule.BASIC_SUPPLY, effective_date=date(2027, 2, 15)) is None


def test_household_special_contract_needs_one_month() -> None:
    assert lawful(NoticeRule.HOUSEHOLD, date(2027, 2, 1), date(2027, 1, 1)) == date(2027, 2, 1)
    assert lawful(NoticeRule.HOUSEHOLD, date(2027, 2, 1), date(2027, 1, 2)) == date(2027, 2, 2)
    assert lawful(NoticeRule.HOUSEHOLD, date(2027, 2, 1), date(2027, 1, 31)) == date(2027, 2, 28)


def test_business_contract_needs_two_weeks() -> None:
    assert lawful(NoticeRule.BUSINESS, date(2027, 2, 1), date(2027, 1, 18)) == date(2027, 2, 1)
    assert lawful(NoticeRule.BUSINESS, date(2027, 2, 1), date(2027, 1, 19)) == date(2027, 2, 2)


def test_vat_only_change_needs_no_lead_time() -> None:
    assert lawful(NoticeRule.NONE, date(2027, 1, 1), date(2026, 12, 31)) == date(2027, 1, 1)


def test_latest_notice_dates_follow_the_rules() -> None:
    effective = date(2027, 3, 1)

    assert pricing_changes.latest_notice_date(rule=NoticeRule.BASIC_SUPPLY, effective_date=effective) == date(
        2027, 1, 18
    )
    assert pricing_changes.latest_notice_date(rule=NoticeRule.HOUSEHOLD, effective_date=effective) == date(2027, 2, 1)
    assert pricing_changes.latest_notice_date(rule=NoticeRule.BUSINESS, effective_date=effective) == date(2027, 2, 15)


def test_creating_a_change_stores_a_draft_and_leaves_the_price_history_alone(make_tariff: Any) -> None:
    tariff = make_tariff()

    change = draft(tariff, reason="Netzentgelte steigen.")

    versions = list(PriceVersion.objects.filter(tariff=tariff).order_by("valid_from"))
    assert [(v.valid_from, v.valid_to) for v in versions] == [(date(2020, 1, 1), None)]
    assert change.price_version is None
    assert (change.working_price_net_ct, change.base_price_net_eur_year) == (Decimal("35.0000"), Decimal("150.00"))
    assert change.status == PriceChange.Status.DRAFT
    assert change.effective_date == date(2027, 2, 1)


def test_publishing_ends_the_open_price_version_and_starts_the_new_one(make_tariff: Any) -> None:
    tariff = make_tariff()
    change = draft(tariff, reason="Netzentgelte steigen.")

    pricing_changes.publish(change, berlin(2026, 12, 1))

    versions = list(PriceVersion.objects.filter(tariff=tariff).order_by("valid_from"))
    assert [(v.valid_from, v.valid_to, v.working_price_net_ct) for v in versions] == [
        (date(2020, 1, 1), date(2027, 2, 1), Decimal("30.0000")),
        (date(2027, 2, 1), None, Decimal("35.0000")),
    ]
    change.refresh_from_db()
    assert change.price_version == versions[1]


def test_a_change_before_the_current_version_is_refused_in_german(make_tariff: Any) -> None:
    tariff = make_tariff()

    with pytest.raises(pricing_changes.ChangeNotAfterCurrentVersion, match="nach dem Beginn des aktuellen"):
        draft(tariff, valid_from=date(2019, 1, 1), working_price_net_ct=Decimal(1), base_price_net_eur_year=Decimal(1))

    assert PriceVersion.objects.filter(tariff=tariff).count() == 1


def test_the_lead_time_report_names_contracts_that_cannot_be_notified_in_time(
    make_tariff: Any, make_contract: Any
) -> None:
    tariff = make_tariff(is_basic_supply=True)
    first, second = make_contract(tariff), make_contract(tariff)
    make_contract(tariff, status="ENDED", end_date=date(2026, 6, 1))
    change = draft(tariff)

    in_time = pricing_changes.lead_time_report(change, date(2026, 12, 21))
    too_late = pricing_changes.lead_time_report(change, date(2026, 12, 22))

    assert [row.contract_id for row in in_time.contracts] == [first.pk, second.pk]
    assert in_time.late == ()
    assert [(row.contract_number, row.effective_date) for row in too_late.late] == [
        (first.contract_number, date(2027, 3, 1)),
        (second.contract_number, date(2027, 3, 1)),
    ]
    (summary,) = too_late.summaries
    assert (summary.rule, summary.contracts, summary.late, summary.latest_notice_date) == (
        NoticeRule.BASIC_SUPPLY,
        2,
        2,
        date(2026, 12, 21),
    )


def test_business_lead_time_needs_a_business_tariff_and_a_business_customer(
    make_tariff: Any, make_contract: Any
) -> None:
    tariff = make_tariff(customer_group="business")
    business = make_contract(tariff, customer=CustomerFactory(customer_group="business"))
    household = make_contract(tariff, customer=CustomerFactory(customer_group="household"))
    change = draft(tariff)

    report = pricing_changes.lead_time_report(change, date(2027, 1, 10))

    rules = {row.contract_id: (row.rule, row.in_time) for row in report.contracts}
    assert rules == {business.pk: (NoticeRule.BUSINESS, True), household.pk: (NoticeRule.HOUSEHOLD, False)}


def test_publishing_writes_the_notice_job_to_the_outbox_without_countdown(make_tariff: Any) -> None:
    tariff = make_tariff()
    change = draft(tariff)

    pricing_changes.publish(change, berlin(2026, 12, 1))

    change.refresh_from_db()
    assert change.status == PriceChange.Status.PUBLISHED
    assert change.published_at == berlin(2026, 12, 1)
    message = OutboxMessage.objects.get(task_name="contacts.price_change_notices")
    assert message.kwargs == {"price_change_id": change.pk}
    assert message.published_at is None  # published by the relay after commit, not inside the transaction


def test_publishing_a_vat_only_change_enqueues_no_notices(make_tariff: Any) -> None:
    tariff = make_tariff()
    change = pricing_changes.create_price_change(
        tariff=tariff,
        valid_from=date(2027, 2, 1),
        working_price_net_ct=Decimal("30"),
        base_price_net_eur_year=Decimal("120"),
        reason="Umsatzsteuer",
        conditions="",
        is_vat_only=True,
    )

    report = pricing_changes.publish(change, berlin(2026, 12, 1))

    assert report.is_vat_only
    assert not OutboxMessage.objects.filter(task_name="contacts.price_change_notices").exists()


def test_publishing_twice_or_too_late_is_refused(make_tariff: Any) -> None:
    tariff = make_tariff()
    change = draft(tariff)
    other = draft(make_tariff(), valid_from=date(2026, 12, 1))
    pricing_changes.publish(change, berlin(2026, 12, 1))

    with pytest.raises(pricing_changes.PriceChangeAlreadyPublished):
        pricing_changes.publish(change, berlin(2026, 12, 2))
    with pytest.raises(pricing_changes.EffectiveDateNotInFuture, match="liegt nicht in der Zukunft"):
        pricing_changes.publish(other, berlin(2026, 12, 1))

    assert OutboxMessage.objects.filter(task_name="contacts.price_change_notices").count() == 1
