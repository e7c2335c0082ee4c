"""The public price-brake calculator form."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from core.fields import GermanDecimalField
from tariffs.models import Commodity, CustomerGroup


class ReliefCalculator(forms.Form):
    commodity = forms.ChoiceField(
        label="Sparte",
        choices=Commodity.choices,
        initial=Commodity.ELECTRICITY,
        error_messages={
            "required": "Bitte wählen Sie Strom, Gas oder Wärme.",
            "invalid_choice": "Bitte wählen Sie Strom, Gas oder Wärme.",
        },
    )
    forecast_kwh = GermanDecimalField(
        label="Erwarteter Jahresverbrauch (kWh)",
        help_text="Steht auf Ihrer letzten Jahresabrechnung, zum Beispiel 3.500.",
        min_value=Decimal(1),
        max_value=Decimal(10_000_000),
        decimal_places=0,
        error_messages={"required": "Bitte geben Sie Ihren Jahresverbrauch in kWh ein."},
    )
    working_price_ct = GermanDecimalField(
        label="Arbeitspreis brutto (ct/kWh)",
        help_text="Der Preis je Kilowattstunde mit Umsatzsteuer, zum Beispiel 45,50.",
        min_value=Decimal(0),
        max_value=Decimal(500),
        decimal_places=4,
        error_messages={"required": "Bitte geben Sie Ihren Arbeitspreis in Cent je kWh ein."},
    )
    base_price_eur_year = GermanDecimalField(
        label="Grundpreis brutto (€/Jahr)",
        help_text="Optional. Der feste Preis pro Jahr mit Umsatzsteuer.",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100_000),
        decimal_places=2,
    )
    installments = forms.TypedChoiceField(
        label="Abschläge pro Jahr",
        choices=[(12, "12"), (11, "11"), (10, "10")],
        coerce=int,
        initial=12,
        required=False,
        empty_value=12,  # type: ignore[arg-type]  # missing means the usual 12 instalments
        error_messages={"invalid_choice": "Bitte wählen Sie 10, 11 oder 12 Abschläge."},
    )
    customer_group = forms.ChoiceField(
        label="Kundengruppe",
        choices=CustomerGroup.choices,
        initial=CustomerGroup.HOUSEHOLD,
        required=False,
        error_messages={"invalid_choice": "Bitte wählen Sie Haushalt oder Gewerbe."},
    )
