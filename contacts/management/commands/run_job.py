"""Run a scheduled job now, synchronously, and print its result as one JSON object.

    python manage.py run_job price_change_notices [--as-of 2026-11-21]

Output: {"job": "...", "created": N, "already_done": N, "skipped": {"<Grund>": N, ...}}. The jobs are idempotent:
run twice in a row, the second run creates 0. A bad job name or date exits with status 2 and a German message.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contacts import tasks
from core import jobs, outbox

RELAY = "relay_outbox"
SKIP_BROKER_DOWN = "Broker nicht erreichbar – bleibt in der Outbox"


class Command(BaseCommand):
    help = "Führt einen Job sofort aus und gibt das Ergebnis als JSON aus."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("job", help="Job: " + ", ".join([*tasks.JOBS, RELAY]))
        parser.add_argument("--as-of", dest="as_of", help="Stichtag JJJJ-MM-TT (Standard: heute)")

    def handle(self, *args: Any, job: str, as_of: str | None, **options: Any) -> None:
        names = [*tasks.JOBS, RELAY]
        if job not in names:
            raise CommandError(f"Unbekannter Job „{job}“. Möglich sind: {', '.join(names)}.", returncode=2)
        now = timezone.now()
        day = timezone.localdate(now)
        if as_of is not None:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(
                    f"Ungültiges Datum „{as_of}“: bitte im Format JJJJ-MM-TT angeben, z. B. 2026-11-21.", returncode=2
                ) from None
            # The job runs "on" that day, at the current time of day.
            now = timezone.make_aware(datetime.combine(day, timezone.localtime(now).time()))
        if job == RELAY:
            relayed = jobs.run_recorded(RELAY, outbox.relay)
            result: dict[str, Any] = {
                "job": RELAY,
                "created": relayed["published"],
                "already_done": 0,
                "skipped": {SKIP_BROKER_DOWN: relayed["failed"]} if relayed["failed"] else {},
            }
        else:
            result = tasks.run_job(job, as_of=day, now=now)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
