"""Run a scheduled job now, synchronously, and print its result as one JSON object.

    python manage.py run_job price_change_notices
    python manage.py run_job courtesy_calls [--as-of 2026-11-21]

Output: {"job": "...", "created": N, "already_done": N, "skipped": {"<Grund>": N, ...}}. The jobs are idempotent:
run twice in a row, the second run creates 0.

Refused with exit status 2 and one German line on standard error (no traceback): an unknown job, a bad or missing
argument, a date that is no ISO date or lies outside 2000-2100, and any Stichtag other than today for
``price_change_notices`` - a notice is the proof of when the customer was told, so it is never back-dated (nor
post-dated); that job always runs with the real date and time.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from contacts import notices, tasks
from core import jobs, outbox
from tariffs.domain.formatting import format_date

RELAY = "relay_outbox"
SKIP_BROKER_DOWN = "Broker nicht erreichbar – bleibt in der Outbox"
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)
USAGE = "Aufruf: manage.py run_job JOB [--as-of JJJJ-MM-TT]"
JOB_NAMES = (*tasks.JOBS, RELAY)
MISSING_JOB = f"Bitte geben Sie den Job an. Möglich sind: {', '.join(JOB_NAMES)}. {USAGE}"
_ARGUMENT_ERROR = re.compile(r"^argument (?P<option>\S+?)(/\S+)?: (?P<problem>.*)$")


def german_argument_error(message: str) -> str:
    """Translate an argparse error message into one German sentence (argparse speaks English)."""
    if message == MISSING_JOB or message.startswith("the following arguments are required"):
        return MISSING_JOB
    if message.startswith("unrecognized arguments: "):
        return f"Unbekannte Angabe „{message.removeprefix('unrecognized arguments: ')}“. {USAGE}"
    if message.startswith("ambiguous option: "):
        option = message.removeprefix("ambiguous option: ").split(" ", 1)[0]
        return f"Die Option „{option}“ ist nicht eindeutig. {USAGE}"
    matched = _ARGUMENT_ERROR.match(message)
    if matched is not None:
        option = matched["option"]
        if matched["problem"].startswith("expected one argument"):
            return f"Nach {option} fehlt der Wert. {USAGE}"
        return f"Ungültiger Wert für {option}. {USAGE}"
    return f"Ungültiger Aufruf. {USAGE}"


class GermanCommandParser(CommandParser):
    """Django's parser, with its errors as one German line (exit status 2, like every refusal of this command)."""

    def error(self, message: str) -> NoReturn:
        german = german_argument_error(message)
        if self.called_from_command_line:
            self.exit(2, german + "\n")
        raise CommandError(german, returncode=2)


class Command(BaseCommand):
    help = "Führt einen Job sofort aus und gibt das Ergebnis als JSON aus."
    missing_args_message = MISSING_JOB

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = GermanCommandParser  # same state, German errors
        return parser

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("job", help="Job: " + ", ".join(JOB_NAMES))
        parser.add_argument("--as-of", dest="as_of", help="Stichtag JJJJ-MM-TT (Standard: heute)")

    def execute(self, *args: Any, **options: Any) -> Any:
        """Print a refusal as the German sentence alone (Django would prefix "CommandError: ") and exit with its
        status; called from code (call_command), the CommandError is raised as usual."""
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(str(error))
            sys.exit(error.returncode)

    def handle(self, *args: Any, job: str, as_of: str | None, **options: Any) -> None:
        if job not in JOB_NAMES:
            raise CommandError(f"Unbekannter Job „{job}“. Möglich sind: {', '.join(JOB_NAMES)}.", returncode=2)
        now = timezone.now()
        today = timezone.localdate(now)
        day = today
        if as_of is not None:
            day = parse_day(as_of)
            if job == notices.JOB and day != today:
                raise CommandError(str(notices.NoticesCannotBeBackdated(as_of=day, today=today)), returncode=2)
            if day != today:
                # The job runs "on" that day, at the current time of day (the notice job only ever today).
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


def parse_day(text: str) -> date:
    """Parse the Stichtag (ISO date within 2000-2100).

    :raises CommandError: (exit status 2) with a German message if it is no date or out of range.
    """
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"Ungültiges Datum „{text}“: bitte im Format JJJJ-MM-TT angeben, z. B. 2026-11-21.", returncode=2
        ) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise CommandError(
            f"Der Stichtag „{text}“ liegt außerhalb des zulässigen Bereichs "
            f"({format_date(EARLIEST_DAY)} bis {format_date(LATEST_DAY)}).",
            returncode=2,
        )
    return day
