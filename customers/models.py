"""Customers, contracts, meter readings, Abschläge, bills and SEPA mandates.

Money is stored in euros with 2 decimals, prices in ct/kWh with 4, energy in kWh. Dates are Berlin calendar days.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from customers.validators import validate_malo_id
from tariffs.models import Commodity, CustomerGroup, PriceChange, Tariff

HALF_CENT = Decimal("0.005")


class Customer(models.Model):
    """A person or business with one or more contracts; may have a portal login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="customer"
    )
    customer_number = models.CharField("Kundennummer", max_length=12, unique=True)
    name = models.CharField("Name", max_length=200)
    email = models.EmailField("E-Mail-Adresse", blank=True)
    phone = models.CharField("Telefon", max_length=40, blank=True)
    street = models.CharField("Straße und Hausnummer", max_length=200)
    postal_code = models.CharField("PLZ", max_length=5)
    city = models.CharField("Ort", max_length=100)
    customer_group = models.CharField(
        "Kundengruppe", max_length=16, choices=CustomerGroup.choices, default=CustomerGroup.HOUSEHOLD
    )
    # A new e-mail address takes effect only after the customer confirms it through a link sent to it.
    pending_email = models.EmailField("neue E-Mail-Adresse (unbestätigt)", blank=True)
    pending_email_token = models.CharField(max_length=64, blank=True)
    pending_email_requested_at = models.DateTimeField(null=True, blank=True)
    is_vulnerable = models.BooleanField(
        "besonders schutzbedürftig",
        default=False,
        help_text="z. B. hohes Alter, Krankheit, Zahlungsschwierigkeiten: behutsam kontaktieren, keine Werbeanrufe.",
    )
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Kunde"
        verbose_name_plural = "Kunden"
        constraints = [
            models.CheckConstraint(condition=Q(customer_group__in=CustomerGroup.values), name="customer_group_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_number} {self.name}"


class Contract(models.Model):
    """Supply of one commodity at one address under one tariff (Lieferverhältnis)."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "aktiv"
        CANCELLED = "CANCELLED", "gekündigt"
        ENDED = "ENDED", "beendet"

    class MeterUnit(models.TextChoices):
        KWH = "KWH", "kWh"
        CUBIC_METRE = "M3", "m³"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    contract_number = models.CharField("Vertragsnummer", max_length=16, unique=True)
    commodity = models.CharField("Sparte", max_length=16, choices=Commodity.choices)
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="contracts")
    is_basic_supply = models.BooleanField("Grundversorgung", default=False)
    street = models.CharField("Lieferstelle: Straße", max_length=200)
    postal_code = models.CharField("Lieferstelle: PLZ", max_length=5)
    city = models.CharField("Lieferstelle: Ort", max_length=100)
    malo_id = models.CharField("Marktlokations-ID", max_length=11, validators=[validate_malo_id])
    meter_number = models.CharField("Zählernummer", max_length=32)
    meter_unit = models.CharField("Zählereinheit", max_length=3, choices=MeterUnit.choices, default=MeterUnit.KWH)
    # Gas meters count m³: kWh = m³ × Zustandszahl × Brennwert (DOMAIN.md, annual bill).
    gas_state_factor = models.DecimalField("Zustandszahl", max_digits=6, decimal_places=4, null=True, blank=True)
    gas_calorific_value = models.DecimalField("Brennwert", max_digits=6, decimal_places=3, null=True, blank=True)
    start_date = models.DateField("Lieferbeginn")
    end_date = models.DateField("Lieferende", null=True, blank=True)
    status = models.CharField("Status", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    forecast_kwh = models.DecimalField("Jahresverbrauchsprognose (kWh)", max_digits=12, decimal_places=0)
    forecast_sept_2022_kwh = models.DecimalField(
        "Prognose September 2022 (kWh)", max_digits=12, decimal_places=0, null=True, blank=True
    )
    consumption_2021_kwh = models.DecimalField(
        "Verbrauch 2021 (kWh)", max_digits=12, decimal_places=0, null=True, blank=True
    )
    installments_per_year = models.PositiveSmallIntegerField("Abschläge pro Jahr", default=12)
    notice_period_months = models.PositiveSmallIntegerField("Kündigungsfrist (Monate)", default=1)
    minimum_term_end = models.DateField("Mindestlaufzeit bis", null=True, blank=True)
    cancelled_at = models.DateTimeField("gekündigt am", null=True, blank=True)
    cancellation_kind = models.CharField("Kündigungsart", max_length=16, blank=True)
    cancellation_reason = models.CharField("Kündigungsgrund", max_length=40, blank=True)
    # Moving out (Umzug): the contract ends on the move-out date and a final reading is requested for that day.
    final_reading_requested_for = models.DateField("Schlussablesung angefordert für", null=True, blank=True)
    moved_to = models.CharField("neue Anschrift", max_length=300, blank=True)
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Vertrag"
        verbose_name_plural = "Verträge"
        constraints = [
            models.CheckConstraint(condition=Q(commodity__in=Commodity.values), name="contract_commodity_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["ACTIVE", "CANCELLED", "ENDED"]), name="contract_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")), name="contract_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(installments_per_year__gte=1) & Q(installments_per_year__lte=12),
                name="contract_installments_1_to_12",
            ),
            models.CheckConstraint(condition=Q(forecast_kwh__gte=0), name="contract_forecast_not_negative"),
        ]
        indexes = [
            models.Index(fields=["meter_number"], name="contract_meter_number"),
            models.Index(fields=["malo_id"], name="contract_malo_id"),
            models.Index(fields=["start_date"], name="contract_start_date"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_number} ({self.get_commodity_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def is_supplied_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)

    @property
    def last_supply_day(self) -> date | None:
        """Return the last day of supply (``end_date`` is the first day without), or None while open-ended."""
        return None if self.end_date is None else self.end_date - timedelta(days=1)

    def accepts_advance_change(self, *, next_due_date: date) -> bool:
        """Tell whether a new Abschlag can still take effect (see ``accepts_advance_change``)."""
        return accepts_advance_change(status=self.status, end_date=self.end_date, next_due_date=next_due_date)


def accepts_advance_change(*, status: str, end_date: date | None, next_due_date: date) -> bool:
    """Tell whether a new Abschlag from ``next_due_date`` on can still take effect: the contract has not ended and is
    still supplied on that due date. A cancelled contract, or one whose customer moves out, keeps this until then.
    """
    return status != Contract.Status.ENDED and (end_date is None or next_due_date < end_date)


def awaits_reading(*, status: str, end_date: date | None, latest_reading_date: date | None) -> bool:
    """Tell whether the customer can still report a meter reading: until the contract has ended, and after the end of
    supply until the final reading (for ``end_date``, the move-out day) is in - a move may be reported afterwards.
    """
    if status == Contract.Status.ENDED:
        return False
    return end_date is None or latest_reading_date is None or latest_reading_date < end_date


class MeterReading(models.Model):
    """A meter reading (Zählerstand) in the meter's unit."""

    class Source(models.TextChoices):
        CUSTOMER = "CUSTOMER", "Kundin/Kunde"
        AGENT = "AGENT", "Kundenservice"
        GRID_OPERATOR = "GRID_OPERATOR", "Netzbetreiber"
        ESTIMATE = "ESTIMATE", "Schätzung"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="readings")
    read_date = models.DateField("Ablesedatum")
    value = models.DecimalField("Zählerstand", max_digits=12, decimal_places=3)
    source = models.CharField("Quelle", max_length=16, choices=Source.choices)
    is_flagged = models.BooleanField("zur Prüfung markiert", default=False)
    flag_reason = models.CharField("Prüfgrund", max_length=200, blank=True)
    created_at = models.DateTimeField("erfasst", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "Zählerstand"
        verbose_name_plural = "Zählerstände"
        constraints = [
            models.UniqueConstraint(fields=["contract", "read_date"], name="one_reading_per_contract_and_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.value} am {self.read_date:%d.%m.%Y}"

    @property
    def is_estimate(self) -> bool:
        return self.source == self.Source.ESTIMATE


class PriceDeferral(models.Model):
    """A price change that takes effect later for one contract, because its notice could not reach the customer in
    time (DOMAIN.md: such a change must not take effect for that customer on that date).

    Written by the notice job (contacts.notices) in the same transaction as the notice's touchpoint, so exactly once
    per contract and change. Every price calculation for the contract - bills, the contract page, the Abschlag -
    applies it to the tariff's price history (tariffs.domain.prices.defer_versions via customers.selectors).
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="price_deferrals")
    price_change = models.ForeignKey(PriceChange, on_delete=models.PROTECT, related_name="deferrals")
    planned_date = models.DateField("geplant wirksam ab")
    effective_date = models.DateField("für diesen Vertrag wirksam ab")
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "verschobene Preisänderung"
        verbose_name_plural = "verschobene Preisänderungen"
        constraints = [
            models.UniqueConstraint(fields=["contract", "price_change"], name="price_deferral_once_per_change"),
            models.CheckConstraint(condition=Q(effective_date__gt=F("planned_date")), name="price_deferral_later"),
        ]

    def __str__(self) -> str:
        return f"{self.planned_date:%d.%m.%Y} → {self.effective_date:%d.%m.%Y}"


class AdvancePaymentChange(models.Model):
    """A change of the Abschlag from a due date on (the plan is the sequence of these per contract)."""

    class Source(models.TextChoices):
        CALCULATED = "CALCULATED", "berechnet"
        CUSTOMER = "CUSTOMER", "Kundenwunsch"
        AGENT = "AGENT", "Kundenservice"
        PRICE_CHANGE = "PRICE_CHANGE", "Preisänderung"
        BILL = "BILL", "Jahresabrechnung"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="advance_changes")
    valid_from = models.DateField("gilt ab Fälligkeit")
    amount_eur = models.DecimalField("Abschlag (€)", max_digits=10, decimal_places=2)
    recommended_eur = models.DecimalField("empfohlener Abschlag (€)", max_digits=10, decimal_places=2)
    source = models.CharField("Anlass", max_length=16, choices=Source.choices)
    reason = models.TextField("Begründung", blank=True)
    needs_review = models.BooleanField("zur Prüfung", default=False)
    created_at = models.DateTimeField("angelegt", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "Abschlagsänderung"
        verbose_name_plural = "Abschlagsplan"
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="advance_change_not_negative"),
        ]
        indexes = [models.Index(fields=["contract", "-valid_from", "-id"], name="advance_change_latest")]

    def __str__(self) -> str:
        return f"{self.amount_eur} € ab {self.valid_from:%d.%m.%Y}"


class Installment(models.Model):
    """One Abschlag due on a date; paid or open."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="installments")
    due_date = models.DateField("fällig am")
    amount_eur = models.DecimalField("Betrag (€)", max_digits=10, decimal_places=2)
    relief_eur = models.DecimalField("darin verrechnete Entlastung (€)", max_digits=10, decimal_places=2, default=0)
    paid_at = models.DateField("bezahlt am", null=True, blank=True)

    class Meta:
        verbose_name = "Abschlag"
        verbose_name_plural = "Abschläge"
        constraints = [
            models.UniqueConstraint(fields=["contract", "due_date"], name="one_installment_per_due_date"),
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="installment_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_eur} € fällig {self.due_date:%d.%m.%Y}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class Bill(models.Model):
    """An annual or final bill, computed with tariffs.domain.billing and stored as issued (kept 8 years)."""

    class Kind(models.TextChoices):
        ANNUAL = "ANNUAL", "Jahresabrechnung"
        FINAL = "FINAL", "Schlussrechnung"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="bills")
    number = models.CharField("Rechnungsnummer", max_length=20, unique=True)
    kind = models.CharField("Art", max_length=8, choices=Kind.choices)
    period_start = models.DateField("Zeitraum von")
    period_end = models.DateField("Zeitraum bis (ausschließlich)")
    start_reading = models.ForeignKey(MeterReading, on_delete=models.PROTECT, related_name="+")
    end_reading = models.ForeignKey(MeterReading, on_delete=models.PROTECT, related_name="+")
    consumption_kwh = models.DecimalField("Verbrauch (kWh)", max_digits=12, decimal_places=0)
    previous_consumption_kwh = models.DecimalField(
        "Verbrauch Vorjahr (kWh)", max_digits=12, decimal_places=0, null=True, blank=True
    )
    net_eur = models.DecimalField("netto (€)", max_digits=12, decimal_places=2)
    vat_eur = models.DecimalField("Umsatzsteuer (€)", max_digits=12, decimal_places=2)
    gross_eur = models.DecimalField("brutto (€)", max_digits=12, decimal_places=2)
    relief_eur = models.DecimalField("Entlastung (€)", max_digits=12, decimal_places=2, default=0)
    relief_quota_kwh = models.DecimalField(
        "Entlastungskontingent (kWh)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    advances_eur = models.DecimalField("gezahlte Abschläge (€)", max_digits=12, decimal_places=2)
    balance_eur = models.DecimalField("Saldo (€)", max_digits=12, decimal_places=2, help_text="> 0 Nachzahlung")
    issued_date = models.DateField("Rechnungsdatum")
    due_date = models.DateField("fällig am")
    explanation = models.JSONField("Erläuterung", default=list, blank=True)

    class Meta:
        verbose_name = "Rechnung"
        verbose_name_plural = "Rechnungen"
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="bill_period_valid"),
            # Within half a cent rather than "=": SQLite evaluates decimals as floating point (1392.30 − 1400.00 is
            # not exactly −7.70 there); PostgreSQL computes exactly, where half a cent still admits no real error.
            models.CheckConstraint(
                condition=Q(gross_eur__gt=F("net_eur") + F("vat_eur") - HALF_CENT)
                & Q(gross_eur__lt=F("net_eur") + F("vat_eur") + HALF_CENT),
                name="bill_gross_is_net_plus_vat",
            ),
            models.CheckConstraint(
                condition=Q(balance_eur__gt=F("gross_eur") - F("relief_eur") - F("advances_eur") - HALF_CENT)
                & Q(balance_eur__lt=F("gross_eur") - F("relief_eur") - F("advances_eur") + HALF_CENT),
                name="bill_balance_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["contract", "-issued_date", "-id"], name="bill_latest")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_additional_payment(self) -> bool:
        return self.balance_eur > 0

    @property
    def is_credit(self) -> bool:
        return self.balance_eur < 0

    @property
    def balance_abs_eur(self) -> object:
        return abs(self.balance_eur)


class BillLine(models.Model):
    class Kind(models.TextChoices):
        WORKING_PRICE = "WORKING_PRICE", "Arbeitspreis"
        BASE_PRICE = "BASE_PRICE", "Grundpreis"
        RELIEF = "RELIEF", "Entlastung"

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField("Position")
    kind = models.CharField("Art", max_length=16, choices=Kind.choices)
    label = models.CharField("Bezeichnung", max_length=200)
    from_date = models.DateField("von")
    to_date = models.DateField("bis (ausschließlich)")
    quantity = models.DecimalField("Menge", max_digits=12, decimal_places=3)
    unit = models.CharField("Einheit", max_length=16)
    unit_price = models.DecimalField("Einzelpreis", max_digits=12, decimal_places=4, null=True, blank=True)
    vat_rate = models.DecimalField("USt-Satz", max_digits=5, decimal_places=4, null=True, blank=True)
    amount_eur = models.DecimalField("Betrag (€)", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "Rechnungsposition"
        verbose_name_plural = "Rechnungspositionen"
        constraints = [models.UniqueConstraint(fields=["bill", "position"], name="bill_line_position_unique")]

    def __str__(self) -> str:
        return self.label


class SepaMandate(models.Model):
    """A SEPA direct-debit mandate. A new bank account gets a new mandate; old ones are kept, not overwritten."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="mandates")
    reference = models.CharField("Mandatsreferenz", max_length=35, unique=True)
    iban = models.CharField("IBAN", max_length=34)
    account_holder = models.CharField("Kontoinhaber", max_length=200)
    signed_at = models.DateTimeField("erteilt am")
    revoked_at = models.DateTimeField("beendet am", null=True, blank=True)

    class Meta:
        verbose_name = "SEPA-Mandat"
        verbose_name_plural = "SEPA-Mandate"
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(revoked_at__isnull=True), name="one_active_mandate_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_iban(self) -> str:
        """Return the IBAN with all but country, check digits and the last four digits hidden."""
        return (
            f"{self.iban[:4]} **** **** **** **{self.iban[-4:-2]} {self.iban[-2:]}" if len(self.iban) > 8 else "****"
        )


class CancellationRequest(models.Model):
    """A declaration made with the cancellation button (§ 312k BGB), logged in or not.

    Stored exactly as submitted (with time) before anything else happens; matched to a contract when the data
    identify one, otherwise put on the review list for staff. The anonymous page never reveals the outcome.
    """

    class Kind(models.TextChoices):
        ORDINARY = "ORDINARY", "ordentliche Kündigung"
        EXTRAORDINARY = "EXTRAORDINARY", "außerordentliche Kündigung"

    class Status(models.TextChoices):
        MATCHED = "MATCHED", "zugeordnet"
        REVIEW = "REVIEW", "zu prüfen"
        CONFIRMED = "CONFIRMED", "bestätigt"
        REJECTED = "REJECTED", "abgelehnt"

    reference = models.CharField("Eingangsnummer", max_length=20, unique=True)
    submitted_at = models.DateTimeField("eingegangen am")
    kind = models.CharField("Art", max_length=16, choices=Kind.choices)
    extraordinary_reason = models.TextField("Grund der außerordentlichen Kündigung", blank=True)
    name = models.CharField("Name", max_length=200)
    customer_number = models.CharField("Kundennummer", max_length=20, blank=True)
    contract_number = models.CharField("Vertragsnummer", max_length=20, blank=True)
    meter_number = models.CharField("Zählernummer", max_length=32, blank=True)
    postal_code = models.CharField("PLZ der Lieferstelle", max_length=5, blank=True)
    desired_end_date = models.DateField("gewünschtes Vertragsende", null=True, blank=True)
    email = models.EmailField("E-Mail für die Bestätigung")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="cancellation_requests"
    )
    effective_date = models.DateField("Vertragsende", null=True, blank=True)
    status = models.CharField("Status", max_length=16, choices=Status.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    leaving_reason = models.CharField("Warum gehen Sie? (freiwillig)", max_length=40, blank=True)
    leaving_comment = models.TextField("Anmerkung (freiwillig)", blank=True)

    class Meta:
        verbose_name = "Kündigung (Kündigungsbutton)"
        verbose_name_plural = "Kündigungen (Kündigungsbutton)"
        indexes = [models.Index(fields=["status", "submitted_at"], name="cancellation_status")]

    def __str__(self) -> str:
        return self.reference
