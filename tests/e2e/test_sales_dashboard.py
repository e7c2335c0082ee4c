"""Browser journey of the sales persona: open the dashboard, filter it, plan a retention call; axe finds nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from contacts import synthetic
from contacts.models import CallTask, Consent, Touchpoint
from core import demo
from tests.factories import ContractFactory

PASSWORD = "Browser-Test-2026"


def _customer_at_risk() -> Any:
    """A customer with phone consent whose last call went badly (negative sentiment, score 2)."""
    contract = ContractFactory(start_date=date(2024, 1, 1), customer__name="Erika Muster")
    now = timezone.now()
    Touchpoint.objects.create(
        customer=contract.customer, channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED",
        occurred_at=now - timedelta(days=12), sentiment="NEGATIVE", would_recommend=2,
    )  # fmt: skip
    granted = now - timedelta(days=90)
    Consent.objects.create(customer=contract.customer, channel="PHONE", purpose="ADVERTISING", source="PORTAL",
                           wording="…", granted_at=granted, confirmed_at=granted)  # fmt: skip
    return contract


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sales_persona_reads_the_dashboard_and_plans_a_retention_call(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, reference_data: None
) -> None:
    cache.clear()
    demo.seed_users(password=PASSWORD)
    synthetic.seed_population(customers=80, seed=42, as_of=timezone.localdate())
    contract = _customer_at_risk()

    login(page, "klaus@stadtwerk.example", PASSWORD)

    assert page.url == f"{live_server.url}/vertrieb/"
    assert page.get_by_role("heading", level=1).inner_text() == "Kundenbindung"
    assert page.get_by_role("heading", name="Gefährdete Kunden", exact=True).is_visible()
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0")
    drawn = page.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => Chart.getChart(c))")
    assert drawn, "every chart is drawn"
    assert page.get_by_role("table", name="Kündigungen nach Grund (die Werte des Diagramms)").is_visible()
    assert_accessible(page)

    page.get_by_label("Tarif", exact=True).select_option(str(contract.tariff_id))
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_load_state()
    page.get_by_role("button", name=f"Betreuungsanruf anlegen für {contract.customer.customer_number}").click()
    page.wait_for_load_state()

    assert page.get_by_text(f"Betreuungsanruf für Kunde {contract.customer.customer_number} angelegt").is_visible()
    assert f"tariff={contract.tariff_id}" in page.url
    assert CallTask.objects.filter(customer=contract.customer, kind="CARE", status="OPEN").count() == 1
    assert_accessible(page)
