"""Template context shared by every page: the navigation for the current role and the utility's contact data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from core import portal_session
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
# A customer login not (yet) linked to a customer record has only "Mein Konto", which explains the situation;
# every other customer page needs the record.
_NAVIGATION_WITHOUT_CUSTOMER = [("Mein Konto", "customers:home")]


def navigation(request: HttpRequest) -> dict[str, object]:
    """Return the navigation entries for the logged-in user's role (empty for visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    names = _NAVIGATION.get(user.role, [])
    if user.role == Role.CUSTOMER and not portal_session.has_customer_record(request):
        names = _NAVIGATION_WITHOUT_CUSTOMER
    entries = [(label, reverse(name)) for label, name in names]
    # "/konto/" is a prefix of "/konto/entlastung/": only the longest matching entry is the current page.
    current = max((url for _, url in entries if request.path.startswith(url)), key=len, default=None)
    return {"nav_items": [NavItem(label=label, url=url, active=url == current) for label, url in entries]}


@dataclass(frozen=True, slots=True)
class UtilityContact:
    """How customers reach the utility: shown in the footer, the Impressum and wherever we say "rufen Sie uns an"."""

    name: str
    address: str
    phone: str
    email: str

    @property
    def address_lines(self) -> list[str]:
        """Return the one-line address ("Musterstraße 1, 70173 Stuttgart") as lines for a letter head."""
        return [line.strip() for line in self.address.split(",") if line.strip()]

    @property
    def phone_href(self) -> str:
        """Return the phone number as a tel: link in international form (0711 123456-0 → tel:+497111234560)."""
        digits = re.sub(r"[^\d+]", "", self.phone)
        if digits.startswith("00"):
            digits = "+" + digits[2:]
        elif digits.startswith("0"):
            digits = "+49" + digits[1:]
        return f"tel:{digits}"


def utility(request: HttpRequest) -> dict[str, object]:
    """Return the utility's contact data from settings (UTILITY_*)."""
    return {
        "utility": UtilityContact(
            name=settings.UTILITY_NAME,
            address=settings.UTILITY_ADDRESS,
            phone=settings.UTILITY_PHONE,
            email=settings.UTILITY_EMAIL,
        )
    }
