"""Probe the database and the message broker for the health endpoint."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from kombu.connection import Connection

logger = logging.getLogger(__name__)


def check_database() -> bool:
    """Return whether the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health: database unreachable", exc_info=True)
        return False
    return True


def check_broker() -> bool:
    """Return whether the Celery broker accepts a connection within about a second."""
    try:
        with Connection(  # type: ignore[no-untyped-call]
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=1,
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=1)
    except Exception:  # noqa: BLE001 - any failure means "unreachable"; kombu raises many types
        logger.warning("health: broker unreachable")
        return False
    return True
