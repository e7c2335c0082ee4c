"""Umzug melden: the customer tells us the move-out date and the new address; the contracts at that address end.

The form lists every contract of the customer at the supply address (ticked), so a move ends electricity and heat
together; the confirmation names each contract that ends and each one at the address that goes on.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.generic import FormView

from customers import forms_profile, move
from customers.models import Contract
from customers.views.base import CustomerPortalMixin
from tariffs.domain.formatting import format_date


def _named(contract: Contract) -> str:
    return f"{contract.get_commodity_display()}vertrag {contract.contract_number}"


def _confirmation(*, ended: list[Contract], going_on: list[Contract]) -> SafeString:
    """Return the success message: which contracts end when, what to do, and which at the address go on."""
    first = ended[0]
    assert first.end_date is not None
    end_date = first.end_date
    when = f"Lieferung bis {format_date(end_date - timedelta(days=1))} (Auszug {format_date(end_date)})"
    if len(ended) == 1:
        text = (
            f"Danke, Ihr Umzug ist gemeldet. Ihr Vertrag {first.contract_number} endet mit Ihrem Auszug: {when}. "
            "Bitte lesen Sie am Tag Ihres Auszugs Ihren Zähler ab und melden Sie uns den Stand. Danach erhalten Sie "
            "Ihre Schlussrechnung."
        )
    else:
        names = ", ".join(_named(contract) for contract in ended)
        text = (
            f"Danke, Ihr Umzug ist gemeldet. Diese Verträge enden mit Ihrem Auszug: {names}; {when}. Bitte lesen "
            "Sie am Tag Ihres Auszugs alle Zähler ab und melden Sie uns die Stände. Danach erhalten Sie für jeden "
            "Vertrag eine Schlussrechnung."
        )
    message = format_html("{} Ihre Postanschrift ändern Sie unter „Meine Daten“.", text)
    if going_on:
        message += format_html_join(
            "",
            ' {} an derselben Adresse läuft weiter. <a href="{}">Auszug auch für diesen Vertrag melden</a>',
            ((_named(contract), reverse("customers:move", args=[contract.pk])) for contract in going_on),
        )
    return message


class ReportMove(CustomerPortalMixin, FormView):  # type: ignore[type-arg]
    form_class = forms_profile.ReportMove
    template_name = "customers/move.html"

    @cached_property
    def contracts(self) -> list[Contract]:
        """The contract of the page first, then the customer's other contracts at its supply address."""
        return move.contracts_at_same_address(contract=self.get_contract(self.kwargs["pk"]))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contracts": self.contracts}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contract"] = self.contracts[0]
        context["other_contracts"] = self.contracts[1:]
        context["utility_phone"] = settings.UTILITY_PHONE
        return context

    def form_valid(self, form: forms_profile.ReportMove) -> HttpResponse:
        now = timezone.now()
        chosen = form.chosen_contracts
        try:
            ended = move.report_moves(
                contracts=chosen,
                move_out_date=form.cleaned_data["move_out_date"],
                new_address=form.new_address,
                today=timezone.localdate(now),
                now=now,
            )
        except move.MoveRefused as error:
            cause = error.cause if isinstance(error, move.MoveRefusedForContract) else error
            field = None if isinstance(cause, move.MoveContractEnded) else "move_out_date"
            form.add_error(field, str(error))
            return self.form_invalid(form)
        chosen_ids = {contract.pk for contract in chosen}
        going_on = [contract for contract in self.contracts if contract.pk not in chosen_ids and contract.is_active]
        messages.success(self.request, _confirmation(ended=ended, going_on=going_on))
        return redirect("customers:contract", pk=ended[0].pk)
