"""Customer portal: „Ihre Kontakte mit uns" and the consents (grant and withdraw equally easy, effective at once)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from contacts import consents, forms_consents, history, queue
from contacts.models import Consent
from core.models import Role
from customers.models import Customer
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
        label = f"{channel.label}: {consents.label_for(channel=channel, purpose=purpose)}"
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
        label = f"{channel.label}: {consents.label_for(channel=channel, purpose=purpose)}"
        messages.success(request, f"Ihre Einwilligung ist ab sofort widerrufen ({label}).")


@method_decorator(never_cache, name="dispatch")
class ConfirmConsent(View):
    """The double opt-in link, public: the token identifies the customer, so no portal login is needed.

    GET shows what is confirmed, POST (the button) confirms: a button rather than the bare link, because mail
    scanners open links on their own. A link that cannot be used gets a page saying what happened and what to do:
    already confirmed → 200 (nothing left to do); withdrawn since → 410 Gone (we know the link, it has ended);
    unknown, or another customer's while a customer is logged in → 404, as for any object that is not theirs.
    """

    template_name = "contacts/customer_confirm_consent.html"
    invalid_template_name = "contacts/customer_confirm_consent_invalid.html"
    own_customer_id: int | None

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.own_customer_id = None  # visitor, staff, or a login without customer record
        if request.user.is_authenticated and getattr(request.user, "role", None) == Role.CUSTOMER:
            self.own_customer_id = Customer.objects.filter(user=request.user).values_list("pk", flat=True).first()

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        consent = consents.find_by_link(token=token)
        if consent is None or not self.may_confirm(consent) or consent.confirmed_at or consent.withdrawn_at:
            return self.explain(request, consent)
        label = consents.label_for(channel=consent.channel, purpose=consent.purpose)
        return render(request, self.template_name, {"consent": consent, "label": label})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        consent = consents.find_by_link(token=token)
        if consent is None or not self.may_confirm(consent):
            return self.explain(request, consent)
        confirmed = consents.confirm_by_link(token=token, now=timezone.now())
        if confirmed is None:  # confirmed or withdrawn before this click
            return self.explain(request, consents.find_by_link(token=token))
        if self.own_customer_id == confirmed.customer_id:
            label = consents.label_for(channel=confirmed.channel, purpose=confirmed.purpose)
            messages.success(request, f"Danke! Ihre Einwilligung (E-Mail: {label}) gilt jetzt.")
            return redirect("contacts_customer:consents")
        return redirect(request.path)  # the page now says that the consent is confirmed

    def may_confirm(self, consent: Consent) -> bool:
        """Refuse only a logged-in customer opening another customer's link (one browser, two people)."""
        return self.own_customer_id is None or self.own_customer_id == consent.customer_id

    def explain(self, request: HttpRequest, consent: Consent | None) -> HttpResponse:
        """Render the page for a link that cannot (or need not) be used, with the status its state calls for."""
        if consent is None:
            state, status = "unknown", 404
        elif not self.may_confirm(consent):
            state, status = "foreign", 404
        elif consent.withdrawn_at is not None:
            state, status = "withdrawn", 410
        else:
            state, status = "confirmed", 200
        context: dict[str, Any] = {"state": state}
        if state in ("withdrawn", "confirmed") and consent is not None:
            context.update(
                consent=consent,
                label=consents.label_for(channel=consent.channel, purpose=consent.purpose),
                has_login=consent.customer.user_id is not None,
                is_owner=self.own_customer_id == consent.customer_id,
                successor=consents.find_successor(consent) if state == "withdrawn" else None,
            )
        return render(request, self.invalid_template_name, context, status=status)
