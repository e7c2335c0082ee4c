"""Reads: tariffs, prices, VAT and relief schemes as plain domain objects (a fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tariffs.domain import prices, relief
from tariffs.domain.vat import Commodity, VatPeriod
from tariffs.models import PriceVersion, ReliefScheme, VatRate


def get_price_brake_schemes() -> tuple[relief.ReliefScheme, ...]:
    """Return the 2023 price-brake schemes from the database (one query)."""
    rows = ReliefScheme.objects.filter(kind=ReliefScheme.Kind.PRICE_BRAKE).order_by("commodity", "code")
    schemes = []
    for row in rows:
        groups = set()
        if row.for_households:
            groups.add(relief.CustomerGroup.HOUSEHOLD)
        if row.for_business:
            groups.add(relief.CustomerGroup.BUSINESS)
        assert row.reference_price_ct is not None  # guaranteed by relief_price_brake_has_reference
        schemes.append(
            relief.ReliefScheme(
                code=row.code,
                name_de=row.name.split(" – ")[0],
                commodity=Commodity(row.commodity),
                customer_groups=frozenset(groups),
                min_kwh=row.min_kwh,
                max_kwh=row.max_kwh,
                reference_price_ct=row.reference_price_ct,
                reference_basis=relief.ReferenceBasis(row.reference_basis),
                quota_share=row.quota_share,
                forecast_basis=relief.ForecastBasis(row.forecast_basis),
                first_month=row.first_month,
                last_month=row.last_month,
                first_payment_month=row.first_payment_month,
            )
        )
    return tuple(schemes)


def get_vat_periods() -> tuple[VatPeriod, ...]:
    """Return all VAT periods (one query)."""
    return tuple(
        VatPeriod(commodity=Commodity(row.commodity), valid_from=row.valid_from, valid_to=row.valid_to, rate=row.rate)
        for row in VatRate.objects.order_by("commodity", "valid_from", "id")
    )


def _to_domain(version: PriceVersion) -> prices.PriceVersion:
    return prices.PriceVersion(
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        working_price_net_ct=version.working_price_net_ct,
        base_price_net_eur_year=version.base_price_net_eur_year,
        energy_price_net_ct=version.energy_ct,
    )


def get_price_versions(*, tariff_ids: Iterable[int]) -> dict[int, tuple[prices.PriceVersion, ...]]:
    """Return the price history of each tariff, oldest first (one query for any number of tariffs)."""
    histories: dict[int, list[prices.PriceVersion]] = defaultdict(list)
    for version in PriceVersion.objects.filter(tariff_id__in=list(tariff_ids)).order_by("tariff_id", "valid_from"):
        histories[version.tariff_id].append(_to_domain(version))
    return {tariff_id: tuple(versions) for tariff_id, versions in histories.items()}
