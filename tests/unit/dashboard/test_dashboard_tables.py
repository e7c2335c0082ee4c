"""Formatting of the dashboard's tables and their CSV (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contacts import dashboard, dashboard_tables
from contacts.dashboard_tables import Column, Table, csv_safe, integer, number, percent, text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 711 123", "'+49 711 123"),
        ("-5", "'-5"),
        ("@SUM(A1:A3)", "'@SUM(A1:A3)"),
        ("\tversteckt", "'\tversteckt"),
        ("\rversteckt", "'\rversteckt"),
        ("Müller = Meier", "Müller = Meier"),
        ("", ""),
    ],
)
def test_csv_safe_quotes_what_a_spreadsheet_would_run(cell: str, expected: str) -> None:
    assert csv_safe(cell) == expected


def test_numbers_are_german_on_the_page_and_plain_in_the_csv() -> None:
    assert (integer(12345).display, integer(12345).csv) == ("12.345", "12345")
    assert (percent(Decimal("12.5")).display, percent(Decimal("12.5")).csv) == ("12,5\u00a0%", "12,5")
    assert (number(Decimal("-16.7"), places=1).display, number(Decimal("-16.7"), places=1).csv) == ("-16,7", "-16,7")
    assert (percent(None).display, percent(None).csv) == ("–", "")


def test_table_csv_has_bom_semicolons_and_crlf() -> None:
    table = Table(key="x", title="T", columns=[Column("Name"), Column("Anzahl", numeric=True)],
                  rows=[[text("=böse"), integer(1234)]])  # fmt: skip

    assert table.to_csv() == "\ufeffName;Anzahl\r\n'=böse;1234\r\n"


def test_add_months_keeps_the_day_or_takes_the_month_end() -> None:
    assert dashboard.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert dashboard.add_months(date(2026, 3, 15), -12) == date(2025, 3, 15)
    assert dashboard.add_months(date(2026, 1, 1), -11) == date(2025, 2, 1)


def test_every_table_can_be_exported_by_its_key() -> None:
    assert set(dashboard_tables.TABLES) == {
        "monate", "gruende", "tarife", "vertragsdauer", "preisaenderungen", "hoeflichkeitsanrufe",
        "ueberspringgruende", "bindung", "kanaele", "kontaktfrequenz", "weiterempfehlung", "interessen", "leads",
        "gefaehrdet",
    }  # fmt: skip
