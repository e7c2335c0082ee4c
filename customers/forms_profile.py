"""Forms of "Meine Daten" and "Umzug melden": validate and convert, with German messages at the field."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from customers.forms import GermanDateInput

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
    street = forms.CharField(
        label="Straße und Hausnummer",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={
            "required": "Bitte geben Sie Straße und Hausnummer ein.",
            "max_length": "Die Angabe ist zu lang (höchstens 200 Zeichen).",
        },
    )
    postal_code = forms.CharField(
        label="PLZ",
        max_length=5,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Bitte geben Sie die Postleitzahl ein.",
            "max_length": "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, zum Beispiel 70173.",
        },
    )
    city = forms.CharField(
        label="Ort",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        error_messages={
            "required": "Bitte geben Sie den Ort ein.",
            "max_length": "Der Ortsname ist zu lang (höchstens 100 Zeichen).",
        },
    )

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


class ReportMove(forms.Form):
    move_out_date = forms.DateField(
        label="Auszugsdatum",
        help_text="An diesem Tag endet Ihr Vertrag. Bitte lesen Sie dann Ihren Zähler ab.",
        widget=GermanDateInput(),
        error_messages={
            "required": "Bitte geben Sie das Auszugsdatum an.",
            "invalid": "Bitte geben Sie ein Datum ein, zum Beispiel 31.12.2026.",
        },
    )
    street = forms.CharField(
        label="Neue Straße und Hausnummer",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={
            "required": "Bitte geben Sie Ihre neue Straße und Hausnummer ein.",
            "max_length": "Die Angabe ist zu lang (höchstens 150 Zeichen).",
        },
    )
    postal_code = forms.CharField(
        label="Neue PLZ",
        max_length=5,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Bitte geben Sie die neue Postleitzahl ein.",
            "max_length": "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, zum Beispiel 70173.",
        },
    )
    city = forms.CharField(
        label="Neuer Ort",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        error_messages={
            "required": "Bitte geben Sie den neuen Ort ein.",
            "max_length": "Der Ortsname ist zu lang (höchstens 100 Zeichen).",
        },
    )

    def clean_street(self) -> str:
        return _clean_street(self.cleaned_data["street"])

    def clean_postal_code(self) -> str:
        return _clean_postal_code(self.cleaned_data["postal_code"])

    def clean_city(self) -> str:
        return " ".join(str(self.cleaned_data["city"]).split())

    @property
    def new_address(self) -> str:
        """Return the new address as one line, "Straße 1, 12345 Ort" (call after is_valid())."""
        data = self.cleaned_data
        return f"{data['street']}, {data['postal_code']} {data['city']}"
