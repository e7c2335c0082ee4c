"""Deployment values come from the environment; a bad value fails loudly with the variable's name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from stadtwerk_portal import env

ROOT = Path(__file__).resolve().parents[2]


def test_a_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "vielleicht")

    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env.get_bool("DEBUG", False)


def test_a_bad_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "fünf")

    with pytest.raises(ImproperlyConfigured, match="AXES_FAILURE_LIMIT"):
        env.get_int("AXES_FAILURE_LIMIT", 5)


def test_a_database_url_with_an_unknown_scheme_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/portal")

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.get_database(tmp_path / "db.sqlite3")


def test_a_redis_url_with_a_wrong_scheme_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")

    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.get_redis_url()


def test_without_database_url_the_embedded_default_is_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    config = env.get_database(tmp_path / "db.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"


def test_a_postgres_url_selects_postgresql(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://portal@127.0.0.1:5432/portal")

    config = env.get_database(tmp_path / "db.sqlite3")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "portal"


def _import_production_settings(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(extra)
    return subprocess.run(
        [sys.executable, "-c", "import stadtwerk_portal.settings.production"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    completed = _import_production_settings({"ALLOWED_HOSTS": "portal.example"})

    assert completed.returncode != 0
    assert "SECRET_KEY" in completed.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    completed = _import_production_settings({"SECRET_KEY": "x" * 60})

    assert completed.returncode != 0
    assert "ALLOWED_HOSTS" in completed.stderr


def test_production_settings_pass_the_deploy_check() -> None:
    # The test process allows async-unsafe ORM use for Playwright; a deployment must not inherit that.
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "stadtwerk_portal.settings.production",
        "SECRET_KEY": "k" * 30 + "-deploy-check-" + "q" * 30,
        "ALLOWED_HOSTS": "portal.example",
    }

    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr + completed.stdout
