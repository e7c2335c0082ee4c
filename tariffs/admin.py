"""Tariffs and their price history in the Django admin; overlapping price versions are refused with a message."""

from __future__ import annotations

import itertools

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from tariffs.models import PriceVersion, ReliefScheme, Tariff, VatRate


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


class PriceVersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PriceVersion
    formset = PriceVersionFormSet
    extra = 0
    ordering = ("valid_from", "id")
    fields = ("valid_from", "valid_to", "working_price_net_ct", "base_price_net_eur_year", "energy_ct", "grid_fee_ct")


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin[Tariff]):
    list_display = ("name", "code", "commodity", "is_basic_supply", "customer_group", "is_active")
    list_filter = ("commodity", "is_basic_supply", "customer_group", "is_active")
    search_fields = ("name", "code")
    ordering = ("commodity", "name", "id")
    inlines = (PriceVersionInline,)


@admin.register(PriceVersion)
class PriceVersionAdmin(admin.ModelAdmin[PriceVersion]):
    list_display = ("tariff", "valid_from", "valid_to", "working_price_net_ct", "base_price_net_eur_year")
    list_filter = ("tariff__commodity", "tariff")
    ordering = ("tariff", "valid_from", "id")
    date_hierarchy = "valid_from"


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin[VatRate]):
    list_display = ("commodity", "valid_from", "valid_to", "rate")
    ordering = ("commodity", "valid_from", "id")


@admin.register(ReliefScheme)
class ReliefSchemeAdmin(admin.ModelAdmin[ReliefScheme]):
    list_display = ("name", "kind", "commodity", "reference_price_ct", "quota_share", "forecast_basis", "law")
    list_filter = ("kind", "commodity")
    ordering = ("kind", "commodity", "code")
