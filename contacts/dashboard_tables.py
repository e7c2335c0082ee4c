"""The dashboard's figures as tables (shown on the page, exported as CSV) and the chart data drawn from them.

A table holds formatted cells: German display text for the page and a CSV text for German Excel (semicolon
separated, decimal comma, no thousands separator, UTF-8 with BOM). Text cells are protected against formula
injection: a cell that starts with = + - @, a tab or a carriage return gets a leading single quote, so a customer
named "=HYPERLINK(…)" stays text. Numbers we format ourselves (e.g. an NPS of −12,5) are not text and keep their sign.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from contacts import dashboard
from tariffs.domain.formatting import NBSP, format_date, format_month, format_number

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DASH = "–"


def csv_safe(text: str) -> str:
    """Return the text with a leading single quote if a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True, slots=True)
class Cell:
    display: str
    csv: str
    numeric: bool = False


def text(value: str) -> Cell:
    return Cell(display=value, csv=csv_safe(value))


def integer(value: int) -> Cell:
    return Cell(display=format_number(Decimal(value), max_places=0), csv=str(value), numeric=True)


def number(value: Decimal | None, *, places: int = 2) -> Cell:
    if value is None:
        return Cell(display=DASH, csv="", numeric=True)
    shown = format_number(value, max_places=places)
    return Cell(display=shown, csv=shown.replace(".", ""), numeric=True)


def percent(value: Decimal | None) -> Cell:
    """A percentage with one decimal: "12,5 %" on the page, "12,5" in the CSV (the header says %)."""
    if value is None:
        return Cell(display=DASH, csv="", numeric=True)
    shown = format_number(value, max_places=1)
    return Cell(display=f"{shown}{NBSP}%", csv=shown.replace(".", ""), numeric=True)


def day(value: date) -> Cell:
    return Cell(display=format_date(value), csv=format_date(value))


def month(value: date) -> Cell:
    return Cell(display=format_month(value.year, value.month), csv=f"{value.month:02d}.{value.year}")


def moment(value: datetime) -> Cell:
    local = timezone.localtime(value)
    shown = f"{format_date(local.date())} {local:%H:%M}"
    return Cell(display=shown, csv=shown)


def yes_no(value: bool) -> Cell:
    return text("ja" if value else "nein")


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """What Chart.js draws; the numbers are the table's (the canvas's label points to the table)."""

    kind: str  # "bar" | "line"
    labels: list[str]
    datasets: list[dict[str, Any]]
    unit: str = ""
    horizontal: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "labels": self.labels,
            "datasets": self.datasets,
            "unit": self.unit,
            "horizontal": self.horizontal,
        }


def _series(label: str, values: Sequence[Decimal | int | None]) -> dict[str, Any]:
    return {"label": label, "data": [None if value is None else float(value) for value in values]}


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    note: str = ""
    chart: Chart | None = None
    footer: list[Cell] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"chart-data-{self.key}"

    @property
    def chart_json(self) -> dict[str, Any] | None:
        return self.chart.as_json() if self.chart is not None else None

    def body_html(self) -> SafeString:
        """Return the rows as HTML: the first cell a row header, numbers right-aligned. Rendered here rather than
        cell by cell in the template, which for the page's ~700 cells costs several times as much."""
        return self._rows_html(self.rows)

    def footer_html(self) -> SafeString:
        return self._rows_html([self.footer]) if self.footer else mark_safe("")

    @staticmethod
    def _rows_html(rows: list[list[Cell]]) -> SafeString:
        parts = []
        for row in rows:
            parts.append("<tr>")
            for index, cell in enumerate(row):
                value = html.escape(cell.display)
                if index == 0:
                    parts.append(f'<th scope="row">{value}</th>')
                elif cell.numeric:
                    parts.append(f'<td class="amount">{value}</td>')
                else:
                    parts.append(f"<td>{value}</td>")
            parts.append("</tr>\n")
        return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above

    def to_csv(self) -> str:
        """Return the table as CSV for German Excel: BOM, semicolons, German headers, CRLF line ends."""
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([csv_safe(column.label) for column in self.columns])
        for row in self.rows:
            writer.writerow([cell.csv for cell in row])
        if self.footer:
            writer.writerow([cell.csv for cell in self.footer])
        return buffer.getvalue()


# --- the tables, described as data -----------------------------------------------------------------------------------
#
# Every table of the page has the same shape: columns of one kind each (text, count, percentage, …), one row per row
# of a dashboard figure, optionally a footer with the totals and a chart drawn from the same rows. A TableSpec says
# which figure it shows and how; TableSpec.build turns any figure into its Table, so the page, the CSV export and the
# chart data come from one description and cannot drift apart.

Value = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Kind:
    """How a value becomes a cell, and whether its column holds numbers (right-aligned, German-formatted)."""

    cell: Callable[[Any], Cell]
    numeric: bool = False


TEXT = Kind(text)
INTEGER = Kind(integer, numeric=True)
PERCENT = Kind(percent, numeric=True)
DECIMAL = Kind(number, numeric=True)
DECIMAL_1 = Kind(partial(number, places=1), numeric=True)
DAY = Kind(day)
MONTH = Kind(month)
MOMENT = Kind(moment)
YES_NO = Kind(yes_no)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column of a table: its header, the kind of its cells and the value a row gives it."""

    label: str
    kind: Kind
    value: Value

    def cell(self, row: Any) -> Cell:
        return self.kind.cell(self.value(row))


def column(label: str, kind: Kind, value: str | Value) -> ColumnSpec:
    """Return a column whose value is the row's attribute of that name, or what the function returns for the row."""
    return ColumnSpec(label, kind, attrgetter(value) if isinstance(value, str) else value)


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A chart of the table's rows: one label and one value per series for each row."""

    kind: str  # "bar" | "line"
    label: Value
    series: tuple[tuple[str, Value], ...]
    unit: str = ""
    horizontal: bool = False
    always: bool = False  # drawn also without rows (tables whose rows are fixed groups); otherwise only with rows

    def draw(self, rows: Sequence[Any]) -> Chart | None:
        if not rows and not self.always:
            return None
        return Chart(
            kind=self.kind,
            labels=[self.label(row) for row in rows],
            datasets=[_series(name, [value(row) for row in rows]) for name, value in self.series],
            unit=self.unit,
            horizontal=self.horizontal,
        )


def _itself(figure: Any) -> Any:
    return figure


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of the dashboard: the Dashboard field it shows (``source``) and how it is shown."""

    key: str  # in the page's anchors and the export URL (?export=<key>)
    source: str
    title: str
    columns: tuple[ColumnSpec, ...]
    note: str | Callable[[Any], str] = ""
    chart: ChartSpec | None = None
    rows: Callable[[Any], Sequence[Any]] = _itself  # the figure's rows (the figure itself if it is a list)
    footer: Callable[[Any, Sequence[Any]], list[Cell]] | None = None  # from the figure and its rows

    def build(self, figure: Any) -> Table:
        """Return the figure as a table: one row of cells per row, the footer, the note and the chart."""
        rows = self.rows(figure)
        return Table(
            key=self.key,
            title=self.title,
            columns=[Column(spec.label, numeric=spec.kind.numeric) for spec in self.columns],
            rows=[[spec.cell(row) for spec in self.columns] for row in rows],
            note=self.note(figure) if callable(self.note) else self.note,
            chart=self.chart.draw(rows) if self.chart is not None else None,
            footer=self.footer(figure, rows) if self.footer is not None else [],
        )


def _total(label: str, columns: Sequence[ColumnSpec], totals: Any) -> list[Cell]:
    """Return a footer row: the label, then the totals object's values for the other columns."""
    return [text(label), *(spec.cell(totals) for spec in columns[1:])]


def _month_label(row: Any) -> str:
    return format_month(row.month.year, row.month.month)


def _count_spec(*, key: str, source: str, title: str, label: str, note: str = "", chart: bool = True) -> TableSpec:
    """Return a table of counts (label, count, share of the sum) with a sum row and a horizontal bar chart."""
    return TableSpec(
        key=key,
        source=source,
        title=title,
        columns=(
            column(label, TEXT, "label"),
            column("Anzahl", INTEGER, "count"),
            column("Anteil (%)", PERCENT, "share"),
        ),
        note=note,
        chart=ChartSpec("bar", label=attrgetter("label"), series=(("Anzahl", attrgetter("count")),), horizontal=True)
        if chart
        else None,
        footer=lambda _figure, rows: [
            text("Summe"),
            integer(sum(row.count for row in rows)),
            percent(Decimal(100) if rows else None),
        ],
    )


MONTHS = TableSpec(
    key="monate",
    source="series",
    title="Bestand, Neuverträge und Kündigungen je Monat",
    rows=attrgetter("months"),
    columns=(
        column("Monat", MONTH, "month"),
        column("Bestand zu Monatsbeginn", INTEGER, "active_at_start"),
        column("neue Verträge", INTEGER, "new"),
        column("wirksame Kündigungen", INTEGER, "cancelled"),
        column("sonst beendet", INTEGER, lambda row: row.ended - row.cancelled),
        column("Churn-Rate Monat (%)", PERCENT, "churn_rate"),
        column("Churn-Rate rollierend 12 Monate (%)", PERCENT, "rolling_churn_rate"),
    ),
    note=(
        "Churn-Rate Monat = im Monat wirksame Kündigungen ÷ Bestand zu Monatsbeginn. Rollierend: Kündigungen der "
        "letzten 12 Monate ÷ durchschnittlicher Bestand zu Monatsbeginn in diesen 12 Monaten. Eine Kündigung "
        "zählt im Monat des letzten Liefertags; Umzüge zählen mit."
    ),
    chart=ChartSpec(
        "line",
        label=_month_label,
        series=(
            ("Churn-Rate Monat", attrgetter("churn_rate")),
            ("Churn-Rate rollierend 12 Monate", attrgetter("rolling_churn_rate")),
        ),
        unit="%",
        always=True,
    ),
)

REASONS = _count_spec(
    key="gruende",
    source="by_reason",
    title="Kündigungen nach Grund",
    label="Grund",
    note=(
        "Im Zeitraum wirksame Kündigungen. Grund: Umzug; Sonderkündigung nach Preisänderung; sonst die "
        "freiwillige Antwort auf „Warum kündigen Sie?“ – beim Kündigungsbutton oder, bei einer telefonisch oder im "
        "Kundenzentrum erfassten Kündigung, im Gespräch."
    ),
)

TARIFFS = TableSpec(
    key="tarife",
    source="by_tariff",
    title="Kündigungen nach Tarif",
    columns=(
        column("Tarif", TEXT, "tariff_name"),
        column("Bestand zu Beginn", INTEGER, "active_at_start"),
        column("wirksame Kündigungen", INTEGER, "cancelled"),
        column("Kündigungsquote (%)", PERCENT, "churn_rate"),
    ),
    note="Kündigungsquote = im Zeitraum wirksame Kündigungen ÷ Bestand zu Beginn des Zeitraums.",
    chart=ChartSpec(
        "bar",
        label=attrgetter("tariff_name"),
        series=(("Kündigungsquote", attrgetter("churn_rate")),),
        unit="%",
        horizontal=True,
    ),
)

TENURE = _count_spec(
    key="vertragsdauer",
    source="by_tenure",
    title="Kündigungen nach Vertragsdauer",
    label="Vertragsdauer",
    note="Dauer der Belieferung vom Lieferbeginn bis zum Vertragsende.",
)

PRICE_CHANGES: TableSpec = TableSpec(  # annotated: its footer refers to it
    key="preisaenderungen",
    source="price_changes",
    title="Kündigungen nach Preisänderungsmitteilungen",
    rows=attrgetter("rows"),
    columns=(
        column("Tarif", TEXT, "tariff_name"),
        column("wirksam ab", DAY, "effective_date"),
        column("benachrichtigte Verträge", INTEGER, "notified"),
        column("im Mitteilungsfenster gekündigt", INTEGER, "cancelled_in_window"),
        column("davon Sonderkündigungen", INTEGER, "special_terminations"),
        column("Kündigungsanteil (%)", PERCENT, "cancelled_share"),
        column("Sonderkündigungsanteil (%)", PERCENT, "special_share"),
    ),
    # The totals have no date: the second cell stays empty.
    footer=lambda data, _rows: [text("Summe"), text(""), *(spec.cell(data) for spec in PRICE_CHANGES.columns[2:])],
    note=(
        "Mitteilungen, die im Zeitraum versandt wurden, rechtzeitig oder verspätet (dann gilt der alte Preis für "
        "den Vertrag länger). Mitteilungsfenster: vom Versand bis zum Tag, an dem die Änderung für den Vertrag "
        "wirksam wird. Sonderkündigung: außerordentliche Kündigung oder Kündigung wegen der "
        "Preisänderung."
    ),
    chart=ChartSpec(
        "bar",
        label=lambda row: f"{row.tariff_name} ({format_date(row.effective_date)})",
        series=(("Sonderkündigungsanteil", attrgetter("special_share")),),
        unit="%",
        horizontal=True,
    ),
)

COURTESY = TableSpec(
    key="hoeflichkeitsanrufe",
    source="courtesy",
    title="Höflichkeitsanrufe für neue Verträge",
    # (label, count, share) per state of the courtesy call
    rows=lambda data: [
        ("angerufen", data.called, data.called_share),
        ("davon erreicht", data.reached, data.reached_share),
        ("übersprungen", data.skipped, data.skipped_share),
        ("noch offen", data.pending, data.pending_share),
        ("ohne Anrufaufgabe", data.without_task, data.without_task_share),
    ],
    columns=(
        column("Stand", TEXT, itemgetter(0)),
        column("Verträge", INTEGER, itemgetter(1)),
        column("Anteil an neuen Verträgen (%)", PERCENT, itemgetter(2)),
    ),
    footer=lambda data, _rows: [
        text("neue Verträge im Zeitraum"),
        integer(data.new_contracts),
        percent(Decimal(100) if data.new_contracts else None),
    ],
    note="Verträge mit Lieferbeginn im Zeitraum; angerufen = Anrufaufgabe erledigt mit Ergebnis.",
    chart=ChartSpec(
        "bar",
        label=itemgetter(0),
        series=(("Anteil an neuen Verträgen", itemgetter(2)),),
        unit="%",
        horizontal=True,
        always=True,
    ),
)

SKIP_REASONS = _count_spec(
    key="ueberspringgruende",
    source="skip_reasons",
    title="Übersprungene Höflichkeitsanrufe nach Grund",
    label="Grund",
    chart=False,
)

RETENTION = TableSpec(
    key="bindung",
    source="retention",
    title="12-Monats-Bindung nach Höflichkeitsanruf",
    rows=attrgetter("rows"),
    columns=(
        column("Gruppe", TEXT, "label"),
        column("Verträge", INTEGER, "contracts"),
        column("nach 12 Monaten noch beliefert", INTEGER, "retained"),
        column("Bindungsquote (%)", PERCENT, "retention_rate"),
    ),
    note=lambda data: (
        f"Verträge mit Lieferbeginn vom {format_date(data.cohort_from)} bis {format_date(data.cohort_to)}, deren "
        "erstes Vertragsjahr im Zeitraum endete; gebunden = mindestens 365 Tage beliefert."
    ),
    chart=ChartSpec(
        "bar",
        label=attrgetter("label"),
        series=(("Bindungsquote", attrgetter("retention_rate")),),
        unit="%",
        always=True,
    ),
)

CHANNELS: TableSpec = TableSpec(  # annotated: its footer refers to it
    key="kanaele",
    source="contacts",
    title="Kontakte je Kunde und Jahr nach Kanal",
    rows=attrgetter("rows"),
    columns=(
        column("Kanal", TEXT, "label"),
        column("Kontakte im Zeitraum", INTEGER, "touchpoints"),
        column("je Kunde und Jahr", DECIMAL, "per_customer_per_year"),
    ),
    footer=lambda data, _rows: _total("alle Kanäle", CHANNELS.columns, data),
    note=lambda data: (
        f"Bezogen auf {format_number(Decimal(data.customers), max_places=0)} im Zeitraum belieferte Kunden."
    ),
    chart=ChartSpec(
        "bar",
        label=attrgetter("label"),
        series=(("Kontakte je Kunde und Jahr", attrgetter("per_customer_per_year")),),
    ),
)

CONTACT_BANDS = TableSpec(
    key="kontaktfrequenz",
    source="contact_bands",
    title="Kündigungsquote nach Kontakthäufigkeit: alle Kontakte und proaktive Kontakte",
    columns=(
        column("Kontakte in den 12 Monaten vor dem Zeitraum", TEXT, "label"),
        column("Kunden (alle Kontakte)", INTEGER, "customers"),
        column("davon gekündigt (alle Kontakte)", INTEGER, "churned"),
        column("Kündigungsquote alle Kontakte (%)", PERCENT, "churn_rate"),
        column("Kunden (proaktive Kontakte)", INTEGER, "proactive_customers"),
        column("davon gekündigt (proaktive Kontakte)", INTEGER, "proactive_churned"),
        column("Kündigungsquote proaktive Kontakte (%)", PERCENT, "proactive_churn_rate"),
    ),
    note=(
        "Kunden mit Vertrag zu Beginn des Zeitraums, eingeordnet nach ihren Kontakten in den 12 Monaten davor; "
        "gekündigt = eine Kündigung wurde im Zeitraum wirksam. „Alle Kontakte“ zählt jeden Kontakt, auch "
        "eingehende Anrufe und Beschwerden – viele Kontakte deuten daher oft auf Probleme hin. „Proaktive Kontakte“ "
        "zählt nur, was wir von uns aus angestoßen haben und die Kundin oder den Kunden erreicht hat: "
        "Höflichkeits-, Betreuungs- und Rückgewinnungsanrufe sowie Preisänderungsmitteilungen; nicht: eingehende "
        "Kontakte, vereinbarte Rückrufe, nicht erreichte Anrufversuche. Ob proaktive Kommunikation hilft, zeigt die "
        "Spalte „Kündigungsquote proaktive Kontakte“: Kunden ohne proaktiven Kontakt gegenüber Kunden mit einem "
        "oder mehr. Das ist ein Zusammenhang, kein Beweis: Preisänderungsmitteilungen erhalten nur Kunden "
        "betroffener Tarife, Höflichkeitsanrufe nur neue Kunden."
    ),
    chart=ChartSpec(
        "bar",
        label=attrgetter("label"),
        series=(
            ("Kündigungsquote nach allen Kontakten", attrgetter("churn_rate")),
            ("Kündigungsquote nach proaktiven Kontakten", attrgetter("proactive_churn_rate")),
        ),
        unit="%",
        always=True,
    ),
)

RECOMMENDATION: TableSpec = TableSpec(  # annotated: its footer refers to it
    key="weiterempfehlung",
    source="recommendation",
    title="Weiterempfehlung (NPS) je Monat",
    rows=lambda data: [row for row in data.months if row.month is not None],
    columns=(
        column("Monat", MONTH, "month"),
        column("Bewertungen", INTEGER, "scores"),
        column("Promotoren 9–10", INTEGER, "promoters"),
        column("Passive 7–8", INTEGER, "passives"),
        column("Kritiker 0–6", INTEGER, "detractors"),
        column("NPS", DECIMAL_1, "nps"),
        column("Weiterempfehlungsquote (%)", PERCENT, "referral_rate"),
    ),
    footer=lambda data, _rows: _total("Zeitraum", RECOMMENDATION.columns, data.total),
    note=(
        "NPS = % Promotoren (9–10) − % Kritiker (0–6), von −100 bis 100. Weiterempfehlungsquote = Anteil der "
        "Bewertungen mit 9 oder 10. Jede im Kontakt erfasste Bewertung zählt einmal."
    ),
    # Every month of Recommendation.months has a date (None is only the period's total), so the chart's labels and
    # values come from the same rows.
    chart=ChartSpec("line", label=_month_label, series=(("NPS", attrgetter("nps")),)),
)

INTERESTS = TableSpec(
    key="interessen",
    source="interests",
    title="Interessen als Leads",
    columns=(
        column("Interesse", TEXT, "label"),
        column("im Zeitraum erfasst", INTEGER, "in_period"),
        column("insgesamt", INTEGER, "total"),
    ),
    chart=ChartSpec(
        "bar", label=attrgetter("label"), series=(("im Zeitraum erfasst", attrgetter("in_period")),), always=True
    ),
)

LEADS = TableSpec(
    key="leads",
    source="leads",
    title=f"Lead-Liste (die {dashboard.LEAD_LIMIT} neuesten Interessen im Zeitraum)",
    columns=(
        column("Kundennummer", TEXT, "customer_number"),
        column("Name", TEXT, "customer_name"),
        column("Interesse", TEXT, "kind_label"),
        column("erfasst am", MOMENT, "noted_at"),
        column("Telefon-Einwilligung", YES_NO, "phone_allowed"),
        column("Werbeanruf erlaubt", TEXT, "call_note"),
        column("E-Mail-Einwilligung", YES_NO, "email_allowed"),
    ),
    note=(
        "Angebote nur über Kanäle, für die eine Einwilligung vorliegt (§ 7 UWG). Besonders schutzbedürftige Kunden "
        "erhalten keine Werbeanrufe, auch nicht mit Telefon-Einwilligung."
    ),
)

AT_RISK = TableSpec(
    key="gefaehrdet",
    source="at_risk",
    title=f"Gefährdete Kunden (die {dashboard.AT_RISK_LIMIT} mit den meisten Punkten)",
    columns=(
        column("Kundennummer", TEXT, "customer_number"),
        column("Name", TEXT, "name"),
        column("Punkte", INTEGER, "score"),
        column("Gründe", TEXT, lambda row: "; ".join(row.reason_labels)),
        column("Telefon-Einwilligung", YES_NO, "phone_consent"),
    ),
)


@dataclass(frozen=True, slots=True)
class Kpi:
    label: str
    value: str
    hint: str


def kpis(data: dashboard.Dashboard) -> list[Kpi]:
    """Return the key figures shown on top of the page."""
    flt, series = data.filter, data.series
    last_month = format_month(flt.date_to.year, flt.date_to.month)
    return [
        Kpi("Aktive Verträge", integer(series.active_at_end).display, f"am {format_date(flt.date_to)}"),
        Kpi("Neue Verträge", integer(series.new).display, "im Zeitraum"),
        Kpi("Wirksame Kündigungen", integer(series.cancelled).display, "im Zeitraum"),
        Kpi("Churn-Rate, rollierend 12 Monate", percent(series.rolling_churn_rate).display, f"bis {last_month}"),
        Kpi(
            "Weiterempfehlung (NPS)",
            number(data.recommendation.total.nps, places=1).display,
            f"aus {integer(data.recommendation.total.scores).display} Bewertungen",
        ),
        Kpi("Höflichkeitsanruf erreicht", percent(data.courtesy.reached_share).display, "der neuen Verträge"),
    ]


# table key (in the URL: ?export=<key>) → its description; the view orders them on the page
TABLES: dict[str, TableSpec] = {
    spec.key: spec
    for spec in (
        MONTHS,
        REASONS,
        TARIFFS,
        TENURE,
        PRICE_CHANGES,
        COURTESY,
        SKIP_REASONS,
        RETENTION,
        CHANNELS,
        CONTACT_BANDS,
        RECOMMENDATION,
        INTERESTS,
        LEADS,
        AT_RISK,
    )
}


def build_tables(data: dashboard.Dashboard) -> dict[str, Table]:
    """Return every table of the dashboard by key."""
    return {key: spec.build(getattr(data, spec.source)) for key, spec in TABLES.items()}
