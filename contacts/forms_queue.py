"""Forms of the call queue: the result of a call and the reason for skipping a task."""

from __future__ import annotations

from typing import Any

from django import forms

from contacts.models import Touchpoint

NO_ANSWER = [("", "keine Angabe")]


class RecordCallResult(forms.Form):
    outcome = forms.ChoiceField(
        label="Ergebnis",
        choices=Touchpoint.Outcome.choices,
        error_messages={
            "required": "Bitte wählen Sie das Ergebnis des Anrufs.",
            "invalid_choice": "Bitte wählen Sie eines der angebotenen Ergebnisse.",
        },
    )
    summary = forms.CharField(
        label="Notiz",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kurz und sachlich: Die Kundin oder der Kunde kann die Notiz im Portal lesen.",
        error_messages={"max_length": "Bitte fassen Sie sich kürzer (höchstens 2.000 Zeichen)."},
    )
    would_recommend = forms.IntegerField(
        label="Weiterempfehlung (0–10)",
        required=False,
        min_value=0,
        max_value=10,
        help_text="„Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?“ – leer lassen, wenn nicht gefragt.",
        error_messages={
            "invalid": "Bitte geben Sie eine ganze Zahl von 0 bis 10 ein.",
            "min_value": "Bitte geben Sie eine ganze Zahl von 0 bis 10 ein.",
            "max_value": "Bitte geben Sie eine ganze Zahl von 0 bis 10 ein.",
        },
    )
    sentiment = forms.ChoiceField(
        label="Stimmung",
        required=False,
        choices=NO_ANSWER + list(Touchpoint.Sentiment.choices),
        error_messages={"invalid_choice": "Bitte wählen Sie eine der angebotenen Stimmungen."},
    )
    duration_minutes = forms.IntegerField(
        label="Dauer (Minuten)",
        required=False,
        min_value=0,
        max_value=600,
        error_messages={
            "invalid": "Bitte geben Sie die Dauer in ganzen Minuten ein.",
            "min_value": "Die Dauer kann nicht negativ sein.",
            "max_value": "Bitte geben Sie höchstens 600 Minuten ein.",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        reached = cleaned.get("outcome") not in (None, Touchpoint.Outcome.NOT_REACHED)
        if reached and not (cleaned.get("summary") or "").strip() and "summary" not in self.errors:
            self.add_error("summary", "Bitte notieren Sie kurz, worum es im Gespräch ging.")
        return cleaned


class SkipTask(forms.Form):
    reason = forms.CharField(
        label="Grund fürs Überspringen",
        max_length=200,
        strip=True,
        help_text="z. B. „keine telefonische Einwilligung“ oder „Kundin hat bereits selbst angerufen“.",
        error_messages={
            "required": "Bitte geben Sie einen Grund an, warum Sie die Aufgabe überspringen.",
            "max_length": "Bitte fassen Sie den Grund kürzer (höchstens 200 Zeichen).",
        },
    )
