"""Staff review of declarations made with the cancellation button.

The submitted declaration is read-only (it is the customer's evidence). For a declaration on the review list staff
pick the contract it belongs to; saving records the cancellation on that contract with the date it was received.
Declarations are never deleted or added here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from customers import cancellation, errors
from customers.models import CancellationRequest, Contract

SUBMITTED_FIELDS = (
    "reference",
    "submitted_at",
    "kind",
    "extraordinary_reason",
    "name",
    "customer_number",
    "contract_number",
    "meter_number",
    "postal_code",
    "desired_end_date",
    "email",
    "submitted_by",
)


class CancellationReviewForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CancellationRequest
        fields = ("contract", "status")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        contract = cleaned.get("contract")
        if "contract" in self.changed_data and contract is not None:
            if not contract.is_active:
                self.add_error("contract", "Dieser Vertrag ist nicht mehr aktiv.")
            if self.instance.status != CancellationRequest.Status.REVIEW:
                self.add_error("contract", "Nur Kündigungen auf der Prüfliste können einem Vertrag zugeordnet werden.")
        return cleaned


@admin.register(CancellationRequest)
class CancellationRequestAdmin(admin.ModelAdmin[CancellationRequest]):
    form = CancellationReviewForm
    list_display = ("reference", "submitted_at", "kind", "status", "contract", "effective_date", "last_supply_day")
    list_filter = ("status", "kind")
    search_fields = ("reference", "customer_number", "contract_number", "meter_number")
    ordering = ("-submitted_at", "-id")
    date_hierarchy = "submitted_at"
    raw_id_fields = ("contract",)
    fieldsets = (
        ("Erklärung (wie eingegangen)", {"fields": SUBMITTED_FIELDS}),
        ("Prüfung", {"fields": ("status", "contract", "effective_date", "last_supply_day")}),
        ("Freiwillige Angaben", {"fields": ("leaving_reason", "leaving_comment")}),
    )

    @admin.display(description="letzter Liefertag")
    def last_supply_day(self, obj: CancellationRequest) -> date | None:
        return cancellation.last_supply_day(obj.effective_date)

    def get_readonly_fields(self, request: HttpRequest, obj: CancellationRequest | None = None) -> tuple[str, ...]:
        readonly: tuple[str, ...] = (
            *SUBMITTED_FIELDS,
            "effective_date",
            "last_supply_day",
            "leaving_reason",
            "leaving_comment",
        )
        if obj is None or obj.status != CancellationRequest.Status.REVIEW:
            readonly = (*readonly, "contract")
        return readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CancellationRequest | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CancellationRequest, form: Any, change: bool) -> None:
        chosen: Contract | None = obj.contract if "contract" in form.changed_data else None
        if chosen is None:
            super().save_model(request, obj, form, change)
            return
        try:
            matched = cancellation.assign_contract(cancellation=obj, contract=chosen)
        except errors.CustomerActionRefused as error:
            messages.error(request, str(error))
            return
        messages.success(
            request,
            f"Die Kündigung ist auf Vertrag {chosen.contract_number} eingetragen; "
            f"letzter Liefertag {cancellation.last_supply_day(matched.effective_date):%d.%m.%Y}.",
        )
