"""What every customer-portal view shares: the customer role check and `self.customer`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import CustomerRequiredMixin
from customers.models import Bill, Contract, Customer


class CustomerPortalMixin(CustomerRequiredMixin):
    """Allow customers only and load their Customer record; every object is looked up through it (else 404)."""

    customer: Customer
    # Only the start page opens for a login that is not (yet) linked to a customer record; it explains that.
    allow_without_customer = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and getattr(request.user, "role", None) == "CUSTOMER":
            customer = Customer.objects.filter(user=request.user).first()
            if customer is None and not self.allow_without_customer:
                raise Http404("Zu diesem Login gibt es kein Kundenkonto.")
            self.customer = customer  # type: ignore[assignment]
        return super().dispatch(request, *args, **kwargs)

    @property
    def today(self) -> Any:
        return timezone.localdate()

    def get_contract(self, pk: int) -> Contract:
        """Return one of this customer's contracts (another customer's id gives 404)."""
        return get_object_or_404(self.customer.contracts.select_related("tariff"), pk=pk)

    def get_bill(self, pk: int) -> Bill:
        """Return one of this customer's bills (another customer's id gives 404)."""
        return get_object_or_404(
            Bill.objects.select_related("contract__tariff"), pk=pk, contract__customer=self.customer
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["customer"] = self.customer
        return context
