"""Benchmark the price-change notice job end to end on PostgreSQL (`make bench-notices`).

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_notices python benchmarks/bench_notices.py
       [--contracts 100000] [--small 10000] [--keep]

The database named in DATABASE_URL belongs to the benchmark: it is dropped and created, migrated, filled with bulk
inserts (customers with e-mail addresses, household special contracts, the Abschlag in force and three open
Abschläge each), and dropped again at the end (--keep keeps it). Two tariffs get a published price change: one with
``--small`` contracts, one with ``--contracts``. The job ``price_change_notices`` then runs for each, as the worker
would: claim in batches, per contract the lawful date, old and new prices and Abschlag, a rendered German e-mail
(built as a MIME message by Django and handed to an in-memory backend, as Django's locmem backend does), an outbound
touchpoint, the new Abschlag and the updated open Abschläge, and the notice marked SENT one by one.

Printed: notices per second at both sizes, the cost per notice and its ratio (goal: 100,000 in under 2 minutes, and
the cost per notice at 100,000 within 1.3 x that at 10,000), and as the floor the rate of a PostgreSQL COPY of the same
number of complete notice rows into a table of the same shape.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHUNK = 5000


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=100_000, help="contracts of the large run (100,000)")
    parser.add_argument("--small", type=int, default=10_000, help="contracts of the small run (10,000)")
    parser.add_argument(
        "--workers", type=int, default=1, help="run the job in this many processes at once, as parallel workers (1)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"} or not parsed.path.strip("/"):
        sys.exit(
            "bench-notices needs a PostgreSQL database of its own, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_notices make bench-notices\n"
            "(the benchmark creates and drops that database)."
        )
    return url


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.strip("/")
    if not name.replace("_", "").isalnum():
        sys.exit(f"refusing the database name {name!r}: letters, digits and underscores only")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_django(tmp_var: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "stadtwerk_portal.settings.test"
    os.environ["VAR_DIR"] = str(tmp_var)
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = f"{__name__}.CountingEmailBackend"
    settings.DEBUG = False


class CountingEmailBackend:
    """An in-memory e-mail backend like Django's locmem: it builds each MIME message (``message.message()``), but
    keeps only a count and one sample instead of every message (100,000 kept messages would cost gigabytes)."""

    sent = 0
    sample: bytes = b""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        pass

    def open(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        for message in messages:
            mime = message.message()
        if not CountingEmailBackend.sample:
            CountingEmailBackend.sample = mime.as_bytes()
        CountingEmailBackend.sent += len(messages)
        return len(messages)


def fill(*, count: int, offset: int, label: str, effective: date) -> Any:
    """Create a tariff with ``count`` contracts (bulk inserts) and a published price change; return the change."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import OutboxMessage
    from customers.models import AdvancePaymentChange, Contract, Customer, Installment
    from customers.validators import malo_check_digit
    from tariffs import pricing_changes
    from tariffs.models import PriceVersion, Tariff

    started = time.perf_counter()
    with connection.cursor() as cursor:  # test data only: no need to wait for the disk on every commit
        cursor.execute("SET synchronous_commit TO off")
    tariff = Tariff.objects.create(code=f"bench-{label}", name=f"Bench Strom {label}", commodity="electricity")
    PriceVersion.objects.create(
        tariff=tariff,
        valid_from=date(2020, 1, 1),
        working_price_net_ct=Decimal("30.0000"),
        base_price_net_eur_year=Decimal("120.00"),
    )
    for start in range(0, count, CHUNK):
        numbers = range(offset + start, offset + min(start + CHUNK, count))
        customers = Customer.objects.bulk_create(
            Customer(
                customer_number=f"B{number:09d}",
                name=f"Kundin {number}",
                email=f"kunde{number}@example.org",
                street="Hauptstraße 1",
                postal_code="70173",
                city="Stuttgart",
            )
            for number in numbers
        )
        contracts = Contract.objects.bulk_create(
            Contract(
                customer=customer,
                contract_number=f"V{number:09d}",
                commodity="electricity",
                tariff=tariff,
                street="Hauptstraße 1",
                postal_code="70173",
                city="Stuttgart",
                malo_id=(ten := f"{5000000000 + number:010d}") + str(malo_check_digit(ten)),
                meter_number=f"1ESY{number:09d}",
                start_date=date(2021, 1, 1),
                forecast_kwh=Decimal(1500 + number % 6000),
            )
            for customer, number in zip(customers, numbers, strict=True)
        )
        AdvancePaymentChange.objects.bulk_create(
            AdvancePaymentChange(
                contract=contract,
                valid_from=date(2026, 1, 1),
                amount_eur=Decimal(100),
                recommended_eur=Decimal(100),
                source=AdvancePaymentChange.Source.CALCULATED,
            )
            for contract in contracts
        )
        Installment.objects.bulk_create(
            Installment(contract=contract, due_date=due, amount_eur=Decimal(100))
            for contract in contracts
            for due in (effective - timedelta(days=31), effective, effective + timedelta(days=31))
        )
    change = pricing_changes.create_price_change(
        tariff=tariff,
        valid_from=effective,
        working_price_net_ct=Decimal("35.0000"),
        base_price_net_eur_year=Decimal("150.00"),
        reason="Die Beschaffungskosten sind gestiegen.",
        conditions="Es ändern sich nur Arbeitspreis und Grundpreis.",
    )
    # Published the real way (publishing creates the price version), but without its outbox message, dropped before
    # the commit: the benchmark runs the job itself.
    with transaction.atomic():
        pricing_changes.publish(change, timezone.now())
        OutboxMessage.objects.filter(task_name=pricing_changes.NOTICE_TASK, published_at=None).delete()
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")
    print(f"  {label}: {count:,} contracts created in {time.perf_counter() - started:.1f} s", flush=True)
    return change


def run_job(change: Any, as_of: date, workers: int) -> tuple[float, float, int]:
    """Run the job for one change in ``workers`` processes at once (forked, each with its own connection, as Celery
    workers would); return (wall seconds, CPU seconds of the job processes, e-mails handed over)."""
    import multiprocessing

    from django.db import connection, connections
    from django.utils import timezone

    from contacts import notices

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    now = timezone.now()

    def work(results: Any) -> None:
        CountingEmailBackend.sent = 0
        cpu = time.process_time()
        result = notices.price_change_notices(as_of=as_of, now=now, price_change_id=change.pk)
        results.put((result["created"], CountingEmailBackend.sent, time.process_time() - cpu))
        if CountingEmailBackend.sample:
            (Path(os.environ["VAR_DIR"]) / "sample.eml").write_bytes(CountingEmailBackend.sample)
        connections.close_all()

    connections.close_all()  # a forked process must not share the parent's connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=work, args=(results,)) for _ in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    created, sent, cpu = (sum(values) for values in zip(*outcomes, strict=True))
    assert created == change_contracts(change), outcomes
    return elapsed, cpu, sent


def change_contracts(change: Any) -> int:
    from tariffs import pricing_changes

    return pricing_changes.affected_contracts(change).count()


def copy_floor(count: int) -> float:
    """Return the seconds a COPY of ``count`` complete notice rows takes (into a table shaped like the notices')."""
    from django.db import connection

    from contacts.models import PriceChangeNotice

    table = PriceChangeNotice._meta.db_table
    rows = "".join(
        f"{index + 1}\t{index + 1}\tSENT\tEMAIL\t2026-11-21 06:00:00+00\t2026-11-21 06:00:01+00\t2027-02-01\t"
        f"100.00\t117.00\t{index + 1}\t\n"
        for index in range(count)
    )
    columns = (
        "contract_id, price_change_id, status, medium, claimed_at, sent_at, effective_date, old_advance_eur, "
        "new_advance_eur, touchpoint_id, letter_pdf"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_notice_copy")
        cursor.execute(
            f"CREATE TABLE bench_notice_copy (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
        started = time.perf_counter()
        cursor.copy_expert(f"COPY bench_notice_copy ({columns}) FROM STDIN", io.StringIO(rows))
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_notice_copy")
    return elapsed


def main() -> None:
    arguments = parse_arguments()
    url = database_url()
    recreate_database(url)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-notices-") as tmp:
        setup_django(Path(tmp))
        from django.core.management import call_command
        from django.utils import timezone

        from tariffs import pricing_changes

        print(
            f"bench-notices on {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs; the job in {arguments.workers} process(es)"
        )
        call_command("migrate", verbosity=0)
        today = timezone.localdate()
        effective = pricing_changes.first_of_month_on_or_after(today + timedelta(weeks=7))
        print("Creating data (bulk inserts):", flush=True)
        small = fill(count=arguments.small, offset=0, label="klein", effective=effective)
        large = fill(count=arguments.contracts, offset=arguments.small, label="gross", effective=effective)

        print("Running the notice job:", flush=True)
        figures = []
        for change, count in ((small, arguments.small), (large, arguments.contracts)):
            elapsed, cpu, sent = run_job(change, today, arguments.workers)
            assert sent == count, sent
            floor = copy_floor(count)
            figures.append((count, elapsed, floor))
            print(
                f"  {count:>7,} notices: {elapsed:6.1f} s = {count / elapsed:7,.0f} notices/s "
                f"({elapsed / count * 1000:.3f} ms each; CPU of the job process(es) {cpu / count * 1000:.3f} ms); "
                f"COPY of {count:,} notice rows: {floor:.2f} s = {count / floor:,.0f} rows/s "
                f"(the floor; the job takes {elapsed / floor:.0f} x as long)",
                flush=True,
            )
        (small_count, small_time, _), (large_count, large_time, _) = figures
        ratio = (large_time / large_count) / (small_time / small_count)
        print(
            f"Per-notice cost at {large_count:,} / at {small_count:,}: {ratio:.2f} (goal ≤ 1.30); "
            f"{large_count:,} notices in {large_time:.1f} s (goal < 120 s)."
        )
        sample = Path(os.environ["VAR_DIR"]) / "sample.eml"
        print(f"E-mail size (a sample, MIME-encoded): {sample.stat().st_size / 1024:.1f} KiB")
        from django.db import connections

        connections.close_all()
    if not arguments.keep:
        recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
