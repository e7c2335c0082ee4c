"""What the portal keeps in a login's session besides Django's own keys: last activity and the customer link.

Both are written at login (core.signals), so the pages of an active session read them without extra queries.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from core.models import Role

# Seconds since the epoch of the last request that counted as activity (core.middleware.SessionTimeout).
LAST_ACTIVITY_KEY = "portal_last_activity"
# True once the customer login is known to be linked to a customer record.
HAS_CUSTOMER_KEY = "portal_has_customer"


def is_linked_to_customer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether a customer record belongs to this login (one query).

    The record lives in the customers app, which core must not import; the reverse one-to-one accessor
    ``user.customer`` reaches it without an import and raises an AttributeError subclass when there is none.
    """
    return hasattr(user, "customer")


def has_customer_record(request: HttpRequest) -> bool:
    """Return whether the logged-in customer has a customer record, asking the database only until one is linked.

    A link made by an agent after login is picked up on the next page; the answer "linked" is remembered in the
    session, so pages of linked customers (nearly all) run no extra query.
    """
    if request.session.get(HAS_CUSTOMER_KEY):
        return True
    linked = is_linked_to_customer(request.user)
    if linked:
        request.session[HAS_CUSTOMER_KEY] = True
    return linked


def is_customer(request: HttpRequest) -> bool:
    """Return whether a customer login (role CUSTOMER) made the request."""
    user = request.user
    return bool(user.is_authenticated and getattr(user, "role", None) == Role.CUSTOMER)
