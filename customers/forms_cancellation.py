"""Forms of the cancellation button (§ 312k BGB): anonymous, logged in, and the optional question afterwards.

They ask only for what DOMAIN.md lists and reject nothing the law would let through: the identification numbers are
optional (without them staff match the declaration by hand). Nothing here looks at the database except the
logged-in customer's own contracts, so the answers never reveal whether a customer or contract exists.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from customers.cancellation import LeavingReason, add_months
from customers.forms import GermanDateInput
from customers.models import CancellationRequest, Contract, Customer

POSTAL_CODE = re.compile(r"^[0-9]{5}$")
LATEST_YEARS_AHEAD = 5


class Cancellation(forms.Form):
    """The cancellation declaration without login."""

    kind = forms.ChoiceField(
        label="Art der Kündigung",
        choices=[
            (
                CancellationRequest.Kind.ORDINARY,
                "Ordentliche Kündigung – zum nächstmöglichen Termin oder Wunschtermin",
            ),
            (
                CancellationRequest.Kind.EXTRAORDINARY,
                "Außerordentliche Kündigung – z. B. Sonderkündigungsrecht nach einer Preiserhöhung",
            ),
        ],
        initial=CancellationRequest.Kind.ORDINARY,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Bitte wählen Sie, ob Sie ordentlich oder außerordentlich kündigen.",
            "invalid_choice": "Bitte wählen Sie, ob Sie ordentlich oder außerordentlich kündigen.",
        },
    )
    extraordinary_reason = forms.CharField(
        label="Grund der außerordentlichen Kündigung",
        required=False,
        max_length=2000,
        help_text="Nur bei einer außerordentlichen Kündigung nötig, z. B. „Preiserhöhung zum 01.01.2027“.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Bitte fassen Sie den Grund kürzer (höchstens 2.000 Zeichen)."},
    )
    name = forms.CharField(
        label="Ihr Name (Vertragspartner/in)",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": "Bitte geben Sie Ihren Namen an.",
            "max_length": "Bitte kürzen Sie den Namen auf höchstens 200 Zeichen.",
        },
    )
    customer_number = forms.CharField(
        label="Kundennummer",
        required=False,
        max_length=20,
        help_text="Steht auf Ihrer Rechnung. Mit Kundennummer und Vertrags- oder Zählernummer geht es am schnellsten.",
        error_messages={"max_length": "Eine Kundennummer hat höchstens 20 Zeichen."},
    )
    contract_number = forms.CharField(
        label="Vertragsnummer",
        required=False,
        max_length=20,
        error_messages={"max_length": "Eine Vertragsnummer hat höchstens 20 Zeichen."},
    )
    meter_number = forms.CharField(
        label="Zählernummer",
        required=False,
        max_length=32,
        error_messages={"max_length": "Eine Zählernummer hat höchstens 32 Zeichen."},
    )
    postal_code = forms.CharField(
        label="Postleitzahl der Lieferstelle",
        max_length=5,
        help_text="Die Postleitzahl der Adresse, an die wir liefern.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        error_messages={
            "required": "Bitte geben Sie die Postleitzahl der Lieferstelle an.",
            "max_length": "Bitte geben Sie eine fünfstellige Postleitzahl ein, zum Beispiel 70173.",
        },
    )
    desired_end_date = forms.DateField(
        label="Gewünschtes Vertragsende (letzter Liefertag)",
        required=False,
        help_text="Leer lassen: zum nächstmöglichen Termin. Ein früheres Datum als möglich verschieben wir dorthin.",
        widget=GermanDateInput(),
        error_messages={"invalid": "Bitte geben Sie ein Datum ein, zum Beispiel 31.12.2026."},
    )
    email = forms.EmailField(
        label="E-Mail-Adresse für die Bestätigung",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Bitte geben Sie eine E-Mail-Adresse an; dorthin schicken wir die Bestätigung.",
            "invalid": "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.org.",
            "max_length": "Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).",
        },
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Bitte geben Sie Ihren Namen an.")
        return name

    def clean_postal_code(self) -> str:
        postal_code: str = self.cleaned_data["postal_code"].strip()
        if not POSTAL_CODE.match(postal_code):
            raise forms.ValidationError("Bitte geben Sie eine fünfstellige Postleitzahl ein, zum Beispiel 70173.")
        return postal_code

    def clean_desired_end_date(self) -> date | None:
        desired: date | None = self.cleaned_data["desired_end_date"]
        if desired is None:
            return None
        if desired < self.today:
            raise forms.ValidationError(
                "Das gewünschte Vertragsende liegt in der Vergangenheit. Bitte wählen Sie ein Datum ab heute "
                "oder lassen Sie das Feld leer (nächstmöglicher Termin)."
            )
        latest = add_months(self.today, 12 * LATEST_YEARS_AHEAD)
        if desired > latest:
            raise forms.ValidationError(
                f"Bitte wählen Sie ein Vertragsende innerhalb der nächsten {LATEST_YEARS_AHEAD} Jahre "
                f"(spätestens {latest:%d.%m.%Y})."
            )
        return desired

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        reason = cleaned.get("extraordinary_reason", "").strip()
        if cleaned.get("kind") == CancellationRequest.Kind.EXTRAORDINARY and not reason:
            self.add_error(
                "extraordinary_reason",
                "Bitte nennen Sie den Grund der außerordentlichen Kündigung, z. B. die Preiserhöhung.",
            )
        return cleaned


class ContractChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Contract) -> str:
        return (
            f"{obj.get_commodity_display()} · Vertrag {obj.contract_number} · "
            f"{obj.street}, {obj.postal_code} {obj.city} · Zähler {obj.meter_number}"
        )


class CustomerCancellation(Cancellation):
    """The declaration of a logged-in customer: one of their active contracts instead of the numbers."""

    contract = ContractChoice(
        label="Welchen Vertrag möchten Sie kündigen?",
        queryset=Contract.objects.none(),
        empty_label="Bitte wählen",
        error_messages={
            "required": "Bitte wählen Sie den Vertrag, den Sie kündigen möchten.",
            "invalid_choice": "Bitte wählen Sie einen Ihrer aktiven Verträge aus der Liste.",
        },
    )

    field_order = ["kind", "extraordinary_reason", "contract", "name", "desired_end_date", "email"]

    def __init__(self, *args: Any, customer: Customer, contracts: list[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        for number_field in ("customer_number", "contract_number", "meter_number", "postal_code"):
            del self.fields[number_field]
        self.fields["name"].required = False
        self.fields["name"].help_text = "Wie in Ihrem Kundenkonto; nur ändern, wenn er nicht stimmt."
        contract_field = self.fields["contract"]
        assert isinstance(contract_field, ContractChoice)
        contract_field.queryset = customer.contracts.filter(status=Contract.Status.ACTIVE).order_by("start_date", "pk")
        if len(contracts) == 1:
            contract_field.initial = contracts[0].pk

    def clean_name(self) -> str:
        name: str = " ".join(self.cleaned_data["name"].split())
        return name or self.customer.name

    def clean_postal_code(self) -> str:  # the field is removed; the contract carries the postal code
        return ""


class LeavingQuestion(forms.Form):
    """The optional question after the cancellation ("Warum gehen Sie?"). Every field may stay empty."""

    leaving_reason = forms.ChoiceField(
        label="Warum kündigen Sie?",
        required=False,
        choices=[("", "Keine Angabe"), *LeavingReason.choices],
        error_messages={"invalid_choice": "Bitte wählen Sie eine Antwort aus der Liste oder „Keine Angabe“."},
    )
    leaving_comment = forms.CharField(
        label="Möchten Sie uns noch etwas sagen?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Bitte fassen Sie sich kürzer (höchstens 2.000 Zeichen)."},
    )
