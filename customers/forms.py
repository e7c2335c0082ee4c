"""Customer-portal forms: validate and convert; the services check the business rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core.fields import GermanDecimalField
from customers.validators import normalize_iban
from tariffs.domain.formatting import format_eur

DATE_ERRORS = {
    "required": "Bitte geben Sie das Ablesedatum an.",
    "invalid": "Bitte geben Sie ein Datum ein, zum Beispiel 21.11.2026.",
}


class GermanDateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        # <input type="date"> needs ISO dates whatever the locale.
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        return super().format_value(value)


class NotYetAsked(forms.HiddenInput):
    """A hidden confirmation that renders without a value: it is given only through the visible checkbox."""

    def format_value(self, value: Any) -> str | None:
        return None


class SubmitMeterReading(forms.Form):
    value = GermanDecimalField(
        label="Zählerstand",
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=3,
        help_text="Alle Ziffern vor dem Komma; Nachkommastellen (rot umrandet) können Sie weglassen.",
        error_messages={"required": "Bitte geben Sie den Zählerstand ein."},
    )
    read_date = forms.DateField(label="Ablesedatum", widget=GermanDateInput(), error_messages=DATE_ERRORS)


class ChangeAdvancePayment(forms.Form):
    amount_eur = GermanDecimalField(
        label="Neuer Abschlag (€ im Monat)",
        min_value=Decimal(0),
        max_value=Decimal(100_000),
        max_digits=10,
        decimal_places=2,
        error_messages={"required": "Bitte geben Sie den gewünschten Abschlag ein."},
    )
    reason = forms.CharField(
        label="Begründung (nur bei einer Senkung um mehr als 20 % nötig)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Bitte fassen Sie sich kürzer (höchstens 500 Zeichen)."},
    )
    # Hidden until the service asks for it (services.AmountNeedsConfirmation): then ``ask_to_confirm`` shows it.
    confirm_amount = forms.BooleanField(label="Ja, der Betrag stimmt.", required=False, widget=NotYetAsked())

    def ask_to_confirm(self, message: str) -> None:
        """Show the confirmation checkbox with the service's message as its error (call after is_valid())."""
        self.fields["confirm_amount"].widget = forms.CheckboxInput()
        amount = self.cleaned_data.get("amount_eur")
        if amount is not None:  # the bound field copied the label when the form was cleaned
            self["confirm_amount"].label = f"Ja, ich möchte wirklich {format_eur(amount)} im Monat zahlen."
        self.add_error("confirm_amount", message)


class ChangeBankAccount(forms.Form):
    account_holder = forms.CharField(
        label="Kontoinhaber/in",
        max_length=200,
        error_messages={"required": "Bitte geben Sie den Namen des Kontoinhabers an."},
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=42,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Bitte geben Sie Ihre IBAN ein."},
    )
    mandate = forms.BooleanField(
        label=(
            "Ich ermächtige das Stadtwerk, Zahlungen von meinem Konto mittels Lastschrift einzuziehen "
            "(SEPA-Lastschriftmandat). Ich kann innerhalb von acht Wochen ab Belastung die Erstattung verlangen."
        ),
        error_messages={"required": "Bitte erteilen Sie das SEPA-Lastschriftmandat, sonst können wir nicht abbuchen."},
    )

    def clean_iban(self) -> str:
        return normalize_iban(self.cleaned_data["iban"])
