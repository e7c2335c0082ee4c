"""Session bookkeeping at login: start the idle clock and remember whether a customer login is linked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from core import portal_session
from core.models import Role


@receiver(user_logged_in, dispatch_uid="core.start_portal_session")
def start_portal_session(sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any) -> None:
    """Write the last-activity time and, for customers, the customer link into the fresh session.

    Doing it here spares every later page of the session a write (activity) and a query (navigation).
    """
    if request is None or not hasattr(request, "session"):
        return
    request.session[portal_session.LAST_ACTIVITY_KEY] = int(timezone.now().timestamp())
    if getattr(user, "role", None) == Role.CUSTOMER:
        request.session[portal_session.HAS_CUSTOMER_KEY] = portal_session.is_linked_to_customer(user)
