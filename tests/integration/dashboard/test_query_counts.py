"""Every selector runs a fixed number of queries: the same for a small population and one ten times larger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from contacts import dashboard
from contacts.models import CallTask, Consent, Interest, PriceChangeNotice, Touchpoint
from customers.models import Bill, MeterReading
from tariffs.models import PriceChange
from tests.factories import ContractFactory, PriceVersionFactory

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = date(2026, 11, 21)
FLT = dashboard.make_filter(date_from=None, date_to=None, as_of=AS_OF)


def _population(size: int) -> None:
    """``size`` customers, each with everything the dashboard counts."""
    version = PriceVersionFactory(valid_from=date(2026, 12, 1))
    change = PriceChange.objects.create(
        tariff=version.tariff, price_version=version, effective_date=date(2026, 12, 1), reason="…",
        status="PUBLISHED", published_at=datetime(2026, 9, 1, tzinfo=BERLIN),
    )  # fmt: skip
    for index in range(size):
        when = datetime(2026, 3, 1 + index % 28, 10, tzinfo=BERLIN)
        contract = ContractFactory(tariff=version.tariff, start_date=date(2026, 1, 1) + timedelta(days=index),
                                   minimum_term_end=date(2027, 1, 1))  # fmt: skip
        ContractFactory(customer=contract.customer, start_date=date(2021, 1, 1), end_date=date(2026, 5, 1),
                                status="ENDED", cancelled_at=when, cancellation_reason="PRICE")  # fmt: skip
        customer = contract.customer
        result = Touchpoint.objects.create(customer=customer, contract=contract, channel="PHONE", direction="OUT",
                                           topic="COURTESY_CALL", outcome="RESOLVED", occurred_at=when,
                                           would_recommend=index % 11, sentiment="NEGATIVE")  # fmt: skip
        CallTask.objects.create(customer=customer, contract=contract, kind="COURTESY", due_at=when, status="DONE",
                                result=result)  # fmt: skip
        skipped = ContractFactory(customer=customer, commodity="gas", start_date=date(2026, 2, 1))
        CallTask.objects.create(customer=customer, contract=skipped, kind="COURTESY", due_at=when, status="SKIPPED",
                                skip_reason="keine Einwilligung")  # fmt: skip
        Consent.objects.create(customer=customer, channel="PHONE", purpose="ADVERTISING", granted_at=when,
                               source="PORTAL", wording="…", confirmed_at=when)  # fmt: skip
        Interest.objects.create(customer=customer, kind="PV", noted_at=when)
        PriceChangeNotice.objects.create(contract=contract, price_change=change, status="SENT",
                                         sent_at=datetime(2026, 10, 1, tzinfo=BERLIN))  # fmt: skip
        start = MeterReading.objects.create(
            contract=contract, read_date=date(2026, 1, 1), value=1, source="GRID_OPERATOR"
        )
        end = MeterReading.objects.create(
            contract=contract, read_date=date(2026, 9, 1), value=9, source="GRID_OPERATOR"
        )
        Bill.objects.create(
            contract=contract, number=f"R{index}", kind="ANNUAL", period_start=start.read_date,
            period_end=end.read_date, start_reading=start, end_reading=end, consumption_kwh=8, net_eur=Decimal(150),
            vat_eur=0, gross_eur=Decimal(150), advances_eur=Decimal(100), balance_eur=Decimal(50),
            issued_date=date(2026, 9, 10), due_date=date(2026, 9, 24),
        )  # fmt: skip


SELECTORS: list[tuple[Callable[..., Any], int]] = [
    (dashboard.get_contract_series, 1),
    (dashboard.get_cancellations_by_reason, 1),
    (dashboard.get_cancellations_by_tariff, 1),
    (dashboard.get_cancellations_by_tenure, 1),
    (dashboard.get_price_change_cancellations, 1),
    (dashboard.get_courtesy_summary, 1),
    (dashboard.get_courtesy_skip_reasons, 1),
    (dashboard.get_courtesy_retention, 1),
    (dashboard.get_contact_frequency, 2),
    (dashboard.get_churn_by_contact_frequency, 1),
    (dashboard.get_recommendation, 1),
    (dashboard.get_interest_counts, 1),
    (dashboard.get_leads, 2),
    (dashboard.get_at_risk_customers, 1),
]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(("selector", "queries"), SELECTORS, ids=lambda value: getattr(value, "__name__", value))
def test_selector_runs_the_same_queries_for_3_or_30_customers(
    django_assert_num_queries: Any, size: int, selector: Callable[..., Any], queries: int
) -> None:
    _population(size)

    with django_assert_num_queries(queries):
        result = selector(flt=FLT)

    assert result  # the population shows up in every figure


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_whole_dashboard_runs_16_queries(django_assert_num_queries: Any, size: int) -> None:
    _population(size)

    with django_assert_num_queries(16):
        data = dashboard.get_dashboard(flt=FLT, now=timezone.now())

    assert len(data.at_risk) == size


@pytest.mark.django_db
def test_snapshot_is_computed_once_then_served_without_queries(django_assert_num_queries: Any) -> None:
    _population(3)
    now = timezone.now()

    with django_assert_num_queries(16):
        first = dashboard.get_dashboard_snapshot(flt=FLT, now=now)
    with django_assert_num_queries(0):
        second = dashboard.get_dashboard_snapshot(flt=FLT, now=now + timedelta(minutes=5))

    assert second == first
    assert second.computed_at == now  # the page says when the figures were computed


@pytest.mark.django_db
def test_snapshot_is_per_filter_and_refresh_computes_it_anew(django_assert_num_queries: Any) -> None:
    _population(3)
    now = timezone.now()
    dashboard.get_dashboard_snapshot(flt=FLT, now=now)
    gas = dashboard.make_filter(date_from=None, date_to=None, as_of=AS_OF, commodity="gas")

    with django_assert_num_queries(16):
        dashboard.get_dashboard_snapshot(flt=gas, now=now)
    with django_assert_num_queries(16):
        refreshed = dashboard.get_dashboard_snapshot(flt=FLT, now=now + timedelta(hours=1), refresh=True)

    assert refreshed.computed_at == now + timedelta(hours=1)


@pytest.mark.django_db
def test_daily_job_computes_the_default_view() -> None:
    _population(3)

    result = dashboard.refresh_snapshot(as_of=AS_OF, now=timezone.now())

    assert result == {"job": "dashboard_snapshot", "as_of": "2026-11-21", "at_risk": 3}
