"""A contract's relief in *its* numbers: the 2023 price-brake schedule and the December-2022 relief (EWSG).

Connects stored contract data to tariffs.domain; pages, bills, agents and the data export all use this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from customers.models import Contract, Installment
from customers.selectors import PricingData
from tariffs.domain import advance, december, prices, relief
from tariffs.domain.vat import Commodity, vat_rate_on

DECEMBER_2022 = date(2022, 12, 1)
SEPTEMBER_2022 = date(2022, 9, 1)


@dataclass(frozen=True, slots=True)
class ContractRelief:
    """The relief of one contract; either part is None where it does not apply."""

    scheme: relief.ReliefScheme | None
    quota_kwh_year: Decimal | None
    schedule: relief.ReliefSchedule | None
    december_gas: december.GasDecemberRelief | None
    december_heat: december.HeatDecemberRelief | None
    reason_none: str = ""

    @property
    def december_amount_eur(self) -> Decimal | None:
        if self.december_gas is not None:
            return self.december_gas.amount_eur
        if self.december_heat is not None:
            return self.december_heat.amount_eur
        return None

    @property
    def total_2023_eur(self) -> Decimal:
        return self.schedule.total_relief_eur if self.schedule is not None else Decimal("0.00")


def _forecast_basis(contract: Contract, scheme: relief.ReliefScheme) -> Decimal | None:
    if scheme.forecast_basis is relief.ForecastBasis.SEPT_2022_FORECAST:
        return contract.forecast_sept_2022_kwh or contract.forecast_kwh
    if scheme.forecast_basis is relief.ForecastBasis.CONSUMPTION_2021:
        return contract.consumption_2021_kwh
    return contract.forecast_kwh


def get_contract_relief(
    *,
    contract: Contract,
    pricing: PricingData,
    schemes: tuple[relief.ReliefScheme, ...],
    base_advance_eur: Decimal | None = None,
    september_2022_advance_eur: Decimal | None = None,
) -> ContractRelief:
    """Compute the contract's 2023 relief schedule and its December-2022 relief from stored data (no queries).

    ``base_advance_eur`` is the Abschlag without relief in 2023 (default: computed from the March-2023 prices);
    ``september_2022_advance_eur`` the heat contract's Abschlag due in September 2022.
    """
    commodity = Commodity(contract.commodity)
    versions = pricing.versions_by_tariff.get(contract.tariff_id, ())
    supplied_2023 = contract.start_date < date(2024, 1, 1) and (
        contract.end_date is None or contract.end_date > date(2023, 1, 1)
    )
    scheme = quota = schedule = None
    reason = ""
    if not supplied_2023:
        reason = "Ihr Vertrag hat 2023 nicht bestanden; die Preisbremsen galten nur für 2023."
    else:
        try:
            scheme = relief.select_scheme(
                schemes=schemes,
                commodity=commodity,
                customer_group=relief.CustomerGroup(contract.customer.customer_group),
                annual_kwh=contract.forecast_sept_2022_kwh or contract.forecast_kwh,
            )
        except relief.NoReliefScheme:
            reason = "Für diesen Vertrag gibt es keine passende Preisbremse."
    if scheme is not None:
        basis = _forecast_basis(contract, scheme)
        if basis is None:
            reason = "Für die Berechnung fehlt Ihr Verbrauch von 2021."
        else:
            quota = relief.quota_kwh(forecast_kwh=basis, quota_share=scheme.quota_share)

            def compared_price(month: date) -> Decimal:
                version = prices.price_on(versions=versions, day=month)
                rate = vat_rate_on(commodity=commodity, day=month, periods=pricing.vat_periods)
                return relief.comparison_price_ct(scheme=scheme, version=version, vat_rate=rate)

            if base_advance_eur is None:
                gross = pricing.gross_on(
                    tariff_id=contract.tariff_id, commodity=contract.commodity, day=date(2023, 3, 1)
                )
                base_advance_eur = (
                    advance.advance_payment(
                        forecast_kwh=contract.forecast_kwh,
                        working_price_gross_ct=gross.working_price_ct,
                        base_price_gross_eur_year=gross.base_price_eur_year,
                        installments=contract.installments_per_year,
                    ).installment_eur
                    if gross
                    else Decimal("0.00")
                )
            try:
                schedule = relief.relief_schedule(
                    scheme=scheme,
                    quota_kwh_year=quota,
                    working_price_ct_by_month=compared_price,
                    base_advance_eur=base_advance_eur,
                )
            except (prices.NoPriceOnDate, relief.MissingEnergyPrice):
                reason = "Für 2023 fehlen Preisangaben zu Ihrem Tarif."
    december_gas = december_heat = None
    supplied_december = contract.start_date <= DECEMBER_2022 and (
        contract.end_date is None or contract.end_date > DECEMBER_2022
    )
    if supplied_december and commodity is Commodity.GAS:
        gross = pricing.gross_on(tariff_id=contract.tariff_id, commodity=contract.commodity, day=DECEMBER_2022)
        if gross is not None:
            december_gas = december.gas_december_relief(
                forecast_sept_2022_kwh=contract.forecast_sept_2022_kwh or contract.forecast_kwh,
                working_price_gross_ct=gross.working_price_ct,
                base_price_gross_eur_year=gross.base_price_eur_year,
            )
    elif supplied_december and commodity is Commodity.HEAT and september_2022_advance_eur is not None:
        try:
            december_heat = december.heat_december_relief(
                september_advance_eur=september_2022_advance_eur, installments_per_year=contract.installments_per_year
            )
        except december.MissingAdvanceData:  # fewer than 12 Abschläge a year needs the last period's sum (not here)
            december_heat = None
    return ContractRelief(
        scheme=scheme,
        quota_kwh_year=quota,
        schedule=schedule,
        december_gas=december_gas,
        december_heat=december_heat,
        reason_none=reason,
    )


def september_2022_advance(contract: Contract) -> Decimal | None:
    """Return the Abschlag due in September 2022 (1 query), for the heat December relief."""
    installment = (
        Installment.objects.filter(contract=contract, due_date__gte=SEPTEMBER_2022, due_date__lt=date(2022, 10, 1))
        .order_by("due_date", "id")
        .first()
    )
    return installment.amount_eur if installment else None
