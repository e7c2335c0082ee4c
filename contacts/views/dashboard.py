"""The sales retention dashboard (/vertrieb/): figures, charts with their tables, CSV export, retention calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from contacts import dashboard, dashboard_tables, forms_dashboard, retention
from core.permissions import SalesRequiredMixin
from customers.models import Customer
from tariffs.domain.formatting import format_date

SECTIONS = (
    # (heading, table keys): the order of the page
    ("Bestand und Kündigungen", ("monate", "gruende", "tarife", "vertragsdauer")),
    ("Preisänderungen", ("preisaenderungen",)),
    ("Höflichkeitsanrufe", ("hoeflichkeitsanrufe", "ueberspringgruende", "bindung")),
    ("Kontakt und Zufriedenheit", ("kanaele", "kontaktfrequenz", "weiterempfehlung")),
    ("Leads", ("interessen", "leads")),
)


class SalesDashboard(SalesRequiredMixin, View):
    """GET: the dashboard for the filters in the query string; ``?export=<table>`` downloads one table as CSV.

    The figures come from today's snapshot for these filters (computed on the first view, by the daily job for the
    default view, or on request); the page says when they were computed.
    """

    template_name = "contacts/dashboard.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = forms_dashboard.DashboardFilter(request.GET or None, today=timezone.localdate())
        export = request.GET.get("export")
        if form.is_bound and not form.is_valid():
            return render(request, self.template_name, {"form": form, "data": None}, status=400 if export else 200)
        flt = form.to_filter()
        if export and export not in dashboard_tables.TABLES:
            raise Http404("Diese Tabelle gibt es nicht.")
        data = dashboard.get_dashboard_snapshot(flt=flt, now=timezone.now())
        tables = dashboard_tables.build_tables(data)
        if export:
            return _csv_response(tables[export], flt=flt)
        query = _query_without_export(request)
        context: dict[str, Any] = {
            "form": form,
            "data": data,
            "kpis": dashboard_tables.kpis(data),
            "sections": [(heading, [tables[key] for key in keys]) for heading, keys in SECTIONS],
            "at_risk": tables["gefaehrdet"],
            "at_risk_rows": retention.care_call_options(data.at_risk, now=timezone.now()),
            "query": query,
            "period": f"{format_date(flt.date_from)} – {format_date(flt.date_to)}",
            "computed_at": timezone.localtime(data.computed_at),
        }
        return render(request, self.template_name, context)


class RefreshDashboard(SalesRequiredMixin, View):
    """POST only: compute the figures for the posted filters anew (after changes during the day)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        query = QueryDict(request.POST.get("query", ""))
        form = forms_dashboard.DashboardFilter(query or None, today=timezone.localdate())
        if form.is_bound and not form.is_valid():
            return redirect(reverse("contacts_sales:home"))
        dashboard.get_dashboard_snapshot(flt=form.to_filter(), now=timezone.now(), refresh=True)
        messages.success(request, "Die Kennzahlen wurden neu berechnet.")
        return redirect(reverse("contacts_sales:home") + (f"?{query.urlencode()}" if query else ""))


def _query_without_export(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    return query.urlencode()


def _csv_response(table: dashboard_tables.Table, *, flt: dashboard.DashboardFilter) -> HttpResponse:
    response = HttpResponse(table.to_csv(), content_type="text/csv; charset=utf-8")
    filename = f"kundenbindung-{table.key}-{flt.date_from:%Y-%m}-bis-{flt.date_to:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CreateRetentionTask(SalesRequiredMixin, View):
    """POST only: plan a care call for a customer on the at-risk list, or say in German why not."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = get_object_or_404(Customer, pk=pk)
        try:
            task = retention.create_retention_task(customer=customer, now=timezone.now())
        except retention.RetentionTaskRefused as refusal:
            messages.error(request, f"{customer.customer_number}: {refusal.message}")
        else:
            due = timezone.localtime(task.due_at)
            messages.success(
                request,
                f"Betreuungsanruf für Kunde {customer.customer_number} angelegt (fällig ab {format_date(due.date())}, "
                f"{due:%H:%M} Uhr); er steht in der Anrufliste des Kundenservice.",
            )
        return redirect(self._back(request))

    @staticmethod
    def _back(request: HttpRequest) -> str:
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target + "#gefaehrdet" if "#" not in target else target
        return reverse("contacts_sales:home") + "#gefaehrdet"
