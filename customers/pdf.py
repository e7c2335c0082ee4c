"""The bill as a PDF (reportlab), in German, cached as MEDIA_ROOT/bills/<number>.pdf.

Rendered once, eagerly by the Celery task ``customers.render_bill_pdf`` right after the bill is issued, or on the
first download if that has not happened; every later download streams the file. A stored bill never changes, so the
cached file never goes stale. The page streams are not compressed (``pageCompression=0``): a bill is a few kB
either way, and the bill number stays findable in the file (support staff grep for it; the tests check it).

Font: Bitstream Vera, which ships with reportlab, so "€", "−", "≈" and the umlauts print on every installation.

What the supplier must state (§ 14 Abs. 4 UStG: full name and address, Steuernummer or USt-IdNr.) and how to pay
(the utility's account and the bill number as payment reference, or the SEPA mandate the amount is debited under)
come from the utility's master data in settings (UTILITY_*), see ``Supplier`` and ``PaymentDetails``; the HTML bill
shows the same.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from schwifty import IBAN

from customers import bill_selectors
from customers.models import Bill, SepaMandate
from tariffs.domain.formatting import format_ct, format_date, format_eur, format_kwh, format_number, format_percent

logger = logging.getLogger(__name__)

_VAT_ID = re.compile(r"^[A-Z]{2}")  # a USt-IdNr. starts with the country code; a Steuernummer has digits only
_SAFE_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")
_FONT, _FONT_BOLD = "Vera", "VeraBd"
_GREY = colors.HexColor("#555555")


@dataclass(frozen=True, slots=True)
class Supplier:
    """The utility as the bill and the SEPA mandate name it (settings UTILITY_*)."""

    name: str
    address: str
    phone: str
    email: str
    tax_id: str
    creditor_id: str
    iban: str
    bic: str

    @property
    def tax_id_label(self) -> str:
        return "USt-IdNr." if _VAT_ID.match(self.tax_id) else "Steuernummer"

    @property
    def iban_formatted(self) -> str:
        """Return the IBAN in groups of four, as printed for transfers."""
        return IBAN(self.iban).formatted


def get_supplier() -> Supplier:
    """Return the utility's master data from settings (no query)."""
    return Supplier(
        name=settings.UTILITY_NAME,
        address=settings.UTILITY_ADDRESS,
        phone=settings.UTILITY_PHONE,
        email=settings.UTILITY_EMAIL,
        tax_id=settings.UTILITY_TAX_ID,
        creditor_id=settings.UTILITY_CREDITOR_ID,
        iban=settings.UTILITY_IBAN,
        bic=settings.UTILITY_BIC,
    )


@dataclass(frozen=True, slots=True)
class PaymentDetails:
    """How a bill's balance is settled: by SEPA direct debit under the customer's active mandate, or by transfer."""

    supplier: Supplier
    mandate_reference: str | None = None
    mandate_masked_iban: str | None = None

    @property
    def has_mandate(self) -> bool:
        return self.mandate_reference is not None


def get_payment_details(*, customer_id: int) -> PaymentDetails:
    """Return the supplier data and the customer's active SEPA mandate, if any (1 query)."""
    mandate = (
        SepaMandate.objects.filter(customer_id=customer_id, revoked_at__isnull=True)
        .order_by("-signed_at", "-pk")
        .first()
    )
    if mandate is None:
        return PaymentDetails(supplier=get_supplier())
    return PaymentDetails(
        supplier=get_supplier(), mandate_reference=mandate.reference, mandate_masked_iban=mandate.masked_iban
    )


def payment_reference(detail: bill_selectors.BillDetail) -> str:
    """Return the Verwendungszweck for a transfer: the bill number first (what bookkeeping matches on)."""
    return f"Rechnung {detail.number}, Kundennummer {detail.customer_number}"


class UnsafeBillNumber(ValueError):
    """A bill number that cannot be a file name (it would leave MEDIA_ROOT/bills)."""


def pdf_path(number: str) -> Path:
    """Return where the bill's PDF is cached.

    :raises UnsafeBillNumber: if the number has characters other than letters, digits and hyphens.
    """
    if not _SAFE_NUMBER.match(number):
        raise UnsafeBillNumber(number)
    return Path(settings.MEDIA_ROOT) / "bills" / f"{number}.pdf"


def ensure_bill_pdf(*, bill: Bill) -> Path:
    """Return the path of the bill's PDF, rendering and caching it first if it is not there yet (idempotent)."""
    path = pdf_path(bill.number)
    if path.exists():
        return path
    detail = bill_selectors.get_bill_detail_by_id(bill_id=bill.pk)
    assert detail is not None  # the bill was just loaded
    # The payment note states the mandate as of rendering, i.e. as the bill was issued (rendered right after).
    content = render_bill_pdf(detail, payment=get_payment_details(customer_id=bill.contract.customer_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file and rename: a reader never sees half a PDF, and two renderers cannot clash.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".render-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, settings.FILE_UPLOAD_PERMISSIONS or 0o644)  # mkstemp creates 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    logger.info("rendered the PDF of bill %s", bill.pk)
    return path


def _register_fonts() -> None:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT, "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(_FONT_BOLD, "VeraBd.ttf"))


def _text(value: str) -> str:
    """Escape for a Paragraph (Vera has no arrow glyph, so "→" is written "->")."""
    return escape(value.replace("→", "->"))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=_FONT, fontSize=9, leading=12)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=_GREY),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "title": ParagraphStyle("title", parent=base, fontName=_FONT_BOLD, fontSize=15, leading=19, spaceAfter=2),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=_FONT_BOLD, fontSize=11, leading=14, spaceBefore=9, spaceAfter=4
        ),
        "bold": ParagraphStyle("bold", parent=base, fontName=_FONT_BOLD),
        "formula": ParagraphStyle("formula", parent=base, fontSize=8, leading=10.5, textColor=_GREY, leftIndent=12),
    }


def _table(
    rows: list[list[object]], widths: list[float], *, header: bool = True, right: tuple[int, ...] = ()
) -> Table:
    """Return a table; the columns in ``right`` (amounts) are right-aligned."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), _FONT, 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (column, 0), (column, -1), "RIGHT") for column in right]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), _FONT_BOLD, 8.5),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ]
    table.setStyle(TableStyle(style))
    return table


def _reading_cell(reading: bill_selectors.ReadingRow) -> str:
    return "geschätzt *" if reading.is_estimate else reading.source_label


def _payment_story(
    detail: bill_selectors.BillDetail, payment: PaymentDetails, styles: dict[str, ParagraphStyle], width: float
) -> list[object]:
    """Return what the customer has to do about the balance: nothing (debit, credit) or a transfer with our account."""
    supplier = payment.supplier
    if detail.is_additional_payment and payment.has_mandate:
        text = (
            f"Nachzahlung: {format_eur(detail.balance_eur)} – wir buchen den Betrag zum "
            f"{format_date(detail.due_date)} per SEPA-Lastschrift von Ihrem Konto {payment.mandate_masked_iban} ab "
            f"(Mandatsreferenz {payment.mandate_reference}, Gläubiger-Identifikationsnummer {supplier.creditor_id}). "
            "Sie müssen nichts tun; bitte sorgen Sie für Deckung."
        )
        return [Paragraph(_text(text), styles["bold"])]
    if detail.is_additional_payment:
        rows = [
            ["Empfänger", supplier.name],
            ["IBAN", supplier.iban_formatted],
            ["BIC", supplier.bic],
            ["Verwendungszweck", payment_reference(detail)],
            ["Betrag", format_eur(detail.balance_eur)],
        ]
        table = _table(
            [[label, Paragraph(_text(value), styles["base"])] for label, value in rows],
            [35 * mm, width - 35 * mm],
            header=False,
        )
        text = (
            f"Nachzahlung: {format_eur(detail.balance_eur)} – bitte überweisen Sie den Betrag bis "
            f"{format_date(detail.due_date)} auf unser Konto:"
        )
        note = (
            "Lieber bequem per Lastschrift? Ein SEPA-Lastschriftmandat erteilen Sie im Kundenportal unter "
            "„Bankverbindung“."
        )
        return [
            Paragraph(_text(text), styles["bold"]),
            Spacer(1, 1.5 * mm),
            table,
            Paragraph(_text(note), styles["small"]),
        ]
    if detail.is_credit:
        text = (
            f"Guthaben: {format_eur(detail.balance_abs_eur)} – wir zahlen es bis {format_date(detail.due_date)} aus "
            "oder verrechnen es mit dem nächsten Abschlag."
        )
    else:
        text = "Ihre Abschläge decken die Kosten genau: Sie müssen nichts nachzahlen."
    return [Paragraph(_text(text), styles["bold"])]


def render_bill_pdf(detail: bill_selectors.BillDetail, *, payment: PaymentDetails | None = None) -> bytes:
    """Return the bill as PDF bytes (A4, German; DOMAIN.md, annual bill: what a bill shows).

    ``payment``: the supplier data and the customer's mandate; without it, the bill assumes no mandate.
    """
    payment = payment or PaymentDetails(supplier=get_supplier())
    supplier = payment.supplier
    _register_fonts()
    styles = _styles()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=26 * mm,  # room for the four footer lines (supplier, contact, bank, page)
        title=f"{detail.kind_label} {detail.number}",
        author=supplier.name,
        subject=f"{detail.kind_label} {detail.commodity_label}, Rechnungsnummer {detail.number}",
        lang="de-DE",
        invariant=1,
        pageCompression=0,
    )
    width = A4[0] - document.leftMargin - document.rightMargin
    story: list[object] = []
    p = Paragraph

    # --- letterhead: address block left, bill data right
    address = p(
        f'<font size="7" color="#555555">{_text(f"{supplier.name} · {supplier.address}")}</font><br/><br/>'
        + "<br/>".join(_text(part) for part in (detail.customer_name, *detail.customer_address)),
        styles["base"],
    )
    facts = [
        ("Rechnungsnummer", detail.number),
        ("Rechnungsdatum", format_date(detail.issued_date)),
        ("Kundennummer", detail.customer_number),
        ("Vertragsnummer", detail.contract_number),
        ("fällig am", format_date(detail.due_date)),
    ]
    facts_table = _table([[label, value] for label, value in facts], [32 * mm, 32 * mm], header=False, right=(1,))
    letterhead = Table([[address, facts_table]], colWidths=[width - 66 * mm, 66 * mm], hAlign="LEFT")
    letterhead.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [letterhead, Spacer(1, 10 * mm)]

    story.append(p(_text(f"{detail.kind_label} {detail.commodity_label} – Rechnung {detail.number}"), styles["title"]))
    story.append(
        p(
            _text(f"Abrechnungszeitraum {format_date(detail.period_start)} bis {format_date(detail.period_last_day)}"),
            styles["base"],
        )
    )

    # --- the result first, as people look for it, with what to do about it
    story += [Spacer(1, 4 * mm), *_payment_story(detail, payment, styles, width)]

    # --- contract
    story.append(p("Ihr Vertrag", styles["heading"]))
    next_cancellation = (
        format_date(detail.next_cancellation_date) if detail.next_cancellation_date else "Vertrag ist bereits beendet"
    )
    contract_rows = [
        ["Tarif", f"{detail.tariff_name} ({'Grundversorgung' if detail.is_basic_supply else 'Sondervertrag'})"],
        ["Lieferstelle", detail.supply_address],
        ["Marktlokations-ID", detail.malo_id],
        ["Zählernummer", detail.meter_number],
        ["Nächstmöglicher Kündigungstermin", next_cancellation],
    ]
    contract_table = [[label, p(_text(value), styles["base"])] for label, value in contract_rows]
    story.append(_table(contract_table, [62 * mm, width - 62 * mm], header=False))

    # --- readings and consumption
    story.append(p("Zählerstände und Verbrauch", styles["heading"]))
    unit = detail.meter_unit
    reading_rows: list[list[object]] = [["Datum", f"Zählerstand ({unit})", "ermittelt durch"]]
    for reading in (detail.start_reading, detail.end_reading):
        reading_rows.append([format_date(reading.read_date), format_number(reading.value), _reading_cell(reading)])
    reading_rows.append(["Differenz", format_number(detail.meter_difference), ""])
    story.append(_table(reading_rows, [35 * mm, 40 * mm, 50 * mm], right=(1,)))
    notes = []
    if detail.start_reading.is_estimate or detail.end_reading.is_estimate:
        notes.append("* geschätzter Zählerstand: vorläufig, bitte melden Sie uns den tatsächlichen Stand.")
    if detail.gas_state_factor is not None and detail.gas_calorific_value is not None:
        notes.append(
            f"Umrechnung: {format_number(detail.meter_difference)} m³ × Zustandszahl "
            f"{format_number(detail.gas_state_factor, max_places=4)} × Brennwert "
            f"{format_number(detail.gas_calorific_value)} kWh/m³ = {format_kwh(detail.consumption_kwh)}"
        )
    comparison = f"Verbrauch in diesem Zeitraum: {format_kwh(detail.consumption_kwh)}"
    if detail.previous_consumption_kwh is not None:
        comparison += f"; im Vorjahreszeitraum: {format_kwh(detail.previous_consumption_kwh)}"
        change = detail.consumption_change
        if change is not None and change != 0:
            direction = "mehr" if change > 0 else "weniger"
            comparison += f" ({format_number(detail.consumption_change_percent or Decimal(0))} % {direction})"
    story.append(Spacer(1, 2 * mm))
    story.append(p(_text(comparison), styles["base"]))
    story += [p(_text(note), styles["small"]) for note in notes]

    # --- lines
    story.append(p("Rechnungspositionen", styles["heading"]))
    line_rows: list[list[object]] = [["Position", "Menge", "Preis netto", "USt", "Betrag"]]
    for line in detail.price_lines:
        if line.is_working_price:
            quantity, price = format_kwh(line.quantity), format_ct(line.unit_price or Decimal(0))
        else:
            quantity, price = (
                f"{format_number(line.quantity)} Tage",
                f"{format_eur(line.unit_price or Decimal(0))}/Jahr",
            )
        rate = format_percent(line.vat_rate) if line.vat_rate is not None else ""
        line_rows.append([p(_text(line.label), styles["base"]), quantity, price, rate, format_eur(line.amount_eur)])
    line_rows.append([p("Summe netto", styles["bold"]), "", "", "", format_eur(detail.net_eur)])
    for vat in detail.vat_rows:
        line_rows.append(
            [
                p(_text(f"Umsatzsteuer {format_percent(vat.rate)} auf {format_eur(vat.net_eur)}"), styles["base"]),
                "",
                "",
                "",
                format_eur(vat.vat_eur),
            ]
        )
    line_rows.append([p("Rechnungsbetrag brutto", styles["bold"]), "", "", "", format_eur(detail.gross_eur)])
    for line in detail.relief_lines:
        months = f"{format_number(line.quantity)} {line.unit}"
        line_rows.append([p(_text(line.label), styles["base"]), months, "", "", format_eur(line.amount_eur)])
    line_rows.append(
        [
            p("abzüglich gezahlte Abschläge (brutto)", styles["base"]),
            "",
            "",
            "",
            format_eur(detail.advances_deducted_eur),
        ]
    )
    label = "Nachzahlung" if detail.is_additional_payment else "Guthaben" if detail.is_credit else "Saldo"
    line_rows.append([p(label, styles["bold"]), "", "", "", format_eur(detail.balance_abs_eur)])
    lines_table = _table(line_rows, [width - 110 * mm, 27 * mm, 30 * mm, 18 * mm, 35 * mm], right=(1, 2, 3, 4))
    lines_table.setStyle(
        TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black), ("FONT", (0, -1), (-1, -1), _FONT_BOLD, 8.5)])
    )
    story.append(lines_table)

    # --- relief
    if detail.relief_eur:
        relief_parts = [f"Entlastung insgesamt: {format_eur(detail.relief_eur)}."]
        if detail.relief_quota_year_kwh is not None and detail.relief_quota_period_kwh is not None:
            relief_parts.append(
                f"Ihr Entlastungskontingent (Preisbremse 2023) beträgt {format_kwh(detail.relief_quota_year_kwh)} im "
                f"Jahr. Auf diese Rechnung entfallen {detail.relief_months} "
                f"{'Monat' if detail.relief_months == 1 else 'Monate'}, also "
                f"{format_kwh(detail.relief_quota_period_kwh)} = "
                f"{format_number(detail.relief_quota_share_percent or Decimal(0))} % des vollen Kontingents."
            )
        relief_parts.append("Die Entlastung zahlt der Staat; sie ist keine Preisänderung.")
        story.append(p("Entlastung", styles["heading"]))
        story.append(p(_text(" ".join(relief_parts)), styles["base"]))

    # --- explanation
    if detail.explanation:
        steps = [p("So haben wir gerechnet", styles["heading"])]
        for index, step in enumerate(detail.explanation, start=1):
            steps.append(p(_text(f"{index}. {step.text}"), styles["base"]))
            if step.formula:
                steps.append(p(_text(step.formula), styles["formula"]))
            steps.append(Spacer(1, 1.5 * mm))
        story.append(KeepTogether(steps[:3]))
        story += steps[3:]

    story += [
        Spacer(1, 6 * mm),
        p(
            _text(
                f"Fragen zur Rechnung? Kundenservice: Telefon {supplier.phone} (Mo–Fr 8–18 Uhr), E-Mail "
                f"{supplier.email}. Ihre Rechnungen finden Sie auch im Kundenportal unter „Rechnungen“. Wir bewahren "
                "Rechnungen acht Jahre auf."
            ),
            styles["small"],
        ),
    ]
    # The supplier's particulars on every page (§ 14 Abs. 4 Nr. 1 and 2 UStG), with our account and creditor ID.
    footer_lines = (
        f"{supplier.name} · {supplier.address} · {supplier.tax_id_label} {supplier.tax_id}",
        f"Telefon {supplier.phone} · E-Mail {supplier.email}",
        f"Bankverbindung: IBAN {supplier.iban_formatted} · BIC {supplier.bic} · Gläubiger-ID {supplier.creditor_id}",
    )

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_FONT, 7)
        canvas.setFillColor(_GREY)
        for index, line in enumerate((*footer_lines, f"Rechnung {detail.number} · Seite {doc.page}")):
            canvas.drawString(document.leftMargin, (16 - 3.3 * index) * mm, line)
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
