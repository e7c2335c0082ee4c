"""Mein Konto and the contract page."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from customers import selectors
from customers.views.base import CustomerPortalMixin


class Home(CustomerPortalMixin, TemplateView):
    template_name = "customers/home.html"
    allow_without_customer = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.customer is not None:
            context["contracts"] = selectors.get_contract_summaries(customer=self.customer, as_of=self.today)
        return context


class ContractDetail(CustomerPortalMixin, TemplateView):
    template_name = "customers/contract_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        detail = selectors.get_contract_detail(contract=self.get_contract(self.kwargs["pk"]), as_of=self.today)
        context["detail"] = detail
        context["contract"] = detail.contract
        context["chart"] = {
            "labels": [str(row.year) for row in detail.consumption],
            "values": [int(row.kwh) for row in detail.consumption],
        }
        return context
