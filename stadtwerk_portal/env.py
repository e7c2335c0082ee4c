"""Read deployment values from the environment and fail loudly, naming the variable, when one is bad."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get_str(name: str, default: str | None = None) -> str:
    """Return the variable, or the default; raise if it is unset and there is no default."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def get_optional(name: str) -> str:
    """Return the variable, or an empty string when it is unset (for values that may legitimately be empty)."""
    return os.environ.get(name, "")


def get_bool(name: str, default: bool) -> bool:
    """Return a boolean variable (1/0, true/false, yes/no, on/off)."""
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def get_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return an integer variable, checked against an optional minimum."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def get_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def get_database(default_sqlite_path: Path) -> dict[str, Any]:
    """Return the default database from DATABASE_URL, or SQLite at the given path."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite_path),
            # WAL and IMMEDIATE transactions let the web server, worker and beat share the file without
            # "database is locked" errors under light concurrent load.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
            "TEST": {"NAME": str(default_sqlite_path.with_name("test_" + default_sqlite_path.name))},
        }
    scheme = urlparse(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has the unsupported scheme {scheme!r} (use postgres:// or sqlite://)."
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {error}") from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles the dashboard's aggregate queries anew on every call: up to 15 s each at
        # 100,000 customers instead of well under one. The portal's queries are short; JIT never pays off here.
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


def get_redis_url() -> str | None:
    """Return REDIS_URL if set, checking its scheme."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return None
    if urlparse(url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"REDIS_URL must start with redis:// or rediss://, got {url.split(':')[0]!r}.")
    return url
