"""Create the demo data (idempotent): personas, their contracts and histories. Running it again changes nothing.

Lives in the top app (contacts) because it fills every layer: core users, tariffs, customers and contacts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from contacts import dashboard, demo_jobs, synthetic
from contacts import demo as contacts_demo
from core import demo as core_demo
from customers import demo as customers_demo
from tariffs import demo as tariffs_demo

DEFAULT_PASSWORD = "Stadtwerk-Demo-2026"  # noqa: S105 - documented demo password, local data only


class Command(BaseCommand):
    help = "Legt die Demo-Daten an oder aktualisiert sie (mehrfach ausführbar)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Passwort für alle Demo-Logins")
        parser.add_argument(
            "--synthetic",
            type=int,
            default=1500,
            help="synthetische Kunden fürs Vertriebs-Dashboard (so viele mindestens)",
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        with transaction.atomic():
            users = core_demo.seed_users(password=password)
            tariffs_demo.seed_tariffs()
            customers_demo.seed_customers(today=timezone.localdate())
            contacts = contacts_demo.seed_contacts(now=timezone.now())
        for user in users:
            self.stdout.write(f"{user.get_role_display():<15} {user.email}")
        self.stdout.write(f"Kontakte neu angelegt: {contacts}")
        # A small synthetic population, so that the sales dashboard shows sensible figures (only what is missing).
        missing = options["synthetic"] - synthetic.synthetic_customer_count()
        if missing > 0:
            summary = synthetic.seed_population(customers=missing, seed=42, as_of=timezone.localdate())
            dashboard.refresh_snapshot(as_of=timezone.localdate(), now=timezone.now())
            self.stdout.write(f"Vertriebs-Dashboard: {summary}")
        # Published price changes and a new customer: notices and a courtesy call go through the outbox to the worker.
        self.stdout.write(f"Geplante Arbeit: {demo_jobs.seed_jobs(now=timezone.now())}")
        self.stdout.write(self.style.SUCCESS(f"Demo-Daten bereit ({len(users)} Logins, Passwort: {password})."))
