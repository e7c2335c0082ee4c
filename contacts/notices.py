"""Price-change notices (the job ``price_change_notices``): exactly one per contract and price change.

For every published change (not VAT-only) and every affected contract - every contract supplied on the effective day,
cancelled ones still supplied then included (``tariffs.pricing_changes.affected_contracts``) - the customer is told,
directly and plainly (DOMAIN.md, price-change notices): old and new gross working and base price (2 decimals, as the
portal shows them), old and new Abschlag, the reason, conditions and scope, and the special termination right with its
date. Basic-supply customers and customers without
an e-mail address get a PDF letter (MEDIA_ROOT/letters/<notice id>.pdf, for the print shop), everybody else an e-mail.
Each notice is recorded as an outbound touchpoint, and the Abschlag plan changes from the day the change takes effect.
A customer who chose their own Abschlag keeps that choice in proportion
(``tariffs.domain.advance.scale_chosen_installment``), and the notice says so; a contract whose supply ends before the
new Abschlag would start keeps its Abschlag.

**Never back-dated.** A notice is the proof of when the customer was told, so the job runs on the real day only
(``NoticesCannotBeBackdated`` otherwise) and reads the clock itself: each batch's Berlin day is the send day that
decides whether a notice is in time and its time stamps the touchpoints; each notice's ``sent_at`` and the date line
of its letter are the clock at its delivery.

How "exactly once" holds, whatever retries, duplicate messages, crashes or parallel workers happen:

1. **Rows.** A PENDING row is inserted for every affected contract that has none. The unique constraint (contract,
   price change) turns a second insert - another worker, a redelivered message - into nothing (ON CONFLICT DO NOTHING).
2. **Claim and prepare**, one transaction per batch: the worker locks a batch with SELECT … FOR UPDATE SKIP LOCKED
   (on PostgreSQL; two workers get disjoint batches) among the rows that are PENDING or SENDING with a claim older
   than 15 minutes (their worker crashed while sending). For each row not prepared yet it decides the day the change
   takes effect for the contract (a notice that is not in time moves it to the earliest lawful date: status LATE, the
   old price stays until then), the medium, old and new Abschlag; it writes the touchpoints and the Abschlag plan;
   one UPDATE then claims the rows (SENDING, claim time from the database clock) and stores what was prepared - the
   touchpoint marks a row as prepared, so a reclaimed row is never prepared twice (unless it is reclaimed on a later
   day on which its date is no longer lawful: then its preparation is undone and done again for that day, in the
   same transaction, since it was never sent). A crash before the commit leaves nothing behind.
3. **Deliver**, one row at a time: send the e-mail (or write the letter), then mark the row SENT (LATE) at once with a
   filtered UPDATE (``_Marks``). A worker killed before a send has sent nothing for that row; the row is sent once,
   by whoever reclaims it.

The one window left is a kill in the moment between the mail server accepting an e-mail and the mark leaving for the
database: that row is sent again after 15 minutes. Its Message-ID is derived from the notice, so the resend is the
same message and mail systems drop it as a duplicate. (Exactly-once delivery to SMTP cannot be had; this keeps the
window as small as it gets.)

**Prices for a LATE contract.** Its notice's ``effective_date`` says from when the new price applies to it. The
preparation step writes it as a ``customers.PriceDeferral`` (same transaction as the touchpoint, so once), and every
price calculation for the contract - bills, the contract page, the Abschlag - applies it to the tariff's history
(``tariffs.domain.prices.defer_versions``): the old price stays until that day. The new Abschlag starts then too.
"""

from __future__ import annotations

import logging
import os
import smtplib
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.header import Header
from email.utils import parseaddr
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Now
from django.template.loader import get_template
from django.utils import timezone
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from contacts.models import Channel, PriceChangeNotice, Topic, Touchpoint
from customers import selectors as customer_selectors
from customers.models import AdvancePaymentChange, Contract, Installment, PriceDeferral
from tariffs import pricing_changes
from tariffs.domain import advance, prices
from tariffs.domain.formatting import format_date, format_eur, format_kwh
from tariffs.models import PriceChange
from tariffs.templatetags import money

logger = logging.getLogger(__name__)

JOB = "price_change_notices"
BATCH_SIZE = 500
CLAIM_TIMEOUT = timedelta(minutes=15)
# Published changes whose effective day lies further back are done; contracts still without a notice then (rare:
# the job did not run for months) need a person, not an automatic late notice.
HORIZON = timedelta(days=92)

SKIP_VAT_ONLY = "nur Umsatzsteueränderung – keine Mitteilung nötig"
SKIP_SEND_FAILED = "Versand fehlgeschlagen – wird beim nächsten Lauf wiederholt"
SKIP_NO_PRICE = "kein Preis zum Stichtag – bitte Preisstände prüfen"
SEND_ERRORS = (smtplib.SMTPException, OSError)

_NOTICES = PriceChangeNotice._meta.db_table
# Raw SQL only where the ORM's per-statement cost would dominate; table names come from the models, values are
# always parameters.
_MARK_SQL = f'UPDATE "{_NOTICES}" SET status = %s, sent_at = %s WHERE id = %s AND status = %s'  # noqa: S608
PREPARED_FIELDS = ("effective_date", "medium", "old_advance_eur", "new_advance_eur", "letter_pdf", "touchpoint")
# How far the ``now`` a caller passes may be from the real clock (a task is enqueued, then run).
CLOCK_TOLERANCE = timedelta(minutes=10)
# An Abschlag in force from one of these, or one that differs from the recommendation stored with it, is the
# customer's own choice: a price change adapts it in proportion instead of replacing it.
CHOSEN_SOURCES = frozenset({AdvancePaymentChange.Source.CUSTOMER, AdvancePaymentChange.Source.AGENT})
# The letter's font: DejaVu Sans (Debian fonts-dejavu-core; .ci/run installs it) has "₂", "€" and most scripts of
# customers' names; without it, reportlab's own Vera, with characters Vera lacks written plainly ("CO₂" → "CO2").
LETTER_FONTS = (
    (
        "DejaVuSans",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("Vera", "Vera.ttf", "VeraBd.ttf"),
)


class NoticesCannotBeBackdated(ValueError):
    """The notice job was asked to run on another day or time than the real one (a notice is proof of its date)."""

    def __init__(self, *, as_of: date, today: date) -> None:
        super().__init__(
            f"Preisänderungsmitteilungen werden nur mit dem heutigen Datum ({format_date(today)}) versendet, nicht "
            f"mit dem Stichtag {format_date(as_of)}: Bitte ohne --as-of starten."
        )


# --- the content ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeContent:
    """Everything one notice says, as plain data (the e-mail and the letter render the same text)."""

    notice_id: int
    medium: str
    customer_name: str
    email: str
    postal_address: tuple[str, ...]
    contract_number: str
    commodity_label: str
    tariff_name: str
    supply_address: str
    is_basic_supply: bool
    planned_effective_date: date
    effective_date: date
    is_late: bool
    old_working_price_ct: Decimal
    new_working_price_ct: Decimal
    old_base_price_eur_year: Decimal
    new_base_price_eur_year: Decimal
    vat_percent: Decimal
    old_advance_eur: Decimal
    new_advance_eur: Decimal
    advance_valid_from: date
    forecast_kwh: Decimal
    reason: str
    conditions: str
    letter_date: date = date.min
    # The customer had chosen their own Abschlag (``old_advance_eur``); ``new_advance_eur`` keeps it in proportion.
    keeps_chosen_advance: bool = False
    old_recommended_advance_eur: Decimal | None = None
    new_recommended_advance_eur: Decimal | None = None
    # The last day of supply when it comes before the new Abschlag would start (the Abschlag then stays as it is).
    supply_ends_before_advance: date | None = None

    @property
    def direction(self) -> str:
        """Return "erhöhen", "senken" or "ändern" (for the wording)."""
        old = self.old_working_price_ct * self.forecast_kwh / 100 + self.old_base_price_eur_year
        new = self.new_working_price_ct * self.forecast_kwh / 100 + self.new_base_price_eur_year
        return "erhöhen" if new > old else "senken" if new < old else "ändern"

    @property
    def termination_date(self) -> date:
        """Return the day the special termination right takes effect: the day the change takes effect for the
        contract (the customer may cancel without notice effective on that day)."""
        return self.effective_date

    @property
    def subject(self) -> str:
        return f"Preisänderung zum {format_date(self.effective_date)}: Ihr Vertrag {self.contract_number}"

    def context(self) -> dict[str, object]:
        """Return the template context with every amount already formatted German style."""
        return {
            "content": self,
            "effective": format_date(self.effective_date),
            "planned_effective": format_date(self.planned_effective_date),
            "termination": format_date(self.termination_date),
            "advance_from": format_date(self.advance_valid_from),
            "letter_date": format_date(self.letter_date),
            # Gross prices as customers see them everywhere (2 decimals, half-up; money.ct), not as calculated.
            "old_ap": money.ct(self.old_working_price_ct),
            "new_ap": money.ct(self.new_working_price_ct),
            "old_gp": format_eur(self.old_base_price_eur_year),
            "new_gp": format_eur(self.new_base_price_eur_year),
            "old_advance": format_eur(self.old_advance_eur),
            "new_advance": format_eur(self.new_advance_eur),
            "old_recommended": money.eur(self.old_recommended_advance_eur),
            "new_recommended": money.eur(self.new_recommended_advance_eur),
            "supply_ends": format_date(self.supply_ends_before_advance) if self.supply_ends_before_advance else "",
            "forecast": format_kwh(self.forecast_kwh),
            "vat": f"{self.vat_percent.normalize():f}".replace(".", ","),
        }


def render_text(content: NoticeContent) -> str:
    """Return the notice's German text (e-mail body and letter body)."""
    return get_template("contacts/email/price_change_notice.txt").render(content.context())


# --- the job --------------------------------------------------------------------------------------------------------


@dataclass
class _Totals:
    created: int = 0
    already_done: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_result(self) -> dict[str, Any]:
        return {
            "job": JOB,
            "created": self.created,
            "already_done": self.already_done,
            "skipped": dict(sorted(self.skipped.items())),
        }


def price_change_notices(
    *,
    as_of: date,
    now: datetime,
    price_change_id: int | None = None,
    batch_size: int = BATCH_SIZE,
    clock: Callable[[], datetime] = timezone.now,
) -> dict[str, Any]:
    """Send every notice that is due; return {"job", "created", "already_done", "skipped": {reason: n}}.

    ``as_of`` and ``now`` say when the caller started the run; they must be the real day and time (``clock``), since
    notices are never back-dated. Whether a notice is in time is decided on the real day it is sent, and the
    touchpoints and sent times carry the real time (read from ``clock`` per batch and per notice). Running it again,
    in parallel or after a crash sends nothing twice ("created" counts notices sent by this run).

    :raises NoticesCannotBeBackdated: if ``as_of`` is not the Berlin day of ``now`` or ``now`` is not the real time.
    """
    real_now = clock()
    if as_of != timezone.localdate(now) or abs(real_now - now) > CLOCK_TOLERANCE:
        raise NoticesCannotBeBackdated(as_of=as_of, today=timezone.localdate(real_now))
    totals = _Totals()
    changes = (
        PriceChange.objects.filter(status=PriceChange.Status.PUBLISHED, effective_date__gte=as_of - HORIZON)
        .select_related("tariff", "price_version")
        .order_by("effective_date", "id")
    )
    if price_change_id is not None:
        changes = changes.filter(pk=price_change_id)
    for change in changes:
        if change.is_vat_only:
            if change.effective_date >= as_of:
                totals.skipped[SKIP_VAT_ONLY] += pricing_changes.affected_contracts(change).count()
            continue
        _create_rows(change)
        totals.already_done += PriceChangeNotice.objects.filter(
            price_change=change, status__in=(PriceChangeNotice.Status.SENT, PriceChangeNotice.Status.LATE)
        ).count()
        sender = _Sender(change=change, clock=clock)
        try:
            while not sender.stopped:
                batch = sender.claim_and_prepare(batch_size)
                if batch is None:
                    break
                totals.created += sender.deliver(batch)
        finally:
            sender.close()
        totals.skipped.update(sender.skipped)
    result = totals.as_result()
    logger.info("price change notices: %s", result)
    return result


def _create_rows(change: PriceChange) -> int:
    """Insert a PENDING notice for every affected contract without one; return how many were inserted.

    One INSERT … SELECT … ON CONFLICT DO NOTHING in the database: a row another worker inserted meanwhile is skipped
    by the unique constraint (contract, price change).
    """
    existing = PriceChangeNotice.objects.filter(price_change=change, contract=OuterRef("pk"))
    candidates = (
        pricing_changes.affected_contracts(change)
        .filter(~Exists(existing))
        .order_by("id")
        .annotate(
            notice_change=Value(change.pk),
            notice_status=Value(PriceChangeNotice.Status.PENDING.value),
            notice_medium=Value(""),
            notice_letter=Value(""),
        )
        .values_list("id", "notice_change", "notice_status", "notice_medium", "notice_letter")
    )
    select_sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{_NOTICES}" (contract_id, price_change_id, status, medium, letter_pdf) '
            f"{select_sql} ON CONFLICT DO NOTHING",
            params,
        )
        return int(cursor.rowcount)


def _claimable() -> Q:
    stale = ExpressionWrapper(Now() - Value(CLAIM_TIMEOUT), output_field=DateTimeField())
    return Q(status=PriceChangeNotice.Status.PENDING) | Q(
        status=PriceChangeNotice.Status.SENDING, claimed_at__lt=stale
    )


@dataclass
class _Batch:
    notices: list[PriceChangeNotice]
    contracts: dict[int, Contract]


class _Sender:
    """Prepares and delivers the claimed notices of one price change (prices and templates loaded once)."""

    def __init__(self, *, change: PriceChange, clock: Callable[[], datetime]) -> None:
        self.change = change
        self.clock = clock
        self.pricing = customer_selectors.get_pricing_data(tariff_ids={change.tariff_id})
        self.template = get_template("contacts/email/price_change_notice.txt")
        self.message_domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        self.released: set[int] = set()
        self.skipped: Counter[str] = Counter()
        self.stopped = False
        self._gross_cache: dict[tuple[str, date], prices.GrossPrice | None] = {}
        self._marks: _Marks | None = None

    def close(self) -> None:
        if self._marks is not None:
            self._marks.close()

    # The steps ------------------------------------------------------------------------------------------------------

    def claim_and_prepare(self, batch_size: int) -> _Batch | None:
        """Claim the next batch and prepare its new notices, in one transaction; None when nothing is left.

        The rows are locked with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL), so parallel workers take disjoint
        batches; one UPDATE claims them (SENDING, claim time from the database clock) and stores what was prepared.
        A crash before the commit leaves nothing behind: the rows are PENDING again at once.
        """
        claimable = PriceChangeNotice.objects.filter(_claimable(), price_change_id=self.change.pk)
        if self.released:
            claimable = claimable.exclude(id__in=sorted(self.released))
        with transaction.atomic():
            notices = list(claimable.select_for_update(skip_locked=True).order_by("id")[:batch_size])
            if not notices:
                return None
            contracts = self._contracts([notice.contract_id for notice in notices])
            now = self.clock()
            reclaimed = [notice for notice in notices if notice.touchpoint_id is not None]
            self._unprepare_outdated(reclaimed, contracts, send_day=timezone.localdate(now))
            unpriceable = self._prepare(
                [notice for notice in notices if notice.touchpoint_id is None], contracts, now=now
            )
            claimed = [notice for notice in notices if notice.pk not in unpriceable]
            _save_claimed(claimed)
        return _Batch(notices=claimed, contracts=contracts)

    def deliver(self, batch: _Batch) -> int:
        """Send the claimed notices one by one, marking each right after; return how many were marked.

        After a failed e-mail or letter the rest of the batch is given back (PENDING, not claimed again in this run)
        and ``self.stopped`` ends the run for this change: the mail server is probably down, the next run tries again.
        """
        notices, contracts, skipped = batch.notices, batch.contracts, self.skipped
        mail_connection = get_connection()
        if self._marks is None:
            self._marks = _Marks()
        marks = self._marks
        try:
            for notice in notices:
                contract = contracts[notice.contract_id]
                sent_at = self.clock()
                try:
                    content = self._content(notice, contract, sent_on=timezone.localdate(sent_at))
                    text = self.template.render(content.context())
                    if content.medium == PriceChangeNotice.Medium.LETTER:
                        _write_letter(content, text)
                    else:
                        self._email(content, text, mail_connection).send()
                except SEND_ERRORS:
                    logger.exception("notice %s could not be sent; stopping this run", notice.pk)
                    unsent = [other.pk for other in notices if other.pk >= notice.pk]
                    self._release(unsent)
                    skipped[SKIP_SEND_FAILED] += len(unsent)
                    self.stopped = True
                    break
                marks.mark(notice.pk, self._final_status(notice), sent_at)
        finally:
            sent = marks.flush()
            mail_connection.close()
        return sent

    def _contracts(self, contract_ids: list[int]) -> dict[int, Contract]:
        """Load the contracts with customer and the Abschlag in force before the change: amount, the recommendation
        stored with it and its source (1 query)."""
        in_force = AdvancePaymentChange.objects.filter(
            contract=OuterRef("pk"), valid_from__lt=self.change.effective_date
        ).order_by("-valid_from", "-id")
        contracts = (
            Contract.objects.filter(id__in=contract_ids)
            .select_related("customer", "customer__user", "tariff")
            .annotate(
                advance_in_force=Subquery(in_force.values("amount_eur")[:1]),
                advance_in_force_recommended=Subquery(in_force.values("recommended_eur")[:1]),
                advance_in_force_source=Subquery(in_force.values("source")[:1]),
            )
        )
        return {contract.pk: contract for contract in contracts}

    def _unprepare_outdated(
        self, notices: list[PriceChangeNotice], contracts: dict[int, Contract], *, send_day: date
    ) -> None:
        """Undo the preparation of reclaimed notices that are no longer in time on the real send day.

        A notice prepared on one day but sent on a later one (its worker died in between and the next day's run
        reclaims it) must not promise the date decided then. Its touchpoint (the contact never happened), Abschlag
        plan entry and deferral are removed and its open Abschläge put back, in the caller's transaction, so that it
        is prepared again - with the lawful date for today - right after.
        """
        change, outdated = self.change, []
        for notice in notices:
            contract = contracts[notice.contract_id]
            rule = pricing_changes.contract_rule(
                change=change,
                is_basic_supply=contract.is_basic_supply,
                customer_group=contract.customer.customer_group,
            )
            lawful = pricing_changes.effective_date_for(
                rule=rule, effective_date=change.effective_date, notice_date=send_day
            )
            if notice.effective_date is None or lawful > notice.effective_date:
                outdated.append(notice)
        if not outdated:
            return
        logger.warning(
            "price change %s: %s prepared notice(s) no longer in time, prepared again", change.pk, len(outdated)
        )
        for notice in outdated:
            assert notice.effective_date is not None  # prepared
            plan = AdvancePaymentChange.objects.filter(
                contract_id=notice.contract_id,
                source=AdvancePaymentChange.Source.PRICE_CHANGE,
                reason=_plan_reason(notice_id=notice.pk, effective=notice.effective_date),
            ).first()
            if plan is not None:
                if notice.old_advance_eur is not None:
                    Installment.objects.filter(
                        contract_id=notice.contract_id, due_date__gte=plan.valid_from, paid_at__isnull=True
                    ).update(amount_eur=notice.old_advance_eur)
                plan.delete()
        PriceDeferral.objects.filter(price_change=change, contract_id__in=[n.contract_id for n in outdated]).delete()
        Touchpoint.objects.filter(id__in=[notice.touchpoint_id for notice in outdated]).delete()
        for notice in outdated:
            notice.touchpoint = None

    def _prepare(self, notices: list[PriceChangeNotice], contracts: dict[int, Contract], *, now: datetime) -> set[int]:
        """Decide date, medium and Abschlag per notice; write touchpoints and the Abschlag plan (in the caller's
        transaction). Return the notices that cannot be prepared (no price on the day): this run leaves them alone.

        ``now`` is the real time: its Berlin day is the send day that decides whether a notice is in time.
        """
        change = self.change
        send_day = timezone.localdate(now)
        touchpoints, plan, prepared, unpriceable = [], [], [], []
        deferrals: list[PriceDeferral] = []
        for notice in notices:
            contract = contracts[notice.contract_id]
            rule = pricing_changes.contract_rule(
                change=change,
                is_basic_supply=contract.is_basic_supply,
                customer_group=contract.customer.customer_group,
            )
            effective = pricing_changes.effective_date_for(
                rule=rule, effective_date=change.effective_date, notice_date=send_day
            )
            old = customer_selectors.recommended_advance(
                contract=contract, pricing=self.pricing, as_of=change.effective_date - timedelta(days=1)
            )
            new = customer_selectors.recommended_advance(contract=contract, pricing=self.pricing, as_of=effective)
            if new is None:
                unpriceable.append(notice.pk)
                continue
            notice.effective_date = effective
            if effective > change.effective_date:
                deferrals.append(
                    PriceDeferral(
                        contract_id=contract.pk,
                        price_change_id=change.pk,
                        planned_date=change.effective_date,
                        effective_date=effective,
                    )
                )
            notice.medium = (
                PriceChangeNotice.Medium.LETTER
                if rule is pricing_changes.NoticeRule.BASIC_SUPPLY or not _email_of(contract)
                else PriceChangeNotice.Medium.EMAIL
            )
            advance_in_force = getattr(contract, "advance_in_force", None)
            notice.old_advance_eur = (
                advance_in_force if advance_in_force is not None else (old.installment_eur if old else None)
            )
            advance_from = pricing_changes.first_of_month_on_or_after(effective)
            supplied_then = contract.end_date is None or advance_from < contract.end_date
            if not supplied_then and notice.old_advance_eur is not None:
                notice.new_advance_eur = notice.old_advance_eur  # supply ends first: the Abschlag stays
            elif _is_chosen(contract, old.installment_eur if old else None):
                assert advance_in_force is not None and old is not None  # _is_chosen
                notice.new_advance_eur = advance.scale_chosen_installment(
                    chosen_eur=advance_in_force,
                    old_recommended_eur=old.installment_eur,
                    new_recommended_eur=new.installment_eur,
                )
            else:
                notice.new_advance_eur = new.installment_eur
            notice.letter_pdf = f"letters/{notice.pk}.pdf" if notice.medium == PriceChangeNotice.Medium.LETTER else ""
            touchpoints.append(
                Touchpoint(
                    customer_id=contract.customer_id,
                    contract_id=contract.pk,
                    channel=Channel.LETTER if notice.medium == PriceChangeNotice.Medium.LETTER else Channel.EMAIL,
                    direction=Touchpoint.Direction.OUTBOUND,
                    topic=Topic.PRICE_CHANGE,
                    outcome=Touchpoint.Outcome.RESOLVED,
                    summary=_summary(notice=notice, change=change),
                    occurred_at=now,
                )
            )
            if supplied_then:
                plan.append(
                    AdvancePaymentChange(
                        contract_id=contract.pk,
                        valid_from=advance_from,
                        amount_eur=notice.new_advance_eur,
                        recommended_eur=new.installment_eur,
                        source=AdvancePaymentChange.Source.PRICE_CHANGE,
                        reason=_plan_reason(notice_id=notice.pk, effective=effective),
                    )
                )
            prepared.append(notice)
        if unpriceable:
            logger.error("price change %s: no price for %s contract(s)", change.pk, len(unpriceable))
            self.released.update(unpriceable)
            self.skipped[SKIP_NO_PRICE] += len(unpriceable)
        if prepared:
            Touchpoint.objects.bulk_create(touchpoints)
            AdvancePaymentChange.objects.bulk_create(plan)
            # A reclaimed row is never prepared twice (its touchpoint marks it); the constraint guards anyway.
            PriceDeferral.objects.bulk_create(deferrals, ignore_conflicts=True)
            if plan:
                _update_open_installments(plan)
            for notice, touchpoint in zip(prepared, touchpoints, strict=True):
                notice.touchpoint = touchpoint
        return set(unpriceable)

    def _gross(self, commodity: str, day: date) -> prices.GrossPrice | None:
        """Return the tariff's gross prices on a day (cached: a batch asks for the same few days)."""
        key = (commodity, day)
        if key not in self._gross_cache:
            self._gross_cache[key] = self.pricing.gross_on(
                tariff_id=self.change.tariff_id, commodity=commodity, day=day
            )
        return self._gross_cache[key]

    def _content(self, notice: PriceChangeNotice, contract: Contract, *, sent_on: date) -> NoticeContent:
        change = self.change
        assert notice.effective_date is not None and notice.new_advance_eur is not None  # prepared
        old = self._gross(contract.commodity, change.effective_date - timedelta(days=1))
        new = self._gross(contract.commodity, notice.effective_date)
        assert new is not None  # checked in _prepare
        old = old or new
        customer = contract.customer
        advance_from = pricing_changes.first_of_month_on_or_after(notice.effective_date)
        ends_first = contract.end_date is not None and advance_from >= contract.end_date
        old_recommended = new_recommended = None
        if not ends_first and _may_be_chosen(contract):
            old_recommended = _recommended_eur(contract, old)
            new_recommended = _recommended_eur(contract, new)
        return NoticeContent(
            notice_id=notice.pk,
            medium=notice.medium,
            customer_name=customer.name,
            email=_email_of(contract),
            postal_address=(customer.name, customer.street, f"{customer.postal_code} {customer.city}"),
            contract_number=contract.contract_number,
            commodity_label=contract.get_commodity_display(),
            tariff_name=contract.tariff.name,
            supply_address=f"{contract.street}, {contract.postal_code} {contract.city}",
            is_basic_supply=contract.is_basic_supply or contract.tariff.is_basic_supply,
            planned_effective_date=change.effective_date,
            effective_date=notice.effective_date,
            is_late=notice.effective_date > change.effective_date,
            old_working_price_ct=old.working_price_ct,
            new_working_price_ct=new.working_price_ct,
            old_base_price_eur_year=old.base_price_eur_year,
            new_base_price_eur_year=new.base_price_eur_year,
            vat_percent=new.vat_rate * 100,
            old_advance_eur=notice.old_advance_eur if notice.old_advance_eur is not None else notice.new_advance_eur,
            new_advance_eur=notice.new_advance_eur,
            advance_valid_from=advance_from,
            forecast_kwh=contract.forecast_kwh,
            reason=change.reason,
            conditions=change.conditions,
            letter_date=sent_on,
            keeps_chosen_advance=_is_chosen(contract, old_recommended),
            old_recommended_advance_eur=old_recommended,
            new_recommended_advance_eur=new_recommended,
            supply_ends_before_advance=contract.last_supply_day if ends_first else None,
        )

    def _email(self, content: NoticeContent, text: str, connection: Any) -> EmailMessage:
        return EmailMessage(
            subject=_encoded_subject(content),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[content.email],
            connection=connection,
            # The same notice always has the same Message-ID, so a resend after a crash is recognisably a duplicate.
            headers={"Message-ID": f"<preisaenderung-{content.notice_id}@{self.message_domain}>"},
        )

    def _release(self, ids: list[int]) -> None:
        """Give claimed notices back (PENDING) for the next run; this run does not claim them again."""
        PriceChangeNotice.objects.filter(id__in=ids, status=PriceChangeNotice.Status.SENDING).update(
            status=PriceChangeNotice.Status.PENDING, claimed_at=None
        )
        self.released.update(ids)

    def _final_status(self, notice: PriceChangeNotice) -> str:
        """Return LATE if the notice moved the contract's date past the change's, else SENT."""
        assert notice.effective_date is not None
        late = notice.effective_date > self.change.effective_date
        return (PriceChangeNotice.Status.LATE if late else PriceChangeNotice.Status.SENT).value


def _email_of(contract: Contract) -> str:
    customer = contract.customer
    if customer.email:
        return customer.email
    return customer.user.email if customer.user is not None else ""


def _plan_reason(*, notice_id: int, effective: date) -> str:
    """Return the reason of the Abschlag plan entry a notice writes (it also finds that entry again)."""
    return f"Preisänderung zum {format_date(effective)} (Mitteilung {notice_id})"


def _may_be_chosen(contract: Contract) -> bool:
    """Tell whether the Abschlag in force is the customer's own choice: set by the customer or an agent, or kept
    from an earlier choice (it differs from the recommendation stored with it)."""
    amount = getattr(contract, "advance_in_force", None)
    if amount is None:
        return False
    source = getattr(contract, "advance_in_force_source", None)
    return source in CHOSEN_SOURCES or amount != getattr(contract, "advance_in_force_recommended", amount)


def _is_chosen(contract: Contract, old_recommended_eur: Decimal | None) -> bool:
    """Tell whether a price change adapts the customer's own Abschlag in proportion: it was chosen and differs from
    the Abschlag recommended the day before the change (an amount equal to it simply follows the recommendation)."""
    if old_recommended_eur is None or not _may_be_chosen(contract):
        return False
    return bool(getattr(contract, "advance_in_force", None) != old_recommended_eur)


def _recommended_eur(contract: Contract, gross: prices.GrossPrice) -> Decimal:
    """Return the recommended Abschlag at these gross prices (as customers.selectors.recommended_advance)."""
    return advance.advance_payment(
        forecast_kwh=contract.forecast_kwh,
        working_price_gross_ct=gross.working_price_ct,
        base_price_gross_eur_year=gross.base_price_eur_year,
        installments=contract.installments_per_year,
    ).installment_eur


def _summary(*, notice: PriceChangeNotice, change: PriceChange) -> str:
    assert notice.effective_date is not None
    medium = "Brief" if notice.medium == PriceChangeNotice.Medium.LETTER else "E-Mail"
    text = f"Preisänderungsmitteilung per {medium}: neue Preise ab {format_date(notice.effective_date)}"
    if notice.effective_date > change.effective_date:
        text += f" (geplant {format_date(change.effective_date)}; Mitteilung nicht rechtzeitig, alter Preis bis dahin)"
    return text + f", Abschlag neu {format_eur(notice.new_advance_eur or Decimal(0))}."


def _encoded_subject(content: NoticeContent) -> str:
    """Return the subject with its German part already encoded (RFC 2047), which the e-mail package would otherwise
    do per message at several times the cost of the rest of the message."""
    return f"{_encode_header(f'Preisänderung zum {format_date(content.effective_date)}:')} Ihr Vertrag " + (
        content.contract_number
    )


@lru_cache(maxsize=64)
def _encode_header(text: str) -> str:
    return Header(text, "utf-8").encode()


class _Marks:
    """Marks notices SENT (LATE) one by one, each right after its delivery.

    On PostgreSQL, outside a transaction (a worker, the benchmark), the marks go through a second connection in
    asynchronous mode: ``mark`` hands the UPDATE to the server before the next notice is rendered and reads the reply
    only at the next mark, so the round trip overlaps the next notice's work. A crash is no worse than with waiting:
    the statement is on its way once ``mark`` returns, and the server runs and commits it even if the worker dies.
    The marks commit without waiting for the disk (synchronous_commit off, on that connection only): a worker crash
    loses nothing, and only a crash of the database server itself could forget the last fraction of a second of
    marks, whose notices would then be sent once more (with the same Message-ID).
    Elsewhere (SQLite, or inside a test's transaction) each mark is a plain UPDATE on Django's connection.
    """

    def __init__(self) -> None:
        self.marked = 0
        self._pending = False
        self._raw: Any = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            import psycopg2  # type: ignore[import-untyped]  # the driver Django uses here; no stubs installed
            from psycopg2.extras import wait_select  # type: ignore[import-untyped]

            self._wait = wait_select
            parameters = dict(connection.get_connection_params())
            parameters.pop("cursor_factory", None)
            self._raw = psycopg2.connect(**parameters, async_=1)
            wait_select(self._raw)
            self._cursor = self._raw.cursor()
            self._cursor.execute("SET synchronous_commit TO off")
            wait_select(self._raw)
        else:
            self._cursor = connection.cursor()

    def mark(self, notice_id: int, status: str, sent_at: datetime) -> None:
        """Mark one notice SENT (LATE) with the real time it went out."""
        if self._raw is None:
            value = connection.ops.adapt_datetimefield_value(sent_at)
            self._cursor.execute(_MARK_SQL, [status, value, notice_id, PriceChangeNotice.Status.SENDING])
            self.marked += self._cursor.rowcount
            return
        self._collect()
        self._cursor.execute(_MARK_SQL, [status, sent_at, notice_id, PriceChangeNotice.Status.SENDING.value])
        self._pending = True

    def flush(self) -> int:
        """Wait for the last mark; return how many notices were marked since the last flush."""
        if self._raw is not None:
            self._collect()
        marked, self.marked = self.marked, 0
        return marked

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
        else:
            self._cursor.close()

    def _collect(self) -> None:
        if self._pending:
            self._wait(self._raw)
            self.marked += self._cursor.rowcount
            self._pending = False


def _save_claimed(notices: list[PriceChangeNotice]) -> None:
    """Claim the notices (SENDING, claim time from the database clock) and store their prepared fields.

    PostgreSQL: one UPDATE … FROM (VALUES …) for the batch; elsewhere an UPDATE for the claim and bulk_update.
    """
    if not notices:
        return
    if connection.vendor != "postgresql":
        PriceChangeNotice.objects.filter(id__in=[notice.pk for notice in notices]).update(
            status=PriceChangeNotice.Status.SENDING, claimed_at=Now()
        )
        PriceChangeNotice.objects.bulk_update(notices, PREPARED_FIELDS)
        return
    rows = ", ".join(["(%s::bigint, %s::date, %s, %s::numeric, %s::numeric, %s, %s::bigint)"] * len(notices))
    params: list[Any] = []
    for notice in notices:
        params += [
            notice.pk,
            notice.effective_date,
            notice.medium,
            notice.old_advance_eur,
            notice.new_advance_eur,
            notice.letter_pdf,
            notice.touchpoint_id,
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{_NOTICES}" AS n SET status = %s, claimed_at = statement_timestamp(), '  # noqa: S608
            "effective_date = v.effective_date, medium = v.medium, old_advance_eur = v.old_advance_eur, "
            "new_advance_eur = v.new_advance_eur, letter_pdf = v.letter_pdf, touchpoint_id = v.touchpoint_id "
            f"FROM (VALUES {rows}) AS v(id, effective_date, medium, old_advance_eur, new_advance_eur, letter_pdf, "
            "touchpoint_id) WHERE n.id = v.id",
            [PriceChangeNotice.Status.SENDING.value, *params],
        )


def _update_open_installments(plan: list[AdvancePaymentChange]) -> None:
    """Set the open (unpaid) Abschläge due from each plan change's day to its new amount.

    PostgreSQL: one UPDATE … FROM (VALUES …) for the batch; elsewhere one UPDATE per day with a CASE per contract.
    """
    if connection.vendor == "postgresql":
        rows = ", ".join(["(%s::bigint, %s::date, %s::numeric)"] * len(plan))
        params: list[Any] = []
        for change in plan:
            params += [change.contract_id, change.valid_from, change.amount_eur]
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{Installment._meta.db_table}" AS i SET amount_eur = v.amount_eur '  # noqa: S608
                f"FROM (VALUES {rows}) AS v(contract_id, valid_from, amount_eur) "
                "WHERE i.contract_id = v.contract_id AND i.due_date >= v.valid_from AND i.paid_at IS NULL",
                params,
            )
        return
    by_day: dict[date, list[AdvancePaymentChange]] = {}
    for change in plan:
        by_day.setdefault(change.valid_from, []).append(change)
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=10, decimal_places=2)
    for day, changes in by_day.items():
        Installment.objects.filter(
            contract_id__in=[change.contract_id for change in changes], due_date__gte=day, paid_at__isnull=True
        ).update(
            amount_eur=Case(
                *[When(contract_id=change.contract_id, then=Value(change.amount_eur)) for change in changes],
                output_field=money,
            )
        )


# --- the letter -----------------------------------------------------------------------------------------------------


def letter_path(notice_id: int) -> Path:
    """Return where the letter of a notice is written (MEDIA_ROOT/letters/<id>.pdf)."""
    return Path(settings.MEDIA_ROOT) / "letters" / f"{int(notice_id)}.pdf"


def _write_letter(content: NoticeContent, text: str) -> Path:
    """Render the letter and write it atomically (a rewrite after a crash replaces the file with the same letter)."""
    path = letter_path(content.notice_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = render_letter(content, text)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".letter-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp creates 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


@lru_cache(maxsize=1)
def _letter_font() -> tuple[str, str, frozenset[int]]:
    """Register the letter's font (the first of ``LETTER_FONTS`` that loads); return its regular and bold names and
    the characters it has glyphs for.

    Registered under names of its own ("Letter-…"): customers.pdf registers Vera as "Vera"/"VeraBd" only when "Vera"
    is not registered yet, so taking that name here would leave the bills without their bold font.
    """
    for family, regular, bold in LETTER_FONTS:
        name, bold_name = f"Letter-{family}", f"Letter-{family}-Bold"
        try:
            font = TTFont(name, regular)
            bold_font = TTFont(bold_name, bold)
        except (OSError, TTFError):
            continue
        pdfmetrics.registerFont(font)
        pdfmetrics.registerFont(bold_font)
        return name, bold_name, frozenset(font.face.charToGlyph)
    raise RuntimeError("no font for the price-change letters")  # Vera ships with reportlab


def printable(text: str, glyphs: frozenset[int]) -> str:
    """Return ``text`` with every character the font lacks written plainly where Unicode knows how ("CO₂" → "CO2",
    "½" → "1/2"), so that the letter never shows an empty box; other missing characters are left as they are."""
    if all(ord(character) in glyphs for character in text):
        return text
    plain = []
    for character in text:
        if ord(character) not in glyphs:
            compatible = unicodedata.normalize("NFKC", character).replace("\u2044", "/")
            if compatible and all(ord(part) in glyphs for part in compatible):
                character = compatible
        plain.append(character)
    return "".join(plain)


def render_letter(content: NoticeContent, text: str) -> bytes:
    """Return the notice as a one- or two-page A4 letter (PDF bytes): address, date, subject, the notice text.

    The date line is the Berlin day of sending (``content.letter_date``).
    """
    font, font_bold, glyphs = _letter_font()

    def paragraph(lines: str | Sequence[str], style: ParagraphStyle) -> Paragraph:
        rows = [lines] if isinstance(lines, str) else lines
        return Paragraph("<br/>".join(escape(printable(row, glyphs)) for row in rows), style)

    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=13.5, spaceAfter=6)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    bold = ParagraphStyle("bold", parent=base, fontName=font_bold, fontSize=11, spaceBefore=10)
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=content.subject,
        author=settings.UTILITY_NAME,
        pageCompression=0,
    )
    story: list[Any] = [
        paragraph(f"{settings.UTILITY_NAME} · Kundenservice", small),
        Spacer(1, 4 * mm),
        paragraph(content.postal_address, base),
        Spacer(1, 10 * mm),
        paragraph(format_date(content.letter_date), right),
        paragraph(f"Mitteilung {content.notice_id}", small),
        paragraph(content.subject, bold),
    ]
    for block in text.strip().split("\n\n"):
        story.append(paragraph(block.splitlines(), base))
    document.build(story)
    return buffer.getvalue()
