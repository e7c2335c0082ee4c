"""Mein Konto and the contract page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.views.generic import TemplateView

from customers import selectors
from customers.cancellation import last_supply_day
from customers.models import Contract, accepts_advance_change, awaits_reading
from customers.views.base import CustomerPortalMixin


@dataclass(frozen=True, slots=True)
class SelfService:
    """What the customer can still do for a contract on a day, and until when it is supplied.

    A cancelled contract, or one whose customer moves out, keeps these until supply ends (the meter reading until the
    final reading is in); ``last_supply_day`` is the day before ``end_date``, the first day without supply.
    """

    last_supply_day: date | None
    is_supplied: bool
    accepts_reading: bool
    accepts_advance_change: bool

    @classmethod
    def on(
        cls, day: date, *, next_due_date: date, status: str, end_date: date | None, latest_reading_date: date | None
    ) -> SelfService:
        return cls(
            last_supply_day=last_supply_day(end_date),
            is_supplied=status != Contract.Status.ENDED and (end_date is None or day < end_date),
            accepts_reading=awaits_reading(status=status, end_date=end_date, latest_reading_date=latest_reading_date),
            accepts_advance_change=accepts_advance_change(
                status=status, end_date=end_date, next_due_date=next_due_date
            ),
        )


def _next_due_date(day: date) -> date:
    """Return the next Abschlag due date, as selectors.next_due_date does (the summaries carry no Contract)."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


@dataclass(frozen=True, slots=True)
class ContractCard:
    """One contract on "Mein Konto": its summary and what the customer can still do."""

    summary: selectors.ContractSummary
    self_service: SelfService


class Home(CustomerPortalMixin, TemplateView):
    template_name = "customers/home.html"
    allow_without_customer = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.customer is not None:
            today = self.today
            context["contracts"] = [
                ContractCard(
                    summary=summary,
                    self_service=SelfService.on(
                        today,
                        next_due_date=_next_due_date(today),
                        status=summary.status,
                        end_date=summary.end_date,
                        latest_reading_date=summary.latest_reading_date,
                    ),
                )
                for summary in selectors.get_contract_summaries(customer=self.customer, as_of=today)
            ]
        return context


class ContractDetail(CustomerPortalMixin, TemplateView):
    template_name = "customers/contract_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.today
        detail = selectors.get_contract_detail(contract=self.get_contract(self.kwargs["pk"]), as_of=today)
        contract = detail.contract
        context["detail"] = detail
        context["contract"] = contract
        context["self_service"] = SelfService.on(
            today,
            next_due_date=selectors.next_due_date(contract=contract, as_of=today),
            status=contract.status,
            end_date=contract.end_date,
            latest_reading_date=detail.readings[0].read_date if detail.readings else None,
        )
        context["chart"] = {
            "labels": [row.label for row in detail.consumption],
            "values": [int(row.kwh) for row in detail.consumption],
        }
        return context
