"""Agent forms: record a touchpoint in seconds, record a cancellation, change a consent for the customer.

Readings and Abschlag changes use the customer portal's forms (customers.forms): the same rules, the same messages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from contacts import consents, courtesy, forms_queue, touchpoints
from contacts.models import Channel, Consent, Interest, Topic, Touchpoint
from core import holidays
from customers.forms import GermanDateInput
from customers.forms_cancellation import Cancellation, LeavingQuestion
from customers.models import Customer
from tariffs.domain.formatting import format_date

# A callback lies in the call window (DOMAIN.md: Mon–Fri 09:00–18:00 Berlin, contacts.courtesy), with time for the
# call before the window closes, and never on a public holiday of the utility's state (settings.PUBLIC_HOLIDAY_STATE);
# without a time it is due when the window opens.
CALL_WINDOW_START = courtesy.CALL_WINDOW_START
LATEST_CALLBACK_TIME = (datetime.combine(date.min, courtesy.CALL_WINDOW_END) - courtesy.CALL_SLOT).time()
CALLBACK_MAX_DAYS = 90
CONSENT_CHOICES = [
    (f"{channel}:{purpose}", f"{channel_label} – {purpose_label}")
    for channel, channel_label in Consent.ConsentChannel.choices
    for purpose, purpose_label in Consent.Purpose.choices
]
DEFAULT_CONSENT = f"{Consent.ConsentChannel.PHONE}:{Consent.Purpose.ADVERTISING}"


def holiday_state() -> str:
    """Return the state whose public holidays have no call window.

    :raises ImproperlyConfigured: if settings.PUBLIC_HOLIDAY_STATE is not a state code of core.holidays.
    """
    state = str(settings.PUBLIC_HOLIDAY_STATE).upper()
    if state not in holidays.STATES:
        raise ImproperlyConfigured(
            f"PUBLIC_HOLIDAY_STATE={settings.PUBLIC_HOLIDAY_STATE!r} is not a German state code "
            f"({', '.join(holidays.STATES)})."
        )
    return state


def standard_wordings() -> dict[str, str]:
    """Return the standard consent text for each choice ("PHONE:ADVERTISING" → text)."""
    return {
        value: consents.wording_for(channel=value.split(":")[0], purpose=value.split(":")[1])
        for value, _label in CONSENT_CHOICES
    }


class RecordTouchpoint(forms.Form):
    """A call in under 30 seconds: topic, outcome, note, Enter. Everything else has a default or is optional.

    The field order is the Tab order: topic → outcome → summary → (save) → the optional details.
    """

    topic = forms.ChoiceField(
        label="Thema",
        choices=[("", "Bitte wählen"), *Topic.choices],
        widget=forms.Select(attrs={"autofocus": True, "accesskey": "k"}),
        error_messages={
            "required": "Bitte wählen Sie das Thema des Kontakts.",
            "invalid_choice": "Bitte wählen Sie ein Thema aus der Liste.",
        },
    )
    outcome = forms.ChoiceField(
        label="Ergebnis",
        choices=Touchpoint.Outcome.choices,
        initial=Touchpoint.Outcome.RESOLVED,
        error_messages={
            "required": "Bitte wählen Sie das Ergebnis.",
            "invalid_choice": "Bitte wählen Sie ein Ergebnis aus der Liste.",
        },
    )
    summary = forms.CharField(
        label="Notiz",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Kurz und sachlich, worum es ging: Die Kundin oder der Kunde kann die Notiz im Portal lesen. "
        "Enter speichert.",
        error_messages={"max_length": "Bitte fassen Sie die Notiz kürzer (höchstens 2.000 Zeichen)."},
    )
    channel = forms.ChoiceField(
        label="Kanal",
        choices=Channel.choices,
        initial=Channel.PHONE,
        error_messages={
            "required": "Bitte wählen Sie den Kanal.",
            "invalid_choice": "Bitte wählen Sie einen Kanal aus der Liste.",
        },
    )
    direction = forms.ChoiceField(
        label="Richtung",
        choices=Touchpoint.Direction.choices,
        initial=Touchpoint.Direction.INBOUND,
        error_messages={
            "required": "Bitte wählen Sie die Richtung.",
            "invalid_choice": "Bitte wählen Sie eingehend oder ausgehend.",
        },
    )
    contract = forms.TypedChoiceField(
        label="Vertrag",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Bitte wählen Sie einen Vertrag dieses Kunden."},
    )
    would_recommend = forms.IntegerField(
        label="Weiterempfehlung (0–10)",
        required=False,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Bitte geben Sie eine ganze Zahl von 0 bis 10 ein.",
            "min_value": "Die Weiterempfehlung ist eine Zahl von 0 bis 10.",
            "max_value": "Die Weiterempfehlung ist eine Zahl von 0 bis 10.",
        },
    )
    sentiment = forms.ChoiceField(
        label="Stimmung",
        required=False,
        choices=[("", "keine Angabe"), *Touchpoint.Sentiment.choices],
        error_messages={"invalid_choice": "Bitte wählen Sie eine Stimmung aus der Liste."},
    )
    interests = forms.MultipleChoiceField(
        label="Interessen",
        required=False,
        choices=Interest.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Bitte wählen Sie Interessen aus der Liste."},
    )
    follow_up_date = forms.DateField(
        label="Rückruf am",
        required=False,
        widget=GermanDateInput(),
        help_text="Legt eine Rückruf-Aufgabe in der Anrufliste an.",
        error_messages={"invalid": "Bitte geben Sie ein Datum ein, zum Beispiel 24.11.2026."},
    )
    follow_up_time = forms.TimeField(
        label="Rückruf um",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Mo–Fr 9:00–17:45 Uhr, nicht an Feiertagen; leer: ab 9 Uhr.",
        error_messages={"invalid": "Bitte geben Sie eine Uhrzeit ein, zum Beispiel 14:30."},
    )
    consent = forms.ChoiceField(
        label="Einwilligung im Gespräch erteilt",
        required=False,
        choices=[("", "keine"), *CONSENT_CHOICES],
        error_messages={"invalid_choice": "Bitte wählen Sie eine Einwilligung aus der Liste."},
    )
    consent_wording = forms.CharField(
        label="Vorgelesener Text der Einwilligung",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Der Standardtext für die gewählte Einwilligung wird gespeichert, wenn Sie ihn nicht ändern.",
        error_messages={"max_length": "Der Text ist zu lang (höchstens 2.000 Zeichen)."},
    )

    def __init__(self, *args: Any, contracts: list[tuple[int, str]], now: datetime, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("consent_wording", standard_wordings()[DEFAULT_CONSENT])
        super().__init__(*args, **kwargs)
        self.now = now
        contract_field = self.fields["contract"]
        assert isinstance(contract_field, forms.TypedChoiceField)
        contract_field.choices = [("", "kein bestimmter Vertrag"), *contracts]
        if len(contracts) == 1:
            contract_field.initial = contracts[0][0]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        outcome = cleaned.get("outcome")
        if not cleaned.get("summary", "").strip() and outcome not in touchpoints.NOT_REACHED_OUTCOMES:
            self.add_error("summary", "Bitte notieren Sie kurz, worum es ging.")
        if outcome in touchpoints.NOT_REACHED_OUTCOMES:
            forms_queue.reject_rating_without_conversation(self, cleaned)
        cleaned["follow_up_due_at"] = self._follow_up(cleaned)
        cleaned["consent_captured"], cleaned["consent_wording"] = self._consent(cleaned)
        return cleaned

    def _follow_up(self, cleaned: dict[str, Any]) -> datetime | None:
        """Return when to call back, or None; a callback outside the call window (also on a public holiday) or far
        ahead is an error."""
        if "follow_up_date" in self.errors or "follow_up_time" in self.errors:
            return None
        day: date | None = cleaned.get("follow_up_date")
        at = cleaned.get("follow_up_time")
        if day is None:
            if at is not None:
                self.add_error("follow_up_date", "Bitte geben Sie zur Uhrzeit auch das Datum des Rückrufs an.")
            elif cleaned.get("outcome") == Touchpoint.Outcome.CALLBACK_AGREED:
                self.add_error("follow_up_date", "Bitte geben Sie an, wann wir zurückrufen.")
            return None
        due = timezone.make_aware(datetime.combine(day, at or CALL_WINDOW_START))
        latest = timezone.localdate(self.now) + timedelta(days=CALLBACK_MAX_DAYS)
        if due <= self.now:
            self.add_error("follow_up_date", "Der Rückruf muss in der Zukunft liegen.")
        elif day.weekday() >= 5:
            self.add_error("follow_up_date", "Wir rufen nur montags bis freitags an. Bitte wählen Sie einen Werktag.")
        elif day > latest:
            self.add_error(
                "follow_up_date",
                f"Bitte wählen Sie einen Rückruf in den nächsten {CALLBACK_MAX_DAYS} Tagen "
                f"(spätestens am {format_date(latest)}).",
            )
        elif (holiday := holidays.holiday_name(day, holiday_state())) is not None:
            state = holiday_state()
            self.add_error(
                "follow_up_date",
                f"Der {format_date(day)} ist ein Feiertag in {holidays.STATES[state]} ({holiday}); an Feiertagen "
                "rufen wir nicht an. Bitte wählen Sie einen anderen Werktag, zum Beispiel den "
                f"{format_date(holidays.next_working_day(day, state))}.",
            )
        elif at is not None and not CALL_WINDOW_START <= at <= LATEST_CALLBACK_TIME:
            self.add_error(
                "follow_up_time",
                f"Bitte wählen Sie eine Uhrzeit von {CALL_WINDOW_START:%H:%M} bis {LATEST_CALLBACK_TIME:%H:%M} Uhr: "
                "Wir rufen montags bis freitags von 9 bis 18 Uhr an.",
            )
        else:
            return due
        return None

    def _consent(self, cleaned: dict[str, Any]) -> tuple[tuple[str, str] | None, str | None]:
        choice = cleaned.get("consent")
        if not choice:
            return None, None
        channel, purpose = choice.split(":")
        wording = " ".join(cleaned.get("consent_wording", "").split())
        # An unchanged standard text (perhaps still that of another choice, without JavaScript) means the standard
        # text of the chosen consent; an edited text is stored as read out.
        standard = {" ".join(text.split()) for text in standard_wordings().values()}
        return (channel, purpose), (None if not wording or wording in standard else wording)


class AgentCancellation(Cancellation, LeavingQuestion):
    """A cancellation the customer declares on the phone or at the counter, for one known contract.

    With the optional question the cancellation button asks afterwards ("Warum kündigen Sie?", the same fields and
    answers as customers.forms_cancellation.LeavingQuestion), so that cancellations taken by phone count by reason
    on the sales dashboard too. Both answers may stay empty; the cancellation never depends on them.
    """

    field_order = ["kind", "extraordinary_reason", "desired_end_date", "email", "leaving_reason", "leaving_comment"]

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("email", customer.email)
        super().__init__(*args, **kwargs)
        self.customer = customer
        for field in ("name", "customer_number", "contract_number", "meter_number", "postal_code"):
            del self.fields[field]
        self.fields["kind"].label = "Art der Kündigung"
        self.fields["desired_end_date"].label = "Gewünschtes Vertragsende (letzter Liefertag)"
        self.fields["email"].label = "E-Mail-Adresse für die Bestätigung"
        self.fields["email"].error_messages["required"] = (
            "Bitte geben Sie eine E-Mail-Adresse für die Bestätigung an (Textform, § 312k BGB)."
        )
        self.fields["leaving_reason"].label = "Warum kündigen Sie? (freiwillige Frage)"
        self.fields["leaving_reason"].help_text = (
            "Erst fragen, wenn die Kündigung aufgenommen ist; sie gilt auch ohne Antwort. "
            "Keine Antwort: „Keine Angabe“."
        )
        self.fields["leaving_comment"].label = "Anmerkung der Kundin oder des Kunden (freiwillig)"

    def clean_name(self) -> str:  # the field is removed; the customer record carries the name
        return self.customer.name

    def clean_postal_code(self) -> str:  # the contract carries the postal code
        return ""


class ChangeConsent(forms.Form):
    """Grant or withdraw one consent on the customer's behalf (source: phone). One button each way.

    Granting stores the standard wording the page shows for the agent to read out.
    """

    class Action:
        GRANT = "grant"
        WITHDRAW = "withdraw"

    channel = forms.ChoiceField(
        label="Kanal",
        choices=Consent.ConsentChannel.choices,
        widget=forms.HiddenInput,
        error_messages={"required": "Bitte wählen Sie den Kanal.", "invalid_choice": "Diesen Kanal gibt es nicht."},
    )
    purpose = forms.ChoiceField(
        label="Zweck",
        choices=Consent.Purpose.choices,
        widget=forms.HiddenInput,
        error_messages={"required": "Bitte wählen Sie den Zweck.", "invalid_choice": "Diesen Zweck gibt es nicht."},
    )
    action = forms.ChoiceField(
        choices=[(Action.GRANT, "erteilen"), (Action.WITHDRAW, "widerrufen")],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Bitte wählen Sie, ob die Einwilligung erteilt oder widerrufen wird.",
            "invalid_choice": "Bitte wählen Sie, ob die Einwilligung erteilt oder widerrufen wird.",
        },
    )
