"""The customer's consent buttons: which channel and purpose to grant or withdraw."""

from __future__ import annotations

from django import forms

from contacts.models import Consent


class ConsentChoice(forms.Form):
    channel = forms.ChoiceField(
        choices=Consent.ConsentChannel.choices,
        widget=forms.HiddenInput,
        error_messages={"required": "Bitte wählen Sie einen Kanal.", "invalid_choice": "Unbekannter Kanal."},
    )
    purpose = forms.ChoiceField(
        choices=Consent.Purpose.choices,
        widget=forms.HiddenInput,
        error_messages={"required": "Bitte wählen Sie einen Zweck.", "invalid_choice": "Unbekannter Zweck."},
    )
