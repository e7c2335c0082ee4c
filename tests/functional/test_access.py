"""Walk every URL pattern: visitors are sent to the login page (except the public pages listed here) and each
logged-in role outside a view's allowed roles gets 403. A new URL is covered automatically, and a new view that
declares neither roles nor a place in the lists below fails this test."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from core.models import Role

# Pages anyone may open without logging in.
PUBLIC = {
    "health",
    "logout",  # POST only; logging out while logged out is harmless
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "tariffs:relief_calculator",
    # Impressum (§ 5 DDG) and Datenschutzerklärung (Art. 13 DSGVO), linked from every page's footer.
    "imprint",
    "privacy",
    # The cancellation button (§ 312k BGB) must work without login; a confirmation shows only to its own session.
    "cancellation:form",
    "cancellation:done",
    "cancellation:receipt",
    "cancellation:leaving_reason",
    # The double opt-in link: its token identifies the customer; most customers have no portal login.
    "contacts_customer:confirm_consent",
}
# Pages for every logged-in user whatever the role.
ANY_LOGGED_IN = {"home", "password_change", "password_change_done"}

SAMPLE_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}


@dataclass(frozen=True)
class Route:
    name: str
    url: str
    callback: Any


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin has its own login and staff check; tested separately below.
            child_ns = (
                f"{namespace}:{entry.namespace}" if entry.namespace and namespace else entry.namespace or namespace
            )
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), child_ns)
        elif isinstance(entry, URLPattern):
            assert isinstance(entry.pattern, RoutePattern), f"use path(), not re_path(): {entry.pattern}"
            route = prefix + str(entry.pattern)
            url = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_BY_CONVERTER[m.group(1) or "str"], route)
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Route(name=name, url=url, callback=entry.callback)


ROUTES = list(walk(get_resolver().url_patterns))


def allowed_roles(route: Route) -> set[str] | None:
    view_class = getattr(route.callback, "view_class", None)
    roles = getattr(view_class, "allowed_roles", None) or getattr(route.callback, "allowed_roles", None)
    return set(roles) if roles else None


def test_every_route_is_public_or_declares_its_roles() -> None:
    undeclared = [
        route.name
        for route in ROUTES
        if route.name not in PUBLIC and route.name not in ANY_LOGGED_IN and allowed_roles(route) is None
    ]

    assert undeclared == []


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in PUBLIC], ids=lambda r: r.name)
def test_visitor_is_sent_to_login(client: Any, route: Route) -> None:
    response = client.get(route.url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.name in PUBLIC], ids=lambda r: r.name)
def test_public_page_opens_without_login(client: Any, route: Route) -> None:
    response = client.get(route.url)

    assert response.status_code != 302 or not response["Location"].startswith(reverse("login"))
    assert response.status_code < 500


ROLE_CASES = [
    (route, role)
    for route in ROUTES
    if (roles := allowed_roles(route)) is not None
    for role in Role.values
    if role not in roles
]


@pytest.mark.parametrize(("route", "role"), ROLE_CASES, ids=lambda v: getattr(v, "name", v))
def test_wrong_role_gets_403(client: Any, make_user: Any, route: Route, role: str) -> None:
    client.force_login(make_user(role=role))

    get_response = client.get(route.url)
    post_response = client.post(route.url, {})

    assert get_response.status_code == 403
    assert post_response.status_code == 403


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT, Role.SALES])
def test_admin_site_refuses_non_admins(client: Any, make_user: Any, role: str) -> None:
    client.force_login(make_user(role=role))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_site_opens_for_admins(client: Any, make_user: Any) -> None:
    client.force_login(make_user(role=Role.ADMIN, is_staff=True, is_superuser=True))

    response = client.get("/admin/")

    assert response.status_code == 200
