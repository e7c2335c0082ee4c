"""Role-based landing, health endpoint, authentication pages and the public legal pages."""

from __future__ import annotations

from typing import Any

from axes import utils as axes_utils
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from core import forms, health
from core.models import Role

ROLE_HOMES = {
    Role.CUSTOMER: "customers:home",
    Role.AGENT: "contacts:home",
    Role.SALES: "contacts_sales:home",
    Role.ADMIN: "contacts:home",
}


@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    """Send each role to its own home page."""
    return redirect(ROLE_HOMES[Role(request.user.role)])  # type: ignore[union-attr]


@never_cache
@require_GET
def health_check(request: HttpRequest) -> JsonResponse:
    """Report database and broker status; 503 when the database is down (the portal cannot work without it).

    A broker outage is reported but keeps 200: the portal keeps working and queued work is caught up later.
    """
    database_ok = health.check_database()
    broker_ok = health.check_broker()
    payload = {
        "status": "ok" if database_ok and broker_ok else ("degraded" if database_ok else "unavailable"),
        "database": "ok" if database_ok else "unreachable",
        "broker": "ok" if broker_ok else "unreachable",
    }
    return JsonResponse(payload, status=200 if database_ok else 503)


class Login(auth_views.LoginView):
    form_class = forms.EmailAuthentication
    redirect_authenticated_user = True


def _lift_lockout(user: AbstractBaseUser) -> None:
    """Forget the failed logins for this account, so that a new password works at once.

    The lockout page advises "setzen Sie Ihr Passwort zurück"; someone who proved they own the address (reset link)
    or knows the password (change) must not then be refused for the rest of the cool-off time.
    """
    axes_utils.reset(username=user.get_username())


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    form_class = forms.NewPassword

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        _lift_lockout(form.user)
        return response


class PasswordChange(auth_views.PasswordChangeView):
    form_class = forms.ChangePassword

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        _lift_lockout(form.user)
        return response


class Imprint(TemplateView):
    """Impressum (§ 5 DDG): who runs the portal and how to reach them, for everyone without login."""

    template_name = "core/imprint.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tax_id = settings.UTILITY_TAX_ID
        # A USt-IdNr. starts with the country code ("DE123456789"); anything else is a Steuernummer.
        context["tax_id_label"] = "Umsatzsteuer-Identifikationsnummer" if tax_id[:2].isalpha() else "Steuernummer"
        context["tax_id"] = tax_id
        context["representatives"] = settings.UTILITY_REPRESENTATIVES
        context["register"] = settings.UTILITY_REGISTER
        return context


class PrivacyPolicy(TemplateView):
    """Datenschutzerklärung (Art. 13 DSGVO) for the portal, for everyone without login."""

    template_name = "core/privacy.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = settings.SESSION_IDLE_TIMEOUT_MINUTES
        return context
