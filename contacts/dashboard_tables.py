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


# --- one builder per table -------------------------------------------------------------------------------------------


def months_table(series: dashboard.ContractSeries) -> Table:
    rows = [
        [
            month(row.month),
            integer(row.active_at_start),
            integer(row.new),
            integer(row.cancelled),
            integer(row.ended - row.cancelled),
            percent(row.churn_rate),
            percent(row.rolling_churn_rate),
        ]
        for row in series.months
    ]
    return Table(
        key="monate",
        title="Bestand, Neuverträge und Kündigungen je Monat",
        columns=[
            Column("Monat"),
            Column("Bestand zu Monatsbeginn", numeric=True),
            Column("neue Verträge", numeric=True),
            Column("wirksame Kündigungen", numeric=True),
            Column("sonst beendet", numeric=True),
            Column("Churn-Rate Monat (%)", numeric=True),
            Column("Churn-Rate rollierend 12 Monate (%)", numeric=True),
        ],
        rows=rows,
        note=(
            "Churn-Rate Monat = im Monat wirksame Kündigungen ÷ Bestand zu Monatsbeginn. Rollierend: Kündigungen der "
            "letzten 12 Monate ÷ durchschnittlicher Bestand zu Monatsbeginn in diesen 12 Monaten. Eine Kündigung "
            "zählt im Monat des letzten Liefertags; Umzüge zählen mit."
        ),
        chart=Chart(
            kind="line",
            labels=[format_month(row.month.year, row.month.month) for row in series.months],
            datasets=[
                _series("Churn-Rate Monat", [row.churn_rate for row in series.months]),
                _series("Churn-Rate rollierend 12 Monate", [row.rolling_churn_rate for row in series.months]),
            ],
            unit="%",
        ),
    )


def _count_table(
    *, key: str, title: str, label: str, rows: list[dashboard.CountRow], note: str = "", chart: bool = True
) -> Table:
    return Table(
        key=key,
        title=title,
        columns=[Column(label), Column("Anzahl", numeric=True), Column("Anteil (%)", numeric=True)],
        rows=[[text(row.label), integer(row.count), percent(row.share)] for row in rows],
        note=note,
        chart=Chart(
            kind="bar",
            labels=[row.label for row in rows],
            datasets=[_series("Anzahl", [row.count for row in rows])],
            horizontal=True,
        )
        if chart and rows
        else None,
        footer=[text("Summe"), integer(sum(row.count for row in rows)), percent(Decimal(100) if rows else None)],
    )


def reasons_table(rows: list[dashboard.CountRow]) -> Table:
    return _count_table(
        key="gruende",
        title="Kündigungen nach Grund",
        label="Grund",
        rows=rows,
        note=(
            "Im Zeitraum wirksame Kündigungen. Grund: Umzug; Sonderkündigung nach Preisänderung; sonst die "
            "freiwillige Antwort auf „Warum gehen Sie?“ beim Kündigungsbutton."
        ),
    )


def tariffs_table(rows: list[dashboard.TariffRow]) -> Table:
    return Table(
        key="tarife",
        title="Kündigungen nach Tarif",
        columns=[
            Column("Tarif"),
            Column("Bestand zu Beginn", numeric=True),
            Column("wirksame Kündigungen", numeric=True),
            Column("Kündigungsquote (%)", numeric=True),
        ],
        rows=[
            [text(row.tariff_name), integer(row.active_at_start), integer(row.cancelled), percent(row.churn_rate)]
            for row in rows
        ],
        note="Kündigungsquote = im Zeitraum wirksame Kündigungen ÷ Bestand zu Beginn des Zeitraums.",
        chart=Chart(
            kind="bar",
            labels=[row.tariff_name for row in rows],
            datasets=[_series("Kündigungsquote", [row.churn_rate for row in rows])],
            unit="%",
            horizontal=True,
        )
        if rows
        else None,
    )


def tenure_table(rows: list[dashboard.CountRow]) -> Table:
    return _count_table(
        key="vertragsdauer",
        title="Kündigungen nach Vertragsdauer",
        label="Vertragsdauer",
        rows=rows,
        note="Dauer der Belieferung vom Lieferbeginn bis zum Vertragsende.",
    )


def price_changes_table(data: dashboard.PriceChangeCancellations) -> Table:
    return Table(
        key="preisaenderungen",
        title="Kündigungen nach Preisänderungsmitteilungen",
        columns=[
            Column("Tarif"),
            Column("wirksam ab"),
            Column("benachrichtigte Verträge", numeric=True),
            Column("im Mitteilungsfenster gekündigt", numeric=True),
            Column("davon Sonderkündigungen", numeric=True),
            Column("Kündigungsanteil (%)", numeric=True),
            Column("Sonderkündigungsanteil (%)", numeric=True),
        ],
        rows=[
            [
                text(row.tariff_name),
                day(row.effective_date),
                integer(row.notified),
                integer(row.cancelled_in_window),
                integer(row.special_terminations),
                percent(row.cancelled_share),
                percent(row.special_share),
            ]
            for row in data.rows
        ],
        footer=[
            text("Summe"),
            text(""),
            integer(data.notified),
            integer(data.cancelled_in_window),
            integer(data.special_terminations),
            percent(data.cancelled_share),
            percent(data.special_share),
        ],
        note=(
            "Mitteilungen, die im Zeitraum versandt wurden. Mitteilungsfenster: vom Versand bis zum Tag, an dem die "
            "Änderung wirksam wird. Sonderkündigung: außerordentliche Kündigung oder Kündigung wegen der "
            "Preisänderung."
        ),
        chart=Chart(
            kind="bar",
            labels=[f"{row.tariff_name} ({format_date(row.effective_date)})" for row in data.rows],
            datasets=[_series("Sonderkündigungsanteil", [row.special_share for row in data.rows])],
            unit="%",
            horizontal=True,
        )
        if data.rows
        else None,
    )


def courtesy_table(data: dashboard.CourtesySummary) -> Table:
    entries = [
        ("angerufen", data.called, data.called_share),
        ("davon erreicht", data.reached, data.reached_share),
        ("übersprungen", data.skipped, data.skipped_share),
        ("noch offen", data.pending, data.pending_share),
        ("ohne Anrufaufgabe", data.without_task, data.without_task_share),
    ]
    return Table(
        key="hoeflichkeitsanrufe",
        title="Höflichkeitsanrufe für neue Verträge",
        columns=[
            Column("Stand"),
            Column("Verträge", numeric=True),
            Column("Anteil an neuen Verträgen (%)", numeric=True),
        ],
        rows=[[text(label), integer(count), percent(share)] for label, count, share in entries],
        footer=[
            text("neue Verträge im Zeitraum"),
            integer(data.new_contracts),
            percent(Decimal(100) if data.new_contracts else None),
        ],
        note="Verträge mit Lieferbeginn im Zeitraum; angerufen = Anrufaufgabe erledigt mit Ergebnis.",
        chart=Chart(
            kind="bar",
            labels=[label for label, _count, _share in entries],
            datasets=[_series("Anteil an neuen Verträgen", [share for _label, _count, share in entries])],
            unit="%",
            horizontal=True,
        ),
    )


def skip_reasons_table(rows: list[dashboard.CountRow]) -> Table:
    return _count_table(
        key="ueberspringgruende",
        title="Übersprungene Höflichkeitsanrufe nach Grund",
        label="Grund",
        rows=rows,
        chart=False,
    )


def retention_table(data: dashboard.CourtesyRetention) -> Table:
    return Table(
        key="bindung",
        title="12-Monats-Bindung nach Höflichkeitsanruf",
        columns=[
            Column("Gruppe"),
            Column("Verträge", numeric=True),
            Column("nach 12 Monaten noch beliefert", numeric=True),
            Column("Bindungsquote (%)", numeric=True),
        ],
        rows=[
            [text(row.label), integer(row.contracts), integer(row.retained), percent(row.retention_rate)]
            for row in data.rows
        ],
        note=(
            f"Verträge mit Lieferbeginn vom {format_date(data.cohort_from)} bis {format_date(data.cohort_to)}, deren "
            "erstes Vertragsjahr im Zeitraum endete; gebunden = mindestens 365 Tage beliefert."
        ),
        chart=Chart(
            kind="bar",
            labels=[row.label for row in data.rows],
            datasets=[_series("Bindungsquote", [row.retention_rate for row in data.rows])],
            unit="%",
        ),
    )


def channels_table(data: dashboard.ContactFrequency) -> Table:
    return Table(
        key="kanaele",
        title="Kontakte je Kunde und Jahr nach Kanal",
        columns=[
            Column("Kanal"),
            Column("Kontakte im Zeitraum", numeric=True),
            Column("je Kunde und Jahr", numeric=True),
        ],
        rows=[[text(row.label), integer(row.touchpoints), number(row.per_customer_per_year)] for row in data.rows],
        footer=[text("alle Kanäle"), integer(data.touchpoints), number(data.per_customer_per_year)],
        note=f"Bezogen auf {format_number(Decimal(data.customers), max_places=0)} im Zeitraum belieferte Kunden.",
        chart=Chart(
            kind="bar",
            labels=[row.label for row in data.rows],
            datasets=[_series("Kontakte je Kunde und Jahr", [row.per_customer_per_year for row in data.rows])],
        )
        if data.rows
        else None,
    )


def contact_bands_table(rows: list[dashboard.BandRow]) -> Table:
    return Table(
        key="kontaktfrequenz",
        title="Kündigungsquote nach Kontakthäufigkeit",
        columns=[
            Column("Kontakte in den 12 Monaten vor dem Zeitraum"),
            Column("Kunden", numeric=True),
            Column("davon gekündigt", numeric=True),
            Column("Kündigungsquote (%)", numeric=True),
        ],
        rows=[
            [text(row.label), integer(row.customers), integer(row.churned), percent(row.churn_rate)] for row in rows
        ],
        note="Kunden mit Vertrag zu Beginn des Zeitraums; gekündigt = eine Kündigung wurde im Zeitraum wirksam.",
        chart=Chart(
            kind="bar",
            labels=[row.label for row in rows],
            datasets=[_series("Kündigungsquote", [row.churn_rate for row in rows])],
            unit="%",
        ),
    )


def recommendation_table(data: dashboard.Recommendation) -> Table:
    def cells(label: Cell, row: dashboard.ScoreRow) -> list[Cell]:
        return [
            label,
            integer(row.scores),
            integer(row.promoters),
            integer(row.passives),
            integer(row.detractors),
            number(row.nps, places=1),
            percent(row.referral_rate),
        ]

    return Table(
        key="weiterempfehlung",
        title="Weiterempfehlung (NPS) je Monat",
        columns=[
            Column("Monat"),
            Column("Bewertungen", numeric=True),
            Column("Promotoren 9–10", numeric=True),
            Column("Passive 7–8", numeric=True),
            Column("Kritiker 0–6", numeric=True),
            Column("NPS", numeric=True),
            Column("Weiterempfehlungsquote (%)", numeric=True),
        ],
        rows=[cells(month(row.month), row) for row in data.months if row.month is not None],
        footer=cells(text("Zeitraum"), data.total),
        note=(
            "NPS = % Promotoren (9–10) − % Kritiker (0–6), von −100 bis 100. Weiterempfehlungsquote = Anteil der "
            "Bewertungen mit 9 oder 10. Jede im Kontakt erfasste Bewertung zählt einmal."
        ),
        chart=Chart(
            kind="line",
            labels=[format_month(row.month.year, row.month.month) for row in data.months if row.month is not None],
            datasets=[_series("NPS", [row.nps for row in data.months])],
        )
        if data.months
        else None,
    )


def interests_table(rows: list[dashboard.InterestRow]) -> Table:
    return Table(
        key="interessen",
        title="Interessen als Leads",
        columns=[Column("Interesse"), Column("im Zeitraum erfasst", numeric=True), Column("insgesamt", numeric=True)],
        rows=[[text(row.label), integer(row.in_period), integer(row.total)] for row in rows],
        chart=Chart(
            kind="bar",
            labels=[row.label for row in rows],
            datasets=[_series("im Zeitraum erfasst", [row.in_period for row in rows])],
        ),
    )


def leads_table(rows: list[dashboard.Lead]) -> Table:
    return Table(
        key="leads",
        title=f"Lead-Liste (die {dashboard.LEAD_LIMIT} neuesten Interessen im Zeitraum)",
        columns=[
            Column("Kundennummer"),
            Column("Name"),
            Column("Interesse"),
            Column("erfasst am"),
            Column("Telefon-Einwilligung"),
            Column("E-Mail-Einwilligung"),
        ],
        rows=[
            [
                text(row.customer_number),
                text(row.customer_name),
                text(row.kind_label),
                moment(row.noted_at),
                yes_no(row.phone_allowed),
                yes_no(row.email_allowed),
            ]
            for row in rows
        ],
        note="Angebote nur über Kanäle, für die eine Einwilligung vorliegt (§ 7 UWG).",
    )


def at_risk_table(rows: list[dashboard.AtRiskCustomer]) -> Table:
    return Table(
        key="gefaehrdet",
        title=f"Gefährdete Kunden (die {dashboard.AT_RISK_LIMIT} mit den meisten Punkten)",
        columns=[
            Column("Kundennummer"),
            Column("Name"),
            Column("Punkte", numeric=True),
            Column("Gründe"),
            Column("Telefon-Einwilligung"),
        ],
        rows=[
            [
                text(row.customer_number),
                text(row.name),
                integer(row.score),
                text("; ".join(row.reason_labels)),
                yes_no(row.phone_consent),
            ]
            for row in rows
        ],
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


# table key (in the URL: ?export=<key>) → (the Dashboard field it shows, its builder)
TABLES: dict[str, tuple[str, Callable[[Any], Table]]] = {
    "monate": ("series", months_table),
    "gruende": ("by_reason", reasons_table),
    "tarife": ("by_tariff", tariffs_table),
    "vertragsdauer": ("by_tenure", tenure_table),
    "preisaenderungen": ("price_changes", price_changes_table),
    "hoeflichkeitsanrufe": ("courtesy", courtesy_table),
    "ueberspringgruende": ("skip_reasons", skip_reasons_table),
    "bindung": ("retention", retention_table),
    "kanaele": ("contacts", channels_table),
    "kontaktfrequenz": ("contact_bands", contact_bands_table),
    "weiterempfehlung": ("recommendation", recommendation_table),
    "interessen": ("interests", interests_table),
    "leads": ("leads", leads_table),
    "gefaehrdet": ("at_risk", at_risk_table),
}


def build_tables(data: dashboard.Dashboard) -> dict[str, Table]:
    """Return every table of the dashboard by key."""
    return {key: build(getattr(data, attribute)) for key, (attribute, build) in TABLES.items()}
