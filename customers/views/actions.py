"""Customer actions: submit a meter reading, change the Abschlag, change the bank account."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from customers import errors, forms, selectors, services
from customers.models import AdvancePaymentChange, Contract, MeterReading
from customers.views.base import CustomerPortalMixin
from tariffs.domain import advance
from tariffs.domain.formatting import format_number


class SubmitMeterReading(CustomerPortalMixin, FormView):  # type: ignore[type-arg]
    """Report a meter reading. An implausible one is saved only once the customer confirms it ("Stimmt dieser
    Stand?"); their own reading of the day, or one still „wird geprüft“, they can replace with a corrected value."""

    form_class = forms.SubmitMeterReading
    template_name = "customers/submit_reading.html"
    source = MeterReading.Source.CUSTOMER

    @cached_property
    def contract(self) -> Contract:
        return self.get_contract(self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        today = timezone.localdate()
        end_date = self.contract.end_date
        # After the end of supply only the final reading, for the end date (the move-out day), is still missing.
        read_date = min(today, end_date) if end_date is not None else today
        # "Stand korrigieren" links here with the day of the reading to correct.
        try:
            asked = date.fromisoformat(self.request.GET.get("datum", ""))
        except ValueError:
            asked = None
        if asked is not None and self.contract.start_date <= asked <= read_date:
            read_date = asked
        return {"read_date": read_date}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contract = self.contract
        latest = selectors.get_latest_reading(contract=contract)
        context["contract"] = contract
        context["latest"] = latest
        context["latest_correctable"] = (
            latest is not None
            and latest.is_flagged
            and selectors.reading_is_correctable(
                reading=latest,
                user=self.request.user,  # type: ignore[arg-type]
                today=timezone.localdate(),
            )
        )
        return context

    def form_valid(self, form: forms.SubmitMeterReading) -> HttpResponse:
        contract = self.contract
        unit = contract.get_meter_unit_display()
        try:
            result = services.submit_meter_reading(
                contract=contract,
                value=form.cleaned_data["value"],
                read_date=form.cleaned_data["read_date"],
                source=self.source,
                today=timezone.localdate(),
                created_by=self.request.user,  # type: ignore[arg-type]
                ask_if_implausible=not form.cleaned_data["confirm_value"],
                replace_own=form.cleaned_data["replace_existing"],
            )
        except errors.ReadingLooksImplausible as error:
            form.ask(
                "confirm_value",
                label=f"Ja, der Stand {format_number(error.value)} {unit} stimmt.",
                message=str(error),
            )
            return self.form_invalid(form)
        except errors.ReadingCanBeReplaced as error:
            form.ask(
                "replace_existing",
                label=(
                    f"Ja, {format_number(error.existing_value)} {unit} durch {format_number(error.new_value)} {unit} "
                    "ersetzen."
                ),
                message=str(error),
            )
            return self.form_invalid(form)
        except errors.CustomerActionRefused as error:
            form.add_error("read_date" if not isinstance(error, errors.ReadingBelowPrevious) else "value", str(error))
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(form=forms.SubmitMeterReading(initial=self.get_initial()), result=result)
        )


PREVIEW = "preview"  # the value of the "Auswirkung berechnen" button: show the projection, save nothing


class ChangeAdvancePayment(CustomerPortalMixin, FormView):  # type: ignore[type-arg]
    """Change the Abschlag; "Auswirkung berechnen" without JavaScript posts the form with ``action=preview``, so
    neither the CSRF token nor the reason ends up in a URL (history, logs, Referer).

    The recommendation and the projections use the prices of the months the new Abschlag is paid in (an announced
    price change included) and the plan's later entries; when there are such entries (e.g. a new Abschlag for a price
    change from 01.02.2027) the form asks whether they stay or the new amount applies after them too.
    """

    form_class = forms.ChangeAdvancePayment
    template_name = "customers/change_advance.html"
    source = AdvancePaymentChange.Source.CUSTOMER

    @cached_property
    def contract(self) -> Contract:
        return self.get_contract(self.kwargs["pk"])

    @cached_property
    def later_steps(self) -> tuple[selectors.PlanStep, ...]:
        return selectors.get_later_plan_steps(contract=self.contract, as_of=timezone.localdate())

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "later_steps": self.later_steps}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contract = self.contract
        today = timezone.localdate()
        pricing = selectors.get_contract_pricing(contract)
        next_due = selectors.next_due_date(contract=contract, as_of=today)
        recommended = selectors.recommended_advance_for_year(contract=contract, pricing=pricing, start=next_due)
        context["contract"] = contract
        context["recommended"] = recommended
        context["accepts_change"] = contract.accepts_advance_change(next_due_date=next_due)
        context["still_supplied"] = contract.status != Contract.Status.ENDED and (
            contract.end_date is None or today < contract.end_date
        )
        context["current"] = selectors.project_balance(contract=contract, as_of=today, from_next_due_date=True)
        context["next_due_date"] = next_due
        context["later_steps"] = self.later_steps
        form = context["form"]
        chosen, keep_later = None, True
        if form.is_bound and not form.errors.get("amount_eur"):
            if hasattr(form, "cleaned_data"):
                chosen = form.cleaned_data.get("amount_eur")
                keep_later = form.cleaned_data.get("later_plan") != forms.REPLACE_LATER
        elif self.request.GET.get("amount_eur"):
            preview = forms.ChangeAdvancePayment(self.request.GET, later_steps=self.later_steps)
            if preview.is_valid() or not preview.errors.get("amount_eur"):
                chosen = preview.cleaned_data["amount_eur"]
                keep_later = preview.cleaned_data.get("later_plan") != forms.REPLACE_LATER
            else:
                context["preview_errors"] = preview.errors.get("amount_eur")
        if chosen is not None:
            context["preview"] = selectors.project_balance(
                contract=contract, as_of=today, advance_eur=chosen, from_next_due_date=True, keep_later=keep_later
            )
            context["far_above_recommended"] = recommended is not None and advance.increase_needs_confirmation(
                chosen_installment_eur=chosen, calculated_installment_eur=recommended.installment_eur
            )
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("HX-Request"):
            self.template_name = "customers/_advance_preview.html"
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("action") == PREVIEW:
            return self.render_to_response(self.get_context_data(form=self.get_form()))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: forms.ChangeAdvancePayment) -> HttpResponse:
        contract = self.contract
        keep_later = form.keep_later()
        try:
            change = services.change_advance_payment(
                contract=contract,
                amount_eur=form.cleaned_data["amount_eur"],
                reason=form.cleaned_data["reason"],
                source=self.source,
                today=timezone.localdate(),
                created_by=self.request.user,  # type: ignore[arg-type]
                confirmed=form.cleaned_data["confirm_amount"],
                keep_later=keep_later,
            )
        except errors.AmountNeedsConfirmation as error:
            form.ask_to_confirm(str(error))
            return self.form_invalid(form)
        except errors.CustomerActionRefused as error:
            form.add_error("reason" if isinstance(error, errors.ReductionNeedsReason) else None, str(error))
            return self.form_invalid(form)
        text = services.describe_advance_change(
            change=change, later=form.later_steps, keep_later=keep_later is not False
        )
        if change.needs_review:
            text += (
                " Weil er deutlich unter dem berechneten Betrag liegt, prüfen wir ihn noch und melden uns bei Bedarf."
            )
        messages.success(self.request, text)
        return redirect(reverse("customers:contract", args=[contract.pk]))


class ChangeBankAccount(CustomerPortalMixin, FormView):  # type: ignore[type-arg]
    form_class = forms.ChangeBankAccount
    template_name = "customers/change_bank_account.html"

    def get_initial(self) -> dict[str, Any]:
        return {"account_holder": self.customer.name}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["mandates"] = list(self.customer.mandates.order_by("-signed_at", "-id"))
        return context

    def form_valid(self, form: forms.ChangeBankAccount) -> HttpResponse:
        mandate = services.change_bank_account(
            customer=self.customer,
            iban=form.cleaned_data["iban"],
            account_holder=form.cleaned_data["account_holder"],
            now=timezone.now(),
        )
        messages.success(
            self.request,
            f"Ihre neue Bankverbindung ist gespeichert (Mandatsreferenz {mandate.reference}). "
            "Künftige Abschläge buchen wir von diesem Konto ab.",
        )
        return redirect("customers:bank_account")
