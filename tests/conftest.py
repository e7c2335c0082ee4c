"""Shared fixtures. Tests that need PostgreSQL, Redis or the browser skip with a reason on a laptop without them,
and fail instead when REQUIRE_SERVICES=1 (CI)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def need(available: bool, reason: str) -> None:
    """Skip the test (laptop) or fail it (CI with REQUIRE_SERVICES=1) when a service is missing."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres(settings: Any) -> None:
    need(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://…",
    )


@pytest.fixture
def require_redis(settings: Any) -> str:
    url = os.environ.get("REDIS_URL", "")
    reachable = False
    if url:
        import redis

        try:
            reachable = bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            reachable = False
    need(reachable, "needs Redis: set REDIS_URL=redis://… to a running server")
    return url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Drive Debian's chromium (never a downloaded browser) with the flags this closed network needs."""
    need(os.path.exists(CHROMIUM), f"needs chromium at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    """Create a user of a role; the password is 'correct horse battery'."""
    from tests.factories import UserFactory

    def make(role: str = "CUSTOMER", **fields: Any) -> Any:
        return UserFactory(role=role, **fields)

    return make


def database_url_for_subprocess() -> str:
    """Return a DATABASE_URL that points a child process at the test database this session uses."""
    from django.db import connection

    config = connection.settings_dict
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{config['NAME']}"
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{config.get('HOST') or '127.0.0.1'}:{config.get('PORT') or 5432}/{config['NAME']}"


@pytest.fixture
def start_worker(transactional_db: None, require_redis: str, settings: Any) -> Any:
    """Start real Celery worker processes on Redis against the test database; stop them after the test.

    The database must be a file or a server (the SQLite test database is a file under var/ for this reason).
    Returns a function that starts one more worker (``env`` adds environment variables) and returns its Popen.
    """
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    if connection.settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        need(
            connection.settings_dict["NAME"] not in {":memory:", ""}
            and "mode=memory" not in str(connection.settings_dict["NAME"]),
            "the worker test needs a file or server database",
        )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stadtwerk_portal.settings.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": require_redis,
        "CELERY_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    processes: list[subprocess.Popen[bytes]] = []
    root = Path(__file__).resolve().parent.parent

    def start(
        *, concurrency: int = 1, pool: str = "solo", env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        command = [
            sys.executable, "-m", "celery", "-A", "stadtwerk_portal", "worker",
            f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
            "-n", f"test-{len(processes)}-{os.getpid()}@%h",
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=root, env={**environment, **(env or {})})
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Reload the reference data of the data migrations (VAT rates, relief schemes).

    Transactional tests (browser, worker) flush every table afterwards, including rows that migrations loaded;
    this puts them back for the next such test. It reuses the migration's own loader, so there is one source.
    """
    import importlib

    from django.apps import apps

    importlib.import_module("tariffs.migrations.0002_reference_data").load(apps, None)


@pytest.fixture
def call_guides(db: None) -> None:
    """Make sure the default call guides of contacts/migrations/0002 exist (a transactional test flushes them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("contacts.migrations.0002_call_guides").load(apps, None)
