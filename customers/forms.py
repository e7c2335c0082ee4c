"""Customer-portal forms: validate and convert; the services check the business rules."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from core.fields import GermanDecimalField
from customers.selectors import PlanStep
from customers.validators import normalize_iban
from tariffs.domain.formatting import format_date, format_eur

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
    # Hidden until the service asks (errors.ReadingLooksImplausible, errors.ReadingCanBeReplaced): then shown.
    confirm_value = forms.BooleanField(label="Ja, der Stand stimmt.", required=False, widget=NotYetAsked())
    replace_existing = forms.BooleanField(label="Ja, ersetzen.", required=False, widget=NotYetAsked())

    def ask(self, field_name: str, *, label: str, message: str) -> None:
        """Show a confirmation checkbox with the service's question as its error (call after is_valid())."""
        self.fields[field_name].widget = forms.CheckboxInput()
        self[field_name].label = label  # the bound field copied the label when the form was cleaned
        self.add_error(field_name, message)


KEEP_LATER, REPLACE_LATER = "keep", "replace"
LATER_PLAN_CHOICES = [(KEEP_LATER, "Wie geplant"), (REPLACE_LATER, "Der neue Abschlag gilt auch danach")]


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
    # Hidden until the service asks for it (errors.AmountNeedsConfirmation): then ``ask_to_confirm`` shows it.
    confirm_amount = forms.BooleanField(label="Ja, der Betrag stimmt.", required=False, widget=NotYetAsked())
    # Only when the plan has later entries (selectors.get_later_plan_steps): keep them or let the new amount apply.
    later_plan = forms.ChoiceField(
        label="Spätere Änderung im Abschlagsplan",
        choices=LATER_PLAN_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Bitte wählen Sie eine der beiden Möglichkeiten."},
    )

    def __init__(self, *args: Any, later_steps: Sequence[PlanStep] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.later_steps = tuple(later_steps)
        field = self.fields["later_plan"]
        assert isinstance(field, forms.ChoiceField)
        if not self.later_steps:
            del self.fields["later_plan"]
            return
        first = format_date(self.later_steps[0].valid_from)
        planned = "; ".join(
            f"ab dem {format_date(step.valid_from)} {format_eur(step.amount_eur)} ({step.source_label})"
            for step in self.later_steps
        )
        field.required = True
        field.error_messages["required"] = f"Bitte wählen Sie, welcher Abschlag ab dem {first} gelten soll."
        field.label = f"Welcher Abschlag soll ab dem {first} gelten? Geplant ist: {planned}."
        first_step = self.later_steps[0]
        more = len(self.later_steps) > 1
        field.choices = [
            (
                KEEP_LATER,
                f"Ab dem {first} gilt wie geplant {format_eur(first_step.amount_eur)} ({first_step.source_label})"
                + (", danach die weiteren geplanten Änderungen." if more else "."),
            ),
            (
                REPLACE_LATER,
                f"Der neue Abschlag gilt auch ab dem {first}"
                + (
                    " und ersetzt alle geplanten Änderungen."
                    if more
                    else f" (statt {format_eur(first_step.amount_eur)})."
                ),
            ),
        ]
        field.initial = KEEP_LATER

    def keep_later(self) -> bool | None:
        """Return the choice about the later plan entries: True keep, False replace, None when there are none."""
        if "later_plan" not in self.fields:
            return None
        return self.cleaned_data.get("later_plan") != REPLACE_LATER

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
        label="SEPA-Lastschriftmandat",  # replaced in __init__ by the mandate text naming the utility
        help_text=(
            "Hinweis: Ich kann innerhalb von acht Wochen, beginnend mit dem Belastungsdatum, die Erstattung des "
            "belasteten Betrages verlangen. Es gelten dabei die mit meinem Kreditinstitut vereinbarten Bedingungen."
        ),
        error_messages={"required": "Bitte erteilen Sie das SEPA-Lastschriftmandat, sonst können wir nicht abbuchen."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The SEPA Core mandate wording (the authorisation and the instruction to the bank), naming the creditor.
        name = settings.UTILITY_NAME
        self.fields["mandate"].label = (
            f"Ich ermächtige {name}, Zahlungen von meinem Konto mittels Lastschrift einzuziehen. Zugleich weise ich "
            f"mein Kreditinstitut an, die von {name} auf mein Konto gezogenen Lastschriften einzulösen."
        )

    @property
    def creditor(self) -> dict[str, str]:
        """Return the payee the mandate is given to (shown above the form, as the mandate must name it)."""
        return {
            "name": settings.UTILITY_NAME,
            "address": settings.UTILITY_ADDRESS,
            "creditor_id": settings.UTILITY_CREDITOR_ID,
        }

    def clean_iban(self) -> str:
        return normalize_iban(self.cleaned_data["iban"])
