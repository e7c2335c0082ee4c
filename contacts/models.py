"""Touchpoints, consents and their uses, call tasks with guides, interests, and the audit of staff access."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    PHONE = "PHONE", "Telefon"
    EMAIL = "EMAIL", "E-Mail"
    LETTER = "LETTER", "Brief"
    PORTAL = "PORTAL", "Kundenportal"
    CUSTOMER_CENTER = "CUSTOMER_CENTER", "Kundenzentrum"
    POP_UP_STORE = "POP_UP_STORE", "Pop-up-Store"
    EVENT = "EVENT", "Veranstaltung"
    CHAT = "CHAT", "Chat"


class Topic(models.TextChoices):
    BILL = "BILL", "Rechnung"
    ADVANCE_PAYMENT = "ADVANCE_PAYMENT", "Abschlag"
    PRICE_BRAKE = "PRICE_BRAKE", "Preisbremse"
    PRICE_CHANGE = "PRICE_CHANGE", "Preisänderung"
    METER_READING = "METER_READING", "Zählerstand"
    MOVE = "MOVE", "Umzug"
    CANCELLATION = "CANCELLATION", "Kündigung"
    TARIFF_ADVICE = "TARIFF_ADVICE", "Tarifberatung"
    PV_STORAGE_EMOBILITY = "PV_STORAGE_EMOBILITY", "PV, Speicher, E-Mobilität"
    HEAT_PUMP = "HEAT_PUMP", "Wärmepumpe"
    COMPLAINT = "COMPLAINT", "Beschwerde"
    COURTESY_CALL = "COURTESY_CALL", "Höflichkeitsanruf"
    SURVEY = "SURVEY", "Zufriedenheitsbefragung"
    OTHER = "OTHER", "Sonstiges"


class Touchpoint(models.Model):
    """Any contact with a customer: call, e-mail, letter, visit, portal message, notice."""

    class Direction(models.TextChoices):
        INBOUND = "IN", "eingehend"
        OUTBOUND = "OUT", "ausgehend"

    class Outcome(models.TextChoices):
        RESOLVED = "RESOLVED", "erledigt"
        FOLLOW_UP = "FOLLOW_UP", "Nachbearbeitung"
        CALLBACK_AGREED = "CALLBACK_AGREED", "Rückruf vereinbart"
        ESCALATED = "ESCALATED", "eskaliert"
        NOT_REACHED = "NOT_REACHED", "nicht erreicht"

    class Sentiment(models.TextChoices):
        POSITIVE = "POSITIVE", "positiv"
        NEUTRAL = "NEUTRAL", "neutral"
        NEGATIVE = "NEGATIVE", "negativ"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="touchpoints")
    contract = models.ForeignKey(
        "customers.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="touchpoints"
    )
    channel = models.CharField("Kanal", max_length=16, choices=Channel.choices)
    direction = models.CharField("Richtung", max_length=3, choices=Direction.choices)
    topic = models.CharField("Thema", max_length=24, choices=Topic.choices)
    outcome = models.CharField("Ergebnis", max_length=16, choices=Outcome.choices)
    summary = models.TextField("Notiz", blank=True)
    occurred_at = models.DateTimeField("Zeitpunkt")
    duration_seconds = models.PositiveIntegerField("Dauer (Sekunden)", null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="touchpoints"
    )
    sentiment = models.CharField("Stimmung", max_length=8, choices=Sentiment.choices, blank=True)
    would_recommend = models.PositiveSmallIntegerField("Weiterempfehlung (0–10)", null=True, blank=True)
    created_at = models.DateTimeField("erfasst", auto_now_add=True)

    class Meta:
        verbose_name = "Kontaktpunkt"
        verbose_name_plural = "Kontaktpunkte"
        constraints = [
            models.CheckConstraint(
                condition=Q(would_recommend__isnull=True) | Q(would_recommend__lte=10), name="touchpoint_score_0_10"
            ),
            # nobody reached: no mood and no recommendation score (they would count in the NPS and the at-risk list)
            models.CheckConstraint(
                condition=~Q(outcome="NOT_REACHED") | (Q(would_recommend__isnull=True) & Q(sentiment="")),
                name="touchpoint_not_reached_no_score",
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="touchpoint_channel_valid"),
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="touchpoint_topic_valid"),
        ]
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="touchpoint_timeline"),
            models.Index(fields=["occurred_at"], name="touchpoint_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_topic_display()} {self.occurred_at:%d.%m.%Y}"


class Consent(models.Model):
    """Permission for advertising contact on one channel for one purpose (§ 7 UWG), kept as proof (§ 7a UWG).

    Rows are records, not a switch: granting creates a row with the wording shown; withdrawing sets withdrawn_at.
    At most one row per customer, channel and purpose is in force (withdrawn_at NULL). E-mail needs double opt-in:
    the row is in force only once confirmed_at is set.
    """

    class ConsentChannel(models.TextChoices):
        PHONE = "PHONE", "Telefon"
        EMAIL = "EMAIL", "E-Mail"
        LETTER = "LETTER", "Brief"

    class Purpose(models.TextChoices):
        ADVERTISING = "ADVERTISING", "Angebote, Beratung und Höflichkeitsanrufe"
        SURVEY = "SURVEY", "Zufriedenheitsbefragungen"

    class Source(models.TextChoices):
        PORTAL = "PORTAL", "Kundenportal"
        PHONE = "PHONE", "Telefon"
        CUSTOMER_CENTER = "CUSTOMER_CENTER", "Kundenzentrum"
        CONTRACT_FORM = "CONTRACT_FORM", "Vertragsformular"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="consents")
    channel = models.CharField("Kanal", max_length=8, choices=ConsentChannel.choices)
    purpose = models.CharField("Zweck", max_length=16, choices=Purpose.choices)
    granted_at = models.DateTimeField("erteilt am")
    source = models.CharField("Quelle", max_length=16, choices=Source.choices)
    wording = models.TextField("gezeigter bzw. vorgelesener Text")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmation_token = models.CharField(max_length=64, blank=True)
    confirmed_at = models.DateTimeField("bestätigt am (Double-Opt-in)", null=True, blank=True)
    withdrawn_at = models.DateTimeField("widerrufen am", null=True, blank=True)
    withdrawal_source = models.CharField("Widerruf über", max_length=16, choices=Source.choices, blank=True)

    class Meta:
        verbose_name = "Einwilligung"
        verbose_name_plural = "Einwilligungen"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_open_consent_per_channel_and_purpose",
            ),
        ]
        indexes = [models.Index(fields=["customer", "channel", "purpose"], name="consent_lookup")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} – {self.get_purpose_display()}"

    @property
    def is_in_force(self) -> bool:
        if self.withdrawn_at is not None:
            return False
        return self.channel != self.ConsentChannel.EMAIL or self.confirmed_at is not None


class CallGuide(models.Model):
    """A call guide (Leitfaden) per topic, editable by admins."""

    topic = models.CharField("Thema", max_length=24, choices=Topic.choices, unique=True)
    title = models.CharField("Titel", max_length=120)
    body = models.TextField("Leitfaden", help_text="Ein Schritt pro Zeile.")
    updated_at = models.DateTimeField("geändert", auto_now=True)

    class Meta:
        verbose_name = "Gesprächsleitfaden"
        verbose_name_plural = "Gesprächsleitfäden"

    def __str__(self) -> str:
        return self.title

    @property
    def steps(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class CallTask(models.Model):
    """An outbound call to make. At most one agent holds a task (claimed by a conditional UPDATE)."""

    class Kind(models.TextChoices):
        COURTESY = "COURTESY", "Höflichkeitsanruf"
        CALLBACK = "CALLBACK", "Rückruf"
        WIN_BACK = "WIN_BACK", "Rückgewinnung"
        REVIEW = "REVIEW", "Prüfung"
        CARE = "CARE", "Betreuung/Kundenbindung"

    class Status(models.TextChoices):
        OPEN = "OPEN", "offen"
        CLAIMED = "CLAIMED", "in Bearbeitung"
        DONE = "DONE", "erledigt"
        SKIPPED = "SKIPPED", "übersprungen"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="call_tasks")
    contract = models.ForeignKey(
        "customers.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="call_tasks"
    )
    kind = models.CharField("Art", max_length=16, choices=Kind.choices)
    topic = models.CharField("Thema", max_length=24, choices=Topic.choices, default=Topic.OTHER)
    due_at = models.DateTimeField("fällig ab")
    status = models.CharField("Status", max_length=8, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="call_tasks"
    )
    claimed_at = models.DateTimeField("übernommen am", null=True, blank=True)
    finished_at = models.DateTimeField("abgeschlossen am", null=True, blank=True)
    guide = models.ForeignKey(CallGuide, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField("Hinweis", blank=True)
    skip_reason = models.CharField("Grund fürs Überspringen", max_length=200, blank=True)
    result = models.ForeignKey(Touchpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Jobs create tasks idempotently: the key says what the task is for (e.g. "courtesy:contract:42").
    source_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Anrufaufgabe"
        verbose_name_plural = "Anrufaufgaben"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="CLAIMED") | Q(assignee__isnull=False), name="claimed_task_has_assignee"
            ),
            models.CheckConstraint(
                condition=~Q(status="SKIPPED") | ~Q(skip_reason=""), name="skipped_task_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at", "id"], name="call_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} für Kunde {self.customer_id}"


class Interest(models.Model):
    """What a customer is interested in (a sales lead)."""

    class Kind(models.TextChoices):
        PV = "PV", "Photovoltaik"
        STORAGE = "STORAGE", "Stromspeicher"
        EMOBILITY = "EMOBILITY", "E-Mobilität"
        HEAT_PUMP = "HEAT_PUMP", "Wärmepumpe"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="interests")
    kind = models.CharField("Interesse", max_length=16, choices=Kind.choices)
    noted_at = models.DateTimeField("erfasst am")
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "Interesse"
        verbose_name_plural = "Interessen"
        constraints = [models.UniqueConstraint(fields=["customer", "kind"], name="one_interest_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ConsentUse(models.Model):
    """Each use of a consent (§ 7a UWG): which contact relied on it."""

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="uses")
    used_at = models.DateTimeField("genutzt am")
    purpose = models.CharField("wofür", max_length=120)
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    call_task = models.ForeignKey(CallTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "Nutzung einer Einwilligung"
        verbose_name_plural = "Nutzungen von Einwilligungen"

    def __str__(self) -> str:
        return f"{self.consent_id} {self.used_at:%d.%m.%Y}"


class CustomerAccessLog(models.Model):
    """Every opening of a customer's data by staff (the 360° screen, the pages acting for the customer, the call-queue
    work page): who, when, which customer (DSGVO accountability)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Mitarbeiterin/Mitarbeiter"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name="Kundin/Kunde"
    )
    opened_at = models.DateTimeField("geöffnet am")

    class Meta:
        verbose_name = "Zugriff auf Kundendaten"
        verbose_name_plural = "Zugriffsprotokoll"
        indexes = [
            models.Index(fields=["customer", "-opened_at"], name="access_by_customer"),
            models.Index(fields=["user", "-opened_at"], name="access_by_user"),
        ]

    def __str__(self) -> str:
        opened = timezone.localtime(self.opened_at)  # Berlin time, as in the list
        return f"Zugriff von Benutzer {self.user_id} auf Kunde {self.customer_id} am {opened:%d.%m.%Y um %H:%M} Uhr"


class PriceChangeNotice(models.Model):
    """The notice of one price change to one contract: exactly one per pair, whatever retries or crashes happen.

    The row is claimed (status SENDING with a claim time) before the e-mail goes out, so a redelivered task finds it
    taken; SENT rows are never sent again.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "wartet"
        SENDING = "SENDING", "wird versendet"
        SENT = "SENT", "versendet"
        LATE = "LATE", "zu spät – alter Preis gilt weiter"

    class Medium(models.TextChoices):
        EMAIL = "EMAIL", "E-Mail"
        LETTER = "LETTER", "Brief"

    contract = models.ForeignKey("customers.Contract", on_delete=models.PROTECT, related_name="+")
    price_change = models.ForeignKey("tariffs.PriceChange", on_delete=models.PROTECT, related_name="notices")
    status = models.CharField("Status", max_length=8, choices=Status.choices, default=Status.PENDING)
    medium = models.CharField("Versand", max_length=8, choices=Medium.choices, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("versendet am", null=True, blank=True)
    effective_date = models.DateField("wirksam für diesen Vertrag ab", null=True, blank=True)
    old_advance_eur = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    new_advance_eur = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    letter_pdf = models.CharField("Brief (PDF)", max_length=200, blank=True)

    class Meta:
        verbose_name = "Preisänderungsmitteilung"
        verbose_name_plural = "Preisänderungsmitteilungen"
        constraints = [
            models.UniqueConstraint(fields=["contract", "price_change"], name="one_notice_per_change"),
            models.CheckConstraint(
                condition=~Q(status="SENT") | Q(sent_at__isnull=False), name="sent_notice_has_time"
            ),
        ]
        indexes = [models.Index(fields=["price_change", "status"], name="notice_by_status")]

    def __str__(self) -> str:
        return f"Mitteilung {self.price_change_id}/{self.contract_id}"
