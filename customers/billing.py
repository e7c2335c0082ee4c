"""Issue a bill (Jahres- oder Schlussrechnung): compute it with tariffs.domain.billing and store it as issued.

The bill runs from its start reading (the previous bill's end reading, or the contract's first reading) to the given
end reading. Inputs: the tariff's price versions as they apply to the contract (a price change whose notice was late
takes effect later for it: customers.models.PriceDeferral) and the VAT periods (customers.selectors.
get_contract_pricing), the 2023 relief months whose first day lies in the period (customers.relief), and the Abschläge
paid (installments with ``paid_at`` set and a due date in the period).

**December relief 2022 (EWSG).** ``compute_bill`` only knows the 2023 price brakes, whose relief is capped at the
cost of the 2023 days. The December relief is a fixed one-off amount that is not capped and not tied to consumption,
so it is added here, after ``compute_bill``: when the period contains 2022-12-01, the contract's December relief
(gas: a twelfth of the Sept-2022 forecast at the December price plus a twelfth of the base price; heat: 120 % of the
September Abschlag, or of the monthly average of the last billing period with fewer than 12 Abschläge a year; see
customers.relief) becomes its own RELIEF line "Dezember-Soforthilfe 2022", is included in ``Bill.relief_eur`` and
deducted from the balance. The December Abschlag was not collected (DOMAIN.md), so the installment of December 2022
counts with the amount actually paid (0 €) and the bill settles the difference.

Billed kWh are whole kWh: a fractional meter difference is rounded half-up (gas m³ are converted to whole kWh anyway).
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.db import transaction
from django.db.models import Sum
from kombu.exceptions import KombuError

from customers import relief, selectors, tasks
from customers.models import Bill, BillLine, Contract, Installment, MeterReading
from tariffs import selectors as tariff_selectors
from tariffs.domain import billing
from tariffs.domain.explanation import Step
from tariffs.domain.formatting import format_date, format_eur, format_kwh, format_number
from tariffs.domain.money import KWH, ZERO_EUR
from tariffs.domain.vat import Commodity

logger = logging.getLogger(__name__)

PAYMENT_TERM = timedelta(days=14)  # § 40c EnWG: a Guthaben is paid out within two weeks; a Nachzahlung is due alike
DECEMBER_2022 = date(2022, 12, 1)
JANUARY_2023 = date(2023, 1, 1)
_UNITS = {
    billing.LineKind.WORKING_PRICE: "kWh",
    billing.LineKind.BASE_PRICE: "Tage",
    billing.LineKind.RELIEF: "Monate",
}


class BillingError(Exception):
    """Base class: a bill cannot be issued for the given data (the message is German, for staff)."""


class ReadingOfAnotherContract(BillingError):
    def __init__(self) -> None:
        super().__init__("Der Zählerstand gehört nicht zu diesem Vertrag.")


class NoStartReading(BillingError):
    def __init__(self) -> None:
        super().__init__("Für diesen Vertrag gibt es keinen Anfangszählerstand.")


class EmptyBillPeriod(BillingError):
    def __init__(self, *, start_date: date, end_date: date) -> None:
        super().__init__(
            f"Der Zählerstand vom {format_date(end_date)} liegt nicht nach dem Anfang des Abrechnungszeitraums "
            f"({format_date(start_date)})."
        )


class ReadingUnderReview(BillingError):
    def __init__(self) -> None:
        super().__init__(
            "Der Zählerstand ist zur Prüfung markiert (unplausibel). Bitte prüfen Sie ihn, bevor Sie abrechnen."
        )


class ReadingBelowStart(BillingError):
    def __init__(self) -> None:
        super().__init__("Der Endzählerstand ist niedriger als der Anfangszählerstand.")


@transaction.atomic
def issue_bill(
    *, contract: Contract, end_reading: MeterReading, issued_date: date, kind: str = Bill.Kind.ANNUAL
) -> Bill:
    """Compute and store the bill that ends with ``end_reading``; return the stored bill.

    Idempotent per (contract, end reading): a bill that exists already is returned unchanged. The PDF is rendered
    by a Celery task after commit (and on first download if that task did not run).

    :raises ReadingOfAnotherContract: if the end reading belongs to another contract.
    :raises ReadingUnderReview: if the end reading is flagged as implausible and not checked yet.
    :raises NoStartReading: if the contract has no reading to start from.
    :raises EmptyBillPeriod: if the end reading is not after the start reading.
    :raises ReadingBelowStart: if the end reading is lower than the start reading.
    :raises NoPriceOnDate: if the tariff has no price for part of the period (tariffs.domain.prices).
    """
    if end_reading.contract_id != contract.pk:
        raise ReadingOfAnotherContract
    if end_reading.is_flagged:
        raise ReadingUnderReview
    # Lock the contract so that two calls for one contract run one after the other (idempotence, numbering).
    contract = Contract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    existing = Bill.objects.filter(contract=contract, end_reading=end_reading).first()
    if existing is not None:
        return existing

    previous = contract.bills.select_related("end_reading").order_by("-period_end", "-id").first()
    start_reading = (
        previous.end_reading if previous is not None else contract.readings.order_by("read_date", "id").first()
    )
    if start_reading is None:
        raise NoStartReading
    if end_reading.read_date <= start_reading.read_date:
        raise EmptyBillPeriod(start_date=start_reading.read_date, end_date=end_reading.read_date)
    if end_reading.value < start_reading.value:
        raise ReadingBelowStart
    start_date, end_date = start_reading.read_date, end_reading.read_date
    consumption = selectors.to_kwh(contract=contract, meter_delta=end_reading.value - start_reading.value).quantize(
        KWH, rounding=ROUND_HALF_UP
    )

    pricing = selectors.get_contract_pricing(contract)
    commodity = Commodity(contract.commodity)
    contract_relief = relief.get_contract_relief(
        contract=contract,
        pricing=pricing,
        schemes=tariff_selectors.get_price_brake_schemes(),
        advances=relief.get_advances(contract) if commodity is Commodity.HEAT else None,
    )
    relief_months = (
        contract_relief.schedule.relief_by_month(from_date=start_date, to_date=end_date)
        if contract_relief.schedule is not None
        else ()
    )
    advances = Installment.objects.filter(
        contract=contract, paid_at__isnull=False, due_date__gte=start_date, due_date__lt=end_date
    ).aggregate(total=Sum("amount_eur"))["total"] or Decimal("0.00")

    computed = billing.compute_bill(
        commodity=commodity,
        start_date=start_date,
        end_date=end_date,
        consumption_kwh=consumption,
        price_versions=pricing.versions(tariff_id=contract.tariff_id, contract_id=contract.pk),
        vat_periods=pricing.vat_periods,
        relief_by_month=relief_months,
        advances_paid_eur=advances,
        basic_supply=contract.is_basic_supply,
    )
    december = contract_relief.december_amount_eur if start_date <= DECEMBER_2022 < end_date else None
    relief_total = computed.relief_total_eur + (december or ZERO_EUR)
    balance = computed.gross_total_eur - relief_total - advances

    bill = Bill.objects.create(
        contract=contract,
        # a unique placeholder until the primary key gives the number (R<year>-<id>, unique without a counter row)
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        kind=kind,
        period_start=start_date,
        period_end=end_date,
        start_reading=start_reading,
        end_reading=end_reading,
        consumption_kwh=consumption,
        previous_consumption_kwh=previous.consumption_kwh if previous is not None else None,
        net_eur=computed.net_total_eur,
        vat_eur=computed.vat_total_eur,
        gross_eur=computed.gross_total_eur,
        relief_eur=relief_total,
        relief_quota_kwh=contract_relief.quota_kwh_year if relief_months else None,
        advances_eur=advances,
        balance_eur=balance,
        issued_date=issued_date,
        due_date=issued_date + PAYMENT_TERM,
        explanation=[
            {"text": step.text, "formula": step.formula}
            for step in _explain(
                contract=contract,
                start_reading=start_reading,
                end_reading=end_reading,
                computed=computed,
                december=december,
                balance=balance,
            )
        ],
    )
    bill.number = f"R{issued_date.year}-{bill.pk:06d}"
    bill.save(update_fields=["number"])
    BillLine.objects.bulk_create(_lines(bill=bill, computed=computed, december=december, commodity=commodity))
    transaction.on_commit(partial(_enqueue_pdf, bill_id=bill.pk))
    return bill


def _lines(*, bill: Bill, computed: billing.Bill, december: Decimal | None, commodity: Commodity) -> list[BillLine]:
    rows = list(computed.lines)
    if december is not None:
        december_line = billing.BillLine(
            billing.LineKind.RELIEF, DECEMBER_2022, JANUARY_2023, Decimal(1), None, None, -december
        )
        # chronological: the December relief before the 2023 price-brake line, after the price lines
        rows.insert(len(computed.price_lines), december_line)
    lines = []
    for position, line in enumerate(rows, start=1):
        if line.kind is billing.LineKind.RELIEF and line.from_date == DECEMBER_2022 and december is not None:
            label = f"Dezember-Soforthilfe 2022 ({commodity.name_de})"
            unit = "Monat"
        else:
            label = line.label
            unit = "Monat" if line.kind is billing.LineKind.RELIEF and line.quantity == 1 else _UNITS[line.kind]
        lines.append(
            BillLine(
                bill=bill,
                position=position,
                kind=str(line.kind),
                label=label,
                from_date=line.from_date,
                to_date=line.to_date,
                quantity=line.quantity,
                unit=unit,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                amount_eur=line.amount_eur,
            )
        )
    return lines


def _explain(
    *,
    contract: Contract,
    start_reading: MeterReading,
    end_reading: MeterReading,
    computed: billing.Bill,
    december: Decimal | None,
    balance: Decimal,
) -> list[Step]:
    """Return the domain's steps with the readings added and, with a December relief, the closing steps redone."""
    steps = list(computed.explanation)
    steps.insert(1, _readings_step(contract=contract, start=start_reading, end=end_reading, computed=computed))
    if december is None:
        return steps
    # The domain's last two steps deduct the Abschläge from the amount due without the December relief: replace them.
    steps = steps[:-2]
    amount_due = computed.amount_due_eur - december
    steps.append(
        Step(
            text=(
                "Für Dezember 2022 hat der Staat Ihnen einen Abschlag erlassen (Dezember-Soforthilfe): "
                f"{format_eur(december)}. Den Dezember-Abschlag haben wir dafür nicht eingezogen; hier rechnen wir "
                "die Soforthilfe genau ab und ziehen sie ab."
            ),
            formula=f"{format_eur(computed.amount_due_eur)} − {format_eur(december)} = {format_eur(amount_due)}",
            amount=amount_due,
        )
    )
    steps.append(
        Step(
            text=(
                "Ihre Abschläge (die monatlichen Teilzahlungen), die Sie schon gezahlt haben, ziehen wir ab: "
                f"zusammen {format_eur(computed.advances_paid_eur)}."
            ),
            formula=f"{format_eur(amount_due)} − {format_eur(computed.advances_paid_eur)} = {format_eur(balance)}",
            amount=balance,
        )
    )
    if balance > 0:
        closing = f"Es bleibt eine Nachzahlung: Bitte zahlen Sie {format_eur(balance)} nach."
    elif balance < 0:
        closing = (
            f"Sie haben ein Guthaben: Sie bekommen {format_eur(-balance)} zurück. Wir zahlen es innerhalb von zwei "
            "Wochen aus oder verrechnen es mit dem nächsten Abschlag."
        )
    else:
        closing = "Ihre Abschläge decken die Kosten genau. Sie müssen nichts nachzahlen und bekommen nichts zurück."
    steps.append(Step(text=closing, amount=balance))
    return steps


def _readings_step(*, contract: Contract, start: MeterReading, end: MeterReading, computed: billing.Bill) -> Step:
    unit = contract.get_meter_unit_display()

    def described(reading: MeterReading) -> str:
        how = "geschätzt" if reading.is_estimate else f"abgelesen: {reading.get_source_display()}"
        return f"{format_number(reading.value)} {unit} am {format_date(reading.read_date)} ({how})"

    delta = end.value - start.value
    text = f"Ihr Zähler zeigte {described(start)} und {described(end)}."
    formula = f"{format_number(end.value)} − {format_number(start.value)} = {format_number(delta)} {unit}"
    if contract.meter_unit == Contract.MeterUnit.CUBIC_METRE:
        factor = contract.gas_state_factor or Decimal("0.9500")
        calorific = contract.gas_calorific_value or Decimal("11.000")
        text += (
            " Gaszähler messen Kubikmeter. In Kilowattstunden rechnen wir mit der Zustandszahl (Druck und Temperatur) "
            "und dem Brennwert (Energie je Kubikmeter) um."
        )
        formula += (
            f"; {format_number(delta)} m³ × {format_number(factor, max_places=4)} × {format_number(calorific)} "
            f"≈ {format_kwh(computed.consumption_kwh)}"
        )
    if start.is_estimate or end.is_estimate:
        text += " Ein geschätzter Stand ist vorläufig: Melden Sie uns gern den tatsächlichen Stand."
    return Step(text=text, formula=formula)


def _enqueue_pdf(*, bill_id: int) -> None:
    """Queue the PDF rendering; if the broker is unreachable the PDF is rendered on the first download instead."""
    try:
        tasks.render_bill_pdf.delay(bill_id=bill_id)
    except (KombuError, OSError):  # broker down, or the filesystem broker's folder not created yet
        logger.warning("could not queue the PDF of bill %s; it will be rendered on first download", bill_id)
