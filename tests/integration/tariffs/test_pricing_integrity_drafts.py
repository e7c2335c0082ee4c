"""A draft never changes prices; publishing creates the price version (QA round 2, findings 2 and 3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from core.models import OutboxMessage
from customers import selectors as customer_selectors
from tariffs import pricing_changes
from tariffs.models import PriceChange, PriceVersion
from tests.factories import ContractFactory, PriceVersionFactory

pytestmark = pytest.mark.django_db
PUBLISHED_AT = datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def contract() -> Any:
    """A contract on a tariff at 30 ct + 120 €/year net since 2020 (35.70 ct gross)."""
    return ContractFactory(tariff=PriceVersionFactory().tariff)


def draft(tariff: Any, *, effective: date = date(2027, 2, 1), working_price: str = "35.0000", **kwargs: Any) -> Any:
    fields: dict[str, Any] = {
        "working_price_net_ct": Decimal(working_price),
        "base_price_net_eur_year": Decimal("150.00"),
        "reason": "Netzentgelte steigen.",
        "conditions": "",
        **kwargs,
    }
    return pricing_changes.create_price_change(tariff=tariff, valid_from=effective, **fields)


def gross_ct(contract: Any, day: date) -> Decimal:
    pricing = customer_selectors.get_contract_pricing(contract)
    return pricing.contract_gross_on(contract, day).working_price_ct


def test_a_draft_does_not_change_the_price_a_contract_pays(contract: Any) -> None:
    draft(contract.tariff)

    assert gross_ct(contract, date(2027, 3, 1)) == Decimal("35.7000")
    assert PriceVersion.objects.filter(tariff=contract.tariff).count() == 1


def test_publishing_a_draft_changes_the_price_from_its_effective_date(contract: Any) -> None:
    change = draft(contract.tariff)

    pricing_changes.publish(change, PUBLISHED_AT)

    assert gross_ct(contract, date(2027, 1, 31)) == Decimal("35.7000")
    assert gross_ct(contract, date(2027, 2, 1)) == Decimal("41.6500")
    change.refresh_from_db()
    assert change.price_version is not None
    assert change.price_version.valid_from == date(2027, 2, 1)


def test_deleting_a_draft_leaves_the_price_history_as_it_was(contract: Any) -> None:
    before = list(PriceVersion.objects.filter(tariff=contract.tariff).values_list("valid_from", "valid_to"))
    change = draft(contract.tariff, effective=date(2027, 4, 1), working_price="50.0000")

    change.delete()

    after = list(PriceVersion.objects.filter(tariff=contract.tariff).values_list("valid_from", "valid_to"))
    assert after == before == [(date(2020, 1, 1), None)]
    assert gross_ct(contract, date(2027, 4, 15)) == Decimal("35.7000")


def test_an_earlier_draft_published_after_a_later_change_is_refused_and_changes_nothing(contract: Any) -> None:
    earlier = draft(contract.tariff, effective=date(2027, 2, 1))
    later = draft(contract.tariff, effective=date(2027, 3, 1), working_price="36.0000")
    pricing_changes.publish(later, PUBLISHED_AT)

    with pytest.raises(pricing_changes.ChangeNotAfterCurrentVersion, match="nach dem Beginn des aktuellen"):
        pricing_changes.publish(earlier, PUBLISHED_AT)

    earlier.refresh_from_db()
    assert (earlier.status, earlier.price_version) == (PriceChange.Status.DRAFT, None)
    versions = PriceVersion.objects.filter(tariff=contract.tariff).order_by("valid_from")
    assert [(v.valid_from, v.valid_to) for v in versions] == [
        (date(2020, 1, 1), date(2027, 3, 1)),
        (date(2027, 3, 1), None),
    ]
    assert OutboxMessage.objects.filter(kwargs={"price_change_id": earlier.pk}).count() == 0


def test_the_database_refuses_a_draft_with_a_price_version(contract: Any) -> None:
    version = PriceVersion.objects.get(tariff=contract.tariff)

    with pytest.raises(IntegrityError), transaction.atomic():
        PriceChange.objects.create(
            tariff=contract.tariff,
            price_version=version,
            effective_date=date(2027, 2, 1),
            working_price_net_ct=Decimal(35),
            base_price_net_eur_year=Decimal(150),
            reason="x",
        )


def test_the_database_refuses_a_published_change_without_a_price_version(contract: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceChange.objects.create(
            tariff=contract.tariff,
            effective_date=date(2027, 2, 1),
            working_price_net_ct=Decimal(35),
            base_price_net_eur_year=Decimal(150),
            reason="x",
            status=PriceChange.Status.PUBLISHED,
            published_at=PUBLISHED_AT,
        )


# --- VAT-only changes (finding 3) -----------------------------------------------------------------------------------


def test_a_vat_only_change_with_new_net_prices_is_refused_in_german(contract: Any) -> None:
    with pytest.raises(pricing_changes.VatOnlyChangeWithNewPrices, match="ändert keine Nettopreise") as raised:
        draft(contract.tariff, working_price="33.0000", is_vat_only=True)

    assert "30,00\xa0ct/kWh und 120,00\xa0€ im Jahr netto" in str(raised.value)
    assert not PriceChange.objects.exists()


def test_a_vat_only_change_stores_no_prices_and_publishing_it_creates_no_price_version(contract: Any) -> None:
    change = pricing_changes.create_price_change(
        tariff=contract.tariff,
        valid_from=date(2027, 2, 1),
        working_price_net_ct=None,
        base_price_net_eur_year=None,
        reason="Umsatzsteuer",
        conditions="",
        is_vat_only=True,
    )

    report = pricing_changes.publish(change, PUBLISHED_AT)

    assert report.is_vat_only
    change.refresh_from_db()
    assert (change.working_price_net_ct, change.base_price_net_eur_year, change.price_version) == (None, None, None)
    assert list(PriceVersion.objects.filter(tariff=contract.tariff).values_list("valid_from", "valid_to")) == [
        (date(2020, 1, 1), None)
    ]
    assert gross_ct(contract, date(2027, 3, 1)) == Decimal("35.7000")


def test_a_vat_only_change_may_repeat_the_net_prices_in_force(contract: Any) -> None:
    change = draft(
        contract.tariff, working_price="30.0000", base_price_net_eur_year=Decimal("120.00"), is_vat_only=True
    )

    assert change.is_vat_only
    assert change.working_price_net_ct is None


def test_a_change_that_is_not_vat_only_needs_both_prices(contract: Any) -> None:
    with pytest.raises(pricing_changes.MissingNetPrices):
        pricing_changes.create_price_change(
            tariff=contract.tariff,
            valid_from=date(2027, 2, 1),
            working_price_net_ct=Decimal(35),
            base_price_net_eur_year=None,
            reason="x",
            conditions="",
        )
