"""Reference data from the migration, and price versions that must not overlap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tariffs import selectors
from tariffs.domain.vat import Commodity
from tariffs.models import PriceVersion, ReliefScheme, Tariff


@pytest.fixture
def tariff(db: None) -> Tariff:
    return Tariff.objects.create(code="strom-basis", name="Strom Basis", commodity="electricity")


def add_version(tariff: Tariff, valid_from: date, valid_to: date | None) -> PriceVersion:
    return PriceVersion.objects.create(
        tariff=tariff,
        valid_from=valid_from,
        valid_to=valid_to,
        working_price_net_ct=Decimal("30.0000"),
        base_price_net_eur_year=Decimal("120.00"),
    )


@pytest.mark.django_db
def test_migration_loads_every_relief_scheme_as_data() -> None:
    codes = set(ReliefScheme.objects.values_list("code", flat=True))

    assert codes >= {
        "strompbg-klein", "strompbg-gross", "ewpbg-gas-klein", "ewpbg-gas-industrie",
        "ewpbg-waerme-klein", "ewpbg-waerme-industrie", "ewsg-gas", "ewsg-waerme",
    }  # fmt: skip


@pytest.mark.django_db
def test_vat_periods_from_the_database_give_7_percent_gas_in_2023_and_19_percent_after_march_2024() -> None:
    periods = {(p.commodity, p.valid_from): p.rate for p in selectors.get_vat_periods()}

    assert periods[(Commodity.GAS, date(2022, 10, 1))] == Decimal("0.07")
    assert periods[(Commodity.GAS, date(2024, 4, 1))] == Decimal("0.19")
    assert periods[(Commodity.ELECTRICITY, date(1900, 1, 1))] == Decimal("0.19")


@pytest.mark.django_db
def test_price_brake_schemes_from_the_database_match_the_domain_defaults() -> None:
    from tariffs.domain.relief import DEFAULT_RELIEF_SCHEMES

    stored = {
        (s.commodity, s.reference_price_ct, s.quota_share, s.forecast_basis)
        for s in selectors.get_price_brake_schemes()
    }
    defaults = {(s.commodity, s.reference_price_ct, s.quota_share, s.forecast_basis) for s in DEFAULT_RELIEF_SCHEMES}

    assert stored == defaults


def test_overlapping_price_version_is_refused_by_clean(tariff: Tariff) -> None:
    add_version(tariff, date(2023, 1, 1), None)
    overlapping = PriceVersion(
        tariff=tariff, valid_from=date(2023, 6, 1), working_price_net_ct=Decimal(1), base_price_net_eur_year=Decimal(1)
    )

    with pytest.raises(ValidationError, match="überschneidet sich mit dem Preisstand ab 01.01.2023"):
        overlapping.full_clean()


def test_adjacent_price_versions_are_fine(tariff: Tariff) -> None:
    add_version(tariff, date(2023, 1, 1), date(2023, 6, 1))
    following = PriceVersion(
        tariff=tariff, valid_from=date(2023, 6, 1), working_price_net_ct=Decimal(1), base_price_net_eur_year=Decimal(1)
    )

    following.full_clean()


def test_price_version_ending_before_it_starts_is_refused_by_the_database(tariff: Tariff) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        add_version(tariff, date(2023, 6, 1), date(2023, 1, 1))


def test_overlap_is_refused_by_postgresql_itself(tariff: Tariff, require_postgres: None) -> None:
    add_version(tariff, date(2023, 1, 1), date(2023, 12, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        add_version(tariff, date(2023, 3, 1), None)  # bypasses clean(): only the exclusion constraint stops it
