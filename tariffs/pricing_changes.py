"""Price changes: new net prices with their reason (Anlass), the legal lead time per contract, and publishing.

**A draft never changes prices.** ``create_price_change`` stores a DRAFT with the proposed net prices and touches no
price version; ``publish`` creates the new version and ends the open one in the same transaction as the status change,
so a price is in the history exactly when its change is published (and its notices are on their way). Deleting a
draft therefore needs no clean-up. **Decision** (VAT-only changes): a VAT-only change carries no new net prices and
creates no version at all - the VAT rate by date lives in ``VatRate`` and every gross price is computed with it; net
prices that differ from the version in force are refused (``VatOnlyChangeWithNewPrices``), so a real price change can
never slip out without a notice.

Lead times (DOMAIN.md, price-change notices):
- basic supply (§ 5 StromGVV/GasGVV): the change takes effect only on the first day of a month and at least six weeks
  after the notice (public announcement plus a letter to each customer);
- special contract of a household customer (§ 41 Abs. 5 EnWG): at least one month after the notice;
- special contract of a business customer: at least two weeks after the notice;
- a change of VAT alone needs no notice (§ 41 Abs. 6 EnWG).

A contract that cannot be notified in time keeps its old price until the earliest lawful date; that date is computed
here and stored per contract on its notice (``contacts.PriceChangeNotice.effective_date``).

**Decisions.** The notice date is the day the notice is sent (the e-mail, or the letter handed to the print shop the
same day); for basic supply that is the day of publication at the earliest. A contract counts as business only when
both its tariff and its customer are in the business group; otherwise the household month applies (the longer lead
time is always lawful). Month arithmetic clamps to the month's end (31 January + 1 month = 28/29 February).

The contracts of a tariff are reached through the reverse relation ``tariff.contracts`` (customers sits above
tariffs, so this module does not import it).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core import outbox
from tariffs.domain.formatting import format_ct, format_date, format_eur
from tariffs.models import CustomerGroup, PriceChange, PriceVersion, Tariff

NOTICE_TASK = "contacts.price_change_notices"
BASIC_SUPPLY_LEAD = timedelta(weeks=6)
BUSINESS_LEAD = timedelta(weeks=2)
HOUSEHOLD_LEAD_MONTHS = 1


class NoticeRule(StrEnum):
    """Which lead time applies to a contract."""

    BASIC_SUPPLY = "BASIC_SUPPLY"
    HOUSEHOLD = "HOUSEHOLD"
    BUSINESS = "BUSINESS"
    NONE = "NONE"

    @property
    def label(self) -> str:
        return _RULE_LABELS[self]


_RULE_LABELS = {
    NoticeRule.BASIC_SUPPLY: "Grundversorgung: zum Monatsersten, mindestens 6 Wochen nach der Mitteilung",
    NoticeRule.HOUSEHOLD: "Sondervertrag Haushalt: mindestens 1 Monat nach der Mitteilung",
    NoticeRule.BUSINESS: "Sondervertrag Gewerbe: mindestens 2 Wochen nach der Mitteilung",
    NoticeRule.NONE: "nur Umsatzsteueränderung: keine Mitteilung nötig",
}


# --- errors ---------------------------------------------------------------------------------------------------------


class PriceChangeError(Exception):
    """Base class: the message is a German sentence for staff."""


class NoOpenPriceVersion(PriceChangeError):
    def __init__(self) -> None:
        super().__init__("Der Tarif hat keinen offenen Preisstand, an den die Preisänderung anschließen kann.")


class ChangeNotAfterCurrentVersion(PriceChangeError):
    def __init__(self, current_from: date) -> None:
        super().__init__(
            f"Die Preisänderung muss nach dem Beginn des aktuellen Preisstands ({format_date(current_from)}) liegen."
        )


class NegativePrice(PriceChangeError):
    def __init__(self) -> None:
        super().__init__("Arbeitspreis und Grundpreis dürfen nicht negativ sein.")


class MissingNetPrices(PriceChangeError):
    def __init__(self) -> None:
        super().__init__("Bitte geben Sie den neuen Arbeitspreis und den neuen Grundpreis (netto) an.")


class VatOnlyChangeWithNewPrices(PriceChangeError):
    """A change marked "nur Umsatzsteueränderung" came with net prices that differ from the version in force."""

    def __init__(self, current: PriceVersion) -> None:
        super().__init__(
            "Eine reine Umsatzsteueränderung ändert keine Nettopreise: Der geltende Preisstand "
            f"(ab {format_date(current.valid_from)}) hat {format_ct(current.working_price_net_ct)} und "
            f"{format_eur(current.base_price_net_eur_year)} im Jahr netto. Lassen Sie die Preisfelder leer oder "
            "legen Sie eine Preisänderung mit Mitteilung an (ohne „nur Umsatzsteueränderung“)."
        )


class PriceChangeAlreadyPublished(PriceChangeError):
    def __init__(self) -> None:
        super().__init__("Diese Preisänderung ist bereits veröffentlicht.")


class EffectiveDateNotInFuture(PriceChangeError):
    def __init__(self, effective_date: date) -> None:
        super().__init__(
            f"Die Preisänderung zum {format_date(effective_date)} liegt nicht in der Zukunft und kann nicht mehr "
            "veröffentlicht werden."
        )


# --- the rules (pure) -----------------------------------------------------------------------------------------------


def notice_rule(*, is_basic_supply: bool, is_business: bool, is_vat_only: bool) -> NoticeRule:
    """Return the lead-time rule for a contract."""
    if is_vat_only:
        return NoticeRule.NONE
    if is_basic_supply:
        return NoticeRule.BASIC_SUPPLY
    return NoticeRule.BUSINESS if is_business else NoticeRule.HOUSEHOLD


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def first_of_month_on_or_after(day: date) -> date:
    """Return ``day`` if it is the first of a month, else the first of the next month."""
    return day if day.day == 1 else add_months(day.replace(day=1), 1)


def earliest_lawful_date(*, rule: NoticeRule, notice_date: date) -> date:
    """Return the earliest day a change may take effect for a notice sent on ``notice_date``."""
    if rule is NoticeRule.BASIC_SUPPLY:
        return first_of_month_on_or_after(notice_date + BASIC_SUPPLY_LEAD)
    if rule is NoticeRule.HOUSEHOLD:
        return add_months(notice_date, HOUSEHOLD_LEAD_MONTHS)
    if rule is NoticeRule.BUSINESS:
        return notice_date + BUSINESS_LEAD
    return notice_date


def effective_date_for(*, rule: NoticeRule, effective_date: date, notice_date: date) -> date:
    """Return the day the change takes effect for one contract: the planned day if the notice is in time, else the
    earliest lawful day (for basic supply always a first of a month)."""
    if rule is NoticeRule.NONE:
        return effective_date
    day = max(effective_date, earliest_lawful_date(rule=rule, notice_date=notice_date))
    return first_of_month_on_or_after(day) if rule is NoticeRule.BASIC_SUPPLY else day


def latest_notice_date(*, rule: NoticeRule, effective_date: date) -> date | None:
    """Return the last day a notice can be sent for the change to take effect as planned (None: never in time, e.g.
    a basic-supply change not on the first of a month; for VAT-only changes the effective day itself)."""
    if rule is NoticeRule.BASIC_SUPPLY and effective_date.day != 1:
        return None
    day = effective_date
    while day > date.min and earliest_lawful_date(rule=rule, notice_date=day) > effective_date:
        day -= timedelta(days=1)
    return day


# --- the report -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractLeadTime:
    """One affected contract: its rule, whether a notice sent on the report's day is in time, and from when the change
    applies to it."""

    contract_id: int
    contract_number: str
    customer_id: int
    rule: NoticeRule
    in_time: bool
    effective_date: date

    @property
    def rule_label(self) -> str:
        return self.rule.label


@dataclass(frozen=True, slots=True)
class RuleSummary:
    rule: NoticeRule
    label: str
    contracts: int
    late: int
    latest_notice_date: date | None
    earliest_lawful_date: date


@dataclass(frozen=True, slots=True)
class LeadTimeReport:
    """The lead-time check of a price change for every affected contract, as of ``notice_date``."""

    change_id: int
    tariff_name: str
    effective_date: date
    notice_date: date
    is_vat_only: bool
    contracts: tuple[ContractLeadTime, ...]

    @property
    def late(self) -> tuple[ContractLeadTime, ...]:
        return tuple(row for row in self.contracts if not row.in_time)

    @property
    def summaries(self) -> tuple[RuleSummary, ...]:
        """Return per rule: contracts, how many are late, the last notice day and the earliest lawful date."""
        rules = sorted({row.rule for row in self.contracts}, key=list(NoticeRule).index)
        return tuple(
            RuleSummary(
                rule=rule,
                label=rule.label,
                contracts=sum(1 for row in self.contracts if row.rule is rule),
                late=sum(1 for row in self.contracts if row.rule is rule and not row.in_time),
                latest_notice_date=latest_notice_date(rule=rule, effective_date=self.effective_date),
                earliest_lawful_date=effective_date_for(
                    rule=rule, effective_date=self.effective_date, notice_date=self.notice_date
                ),
            )
            for rule in rules
        )


def affected_contracts(change: PriceChange) -> QuerySet[Any]:
    """Return the tariff's contracts that a change affects: those supplied on its effective day, whatever their status.

    A cancelled contract (ordinary cancellation, a reported move) is still supplied until its ``end_date`` (the first
    day without supply), so it pays the new price from the effective day and needs its notice - or keeps the old price
    (deferral) - like any other. Not affected: contracts that end on or before the effective day, or start after it.
    """
    return change.tariff.contracts.filter(start_date__lte=change.effective_date).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=change.effective_date)
    )


def contract_rule(*, change: PriceChange, is_basic_supply: bool, customer_group: str) -> NoticeRule:
    """Return the rule for one contract of the change's tariff (basic supply by contract or tariff)."""
    tariff = change.tariff
    return notice_rule(
        is_basic_supply=is_basic_supply or tariff.is_basic_supply,
        is_business=tariff.customer_group == CustomerGroup.BUSINESS and customer_group == CustomerGroup.BUSINESS,
        is_vat_only=change.is_vat_only,
    )


def lead_time_report(change: PriceChange, today: date) -> LeadTimeReport:
    """Check the lead time for every affected contract if the notices go out ``today`` (1 query)."""
    rows = []
    for contract in (
        affected_contracts(change)
        .values_list("id", "contract_number", "customer_id", "is_basic_supply", "customer__customer_group")
        .order_by("id")
    ):
        contract_id, number, customer_id, is_basic_supply, customer_group = contract
        rule = contract_rule(change=change, is_basic_supply=is_basic_supply, customer_group=customer_group)
        effective = effective_date_for(rule=rule, effective_date=change.effective_date, notice_date=today)
        rows.append(
            ContractLeadTime(
                contract_id=contract_id,
                contract_number=number,
                customer_id=customer_id,
                rule=rule,
                in_time=effective == change.effective_date,
                effective_date=effective,
            )
        )
    return LeadTimeReport(
        change_id=change.pk,
        tariff_name=change.tariff.name,
        effective_date=change.effective_date,
        notice_date=today,
        is_vat_only=change.is_vat_only,
        contracts=tuple(rows),
    )


# --- services -------------------------------------------------------------------------------------------------------


def _open_version(versions: list[PriceVersion]) -> PriceVersion:
    current = next((version for version in versions if version.valid_to is None), None)
    if current is None:
        raise NoOpenPriceVersion
    return current


def check_new_prices(
    *,
    tariff: Tariff,
    valid_from: date,
    working_price_net_ct: Decimal | None,
    base_price_net_eur_year: Decimal | None,
    is_vat_only: bool,
) -> None:
    """Check a proposed change against the tariff's open price version (the form and the service both call this).

    :raises NoOpenPriceVersion: if the tariff has no open-ended price version.
    :raises ChangeNotAfterCurrentVersion: if ``valid_from`` is not after the open version's start.
    :raises NegativePrice: if a price is below zero.
    :raises MissingNetPrices: if a change that is not VAT-only lacks a price.
    :raises VatOnlyChangeWithNewPrices: if a VAT-only change gives net prices other than the open version's.
    """
    current = _open_version(list(PriceVersion.objects.filter(tariff=tariff, valid_to__isnull=True)))
    if valid_from <= current.valid_from:
        raise ChangeNotAfterCurrentVersion(current.valid_from)
    prices = (working_price_net_ct, base_price_net_eur_year)
    if any(price is not None and price < 0 for price in prices):
        raise NegativePrice
    if is_vat_only:
        if (working_price_net_ct is not None and working_price_net_ct != current.working_price_net_ct) or (
            base_price_net_eur_year is not None and base_price_net_eur_year != current.base_price_net_eur_year
        ):
            raise VatOnlyChangeWithNewPrices(current)
    elif working_price_net_ct is None or base_price_net_eur_year is None:
        raise MissingNetPrices


@transaction.atomic
def create_price_change(
    *,
    tariff: Tariff,
    valid_from: date,
    working_price_net_ct: Decimal | None,
    base_price_net_eur_year: Decimal | None,
    reason: str,
    conditions: str,
    is_vat_only: bool = False,
) -> PriceChange:
    """Create a draft price change with its proposed net prices; the price history is not touched until ``publish``.

    A VAT-only change stores no net prices (they stay as they are); the prices given for it, if any, must be the
    open version's.

    :raises NoOpenPriceVersion: if the tariff has no open-ended price version.
    :raises ChangeNotAfterCurrentVersion: if ``valid_from`` is not after the open version's start.
    :raises NegativePrice: if a price is below zero.
    :raises MissingNetPrices: if a change that is not VAT-only lacks a price.
    :raises VatOnlyChangeWithNewPrices: if a VAT-only change gives net prices other than the open version's.
    """
    check_new_prices(
        tariff=tariff,
        valid_from=valid_from,
        working_price_net_ct=working_price_net_ct,
        base_price_net_eur_year=base_price_net_eur_year,
        is_vat_only=is_vat_only,
    )
    return PriceChange.objects.create(
        tariff=tariff,
        effective_date=valid_from,
        working_price_net_ct=None if is_vat_only else working_price_net_ct,
        base_price_net_eur_year=None if is_vat_only else base_price_net_eur_year,
        reason=reason.strip(),
        conditions=conditions.strip(),
        is_vat_only=is_vat_only,
    )


def _start_version(change: PriceChange) -> PriceVersion:
    """End the tariff's open price version at the change's effective date and start the change's version.

    :raises NoOpenPriceVersion: if the tariff has no open-ended price version.
    :raises ChangeNotAfterCurrentVersion: if the open version starts on or after the effective date (a later change
        was published first: prices already announced are not rewritten).
    """
    assert change.working_price_net_ct is not None and change.base_price_net_eur_year is not None  # a draft's prices
    # Lock the tariff's versions: two changes published at once must not both end the same open version.
    versions = list(PriceVersion.objects.select_for_update().filter(tariff_id=change.tariff_id).order_by("valid_from"))
    current = _open_version(versions)
    if change.effective_date <= current.valid_from:
        raise ChangeNotAfterCurrentVersion(current.valid_from)
    current.valid_to = change.effective_date
    current.save(update_fields=["valid_to"])
    return PriceVersion.objects.create(
        tariff_id=change.tariff_id,
        valid_from=change.effective_date,
        working_price_net_ct=change.working_price_net_ct,
        base_price_net_eur_year=change.base_price_net_eur_year,
    )


@transaction.atomic
def publish(change: PriceChange, now: datetime) -> LeadTimeReport:
    """Publish a draft change: start its price version (none for a VAT-only change) and enqueue its notices through
    the outbox (none for a VAT-only change), all in one transaction.

    Returns the lead-time report as of the publication day: contracts that cannot be notified in time keep their old
    price until their earliest lawful date, which the notice job stores per contract.

    :raises PriceChangeAlreadyPublished: if it is published already (nothing is enqueued again).
    :raises EffectiveDateNotInFuture: if the change would take effect today or earlier.
    :raises NoOpenPriceVersion: if the tariff has no open-ended price version.
    :raises ChangeNotAfterCurrentVersion: if the tariff's open version starts on or after the effective date.
    """
    locked = PriceChange.objects.select_for_update().select_related("tariff").get(pk=change.pk)
    if locked.status == PriceChange.Status.PUBLISHED:
        raise PriceChangeAlreadyPublished
    today = timezone.localdate(now)
    if locked.effective_date <= today:
        raise EffectiveDateNotInFuture(locked.effective_date)
    if not locked.is_vat_only:
        locked.price_version = _start_version(locked)
    locked.status = PriceChange.Status.PUBLISHED
    locked.published_at = now
    locked.save(update_fields=["price_version", "status", "published_at"])
    if not locked.is_vat_only:
        outbox.enqueue(NOTICE_TASK, price_change_id=locked.pk)
    change.status, change.published_at, change.price_version = locked.status, locked.published_at, locked.price_version
    return lead_time_report(locked, today)
