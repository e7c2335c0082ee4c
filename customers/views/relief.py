"""Meine Entlastung: what the 2023 price brakes and the December-2022 relief meant for each of the customer's
contracts.

The numbers and the German explanation come from customers.relief and tariffs.domain; this module only loads the
data for all contracts at once (a fixed number of queries) and finds where the relief shows on the bills.

The Abschläge shown are the stored 2023 installments (what was charged, and the relief credited with it), so the table
adds up with the bills' "gezahlte Abschläge"; the bills shown are those covering part of 2023 (the price brake) or
December 2022 (the December relief), each with its own relief line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from customers import relief, selectors
from customers.models import Bill, BillLine, Contract, Customer
from customers.views.base import CustomerPortalMixin
from tariffs import selectors as tariff_selectors
from tariffs.domain.explanation import Explanation
from tariffs.domain.formatting import MONTH_NAMES_DE
from tariffs.domain.relief import months_de

RELIEF_YEAR_START = relief.RELIEF_YEAR_START
RELIEF_YEAR_END = relief.RELIEF_YEAR_END
DECEMBER_2022 = relief.DECEMBER_2022
ZERO_EUR = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ReliefRow:
    """One month of the table: the price on the 1st, the relief, the Abschlag it was credited with, what was charged.

    ``base_advance_eur`` is the Abschlag without relief and ``advance_eur`` the Abschlag charged: the stored
    installment of the month where the page has them (else an example, see ContractReliefPage.advances_are_stored);
    ``has_advance`` is False for a month without an installment.
    """

    month: date
    priced_as_of: date
    working_price_ct: Decimal
    relief_eur: Decimal
    credited_eur: Decimal
    credited_with: date | None  # the month whose Abschlag carried the relief; None: settled in the final bill
    base_advance_eur: Decimal
    advance_eur: Decimal
    carried_eur: Decimal
    has_advance: bool = True

    @property
    def is_catch_up(self) -> bool:
        """Tell whether this month's relief was paid later: with the first payment month's Abschlag, or (the contract
        ended before that month) with the final bill."""
        return self.credited_with != self.month


@dataclass(frozen=True, slots=True)
class ReliefLine:
    """One relief line of a bill, as printed on it."""

    position: int
    label: str
    amount_eur: Decimal


@dataclass(frozen=True, slots=True)
class BillRelief:
    """Where the relief shows on a bill whose period covers part of 2023 or December 2022.

    A bill has up to two relief lines: the 2023 price brake ("Entlastung Preisbremse …", ``brake_line``) and the
    December-2022 relief ("Dezember-Soforthilfe 2022 …", ``december_line``). ``advances_in_table_eur`` is the sum
    of the table's Abschläge for the 2023 months in the bill period (``table_months``), None where the page has no
    stored Abschläge.
    """

    id: int
    number: str
    kind_label: str
    period_start: date
    period_last_day: date
    issued_date: date
    relief_eur: Decimal
    relief_quota_kwh: Decimal | None
    brake_line: ReliefLine | None
    december_line: ReliefLine | None
    months_in_bill: int
    expected_relief_eur: Decimal
    advances_eur: Decimal
    table_months: str
    advances_in_table_eur: Decimal | None
    covers_2023: bool
    covers_december_2022: bool
    url: str | None

    @property
    def brake_relief_eur(self) -> Decimal:
        """Return the 2023 price-brake relief on the bill: its line, else the bill's relief without the December
        relief."""
        if self.brake_line is not None:
            return -self.brake_line.amount_eur
        return self.relief_eur + (self.december_line.amount_eur if self.december_line is not None else ZERO_EUR)

    @property
    def is_capped(self) -> bool:
        """Tell whether the bill granted less than the months' relief: it may not exceed their energy cost."""
        return self.brake_relief_eur < self.expected_relief_eur

    @property
    def advances_outside_table_eur(self) -> Decimal | None:
        """Return the Abschläge the bill deducts for months outside the table (e.g. December 2022), or None when the
        table's Abschläge cannot be compared with the bill (no stored Abschläge, or some of them not paid)."""
        if self.advances_in_table_eur is None or self.advances_eur < self.advances_in_table_eur:
            return None
        return self.advances_eur - self.advances_in_table_eur


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
    bills: tuple[BillRelief, ...]  # the bills covering part of 2023
    december_bills: tuple[BillRelief, ...]  # the bills covering December 2022
    billed_relief_eur: Decimal  # the relief on all these bills: what Mein Konto shows as "Entlastung erhalten"

    @property
    def first_payment_month(self) -> date | None:
        return self.relief.scheme.first_payment_month if self.relief.scheme else None

    @property
    def has_relief(self) -> bool:
        return self.relief.total_2023_eur > 0

    @property
    def advances_are_stored(self) -> bool:
        """Tell whether the Abschläge shown are the stored ones (else an example from today's forecast)."""
        return self.relief.advances_are_stored

    @property
    def total_eur(self) -> Decimal:
        """Return the whole relief: the 2023 price brake and the December-2022 relief."""
        return self.relief.total_eur

    @property
    def has_december_relief(self) -> bool:
        return self.relief.december_amount_eur is not None

    @property
    def has_bills(self) -> bool:
        return bool(self.bills or self.december_bills)

    @property
    def billed_matches_total(self) -> bool:
        """Tell whether the bills carry exactly the relief shown (then Mein Konto shows the same total)."""
        return self.billed_relief_eur == self.total_eur

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


def _relief_line(lines: list[BillLine], *, december: bool) -> ReliefLine | None:
    """Return the bill's December-relief line (it starts before 2023) or its price-brake line (first by position)."""
    for line in lines:
        if (line.from_date < RELIEF_YEAR_START) is december:
            return ReliefLine(position=line.position, label=line.label, amount_eur=line.amount_eur)
    return None


def _bill_relief(
    bill: Bill, lines: list[BillLine], contract_relief: relief.ContractRelief, rows: tuple[ReliefRow, ...]
) -> BillRelief:
    schedule = contract_relief.schedule
    months = (
        schedule.relief_by_month(from_date=bill.period_start, to_date=bill.period_end) if schedule is not None else ()
    )
    in_bill = [row for row in rows if bill.period_start <= row.month < bill.period_end]
    stored = contract_relief.advances_are_stored and bool(in_bill)
    return BillRelief(
        id=bill.pk,
        number=bill.number,
        kind_label=bill.get_kind_display(),
        period_start=bill.period_start,
        period_last_day=bill.period_end - timedelta(days=1),
        issued_date=bill.issued_date,
        relief_eur=bill.relief_eur,
        relief_quota_kwh=bill.relief_quota_kwh,
        brake_line=_relief_line(lines, december=False),
        december_line=_relief_line(lines, december=True),
        months_in_bill=len(months),
        expected_relief_eur=sum((amount for _, amount in months), ZERO_EUR),
        advances_eur=bill.advances_eur,
        table_months=months_de(in_bill[0].month, in_bill[-1].month) if in_bill else "",
        advances_in_table_eur=sum((row.advance_eur for row in in_bill), ZERO_EUR) if stored else None,
        covers_2023=bill.period_start < RELIEF_YEAR_END and bill.period_end > RELIEF_YEAR_START,
        covers_december_2022=bill.period_start <= DECEMBER_2022 < bill.period_end,
        url=_bill_url(bill.pk),
    )


def _relief_bills() -> Q:
    """Select the bills that can carry relief: their period covers part of 2023 or contains 2022-12-01."""
    return Q(period_start__lt=RELIEF_YEAR_END, period_end__gt=RELIEF_YEAR_START) | Q(
        period_start__lte=DECEMBER_2022, period_end__gt=DECEMBER_2022
    )


def get_relief_pages(*, customer: Customer) -> list[ContractReliefPage]:
    """Return the relief of each of the customer's contracts with its bills (7 queries, whatever their number)."""
    contracts = list(customer.contracts.select_related("tariff").order_by("start_date", "id"))
    pricing = selectors.get_pricing_data(tariff_ids={contract.tariff_id for contract in contracts})
    schemes = tariff_selectors.get_price_brake_schemes()
    advances = relief.load_advances(customer=customer)
    bills_by_contract: dict[int, list[Bill]] = {}
    for bill in Bill.objects.filter(_relief_bills(), contract__customer=customer).order_by("period_start", "id"):
        bills_by_contract.setdefault(bill.contract_id, []).append(bill)
    relief_lines: dict[int, list[BillLine]] = {}
    for line in BillLine.objects.filter(
        bill__in=Bill.objects.filter(_relief_bills(), contract__customer=customer), kind=BillLine.Kind.RELIEF
    ).order_by("bill_id", "position", "id"):
        relief_lines.setdefault(line.bill_id, []).append(line)

    pages = []
    for contract in contracts:
        contract_relief = relief.get_contract_relief(
            contract=contract, pricing=pricing, schemes=schemes, advances=advances.get(contract.pk)
        )
        pages.append(_page(contract, contract_relief, bills_by_contract.get(contract.pk, []), relief_lines))
    return pages


def _rows(contract_relief: relief.ContractRelief) -> tuple[ReliefRow, ...]:
    schedule = contract_relief.schedule
    if schedule is None:
        return ()
    charged = contract_relief.charged_eur_by_month
    # A month's relief is credited with the Abschlag of the month it is priced as of, if the contract was still
    # supplied then; a contract that ended before the first payment month gets it in the final bill instead.
    return tuple(
        ReliefRow(
            month=row.month,
            priced_as_of=row.priced_as_of,
            working_price_ct=row.working_price_ct,
            relief_eur=row.relief_eur,
            credited_eur=row.credited_eur,
            credited_with=row.priced_as_of if row.priced_as_of in schedule.months else None,
            base_advance_eur=row.base_advance_eur,
            # what was charged, as stored; the schedule's max(base − credited, 0) is the same where the stored
            # installment credited the relief the schedule says
            advance_eur=row.advance_eur if charged is None else charged.get(row.month, ZERO_EUR),
            carried_eur=row.carried_eur,
            has_advance=charged is None or row.month in charged,
        )
        for row in schedule.rows
    )


def _page(
    contract: Contract,
    contract_relief: relief.ContractRelief,
    bills: list[Bill],
    lines: dict[int, list[BillLine]],
) -> ContractReliefPage:
    rows = _rows(contract_relief)
    december: Explanation = ()
    if contract_relief.december_gas is not None:
        december = contract_relief.december_gas.explanation
    elif contract_relief.december_heat is not None:
        december = contract_relief.december_heat.explanation
    bill_reliefs = [_bill_relief(bill, lines.get(bill.pk, []), contract_relief, rows) for bill in bills]
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
        explanation=contract_relief.explanation,
        december_explanation=december,
        bills=tuple(bill for bill in bill_reliefs if bill.covers_2023),
        december_bills=tuple(bill for bill in bill_reliefs if bill.covers_december_2022),
        billed_relief_eur=sum((bill.relief_eur for bill in bills), ZERO_EUR),
    )


class MyRelief(CustomerPortalMixin, TemplateView):
    template_name = "customers/relief.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pages"] = get_relief_pages(customer=self.customer)
        return context
