"""Role checks for views: anonymous users are sent to the login page, logged-in users with the wrong role get 403."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ClassVar, TypeVar

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from core.models import Role

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def has_role(request: HttpRequest, roles: Iterable[str]) -> bool:
    """Return whether the logged-in user has one of the roles."""
    user = request.user
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) in set(roles))


class RoleRequiredMixin(AccessMixin):
    """Allow only logged-in users whose role is in `allowed_roles` (checked in dispatch, before any lookup)."""

    allowed_roles: ClassVar[frozenset[str]] = frozenset()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request, self.allowed_roles):
            raise PermissionDenied("Für diese Seite fehlt Ihnen die Berechtigung.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc, no-any-return]


class CustomerRequiredMixin(RoleRequiredMixin):
    allowed_roles = frozenset({Role.CUSTOMER})


class AgentRequiredMixin(RoleRequiredMixin):
    """Customer service: agents and admins."""

    allowed_roles = frozenset({Role.AGENT, Role.ADMIN})


class SalesRequiredMixin(RoleRequiredMixin):
    """The retention dashboard: sales and admins."""

    allowed_roles = frozenset({Role.SALES, Role.ADMIN})


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a function view like RoleRequiredMixin does a class-based one."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), resolve_url("login"))
            if not has_role(request, roles):
                raise PermissionDenied("Für diese Seite fehlt Ihnen die Berechtigung.")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
