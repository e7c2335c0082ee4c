"""The declarative table descriptions (TableSpec) and the one builder behind every dashboard table (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contacts import dashboard, dashboard_tables
from contacts.dashboard_tables import INTEGER, PERCENT, TEXT, ChartSpec, TableSpec, column


def _reasons() -> list[dashboard.CountRow]:
    return [
        dashboard.CountRow(key="PRICE", label="=Preis", count=3, share=Decimal("75")),
        dashboard.CountRow(key="MOVING", label="Umzug", count=1, share=Decimal("25")),
    ]


def test_columns_take_alignment_from_their_kind_and_cells_from_the_row() -> None:
    spec = TableSpec(
        key="x",
        source="by_reason",
        title="T",
        columns=(column("Grund", TEXT, "label"), column("Anzahl", INTEGER, lambda row: row.count * 10)),
    )

    table = spec.build(_reasons())

    assert [(c.label, c.numeric) for c in table.columns] == [("Grund", False), ("Anzahl", True)]
    assert [[cell.display for cell in row] for row in table.rows] == [["=Preis", "30"], ["Umzug", "10"]]
    assert table.chart is None and table.footer == [] and table.note == ""


def test_count_table_has_a_sum_row_a_bar_chart_and_escapes_formulas_in_the_csv() -> None:
    table = dashboard_tables.TABLES["gruende"].build(_reasons())

    assert table.to_csv() == "\ufeffGrund;Anzahl;Anteil (%)\r\n'=Preis;3;75\r\nUmzug;1;25\r\nSumme;4;100\r\n"
    assert table.chart_json == {
        "type": "bar",
        "labels": ["=Preis", "Umzug"],
        "datasets": [{"label": "Anzahl", "data": [3.0, 1.0]}],
        "unit": "",
        "horizontal": True,
    }


def test_chart_is_left_out_without_rows_unless_the_rows_are_fixed_groups() -> None:
    only_with_rows = ChartSpec("bar", label=lambda row: row.label, series=(("Anzahl", lambda row: row.count),))
    always = ChartSpec("bar", label=lambda row: row.label, series=(("Anzahl", lambda row: row.count),), always=True)

    drawn = always.draw([])

    assert only_with_rows.draw([]) is None
    assert drawn is not None and drawn.labels == [] and drawn.datasets == [{"label": "Anzahl", "data": []}]


def test_price_change_totals_leave_the_date_empty() -> None:
    row = dashboard.PriceChangeRow(price_change_id=1, tariff_name="Strom", effective_date=date(2026, 1, 1),
                                   notified=10, cancelled_in_window=2, special_terminations=1,
                                   cancelled_share=Decimal("20"), special_share=Decimal("10"))  # fmt: skip
    figure = dashboard.PriceChangeCancellations(rows=[row], notified=10, cancelled_in_window=2, special_terminations=1)

    table = dashboard_tables.TABLES["preisaenderungen"].build(figure)

    assert table.to_csv().splitlines()[1:] == ["Strom;01.01.2026;10;2;1;20;10", "Summe;;10;2;1;20;10"]
    assert table.chart is not None and table.chart.labels == ["Strom (01.01.2026)"]


def test_recommendation_footer_shows_the_period_with_a_negative_nps() -> None:
    month = dashboard.ScoreRow(month=date(2026, 10, 1), scores=4, promoters=1, passives=0, detractors=3)
    figure = dashboard.Recommendation(months=[month], total=month)

    table = dashboard_tables.TABLES["weiterempfehlung"].build(figure)

    assert [cell.csv for cell in table.footer] == ["Zeitraum", "4", "1", "0", "3", "-50", "25"]
    assert table.rows[0][0].csv == "10.2026"


def test_every_spec_has_a_unique_key_and_reads_a_field_of_the_dashboard() -> None:
    fields = set(dashboard.Dashboard.__dataclass_fields__)

    assert all(spec.source in fields for spec in dashboard_tables.TABLES.values())
    assert all(key == spec.key for key, spec in dashboard_tables.TABLES.items())


def test_percent_column_shows_a_dash_for_no_value() -> None:
    spec = TableSpec(key="x", source="by_reason", title="T", columns=(column("Anteil", PERCENT, "share"),))

    table = spec.build([dashboard.CountRow(key="K", label="L", count=0, share=None)])

    assert (table.rows[0][0].display, table.rows[0][0].csv) == ("–", "")
