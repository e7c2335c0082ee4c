"""Tariffs with their price history, VAT rates by date, and the relief schemes as data.

Prices are stored net (ct/kWh with 4 decimals, €/year with 2); customers see gross prices computed with the VAT rate
valid on the day (DOMAIN.md, prices and VAT). Periods are half-open [valid_from, valid_to); valid_to NULL = open.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Commodity(models.TextChoices):
    ELECTRICITY = "electricity", "Strom"
    GAS = "gas", "Gas"
    HEAT = "heat", "Wärme"


class CustomerGroup(models.TextChoices):
    HOUSEHOLD = "household", "Haushalt"
    BUSINESS = "business", "Gewerbe"


def _valid_period_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")), name=name
    )


class Tariff(models.Model):
    """A product (e.g. "Stadtwerk Strom Basis") with a price history."""

    code = models.SlugField("Kürzel", max_length=40, unique=True)
    name = models.CharField("Name", max_length=120)
    commodity = models.CharField("Sparte", max_length=16, choices=Commodity.choices)
    is_basic_supply = models.BooleanField(
        "Grundversorgung", default=False, help_text="Grundversorgung nach StromGVV/GasGVV; sonst Sondervertrag."
    )
    customer_group = models.CharField(
        "Kundengruppe", max_length=16, choices=CustomerGroup.choices, default=CustomerGroup.HOUSEHOLD
    )
    description = models.TextField("Beschreibung", blank=True)
    is_active = models.BooleanField("buchbar", default=True)

    class Meta:
        verbose_name = "Tarif"
        verbose_name_plural = "Tarife"
        constraints = [
            models.CheckConstraint(condition=Q(commodity__in=Commodity.values), name="tariff_commodity_valid"),
            models.CheckConstraint(condition=Q(customer_group__in=CustomerGroup.values), name="tariff_group_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceVersion(models.Model):
    """The net prices of a tariff over [valid_from, valid_to). Versions of one tariff never overlap.

    On PostgreSQL an exclusion constraint (migration 0002) enforces that; `clean()` checks it everywhere.
    """

    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="price_versions", verbose_name="Tarif")
    valid_from = models.DateField("gültig ab")
    valid_to = models.DateField("gültig bis (ausschließlich)", null=True, blank=True)
    working_price_net_ct = models.DecimalField("Arbeitspreis netto (ct/kWh)", max_digits=10, decimal_places=4)
    base_price_net_eur_year = models.DecimalField("Grundpreis netto (€/Jahr)", max_digits=10, decimal_places=2)
    # Optional breakdown of the working price (ct/kWh net) and the base price, shown to customers who ask.
    energy_ct = models.DecimalField("davon Energie", max_digits=10, decimal_places=4, null=True, blank=True)
    grid_fee_ct = models.DecimalField("davon Netzentgelt", max_digits=10, decimal_places=4, null=True, blank=True)
    concession_levy_ct = models.DecimalField(
        "davon Konzessionsabgabe", max_digits=10, decimal_places=4, null=True, blank=True
    )
    energy_tax_ct = models.DecimalField(
        "davon Strom-/Energiesteuer", max_digits=10, decimal_places=4, null=True, blank=True
    )
    co2_price_ct = models.DecimalField("davon CO₂-Preis", max_digits=10, decimal_places=4, null=True, blank=True)
    levies_ct = models.DecimalField("davon Umlagen", max_digits=10, decimal_places=4, null=True, blank=True)
    metering_eur_year = models.DecimalField(
        "davon Messstellenbetrieb (€/Jahr)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Preisstand"
        verbose_name_plural = "Preisstände"
        constraints = [
            _valid_period_constraint("price_version_period_valid"),
            models.CheckConstraint(condition=Q(working_price_net_ct__gte=0), name="price_version_ap_not_negative"),
            models.CheckConstraint(condition=Q(base_price_net_eur_year__gte=0), name="price_version_gp_not_negative"),
            models.UniqueConstraint(fields=["tariff", "valid_from"], name="price_version_unique_start"),
        ]

    def __str__(self) -> str:
        end = f" bis {self.valid_to:%d.%m.%Y}" if self.valid_to else ""
        return f"{self.tariff_id}: ab {self.valid_from:%d.%m.%Y}{end}"

    def overlaps(self, *, valid_from: date, valid_to: date | None) -> bool:
        """Tell whether this version's period overlaps [valid_from, valid_to)."""
        return (valid_to is None or self.valid_from < valid_to) and (
            self.valid_to is None or valid_from < self.valid_to
        )

    def clean(self) -> None:
        if self.valid_to is not None and self.valid_from is not None and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": "Das Ende muss nach dem Beginn liegen."})
        if self.tariff_id is None or self.valid_from is None:
            return
        others = PriceVersion.objects.filter(tariff_id=self.tariff_id).exclude(pk=self.pk)
        clash = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.valid_from))
        if self.valid_to is not None:
            clash = clash.filter(valid_from__lt=self.valid_to)
        first = clash.order_by("valid_from", "pk").first()
        if first is not None:
            raise ValidationError(
                f"Dieser Preisstand überschneidet sich mit dem Preisstand ab {first.valid_from:%d.%m.%Y}. "
                "Bitte beenden Sie den alten Preisstand vorher (gültig bis = neuer Beginn)."
            )


class VatRate(models.Model):
    """The VAT rate of a commodity over [valid_from, valid_to) (gas and heat at 7 % from 10/2022 to 3/2024)."""

    commodity = models.CharField("Sparte", max_length=16, choices=Commodity.choices)
    valid_from = models.DateField("gültig ab")
    valid_to = models.DateField("gültig bis (ausschließlich)", null=True, blank=True)
    rate = models.DecimalField("Steuersatz", max_digits=5, decimal_places=4, help_text="0,1900 für 19 %")

    class Meta:
        verbose_name = "Umsatzsteuersatz"
        verbose_name_plural = "Umsatzsteuersätze"
        constraints = [
            _valid_period_constraint("vat_rate_period_valid"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="vat_rate_between_0_and_1"),
            models.UniqueConstraint(fields=["commodity", "valid_from"], name="vat_rate_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_commodity_display()} {self.rate * 100:.0f} % ab {self.valid_from:%d.%m.%Y}"


class ReliefScheme(models.Model):
    """A relief scheme as data: a 2023 price brake or the December 2022 one-off relief (EWSG).

    A future scheme is a new row, not a code branch (DOMAIN.md decision).
    """

    class Kind(models.TextChoices):
        PRICE_BRAKE = "PRICE_BRAKE", "Preisbremse 2023"
        DECEMBER_RELIEF = "DECEMBER_RELIEF", "Dezember-Soforthilfe 2022"

    class ReferenceBasis(models.TextChoices):
        GROSS_WORKING_PRICE = "GROSS_WORKING_PRICE", "Arbeitspreis brutto"
        NET_ENERGY_PRICE = "NET_ENERGY_PRICE", "Energiepreis netto"

    class ForecastBasis(models.TextChoices):
        CURRENT_FORECAST = "CURRENT_FORECAST", "aktuelle Jahresverbrauchsprognose"
        SEPT_2022_FORECAST = "SEPT_2022_FORECAST", "Prognose vom September 2022"
        CONSUMPTION_2021 = "CONSUMPTION_2021", "Verbrauch 2021"
        SEPT_2022_ADVANCE = "SEPT_2022_ADVANCE", "Abschlag September 2022"

    code = models.SlugField("Kürzel", max_length=40, unique=True)
    name = models.CharField("Name", max_length=160)
    law = models.CharField("Rechtsgrundlage", max_length=80)
    kind = models.CharField("Art", max_length=20, choices=Kind.choices)
    commodity = models.CharField("Sparte", max_length=16, choices=Commodity.choices)
    for_households = models.BooleanField("für Haushalte", default=True)
    for_business = models.BooleanField("für Gewerbe", default=True)
    min_kwh = models.DecimalField(
        "ab Jahresverbrauch über (kWh)", max_digits=12, decimal_places=0, null=True, blank=True
    )
    max_kwh = models.DecimalField("bis Jahresverbrauch (kWh)", max_digits=12, decimal_places=0, null=True, blank=True)
    reference_price_ct = models.DecimalField(
        "Referenzpreis (ct/kWh)", max_digits=10, decimal_places=4, null=True, blank=True
    )
    reference_basis = models.CharField(
        "Referenzpreis bezogen auf", max_length=24, choices=ReferenceBasis.choices, blank=True
    )
    quota_share = models.DecimalField(
        "Anteil", max_digits=5, decimal_places=4, help_text="0,8000 = 80 % Kontingent; 1,2000 = 120 % des Abschlags"
    )
    forecast_basis = models.CharField("Bemessungsgrundlage", max_length=24, choices=ForecastBasis.choices)
    first_month = models.DateField("erster Monat")
    last_month = models.DateField("letzter Monat")
    first_payment_month = models.DateField("erste Auszahlung mit")

    class Meta:
        verbose_name = "Entlastungsregel"
        verbose_name_plural = "Entlastungsregeln"
        constraints = [
            models.CheckConstraint(condition=Q(quota_share__gt=0), name="relief_share_positive"),
            models.CheckConstraint(condition=Q(last_month__gte=models.F("first_month")), name="relief_months_order"),
            models.CheckConstraint(
                condition=~Q(kind="PRICE_BRAKE") | (Q(reference_price_ct__isnull=False) & ~Q(reference_basis="")),
                name="relief_price_brake_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceChange(models.Model):
    """A change of a tariff's prices on an effective date, with its reason (Anlass) and conditions.

    **A draft never changes prices.** While DRAFT the change only proposes new net prices (stored here); publishing
    creates its price version (``price_version``) and ends the previous open one, in one transaction
    (``tariffs.pricing_changes.publish``). Deleting a draft leaves the price history untouched. A VAT-only change
    carries no new net prices and gets no version: the VAT rate by date lives in ``VatRate``.

    Publishing checks the legal lead time for every affected contract; notices are sent by the
    `price_change_notices` job, exactly one per contract (contacts.PriceChangeNotice).
    """

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Entwurf"
        PUBLISHED = "PUBLISHED", "veröffentlicht"

    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="price_changes", verbose_name="Tarif")
    price_version = models.OneToOneField(
        PriceVersion,
        on_delete=models.PROTECT,
        related_name="price_change",
        null=True,
        blank=True,
        verbose_name="Preisstand",
        help_text="Wird beim Veröffentlichen angelegt.",
    )
    effective_date = models.DateField("wirksam ab")
    working_price_net_ct = models.DecimalField(
        "neuer Arbeitspreis netto (ct/kWh)", max_digits=10, decimal_places=4, null=True, blank=True
    )
    base_price_net_eur_year = models.DecimalField(
        "neuer Grundpreis netto (€/Jahr)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField("Anlass", help_text="Warum sich der Preis ändert, in verständlichen Worten.")
    conditions = models.TextField("Bedingungen und Umfang", blank=True)
    is_vat_only = models.BooleanField(
        "nur Umsatzsteueränderung",
        default=False,
        help_text="Die Nettopreise bleiben gleich; braucht keine Mitteilung (§ 41 Abs. 6 EnWG).",
    )
    status = models.CharField("Status", max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("veröffentlicht am", null=True, blank=True)
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Preisänderung"
        verbose_name_plural = "Preisänderungen"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="PUBLISHED") | Q(published_at__isnull=False), name="published_change_has_time"
            ),
            # A draft changes no prices: it has no version yet, only the proposed prices (none if VAT-only).
            models.CheckConstraint(
                condition=~Q(status="DRAFT")
                | Q(price_version__isnull=True)
                & (
                    Q(is_vat_only=True)
                    | Q(working_price_net_ct__isnull=False) & Q(base_price_net_eur_year__isnull=False)
                ),
                name="draft_change_has_prices_and_no_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="PUBLISHED") | Q(is_vat_only=True) | Q(price_version__isnull=False),
                name="published_change_has_version",
            ),
            models.CheckConstraint(
                condition=Q(is_vat_only=False)
                | Q(working_price_net_ct__isnull=True) & Q(base_price_net_eur_year__isnull=True),
                name="vat_only_change_has_no_net_prices",
            ),
            models.CheckConstraint(
                condition=(Q(working_price_net_ct__isnull=True) | Q(working_price_net_ct__gte=0))
                & (Q(base_price_net_eur_year__isnull=True) | Q(base_price_net_eur_year__gte=0)),
                name="price_change_prices_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tariff} ab {self.effective_date:%d.%m.%Y}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
