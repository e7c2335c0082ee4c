"""Authentication forms with German labels and messages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthentication(AuthenticationForm):
    username = forms.EmailField(
        label="E-Mail-Adresse",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": "E-Mail-Adresse oder Passwort sind nicht richtig. Bitte prüfen Sie Ihre Eingabe.",
        "inactive": "Dieses Konto ist gesperrt. Bitte wenden Sie sich an den Kundenservice.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()
