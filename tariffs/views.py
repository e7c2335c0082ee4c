"""The public price-brake calculator ("Preisbremsen-Rechner"): works without JavaScript, updates live with htmx."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tariffs import forms, selectors
from tariffs.domain import quote, relief
from tariffs.domain.vat import Commodity


@require_GET
def relief_calculator(request: HttpRequest) -> HttpResponse:
    """Show the form; with input, the relief, the Abschlag without and with relief, and the explanation."""
    form = forms.ReliefCalculator(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = quote.quote(
                commodity=Commodity(data["commodity"]),
                forecast_kwh=data["forecast_kwh"],
                working_price_gross_ct=data["working_price_ct"],
                base_price_gross_eur_year=data["base_price_eur_year"] or Decimal(0),
                installments=data["installments"],
                customer_group=relief.CustomerGroup(data["customer_group"] or relief.CustomerGroup.HOUSEHOLD),
                schemes=selectors.get_price_brake_schemes(),
            )
        except relief.NoReliefScheme:
            form.add_error(None, "Für diese Angaben gibt es keine passende Preisbremse.")
    context = {"form": form, "result": result}
    if request.headers.get("HX-Request"):
        return render(request, "tariffs/_relief_result.html", context)
    return render(request, "tariffs/relief_calculator.html", context)
