"""Tariffs and their price history in the Django admin; overlapping price versions are refused with a message.

Prices change only through a price change (``PriceChangeAdmin``): drafts propose new net prices, publishing creates
the price version and sends the notices. The price history itself is read-only once a contract or a price change uses
the tariff; before that (a new tariff), its versions can be entered in the tariff's inline.
"""

from __future__ import annotations

import itertools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone

from core.fields import GermanDecimalField
from tariffs import pricing_changes
from tariffs.models import PriceChange, PriceVersion, ReliefScheme, Tariff, VatRate


class PriceVersionFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """Check the versions of one tariff against each other (model.clean only sees the saved ones)."""

    def clean(self) -> None:
        super().clean()
        periods = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            valid_from, valid_to = form.cleaned_data.get("valid_from"), form.cleaned_data.get("valid_to")
            if valid_from is not None:
                periods.append((valid_from, valid_to))
        periods.sort(key=lambda period: period[0])
        for (start, end), (next_start, _next_end) in itertools.pairwise(periods):
            if end is None or end > next_start:
                raise ValidationError(
                    f"Die Preisstände ab {start:%d.%m.%Y} und ab {next_start:%d.%m.%Y} überschneiden sich. "
                    "Beenden Sie den früheren spätestens am Beginn des späteren."
                )


def history_is_open(tariff: Tariff | None) -> bool:
    """Tell whether a tariff's price history may still be edited directly: no contract and no price change refers to
    it, so editing changes no customer's price without a notice. (A new tariff: ``None``.)"""
    if tariff is None or tariff.pk is None:
        return True
    return not tariff.contracts.exists() and not tariff.price_changes.exists()


class PriceVersionInline(admin.TabularInline):  # type: ignore[type-arg]
    """The tariff's price history: editable only while ``history_is_open``; a tariff without any version may get its
    first one. Every later version comes from a published price change."""

    model = PriceVersion
    formset = PriceVersionFormSet
    extra = 0
    ordering = ("valid_from", "id")
    fields = ("valid_from", "valid_to", "working_price_net_ct", "base_price_net_eur_year", "energy_ct", "grid_fee_ct")

    def has_add_permission(self, request, obj=None):
        allowed = history_is_open(obj) or (obj is not None and not obj.price_versions.exists())
        return allowed and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return history_is_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return history_is_open(obj) and super().has_delete_permission(request, obj)

    def get_max_num(self, request, obj=None, **kwargs):
        """A tariff that is in use gets at most its first version here (none once it has one)."""
        if history_is_open(obj):
            return None
        return 1 if obj is not None and not obj.price_versions.exists() else 0


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin[Tariff]):
    list_display = ("name", "code", "commodity", "is_basic_supply", "customer_group", "is_active")
    list_filter = ("commodity", "is_basic_supply", "customer_group", "is_active")
    search_fields = ("name", "code")
    ordering = ("commodity", "name", "id")
    inlines = (PriceVersionInline,)


@admin.register(PriceVersion)
class PriceVersionAdmin(admin.ModelAdmin[PriceVersion]):
    """The price history, to look at only: a version is created by publishing a price change (or, for a new tariff,
    in the tariff's inline); changing or deleting one here would change customers' prices without a notice."""

    list_display = (
        "tariff",
        "valid_from",
        "valid_to",
        "working_price_net_ct",
        "base_price_net_eur_year",
        "price_change",
    )
    list_filter = ("tariff__commodity", "tariff")
    list_select_related = ("tariff", "price_change")
    ordering = ("tariff", "valid_from", "id")
    date_hierarchy = "valid_from"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin[VatRate]):
    list_display = ("commodity", "valid_from", "valid_to", "rate")
    ordering = ("commodity", "valid_from", "id")


@admin.register(ReliefScheme)
class ReliefSchemeAdmin(admin.ModelAdmin[ReliefScheme]):
    list_display = ("name", "kind", "commodity", "reference_price_ct", "quota_share", "forecast_basis", "law")
    list_filter = ("kind", "commodity")
    ordering = ("kind", "commodity", "code")


class PriceChangeCreation(forms.ModelForm):  # type: ignore[type-arg]
    """A new price change (a draft): the proposed net prices start a new price version when it is published.

    A VAT-only change needs no prices (they stay as they are); prices other than those in force are refused.
    """

    working_price_net_ct = GermanDecimalField(
        label="neuer Arbeitspreis netto (ct/kWh)",
        max_digits=10,
        decimal_places=4,
        min_value=0,
        required=False,
        help_text="Bei „nur Umsatzsteueränderung“ leer lassen: die Nettopreise bleiben gleich.",
    )
    base_price_net_eur_year = GermanDecimalField(
        label="neuer Grundpreis netto (€/Jahr)",
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Gilt erst, wenn die Preisänderung veröffentlicht ist.",
    )

    class Meta:
        model = PriceChange
        fields = ("tariff", "effective_date", "reason", "conditions", "is_vat_only")

    def clean(self):
        cleaned = super().clean() or {}
        tariff, effective = cleaned.get("tariff"), cleaned.get("effective_date")
        prices_invalid = self.has_error("working_price_net_ct") or self.has_error("base_price_net_eur_year")
        if tariff is None or effective is None or prices_invalid:
            return cleaned
        try:
            pricing_changes.check_new_prices(
                tariff=tariff,
                valid_from=effective,
                working_price_net_ct=cleaned.get("working_price_net_ct"),
                base_price_net_eur_year=cleaned.get("base_price_net_eur_year"),
                is_vat_only=bool(cleaned.get("is_vat_only")),
            )
        except pricing_changes.ChangeNotAfterCurrentVersion as error:
            self.add_error("effective_date", str(error))
        except pricing_changes.VatOnlyChangeWithNewPrices as error:
            self.add_error("is_vat_only", str(error))
        except pricing_changes.PriceChangeError as error:
            raise ValidationError(str(error)) from error
        return cleaned


@admin.register(PriceChange)
class PriceChangeAdmin(admin.ModelAdmin[PriceChange]):
    """Price changes: created as drafts with their proposed net prices (no price changes yet), published with the
    action "veröffentlichen", which first shows the lead-time check for every affected contract and then creates the
    price version. A draft can be deleted; the price history is untouched by it."""

    list_display = (
        "tariff",
        "effective_date",
        "working_price_net_ct",
        "base_price_net_eur_year",
        "status",
        "is_vat_only",
        "published_at",
    )
    list_filter = ("status", "is_vat_only", "tariff")
    ordering = ("-effective_date", "-id")
    list_select_related = ("tariff",)
    actions = ("publish",)
    readonly_fields = (
        "tariff",
        "effective_date",
        "working_price_net_ct",
        "base_price_net_eur_year",
        "is_vat_only",
        "status",
        "price_version",
        "published_at",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PriceChangeCreation
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status == PriceChange.Status.PUBLISHED:
            return (*self.readonly_fields, "reason", "conditions")
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return (
                "tariff",
                "effective_date",
                "working_price_net_ct",
                "base_price_net_eur_year",
                "reason",
                "conditions",
                "is_vat_only",
            )
        return (*self.readonly_fields, "reason", "conditions")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = pricing_changes.create_price_change(
            tariff=data["tariff"],
            valid_from=data["effective_date"],
            working_price_net_ct=data.get("working_price_net_ct"),
            base_price_net_eur_year=data.get("base_price_net_eur_year"),
            reason=data["reason"],
            conditions=data.get("conditions") or "",
            is_vat_only=data.get("is_vat_only", False),
        )
        obj.pk, obj.status, obj.created_at = created.pk, created.status, created.created_at
        obj.working_price_net_ct, obj.base_price_net_eur_year = (
            created.working_price_net_ct,
            created.base_price_net_eur_year,
        )

    def has_delete_permission(self, request, obj=None):
        """Only drafts can be deleted (they have no price version, so nothing else changes)."""
        return (obj is None or obj.status == PriceChange.Status.DRAFT) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        """Drop the bulk deletion: it would not stop at drafts (a draft is deleted on its own page)."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Ausgewählte Preisänderungen veröffentlichen", permissions=["change"])
    def publish(self, request, queryset):
        drafts = list(queryset.filter(status=PriceChange.Status.DRAFT).select_related("tariff").order_by("id"))
        if not drafts:
            self.message_user(request, "Keine der ausgewählten Preisänderungen ist ein Entwurf.", messages.WARNING)
            return None
        now = timezone.now()
        if request.POST.get("confirmed") != "yes":
            today = timezone.localdate(now)
            context = {
                **self.admin_site.each_context(request),
                "title": "Preisänderungen veröffentlichen: Fristen prüfen",
                "opts": self.model._meta,
                "reports": [pricing_changes.lead_time_report(change, today) for change in drafts],
                "changes": drafts,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/tariffs/pricechange/publish_confirmation.html", context)
        for change in drafts:
            try:
                report = pricing_changes.publish(change, now)
            except pricing_changes.PriceChangeError as error:
                self.message_user(request, f"{change}: {error}", messages.ERROR)
                continue
            late = len(report.late)
            text = f"{change} veröffentlicht: {len(report.contracts)} Verträge betroffen"
            if report.is_vat_only:
                text += " (nur Umsatzsteuer: keine Mitteilungen)."
            elif late:
                text += (
                    f", davon {late} nicht rechtzeitig benachrichtigt "
                    "(alter Preis bis zum frühesten zulässigen Termin)."
                )
            else:
                text += ", die Mitteilungen werden versendet."
            self.message_user(request, text, messages.WARNING if late else messages.SUCCESS)
        return None
