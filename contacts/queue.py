"""The call queue: claim a task (never two agents at once), work it with its guide, record the result, or skip it.

Claiming is one conditional UPDATE (``… WHERE status = 'OPEN'``): the database lets exactly one of two simultaneous
claims change the row, so no lock has to be held while the agent decides. Every later step checks that the task is
still held by the same agent in the same way.

Courtesy, win-back and care calls are advertising (§ 7 UWG): working one needs the customer's telephone consent in
force, and the call is recorded as a use of that consent (§ 7a UWG). The rules the jobs plan such calls by
(contacts.courtesy) apply again when the call is worked, since things change in between: when the portal knows the
call may not be made (a vulnerable customer, an open complaint, no consent, the contact cap reached), the queue and
the work page offer to skip it in one click with that reason; outside the call window (Mon–Fri 09:00–18:00 Berlin)
the result of such a call is not accepted.

Skip reasons come from a fixed list (SkipReason, the labels the courtesy job writes too), so that sales can count
them; "Sonstiges" takes the agent's own words after a colon. Reasons typed freely before the list existed are grouped
by keyword (skip_reason_group).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import BooleanField, Case, CharField, Exists, ExpressionWrapper, OuterRef, Q, Value, When

from contacts import consents, courtesy, touchpoints
from contacts.models import CallGuide, CallTask, Channel, Consent, Topic, Touchpoint
from core.models import User
from customers import selectors as customer_selectors
from customers.models import Customer

logger = logging.getLogger(__name__)

# Optional outbound contacts that count as advertising and need the phone consent (DOMAIN.md, consent).
ADVERTISING_KINDS = frozenset({CallTask.Kind.COURTESY, CallTask.Kind.WIN_BACK, CallTask.Kind.CARE})
RECENT_TOUCHPOINTS = 5
SKIP_DETAIL_MAX_LENGTH = 150


class SkipReason(models.TextChoices):
    """Why a task was closed without a call; the first four are the labels the jobs write (contacts.courtesy)."""

    NO_CONSENT = "NO_CONSENT", courtesy.SKIP_NO_CONSENT
    VULNERABLE = "VULNERABLE", courtesy.SKIP_VULNERABLE
    COMPLAINT = "COMPLAINT", courtesy.SKIP_COMPLAINT
    CONTACT_CAP = "CONTACT_CAP", courtesy.SKIP_CAP
    ALREADY_IN_CONTACT = "ALREADY_IN_CONTACT", "Kontakt bereits erfolgt"
    NO_PHONE_NUMBER = "NO_PHONE_NUMBER", "keine gültige Telefonnummer"
    CONTRACT_ENDED = "CONTRACT_ENDED", "Vertrag gekündigt oder beendet"
    OTHER = "OTHER", "Sonstiges"


# Words in reasons typed freely before the fixed list, by the reason they mean; checked in this order (so that
# "Einwilligung widerrufen" is a missing consent and "bereits gekündigt" an ended contract). Anything else counts
# as "Sonstiges".
LEGACY_SKIP_KEYWORDS: tuple[tuple[SkipReason, tuple[str, ...]], ...] = (
    (SkipReason.NO_CONSENT, ("einwillig", "opt-in", "optin", "werbeanruf")),
    (SkipReason.VULNERABLE, ("schutzbed",)),
    (SkipReason.COMPLAINT, ("beschwerde",)),
    (SkipReason.CONTACT_CAP, ("obergrenze", "kontaktgrenze")),
    (SkipReason.NO_PHONE_NUMBER, ("telefonnummer", "rufnummer", "keine nummer", "nummer falsch", "nummer ungültig")),
    (SkipReason.CONTRACT_ENDED, ("gekündigt", "kündigung", "storniert", "vertrag beendet", "vertragsende")),
    (SkipReason.ALREADY_IN_CONTACT, ("selbst angerufen", "selbst gemeldet", "bereits", "schon angerufen")),
)


class QueueError(Exception):
    """A queue action that cannot be done; the message is German and meant for the agent."""

    message = "Diese Aktion ist nicht möglich."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class TaskAlreadyClaimed(QueueError):
    message = "Diese Aufgabe hat gerade eine Kollegin oder ein Kollege übernommen."


class TaskNotHeld(QueueError):
    message = (
        "Diese Aufgabe haben Sie nicht (mehr) übernommen: Sie ist erledigt, übersprungen oder bei einer Kollegin "
        "oder einem Kollegen."
    )


class SkipReasonMissing(QueueError):
    message = "Bitte geben Sie einen Grund an, warum Sie die Aufgabe überspringen."


class SkipDetailMissing(QueueError):
    message = "Bitte beschreiben Sie bei „Sonstiges“ kurz, warum Sie die Aufgabe überspringen."


class PhoneConsentMissing(QueueError):
    message = (
        "Für diesen Anruf fehlt die telefonische Einwilligung (§ 7 UWG). Bitte rufen Sie nicht an und überspringen "
        "Sie die Aufgabe mit diesem Grund."
    )


class OutsideCallWindow(QueueError):
    message = (
        "Werbe- und Höflichkeitsanrufe sind nur montags bis freitags von 9 bis 18 Uhr erlaubt. Bitte rufen Sie in "
        "dieser Zeit an; die Aufgabe bleibt so lange bei Ihnen, oder geben Sie sie zurück in die Anrufliste."
    )


# What the agent reads beside the one-click skip, per reason the portal knows.
KNOWN_SKIP_HINTS = {
    "VULNERABLE": "Besonders schutzbedürftig: keine Werbe- und Höflichkeitsanrufe.",
    "COMPLAINT": "Offene Beschwerde: Solange sie nicht erledigt ist, keine Werbe- und Höflichkeitsanrufe.",
    "NO_CONSENT": "Keine telefonische Einwilligung für Werbung und Höflichkeitsanrufe.",
    "CONTACT_CAP": "Kontaktobergrenze erreicht: In den letzten 90 Tagen gab es schon genug freiwillige Anrufe.",
}


def needs_phone_consent(kind: str) -> bool:
    """Tell whether a task of this kind is advertising and may only be worked with the phone consent in force."""
    return kind in ADVERTISING_KINDS


def known_skip_reason(
    *,
    kind: str,
    is_vulnerable: bool,
    has_phone_consent: bool,
    has_open_complaint: bool = False,
    optional_contacts: int = 0,
) -> SkipReason | None:
    """Return why the portal already knows the call may not be made, or None.

    The rules of every optional outbound call (contacts.courtesy), in the job's order: never a vulnerable customer,
    never while a complaint is open, never without the phone consent in force, never beyond the contact cap
    (``optional_contacts``: the optional contacts the customer already had in the cap period). Other tasks
    (callbacks the customer asked for) are always allowed.
    """
    if not needs_phone_consent(kind):
        return None
    if is_vulnerable:
        return SkipReason.VULNERABLE
    if has_open_complaint:
        return SkipReason.COMPLAINT
    if not has_phone_consent:
        return SkipReason.NO_CONSENT
    if optional_contacts >= courtesy.cap_count():
        return SkipReason.CONTACT_CAP
    return None


def known_skip_hint(reason: SkipReason | None) -> str:
    """Return the German sentence that explains a known skip reason ("" for none)."""
    return KNOWN_SKIP_HINTS.get(reason.value, "") if reason is not None else ""


def skip_reason_text(*, reason: str, detail: str = "") -> str:
    """Return the reason as stored on the task: the label of the list, the agent's words after a colon.

    :raises SkipReasonMissing: if the reason is not one of the list.
    :raises SkipDetailMissing: if the reason is "Sonstiges" without words.
    """
    if reason not in SkipReason.values:
        raise SkipReasonMissing
    detail = " ".join(detail.split())[:SKIP_DETAIL_MAX_LENGTH]
    if reason == SkipReason.OTHER and not detail:
        raise SkipDetailMissing
    label = SkipReason(reason).label
    return f"{label}: {detail}" if detail else label


def skip_reason_group() -> Case:
    """Return the SkipReason value of a task's stored skip_reason as a database expression (for counting).

    A label of the list, alone or followed by ": …", is that reason; older free texts are read by keyword
    (LEGACY_SKIP_KEYWORDS); everything else is "Sonstiges".
    """
    whens = [
        When(
            Q(skip_reason__iexact=reason.label) | Q(skip_reason__istartswith=f"{reason.label}:"),
            then=Value(reason.value),
        )
        for reason in SkipReason
    ]
    whens += [
        When(skip_reason__icontains=keyword, then=Value(reason.value))
        for reason, keywords in LEGACY_SKIP_KEYWORDS
        for keyword in keywords
    ]
    return Case(*whens, default=Value(SkipReason.OTHER.value), output_field=CharField())


# --- services -------------------------------------------------------------------------------------------------------


def claim(*, task_id: int, agent: User, now: datetime) -> CallTask:
    """Take an open task for this agent; of two simultaneous claims exactly one succeeds.

    :raises TaskAlreadyClaimed: if the task is no longer open (claimed, done or skipped meanwhile).
    """
    claimed = CallTask.objects.filter(pk=task_id, status=CallTask.Status.OPEN).update(
        status=CallTask.Status.CLAIMED, assignee=agent, claimed_at=now
    )
    if claimed == 0:
        raise TaskAlreadyClaimed
    logger.info("call task %s claimed by user %s", task_id, agent.pk)
    return CallTask.objects.get(pk=task_id)


def release(*, task: CallTask, agent: User) -> None:
    """Put a task the agent holds back into the open queue.

    :raises TaskNotHeld: if the agent does not hold the task.
    """
    released = CallTask.objects.filter(pk=task.pk, status=CallTask.Status.CLAIMED, assignee=agent).update(
        status=CallTask.Status.OPEN, assignee=None, claimed_at=None
    )
    if released == 0:
        raise TaskNotHeld
    logger.info("call task %s released by user %s", task.pk, agent.pk)


def complete(*, task: CallTask, agent: User, touchpoint: Touchpoint, now: datetime) -> None:
    """Mark the task done with the touchpoint that records the call; only the agent holding it may.

    :raises TaskNotHeld: if the agent does not hold the task.
    """
    if touchpoint.customer_id != task.customer_id:
        raise ValueError("the touchpoint belongs to another customer than the task")
    completed = CallTask.objects.filter(pk=task.pk, status=CallTask.Status.CLAIMED, assignee=agent).update(
        status=CallTask.Status.DONE, result=touchpoint, finished_at=now
    )
    if completed == 0:
        raise TaskNotHeld
    logger.info("call task %s completed by user %s", task.pk, agent.pk)


def skip(*, task: CallTask, agent: User, reason: str, now: datetime, detail: str = "") -> None:
    """Close an open task, or one the agent holds, without calling; the reason of the list is required and kept.

    No call is made, so no consent is used and no touchpoint is written.

    :raises SkipReasonMissing: if the reason is not one of SkipReason (nothing is written).
    :raises SkipDetailMissing: if the reason is "Sonstiges" without words (nothing is written).
    :raises TaskNotHeld: if the task is done, skipped or held by someone else.
    """
    text = skip_reason_text(reason=reason, detail=detail)
    skipped = (
        CallTask.objects.filter(pk=task.pk)
        .filter(Q(status=CallTask.Status.OPEN) | Q(status=CallTask.Status.CLAIMED, assignee=agent))
        .update(status=CallTask.Status.SKIPPED, skip_reason=text, assignee=agent, finished_at=now)
    )
    if skipped == 0:
        raise TaskNotHeld
    logger.info("call task %s skipped by user %s", task.pk, agent.pk)


@transaction.atomic
def withdraw_consent(*, customer: Customer, channel: str, purpose: str, source: str, now: datetime) -> bool:
    """Withdraw a consent with immediate effect and close the call tasks that relied on it; return whether one was
    in force.

    Withdrawing the telephone consent for advertising makes every open advertising call of the customer unlawful
    (§ 7 UWG): those tasks (open, or held by an agent who has not called yet) are skipped at once with the reason
    "keine Einwilligung", so nobody calls and sales count them like the job's skips.
    """
    withdrawn = consents.withdraw(customer=customer, channel=channel, purpose=purpose, source=source, now=now)
    if withdrawn and channel == Consent.ConsentChannel.PHONE and purpose == Consent.Purpose.ADVERTISING:
        closed = CallTask.objects.filter(
            customer=customer,
            kind__in=ADVERTISING_KINDS,
            status__in=(CallTask.Status.OPEN, CallTask.Status.CLAIMED),
        ).update(
            status=CallTask.Status.SKIPPED,
            skip_reason=skip_reason_text(reason=SkipReason.NO_CONSENT, detail="Einwilligung widerrufen"),
            finished_at=now,
        )
        if closed:
            logger.info("consent withdrawn: %s call task(s) of customer %s skipped", closed, customer.pk)
    return withdrawn


@transaction.atomic
def record_result(
    *,
    task: CallTask,
    agent: User,
    now: datetime,
    outcome: str,
    summary: str,
    would_recommend: int | None = None,
    sentiment: str = "",
    duration_seconds: int | None = None,
) -> Touchpoint:
    """Record the call of a task the agent holds as an outbound phone touchpoint and complete the task.

    For advertising calls the phone consent in force is recorded as used by this touchpoint (§ 7a UWG).

    :raises TaskNotHeld: if the agent does not hold the task (nothing is written).
    :raises OutsideCallWindow: if the call is advertising and ``now`` is outside the call window, allowing
        courtesy.RECORDING_GRACE after its end for the note (nothing is written).
    :raises PhoneConsentMissing: if the call is advertising and the phone consent is not in force (nothing written).
    :raises touchpoints.TouchpointRejected: if the touchpoint is invalid, e.g. a score outside 0–10 (nothing written).
    """
    locked = CallTask.objects.select_for_update(of=("self",)).select_related("customer", "contract").get(pk=task.pk)
    if locked.status != CallTask.Status.CLAIMED or locked.assignee_id != agent.pk:
        raise TaskNotHeld
    consent = None
    if needs_phone_consent(locked.kind) and not courtesy.may_record_call(now):
        raise OutsideCallWindow
    if needs_phone_consent(locked.kind):
        consent = consents.active_consent(
            customer=locked.customer, channel=Consent.ConsentChannel.PHONE, purpose=Consent.Purpose.ADVERTISING
        )
        if consent is None:
            raise PhoneConsentMissing
    touchpoint = touchpoints.record_touchpoint(
        customer=locked.customer,
        agent=agent,
        channel=Channel.PHONE,
        direction=Touchpoint.Direction.OUTBOUND,
        topic=locked.topic,
        outcome=outcome,
        summary=summary,
        occurred_at=now,
        duration_seconds=duration_seconds,
        contract=locked.contract,
        sentiment=sentiment,
        would_recommend=would_recommend,
    )
    if consent is not None:
        consents.record_use(
            consent=consent,
            purpose=f"{locked.get_kind_display()} (Anrufaufgabe {locked.pk})",
            now=now,
            touchpoint=touchpoint,
            call_task=locked,
        )
    complete(task=locked, agent=agent, touchpoint=touchpoint, now=now)
    return touchpoint


# --- selectors ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One task in the queue as the agent sees it."""

    task_id: int
    customer_id: int
    customer_name: str
    customer_number: str
    kind_label: str
    topic_label: str
    due_at: datetime
    is_due: bool
    is_vulnerable: bool
    needs_phone_consent: bool
    has_phone_consent: bool
    note: str

    kind: str
    has_open_complaint: bool = False
    optional_contacts: int = 0  # optional contacts that took place in the cap period (courtesy.optional_contacts_made)

    @property
    def consent_missing(self) -> bool:
        return self.needs_phone_consent and not self.has_phone_consent

    @property
    def complaint_open(self) -> bool:
        """Tell whether an open complaint stands against this call (only advertising calls are held back by it)."""
        return self.needs_phone_consent and self.has_open_complaint

    @property
    def contact_cap_reached(self) -> bool:
        return self.needs_phone_consent and self.optional_contacts >= courtesy.cap_count()

    @property
    def known_skip_reason(self) -> SkipReason | None:
        return known_skip_reason(
            kind=self.kind,
            is_vulnerable=self.is_vulnerable,
            has_phone_consent=self.has_phone_consent,
            has_open_complaint=self.has_open_complaint,
            optional_contacts=self.optional_contacts,
        )


@dataclass(frozen=True, slots=True)
class QueuePage:
    entries: list[QueueEntry]
    total: int
    number: int
    num_pages: int
    # Whether advertising calls may be made now (courtesy.is_in_call_window); the list says so when they may not.
    is_call_window_open: bool = True

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


_QUEUE_FIELDS = (
    "pk",
    "customer_id",
    "customer__name",
    "customer__customer_number",
    "customer__is_vulnerable",
    "kind",
    "topic",
    "due_at",
    "note",
    "has_phone_consent",
    "has_open_complaint",
    "optional_contacts",
)


def _with_rule_facts(queryset: object, *, now: datetime) -> object:
    """Annotate call tasks with what the rules of optional calls need (subqueries, no extra query): the customer's
    phone consent for advertising, an open complaint, the optional contacts made in the cap period."""
    phone_consent = Consent.objects.filter(
        customer=OuterRef("customer"),
        channel=Consent.ConsentChannel.PHONE,
        purpose=Consent.Purpose.ADVERTISING,
        withdrawn_at__isnull=True,
        confirmed_at__isnull=False,
    )
    return queryset.annotate(  # type: ignore[attr-defined]
        has_phone_consent=Exists(phone_consent),
        has_open_complaint=ExpressionWrapper(
            courtesy.open_complaint_exists(customer=OuterRef("customer"), now=now), output_field=BooleanField()
        ),
        optional_contacts=courtesy.optional_contacts_made(customer=OuterRef("customer"), now=now),
    )


def _entry(row: dict[str, object], *, now: datetime) -> QueueEntry:
    kind = str(row["kind"])
    due_at = row["due_at"]
    assert isinstance(due_at, datetime)
    return QueueEntry(
        task_id=int(row["pk"]),  # type: ignore[call-overload]
        customer_id=int(row["customer_id"]),  # type: ignore[call-overload]
        customer_name=str(row["customer__name"]),
        customer_number=str(row["customer__customer_number"]),
        kind_label=CallTask.Kind(kind).label,
        topic_label=Topic(str(row["topic"])).label,
        due_at=due_at,
        is_due=due_at <= now,
        is_vulnerable=bool(row["customer__is_vulnerable"]),
        needs_phone_consent=needs_phone_consent(kind),
        has_phone_consent=bool(row["has_phone_consent"]),
        note=str(row["note"]),
        kind=kind,
        has_open_complaint=bool(row["has_open_complaint"]),
        optional_contacts=int(row["optional_contacts"] or 0),  # type: ignore[call-overload]
    )


def get_open_queue(*, now: datetime, page: int | str | None = 1, per_page: int = 25) -> QueuePage:
    """Return one page of open tasks: due or overdue first (oldest first), then upcoming (2 queries).

    An invalid page number gives the nearest valid page.
    """
    tasks = _with_rule_facts(CallTask.objects.filter(status=CallTask.Status.OPEN).order_by("due_at", "id"), now=now)
    paginator = Paginator(tasks.values(*_QUEUE_FIELDS), per_page)  # type: ignore[attr-defined]
    current = paginator.get_page(page)
    return QueuePage(
        entries=[_entry(row, now=now) for row in current.object_list],
        total=paginator.count,
        number=current.number,
        num_pages=paginator.num_pages,
        is_call_window_open=courtesy.is_in_call_window(now),
    )


def get_claimed_tasks(*, agent: User, now: datetime) -> list[QueueEntry]:
    """Return the tasks this agent holds, oldest due first (1 query)."""
    tasks = _with_rule_facts(
        CallTask.objects.filter(status=CallTask.Status.CLAIMED, assignee=agent).order_by("due_at", "id"), now=now
    )
    return [_entry(row, now=now) for row in tasks.values(*_QUEUE_FIELDS)]  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class RecentTouchpoint:
    occurred_at: datetime
    channel_label: str
    direction_label: str
    topic_label: str
    outcome_label: str
    summary: str
    agent_name: str


@dataclass(frozen=True, slots=True)
class ConsentInForce:
    channel_label: str
    purpose_label: str
    granted_at: datetime
    source_label: str


@dataclass(frozen=True, slots=True)
class WorkContext:
    """Everything the agent needs beside the phone: the guide and the customer's key data."""

    task_id: int
    status: str
    kind_label: str
    topic_label: str
    due_at: datetime
    note: str
    guide_title: str
    guide_steps: list[str]
    customer_id: int
    customer_name: str
    customer_number: str
    phone: str
    email: str
    address: str
    is_vulnerable: bool
    contracts: list[customer_selectors.ContractSummary]
    recent_touchpoints: list[RecentTouchpoint]
    consents_in_force: list[ConsentInForce]
    needs_phone_consent: bool
    has_phone_consent: bool
    kind: str
    has_open_complaint: bool = False
    optional_contacts: int = 0  # optional contacts that took place in the cap period (courtesy.optional_contacts_made)
    is_call_window_open: bool = True  # whether the call may be made now (only advertising calls are bound to it)

    @property
    def consent_missing(self) -> bool:
        return self.needs_phone_consent and not self.has_phone_consent

    @property
    def known_skip_reason(self) -> SkipReason | None:
        return known_skip_reason(
            kind=self.kind,
            is_vulnerable=self.is_vulnerable,
            has_phone_consent=self.has_phone_consent,
            has_open_complaint=self.has_open_complaint,
            optional_contacts=self.optional_contacts,
        )

    @property
    def known_skip_hint(self) -> str:
        """Return the German sentence explaining the known skip reason ("" if none)."""
        return known_skip_hint(self.known_skip_reason)

    @property
    def outside_call_window(self) -> bool:
        """Tell whether this is an advertising call and the call window is closed now."""
        return self.needs_phone_consent and not self.is_call_window_open


def get_task(*, task_id: int) -> CallTask | None:
    """Return the task with its customer and guide (1 query), or None."""
    return CallTask.objects.select_related("customer", "guide").filter(pk=task_id).first()


def get_work_context(*, task: CallTask, as_of: date, now: datetime | None = None) -> WorkContext:
    """Return the guide for the task's topic and the customer's key data (a fixed number of queries).

    ``task`` comes from ``get_task`` (customer and guide loaded). With ``now`` the rules of optional calls are checked
    as of then (open complaint, contact cap, call window; 1 query more); without, only consent and vulnerability.
    """
    customer = task.customer
    facts: dict[str, object] = {"has_open_complaint": False, "optional_contacts": 0}
    if now is not None and needs_phone_consent(task.kind):
        facts = (
            _with_rule_facts(CallTask.objects.filter(pk=task.pk), now=now)
            .values("has_open_complaint", "optional_contacts")  # type: ignore[attr-defined]
            .get()
        )
    guide = task.guide or CallGuide.objects.filter(topic=task.topic).first()
    latest = (
        Touchpoint.objects.filter(customer=customer)
        .select_related("agent")
        .order_by("-occurred_at", "-id")[:RECENT_TOUCHPOINTS]
    )
    recent = [
        RecentTouchpoint(
            occurred_at=touchpoint.occurred_at,
            channel_label=touchpoint.get_channel_display(),
            direction_label=touchpoint.get_direction_display(),
            topic_label=touchpoint.get_topic_display(),
            outcome_label=touchpoint.get_outcome_display(),
            summary=touchpoint.summary,
            agent_name=(touchpoint.agent.display_name or touchpoint.agent.full_name) if touchpoint.agent else "",
        )
        for touchpoint in latest
    ]
    in_force = [
        consent
        for consent in Consent.objects.filter(customer=customer, withdrawn_at__isnull=True).order_by(
            "channel", "purpose", "id"
        )
        if consent.is_in_force
    ]
    has_phone_consent = any(
        consent.channel == Consent.ConsentChannel.PHONE and consent.purpose == Consent.Purpose.ADVERTISING
        for consent in in_force
    )
    return WorkContext(
        task_id=task.pk,
        status=task.status,
        kind_label=task.get_kind_display(),
        topic_label=task.get_topic_display(),
        due_at=task.due_at,
        note=task.note,
        guide_title=guide.title if guide else "",
        guide_steps=guide.steps if guide else [],
        customer_id=customer.pk,
        customer_name=customer.name,
        customer_number=customer.customer_number,
        phone=customer.phone,
        email=customer.email,
        address=f"{customer.street}, {customer.postal_code} {customer.city}",
        is_vulnerable=customer.is_vulnerable,
        contracts=customer_selectors.get_contract_summaries(customer=customer, as_of=as_of),
        recent_touchpoints=recent,
        consents_in_force=[
            ConsentInForce(
                channel_label=consent.get_channel_display(),
                purpose_label=consent.get_purpose_display(),
                granted_at=consent.granted_at,
                source_label=consent.get_source_display(),
            )
            for consent in in_force
        ],
        needs_phone_consent=needs_phone_consent(task.kind),
        has_phone_consent=has_phone_consent,
        kind=task.kind,
        has_open_complaint=bool(facts["has_open_complaint"]),
        optional_contacts=int(facts["optional_contacts"] or 0),  # type: ignore[call-overload]
        is_call_window_open=now is None or courtesy.is_in_call_window(now),
    )
