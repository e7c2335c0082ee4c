"""A contract's relief in *its* numbers: the 2023 price-brake schedule and the December-2022 relief (EWSG).

Connects stored contract data to tariffs.domain; pages, bills, agents and the data export all use this module.

The relief itself depends only on the forecast and the prices. The Abschläge the schedule shows next to it are the
stored ones where they are loaded (:func:`load_advances`): what each 2023 installment charged and the relief credited
with it, so the page adds up with the bill's "gezahlte Abschläge". Without them the Abschläge are an example computed
from today's forecast and the March-2023 prices (:attr:`ContractRelief.advances_are_stored` is False).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery

from customers.models import Bill, Contract, Customer, Installment
from customers.selectors import PricingData
from tariffs.domain import advance, december, prices, relief
from tariffs.domain.explanation import Explanation
from tariffs.domain.vat import Commodity, vat_rate_on

DECEMBER_2022 = date(2022, 12, 1)
SEPTEMBER_2022 = date(2022, 9, 1)
RELIEF_YEAR_START = date(2023, 1, 1)
RELIEF_YEAR_END = date(2024, 1, 1)


@dataclass(frozen=True, slots=True)
class ContractRelief:
    """The relief of one contract; either part is None where it does not apply."""

    scheme: relief.ReliefScheme | None
    quota_kwh_year: Decimal | None
    schedule: relief.ReliefSchedule | None
    december_gas: december.GasDecemberRelief | None
    december_heat: december.HeatDecemberRelief | None
    reason_none: str = ""
    supplied_from: date | None = None
    supplied_to: date | None = None
    # The stored Abschlag charged for each 2023 month (first day) that had one; None: no stored Abschläge were given,
    # and the schedule's Abschläge are an example (forecast × March-2023 prices).
    charged_eur_by_month: Mapping[date, Decimal] | None = None

    @property
    def advances_are_stored(self) -> bool:
        """Tell whether the schedule's Abschläge are the stored 2023 installments (else a computed example)."""
        return self.charged_eur_by_month is not None

    @property
    def total_eur(self) -> Decimal:
        """Return the whole relief: the 2023 price brake plus the December-2022 relief (the sum of the bills)."""
        return self.total_2023_eur + (self.december_amount_eur or Decimal("0.00"))

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

    @property
    def is_settled_in_final_bill(self) -> bool:
        """Tell whether the contract ended before the first payment month: no Abschlag carried the relief."""
        return self.schedule is not None and relief.is_settled_in_final_bill(self.schedule)

    @property
    def explanation(self) -> Explanation:
        """Explain the 2023 relief in German: why it covers fewer months (if so), then the schedule's own steps."""
        if self.schedule is None:
            return ()
        steps = self.schedule.explanation
        if self.supplied_from is None:
            return steps
        supply = relief.explain_supply(self.schedule, supplied_from=self.supplied_from, supplied_to=self.supplied_to)
        return steps if supply is None else (supply, *steps)


def _forecast_basis(contract: Contract, scheme: relief.ReliefScheme) -> Decimal | None:
    if scheme.forecast_basis is relief.ForecastBasis.SEPT_2022_FORECAST:
        return contract.forecast_sept_2022_kwh or contract.forecast_kwh
    if scheme.forecast_basis is relief.ForecastBasis.CONSUMPTION_2021:
        return contract.consumption_2021_kwh
    return contract.forecast_kwh


@dataclass(frozen=True, slots=True)
class ContractAdvances:
    """A contract's stored Abschläge (installments) that its relief needs, as loaded in one query.

    - ``installments`` (heat contracts only): the (due date, amount) pairs due before 2022-12-01 from the start of the
      last billing period or from 2021-12-01, whichever is earlier; ``last_bill_period`` is the half-open period of
      the last bill ending on or before 2022-12-01 (None: no such bill). See
      :func:`tariffs.domain.december.heat_december_relief_from_installments`.
    - ``installments_2023`` (every contract): the (due date, amount charged, relief credited) triples of the
      Abschläge due in 2023, as stored (``Installment.amount_eur``, ``Installment.relief_eur``). Charged plus
      credited is the Abschlag without relief.
    """

    installments: tuple[tuple[date, Decimal], ...] = ()
    last_bill_period: tuple[date, date] | None = None
    installments_2023: tuple[tuple[date, Decimal, Decimal], ...] = ()


def _stored_advances_2023(
    installments_2023: tuple[tuple[date, Decimal, Decimal], ...], months: tuple[date, ...]
) -> tuple[dict[date, Decimal], dict[date, Decimal]]:
    """Return the Abschlag without relief for each relief month and the Abschlag charged for each month that had one.

    Installments count in the month of their due date (several in one month are added up). A relief month without an
    installment had no Abschlag (0 €): the relief credited with it is settled by the bill, as the schedule says.
    """
    charged: dict[date, Decimal] = {}
    bases: dict[date, Decimal] = dict.fromkeys(months, Decimal("0.00"))
    for due_date, amount_eur, relief_eur in installments_2023:
        month = due_date.replace(day=1)
        charged[month] = charged.get(month, Decimal("0.00")) + amount_eur
        bases[month] = bases.get(month, Decimal("0.00")) + amount_eur + relief_eur
    return bases, charged


def get_contract_relief(
    *,
    contract: Contract,
    pricing: PricingData,
    schemes: tuple[relief.ReliefScheme, ...],
    base_advance_eur: Decimal | None = None,
    advances: ContractAdvances | None = None,
) -> ContractRelief:
    """Compute the contract's 2023 relief schedule and its December-2022 relief from stored data (no queries).

    The 2023 schedule holds only the months the contract supplied on their first day (see
    :func:`tariffs.domain.relief.supplied_schedule`), the same months a bill takes. The relief does not depend on
    the Abschläge; the Abschläge shown with it do:

    - ``advances`` (:func:`get_advances`, :func:`load_advances`) with stored 2023 installments: the Abschlag without
      relief of each month is what its installment charged plus the relief credited with it, and
      :attr:`ContractRelief.charged_eur_by_month` holds what was charged;
    - else ``base_advance_eur``, one Abschlag without relief for every month;
    - else an example: today's forecast at the March-2023 prices (:attr:`ContractRelief.advances_are_stored` False).

    The heat December relief needs ``advances`` too (the Abschläge before December 2022); without them a heat
    contract gets no December amount.
    """
    stored = advances
    charged: dict[date, Decimal] | None = None
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

            bases: Decimal | dict[date, Decimal]
            if base_advance_eur is not None:
                bases = base_advance_eur
            elif stored is not None and stored.installments_2023:
                bases, charged = _stored_advances_2023(stored.installments_2023, scheme.months)
            else:
                bases = _example_advance(contract, pricing, day=scheme.first_payment_month)
            try:
                # The whole year first: the months before the first payment month take its values even when the
                # contract was not supplied in it (it ended in February); then only the supplied months are kept.
                schedule = relief.supplied_schedule(
                    relief.relief_schedule(
                        scheme=scheme,
                        quota_kwh_year=quota,
                        working_price_ct_by_month=compared_price,
                        base_advance_eur=bases,
                    ),
                    supplied_from=contract.start_date,
                    supplied_to=contract.end_date,
                )
            except (prices.NoPriceOnDate, relief.MissingEnergyPrice):
                reason = "Für 2023 fehlen Preisangaben zu Ihrem Tarif."
            else:
                if schedule is None:
                    reason = (
                        "Ihr Vertrag bestand 2023 an keinem Monatsersten. Die Preisbremse gilt für die Monate, an "
                        "deren Erstem wir Sie beliefert haben, deshalb gibt es für Sie keine Entlastung."
                    )
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
    elif supplied_december and commodity is Commodity.HEAT:
        december_heat = _heat_december(contract, stored)
    return ContractRelief(
        scheme=scheme,
        quota_kwh_year=quota,
        schedule=schedule,
        december_gas=december_gas,
        december_heat=december_heat,
        reason_none=reason,
        supplied_from=contract.start_date,
        supplied_to=contract.end_date,
        charged_eur_by_month=charged if schedule is not None else None,
    )


def _example_advance(contract: Contract, pricing: PricingData, *, day: date) -> Decimal:
    """Return an example Abschlag without relief: today's forecast at the gross prices of ``day`` (0 € without)."""
    gross = pricing.gross_on(tariff_id=contract.tariff_id, commodity=contract.commodity, day=day)
    if gross is None:
        return Decimal("0.00")
    return advance.advance_payment(
        forecast_kwh=contract.forecast_kwh,
        working_price_gross_ct=gross.working_price_ct,
        base_price_gross_eur_year=gross.base_price_eur_year,
        installments=contract.installments_per_year,
    ).installment_eur


def _heat_december(contract: Contract, stored: ContractAdvances | None) -> december.HeatDecemberRelief | None:
    """Return the heat December relief, or None where the Abschläge it needs are not known."""
    if stored is None:
        return None
    try:
        return december.heat_december_relief_from_installments(
            installments=stored.installments,
            supplied_from=contract.start_date,
            installments_per_year=contract.installments_per_year,
            last_bill_period=stored.last_bill_period,
        )
    except december.MissingAdvanceData:  # no Abschlag where the rule needs one: no amount is guessed
        return None


def _advances_rows(contracts: Q) -> dict[int, ContractAdvances]:
    """Load the contracts' Abschläge the relief needs (1 query): those due in 2023, and for heat contracts those before
    December 2022 with their last bill's period."""
    last_bill = Bill.objects.filter(contract=OuterRef("contract_id"), period_end__lte=DECEMBER_2022).order_by(
        "-period_end", "-id"
    )
    heat_before_december = Q(contract__commodity=Commodity.HEAT, due_date__lt=DECEMBER_2022) & (
        Q(due_date__gte=december.ADVANCE_YEAR_FROM) | Q(due_date__gte=F("bill_start"))
    )
    in_2023 = Q(due_date__gte=RELIEF_YEAR_START, due_date__lt=RELIEF_YEAR_END)
    rows = (
        Installment.objects.filter(contracts)
        .annotate(
            bill_start=Subquery(last_bill.values("period_start")[:1]),
            bill_end=Subquery(last_bill.values("period_end")[:1]),
        )
        .filter(heat_before_december | in_2023)
        .order_by("contract_id", "due_date", "id")
        .values_list("contract_id", "due_date", "amount_eur", "relief_eur", "bill_start", "bill_end")
    )
    before: dict[int, list[tuple[date, Decimal]]] = {}
    year: dict[int, list[tuple[date, Decimal, Decimal]]] = {}
    periods: dict[int, tuple[date, date] | None] = {}
    for contract_id, due_date, amount_eur, relief_eur, bill_start, bill_end in rows:
        if due_date < DECEMBER_2022:
            before.setdefault(contract_id, []).append((due_date, amount_eur))
        else:
            year.setdefault(contract_id, []).append((due_date, amount_eur, relief_eur))
        periods[contract_id] = (bill_start, bill_end) if bill_start is not None and bill_end is not None else None
    return {
        contract_id: ContractAdvances(
            installments=tuple(before.get(contract_id, ())),
            last_bill_period=period,
            installments_2023=tuple(year.get(contract_id, ())),
        )
        for contract_id, period in periods.items()
    }


def load_advances(*, customer: Customer) -> dict[int, ContractAdvances]:
    """Return the stored Abschläge the relief of each of the customer's contracts needs (1 query, whatever their
    number); a contract without any is missing from the result."""
    return _advances_rows(Q(contract__customer=customer))


def get_advances(contract: Contract) -> ContractAdvances | None:
    """Return the stored Abschläge the contract's relief needs (1 query), or None if it has none."""
    return _advances_rows(Q(contract=contract)).get(contract.pk)
