"""The price-change admin: create a change with its new prices, and publish it after seeing the lead-time check."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from tariffs import pricing_changes
from tariffs.models import PriceChange, PriceVersion
from tests.factories import ContractFactory, PriceVersionFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:tariffs_pricechange_changelist"


@pytest.fixture
def admin_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("ADMIN", is_staff=True, is_superuser=True))
    return client


def test_an_admin_creates_a_draft_price_change_that_changes_no_price_yet(admin_client: Any) -> None:
    tariff = PriceVersionFactory().tariff

    response = admin_client.post(
        reverse("admin:tariffs_pricechange_add"),
        {
            "tariff": tariff.pk,
            "effective_date": "01.03.2027",
            "working_price_net_ct": "35,5",
            "base_price_net_eur_year": "150",
            "reason": "Netzentgelte steigen.",
            "conditions": "",
        },
    )

    assert response.status_code == 302
    change = PriceChange.objects.get(tariff=tariff)
    assert change.status == PriceChange.Status.DRAFT
    assert (change.working_price_net_ct, change.base_price_net_eur_year) == (Decimal("35.5000"), Decimal("150.00"))
    assert change.price_version is None
    ends = PriceVersion.objects.filter(tariff=tariff).order_by("valid_from").values_list("valid_to", flat=True)
    assert list(ends) == [None]


def test_a_change_before_the_current_price_version_is_refused_at_the_field(admin_client: Any) -> None:
    tariff = PriceVersionFactory().tariff

    response = admin_client.post(
        reverse("admin:tariffs_pricechange_add"),
        {
            "tariff": tariff.pk,
            "effective_date": "01.01.2019",
            "working_price_net_ct": "35",
            "base_price_net_eur_year": "150",
            "reason": "x",
        },
    )

    assert response.status_code == 200
    assert "nach dem Beginn des aktuellen Preisstands" in response.content.decode()
    assert not PriceChange.objects.exists()


def test_publishing_shows_the_contracts_that_cannot_be_notified_in_time_first(admin_client: Any) -> None:
    tariff = PriceVersionFactory(tariff__is_basic_supply=True).tariff
    contract = ContractFactory(tariff=tariff)
    # Effective on a first of a month less than six weeks ahead: too late for basic supply.
    effective = pricing_changes.first_of_month_on_or_after(timezone.localdate() + timedelta(days=2))
    change = pricing_changes.create_price_change(
        tariff=tariff,
        valid_from=effective,
        working_price_net_ct=Decimal("35"),
        base_price_net_eur_year=Decimal("150"),
        reason="x",
        conditions="",
    )

    response = admin_client.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [change.pk]})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Verträge, die nicht rechtzeitig benachrichtigt werden können" in page
    assert contract.contract_number in page
    lawful = pricing_changes.effective_date_for(
        rule=pricing_changes.NoticeRule.BASIC_SUPPLY, effective_date=effective, notice_date=timezone.localdate()
    )
    assert f"{lawful:%d.%m.%Y}" in page
    change.refresh_from_db()
    assert change.status == PriceChange.Status.DRAFT
    assert not OutboxMessage.objects.exists()


def test_confirming_publishes_and_enqueues_the_notices(admin_client: Any) -> None:
    tariff = PriceVersionFactory().tariff
    ContractFactory(tariff=tariff)
    effective = pricing_changes.first_of_month_on_or_after(timezone.localdate() + timedelta(weeks=7))
    change = pricing_changes.create_price_change(
        tariff=tariff,
        valid_from=effective,
        working_price_net_ct=Decimal("35"),
        base_price_net_eur_year=Decimal("150"),
        reason="x",
        conditions="",
    )

    response = admin_client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [change.pk], "confirmed": "yes"}, follow=True
    )

    change.refresh_from_db()
    assert change.status == PriceChange.Status.PUBLISHED
    assert OutboxMessage.objects.get().kwargs == {"price_change_id": change.pk}
    assert "die Mitteilungen werden versendet" in response.content.decode()
