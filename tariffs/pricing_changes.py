"""Price changes: a new price version with its reason (Anlass), the legal lead time per contract, and publishing.

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
from tariffs.domain.formatting import format_date
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
    """The lead-time check of a price change for every affected active contract, as of ``notice_date``."""

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
    """Return the tariff's active contracts that a change affects: supplied before and still on its effective day."""
    return change.tariff.contracts.filter(status="ACTIVE", start_date__lt=change.effective_date).filter(
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
    """Check the lead time for every affected active contract if the notices go out ``today`` (1 query)."""
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


@transaction.atomic
def create_price_change(
    *,
    tariff: Tariff,
    valid_from: date,
    working_price_net_ct: Decimal,
    base_price_net_eur_year: Decimal,
    reason: str,
    conditions: str,
    is_vat_only: bool = False,
) -> PriceChange:
    """Create a draft price change: end the tariff's open price version at ``valid_from`` and start the new one.

    :raises NegativePrice: if a price is below zero.
    :raises NoOpenPriceVersion: if the tariff has no open-ended price version.
    :raises ChangeNotAfterCurrentVersion: if ``valid_from`` is not after the open version's start.
    """
    if working_price_net_ct < 0 or base_price_net_eur_year < 0:
        raise NegativePrice
    # Lock the tariff's versions: two changes created at once must not both end the same open version.
    versions = list(PriceVersion.objects.select_for_update().filter(tariff=tariff).order_by("valid_from", "id"))
    current = next((version for version in versions if version.valid_to is None), None)
    if current is None:
        raise NoOpenPriceVersion
    if valid_from <= current.valid_from:
        raise ChangeNotAfterCurrentVersion(current.valid_from)
    current.valid_to = valid_from
    current.save(update_fields=["valid_to"])
    version = PriceVersion.objects.create(
        tariff=tariff,
        valid_from=valid_from,
        working_price_net_ct=working_price_net_ct,
        base_price_net_eur_year=base_price_net_eur_year,
    )
    return PriceChange.objects.create(
        tariff=tariff,
        price_version=version,
        effective_date=valid_from,
        reason=reason.strip(),
        conditions=conditions.strip(),
        is_vat_only=is_vat_only,
    )


@transaction.atomic
def publish(change: PriceChange, now: datetime) -> LeadTimeReport:
    """Publish a draft change and enqueue its notices through the outbox (none for a VAT-only change).

    Returns the lead-time report as of the publication day: contracts that cannot be notified in time keep their old
    price until their earliest lawful date, which the notice job stores per contract.

    :raises PriceChangeAlreadyPublished: if it is published already (nothing is enqueued again).
    :raises EffectiveDateNotInFuture: if the change would take effect today or earlier.
    """
    locked = PriceChange.objects.select_for_update().select_related("tariff").get(pk=change.pk)
    if locked.status == PriceChange.Status.PUBLISHED:
        raise PriceChangeAlreadyPublished
    today = timezone.localdate(now)
    if locked.effective_date <= today:
        raise EffectiveDateNotInFuture(locked.effective_date)
    locked.status = PriceChange.Status.PUBLISHED
    locked.published_at = now
    locked.save(update_fields=["status", "published_at"])
    if not locked.is_vat_only:
        outbox.enqueue(NOTICE_TASK, price_change_id=locked.pk)
    change.status, change.published_at = locked.status, locked.published_at
    return lead_time_report(locked, today)
