"""Forms of "Meine Daten" and "Umzug melden": validate and convert, with German messages at the field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from customers.forms import GermanDateInput
from customers.models import Contract

_PHONE = re.compile(r"^\+?[0-9(][0-9 ()/-]*$")  # "(0711) 123456" too: the message offers ( )
MIN_PHONE_DIGITS = 6  # the shortest German numbers with area code, e.g. "0711 1234"; "0711" alone is a prefix only
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")


def _clean_postal_code(value: str) -> str:
    value = value.strip()
    if not _POSTAL_CODE.match(value):
        raise ValidationError("Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, zum Beispiel 70173.")
    return value


def _clean_street(value: str) -> str:
    value = " ".join(value.split())
    if not re.search(r"[0-9]", value):
        raise ValidationError("Bitte geben Sie auch die Hausnummer an, zum Beispiel „Hauptstraße 1“.")
    return value


def _street_field(*, label: str, required: str, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={
            "required": required,
            "max_length": f"Die Angabe ist zu lang (höchstens {max_length} Zeichen).",
        },
    )


def _postal_code_field(*, label: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=5,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        error_messages={
            "required": required,
            "max_length": "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, zum Beispiel 70173.",
        },
    )


def _city_field(*, label: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        error_messages={"required": required, "max_length": "Der Ortsname ist zu lang (höchstens 100 Zeichen)."},
    )


class ContactData(forms.Form):
    email = forms.EmailField(
        label="E-Mail-Adresse",
        max_length=254,
        help_text="Damit melden Sie sich an. Eine neue Adresse gilt erst, wenn Sie den Link in unserer E-Mail öffnen.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Bitte geben Sie Ihre E-Mail-Adresse ein.",
            "invalid": "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.org.",
            "max_length": "Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).",
        },
    )
    phone = forms.CharField(
        label="Telefon (freiwillig)",
        required=False,
        max_length=40,
        help_text="Für Rückfragen, zum Beispiel 0711 123456.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"max_length": "Die Telefonnummer ist zu lang (höchstens 40 Zeichen)."},
    )
    street = _street_field(
        label="Straße und Hausnummer", required="Bitte geben Sie Straße und Hausnummer ein.", max_length=200
    )
    postal_code = _postal_code_field(label="PLZ", required="Bitte geben Sie die Postleitzahl ein.")
    city = _city_field(label="Ort", required="Bitte geben Sie den Ort ein.")

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_phone(self) -> str:
        phone = " ".join(str(self.cleaned_data["phone"]).split())
        if phone and not _PHONE.match(phone):
            raise ValidationError(
                "Bitte geben Sie nur Ziffern, Leerzeichen und die Zeichen + / - ( ) ein, zum Beispiel 0711 123456."
            )
        if phone and sum(character.isdigit() for character in phone) < MIN_PHONE_DIGITS:
            raise ValidationError(
                "Die Telefonnummer ist zu kurz. Bitte geben Sie sie mit Vorwahl ein, zum Beispiel 0711 123456."
            )
        return phone

    def clean_street(self) -> str:
        return _clean_street(self.cleaned_data["street"])

    def clean_postal_code(self) -> str:
        return _clean_postal_code(self.cleaned_data["postal_code"])

    def clean_city(self) -> str:
        return " ".join(str(self.cleaned_data["city"]).split())


def _contract_label(contract: Contract) -> str:
    """Return how a contract is named in the move form: "Strom, Vertrag V820001, Zähler 1ESY1160512345"."""
    label = f"{contract.get_commodity_display()}, Vertrag {contract.contract_number}, Zähler {contract.meter_number}"
    if contract.final_reading_requested_for is not None:
        label += f" (Auszug gemeldet zum {contract.final_reading_requested_for:%d.%m.%Y})"
    return label


class ReportMove(forms.Form):
    """The move-out date, the new address and, with several contracts at the supply address, which of them end."""

    move_out_date = forms.DateField(
        label="Auszugsdatum",
        help_text=(
            "Ab diesem Tag beliefern wir Sie an der bisherigen Adresse nicht mehr; Ihr letzter Liefertag ist der Tag "
            "davor. Bitte lesen Sie am Auszugstag Ihren Zähler ab."
        ),
        widget=GermanDateInput(),
        error_messages={
            "required": "Bitte geben Sie das Auszugsdatum an.",
            "invalid": "Bitte geben Sie ein Datum ein, zum Beispiel 31.12.2026.",
        },
    )
    street = _street_field(
        label="Neue Straße und Hausnummer",
        required="Bitte geben Sie Ihre neue Straße und Hausnummer ein.",
        max_length=150,  # with postal code and city within Contract.moved_to (300)
    )
    postal_code = _postal_code_field(label="Neue PLZ", required="Bitte geben Sie die neue Postleitzahl ein.")
    city = _city_field(label="Neuer Ort", required="Bitte geben Sie den neuen Ort ein.")

    def __init__(self, *args: Any, contracts: Sequence[Contract], **kwargs: Any) -> None:
        """``contracts``: the customer's contracts at the supply address, the one the page is for first."""
        super().__init__(*args, **kwargs)
        self.contracts = list(contracts)
        if len(self.contracts) > 1:
            self.fields["contracts"] = forms.TypedMultipleChoiceField(
                label="Für welche Verträge an dieser Adresse melden Sie den Auszug?",
                help_text="Alle Verträge an dieser Adresse sind ausgewählt. Entfernen Sie den Haken nur bei einem "
                "Vertrag, der dort weiterlaufen soll.",
                choices=[(contract.pk, _contract_label(contract)) for contract in self.contracts],
                coerce=int,
                initial=[contract.pk for contract in self.contracts],
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "required": "Bitte wählen Sie mindestens einen Vertrag aus.",
                    "invalid_choice": "Bitte wählen Sie nur Verträge aus der Liste.",
                },
            )
            self.order_fields(["contracts", "move_out_date"])

    def clean_street(self) -> str:
        return _clean_street(self.cleaned_data["street"])

    def clean_postal_code(self) -> str:
        return _clean_postal_code(self.cleaned_data["postal_code"])

    def clean_city(self) -> str:
        return " ".join(str(self.cleaned_data["city"]).split())

    @property
    def chosen_contracts(self) -> list[Contract]:
        """Return the contracts the move is for, in the listed order (call after is_valid())."""
        if "contracts" not in self.fields:
            return self.contracts
        chosen = set(self.cleaned_data["contracts"])
        return [contract for contract in self.contracts if contract.pk in chosen]

    @property
    def new_address(self) -> str:
        """Return the new address as one line, "Straße 1, 12345 Ort" (call after is_valid())."""
        data = self.cleaned_data
        return f"{data['street']}, {data['postal_code']} {data['city']}"
