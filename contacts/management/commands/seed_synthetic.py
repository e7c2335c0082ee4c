"""Create a synthetic customer population for the sales dashboard and its benchmark (see contacts.synthetic).

    python manage.py seed_synthetic --customers 100000 [--seed 42]

Each run adds the given number of customers (numbers SY…); seed_demo adds 1,500 only while fewer exist.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contacts import dashboard, synthetic


class Command(BaseCommand):
    help = "Legt eine synthetische Kundenpopulation an (Verträge, Rechnungen, Kontakte, Kündigungen, …)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--customers", type=int, required=True, help="Anzahl neuer synthetischer Kunden")
        parser.add_argument("--seed", type=int, default=42, help="Startwert des Zufallsgenerators (Standard 42)")

    def handle(self, *args: Any, customers: int, seed: int, **options: Any) -> None:
        if customers < 1:
            raise CommandError("Bitte geben Sie mit --customers eine Anzahl von mindestens 1 an.")
        started = time.perf_counter()
        summary = synthetic.seed_population(
            customers=customers,
            seed=seed,
            as_of=timezone.localdate(),
            progress=lambda text: self.stdout.write(f"  {text}"),
        )
        seconds = time.perf_counter() - started
        rate = f"{customers / seconds:,.0f}".replace(",", ".")
        self.stdout.write(self.style.SUCCESS(f"{summary} ({seconds:.1f} s, {rate} Kunden/s)"))
        # The dashboard's per-customer snapshot of today no longer fits the data: compute it anew.
        started = time.perf_counter()
        dashboard.refresh_snapshot(as_of=timezone.localdate(), now=timezone.now())
        seconds = time.perf_counter() - started
        self.stdout.write(f"  Kennzahlen des Vertriebs-Dashboards neu berechnet ({seconds:.1f} s)")
