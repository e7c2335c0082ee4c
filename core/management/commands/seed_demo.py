"""Create the demo personas (idempotent): running it again updates them instead of duplicating them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core import demo

DEFAULT_PASSWORD = "Stadtwerk-Demo-2026"  # noqa: S105 - documented demo password, local data only


class Command(BaseCommand):
    help = "Legt die Demo-Personas an oder aktualisiert sie (mehrfach ausführbar)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Passwort für alle Demo-Logins")

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        with transaction.atomic():
            users = demo.seed_users(password=password)
        for user in users:
            self.stdout.write(f"{user.get_role_display():<15} {user.email}")
        self.stdout.write(self.style.SUCCESS(f"Demo-Daten bereit ({len(users)} Logins, Passwort: {password})."))
