"""Migration 0004: existing price changes get their proposed prices; a draft's live version leaves the history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tariffs.models import PriceChange, PriceVersion

BEFORE = [("tariffs", "0003_price_changes")]
AFTER = [("tariffs", "0005_price_change_integrity")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_takes_a_drafts_version_out_of_the_history_and_keeps_published_ones() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    tariff = old.get_model("tariffs", "Tariff").objects.create(code="alt", name="Alt", commodity="electricity")
    versions = old.get_model("tariffs", "PriceVersion").objects
    versions.create(
        tariff=tariff,
        valid_from=date(2020, 1, 1),
        valid_to=date(2027, 2, 1),
        working_price_net_ct=Decimal(30),
        base_price_net_eur_year=Decimal(120),
    )
    published_version = versions.create(
        tariff=tariff,
        valid_from=date(2027, 2, 1),
        valid_to=date(2027, 4, 1),
        working_price_net_ct=Decimal(35),
        base_price_net_eur_year=Decimal(150),
    )
    draft_version = versions.create(
        tariff=tariff,
        valid_from=date(2027, 4, 1),
        valid_to=None,
        working_price_net_ct=Decimal(50),
        base_price_net_eur_year=Decimal(300),
    )
    changes = old.get_model("tariffs", "PriceChange").objects
    published = changes.create(
        tariff=tariff,
        price_version=published_version,
        effective_date=date(2027, 2, 1),
        reason="a",
        status="PUBLISHED",
        published_at=datetime(2026, 11, 1, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    draft = changes.create(tariff=tariff, price_version=draft_version, effective_date=date(2027, 4, 1), reason="b")

    MigrationExecutor(connection).migrate(AFTER)

    history = PriceVersion.objects.filter(tariff_id=tariff.pk).order_by("valid_from")
    assert [(v.valid_from, v.valid_to) for v in history] == [
        (date(2020, 1, 1), date(2027, 2, 1)),
        (date(2027, 2, 1), None),
    ]
    after_draft = PriceChange.objects.get(pk=draft.pk)
    assert (after_draft.price_version_id, after_draft.working_price_net_ct, after_draft.base_price_net_eur_year) == (
        None,
        Decimal("50.0000"),
        Decimal("300.00"),
    )
    after_published = PriceChange.objects.get(pk=published.pk)
    assert after_published.price_version_id == published_version.pk
    assert after_published.working_price_net_ct == Decimal("35.0000")
