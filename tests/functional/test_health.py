"""The health endpoint reports database and broker; 503 when the database is unreachable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_reports_ok_database(client: Any) -> None:
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "unreachable"}


def test_health_is_503_when_the_database_is_unreachable() -> None:
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health/');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stadtwerk_portal.settings.test",
        # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
    }

    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )

    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["database"] == "unreachable"


@pytest.mark.django_db
def test_health_reports_a_reachable_redis_broker(client: Any, settings: Any, require_redis: str) -> None:
    settings.CELERY_BROKER_URL = require_redis

    response = client.get("/health/")

    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_health_reports_an_unreachable_broker_but_stays_up(client: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "unreachable"}
