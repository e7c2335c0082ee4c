"""The public price-brake calculator ("Preisbremsen-Rechner"): works without JavaScript, updates live with htmx.

With htmx only the result area is swapped; the inputs are never replaced, so nothing typed meanwhile is lost. The
response carries each field's state (``forms.Feedback``, out of band), which ``static/js/relief-calculator.js`` puts
on the fields (``is-invalid``, ``aria-invalid``, the message below the field), and the result area lists the same
messages with links to the fields. While the visitor types (``check=live``) no error is shown and half-typed input
leaves the result area as it is; when a field is left (``check=change``) errors in what was typed are shown, fields
not filled in yet are only listed; „Berechnen“ shows all.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tariffs import forms, selectors
from tariffs.domain import quote, relief
from tariffs.domain.formatting import format_kwh
from tariffs.domain.money import Rounding
from tariffs.domain.vat import Commodity

MISSING_BUSINESS_INPUT = {
    quote.ENERGY_PRICE: (
        "{above} deckelt die {scheme} nur den Energiepreis netto: Bitte geben Sie ihn in Cent je kWh an."
    ),
    quote.CONSUMPTION_2021: (
        "{above} rechnet die {scheme} mit Ihrem Verbrauch von 2021: Bitte geben Sie ihn in kWh an."
    ),
}


def _quote(form: forms.ReliefCalculator, schemes: tuple[relief.ReliefScheme, ...]) -> quote.Quote | None:
    """Return the quote for a valid form, or None after adding the domain's refusal to the form in German."""
    data = form.cleaned_data
    try:
        return quote.quote(
            commodity=Commodity(data["commodity"]),
            forecast_kwh=data["forecast_kwh"],
            working_price_gross_ct=data["working_price_ct"],
            base_price_gross_eur_year=data["base_price_eur_year"] or Decimal(0),
            installments=data["installments"],
            rounding=Rounding(data["rounding"] or Rounding.EURO),
            customer_group=relief.CustomerGroup(data["customer_group"] or relief.CustomerGroup.HOUSEHOLD),
            energy_price_net_ct=data["energy_price_net_ct"],
            consumption_2021_kwh=data["consumption_2021_kwh"],
            schemes=schemes,
        )
    except relief.NoReliefScheme:
        form.add_error(None, "Für diese Angaben gibt es keine passende Preisbremse.")
    except quote.MissingLargeConsumerInput as error:
        scheme = error.scheme
        above = f"Über {format_kwh(scheme.min_kwh)} im Jahr" if scheme.min_kwh is not None else "Für Großverbraucher"
        for name in error.missing:
            message = MISSING_BUSINESS_INPUT[name].format(above=above, scheme=scheme.name_de)
            form.add_error(name, ValidationError(message, code="required"))
    return None


@require_GET
def relief_calculator(request: HttpRequest) -> HttpResponse:
    """Show the form; with input, the relief, the Abschlag without and with relief, and the explanation."""
    schemes = selectors.get_price_brake_schemes()
    form = forms.ReliefCalculator(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = _quote(form, schemes)
    htmx = bool(request.headers.get("HX-Request"))
    check = forms.Check.parse(request.GET.get("check")) if htmx else forms.Check.SUBMIT
    context = {
        "form": form,
        "result": result,
        "feedback": form.feedback(check) if form.is_bound else None,
        "check": check.value,
        "htmx": htmx,
        "large_consumer_schemes": quote.describe_large_consumer_schemes(schemes),
    }
    if htmx:
        response = render(request, "tariffs/_relief_result.html", context)
        if check is forms.Check.LIVE and result is None:
            # Half-typed input: keep what the result area shows (the last result, or the messages of „Berechnen“,
            # which a live update queued behind it must not wipe out); the field states still arrive out of band.
            response["HX-Reswap"] = "none"
        return response
    return render(request, "tariffs/relief_calculator.html", context)
