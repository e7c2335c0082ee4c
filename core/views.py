"""Role-based landing, health endpoint and authentication pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
