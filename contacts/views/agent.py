"""The agent workspace: search, the customer 360° screen, recording a touchpoint, acting for the customer.

Acting for a customer reuses the customer services (readings, Abschlag, cancellation, consents) with the agent as
the source, so the same rules and German messages apply as in the portal. Every view is for agents and admins only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from contacts import audit, consents, customer360, forms_agent, queue, search, touchpoints
from contacts.models import CallTask, Consent
from core.models import User
from core.permissions import AgentRequiredMixin
from customers import cancellation, errors, selectors, services
from customers import forms as customer_forms
from customers.models import AdvancePaymentChange, Contract, Customer, MeterReading
from tariffs.domain.formatting import format_date, format_eur, format_number


def _agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _confirm_url(request: HttpRequest) -> Callable[[str], str]:
    """Return the builder of the double opt-in link an e-mail consent sends to the customer."""
    return lambda token: request.build_absolute_uri(reverse("contacts_customer:confirm_consent", args=[token]))


def _page_number(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


class AgentHome(AgentRequiredMixin, TemplateView):
    """The workspace start page: the search box and what waits in the call queue."""

    template_name = "contacts/agent_home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["tasks"] = CallTask.objects.aggregate(
            open=Count("id", filter=Q(status=CallTask.Status.OPEN)),
            due=Count("id", filter=Q(status=CallTask.Status.OPEN, due_at__lte=now)),
            mine=Count("id", filter=Q(status=CallTask.Status.CLAIMED, assignee=self.request.user)),
        )
        context["query"] = ""
        return context


class Search(AgentRequiredMixin, TemplateView):
    """The search: GET shows the empty box, POST searches for the field q (CSRF-protected).

    What an agent types is personal data (names, addresses, phone numbers, e-mail addresses), so it travels in the
    request body and never in the URL, where access logs, proxies and the browser history would keep it. A query
    string on GET is ignored for the same reason. htmx posts as you type and gets the result list only; without
    JavaScript the form posts and gets the page with the results.
    """

    template_name = "contacts/search.html"

    def get_template_names(self) -> list[str]:
        if self.request.method == "POST" and self.request.headers.get("HX-Request"):
            return ["contacts/_search_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("query", "")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = request.POST.get("q", "")[:100]
        result = search.search_customers(query=query)  # too short: no query; empty: no message either
        return self.render_to_response(self.get_context_data(query=query, result=result))


class AgentCustomerMixin(AgentRequiredMixin):
    """The customer of the URL, loaded only after the role check (so other roles get 403, not 404).

    Loading the customer logs the access (DSGVO: every opening of a customer's data by staff is recorded), so every
    page built on this mixin is audited, once per request.
    """

    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def customer(self) -> Customer:
        customer = get_object_or_404(Customer, pk=self.kwargs["pk"])
        audit.log_access(user=_agent(self.request), customer=customer, now=timezone.now())
        return customer

    def get_contract(self) -> Contract:
        """Return the customer's contract of the URL (a contract of another customer gives 404)."""
        return get_object_or_404(
            Contract.objects.select_related("tariff", "customer"),
            pk=self.kwargs["contract_pk"],
            customer=self.customer,
        )

    def customer_url(self) -> str:
        return reverse("contacts:customer_360", args=[self.customer.pk])


def _contract_choices(data: customer360.Customer360) -> list[tuple[int, str]]:
    return [
        (contract.id, f"{contract.commodity_label} · {contract.contract_number} · {contract.address}")
        for contract in data.contracts
    ]


def render_360(
    request: HttpRequest, customer: Customer, *, form: forms_agent.RecordTouchpoint | None = None
) -> HttpResponse:
    """Render the 360° screen and log the access (DSGVO: every opening by staff is recorded)."""
    now = timezone.now()
    audit.log_access(user=_agent(request), customer=customer, now=now)
    page = _page_number(request.GET.get("seite"))
    data = customer360.get_customer_360(customer=customer, as_of=timezone.localdate(now), page=page)
    if form is None:
        form = forms_agent.RecordTouchpoint(contracts=_contract_choices(data), now=now)
        if page > 1:  # paging through the timeline: keep the reader there, not in the form
            form.fields["topic"].widget.attrs.pop("autofocus", None)
    context = {
        "data": data,
        "customer": data.customer,
        "form": form,
        "consent_wordings": forms_agent.standard_wordings(),
    }
    return render(request, "contacts/customer_360.html", context, status=400 if form.is_bound else 200)


class Customer360(AgentCustomerMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_360(request, self.customer)


class RecordTouchpoint(AgentCustomerMixin, View):
    """POST: record the contact and go back to the 360° screen, where it is the newest entry of the timeline."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect(self.customer_url())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        now = timezone.now()
        contracts = [
            (
                contract.pk,
                f"{contract.get_commodity_display()} · {contract.contract_number} · "
                f"{contract.street}, {contract.postal_code} {contract.city}",
            )
            for contract in self.customer.contracts.order_by("-status", "start_date", "id")
        ]
        form = forms_agent.RecordTouchpoint(request.POST, contracts=contracts, now=now)
        if not form.is_valid():
            return render_360(request, self.customer, form=form)
        data = form.cleaned_data
        contract = self.customer.contracts.get(pk=data["contract"]) if data["contract"] else None
        try:
            touchpoints.record_touchpoint(
                customer=self.customer,
                agent=_agent(request),
                channel=data["channel"],
                direction=data["direction"],
                topic=data["topic"],
                outcome=data["outcome"],
                summary=data["summary"],
                occurred_at=now,
                contract=contract,
                sentiment=data["sentiment"],
                would_recommend=data["would_recommend"],
                interests=data["interests"],
                follow_up_due_at=data["follow_up_due_at"],
                consent_captured=data["consent_captured"],
                consent_wording=data["consent_wording"],
                consent_confirm_url=_confirm_url(request),
            )
        except touchpoints.TouchpointRejected as error:
            form.add_error(None, str(error))
            return render_360(request, self.customer, form=form)
        text = "Der Kontakt ist gespeichert."
        if data["follow_up_due_at"] is not None:
            local = timezone.localtime(data["follow_up_due_at"])
            text += f" Rückruf am {format_date(local.date())} um {local:%H:%M} Uhr steht in der Anrufliste."
        if data["consent_captured"] is not None:
            text += " Die Einwilligung ist mit dem vorgelesenen Text gespeichert."
            if data["consent_captured"][0] == Consent.ConsentChannel.EMAIL:
                text += " Sie gilt, sobald die Kundin oder der Kunde den Link in unserer E-Mail bestätigt."
        messages.success(request, text)
        return redirect(self.customer_url())


class SubmitMeterReading(AgentCustomerMixin, FormView):  # type: ignore[type-arg]
    """Enter a reading the customer reads out (source: agent)."""

    form_class = customer_forms.SubmitMeterReading
    template_name = "contacts/agent_reading.html"

    def get_initial(self) -> dict[str, Any]:
        return {"read_date": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contract = self.get_contract()
        context.update(
            customer=self.customer, contract=contract, latest=selectors.get_latest_reading(contract=contract)
        )
        return context

    def form_valid(self, form: customer_forms.SubmitMeterReading) -> HttpResponse:
        contract = self.get_contract()
        try:
            result = services.submit_meter_reading(
                contract=contract,
                value=form.cleaned_data["value"],
                read_date=form.cleaned_data["read_date"],
                source=MeterReading.Source.AGENT,
                today=timezone.localdate(),
                created_by=_agent(self.request),
            )
        except errors.CustomerActionRefused as error:
            form.add_error("value" if isinstance(error, errors.ReadingBelowPrevious) else "read_date", str(error))
            return self.form_invalid(form)
        reading = result.reading
        text = (
            f"Zählerstand {format_number(reading.value)} {contract.get_meter_unit_display()} "
            f"zum {format_date(reading.read_date)} für Vertrag {contract.contract_number} gespeichert."
        )
        if reading.is_flagged:
            messages.warning(self.request, text + " Der Verbrauch ist ungewöhnlich hoch; er ist zur Prüfung markiert.")
        else:
            messages.success(self.request, text)
        return redirect(self.customer_url())


class ChangeAdvancePayment(AgentCustomerMixin, FormView):  # type: ignore[type-arg]
    """Change the Abschlag on the customer's behalf (source: agent); the same rules as in the portal: the calculated
    amount covers the prices of the next twelve months, and a later plan entry (e.g. a new Abschlag for a price change)
    is shown and kept or replaced as the customer decides, never silently."""

    form_class = customer_forms.ChangeAdvancePayment
    template_name = "contacts/agent_advance.html"

    @cached_property
    def contract(self) -> Contract:
        return self.get_contract()

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
        current = contract.advance_changes.filter(valid_from__lte=today).order_by("-valid_from", "-id").first()
        context.update(
            customer=self.customer,
            contract=contract,
            recommended=selectors.recommended_advance_for_year(contract=contract, pricing=pricing, start=next_due),
            current_eur=current.amount_eur if current else None,
            next_due_date=next_due,
            later_steps=self.later_steps,
        )
        return context

    def form_valid(self, form: customer_forms.ChangeAdvancePayment) -> HttpResponse:
        contract = self.contract
        keep_later = form.keep_later()
        try:
            change = services.change_advance_payment(
                contract=contract,
                amount_eur=form.cleaned_data["amount_eur"],
                reason=form.cleaned_data["reason"],
                source=AdvancePaymentChange.Source.AGENT,
                today=timezone.localdate(),
                created_by=_agent(self.request),
                confirmed=form.cleaned_data["confirm_amount"],
                keep_later=keep_later,
            )
        except errors.AmountNeedsConfirmation as error:
            form.ask_to_confirm(str(error))
            form[
                "confirm_amount"
            ].label = f"Die Kundin / der Kunde bestätigt {format_eur(form.cleaned_data['amount_eur'])} im Monat."
            return self.form_invalid(form)
        except errors.CustomerActionRefused as error:
            form.add_error("reason" if isinstance(error, errors.ReductionNeedsReason) else None, str(error))
            return self.form_invalid(form)
        applies = services.describe_advance_change(
            change=change, later=form.later_steps, keep_later=keep_later is not False
        )
        text = f"Abschlag für Vertrag {contract.contract_number} gespeichert. Zum Vorlesen: {applies}"
        if change.needs_review:
            text += " Der neue Abschlag liegt mehr als 20 % unter dem berechneten Betrag und ist zur Prüfung markiert."
        messages.success(self.request, text)
        return redirect(self.customer_url())


class RecordCancellation(AgentCustomerMixin, FormView):  # type: ignore[type-arg]
    """Record a cancellation the customer declares to the agent, through the cancellation-button service."""

    form_class = forms_agent.AgentCancellation
    template_name = "contacts/agent_cancellation.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(customer=self.customer, today=timezone.localdate())
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(customer=self.customer, contract=self.get_contract())
        return context

    def form_valid(self, form: forms_agent.AgentCancellation) -> HttpResponse:
        contract = self.get_contract()
        if not contract.is_active:
            form.add_error(None, str(errors.ContractNotActive()))
            return self.form_invalid(form)
        data = form.cleaned_data
        # One transaction: the declaration and the optional answer to "Warum kündigen Sie?" are stored together (the
        # confirmation e-mail goes out after the commit).
        with transaction.atomic():
            declaration = cancellation.submit_cancellation(
                kind=data["kind"],
                extraordinary_reason=data["extraordinary_reason"],
                name=self.customer.name,
                customer_number=self.customer.customer_number,
                contract_number=contract.contract_number,
                meter_number=contract.meter_number,
                postal_code=contract.postal_code,
                desired_end_date=data["desired_end_date"],
                email=data["email"],
                now=timezone.now(),
                user=_agent(self.request),
            )
            if data["leaving_reason"] or data["leaving_comment"].strip():
                declaration = cancellation.record_leaving_reason(
                    cancellation=declaration, reason=data["leaving_reason"], comment=data["leaving_comment"]
                )
        end = cancellation.last_supply_day(declaration.effective_date)
        if end is not None:
            messages.success(
                self.request,
                f"Kündigung {declaration.reference} gespeichert: Vertrag {contract.contract_number} endet mit dem "
                f"{format_date(end)}. Die Bestätigung geht per E-Mail an die Kundin oder den Kunden.",
            )
        else:
            messages.warning(
                self.request,
                f"Kündigung {declaration.reference} gespeichert; sie liegt zur Prüfung vor "
                "(es ließ sich kein Vertragsende ermitteln).",
            )
        return redirect(self.customer_url())


class ChangeConsents(AgentCustomerMixin, View):
    """The customer's consents with one button each way; granting records the wording read out (source: phone)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(form=None)

    def render_page(self, *, form: forms_agent.ChangeConsent | None) -> HttpResponse:
        rows = []
        open_consents = {
            (consent.channel, consent.purpose): consent
            for consent in Consent.objects.filter(customer=self.customer, withdrawn_at__isnull=True)
        }
        for channel, channel_label in Consent.ConsentChannel.choices:
            for purpose, purpose_label in Consent.Purpose.choices:
                rows.append(
                    {
                        "channel": channel,
                        "purpose": purpose,
                        "channel_label": channel_label,
                        "purpose_label": purpose_label,
                        "consent": open_consents.get((channel, purpose)),
                        "wording": consents.wording_for(channel=channel, purpose=purpose),
                    }
                )
        context = {"customer": self.customer, "rows": rows, "form": form}
        return render(self.request, "contacts/agent_consents.html", context, status=400 if form is not None else 200)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = forms_agent.ChangeConsent(request.POST)
        if not form.is_valid():
            return self.render_page(form=form)
        channel, purpose = form.cleaned_data["channel"], form.cleaned_data["purpose"]
        label = f"{Consent.ConsentChannel(channel).label} – {Consent.Purpose(purpose).label}"
        now = timezone.now()
        if form.cleaned_data["action"] == forms_agent.ChangeConsent.Action.GRANT:
            consents.grant(
                customer=self.customer,
                channel=channel,
                purpose=purpose,
                source=Consent.Source.PHONE,
                now=now,
                recorded_by=_agent(request),
                confirm_url=_confirm_url(request),
            )
            text = f"Einwilligung „{label}“ erteilt (telefonisch, Standardtext)."
            if channel == Consent.ConsentChannel.EMAIL:
                text += " Sie gilt erst, wenn die Kundin oder der Kunde den Link in unserer E-Mail bestätigt."
            messages.success(request, text)
        elif queue.withdraw_consent(
            customer=self.customer, channel=channel, purpose=purpose, source=Consent.Source.PHONE, now=now
        ):
            messages.success(request, f"Einwilligung „{label}“ widerrufen; das gilt ab sofort.")
        else:
            messages.info(request, f"Für „{label}“ lag keine Einwilligung vor.")
        return redirect("contacts:consents", pk=self.customer.pk)
