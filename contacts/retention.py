"""Retention calls from the sales dashboard: a care call task for a customer on the at-risk list.

The same rules as every optional outbound call (contacts.courtesy, DOMAIN.md consent and contact frequency): only
with the customer's telephone consent for advertising in force (§ 7 UWG; planning the call on it is recorded as a
use, § 7a UWG), never for a vulnerable customer, never while a complaint is open, and within the contact cap. Unlike
the jobs, a refused request writes nothing: the salesperson gets the reason in German and decides what else to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts import consents, courtesy, dashboard
from contacts.models import CallGuide, CallTask, Consent, Topic
from customers.models import Customer
from tariffs.domain.formatting import format_date

logger = logging.getLogger(__name__)

# The topic of the call (and so its guide) follows the weightiest reason the customer is at risk.
TOPIC_BY_RULE = {
    "price_notice": Topic.PRICE_CHANGE,
    "high_back_payment": Topic.BILL,
    "complaint": Topic.COMPLAINT,
    "negative_sentiment": Topic.OTHER,
    "detractor": Topic.OTHER,
    "contract_end": Topic.TARIFF_ADVICE,
    "no_contact": Topic.TARIFF_ADVICE,
}


# Why no care call can be planned, shown in place of the button (the rules of create_retention_task).
TASK_ALREADY_OPEN = "Betreuungsanruf bereits geplant"
CALL_BLOCKED_BY_SKIP_REASON = {
    courtesy.SKIP_VULNERABLE: "besonders schutzbedürftig: kein Werbeanruf",
    courtesy.SKIP_COMPLAINT: "offene Beschwerde: erst die Beschwerde klären",
    courtesy.SKIP_NO_CONSENT: "keine Telefon-Einwilligung (§ 7 UWG)",
    courtesy.SKIP_CAP: "Kontaktobergrenze erreicht",
}
NO_LONGER_A_CUSTOMER = "nicht mehr im Bestand"


@dataclass(frozen=True, slots=True)
class AtRiskRow:
    """A customer on the at-risk list, with what holds now for a care call."""

    customer: dashboard.AtRiskCustomer
    phone_consent: bool
    call_blocked_by: str  # why a care call cannot be planned now; empty when it can


class RetentionTaskRefused(Exception):
    """The retention call may not be planned; the message is German and meant for the salesperson."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAtRisk(RetentionTaskRefused):
    def __init__(self) -> None:
        super().__init__("Für diesen Kunden greift heute keine Risikoregel mehr; es wurde keine Aufgabe angelegt.")


class TaskAlreadyOpen(RetentionTaskRefused):
    def __init__(self) -> None:
        super().__init__(
            "Für diesen Kunden gibt es bereits eine offene Betreuungsaufgabe; es wurde keine weitere angelegt."
        )


class NoPhoneConsent(RetentionTaskRefused):
    def __init__(self) -> None:
        super().__init__(
            "Kein Anruf möglich: Der Kunde hat nicht in Werbeanrufe eingewilligt (§ 7 UWG). Bitte nehmen Sie auf "
            "anderem Weg Kontakt auf, zum Beispiel per Brief."
        )


class CustomerVulnerable(RetentionTaskRefused):
    def __init__(self) -> None:
        super().__init__(
            "Kein Werbeanruf: Der Kunde ist als besonders schutzbedürftig markiert. Bitte stimmen Sie eine "
            "Kontaktaufnahme mit dem Kundenservice ab."
        )


class ComplaintOpen(RetentionTaskRefused):
    def __init__(self) -> None:
        super().__init__(
            "Kein Betreuungsanruf, solange eine Beschwerde offen ist: Bitte klären Sie zuerst die Beschwerde "
            "mit dem Kundenservice."
        )


class ContactCapReached(RetentionTaskRefused):
    def __init__(self) -> None:
        super().__init__(
            f"Kein Anruf möglich: Der Kunde hatte schon {courtesy.cap_count()} freiwillige Kontakte in den letzten "
            f"{courtesy.cap_days()} Tagen (Obergrenze)."
        )


REFUSAL_BY_SKIP_REASON: dict[str, Callable[[], RetentionTaskRefused]] = {
    courtesy.SKIP_VULNERABLE: CustomerVulnerable,
    courtesy.SKIP_COMPLAINT: ComplaintOpen,
    courtesy.SKIP_NO_CONSENT: NoPhoneConsent,
    courtesy.SKIP_CAP: ContactCapReached,
}


@transaction.atomic
def create_retention_task(*, customer: Customer, now: datetime) -> CallTask:
    """Plan a care call for a customer on today's at-risk list, with the reasons as the note.

    :raises NotAtRisk: if no risk rule holds for the customer today.
    :raises TaskAlreadyOpen: if a care task for the customer is open or in progress (or was planned today).
    :raises CustomerVulnerable, ComplaintOpen, NoPhoneConsent, ContactCapReached: the outbound-call rules.
    """
    as_of = timezone.localdate(now)
    risk = dashboard.get_risk_of_customer(customer_id=customer.pk, as_of=as_of)
    if risk is None:
        raise NotAtRisk()
    open_states = (CallTask.Status.OPEN, CallTask.Status.CLAIMED)
    if CallTask.objects.filter(customer=customer, kind=CallTask.Kind.CARE, status__in=open_states).exists():
        raise TaskAlreadyOpen()
    facts = courtesy.OutreachFacts.load(customer_ids=[customer.pk], now=now)
    skip_reason = facts.skip_reason(customer)
    if skip_reason is not None:
        raise REFUSAL_BY_SKIP_REASON.get(skip_reason, NoPhoneConsent)()
    consent = consents.active_consent(
        customer=customer, channel=Consent.ConsentChannel.PHONE, purpose=Consent.Purpose.ADVERTISING
    )
    if consent is None:
        raise NoPhoneConsent()
    topic = TOPIC_BY_RULE[risk.reasons[0].key]
    try:
        with transaction.atomic():
            task = CallTask.objects.create(
                customer=customer,
                kind=CallTask.Kind.CARE,
                topic=topic,
                due_at=courtesy.next_call_window(now),
                guide=CallGuide.objects.filter(topic=topic).first(),
                note=f"Kundenbindung (Vertriebs-Dashboard, {format_date(as_of)}): " + "; ".join(risk.reason_labels),
                source_key=f"care:retention:{customer.pk}:{as_of.isoformat()}",
            )
            consents.record_use(
                consent=consent,
                purpose=f"Betreuungsanruf zur Kundenbindung geplant (Anrufaufgabe {task.pk})",
                now=now,
                call_task=task,
            )
    except IntegrityError:
        raise TaskAlreadyOpen() from None  # planned today already (the source key is unique per customer and day)
    logger.info("retention task %s planned for customer %s", task.pk, customer.pk)
    return task


def care_call_options(at_risk: list[dashboard.AtRiskCustomer], *, now: datetime) -> list[AtRiskRow]:
    """Say for each listed customer why a care call cannot be planned now, by the rules the action applies.

    The list may come from this morning's snapshot, so consent, complaints, contacts and open tasks are checked live
    (7 queries for the whole list, none when it is empty): the page offers the button only where planning can work
    and otherwise shows the reason, instead of a click that can only fail.
    """
    if not at_risk:
        return []
    ids = [row.customer_id for row in at_risk]
    customers = Customer.objects.only("id", "is_vulnerable").in_bulk(ids)
    facts = courtesy.OutreachFacts.load(customer_ids=ids, now=now)
    planned = set(
        CallTask.objects.filter(
            customer_id__in=ids,
            kind=CallTask.Kind.CARE,
            status__in=(CallTask.Status.OPEN, CallTask.Status.CLAIMED),
        ).values_list("customer_id", flat=True)
    )
    rows = []
    for row in at_risk:
        customer = customers.get(row.customer_id)
        if customer is None:
            blocked_by = NO_LONGER_A_CUSTOMER
        elif row.customer_id in planned:
            blocked_by = TASK_ALREADY_OPEN
        else:
            skip_reason = facts.skip_reason(customer)
            blocked_by = "" if skip_reason is None else CALL_BLOCKED_BY_SKIP_REASON.get(skip_reason, skip_reason)
        rows.append(
            AtRiskRow(customer=row, phone_consent=row.customer_id in facts.consents, call_blocked_by=blocked_by)
        )
    return rows
