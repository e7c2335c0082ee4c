"""seed_synthetic: a realistic, consistent, reproducible population that fills every panel of the dashboard."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from contacts import courtesy, dashboard, synthetic
from contacts.models import CallTask, PriceChangeNotice, Touchpoint
from customers.models import Bill, Contract, Customer

AS_OF = date(2026, 11, 21)


@pytest.mark.django_db
def test_population_has_contracts_bills_contacts_and_consistent_totals() -> None:
    summary = synthetic.seed_population(customers=120, seed=7, as_of=AS_OF)

    customers = Customer.objects.filter(customer_number__startswith="SY")
    assert summary.customers == customers.count() == 120
    assert not customers.annotate(n=Count("contracts")).filter(n=0).exists()
    bills = Bill.objects.filter(contract__customer__in=customers)
    assert bills.exists()
    for net, vat, gross, relief, advances, balance in bills.values_list(
        "net_eur", "vat_eur", "gross_eur", "relief_eur", "advances_eur", "balance_eur"
    ):  # compared as Decimals in Python: SQLite would compare floats
        assert (gross, balance) == (net + vat, gross - relief - advances)
    per_customer = Touchpoint.objects.filter(customer__in=customers).count() / 120
    assert 6 <= per_customer <= 14  # about ten contacts per customer
    cancelled = Contract.objects.filter(customer__in=customers, cancelled_at__isnull=False)
    assert cancelled.filter(cancellation_kind="MOVE").exists()
    assert cancelled.filter(cancellation_reason="PRICE_CHANGE", cancellation_kind="EXTRAORDINARY").exists()
    assert not cancelled.filter(end_date__lte=F("start_date")).exists()
    skip_reasons = set(CallTask.objects.filter(status="SKIPPED").values_list("skip_reason", flat=True))
    assert skip_reasons <= {
        courtesy.SKIP_NO_CONSENT,
        courtesy.SKIP_CAP,
        courtesy.SKIP_VULNERABLE,
        courtesy.SKIP_COMPLAINT,
    }
    assert not PriceChangeNotice.objects.filter(status="SENT", sent_at__isnull=True).exists()
    assert Touchpoint.objects.filter(would_recommend__isnull=False).exists()


@pytest.mark.django_db
def test_same_seed_gives_the_same_customers_and_numbers_continue() -> None:
    synthetic.seed_population(customers=15, seed=3, as_of=AS_OF)
    synthetic.seed_population(customers=15, seed=3, as_of=AS_OF)

    names = list(
        Customer.objects.filter(customer_number__startswith="SY").order_by("id").values_list("name", flat=True)
    )
    assert names[:15] == names[15:]
    assert Customer.objects.filter(customer_number__startswith="SY").values("customer_number").distinct().count() == 30


@pytest.mark.django_db
def test_every_panel_of_the_dashboard_shows_figures_for_the_population() -> None:
    synthetic.seed_population(customers=400, seed=42, as_of=AS_OF)

    data = dashboard.get_dashboard(flt=dashboard.make_filter(date_from=None, date_to=None, as_of=AS_OF),
                                   now=timezone.now())  # fmt: skip

    assert data.series.active_at_end > 300 and data.series.new > 0 and data.series.cancelled > 0
    assert data.series.rolling_churn_rate is not None and 2 < data.series.rolling_churn_rate < 25
    assert data.by_reason and data.by_tariff and sum(row.count for row in data.by_tenure) > 0
    assert data.price_changes.notified > 0
    assert data.courtesy.called > 0 and data.skip_reasons
    assert all(row.contracts > 0 for row in data.retention.rows)
    assert data.contacts.rows and data.recommendation.total.scores > 0
    assert any(row.customers for row in data.contact_bands)
    assert any(row.total for row in data.interests) and data.at_risk


@pytest.mark.django_db
def test_command_rejects_a_count_below_one_in_german() -> None:
    with pytest.raises(Exception, match="mindestens 1"):
        call_command("seed_synthetic", customers=0)

    assert not Customer.objects.filter(customer_number__startswith="SY").exists()


@pytest.mark.django_db
def test_seed_demo_adds_synthetic_customers_only_while_fewer_exist() -> None:
    call_command("seed_demo", password="Demo-Passwort-1", synthetic=25)
    call_command("seed_demo", password="Demo-Passwort-1", synthetic=25)

    assert synthetic.synthetic_customer_count() == 25
    assert Customer.objects.filter(~Q(customer_number__startswith="SY")).exists()  # the personas
