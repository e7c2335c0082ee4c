"""The filter form of the sales dashboard: period (whole months), commodity, tariff and customer group."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from contacts import dashboard
from tariffs.domain.formatting import format_date
from tariffs.models import Commodity, CustomerGroup, Tariff

MAX_MONTHS = 60
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
INVALID_DATE = "Bitte geben Sie ein Datum ein, z. B. 01.01.2026."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DashboardFilter(forms.Form):
    date_from = forms.DateField(
        label="Von",
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        help_text="Ausgewertet werden ganze Kalendermonate, ab dem Monat dieses Datums.",
        error_messages={"invalid": INVALID_DATE},
    )
    date_to = forms.DateField(
        label="Bis",
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        help_text="Bis zum Ende dieses Monats, höchstens bis heute.",
        error_messages={"invalid": INVALID_DATE},
    )
    commodity = forms.ChoiceField(
        label="Sparte",
        required=False,
        choices=[("", "alle Sparten"), *Commodity.choices],
        error_messages={"invalid_choice": "Bitte wählen Sie eine der angebotenen Sparten."},
    )
    tariff = forms.TypedChoiceField(
        label="Tarif",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Bitte wählen Sie einen der angebotenen Tarife."},
    )
    customer_group = forms.ChoiceField(
        label="Kundengruppe",
        required=False,
        choices=[("", "alle Kundengruppen"), *CustomerGroup.choices],
        error_messages={"invalid_choice": "Bitte wählen Sie eine der angebotenen Kundengruppen."},
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.tariffs = {
            tariff.pk: tariff for tariff in Tariff.objects.only("id", "name", "commodity").order_by("name", "id")
        }
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        tariff_field = self.fields["tariff"]
        assert isinstance(tariff_field, forms.TypedChoiceField)
        tariff_field.choices = [("", "alle Tarife")] + [(tariff.pk, tariff.name) for tariff in self.tariffs.values()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from is not None and date_from > self.today:
            self.add_error("date_from", "Der Beginn darf nicht in der Zukunft liegen.")
        elif date_from is not None and date_to is not None and date_to < date_from:
            self.add_error("date_to", f"Das Ende liegt vor dem Beginn ({format_date(date_from)}).")
        elif date_from is not None:
            # An empty "Bis" means today (make_filter), so the limit holds for it too.
            end = min(date_to or self.today, self.today)
            if (end.year - date_from.year) * 12 + end.month - date_from.month >= MAX_MONTHS:
                if date_to is None:
                    self.add_error(
                        "date_from",
                        "Bitte wählen Sie höchstens fünf Jahre (60 Monate); ohne Angabe bei „Bis“ zählt der "
                        f"Zeitraum bis heute ({format_date(self.today)}).",
                    )
                else:
                    self.add_error("date_to", "Bitte wählen Sie höchstens fünf Jahre (60 Monate).")
        tariff_id, commodity = data.get("tariff"), data.get("commodity")
        tariff = self.tariffs.get(tariff_id) if tariff_id is not None else None
        if tariff is not None and commodity and tariff.commodity != commodity:
            self.add_error(
                "tariff",
                f"Der Tarif „{tariff.name}“ gehört zur Sparte {tariff.get_commodity_display()}, nicht zu "
                f"{Commodity(commodity).label}.",
            )
        return data

    def to_filter(self) -> dashboard.DashboardFilter:
        """Return the dashboard filter of a valid (or unbound: the last twelve months) form."""
        data = self.cleaned_data if self.is_bound else {}
        return dashboard.make_filter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            as_of=self.today,
            commodity=data.get("commodity") or "",
            tariff_id=data.get("tariff"),
            customer_group=data.get("customer_group") or "",
        )
