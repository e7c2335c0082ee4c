"""Umzug melden: the customer tells us the move-out date and the new address; the contract ends on that day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView

from customers import forms_profile, move
from customers.views.base import CustomerPortalMixin
from tariffs.domain.formatting import format_date


class ReportMove(CustomerPortalMixin, FormView):  # type: ignore[type-arg]
    form_class = forms_profile.ReportMove
    template_name = "customers/move.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contract"] = self.get_contract(self.kwargs["pk"])
        return context

    def form_valid(self, form: forms_profile.ReportMove) -> HttpResponse:
        contract = self.get_contract(self.kwargs["pk"])
        now = timezone.now()
        try:
            contract = move.report_move(
                contract=contract,
                move_out_date=form.cleaned_data["move_out_date"],
                new_address=form.new_address,
                today=timezone.localdate(now),
                now=now,
            )
        except move.MoveRefused as error:
            field = "move_out_date" if not isinstance(error, move.MoveContractEnded) else None
            form.add_error(field, str(error))
            return self.form_invalid(form)
        assert contract.end_date is not None
        messages.success(
            self.request,
            f"Danke, Ihr Umzug ist gemeldet. Ihr Vertrag {contract.contract_number} endet mit Ihrem Auszug: "
            f"Lieferung bis {format_date(contract.end_date - timedelta(days=1))} (Auszug "
            f"{format_date(contract.end_date)}). Bitte lesen Sie am Tag Ihres Auszugs Ihren Zähler ab und melden Sie "
            "uns den Stand. Danach erhalten Sie Ihre Schlussrechnung. Ihre Postanschrift ändern Sie unter „Meine "
            "Daten“.",
        )
        return redirect("customers:contract", pk=contract.pk)
