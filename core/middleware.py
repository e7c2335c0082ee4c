"""Session expiry that tells the customer what happened, and a kind page for customer logins without a record."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import timezone

from core import portal_session

# Write the activity time at most this often: a session save on every page would cost a query each time.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60

EXPIRED_FORM_MESSAGE = (
    "Ihre Sitzung ist abgelaufen, deshalb haben wir Ihre Eingaben nicht gespeichert. Bitte melden Sie sich erneut "
    "an; danach kommen Sie zurück zu der Seite und können Ihre Angaben noch einmal absenden."
)
EXPIRED_PAGE_MESSAGE = "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."


class SessionTimeout:
    """Log customers out after SESSION_IDLE_TIMEOUT_MINUTES without a request, and say so on the login page.

    Without a word, a customer whose session ran out (idle, or its server-side expiry) and who then submits a form
    lands on the login page and believes the reading or cancellation was sent. When the view sends such a request
    to the login page, a message explains that nothing was saved; the login then returns to the page (``next``).
    Staff sessions keep the absolute SESSION_COOKIE_AGE only: agents stay on a call with the screen untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        expired = self._session_expired(request)
        response = self.get_response(request)
        if expired:
            location = _login_redirect(response)
            if location is not None:
                is_form = request.method not in {"GET", "HEAD", "OPTIONS"}
                messages.warning(request, EXPIRED_FORM_MESSAGE if is_form else EXPIRED_PAGE_MESSAGE)
                if request.headers.get("HX-Request") == "true":
                    # htmx would follow the redirect itself and swap the login form into a fragment of the page.
                    response = HttpResponse(status=204, headers={"HX-Redirect": location})
        return response

    def _session_expired(self, request: HttpRequest) -> bool:
        """Return whether the request came with a session that has ended; log out an idle customer."""
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False  # a new visitor, or the browser was closed: nothing to explain
        if not request.user.is_authenticated:
            # The cookie names a session the server no longer has (expired or deleted).
            return request.session.session_key is None
        if not portal_session.is_customer(request):
            return False
        now = int(timezone.now().timestamp())
        last_activity = request.session.get(portal_session.LAST_ACTIVITY_KEY)
        if isinstance(last_activity, int) and now - last_activity > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
            logout(request)
            return True
        if not isinstance(last_activity, int) or now - last_activity >= ACTIVITY_WRITE_INTERVAL_SECONDS:
            request.session[portal_session.LAST_ACTIVITY_KEY] = now
        return False


def _login_redirect(response: HttpResponse) -> str | None:
    """Return the redirect target if the response sends the browser to log in and come back (``next``).

    Logging out also ends on the login page, but without ``next``: that is no expiry to explain.
    """
    if response.status_code not in {301, 302, 303, 307, 308}:
        return None
    location = urlsplit(str(response.get("Location", "")))
    if location.path != resolve_url(settings.LOGIN_URL) or REDIRECT_FIELD_NAME not in parse_qs(location.query):
        return None
    return location.geturl()


# URL namespaces whose pages exist only for a customer record (customers.views.base.CustomerPortalMixin).
CUSTOMER_RECORD_NAMESPACES = frozenset({"customers", "contacts_customer"})


class CustomerRecordMissing:
    """Explain, instead of a bare 404, that a customer login is not yet linked to a customer record.

    The customer pages raise Http404 for such a login (there is nothing to show); a bookmark or typed address
    should still tell the person what to do rather than "Seite nicht gefunden".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Http404) or not portal_session.is_customer(request):
            return None
        match = request.resolver_match
        if match is None or match.namespace not in CUSTOMER_RECORD_NAMESPACES:
            return None
        # Asked afresh (the session may still say "linked" after a link was removed); only on this rare path.
        if portal_session.is_linked_to_customer(request.user):
            return None
        request.session[portal_session.HAS_CUSTOMER_KEY] = False
        return render(request, "core/no_customer_record.html", status=200)
