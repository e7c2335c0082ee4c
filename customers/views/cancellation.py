"""The cancellation button (§ 312k BGB): public pages, with or without login.

The form, the confirmation, the downloadable receipt and the optional question. None of them reveals whether a
declaration matched a customer or contract. The confirmation is shown only to the browser session that submitted
it (its reference is kept in the session), so a guessed reference shows nothing.

Every complete declaration is stored and confirmed (§ 312k BGB: the button must accept it). Abuse protection never
refuses one: logged-in users are not counted at all; an anonymous declaration beyond the hourly limits (per IP
address, per confirmation e-mail address, per customer number given) is stored unmatched for staff to review, so a
flood can neither cancel contracts by guessing identification data nor find out which data match.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.models import Role
from customers import cancellation, forms_cancellation
from customers.models import CancellationRequest, Contract, Customer

# Anonymous declarations per hour before automatic matching stops (they are still stored and confirmed). Generous:
# a customer center terminal, a care home or mobile-network CGNAT share one address.
RATE_LIMIT_PER_IP = 20  # per IP address
RATE_LIMIT_PER_EMAIL = 20  # per confirmation e-mail address
RATE_LIMIT_PER_CUSTOMER_NUMBER = 10  # per customer number given (guessing one customer's contract numbers)
RATE_WINDOW_SECONDS = 60 * 60
SESSION_KEY = "cancellation_references"
SESSION_KEEP = 10


def _count(kind: str, value: str) -> int:
    """Count one more submission for a value in the current window; the value is stored only as a keyed hash."""
    key = f"cancellation-rate:{kind}:{salted_hmac('cancellation-rate-limit', value).hexdigest()}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)  # starts the one-hour window at the first submission
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, timeout=RATE_WINDOW_SECONDS)
        return 1


def is_over_rate_limit(request: HttpRequest, *, email: str, customer_number: str) -> bool:
    """Count this anonymous submission; tell whether its IP address, e-mail or customer number is over the limit."""
    ip_count = _count("ip", get_client_ip_address(request) or "unknown")
    email_count = _count("email", email.strip().lower())
    over = ip_count > RATE_LIMIT_PER_IP or email_count > RATE_LIMIT_PER_EMAIL
    customer_number = "".join(customer_number.split())
    if customer_number:
        over = _count("customer", customer_number) > RATE_LIMIT_PER_CUSTOMER_NUMBER or over
    return over


def _logged_in_customer(request: HttpRequest) -> Customer | None:
    user = request.user
    if not user.is_authenticated or getattr(user, "role", None) != Role.CUSTOMER:
        return None
    return Customer.objects.filter(user=user).first()


class Cancel(View):
    """Ask for the declaration and record it with the final button „jetzt kündigen“ (public: no login needed)."""

    template_name = "customers/cancellation_form.html"

    def get_form(self, request: HttpRequest, data: Any = None) -> forms_cancellation.Cancellation:
        today = timezone.localdate()
        customer = _logged_in_customer(request)
        if customer is None:
            return forms_cancellation.Cancellation(data, today=today)
        initial = {"name": customer.name, "email": customer.email or getattr(request.user, "email", "")}
        contracts = list(customer.contracts.filter(status=Contract.Status.ACTIVE).order_by("start_date", "pk"))
        if contracts:
            return forms_cancellation.CustomerCancellation(
                data, today=today, customer=customer, contracts=contracts, initial=initial
            )
        # No active contract left: the open form, pre-filled, still lets the customer declare (staff review it).
        initial["customer_number"] = customer.customer_number
        return forms_cancellation.Cancellation(data, today=today, initial=initial)

    def render_form(self, request: HttpRequest, form: forms_cancellation.Cancellation) -> HttpResponse:
        customer = getattr(form, "customer", None)
        return render(request, self.template_name, {"form": form, "customer": customer})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(request, self.get_form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.get_form(request, request.POST)
        if not form.is_valid():
            return self.render_form(request, form)
        data = form.cleaned_data
        user = request.user if request.user.is_authenticated else None
        # Logged-in users are never limited; anonymous ones beyond the limit are stored for review, never refused.
        hold_for_review = user is None and is_over_rate_limit(
            request, email=data["email"], customer_number=data.get("customer_number", "")
        )
        declaration = cancellation.submit_cancellation(
            kind=data["kind"],
            extraordinary_reason=data["extraordinary_reason"],
            name=data["name"],
            customer_number=data.get("customer_number", ""),
            contract_number=data.get("contract_number", ""),
            meter_number=data.get("meter_number", ""),
            postal_code=data.get("postal_code", ""),
            desired_end_date=data["desired_end_date"],
            email=data["email"],
            now=timezone.now(),
            user=user,
            contract=data.get("contract"),
            hold_for_review=hold_for_review,
        )
        references = [*request.session.get(SESSION_KEY, [])[-(SESSION_KEEP - 1) :], declaration.reference]
        request.session[SESSION_KEY] = references
        return redirect("cancellation:done", reference=declaration.reference)


class DeclarationNotInSession(Http404):
    """A confirmation asked for outside the browser session that submitted it, or a reference that does not exist.

    A 404 either way (a guessed reference reveals nothing), but ``explain_not_in_session`` answers it with a page
    that says why the confirmation is not shown and what to do, instead of the bare „Seite nicht gefunden“.
    """


def _own_declaration(request: HttpRequest, reference: str) -> CancellationRequest:
    """Return a declaration this browser session submitted.

    :raises DeclarationNotInSession: for any other reference, whether it exists or not.
    """
    if reference not in request.session.get(SESSION_KEY, []):
        raise DeclarationNotInSession("Diese Bestätigung gibt es nicht (mehr) in dieser Sitzung.")
    return get_object_or_404(CancellationRequest.objects.select_related("contract"), reference=reference)


def explain_not_in_session(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view method: answer ``DeclarationNotInSession`` with the explanation page (status 404)."""

    @functools.wraps(handler)
    def wrapper(self: View, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return handler(self, request, *args, **kwargs)
        except DeclarationNotInSession:
            return render(request, "customers/cancellation_not_in_session.html", status=404)

    return wrapper


def _render_done(
    request: HttpRequest, declaration: CancellationRequest, question: forms_cancellation.LeavingQuestion | None = None
) -> HttpResponse:
    context = cancellation.confirmation_context(declaration)
    contract = declaration.contract
    # The contract's owner, logged in, may see the end date: that reveals nothing to a stranger.
    owner_sees_end = (
        contract is not None
        and declaration.status == CancellationRequest.Status.MATCHED
        and request.user.is_authenticated
        and Customer.objects.filter(pk=contract.customer_id, user=request.user).exists()
    )
    context.update(
        last_supply_day=cancellation.last_supply_day(declaration.effective_date) if owner_sees_end else None,
        question=question
        or forms_cancellation.LeavingQuestion(
            initial={"leaving_reason": declaration.leaving_reason, "leaving_comment": declaration.leaving_comment}
        ),
        answered=bool(declaration.leaving_reason or declaration.leaving_comment),
    )
    return render(request, "customers/cancellation_done.html", context)


@method_decorator(never_cache, name="dispatch")
class Confirmation(View):
    """The immediate confirmation with date and time, to print or save, and the optional question."""

    @explain_not_in_session
    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        return _render_done(request, _own_declaration(request, reference))


@method_decorator(never_cache, name="dispatch")
class ConfirmationFile(View):
    """The confirmation as a text file to keep."""

    @explain_not_in_session
    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        declaration = _own_declaration(request, reference)
        response = HttpResponse(cancellation.confirmation_text(declaration), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="Kuendigung-{declaration.reference}.txt"'
        return response


class AnswerLeavingQuestion(View):
    """Record the optional answer to „Warum kündigen Sie?“; the cancellation stands whatever the answer."""

    http_method_names = ["post"]

    @explain_not_in_session
    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        declaration = _own_declaration(request, reference)
        form = forms_cancellation.LeavingQuestion(request.POST)
        if not form.is_valid():
            return _render_done(request, declaration, question=form)
        cancellation.record_leaving_reason(
            cancellation=declaration,
            reason=form.cleaned_data["leaving_reason"],
            comment=form.cleaned_data["leaving_comment"],
        )
        messages.success(request, "Danke für Ihre Antwort. Sie hilft uns, besser zu werden.")
        return redirect("cancellation:done", reference=declaration.reference)
