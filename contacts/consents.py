"""Consents per channel and purpose (§ 7 UWG) with proof and a record of every use (§ 7a UWG).

Granting and withdrawing are equally easy: one call each, effective immediately. E-mail consent needs double
opt-in: it is in force only after the customer confirms through the link sent to them. The link's token identifies
the customer, so it works without a portal login (most customers have none, and agents record consents on the phone
or in the Kundenzentrum); a button on the page confirms, because mail scanners open links on their own.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from contacts.models import CallTask, Consent, ConsentUse, Touchpoint
from core.models import User
from customers.models import Customer

logger = logging.getLogger(__name__)

WORDING = {
    (Consent.ConsentChannel.PHONE, Consent.Purpose.ADVERTISING): (
        "Ich bin einverstanden, dass mich das Stadtwerk telefonisch zu eigenen Angeboten, zur Beratung und mit "
        "Höflichkeitsanrufen nach Vertragsbeginn kontaktiert. Ich kann das jederzeit widerrufen."
    ),
    (Consent.ConsentChannel.EMAIL, Consent.Purpose.ADVERTISING): (
        "Ich bin einverstanden, dass mir das Stadtwerk E-Mails zu eigenen Angeboten und zur Beratung schickt. "
        "Ich kann das jederzeit widerrufen."
    ),
    (Consent.ConsentChannel.LETTER, Consent.Purpose.ADVERTISING): (
        "Ich bin einverstanden, dass mir das Stadtwerk Briefe zu eigenen Angeboten schickt. "
        "Ich kann das jederzeit widerrufen."
    ),
    (Consent.ConsentChannel.PHONE, Consent.Purpose.SURVEY): (
        "Ich bin einverstanden, dass mich das Stadtwerk telefonisch zu meiner Zufriedenheit befragt. "
        "Ich kann das jederzeit widerrufen."
    ),
    (Consent.ConsentChannel.EMAIL, Consent.Purpose.SURVEY): (
        "Ich bin einverstanden, dass mir das Stadtwerk Zufriedenheitsbefragungen per E-Mail schickt. "
        "Ich kann das jederzeit widerrufen."
    ),
    (Consent.ConsentChannel.LETTER, Consent.Purpose.SURVEY): (
        "Ich bin einverstanden, dass mir das Stadtwerk Zufriedenheitsbefragungen per Brief schickt. "
        "Ich kann das jederzeit widerrufen."
    ),
}


# What a purpose covers differs by channel: courtesy calls only exist on the phone, letters carry no advice.
_LABELS = {
    (Consent.ConsentChannel.PHONE, Consent.Purpose.ADVERTISING): "Angebote, Beratung und Höflichkeitsanrufe",
    (Consent.ConsentChannel.EMAIL, Consent.Purpose.ADVERTISING): "Angebote und Beratung",
    (Consent.ConsentChannel.LETTER, Consent.Purpose.ADVERTISING): "Angebote",
}
# The heading over all channels of one purpose (the customer's overview groups the channels by purpose).
_GROUP_LABELS = {Consent.Purpose.ADVERTISING: "Angebote und Beratung"}

# How the customer gave the consent, for the double opt-in mail: „Sie haben uns … erlaubt“.
_SOURCE_PHRASES = {
    Consent.Source.PORTAL: "im Stadtwerk-Portal",
    Consent.Source.PHONE: "am Telefon",
    Consent.Source.CUSTOMER_CENTER: "in unserem Kundenzentrum",
    Consent.Source.CONTRACT_FORM: "mit Ihrem Vertragsformular",
}


def label_for(*, channel: str, purpose: str) -> str:
    """Return what the consent covers on this channel, e.g. „Angebote und Beratung“ for e-mail advertising."""
    purpose = Consent.Purpose(purpose)
    return _LABELS.get((Consent.ConsentChannel(channel), purpose), purpose.label)


def group_label_for(*, purpose: str) -> str:
    """Return the channel-neutral heading of a purpose."""
    purpose = Consent.Purpose(purpose)
    return _GROUP_LABELS.get(purpose, purpose.label)


def wording_for(*, channel: str, purpose: str) -> str:
    """Return the standard German consent text for a channel and purpose."""
    return WORDING[(Consent.ConsentChannel(channel), Consent.Purpose(purpose))]


def active_consent(*, customer: Customer, channel: str, purpose: str) -> Consent | None:
    """Return the consent in force (confirmed, not withdrawn), or None."""
    consent = (
        Consent.objects.filter(customer=customer, channel=channel, purpose=purpose, withdrawn_at__isnull=True)
        .order_by("-granted_at", "-id")
        .first()
    )
    return consent if consent is not None and consent.is_in_force else None


@transaction.atomic
def grant(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    source: str,
    now: datetime,
    wording: str | None = None,
    recorded_by: User | None = None,
    confirm_url: Callable[[str], str] | None = None,
) -> Consent:
    """Record a consent with the wording shown or read out. Granting again while in force changes nothing.

    E-mail consents start unconfirmed with a token for the double opt-in link. With ``confirm_url`` (token →
    absolute link) the link is mailed to the customer after commit; granting again while unconfirmed resends it.
    """
    open_consent = (
        Consent.objects.select_for_update()
        .filter(customer=customer, channel=channel, purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )
    if open_consent is not None:
        if confirm_url is not None and not open_consent.is_in_force:
            _send_confirmation_link(consent=open_consent, customer=customer, confirm_url=confirm_url)
        return open_consent
    is_email = channel == Consent.ConsentChannel.EMAIL
    consent = Consent.objects.create(
        customer=customer,
        channel=channel,
        purpose=purpose,
        granted_at=now,
        source=source,
        wording=wording or wording_for(channel=channel, purpose=purpose),
        recorded_by=recorded_by,
        confirmation_token=secrets.token_urlsafe(32) if is_email else "",
        confirmed_at=None if is_email else now,
    )
    logger.info("consent %s granted for customer %s via %s", consent.pk, customer.pk, source)
    if is_email and confirm_url is not None:
        _send_confirmation_link(consent=consent, customer=customer, confirm_url=confirm_url)
    return consent


def _send_confirmation_link(*, consent: Consent, customer: Customer, confirm_url: Callable[[str], str]) -> None:
    recipient = customer.user.email if customer.user is not None else customer.email
    if not recipient:
        return
    context: dict[str, object] = {
        "name": customer.name,
        "link": confirm_url(consent.confirmation_token),
        "purpose": label_for(channel=consent.channel, purpose=consent.purpose),
        "source_phrase": _SOURCE_PHRASES[Consent.Source(consent.source)],
        "wording": consent.wording,
        "has_login": customer.user_id is not None,
    }
    transaction.on_commit(partial(_send, recipient=recipient, context=context))


def _send(*, recipient: str, context: dict[str, object]) -> None:
    send_mail(
        subject=render_to_string("contacts/email/confirm_consent_subject.txt", context).strip(),
        message=render_to_string("contacts/email/confirm_consent.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient],
    )


def find_pending_email_consent(*, customer: Customer, token: str) -> Consent | None:
    """Return the customer's unconfirmed e-mail consent that the link's token belongs to, or None."""
    if not token:
        return None
    return Consent.objects.filter(
        customer=customer,
        channel=Consent.ConsentChannel.EMAIL,
        confirmation_token=token,
        confirmed_at__isnull=True,
        withdrawn_at__isnull=True,
    ).first()


def find_by_link(*, token: str) -> Consent | None:
    """Return the e-mail consent a double opt-in link belongs to, in whatever state it is now, or None."""
    if not token:
        return None
    return (
        Consent.objects.filter(channel=Consent.ConsentChannel.EMAIL, confirmation_token=token)
        .select_related("customer")
        .order_by("-granted_at", "-id")
        .first()
    )


def find_successor(consent: Consent) -> Consent | None:
    """Return the consent given again for the same channel and purpose after this one was withdrawn, or None."""
    return (
        Consent.objects.filter(
            customer_id=consent.customer_id,
            channel=consent.channel,
            purpose=consent.purpose,
            withdrawn_at__isnull=True,
            granted_at__gte=consent.granted_at,
        )
        .exclude(pk=consent.pk)
        .first()
    )


@transaction.atomic
def confirm_by_link(*, token: str, now: datetime) -> Consent | None:
    """Confirm the e-mail consent the link's token belongs to (no login needed: the token identifies the customer).

    Returns None when the token is unknown, already confirmed or withdrawn; nothing is changed then.
    """
    consent = find_by_link(token=token)
    if consent is None:
        return None
    return confirm_email(customer=consent.customer, token=token, now=now)


@transaction.atomic
def confirm_email(*, customer: Customer, token: str, now: datetime) -> Consent | None:
    """Confirm an e-mail consent (double opt-in); returns None for an unknown or used token."""
    consent = (
        Consent.objects.select_for_update()
        .filter(customer=customer, confirmation_token=token, confirmed_at__isnull=True, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None or not token:
        return None
    consent.confirmed_at = now
    consent.save(update_fields=["confirmed_at"])
    logger.info("consent %s confirmed by double opt-in", consent.pk)
    return consent


@transaction.atomic
def withdraw(*, customer: Customer, channel: str, purpose: str, source: str, now: datetime) -> bool:
    """Withdraw the consent with immediate effect; returns whether one was open."""
    updated = Consent.objects.filter(
        customer=customer, channel=channel, purpose=purpose, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, withdrawal_source=source)
    if updated:
        logger.info("consent withdrawn for customer %s via %s", customer.pk, source)
    return updated > 0


def record_use(
    *,
    consent: Consent,
    purpose: str,
    now: datetime,
    touchpoint: Touchpoint | None = None,
    call_task: CallTask | None = None,
) -> ConsentUse:
    """Record that a contact relied on this consent (proof kept for five years after each use, § 7a UWG)."""
    return ConsentUse.objects.create(
        consent=consent, used_at=now, purpose=purpose, touchpoint=touchpoint, call_task=call_task
    )


# --- the customer's overview ----------------------------------------------------------------------------------------

CHANNELS = (Consent.ConsentChannel.PHONE, Consent.ConsentChannel.EMAIL, Consent.ConsentChannel.LETTER)
PURPOSES = (Consent.Purpose.ADVERTISING, Consent.Purpose.SURVEY)


@dataclass(frozen=True, slots=True)
class ConsentState:
    """One channel and purpose as the customer sees it: in force, waiting for the e-mail link, or not given."""

    channel: str
    channel_label: str
    purpose: str
    purpose_label: str  # the channel-neutral heading of the purpose
    label: str  # what the consent covers on this channel
    wording: str
    granted_at: datetime | None
    confirmed_at: datetime | None
    source_label: str
    awaiting_confirmation: bool

    @property
    def is_in_force(self) -> bool:
        return self.granted_at is not None and not self.awaiting_confirmation


def get_consent_states(*, customer: Customer) -> list[ConsentState]:
    """Return every channel × purpose with its current state and wording (1 query)."""
    open_consents = {
        (consent.channel, consent.purpose): consent
        for consent in Consent.objects.filter(customer=customer, withdrawn_at__isnull=True).order_by(
            "granted_at", "id"
        )
    }
    states = []
    for purpose in PURPOSES:
        for channel in CHANNELS:
            consent = open_consents.get((channel, purpose))
            states.append(
                ConsentState(
                    channel=channel,
                    channel_label=channel.label,
                    purpose=purpose,
                    purpose_label=group_label_for(purpose=purpose),
                    label=label_for(channel=channel, purpose=purpose),
                    wording=consent.wording if consent else wording_for(channel=channel, purpose=purpose),
                    granted_at=consent.granted_at if consent else None,
                    confirmed_at=consent.confirmed_at if consent else None,
                    source_label=consent.get_source_display() if consent else "",
                    awaiting_confirmation=consent is not None and not consent.is_in_force,
                )
            )
    return states
