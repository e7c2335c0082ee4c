"""Authentication forms with German labels and messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm


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


CONFIRMATION_HELP = "Bitte geben Sie dasselbe Passwort zur Bestätigung noch einmal ein."
MISMATCH = "Die beiden Passwörter stimmen nicht überein. Bitte geben Sie zweimal dasselbe Passwort ein."


class NewPassword(SetPasswordForm):  # type: ignore[type-arg]
    """Django's form for a new password (reset link), with German wording instead of Django's own."""

    error_messages = {"password_mismatch": MISMATCH}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = CONFIRMATION_HELP


class ChangePassword(PasswordChangeForm):
    """Django's form to change the password (old one required), with German wording."""

    error_messages = {
        "password_mismatch": MISMATCH,
        "password_incorrect": "Ihr bisheriges Passwort ist nicht richtig. Bitte geben Sie es noch einmal ein.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = CONFIRMATION_HELP
