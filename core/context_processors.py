"""Template context shared by every page: the navigation for the current role."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from core.models import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url: str
    active: bool


_NAVIGATION: dict[str, list[tuple[str, str]]] = {
    Role.CUSTOMER: [
        ("Mein Konto", "customers:home"),
        ("Rechnungen", "customers:bills"),
        ("Meine Entlastung", "customers:relief"),
        ("Meine Daten", "customers:profile"),
        ("Kontakte", "contacts_customer:history"),
        ("Einwilligungen", "contacts_customer:consents"),
    ],
    Role.AGENT: [("Arbeitsplatz", "contacts:home"), ("Anrufliste", "contacts:queue")],
    Role.SALES: [("Kundenbindung", "contacts_sales:home")],
    Role.ADMIN: [
        ("Arbeitsplatz", "contacts:home"),
        ("Anrufliste", "contacts:queue"),
        ("Kundenbindung", "contacts_sales:home"),
        ("Verwaltung", "admin:index"),
    ],
}


def navigation(request: HttpRequest) -> dict[str, object]:
    """Return the navigation entries for the logged-in user's role (empty for visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = [(label, reverse(name)) for label, name in _NAVIGATION.get(user.role, [])]
    # "/konto/" is a prefix of "/konto/entlastung/": only the longest matching entry is the current page.
    current = max((url for _, url in entries if request.path.startswith(url)), key=len, default=None)
    return {"nav_items": [NavItem(label=label, url=url, active=url == current) for label, url in entries]}
