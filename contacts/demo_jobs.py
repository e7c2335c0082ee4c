"""Demo of the scheduled work (idempotent; `seed_demo` calls it): two published price changes and a new customer.

- "Stadtwerk Strom Zuhause" gets dearer and "Stadtwerk Gas Zuhause" cheaper, both on the first of a month at least
  seven weeks ahead (in time for every lead time). Publishing writes the notice job to the outbox, so on `make run`
  the worker sends the notices right away: e-mails appear in the console, letters under var/media/letters/.
- A new customer, Familie Demir, whose electricity contract started 16 days ago and who gave her telephone consent on
  the contract form: the courtesy-call job (enqueued here through the outbox as well; the beat runs it daily at 07:00)
  puts her courtesy call into the agents' queue, and the care triggers run once too.

A second run changes nothing: a demo change is recognised by its reason, the customer by her number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contacts import consents
from contacts.models import Consent
from core import outbox
from customers.models import Contract, Customer
from customers.validators import malo_check_digit
from tariffs import pricing_changes
from tariffs.models import PriceChange, PriceVersion, Tariff

NEW_CUSTOMER = "2100099"


@dataclass(frozen=True, slots=True)
class DemoChange:
    tariff_code: str
    factor: Decimal
    reason: str
    conditions: str


DEMO_CHANGES = (
    DemoChange(
        tariff_code="strom-zuhause",
        factor=Decimal("1.08"),
        reason=(
            "Die Netzentgelte, die wir an den Betreiber des Stromnetzes zahlen, steigen zum Jahreswechsel deutlich. "
            "Diese Kosten geben wir ohne Aufschlag weiter."
        ),
        conditions="Es ändern sich nur Arbeitspreis und Grundpreis; alle anderen Vertragsbedingungen bleiben gleich.",
    ),
    DemoChange(
        tariff_code="gas-zuhause",
        factor=Decimal("0.92"),
        reason=(
            "Wir konnten Erdgas für das kommende Jahr günstiger einkaufen. Diesen Vorteil geben wir vollständig an "
            "Sie weiter."
        ),
        conditions="Arbeitspreis und Grundpreis sinken; alle anderen Vertragsbedingungen bleiben gleich.",
    ),
)


def seed_jobs(*, now: datetime) -> str:
    """Create and publish the demo price changes, the new customer, and enqueue the call jobs; say what was new."""
    created = [change for demo in DEMO_CHANGES if (change := _seed_change(demo, now=now)) is not None]
    new_customer = _seed_new_customer(now=now)
    if new_customer:
        outbox.enqueue("contacts.courtesy_calls")
        outbox.enqueue("contacts.care_triggers")
    return (
        f"{len(created)} Preisänderung(en) veröffentlicht"
        + (", Neukundin für den Höflichkeitsanruf angelegt" if new_customer else "")
        + "."
    )


def _seed_change(demo: DemoChange, *, now: datetime) -> PriceChange | None:
    tariff = Tariff.objects.filter(code=demo.tariff_code).first()
    if tariff is None or PriceChange.objects.filter(tariff=tariff, reason=demo.reason).exists():
        return None
    current = PriceVersion.objects.filter(tariff=tariff, valid_to__isnull=True).first()
    if current is None:
        return None
    effective = pricing_changes.first_of_month_on_or_after(timezone.localdate(now) + timedelta(weeks=7))
    with transaction.atomic():
        change = pricing_changes.create_price_change(
            tariff=tariff,
            valid_from=effective,
            working_price_net_ct=(current.working_price_net_ct * demo.factor).quantize(Decimal("0.0001")),
            base_price_net_eur_year=(current.base_price_net_eur_year * demo.factor).quantize(Decimal("0.01")),
            reason=demo.reason,
            conditions=demo.conditions,
        )
        pricing_changes.publish(change, now)
    return change


@transaction.atomic
def _seed_new_customer(*, now: datetime) -> bool:
    if Customer.objects.filter(customer_number=NEW_CUSTOMER).exists():
        return False
    tariff = Tariff.objects.filter(code="strom-zuhause").first()
    if tariff is None:
        return False
    customer = Customer.objects.create(
        customer_number=NEW_CUSTOMER,
        name="Familie Demir",
        email="demir@example.org",
        phone="0711 5550199",
        street="Lindenstraße 12",
        postal_code="70176",
        city="Stuttgart",
    )
    first_ten = f"{4100009900 + 1:010d}"
    Contract.objects.create(
        customer=customer,
        contract_number="V2100099",
        commodity=tariff.commodity,
        tariff=tariff,
        street=customer.street,
        postal_code=customer.postal_code,
        city=customer.city,
        malo_id=first_ten + str(malo_check_digit(first_ten)),
        meter_number="1ESY2100099",
        start_date=timezone.localdate(now) - timedelta(days=16),
        forecast_kwh=Decimal(2800),
    )
    consents.grant(
        customer=customer,
        channel=Consent.ConsentChannel.PHONE,
        purpose=Consent.Purpose.ADVERTISING,
        source=Consent.Source.CONTRACT_FORM,
        now=now - timedelta(days=20),
    )
    return True
