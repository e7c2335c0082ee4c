"""The annual or final bill (Jahres- / Schlussrechnung) for one contract and one period.

Rules (DOMAIN.md, annual bill), in calculation order:

1. The period [start_date, end_date) runs from the first reading to the last; it is cut at every price-version and
   VAT boundary into segments.
2. The measured consumption is split linearly by days, in whole kWh: the kWh up to each inner boundary are rounded
   half-up to whole kWh and each segment gets the difference; the last segment gets the remainder, so the segments
   add up exactly to the measured consumption and none is negative (see :func:`split_by_days`).
3. Per segment a working-price line (kWh × net ct/kWh ÷ 100) and a base-price line (net €/year × days ÷ 365,
   **Decision** in DOMAIN.md), each rounded half-up to the cent.
4. VAT per rate on the net sum of the lines at that rate, half-up to the cent; gross total = net total + VAT.
5. Relief 2023 is deducted from the gross total. **Decision:** the state pays the Entlastungsbetrag as "Entgelt von
   dritter Seite", so VAT is due on the full price and the relief comes off after VAT. It is capped at the gross
   cost of the bill's days in the relief year (each segment's gross amount pro rata by days, summed, rounded half-up
   to the cent once; never above the bill's gross total). A month's relief belongs to the bill whose period
   contains the month's first day, so consecutive bills never count a month twice.
6. Abschläge paid (gross) are deducted: balance > 0 is a Nachzahlung, < 0 a Guthaben, 0 settled.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple

from tariffs.domain.explanation import Explanation, Step
from tariffs.domain.formatting import (
    equals_sign,
    format_ct,
    format_date,
    format_days,
    format_eur,
    format_kwh,
    format_percent,
)
from tariffs.domain.money import CENT, DAYS_PER_YEAR, HUNDRED, KWH, ZERO, ZERO_EUR, BalanceKind, balance_kind
from tariffs.domain.prices import NoPriceOnDate, PriceVersion
from tariffs.domain.vat import DEFAULT_VAT_PERIODS, Commodity, NoVatRate, VatPeriod, commodity_periods

RELIEF_PERIOD_2023 = (date(2023, 1, 1), date(2024, 1, 1))
_ONE_DAY = timedelta(days=1)
_new_row = tuple.__new__  # builds a NamedTuple row in C, positionally
_DAY_COUNTS = tuple(Decimal(days) for days in range(367))  # Decimal(days) for line quantities, built once


class EmptyBillPeriod(ValueError):
    """The bill period must end after it starts."""


class NegativeConsumption(ValueError):
    """The consumption of a bill period cannot be negative."""


class ReliefMonthOutsideBill(ValueError):
    """A relief month was passed whose first day is not in the bill period."""


class LineKind(StrEnum):
    WORKING_PRICE = "WORKING_PRICE"
    BASE_PRICE = "BASE_PRICE"
    RELIEF = "RELIEF"


# Reading an enum member costs about 0.2 µs on Python 3.11; the calculation uses these aliases.
_WORKING_PRICE, _BASE_PRICE, _RELIEF = LineKind.WORKING_PRICE, LineKind.BASE_PRICE, LineKind.RELIEF


class BillLine(NamedTuple):
    """One line of a bill over the half-open period [from_date, to_date).

    Rows are immutable ``NamedTuple``s rather than frozen dataclasses: a bill has four to seven of them, and a
    NamedTuple is built in C about three times faster (see benchmarks/bench_tariffs.py).

    - WORKING_PRICE: ``quantity`` kWh × ``unit_price`` net ct/kWh; ``amount_eur`` is net.
    - BASE_PRICE: ``quantity`` days × ``unit_price`` net €/year ÷ 365; ``amount_eur`` is net.
    - RELIEF: ``quantity`` relief months; ``amount_eur`` is the (negative) deduction from the gross total, so
      ``unit_price`` and ``vat_rate`` are None.
    """

    kind: LineKind
    from_date: date
    to_date: date
    quantity: Decimal
    unit_price: Decimal | None
    vat_rate: Decimal | None
    amount_eur: Decimal

    @property
    def last_day(self) -> date:
        """Return the last day the line covers (``to_date`` is exclusive)."""
        return self.to_date - _ONE_DAY

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days

    @property
    def label(self) -> str:
        """Return the German label, e.g. "Arbeitspreis 01.01.2023–30.06.2023"."""
        span = f"{format_date(self.from_date)}–{format_date(self.last_day)}"
        if self.kind is LineKind.WORKING_PRICE:
            return f"Arbeitspreis {span}"
        if self.kind is LineKind.BASE_PRICE:
            return f"Grundpreis {span}"
        return f"Entlastung Preisbremse {span}"


class VatSubtotal(NamedTuple):
    """The net amount of the lines at one VAT rate and the VAT on it (a row, see :class:`BillLine`)."""

    rate: Decimal
    net_eur: Decimal
    vat_eur: Decimal


class Bill(NamedTuple):
    """An annual or final bill. The amounts add up: see the module docstring.

    An immutable row (``NamedTuple``) like its lines: one is built per bill, and a tuple is built in C.
    """

    commodity: Commodity
    start_date: date
    end_date: date
    consumption_kwh: Decimal
    basic_supply: bool
    lines: tuple[BillLine, ...]
    vat_subtotals: tuple[VatSubtotal, ...]
    net_total_eur: Decimal
    vat_total_eur: Decimal
    gross_total_eur: Decimal
    relief_claimed_eur: Decimal
    relief_cap_eur: Decimal | None
    relief_total_eur: Decimal
    advances_paid_eur: Decimal
    balance_eur: Decimal

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days

    @property
    def price_lines(self) -> tuple[BillLine, ...]:
        """Return the working- and base-price lines (without the relief line)."""
        return tuple(line for line in self.lines if line.kind is not LineKind.RELIEF)

    @property
    def amount_due_eur(self) -> Decimal:
        """Return the gross total after relief, before the Abschläge."""
        return self.gross_total_eur - self.relief_total_eur

    @property
    def kind(self) -> BalanceKind:
        return balance_kind(self.balance_eur)

    @property
    def is_additional_payment(self) -> bool:
        """Tell whether the customer has to pay (Nachzahlung)."""
        return self.balance_eur > ZERO

    @property
    def is_credit(self) -> bool:
        """Tell whether the customer gets money back (Guthaben)."""
        return self.balance_eur < ZERO

    @property
    def explanation(self) -> Explanation:
        """Explain the bill in German, line by line."""
        return _explain_bill(self)


def gas_kwh(*, m3: Decimal, zustandszahl: Decimal, brennwert: Decimal) -> Decimal:
    """Convert a gas volume to energy: m³ × Zustandszahl × Brennwert (kWh/m³), rounded half-up to whole kWh."""
    return (m3 * zustandszahl * brennwert).quantize(KWH, ROUND_HALF_UP)


def split_by_days(*, consumption_kwh: Decimal, segment_days: Sequence[int]) -> tuple[Decimal, ...]:
    """Split a consumption linearly by days into whole kWh that add up exactly to the consumption.

    The kWh up to each inner boundary are rounded half-up to whole kWh (never beyond the consumption's whole kWh) and
    each segment gets the difference; the last segment takes the remainder, including any fraction of a kWh the
    measured consumption has. Rounding the running total, rather than each segment on its own, keeps every
    segment ≥ 0 and the sum exact.
    """
    total_days = sum(segment_days)
    whole_kwh = consumption_kwh.to_integral_value(ROUND_FLOOR)
    parts = []
    done_days = 0
    done_kwh = ZERO
    for days in segment_days[:-1]:
        done_days += days
        upto = (consumption_kwh * done_days / total_days).quantize(KWH, ROUND_HALF_UP)
        if whole_kwh < upto:  # min(upto, whole_kwh)
            upto = whole_kwh
        parts.append(upto - done_kwh)
        done_kwh = upto
    parts.append(consumption_kwh - done_kwh)
    return tuple(parts)


def _claimed_relief(relief_pairs: tuple[tuple[date, Decimal], ...], start_date: date, end_date: date) -> Decimal:
    """Return the sum of the relief amounts after checking that every month starts within the bill period.

    :raises ReliefMonthOutsideBill: if a month does not.
    """
    claimed = ZERO_EUR
    try:  # the usual case in one pass
        for month, amount in relief_pairs:
            if month < start_date or month >= end_date:
                break
            claimed += amount
        else:
            return claimed
    except Exception:  # noqa: BLE001, S110 (invalid input: the checks below raise as they always did)
        pass
    relief_months, relief_amounts = zip(*relief_pairs, strict=True)
    if min(relief_months) < start_date or max(relief_months) >= end_date:
        raise ReliefMonthOutsideBill(
            f"relief months {min(relief_months)} … {max(relief_months)} are not all in "
            f"{start_date.isoformat()} … {end_date.isoformat()}"
        )
    return sum(relief_amounts, ZERO_EUR)


def compute_bill(
    *,
    commodity: Commodity,
    start_date: date,
    end_date: date,
    consumption_kwh: Decimal,
    price_versions: Sequence[PriceVersion],
    vat_periods: Sequence[VatPeriod] = DEFAULT_VAT_PERIODS,
    relief_by_month: Iterable[tuple[date, Decimal]] = (),
    advances_paid_eur: Decimal = ZERO_EUR,
    basic_supply: bool = False,
    relief_period: tuple[date, date] = RELIEF_PERIOD_2023,
) -> Bill:
    """Return the bill for the consumption over [start_date, end_date) (rules: module docstring).

    ``relief_by_month`` holds the monthly relief (:attr:`ReliefSchedule.relief_eur_by_month`) of each relief month
    whose first day lies in the bill period; ``relief_period`` is the half-open period the relief cap looks at.

    :raises EmptyBillPeriod: if ``end_date`` is not after ``start_date``.
    :raises NegativeConsumption: if ``consumption_kwh`` is negative.
    :raises ReliefMonthOutsideBill: if a relief month does not start within the period.
    :raises NoPriceOnDate: if no price version covers part of the period.
    :raises NoVatRate: if no VAT period covers part of the period.
    """
    if end_date <= start_date:
        raise EmptyBillPeriod(f"{start_date.isoformat()} … {end_date.isoformat()}")
    if consumption_kwh < ZERO:
        raise NegativeConsumption(str(consumption_kwh))

    relief_pairs = tuple(relief_by_month)
    claimed = _claimed_relief(relief_pairs, start_date, end_date) if relief_pairs else ZERO_EUR

    # 1. cut the period at every price-version and VAT boundary inside it (the calendar work is cached, see _layout)
    layout = _layout(commodity, start_date, end_date, price_versions, vat_periods, relief_period)
    # 2. split the consumption by days (split_by_days, inlined)
    kwh_parts = []
    done_kwh = ZERO
    if layout.upto_days:
        whole_kwh = consumption_kwh.to_integral_value(ROUND_FLOOR)
        total_days = layout.total_days
        for done_days in layout.upto_days:
            upto = (consumption_kwh * done_days / total_days).quantize(KWH, ROUND_HALF_UP)
            if whole_kwh < upto:  # min(upto, whole_kwh)
                upto = whole_kwh
            kwh_parts.append(upto - done_kwh)
            done_kwh = upto
    kwh_parts.append(consumption_kwh - done_kwh)

    # 3. one working-price and one base-price line per segment
    gross_in_relief_period = ZERO  # the relief cap, before its one rounding
    lines: list[BillLine] = []
    net_by_rate: dict[Decimal, Decimal] = {}
    for (seg_from, seg_to, days, day_count, version_index, rate, gross_factor, relief_days), kwh in zip(
        layout.segments, kwh_parts, strict=True
    ):
        if version_index is None:
            raise NoPriceOnDate(seg_from)
        if rate is None or gross_factor is None:
            raise NoVatRate(commodity, seg_from)
        version = price_versions[version_index]
        working_price, base_price = version.working_price_net_ct, version.base_price_net_eur_year
        working = (kwh * working_price / HUNDRED).quantize(CENT, ROUND_HALF_UP)
        base = (base_price * day_count / DAYS_PER_YEAR).quantize(CENT, ROUND_HALF_UP)
        lines.append(_new_row(BillLine, (_WORKING_PRICE, seg_from, seg_to, kwh, working_price, rate, working)))
        lines.append(_new_row(BillLine, (_BASE_PRICE, seg_from, seg_to, day_count, base_price, rate, base)))
        net = working + base
        subtotal = net_by_rate.get(rate)
        net_by_rate[rate] = net if subtotal is None else subtotal + net
        if relief_pairs and relief_days is not None:
            # the gross cost of the segment's days in the relief period, pro rata by days
            gross = net * gross_factor  # net × (1 + rate)
            gross_in_relief_period += gross if relief_days == days else gross * relief_days / days

    # 4. VAT per rate on the net sum of its lines
    subtotals = []
    net_total = vat_total = ZERO_EUR
    for rate, net in net_by_rate.items():
        vat_eur = (net * rate).quantize(CENT, ROUND_HALF_UP)
        subtotals.append(_new_row(VatSubtotal, (rate, net, vat_eur)))
        net_total += net
        vat_total += vat_eur
    gross_total = net_total + vat_total

    # 5. relief after VAT, capped at the gross cost of the relief period's days
    cap: Decimal | None = None
    relief_total = ZERO_EUR
    if relief_pairs:
        # Rounding VAT per rate can leave the bill's gross total a cent below the pro-rata sum: never exceed it.
        cap = gross_in_relief_period.quantize(CENT, ROUND_HALF_UP)
        if gross_total < cap:
            cap = gross_total
        relief_total = cap if cap < claimed else claimed  # min(claimed, cap)
        months = len(relief_pairs)
        count = _DAY_COUNTS[months] if months < len(_DAY_COUNTS) else Decimal(months)
        lines.append(
            _new_row(BillLine, (_RELIEF, layout.relief_from, layout.relief_to, count, None, None, -relief_total))
        )

    return _new_row(
        Bill,
        (
            commodity,
            start_date,
            end_date,
            consumption_kwh,
            basic_supply,
            tuple(lines),
            tuple(subtotals),
            net_total,
            vat_total,
            gross_total,
            claimed,
            cap,
            relief_total,
            advances_paid_eur,
            gross_total - relief_total - advances_paid_eur,
        ),
    )


class _Segment(NamedTuple):
    """One segment of a bill period, as far as it follows from the calendar alone."""

    from_date: date
    to_date: date
    days: int
    day_count: Decimal  # Decimal(days)
    version_index: int | None  # of the first price version valid on from_date; None: none is (NoPriceOnDate)
    vat_rate: Decimal | None  # of the first VAT period covering from_date; None: none does (NoVatRate)
    gross_factor: Decimal | None  # 1 + vat_rate
    relief_days: int | None  # days in the relief period; None when the segment does not overlap it


class _Layout(NamedTuple):
    """The calendar part of a bill: segments, the split's day counts and the dates of the relief line."""

    segments: tuple[_Segment, ...]
    upto_days: tuple[Decimal, ...]  # days from the start to each inner boundary
    total_days: Decimal
    relief_from: date  # max(start_date, relief period start)
    relief_to: date  # max(min(end_date, relief period end), relief_from)


_VERSION_DATES = attrgetter("valid_from", "valid_to")
# Layouts by (id(vat_periods), commodity, start, end, relief period, the versions' dates): the same calendar for every
# contract with those values. An entry keeps its VAT periods tuple alive (and is checked with ``is``), so the id cannot
# be reused while cached; a list of VAT periods is never cached.
_LAYOUTS: dict[tuple[object, ...], tuple[Sequence[VatPeriod], _Layout]] = {}
_LAYOUT_CACHE_SIZE = 256


def _layout(
    commodity: Commodity,
    start_date: date,
    end_date: date,
    price_versions: Sequence[PriceVersion],
    vat_periods: Sequence[VatPeriod],
    relief_period: tuple[date, date],
) -> _Layout:
    period = (*relief_period,)  # any pair of dates, e.g. a list
    key = (id(vat_periods), commodity, start_date, end_date, period, *map(_VERSION_DATES, price_versions))
    entry = _LAYOUTS.get(key)
    if entry is not None and entry[0] is vat_periods:
        return entry[1]
    layout = _make_layout(commodity, start_date, end_date, price_versions, vat_periods, relief_period)
    if type(vat_periods) is tuple:
        if len(_LAYOUTS) >= _LAYOUT_CACHE_SIZE:
            _LAYOUTS.clear()
        _LAYOUTS[key] = (vat_periods, layout)
    return layout


def _make_layout(
    commodity: Commodity,
    start_date: date,
    end_date: date,
    price_versions: Sequence[PriceVersion],
    vat_periods: Sequence[VatPeriod],
    relief_period: tuple[date, date],
) -> _Layout:
    vat = commodity_periods(vat_periods, commodity)
    cuts = [edge for edge in vat.edges if start_date < edge < end_date]
    for version in price_versions:
        for edge in (version.valid_from, version.valid_to):
            if edge is not None and start_date < edge < end_date and edge not in cuts:
                cuts.append(edge)
    cuts.sort()
    relief_from, relief_to = relief_period
    segments = []
    upto_days = []
    seg_from = start_date
    for seg_to in [*cuts, end_date]:
        days = (seg_to - seg_from).days
        version_index = next(
            (
                index
                for index, version in enumerate(price_versions)
                if version.valid_from <= seg_from and (version.valid_to is None or seg_from < version.valid_to)
            ),
            None,
        )
        rate = gross_factor = None
        for valid_from, valid_to, row_rate, row_factor in vat.rows:
            if valid_from <= seg_from and (valid_to is None or seg_from < valid_to):
                rate, gross_factor = row_rate, row_factor
                break
        relief_days = None
        if seg_from < relief_to and relief_from < seg_to:
            relief_days = (min(seg_to, relief_to) - max(seg_from, relief_from)).days
        segments.append(
            _Segment(seg_from, seg_to, days, Decimal(days), version_index, rate, gross_factor, relief_days)
        )
        if seg_to != end_date:
            upto_days.append(Decimal((seg_to - start_date).days))
        seg_from = seg_to
    line_from = max(start_date, relief_from)
    return _Layout(
        segments=tuple(segments),
        upto_days=tuple(upto_days),
        total_days=Decimal((end_date - start_date).days),
        relief_from=line_from,
        relief_to=max(min(end_date, relief_to), line_from),
    )


def _explain_bill(bill: Bill) -> Explanation:
    steps = [
        Step(
            text=(
                f"Diese Rechnung umfasst die Zeit vom {format_date(bill.start_date)} bis zum "
                f"{format_date(bill.end_date - _ONE_DAY)} ({format_days(bill.days)}). In dieser Zeit haben Sie "
                f"{format_kwh(bill.consumption_kwh)} {bill.commodity.name_de} verbraucht."
                + (
                    " Sie werden in der Grundversorgung beliefert, dem gesetzlich geregelten Standardvertrag Ihres "
                    "örtlichen Versorgers."
                    if bill.basic_supply
                    else ""
                )
            ),
        )
    ]
    working_lines = [line for line in bill.lines if line.kind is LineKind.WORKING_PRICE]
    if len(working_lines) > 1:
        steps.append(
            Step(
                text=(
                    "In dieser Zeit haben sich der Preis oder die Umsatzsteuer geändert. Deshalb teilen wir die "
                    f"Rechnung in {len(working_lines)} Zeitabschnitte und Ihren Verbrauch gleichmäßig nach Tagen auf. "
                    "Wir rechnen in ganzen Kilowattstunden; der letzte Abschnitt bekommt den Rest, damit die Summe "
                    "genau stimmt."
                ),
                formula=" + ".join(format_kwh(line.quantity) for line in working_lines)
                + f" = {format_kwh(bill.consumption_kwh)}",
            )
        )
    for line in bill.price_lines:
        steps.append(_line_step(line))
    price_lines = bill.price_lines
    steps.append(
        Step(
            text=f"Zusammen kostet das netto, also ohne Umsatzsteuer, {format_eur(bill.net_total_eur)}.",
            formula=" + ".join(format_eur(line.amount_eur) for line in price_lines)
            + f" = {format_eur(bill.net_total_eur)}",
            amount=bill.net_total_eur,
        )
    )
    several_rates = len(bill.vat_subtotals) > 1
    for subtotal in bill.vat_subtotals:
        rate = format_percent(subtotal.rate)
        steps.append(
            Step(
                text=(
                    f"Für die Zeitabschnitte mit {rate} Umsatzsteuer (netto {format_eur(subtotal.net_eur)}) kommen "
                    f"{format_eur(subtotal.vat_eur)} Umsatzsteuer dazu."
                    if several_rates
                    else f"Darauf kommen {rate} Umsatzsteuer: {format_eur(subtotal.vat_eur)}."
                ),
                formula=f"{format_eur(subtotal.net_eur)} × {rate} {equals_sign(subtotal.net_eur * subtotal.rate)} "
                f"{format_eur(subtotal.vat_eur)}",
                amount=subtotal.vat_eur,
            )
        )
    steps.append(
        Step(
            text=f"Mit Umsatzsteuer (brutto) kostet Ihre Energie in dieser Zeit {format_eur(bill.gross_total_eur)}.",
            formula=(
                f"{format_eur(bill.net_total_eur)} + {format_eur(bill.vat_total_eur)} = "
                f"{format_eur(bill.gross_total_eur)}"
            ),
            amount=bill.gross_total_eur,
        )
    )
    if bill.relief_cap_eur is not None and not bill.relief_claimed_eur:
        steps.append(
            Step(
                text=(
                    "Eine Entlastung aus der Preisbremse 2023 gibt es für diesen Zeitraum nicht "
                    f"({format_eur(ZERO_EUR)})."
                ),
                amount=bill.amount_due_eur,
            )
        )
    elif bill.relief_cap_eur is not None:
        relief_months = int(next(line for line in bill.lines if line.kind is LineKind.RELIEF).quantity)
        if bill.relief_total_eur < bill.relief_claimed_eur:
            steps.append(
                Step(
                    text=(
                        f"Ihre Entlastung aus der Preisbremse für {relief_months} "
                        f"{'Monat' if relief_months == 1 else 'Monate'} beträgt "
                        f"{format_eur(bill.relief_claimed_eur)}. "
                        "Sie darf aber nicht höher sein als das, was Ihre Energie in diesem Zeitraum 2023 tatsächlich "
                        f"gekostet hat: {format_eur(bill.relief_cap_eur)}. Deshalb ziehen wir nur "
                        f"{format_eur(bill.relief_total_eur)} ab."
                    ),
                    formula=f"min({format_eur(bill.relief_claimed_eur)}; {format_eur(bill.relief_cap_eur)}) = "
                    f"{format_eur(bill.relief_total_eur)}",
                    amount=bill.relief_total_eur,
                )
            )
        steps.append(
            Step(
                text=(
                    "Davon ziehen wir die Entlastung aus der Preisbremse 2023 ab: "
                    f"{format_eur(bill.relief_total_eur)}. Diesen Betrag zahlt der Staat für Sie. Weil er ihn wie ein "
                    "Dritter für Sie bezahlt, fällt die Umsatzsteuer auf den vollen Preis an, und die Entlastung wird "
                    "erst danach abgezogen."
                ),
                formula=(
                    f"{format_eur(bill.gross_total_eur)} − {format_eur(bill.relief_total_eur)} = "
                    f"{format_eur(bill.amount_due_eur)}"
                ),
                amount=bill.amount_due_eur,
            )
        )
    steps.append(
        Step(
            text=(
                "Ihre Abschläge (die monatlichen Teilzahlungen), die Sie schon gezahlt haben, ziehen wir ab: "
                f"zusammen {format_eur(bill.advances_paid_eur)}."
            ),
            formula=(
                f"{format_eur(bill.amount_due_eur)} − {format_eur(bill.advances_paid_eur)} = "
                f"{format_eur(bill.balance_eur)}"
            ),
            amount=bill.balance_eur,
        )
    )
    if bill.is_additional_payment:
        closing = f"Es bleibt eine Nachzahlung: Bitte zahlen Sie {format_eur(bill.balance_eur)} nach."
    elif bill.is_credit:
        closing = (
            f"Sie haben ein Guthaben: Sie bekommen {format_eur(-bill.balance_eur)} zurück. Wir zahlen es "
            "innerhalb von "
            "zwei Wochen aus oder verrechnen es mit dem nächsten Abschlag."
        )
    else:
        closing = "Ihre Abschläge decken die Kosten genau. Sie müssen nichts nachzahlen und bekommen nichts zurück."
    steps.append(Step(text=closing, amount=bill.balance_eur))
    return tuple(steps)


def _line_step(line: BillLine) -> Step:
    assert line.unit_price is not None  # price lines always have one
    span = f"Vom {format_date(line.from_date)} bis {format_date(line.last_day)}"
    if line.kind is LineKind.WORKING_PRICE:
        exact = line.quantity * line.unit_price / HUNDRED
        return Step(
            text=(
                f"{span}: {format_kwh(line.quantity)} zum Arbeitspreis (dem Preis je Kilowattstunde) von "
                f"{format_ct(line.unit_price)} netto, also ohne Umsatzsteuer."
            ),
            formula=f"{format_kwh(line.quantity)} × {format_ct(line.unit_price)} {equals_sign(exact)} "
            f"{format_eur(line.amount_eur)}",
            amount=line.amount_eur,
        )
    exact = line.unit_price * line.quantity / DAYS_PER_YEAR
    return Step(
        text=(
            f"{span}: der Grundpreis, der feste Betrag unabhängig vom Verbrauch. Er beträgt "
            f"{format_eur(line.unit_price)} "
            f"netto im Jahr; wir berechnen davon {format_days(line.days)} von 365."
        ),
        formula=(
            f"{format_eur(line.unit_price)} × {line.days} ÷ 365 {equals_sign(exact)} {format_eur(line.amount_eur)}"
        ),
        amount=line.amount_eur,
    )
