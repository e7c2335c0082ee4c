"""Recording a touchpoint: the call, visit or letter itself, plus what came out of it, in one transaction.

Besides the touchpoint a call can note interests (sales leads), agree a callback (an open CALLBACK task for the
queue) and capture a consent given in the conversation (§ 7 UWG: with the wording read out or shown as proof, and
the source the channel says: on the phone, at the customer center, in the portal). Either everything is stored or
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from contacts import consents
from contacts.models import CallTask, Channel, Consent, Interest, Touchpoint
from core.models import User
from customers.models import Contract, Customer
from tariffs.domain.formatting import format_date

logger = logging.getLogger(__name__)

MAX_SCORE = 10
# Where a consent captured in a conversation was given (Consent.source, part of the proof), by the touchpoint's
# channel. A pop-up store or an event is a conversation face to face like one at the customer center. A letter or an
# e-mail is no conversation: such a consent is not captured with a touchpoint.
CONSENT_SOURCE_BY_CHANNEL = {
    Channel.PHONE: Consent.Source.PHONE,
    Channel.CUSTOMER_CENTER: Consent.Source.CUSTOMER_CENTER,
    Channel.POP_UP_STORE: Consent.Source.CUSTOMER_CENTER,
    Channel.EVENT: Consent.Source.CUSTOMER_CENTER,
    Channel.PORTAL: Consent.Source.PORTAL,
    Channel.CHAT: Consent.Source.PORTAL,
}
# Outcomes where nobody spoke with the customer: no score and no mood to record (they would count in the NPS).
NOT_REACHED_OUTCOMES = frozenset({Touchpoint.Outcome.NOT_REACHED})


class TouchpointRejected(Exception):
    """Base class: the message is a German sentence for the agent."""


class ScoreOutOfRange(TouchpointRejected):
    def __init__(self) -> None:
        super().__init__("Die Weiterempfehlung ist eine Zahl von 0 bis 10.")


class RatingWithoutConversation(TouchpointRejected):
    def __init__(self) -> None:
        super().__init__(
            "Die Kundin oder der Kunde wurde nicht erreicht: Weiterempfehlung und Stimmung bleiben dann leer."
        )


class ContractOfAnotherCustomer(TouchpointRejected):
    def __init__(self) -> None:
        super().__init__("Dieser Vertrag gehört nicht zu diesem Kunden.")


class FollowUpBeforeContact(TouchpointRejected):
    def __init__(self, occurred_at: datetime) -> None:
        super().__init__(
            f"Der Rückruf muss nach dem Kontakt liegen (nach dem {format_date(timezone.localdate(occurred_at))})."
        )


class UnknownConsent(TouchpointRejected):
    def __init__(self) -> None:
        super().__init__("Diese Einwilligung (Kanal und Zweck) gibt es nicht.")


class ConsentWithoutConversation(TouchpointRejected):
    def __init__(self, channel_label: str) -> None:
        super().__init__(
            "Eine Einwilligung lässt sich hier nur aus einem Gespräch erfassen (Telefon, Kundenzentrum, Pop-up-Store, "
            f"Veranstaltung, Kundenportal oder Chat), nicht bei Kanal „{channel_label}“."
        )


def consent_source(channel: str) -> str:
    """Return the consent source for a consent given in a conversation on this channel.

    :raises ConsentWithoutConversation: if the channel is no conversation (letter, e-mail).
    """
    try:
        return CONSENT_SOURCE_BY_CHANNEL[Channel(channel)]
    except (KeyError, ValueError):
        label = Channel(channel).label if channel in Channel.values else channel
        raise ConsentWithoutConversation(str(label)) from None


def _check(
    *,
    customer: Customer,
    channel: str,
    contract: Contract | None,
    occurred_at: datetime,
    outcome: str,
    would_recommend: int | None,
    sentiment: str,
    follow_up_due_at: datetime | None,
    consent_captured: tuple[str, str] | None,
) -> None:
    if would_recommend is not None and not 0 <= would_recommend <= MAX_SCORE:
        raise ScoreOutOfRange
    if outcome in NOT_REACHED_OUTCOMES and (would_recommend is not None or sentiment):
        raise RatingWithoutConversation
    if contract is not None and contract.customer_id != customer.pk:
        raise ContractOfAnotherCustomer
    if follow_up_due_at is not None and follow_up_due_at <= occurred_at:
        raise FollowUpBeforeContact(occurred_at)
    if consent_captured is not None:
        consent_channel, purpose = consent_captured
        if consent_channel not in Consent.ConsentChannel.values or purpose not in Consent.Purpose.values:
            raise UnknownConsent
        consent_source(channel)


@transaction.atomic
def record_touchpoint(
    *,
    customer: Customer,
    agent: User | None,
    channel: str,
    direction: str,
    topic: str,
    outcome: str,
    summary: str,
    occurred_at: datetime,
    duration_seconds: int | None = None,
    contract: Contract | None = None,
    sentiment: str = "",
    would_recommend: int | None = None,
    interests: Iterable[str] = (),
    follow_up_due_at: datetime | None = None,
    consent_captured: tuple[str, str] | None = None,
    consent_wording: str | None = None,
    consent_confirm_url: Callable[[str], str] | None = None,
) -> Touchpoint:
    """Record a contact with a customer and what came out of it.

    Interests are added (an interest already noted stays as it was); a follow-up date creates an open CALLBACK task
    for the queue (nobody holds it yet); a consent captured during the conversation is granted with the source of
    its channel (CONSENT_SOURCE_BY_CHANNEL: PHONE on the phone, CUSTOMER_CENTER at a visit) and the wording read out
    (the standard wording when none is given); an e-mail consent then waits for the customer's double opt-in, whose
    link goes out after commit when ``consent_confirm_url`` (token → absolute link) is given.

    :raises ScoreOutOfRange: if the would-recommend score is not 0–10.
    :raises RatingWithoutConversation: if the customer was not reached but a score or a mood is given.
    :raises ContractOfAnotherCustomer: if the contract belongs to someone else.
    :raises FollowUpBeforeContact: if the follow-up is not after the contact.
    :raises UnknownConsent: if the consent's channel or purpose does not exist.
    :raises ConsentWithoutConversation: if a consent is captured on a channel that is no conversation (letter,
        e-mail).
    """
    _check(
        customer=customer,
        channel=channel,
        contract=contract,
        occurred_at=occurred_at,
        outcome=outcome,
        would_recommend=would_recommend,
        sentiment=sentiment,
        follow_up_due_at=follow_up_due_at,
        consent_captured=consent_captured,
    )
    touchpoint = Touchpoint.objects.create(
        customer=customer,
        contract=contract,
        channel=channel,
        direction=direction,
        topic=topic,
        outcome=outcome,
        summary=summary.strip(),
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        agent=agent,
        sentiment=sentiment,
        would_recommend=would_recommend,
    )
    kinds = sorted({Interest.Kind(kind) for kind in interests})
    if kinds:
        # The unique (customer, kind) constraint keeps the first note of an interest; a repeat is ignored.
        Interest.objects.bulk_create(
            [Interest(customer=customer, kind=kind, noted_at=occurred_at, touchpoint=touchpoint) for kind in kinds],
            ignore_conflicts=True,
        )
    if follow_up_due_at is not None:
        CallTask.objects.create(
            customer=customer,
            contract=contract,
            kind=CallTask.Kind.CALLBACK,
            topic=topic,
            due_at=follow_up_due_at,
            status=CallTask.Status.OPEN,
            assignee=None,
            note=touchpoint.summary,
        )
    if consent_captured is not None:
        channel_captured, purpose = consent_captured
        consents.grant(
            customer=customer,
            channel=channel_captured,
            purpose=purpose,
            source=consent_source(channel),
            now=occurred_at,
            wording=(consent_wording or "").strip() or None,
            recorded_by=agent,
            confirm_url=consent_confirm_url,
        )
    logger.info("touchpoint %s recorded for customer %s", touchpoint.pk, customer.pk)
    return touchpoint
