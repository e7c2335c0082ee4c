"""Courtesy calls (job ``courtesy_calls``) and the rules every optional outbound call follows.

A contract that started COURTESY_CALL_DELAY_DAYS ago (default 14; a contract missed by earlier runs is still taken up
to 30 days after its start) gets one courtesy call task with the courtesy guide, due in the next call window. The
rules (DOMAIN.md, consent and contact frequency), shared with the care triggers (contacts.care):

- never for a vulnerable customer, never while a complaint is open (open_complaint_q, plus open complaint tasks);
- only with the customer's telephone consent for advertising in force (§ 7 UWG: courtesy calls count as advertising);
  planning the call on it is recorded as a use of that consent (§ 7a UWG);
- at most CONTACT_CAP_COUNT optional contacts per customer within CONTACT_CAP_DAYS (defaults 2 in 90 days): open,
  claimed and done courtesy, win-back and care tasks, plus outbound courtesy-call and survey touchpoints
  (OPTIONAL_TOPICS) not recorded through such a task. Planned future tasks count too, so the cap holds in any rolling
  window around the new call;
- due in the call window, Monday to Friday 09:00–18:00 Berlin time (public holidays are not known to the portal).

The call queue (contacts.queue) applies the same rules when a call is worked: it offers to skip a call with an open
complaint or a reached cap, and refuses to record an advertising call outside the call window. There only contacts
that took place count toward the cap (optional_contacts_made): planned calls were counted when they were planned,
and counting them again would make two planned calls block each other.

A call that may not be made is still written: a SKIPPED task with the reason and the same source key, so that the job
is idempotent, the skips can be counted and sales sees them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from contacts import consents
from contacts.models import CallGuide, CallTask, Consent, Topic, Touchpoint
from core import holidays
from customers.models import Contract, Customer

logger = logging.getLogger(__name__)

JOB = "courtesy_calls"
BERLIN = ZoneInfo("Europe/Berlin")
CALL_WINDOW_START = time(9)
CALL_WINDOW_END = time(18)
# A call needs a quarter of an hour: with less left of today's window the call is due in the next one.
CALL_SLOT = timedelta(minutes=15)
# A call that ran over the end of the window can still be written up this long afterwards (not begun after it).
RECORDING_GRACE = timedelta(minutes=30)
COURTESY_WINDOW_DAYS = 30
# A complaint that was neither resolved nor escalated counts as settled after this many days (open_complaint_q).
COMPLAINT_DAYS = 90

# Optional outbound contacts (DOMAIN.md: courtesy, win-back, survey): call tasks of these kinds, and outbound
# touchpoints on these topics recorded without such a task (e.g. a survey call recorded on the 360° screen).
OPTIONAL_KINDS = (CallTask.Kind.COURTESY, CallTask.Kind.WIN_BACK, CallTask.Kind.CARE)
OPTIONAL_TOPICS = (Topic.COURTESY_CALL, Topic.SURVEY)
COUNTED_STATUSES = (CallTask.Status.OPEN, CallTask.Status.CLAIMED, CallTask.Status.DONE)

SKIP_NO_CONSENT = "keine Einwilligung"
SKIP_CAP = "Kontaktobergrenze erreicht"
SKIP_VULNERABLE = "schutzbedürftig"
SKIP_COMPLAINT = "offene Beschwerde"


def delay_days() -> int:
    return int(getattr(settings, "COURTESY_CALL_DELAY_DAYS", 14))


def cap_count() -> int:
    return int(getattr(settings, "CONTACT_CAP_COUNT", 2))


def cap_days() -> int:
    return int(getattr(settings, "CONTACT_CAP_DAYS", 90))


def next_call_window(now: datetime) -> datetime:
    """Return when a call planned at ``now`` is due.

    That is ``now`` if at least a call slot is left of today's window (Mon–Fri 09:00–18:00 Berlin, not on public
    holidays of PUBLIC_HOLIDAY_STATE), else the start of the next window. The window is computed on the Berlin wall
    clock, so it is right across DST changes.
    """
    local = now.astimezone(BERLIN)
    day = local.date()
    state = settings.PUBLIC_HOLIDAY_STATE
    is_workday = holidays.is_working_day(day, state)
    if is_workday and local.time() < CALL_WINDOW_START:
        return datetime.combine(day, CALL_WINDOW_START, tzinfo=BERLIN)
    window_end = datetime.combine(day, CALL_WINDOW_END, tzinfo=BERLIN)
    if is_workday and local + CALL_SLOT <= window_end:
        return now
    return datetime.combine(
        holidays.next_working_day(day + timedelta(days=1), state), CALL_WINDOW_START, tzinfo=BERLIN
    )


def is_in_call_window(at: datetime) -> bool:
    """Tell whether ``at`` lies in the call window, Monday to Friday 09:00–18:00 on the Berlin wall clock, not on a
    public holiday."""
    local = at.astimezone(BERLIN)
    return (
        holidays.is_working_day(local.date(), settings.PUBLIC_HOLIDAY_STATE)
        and CALL_WINDOW_START <= local.time() < CALL_WINDOW_END
    )


def may_record_call(now: datetime) -> bool:
    """Tell whether an advertising call can be recorded at ``now``: in the call window, or at most RECORDING_GRACE
    after its end (the note of a call begun before 18:00)."""
    return is_in_call_window(now) or is_in_call_window(now - RECORDING_GRACE)


# --- the rules, loaded for many customers at once --------------------------------------------------------------------


def open_complaint_q(*, now: datetime) -> Q:
    """Return the condition on touchpoints that keeps a complaint open at ``now``.

    A touchpoint is an open complaint when all of these hold:

    - its topic is COMPLAINT, it occurred up to ``now`` and its outcome is not RESOLVED (the complaint itself, or a
      step in handling it: follow-up, callback agreed, escalated, not reached);
    - no touchpoint of the same customer on topic COMPLAINT with outcome RESOLVED came after it (a later time, or the
      same time and a higher id) up to ``now``: that one closes every complaint before it;
    - it is ESCALATED, whatever its age (an escalation is open until someone resolves it), or it occurred within
      the last COMPLAINT_DAYS (an unescalated complaint nobody followed up is taken as settled after that time).

    The customer's open complaint tasks (topic COMPLAINT, open or claimed) count as open complaints too; see
    open_complaint_exists.
    """
    resolved_later = Touchpoint.objects.filter(
        customer=OuterRef("customer"),
        topic=Topic.COMPLAINT,
        outcome=Touchpoint.Outcome.RESOLVED,
        occurred_at__lte=now,
    ).filter(
        Q(occurred_at__gt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )
    recent_or_escalated = Q(outcome=Touchpoint.Outcome.ESCALATED) | Q(
        occurred_at__gte=now - timedelta(days=COMPLAINT_DAYS)
    )
    return (
        Q(topic=Topic.COMPLAINT, occurred_at__lte=now)
        & ~Q(outcome=Touchpoint.Outcome.RESOLVED)
        & recent_or_escalated
        & ~Q(Exists(resolved_later))
    )


def open_complaint_task_q() -> Q:
    """Return the condition on call tasks that are an open complaint: topic COMPLAINT, open or claimed."""
    return Q(topic=Topic.COMPLAINT, status__in=(CallTask.Status.OPEN, CallTask.Status.CLAIMED))


def open_complaint_exists(*, customer: OuterRef, now: datetime) -> Q:
    """Return the condition "the customer has an open complaint" for a query with a customer column (a subquery)."""
    return Q(Exists(Touchpoint.objects.filter(open_complaint_q(now=now), customer=customer))) | Q(
        Exists(CallTask.objects.filter(open_complaint_task_q(), customer=customer))
    )


def optional_contacts_made(*, customer: OuterRef, now: datetime) -> Coalesce:
    """Return, as a subquery expression, how many optional contacts the customer had in the cap period before ``now``.

    These are the done courtesy, win-back and care tasks finished in the period, plus outbound touchpoints on an
    optional topic (courtesy call, survey) in the period that are not the result of a task (those count as the task).
    Planned calls do not count here: this is the count when a call is worked (see the module docstring).
    """
    since = now - timedelta(days=cap_days())
    tasks = (
        CallTask.objects.filter(
            customer=customer,
            kind__in=OPTIONAL_KINDS,
            status=CallTask.Status.DONE,
            finished_at__gt=since,
            finished_at__lte=now,
        )
        .order_by()
        .values("customer")
        .annotate(total=Count("id"))
        .values("total")
    )
    touchpoints = (
        Touchpoint.objects.filter(
            customer=customer,
            direction=Touchpoint.Direction.OUTBOUND,
            topic__in=OPTIONAL_TOPICS,
            occurred_at__gt=since,
            occurred_at__lte=now,
        )
        .exclude(Exists(CallTask.objects.filter(result=OuterRef("pk"))))
        .order_by()
        .values("customer")
        .annotate(total=Count("id"))
        .values("total")
    )
    return Coalesce(
        Coalesce(Subquery(tasks, output_field=IntegerField()), 0)
        + Coalesce(Subquery(touchpoints, output_field=IntegerField()), 0),
        0,
        output_field=IntegerField(),
    )


@dataclass
class OutreachFacts:
    """What the rules need about a set of customers (4 queries, whatever their number)."""

    consents: dict[int, Consent]
    contacts: Counter[int]
    complaints: set[int]
    since: datetime = field(repr=False)

    @classmethod
    def load(cls, *, customer_ids: Iterable[int], now: datetime) -> OutreachFacts:
        ids = sorted(set(customer_ids))
        since = now - timedelta(days=cap_days())
        phone_consents: dict[int, Consent] = {}
        for consent in Consent.objects.filter(
            customer_id__in=ids,
            channel=Consent.ConsentChannel.PHONE,
            purpose=Consent.Purpose.ADVERTISING,
            withdrawn_at__isnull=True,
        ).order_by("customer_id", "-granted_at", "-id"):
            if consent.is_in_force:
                phone_consents.setdefault(consent.customer_id, consent)
        contacts: Counter[int] = Counter()
        tasks = (
            CallTask.objects.filter(customer_id__in=ids, kind__in=OPTIONAL_KINDS, status__in=COUNTED_STATUSES)
            .annotate(contact_at=Coalesce("finished_at", "due_at"))
            .filter(contact_at__gt=since)
            .order_by()
            .values("customer_id")
            .annotate(total=Count("id"))
        )
        for row in tasks:
            contacts[row["customer_id"]] += row["total"]
        task_results = CallTask.objects.filter(customer_id__in=ids, result__isnull=False).values("result_id")
        touchpoints = (
            Touchpoint.objects.filter(
                customer_id__in=ids,
                direction=Touchpoint.Direction.OUTBOUND,
                topic__in=OPTIONAL_TOPICS,
                occurred_at__gt=since,
            )
            .exclude(id__in=task_results)
            .order_by()
            .values("customer_id")
            .annotate(total=Count("id"))
        )
        for row in touchpoints:
            contacts[row["customer_id"]] += row["total"]
        complaints = set(
            Touchpoint.objects.filter(open_complaint_q(now=now), customer_id__in=ids).values_list(
                "customer_id", flat=True
            )
        ) | set(
            CallTask.objects.filter(open_complaint_task_q(), customer_id__in=ids).values_list("customer_id", flat=True)
        )
        return cls(consents=phone_consents, contacts=contacts, complaints=complaints, since=since)

    def skip_reason(self, customer: Customer) -> str | None:
        """Return why an optional call to the customer may not be made, or None."""
        if customer.is_vulnerable:
            return SKIP_VULNERABLE
        if customer.pk in self.complaints:
            return SKIP_COMPLAINT
        if customer.pk not in self.consents:
            return SKIP_NO_CONSENT
        if self.contacts[customer.pk] >= cap_count():
            return SKIP_CAP
        return None


@dataclass(frozen=True, slots=True)
class CallCandidate:
    """An optional call a job wants to plan; ``source_key`` makes planning it idempotent."""

    customer: Customer
    contract: Contract | None
    source_key: str
    topic: str
    note: str = ""


def plan_calls(*, candidates: Sequence[CallCandidate], kind: str, now: datetime, job: str) -> dict[str, Any]:
    """Write one task per candidate (OPEN, or SKIPPED with its reason); return the job result.

    A candidate whose source key has a task already counts as "already_done" (also when another run wrote it just
    now: the unique key decides).
    """
    result: dict[str, Any] = {"job": job, "created": 0, "already_done": 0, "skipped": Counter()}
    keys = [candidate.source_key for candidate in candidates]
    existing = set(CallTask.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    todo = [candidate for candidate in candidates if candidate.source_key not in existing]
    result["already_done"] = len(candidates) - len(todo)
    facts = OutreachFacts.load(customer_ids=[candidate.customer.pk for candidate in todo], now=now)
    guides = {guide.topic: guide for guide in CallGuide.objects.filter(topic__in={c.topic for c in todo})}
    due_at = next_call_window(now)
    for candidate in todo:
        reason = facts.skip_reason(candidate.customer)
        try:
            with transaction.atomic():
                task = CallTask.objects.create(
                    customer=candidate.customer,
                    contract=candidate.contract,
                    kind=kind,
                    topic=candidate.topic,
                    due_at=due_at,
                    status=CallTask.Status.SKIPPED if reason else CallTask.Status.OPEN,
                    skip_reason=reason or "",
                    finished_at=now if reason else None,
                    guide=guides.get(candidate.topic),
                    note=candidate.note,
                    source_key=candidate.source_key,
                )
                if reason is None:
                    consents.record_use(
                        consent=facts.consents[candidate.customer.pk],
                        purpose=f"{task.get_kind_display()} geplant (Anrufaufgabe {task.pk})",
                        now=now,
                        call_task=task,
                    )
        except IntegrityError:
            result["already_done"] += 1  # another run wrote this task between our check and our insert
            continue
        if reason:
            result["skipped"][reason] += 1
        else:
            result["created"] += 1
            facts.contacts[candidate.customer.pk] += 1  # a second call for the customer in this run counts it
    result["skipped"] = dict(sorted(result["skipped"].items()))
    logger.info("%s: %s", job, result)
    return result


# --- the job --------------------------------------------------------------------------------------------------------


def courtesy_calls(*, as_of: date, now: datetime) -> dict[str, Any]:
    """Plan the courtesy calls for contracts that started 14 (to 30) days before ``as_of``; return the job result.

    A contract that has a courtesy task already (whoever planned it) counts as done.
    """
    contracts = list(
        Contract.objects.filter(
            status=Contract.Status.ACTIVE,
            start_date__gte=as_of - timedelta(days=COURTESY_WINDOW_DAYS),
            start_date__lte=as_of - timedelta(days=delay_days()),
        )
        .annotate(has_courtesy=Exists(CallTask.objects.filter(contract=OuterRef("pk"), kind=CallTask.Kind.COURTESY)))
        .select_related("customer")
        .order_by("start_date", "id")
    )
    planned = sum(1 for contract in contracts if contract.has_courtesy)
    candidates = [
        CallCandidate(
            customer=contract.customer,
            contract=contract,
            source_key=f"courtesy:contract:{contract.pk}",
            topic=Topic.COURTESY_CALL,
            note=f"Lieferbeginn {contract.start_date:%d.%m.%Y}, Vertrag {contract.contract_number}.",
        )
        for contract in contracts
        if not contract.has_courtesy
    ]
    result = plan_calls(candidates=candidates, kind=CallTask.Kind.COURTESY, now=now, job=JOB)
    result["already_done"] += planned
    return result
