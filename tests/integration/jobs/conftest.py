"""Fixtures for the job tests: a tariff with contracts, and a published price change on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ContractFactory, CustomerFactory, PriceVersionFactory

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def make_tariff(db: None) -> Callable[..., Any]:
    """A tariff at 30 ct/kWh + 120 €/year net since 2020 (gross 35.70 ct, 142.80 €)."""

    def make(**fields: Any) -> Any:
        return PriceVersionFactory(**{f"tariff__{name}": value for name, value in fields.items()}).tariff

    return make


@pytest.fixture
def make_contract(db: None) -> Callable[..., Any]:
    """An active contract since 2021 on the given tariff; customer fields go to the customer."""

    def make(tariff: Any, *, customer: Any = None, **fields: Any) -> Any:
        if customer is None:
            customer = CustomerFactory()
        return ContractFactory(tariff=tariff, commodity=tariff.commodity, customer=customer, **fields)

    return make


@pytest.fixture
def published_change(db: None) -> Callable[..., Any]:
    """Create and publish a change to 35 ct + 150 €/year net (gross 41.65 ct, 178.50 €) on the given day."""
    from tariffs import pricing_changes

    def make(
        tariff: Any,
        *,
        effective: date = date(2027, 2, 1),
        published_at: datetime | None = None,
        is_vat_only: bool = False,
        working_price: str = "35.0000",
        base_price: str = "150.00",
    ) -> Any:
        change = pricing_changes.create_price_change(
            tariff=tariff,
            valid_from=effective,
            working_price_net_ct=Decimal(working_price),
            base_price_net_eur_year=Decimal(base_price),
            reason="Die Beschaffungskosten für Strom sind gestiegen.",
            conditions="Es ändern sich nur Arbeitspreis und Grundpreis.",
            is_vat_only=is_vat_only,
        )
        pricing_changes.publish(change, published_at or berlin(2026, 12, 1))
        return change

    return make
