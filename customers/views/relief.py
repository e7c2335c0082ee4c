"""Meine Entlastung: what the 2023 price brakes and the December-2022 relief meant for each of the customer's
contracts.

The numbers and the German explanation come from customers.relief and tariffs.domain; this module only loads the
data for all contracts at once (a fixed number of queries) and finds where the relief shows on the bills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from customers import relief, selectors
from customers.models import Bill, BillLine, Contract, Customer
from customers.views.base import CustomerPortalMixin
from tariffs import selectors as tariff_selectors
from tariffs.domain.explanation import Explanation
from tariffs.domain.formatting import MONTH_NAMES_DE

RELIEF_YEAR_START = date(2023, 1, 1)
RELIEF_YEAR_END = date(2024, 1, 1)


@dataclass(frozen=True, slots=True)
class ReliefRow:
    """One month of the table: the price on the 1st, the relief, the Abschlag it was credited with, what was due."""

    month: date
    priced_as_of: date
    working_price_ct: Decimal
    relief_eur: Decimal
    credited_eur: Decimal
    credited_with: date | None  # the month whose Abschlag carried the relief; None: settled in the final bill
    base_advance_eur: Decimal
    advance_eur: Decimal
    carried_eur: Decimal

    @property
    def is_catch_up(self) -> bool:
        """Tell whether this month's relief was paid later: with the first payment month's Abschlag, or (the contract
        ended before that month) with the final bill."""
        return self.credited_with != self.month


@dataclass(frozen=True, slots=True)
class BillRelief:
    """Where the relief shows on a bill whose period covers part of 2023."""

    id: int
    number: str
    kind_label: str
    period_start: date
    period_last_day: date
    issued_date: date
    relief_eur: Decimal
    relief_quota_kwh: Decimal | None
    line_position: int | None
    line_label: str
    line_amount_eur: Decimal | None
    months_in_bill: int
    expected_relief_eur: Decimal
    url: str | None


@dataclass(frozen=True, slots=True)
class ContractReliefPage:
    """Everything the page shows for one contract."""

    id: int
    contract_number: str
    commodity: str
    commodity_label: str
    tariff_name: str
    address: str
    forecast_kwh: Decimal
    relief: relief.ContractRelief
    rows: tuple[ReliefRow, ...]
    explanation: Explanation
    december_explanation: Explanation
    bills: tuple[BillRelief, ...]

    @property
    def first_payment_month(self) -> date | None:
        return self.relief.scheme.first_payment_month if self.relief.scheme else None

    @property
    def has_relief(self) -> bool:
        return self.relief.total_2023_eur > 0

    @property
    def catch_up_months(self) -> tuple[ReliefRow, ...]:
        return tuple(row for row in self.rows if row.is_catch_up)

    @property
    def catch_up_names(self) -> str:
        """Return the months the first payment month carried besides its own: "Januar und Februar", "Februar"."""
        names = [MONTH_NAMES_DE[row.month.month - 1] for row in self.catch_up_months]
        return " und ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    @property
    def settled_in_final_bill(self) -> bool:
        """Tell whether the contract ended before the first payment month, so no Abschlag carried the relief."""
        return self.relief.is_settled_in_final_bill

    @property
    def first_payment_row(self) -> ReliefRow | None:
        return next((row for row in self.rows if row.month == self.first_payment_month), None)

    @property
    def regular_row(self) -> ReliefRow | None:
        """Return the first month after the first payment month (its own relief only)."""
        first = self.first_payment_month
        return next((row for row in self.rows if first is not None and row.month > first), None)


def _bill_url(bill_id: int) -> str | None:
    try:
        return reverse("customers:bill", args=[bill_id])
    except NoReverseMatch:  # the bill pages are not there (yet): the page names the bill instead
        return None


def _bill_reliefs(
    bills: list[Bill], lines: dict[int, BillLine], schedule_relief: relief.ContractRelief
) -> tuple[BillRelief, ...]:
    result = []
    for bill in bills:
        line = lines.get(bill.pk)
        months = (
            schedule_relief.schedule.relief_by_month(from_date=bill.period_start, to_date=bill.period_end)
            if schedule_relief.schedule is not None
            else ()
        )
        result.append(
            BillRelief(
                id=bill.pk,
                number=bill.number,
                kind_label=bill.get_kind_display(),
                period_start=bill.period_start,
                period_last_day=bill.period_end - timedelta(days=1),
                issued_date=bill.issued_date,
                relief_eur=bill.relief_eur,
                relief_quota_kwh=bill.relief_quota_kwh,
                line_position=line.position if line else None,
                line_label=line.label if line else "",
                line_amount_eur=line.amount_eur if line else None,
                months_in_bill=len(months),
                expected_relief_eur=sum((amount for _, amount in months), Decimal("0.00")),
                url=_bill_url(bill.pk),
            )
        )
    return tuple(result)


def get_relief_pages(*, customer: Customer) -> list[ContractReliefPage]:
    """Return the relief of each of the customer's contracts with its bills (7 queries, whatever their number)."""
    contracts = list(customer.contracts.select_related("tariff").order_by("start_date", "id"))
    pricing = selectors.get_pricing_data(tariff_ids={contract.tariff_id for contract in contracts})
    schemes = tariff_selectors.get_price_brake_schemes()
    heat_advances = relief.load_heat_advances(customer=customer)
    bills_by_contract: dict[int, list[Bill]] = {}
    for bill in Bill.objects.filter(
        contract__customer=customer, period_start__lt=RELIEF_YEAR_END, period_end__gt=RELIEF_YEAR_START
    ).order_by("period_start", "id"):
        bills_by_contract.setdefault(bill.contract_id, []).append(bill)
    relief_lines: dict[int, BillLine] = {}
    for line in BillLine.objects.filter(
        bill__contract__customer=customer,
        bill__period_start__lt=RELIEF_YEAR_END,
        bill__period_end__gt=RELIEF_YEAR_START,
        kind=BillLine.Kind.RELIEF,
    ).order_by("bill_id", "-position", "-id"):
        relief_lines[line.bill_id] = line  # the first line by position wins

    pages = []
    for contract in contracts:
        contract_relief = relief.get_contract_relief(
            contract=contract,
            pricing=pricing,
            schemes=schemes,
            heat_advances=heat_advances.get(contract.pk),
        )
        pages.append(_page(contract, contract_relief, bills_by_contract.get(contract.pk, []), relief_lines))
    return pages


def _page(
    contract: Contract, contract_relief: relief.ContractRelief, bills: list[Bill], lines: dict[int, BillLine]
) -> ContractReliefPage:
    schedule = contract_relief.schedule
    rows: tuple[ReliefRow, ...] = ()
    explanation: Explanation = ()
    if schedule is not None:
        # A month's relief is credited with the Abschlag of the month it is priced as of, if the contract was still
        # supplied then; a contract that ended before the first payment month gets it in the final bill instead.
        rows = tuple(
            ReliefRow(
                month=row.month,
                priced_as_of=row.priced_as_of,
                working_price_ct=row.working_price_ct,
                relief_eur=row.relief_eur,
                credited_eur=row.credited_eur,
                credited_with=row.priced_as_of if row.priced_as_of in schedule.months else None,
                base_advance_eur=row.base_advance_eur,
                advance_eur=row.advance_eur,
                carried_eur=row.carried_eur,
            )
            for row in schedule.rows
        )
        explanation = contract_relief.explanation
    december: Explanation = ()
    if contract_relief.december_gas is not None:
        december = contract_relief.december_gas.explanation
    elif contract_relief.december_heat is not None:
        december = contract_relief.december_heat.explanation
    return ContractReliefPage(
        id=contract.pk,
        contract_number=contract.contract_number,
        commodity=contract.commodity,
        commodity_label=contract.get_commodity_display(),
        tariff_name=contract.tariff.name,
        address=f"{contract.street}, {contract.postal_code} {contract.city}",
        forecast_kwh=contract.forecast_kwh,
        relief=contract_relief,
        rows=rows,
        explanation=explanation,
        december_explanation=december,
        bills=_bill_reliefs(bills, lines, contract_relief),
    )


class MyRelief(CustomerPortalMixin, TemplateView):
    template_name = "customers/relief.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pages"] = get_relief_pages(customer=self.customer)
        return context
