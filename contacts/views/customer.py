"""Customer portal: „Ihre Kontakte mit uns" and the consents (grant and withdraw equally easy, effective at once)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from contacts import consents, forms_consents, history, queue
from contacts.models import Consent
from customers.views.base import CustomerPortalMixin


class ContactHistory(CustomerPortalMixin, TemplateView):
    template_name = "contacts/customer_history.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contacts"] = history.get_contact_history(
            customer=self.customer, page=self.request.GET.get("seite", 1)
        )
        return context


class Consents(CustomerPortalMixin, TemplateView):
    template_name = "contacts/customer_consents.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["states"] = consents.get_consent_states(customer=self.customer)
        return context


class _ConsentAction(CustomerPortalMixin, View):
    """POST only: one button per channel and purpose; the hidden fields say which."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms_consents.ConsentChoice(request.POST)
        if not form.is_valid():
            messages.error(request, "Diese Einwilligung gibt es nicht. Bitte wählen Sie eine aus der Liste.")
            return redirect("contacts_customer:consents")
        channel = Consent.ConsentChannel(form.cleaned_data["channel"])
        purpose = Consent.Purpose(form.cleaned_data["purpose"])
        self.act(request, channel=channel, purpose=purpose)
        return redirect("contacts_customer:consents")

    def act(self, request: HttpRequest, *, channel: Consent.ConsentChannel, purpose: Consent.Purpose) -> None:
        raise NotImplementedError


class GrantConsent(_ConsentAction):
    def act(self, request: HttpRequest, *, channel: Consent.ConsentChannel, purpose: Consent.Purpose) -> None:
        consent = consents.grant(
            customer=self.customer,
            channel=channel,
            purpose=purpose,
            source=Consent.Source.PORTAL,
            now=timezone.now(),
            recorded_by=self.customer.user,
            confirm_url=lambda token: request.build_absolute_uri(
                reverse("contacts_customer:confirm_consent", args=[token])
            ),
        )
        label = f"{channel.label}: {purpose.label}"
        if consent.is_in_force:
            messages.success(request, f"Vielen Dank, Ihre Einwilligung gilt ab sofort ({label}).")
        else:
            messages.info(
                request,
                f"Bitte bestätigen Sie Ihre Einwilligung ({label}): Wir haben Ihnen einen Link an Ihre E-Mail-Adresse "
                "geschickt. Erst nach der Bestätigung schicken wir Ihnen E-Mails.",
            )


class WithdrawConsent(_ConsentAction):
    def act(self, request: HttpRequest, *, channel: Consent.ConsentChannel, purpose: Consent.Purpose) -> None:
        queue.withdraw_consent(
            customer=self.customer, channel=channel, purpose=purpose, source=Consent.Source.PORTAL, now=timezone.now()
        )
        messages.success(request, f"Ihre Einwilligung ist ab sofort widerrufen ({channel.label}: {purpose.label}).")


class ConfirmConsent(CustomerPortalMixin, TemplateView):
    """The double opt-in link: GET shows what is confirmed, POST (the button) confirms. Unknown token → 404.

    A button rather than the bare link, because mail scanners open links on their own.
    """

    template_name = "contacts/customer_confirm_consent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        consent = consents.find_pending_email_consent(customer=self.customer, token=self.kwargs["token"])
        if consent is None:
            raise Http404("Dieser Bestätigungslink ist nicht gültig.")
        context["consent"] = consent
        return context

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        consent = consents.confirm_email(customer=self.customer, token=token, now=timezone.now())
        if consent is None:
            raise Http404("Dieser Bestätigungslink ist nicht gültig.")
        messages.success(request, f"Danke! Ihre Einwilligung ({consent.get_purpose_display()}) gilt jetzt.")
        return redirect("contacts_customer:consents")
