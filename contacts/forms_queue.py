"""Forms of the call queue: the result of a call and the reason for skipping a task."""

from __future__ import annotations

from typing import Any

from django import forms

from contacts import queue, touchpoints
from contacts.models import Touchpoint

NO_ANSWER = [("", "keine Angabe")]


class RecordCallResult(forms.Form):
    outcome = forms.ChoiceField(
        label="Ergebnis",
        choices=Touchpoint.Outcome.choices,
        # the first field of the work page gets the focus, like the topic on the 360° screen
        widget=forms.Select(attrs={"autofocus": True}),
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
        outcome = cleaned.get("outcome")
        reached = outcome is not None and outcome not in touchpoints.NOT_REACHED_OUTCOMES
        if reached and not (cleaned.get("summary") or "").strip() and "summary" not in self.errors:
            self.add_error("summary", "Bitte notieren Sie kurz, worum es im Gespräch ging.")
        if outcome in touchpoints.NOT_REACHED_OUTCOMES:
            reject_rating_without_conversation(self, cleaned)
        return cleaned


def reject_rating_without_conversation(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """Refuse a score or a mood for a call that did not reach the customer (they would count in the NPS)."""
    if cleaned.get("would_recommend") is not None:
        form.add_error(
            "would_recommend",
            "Die Kundin oder der Kunde wurde nicht erreicht: Bitte lassen Sie die Weiterempfehlung leer.",
        )
    if cleaned.get("sentiment"):
        form.add_error(
            "sentiment",
            "Die Kundin oder der Kunde wurde nicht erreicht: Bitte wählen Sie bei Stimmung „keine Angabe“.",
        )


class SkipTask(forms.Form):
    """The reason from the fixed list (so that sales can count them); own words only for "Sonstiges"."""

    reason = forms.ChoiceField(
        label="Grund fürs Überspringen",
        choices=[("", "Bitte wählen"), *queue.SkipReason.choices],
        error_messages={
            "required": queue.SkipReasonMissing.message,
            "invalid_choice": "Bitte wählen Sie einen Grund aus der Liste.",
        },
    )
    detail = forms.CharField(
        label="Bei „Sonstiges“: welcher Grund?",
        required=False,
        max_length=queue.SKIP_DETAIL_MAX_LENGTH,
        strip=True,
        help_text="Nur bei „Sonstiges“ nötig, z. B. „Kundin im Urlaub bis 05.12.“.",
        error_messages={"max_length": "Bitte fassen Sie den Grund kürzer (höchstens 150 Zeichen)."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (
            cleaned.get("reason") == queue.SkipReason.OTHER
            and not cleaned.get("detail")
            and "detail" not in self.errors
        ):
            self.add_error("detail", queue.SkipDetailMissing.message)
        return cleaned
