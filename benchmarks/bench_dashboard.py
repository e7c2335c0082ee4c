"""Benchmark the sales dashboard on PostgreSQL at 10,000 and 100,000 customers (not a timed test).

Usage: python benchmarks/bench_dashboard.py [--sizes 10000 100000] [--runs 7] [--keep] [--jit]

Creates its own database (BENCH_DATABASE_URL, or DATABASE_URL if its name contains "bench", default
postgres://postgres@127.0.0.1:5432/bench_dashboard), migrates it, seeds synthetic customers (seed_synthetic), and for
each size prints:

- page: the server time of the full dashboard page (Django test Client GET /vertrieb/ as a sales user, in process:
  middleware, view, queries, template), the median of --runs runs after one warm-up run, as users see it: from
  today's snapshot (the daily job's result, see contacts.dashboard.get_dashboard_snapshot);
- computed live: the same page with no snapshot (every figure computed during the request: the first view of a
  filter on a day), and the daily job alone;
- floor: the same aggregates as hand-written SQL run directly on the connection (median), and live ÷ floor. The
  script checks that the floor's figures equal the dashboard's.

Goal: page ≤ 500 ms and (live) ≤ 1.5 × floor at 100,000 customers. PostgreSQL's JIT compiler is switched off for the
connection (PGOPTIONS=-c jit=off; --jit keeps it): for these short analytical queries it costs far more than it
saves (seconds per query at 100,000 customers), so production should set the same (DATABASES OPTIONS or the server).
The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_dashboard"

# --- the floor: the page's live aggregates as hand-written SQL ------------------------------------------------------

FLOOR: dict[str, str] = {
    "series": """
        WITH s AS (SELECT date_trunc('month', start_date)::date AS m, count(*) AS n FROM customers_contract
                    WHERE start_date <= %(to)s GROUP BY 1),
             e AS (SELECT date_trunc('month', end_date - 1)::date AS m, count(*) AS n,
                          count(*) FILTER (WHERE cancelled_at IS NOT NULL) AS c
                     FROM customers_contract WHERE end_date <= %(to1)s GROUP BY 1),
             months AS (SELECT generate_series(LEAST((SELECT min(m) FROM s), %(roll)s::date), %(to)s::date,
                                               interval '1 month')::date AS m),
             monthly AS (SELECT months.m, coalesce(s.n, 0) AS n, coalesce(e.n, 0) AS ended, coalesce(e.c, 0) AS c
                           FROM months LEFT JOIN s USING (m) LEFT JOIN e USING (m)),
             stock AS (SELECT m, n, ended, c, coalesce(sum(n - ended) OVER (ORDER BY m ROWS BETWEEN UNBOUNDED PRECEDING
                                                                          AND 1 PRECEDING), 0) AS opening
                         FROM monthly)
        SELECT * FROM (SELECT m, opening, n, ended, c, sum(c) OVER w AS c12, sum(opening) OVER w AS o12 FROM stock
                       WINDOW w AS (ORDER BY m ROWS BETWEEN 11 PRECEDING AND CURRENT ROW)) x
         WHERE m >= %(from)s ORDER BY m""",
    "reasons": """
        SELECT CASE WHEN c.cancellation_kind = 'MOVE' THEN 'MOVING'
                    WHEN c.cancellation_reason <> '' THEN c.cancellation_reason
                    ELSE coalesce(nullif(r.leaving_reason, ''), 'UNKNOWN') END AS reason, count(*)
          FROM customers_contract c
          LEFT JOIN LATERAL (SELECT leaving_reason FROM customers_cancellationrequest q
                              WHERE q.contract_id = c.id AND q.leaving_reason <> ''
                              ORDER BY q.submitted_at DESC, q.id DESC LIMIT 1) r ON true
         WHERE c.cancelled_at IS NOT NULL AND c.end_date > %(from)s AND c.end_date <= %(to1)s
         GROUP BY 1 ORDER BY 2 DESC, 1""",
    "tariffs": """
        SELECT c.tariff_id, t.name,
               count(*) FILTER (WHERE c.start_date < %(from)s AND (c.end_date IS NULL OR c.end_date > %(from)s)),
               count(*) FILTER (WHERE c.cancelled_at IS NOT NULL AND c.end_date > %(from)s AND c.end_date <= %(to1)s)
          FROM customers_contract c JOIN tariffs_tariff t ON t.id = c.tariff_id GROUP BY 1, 2""",
    "tenure": """
        SELECT CASE WHEN end_date - start_date < 365 THEN 0 WHEN end_date - start_date < 730 THEN 1
                    WHEN end_date - start_date < 1095 THEN 2 WHEN end_date - start_date < 1826 THEN 3 ELSE 4 END,
               count(*)
          FROM customers_contract
         WHERE cancelled_at IS NOT NULL AND end_date > %(from)s AND end_date <= %(to1)s GROUP BY 1""",
    "price_changes": """
        SELECT n.price_change_id, t.name, pc.effective_date, count(*),
               count(*) FILTER (WHERE w.in_window),
               count(*) FILTER (WHERE w.in_window AND (c.cancellation_kind = 'EXTRAORDINARY'
                                                        OR c.cancellation_reason = 'PRICE_CHANGE'))
          FROM contacts_pricechangenotice n
          JOIN customers_contract c ON c.id = n.contract_id
          JOIN tariffs_pricechange pc ON pc.id = n.price_change_id
          JOIN tariffs_tariff t ON t.id = pc.tariff_id
          CROSS JOIN LATERAL (SELECT c.cancelled_at >= n.sent_at
                                     AND (c.cancelled_at AT TIME ZONE 'Europe/Berlin')::date
                                         <= coalesce(n.effective_date, pc.effective_date) AS in_window) w
         WHERE n.status = 'SENT' AND n.sent_at >= %(from_at)s AND n.sent_at < %(to_at)s
         GROUP BY 1, 2, 3""",
    "courtesy": """
        SELECT state, count(*) FROM (
          SELECT coalesce(max(CASE WHEN k.status = 'DONE' AND k.result_id IS NOT NULL AND tp.outcome <> 'NOT_REACHED'
                                   THEN 4 WHEN k.status = 'DONE' AND k.result_id IS NOT NULL THEN 3
                                   WHEN k.status = 'SKIPPED' THEN 2 WHEN k.status IN ('OPEN', 'CLAIMED') THEN 1
                                   ELSE 0 END), 0) AS state
            FROM customers_contract c
            LEFT JOIN contacts_calltask k ON k.contract_id = c.id AND k.kind = 'COURTESY'
            LEFT JOIN contacts_touchpoint tp ON tp.id = k.result_id
           WHERE c.start_date >= %(from)s AND c.start_date <= %(to)s
           GROUP BY c.id) x GROUP BY 1""",
    "skip_reasons": """
        SELECT k.skip_reason, count(DISTINCT k.contract_id)
          FROM contacts_calltask k JOIN customers_contract c ON c.id = k.contract_id
         WHERE k.kind = 'COURTESY' AND k.status = 'SKIPPED' AND c.start_date >= %(from)s AND c.start_date <= %(to)s
         GROUP BY 1""",
    "retention": """
        SELECT state, count(*), count(*) FILTER (WHERE retained) FROM (
          SELECT c.id, (c.end_date IS NULL OR c.end_date - c.start_date >= 365) AS retained,
                 coalesce(max(CASE WHEN k.status = 'DONE' AND k.result_id IS NOT NULL AND tp.outcome <> 'NOT_REACHED'
                                   THEN 4 WHEN k.status = 'DONE' AND k.result_id IS NOT NULL THEN 3 ELSE 0 END), 0)
                   AS state
            FROM customers_contract c
            LEFT JOIN contacts_calltask k ON k.contract_id = c.id AND k.kind = 'COURTESY'
            LEFT JOIN contacts_touchpoint tp ON tp.id = k.result_id
           WHERE c.start_date >= %(cohort_from)s AND c.start_date <= %(cohort_to)s
           GROUP BY c.id) x GROUP BY 1""",
    "supplied_customers": """
        SELECT count(*) FROM customers_customer cu
         WHERE EXISTS (SELECT 1 FROM customers_contract c WHERE c.customer_id = cu.id AND c.start_date <= %(to)s
                          AND (c.end_date IS NULL OR c.end_date > %(from)s))""",
    "channels": """
        SELECT channel, count(*) FROM contacts_touchpoint
         WHERE occurred_at >= %(from_at)s AND occurred_at < %(to_at)s GROUP BY 1""",
    "nps": """
        SELECT date_trunc('month', occurred_at AT TIME ZONE 'Europe/Berlin'), count(*),
               count(*) FILTER (WHERE would_recommend >= 9),
               count(*) FILTER (WHERE would_recommend BETWEEN 7 AND 8),
               count(*) FILTER (WHERE would_recommend <= 6)
          FROM contacts_touchpoint
         WHERE would_recommend IS NOT NULL AND occurred_at >= %(from_at)s AND occurred_at < %(to_at)s
         GROUP BY 1 ORDER BY 1""",
    "interests": """
        SELECT kind, count(*), count(*) FILTER (WHERE noted_at >= %(from_at)s AND noted_at < %(to_at)s)
          FROM contacts_interest GROUP BY 1""",
    "leads": """
        SELECT i.customer_id, cu.customer_number, cu.name, i.kind, i.noted_at
          FROM contacts_interest i JOIN customers_customer cu ON cu.id = i.customer_id
         WHERE i.noted_at >= %(from_at)s AND i.noted_at < %(to_at)s
         ORDER BY i.noted_at DESC, i.id DESC LIMIT 50""",
    "lead_consents": """
        SELECT customer_id, channel FROM contacts_consent
         WHERE customer_id IN (SELECT i.customer_id FROM contacts_interest i
                                WHERE i.noted_at >= %(from_at)s AND i.noted_at < %(to_at)s
                                ORDER BY i.noted_at DESC, i.id DESC LIMIT 50)
           AND purpose = 'ADVERTISING' AND withdrawn_at IS NULL
           AND (channel = 'PHONE' OR (channel = 'EMAIL' AND confirmed_at IS NOT NULL))""",
}

SNAPSHOT_FLOOR: dict[str, str] = {
    "at_risk": """
        WITH eligible AS (SELECT DISTINCT customer_id AS id FROM customers_contract WHERE status = 'ACTIVE'),
             notice AS (SELECT DISTINCT c.customer_id AS id FROM contacts_pricechangenotice n
                          JOIN customers_contract c ON c.id = n.contract_id
                         WHERE n.status = 'SENT' AND n.sent_at >= %(now)s - interval '90 days'
                           AND n.sent_at < %(now)s),
             bill AS (SELECT DISTINCT c.customer_id AS id FROM customers_bill b
                        JOIN customers_contract c ON c.id = b.contract_id
                       WHERE c.status = 'ACTIVE' AND b.issued_date >= %(as_of)s::date - 400
                         AND b.issued_date <= %(as_of)s AND b.advances_eur > 0
                         AND b.balance_eur > b.advances_eur * 0.30
                         AND NOT EXISTS (SELECT 1 FROM customers_bill b2 WHERE b2.contract_id = b.contract_id
                                            AND (b2.issued_date > b.issued_date
                                                 OR (b2.issued_date = b.issued_date AND b2.id > b.id)))),
             complaint AS (SELECT DISTINCT customer_id AS id FROM contacts_touchpoint WHERE topic = 'COMPLAINT'
                              AND occurred_at >= %(now)s - interval '365 days' AND occurred_at < %(now)s),
             negative AS (SELECT DISTINCT customer_id AS id FROM contacts_touchpoint WHERE sentiment = 'NEGATIVE'
                             AND occurred_at >= %(now)s - interval '182 days' AND occurred_at < %(now)s),
             detractor AS (SELECT DISTINCT customer_id AS id FROM contacts_touchpoint WHERE would_recommend <= 6
                              AND occurred_at >= %(now)s - interval '365 days' AND occurred_at < %(now)s),
             term AS (SELECT DISTINCT customer_id AS id FROM customers_contract WHERE status = 'ACTIVE'
                         AND ((end_date > %(as_of)s AND end_date <= %(as_of)s::date + 90)
                              OR (minimum_term_end >= %(as_of)s AND minimum_term_end <= %(as_of)s::date + 90))),
             old AS (SELECT DISTINCT customer_id AS id FROM customers_contract WHERE status = 'ACTIVE'
                        AND start_date <= %(as_of)s::date - 730),
             recent AS (SELECT DISTINCT customer_id AS id FROM contacts_touchpoint
                         WHERE occurred_at >= %(now)s - interval '730 days' AND occurred_at < %(now)s),
             scored AS (
               SELECT e.id, 3 * (n.id IS NOT NULL)::int + 3 * (b.id IS NOT NULL)::int + 2 * (c.id IS NOT NULL)::int
                            + 2 * (g.id IS NOT NULL)::int + 2 * (d.id IS NOT NULL)::int + 2 * (t.id IS NOT NULL)::int
                            + (o.id IS NOT NULL AND r.id IS NULL)::int AS score
                 FROM eligible e LEFT JOIN notice n USING (id) LEFT JOIN bill b USING (id)
                 LEFT JOIN complaint c USING (id) LEFT JOIN negative g USING (id) LEFT JOIN detractor d USING (id)
                 LEFT JOIN term t USING (id) LEFT JOIN old o USING (id) LEFT JOIN recent r USING (id))
        SELECT s.id, cu.customer_number, cu.name, s.score FROM scored s JOIN customers_customer cu ON cu.id = s.id
         WHERE s.score > 0 ORDER BY s.score DESC, s.id LIMIT 50""",
    "contact_bands": """
        WITH base AS (SELECT DISTINCT customer_id AS id FROM customers_contract
                       WHERE start_date < %(from)s AND (end_date IS NULL OR end_date > %(from)s)),
             churn AS (SELECT DISTINCT customer_id AS id FROM customers_contract
                        WHERE cancelled_at IS NOT NULL AND end_date > %(from)s AND end_date <= %(to1)s),
             contacts AS (SELECT customer_id AS id, count(*) AS n FROM contacts_touchpoint
                           WHERE occurred_at >= %(window)s AND occurred_at < %(from_at)s GROUP BY 1)
        SELECT CASE WHEN coalesce(k.n, 0) = 0 THEN 0 WHEN k.n <= 2 THEN 1 WHEN k.n <= 5 THEN 2 ELSE 3 END,
               count(*), count(ch.id)
          FROM base LEFT JOIN contacts k USING (id) LEFT JOIN churn ch USING (id) GROUP BY 1""",
}


def _bench_url() -> str:
    """Return the benchmark database: BENCH_DATABASE_URL, or DATABASE_URL if it names a bench database, or the default.

    The database is dropped and created, so a name without "bench" is refused: never the portal's own database.
    """
    url = os.environ.get("BENCH_DATABASE_URL") or ""
    database_url = os.environ.get("DATABASE_URL", "")
    if not url and database_url.startswith("postgres") and "bench" in urlparse(database_url).path:
        url = database_url
    url = url or DEFAULT_URL
    if "bench" not in urlparse(url).path:
        sys.exit(f"refusing to drop and create {urlparse(url).path.lstrip('/')!r}: use a database named *bench*")
    return url


def _median_ms(function: Callable[[], object], runs: int) -> float:
    function()  # warm-up: caches, connection, first plan
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _admin_connection(url: str) -> Any:
    import psycopg2

    parsed = urlparse(url)
    connection = psycopg2.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def _admin(url: str, *statements: str) -> None:
    connection = _admin_connection(url)  # not "with connection": that would open a transaction block
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def _recreate(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    _admin(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')


def _drop(url: str) -> None:
    from django.db import connections

    connections.close_all()
    _admin(url, f'DROP DATABASE IF EXISTS "{urlparse(url).path.lstrip("/")}"')


def _parameters(flt: Any) -> dict[str, Any]:
    from django.utils import timezone

    from contacts import dashboard

    def start_of(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    return {
        "from": flt.date_from,
        "to": flt.date_to,
        "to1": flt.end_exclusive,
        "roll": dashboard.add_months(flt.date_from, -11),
        "from_at": flt.from_at,
        "to_at": flt.to_at,
        "cohort_from": dashboard.add_months(flt.date_from, -12),
        "cohort_to": dashboard.add_months(flt.date_to, -12),
        "window": start_of(dashboard.add_months(flt.date_from, -12)),
        "as_of": flt.as_of,
        "now": start_of(flt.as_of + timedelta(days=1)),
    }


def _run_sql(queries: dict[str, str], parameters: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    from django.db import connection

    results = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql, parameters)
            results[name] = cursor.fetchall()
    return results


def measure(size: int, runs: int) -> dict[str, float]:
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from contacts import dashboard
    from core.models import Role, User

    as_of = timezone.localdate()
    flt = dashboard.make_filter(date_from=None, date_to=None, as_of=as_of)
    parameters = _parameters(flt)
    user, _ = User.objects.get_or_create(email="bench-sales@stadtwerk.example", defaults={"role": Role.SALES})
    client = Client()
    client.force_login(user)

    def get_page() -> None:
        response = client.get("/vertrieb/")
        assert response.status_code == 200, response.status_code

    def get_page_computed_live() -> None:
        cache.clear()  # no snapshot: every figure is computed during the request
        get_page()

    live_ms = _median_ms(get_page_computed_live, runs)
    job_ms = _median_ms(lambda: dashboard.refresh_snapshot(as_of=as_of, now=timezone.now()), runs)
    page_ms = _median_ms(get_page, runs)  # the snapshot of the job above
    floor_ms = _median_ms(lambda: _run_sql({**FLOOR, **SNAPSHOT_FLOOR}, parameters), runs)
    _check_agreement(flt, parameters)
    return {"size": size, "page_ms": page_ms, "live_ms": live_ms, "job_ms": job_ms, "floor_ms": floor_ms}


def _check_agreement(flt: Any, parameters: dict[str, Any]) -> None:
    """Make sure the floor computes the same figures as the dashboard (a floor that computes less proves nothing)."""
    from contacts import dashboard

    floor = _run_sql({**FLOOR, **SNAPSHOT_FLOOR}, parameters)
    series = dashboard.get_contract_series(flt=flt)
    assert [(row.active_at_start, row.new, row.cancelled) for row in series.months] == [
        (int(opening), int(new), int(cancelled)) for _m, opening, new, _ended, cancelled, _c12, _o12 in floor["series"]
    ], "series differ"
    reasons = {row.key: row.count for row in dashboard.get_cancellations_by_reason(flt=flt)}
    assert reasons == dict(floor["reasons"]), "reasons differ"
    at_risk = [(row.customer_id, row.score) for row in dashboard.get_at_risk_customers(flt=flt)]
    assert at_risk == [(customer_id, score) for customer_id, _number, _name, score in floor["at_risk"]], (
        "at-risk differ"
    )
    bands = [(row.customers, row.churned) for row in dashboard.get_churn_by_contact_frequency(flt=flt)]
    floor_bands = {int(band): (count, churned) for band, count, churned in floor["contact_bands"]}
    assert bands == [floor_bands.get(index, (0, 0)) for index in range(4)], "contact bands differ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--jit", action="store_true", help="leave PostgreSQL's JIT compiler on")
    options = parser.parse_args()
    url = _bench_url()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "stadtwerk_portal.settings.test"
    if not options.jit:
        os.environ["PGOPTIONS"] = (os.environ.get("PGOPTIONS", "") + " -c jit=off").strip()
    _recreate(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('jit'), current_setting('work_mem')")
        version, jit, work_mem = cursor.fetchone()
    print(f"{version.split(',')[0]}; jit={jit}; work_mem={work_mem}; {os.cpu_count()} CPUs; load {os.getloadavg()}")
    results = []
    seeded = 0
    try:
        for size in sorted(options.sizes):
            started = time.perf_counter()
            call_command("seed_synthetic", customers=size - seeded, seed=seeded + 1, stdout=io.StringIO())
            seed_seconds = time.perf_counter() - started
            seeded = size
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            result = measure(size, options.runs)
            results.append(result)
            print(
                f"{size:>7,} customers (seeded in {seed_seconds:.0f} s): page {result['page_ms']:.0f} ms (today's "
                f"snapshot); computed live {result['live_ms']:.0f} ms (page) / {result['job_ms']:.0f} ms (job); "
                f"floor {result['floor_ms']:.0f} ms; live page ÷ floor {result['live_ms'] / result['floor_ms']:.2f}, "
                f"job ÷ floor {result['job_ms'] / result['floor_ms']:.2f}; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        if not options.keep:
            _drop(url)
    last = results[-1]
    fast = "met" if last["page_ms"] <= 500 else "NOT met"
    close = "met" if last["live_ms"] <= 1.5 * last["floor_ms"] else "NOT met"
    print(f"at {last['size']:,} customers: page ≤ 500 ms {fast}; live computation ≤ 1.5 × floor {close}")


if __name__ == "__main__":
    main()
