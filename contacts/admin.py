"""Admin for contacts: call guides (editable), call tasks, and consents as read-only proof with their uses."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from contacts.models import (
    CallGuide,
    CallTask,
    Consent,
    ConsentUse,
    CustomerAccessLog,
    Interest,
    PriceChangeNotice,
    Touchpoint,
)


@admin.register(CallGuide)
class CallGuideAdmin(admin.ModelAdmin[CallGuide]):
    list_display = ("title", "topic", "updated_at")
    search_fields = ("title", "body")
    ordering = ("topic", "id")
    readonly_fields = ("updated_at",)


@admin.register(CallTask)
class CallTaskAdmin(admin.ModelAdmin[CallTask]):
    list_display = ("id", "kind", "topic", "customer", "due_at", "status", "assignee", "finished_at")
    list_filter = ("status", "kind", "topic")
    search_fields = ("customer__customer_number", "customer__name", "source_key")
    ordering = ("due_at", "id")
    date_hierarchy = "due_at"
    raw_id_fields = ("customer", "contract", "assignee", "result")
    list_select_related = ("customer", "assignee")
    readonly_fields = ("claimed_at", "finished_at", "result", "source_key", "created_at")


class ConsentUseInline(admin.TabularInline[ConsentUse, Consent]):
    model = ConsentUse
    fields = ("used_at", "purpose", "touchpoint", "call_task")
    readonly_fields = fields
    ordering = ("used_at", "id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Consent | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    """Consents are proof (§ 7a UWG): shown, never added, changed or deleted here."""

    list_display = ("customer", "channel", "purpose", "granted_at", "source", "confirmed_at", "withdrawn_at")
    list_filter = ("channel", "purpose", "source")
    search_fields = ("customer__customer_number", "customer__name")
    ordering = ("-granted_at", "-id")
    list_select_related = ("customer",)
    inlines = (ConsentUseInline,)
    fields = (
        "customer",
        "channel",
        "purpose",
        "granted_at",
        "source",
        "wording",
        "recorded_by",
        "confirmed_at",
        "withdrawn_at",
        "withdrawal_source",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Consent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Consent | None = None) -> bool:
        return False


# --- Touchpoints, interests and the access log (agent workspace) -----------------------------------------------------


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin[Touchpoint]):
    list_display = ("occurred_at", "customer", "channel", "direction", "topic", "outcome", "agent")
    list_filter = ("channel", "direction", "topic", "outcome")
    search_fields = ("customer__customer_number", "customer__name")
    ordering = ("-occurred_at", "-id")
    date_hierarchy = "occurred_at"
    raw_id_fields = ("customer", "contract", "agent")
    list_select_related = ("customer", "agent")
    readonly_fields = ("created_at",)


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin[Interest]):
    list_display = ("customer", "kind", "noted_at")
    list_filter = ("kind",)
    search_fields = ("customer__customer_number", "customer__name")
    ordering = ("-noted_at", "-id")
    raw_id_fields = ("customer", "touchpoint")
    list_select_related = ("customer",)


@admin.register(CustomerAccessLog)
class CustomerAccessLogAdmin(admin.ModelAdmin[CustomerAccessLog]):
    """Who opened which customer's data, when (DSGVO accountability): for review only, never edited."""

    list_display = ("opened_at", "user", "customer")
    list_filter = (("user", admin.RelatedOnlyFieldListFilter), ("opened_at", admin.DateFieldListFilter))
    search_fields = ("customer__customer_number",)
    ordering = ("-opened_at", "-id")
    date_hierarchy = "opened_at"
    list_select_related = ("user", "customer")
    fields = ("opened_at", "user", "customer")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CustomerAccessLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CustomerAccessLog | None = None) -> bool:
        return False


@admin.register(PriceChangeNotice)
class PriceChangeNoticeAdmin(admin.ModelAdmin[PriceChangeNotice]):
    """Price-change notices, read-only: written by the job price_change_notices, exactly one per contract."""

    list_display = ("id", "price_change", "contract", "status", "medium", "effective_date", "sent_at")
    list_filter = ("status", "medium", "price_change")
    search_fields = ("contract__contract_number", "contract__customer__customer_number")
    ordering = ("-id",)
    list_select_related = ("price_change__tariff", "contract")
    fields = (
        "price_change",
        "contract",
        "status",
        "medium",
        "claimed_at",
        "sent_at",
        "effective_date",
        "old_advance_eur",
        "new_advance_eur",
        "touchpoint",
        "letter_pdf",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PriceChangeNotice | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PriceChangeNotice | None = None) -> bool:
        return False
