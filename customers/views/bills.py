"""Rechnungen: the customer's bills (list, one bill, its PDF)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.views import View
from django.views.generic import TemplateView

from customers import bill_selectors, pdf
from customers.views.base import CustomerPortalMixin


class BillList(CustomerPortalMixin, TemplateView):
    template_name = "customers/bill_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["bills"] = bill_selectors.get_bill_list(customer=self.customer)
        return context


class BillDetail(CustomerPortalMixin, TemplateView):
    template_name = "customers/bill_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        bill = bill_selectors.get_bill_detail(customer=self.customer, bill_id=self.kwargs["pk"])
        if bill is None:
            raise Http404("Diese Rechnung gibt es in Ihrem Konto nicht.")
        context["bill"] = bill
        context["payment"] = pdf.get_payment_details(customer_id=self.customer.pk)
        return context


class BillPdf(CustomerPortalMixin, View):
    """Download the bill as a PDF: served from the cache file (rendered on the first download if missing)."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        bill = self.get_bill(self.kwargs["pk"])
        path = pdf.ensure_bill_pdf(bill=bill)
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"Rechnung-{bill.number}.pdf",
            content_type="application/pdf",
        )
