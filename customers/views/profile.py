"""Meine Daten: see and change contact data, confirm a new e-mail address, download all own data (DSGVO)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from customers import forms_profile, profile
from customers.views.base import CustomerPortalMixin


class MyData(CustomerPortalMixin, FormView):  # type: ignore[type-arg]
    form_class = forms_profile.ContactData
    template_name = "customers/profile.html"

    def get_initial(self) -> dict[str, Any]:
        customer = self.customer
        login_email = customer.user.email if customer.user else customer.email
        return {
            "email": login_email,
            "phone": customer.phone,
            "street": customer.street,
            "postal_code": customer.postal_code,
            "city": customer.city,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contracts"] = list(self.customer.contracts.select_related("tariff").order_by("start_date", "id"))
        requested_at = self.customer.pending_email_requested_at
        if self.customer.pending_email and requested_at is not None:
            context["pending_valid_until"] = timezone.localtime(requested_at + profile.EMAIL_LINK_VALIDITY)
        return context

    def form_valid(self, form: forms_profile.ContactData) -> HttpResponse:
        request = self.request
        change = profile.update_contact_data(
            customer=self.customer,
            now=timezone.now(),
            confirm_url=lambda token: request.build_absolute_uri(reverse("customers:confirm_email", args=[token])),
            **form.cleaned_data,
        )
        if change.changed_fields:
            messages.success(request, "Ihre Kontaktdaten sind gespeichert.")
        if change.email_pending:
            messages.info(
                request,
                f"Wir haben Ihnen einen Bestätigungslink an {change.email_pending} geschickt. Erst wenn Sie ihn "
                "öffnen, gilt die neue E-Mail-Adresse, auch für die Anmeldung. Der Link ist drei Tage gültig.",
            )
        if not change.changed_anything:
            messages.info(request, "Sie haben nichts geändert.")
        return redirect("customers:profile")


class ConfirmEmail(CustomerPortalMixin, TemplateView):
    """The link from the e-mail: GET shows what will change, POST (the button) applies it.

    A link that cannot be used gets a page that says what happened and what to do, never a bare error page:
    already used → 200 (the address is confirmed, nothing left to do); expired → 410 Gone (we know the link, it
    has ended); another login's link, or one we do not know (replaced by a newer link, withdrawn, mistyped) → 404,
    as for any object that is not the customer's.
    """

    template_name = "customers/confirm_email.html"
    invalid_template_name = "customers/confirm_email_invalid.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        link = profile.check_email_link(customer=self.customer, token=self.kwargs["token"], now=timezone.now())
        if not link.is_pending:
            return self.explain(link)
        return self.render_to_response(self.get_context_data(new_email=link.pending_email))

    def explain(self, link: profile.EmailLink) -> HttpResponse:
        """Render the page for a link that cannot be used, with the status its state calls for."""
        if link.is_used:
            status = 200
        elif link.is_expired:
            status = 410
        else:
            status = 404
        return TemplateResponse(
            self.request,
            self.invalid_template_name,
            {"link": link, "customer": self.customer},
            status=status,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self.kwargs["token"]
        try:
            new_email = profile.confirm_email(customer=self.customer, token=token, now=timezone.now())
        except (profile.EmailTokenInvalid, profile.EmailTokenExpired):
            return self.explain(profile.check_email_link(customer=self.customer, token=token, now=timezone.now()))
        except profile.EmailAlreadyUsed as error:
            messages.error(request, str(error))
            return redirect("customers:profile")
        messages.success(
            request, f"Ihre neue E-Mail-Adresse {new_email} ist bestätigt. Bitte melden Sie sich künftig damit an."
        )
        return redirect("customers:profile")


class ExportData(CustomerPortalMixin, View):
    """Download all data about the customer as a JSON file (Art. 15 and 20 DSGVO)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        now = timezone.now()
        data = profile.export_customer_data(self.customer, now=now)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        filename = f"stadtwerk-meine-daten-{self.customer.customer_number}-{timezone.localdate(now):%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
