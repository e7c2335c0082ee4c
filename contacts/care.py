"""Care triggers (job ``care_triggers``): occasions for a care/retention call, planned by the courtesy-call rules.

- A new bill whose Nachzahlung is above 30 % of the year's Abschläge (the bill's paid advances): task "care:bill:<id>".
- A notice of a price *increase* (sent in time or late) to a customer on the at-risk list: task "care:notice:<id>".
  A price cut is no reason for a retention call, which is advertising and uses up the contact cap
  (:func:`price_increases`).

**At risk** (minimal rule, reused by the sales dashboard): within the last 180 days the customer had a touchpoint with
negative sentiment, a complaint, or a touchpoint about cancelling.

The calls follow contacts.courtesy: phone consent in force (its use recorded), the contact cap, not for vulnerable
customers, not while a complaint is open; a call that may not be made is a SKIPPED task with its reason.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from contacts.courtesy import CallCandidate, plan_calls
from contacts.models import CallTask, PriceChangeNotice, Topic, Touchpoint
from customers.models import Bill, Customer
from tariffs.domain.formatting import format_date, format_eur
from tariffs.models import PriceVersion

JOB = "care_triggers"
AT_RISK_DAYS = 180
NACHZAHLUNG_SHARE = Decimal("0.30")
# Bills and notices this recent are "new"; the source key keeps a later run from planning the same call again.
LOOKBACK_DAYS = 30
# Notices that went out: in time (SENT) or too late for the planned date (LATE: the old price holds until later).
NOTIFIED = (PriceChangeNotice.Status.SENT, PriceChangeNotice.Status.LATE)


def at_risk_q(*, since: datetime) -> Q:
    """Touchpoints that put their customer on the at-risk list."""
    return Q(occurred_at__gte=since) & (
        Q(sentiment=Touchpoint.Sentiment.NEGATIVE) | Q(topic__in=(Topic.COMPLAINT, Topic.CANCELLATION))
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _risk_since(as_of: date) -> datetime:
    return _start_of(as_of - timedelta(days=AT_RISK_DAYS))


def _annual_cost_ct(*, working_price_ct: Any, base_price_eur_year: Any, forecast_kwh: Any) -> ExpressionWrapper[Any]:
    """Return the expected annual net cost in cents: forecast kWh × AP (ct/kWh) + GP (€/year) × 100."""
    return ExpressionWrapper(
        forecast_kwh * working_price_ct + base_price_eur_year * 100, output_field=DecimalField(decimal_places=4)
    )


def price_increases(notices: QuerySet[PriceChangeNotice]) -> QuerySet[PriceChangeNotice]:
    """Keep the notices whose change raises the contract's expected annual cost (a churn risk); drop price cuts.

    Like the notice's own wording (contacts.notices.NoticeContent.direction): annual cost at the contract's forecast
    with the change's new prices against the prices of the tariff's version before the change (net; the VAT is the
    same on both sides). The notice's Abschläge are no measure: the old one may be the customer's own choice.
    Every change follows an earlier version (tariffs.pricing_changes needs an open one). No query of its own: it
    filters the given queryset (which may sit inside an EXISTS).
    """
    before = PriceVersion.objects.filter(
        tariff_id=OuterRef("price_change__tariff_id"), valid_from__lt=OuterRef("price_change__effective_date")
    ).order_by("-valid_from", "-id")
    old_cost = _annual_cost_ct(
        working_price_ct=F("working_price_net_ct"),
        base_price_eur_year=F("base_price_net_eur_year"),
        forecast_kwh=OuterRef("contract__forecast_kwh"),
    )
    return notices.alias(
        old_cost_ct=Subquery(before.annotate(cost=old_cost).values("cost")[:1]),
        new_cost_ct=_annual_cost_ct(
            working_price_ct=F("price_change__price_version__working_price_net_ct"),
            base_price_eur_year=F("price_change__price_version__base_price_net_eur_year"),
            forecast_kwh=F("contract__forecast_kwh"),
        ),
    ).filter(new_cost_ct__gt=F("old_cost_ct"))


def is_at_risk(customer: Customer, as_of: date) -> bool:
    """Tell whether the customer is on the at-risk list on ``as_of`` (1 query)."""
    return Touchpoint.objects.filter(at_risk_q(since=_risk_since(as_of)), customer=customer).exists()


def care_triggers(*, as_of: date, now: datetime) -> dict[str, Any]:
    """Plan care calls for new high Nachzahlungen and for notices to customers at risk; return the job result."""
    since = as_of - timedelta(days=LOOKBACK_DAYS)
    bills = (
        Bill.objects.filter(
            issued_date__gte=since, issued_date__lte=as_of, balance_eur__gt=F("advances_eur") * NACHZAHLUNG_SHARE
        )
        .filter(balance_eur__gt=0)
        .select_related("contract__customer")
        .order_by("issued_date", "id")
    )
    candidates = [
        CallCandidate(
            customer=bill.contract.customer,
            contract=bill.contract,
            source_key=f"care:bill:{bill.pk}",
            topic=Topic.BILL,
            note=(
                f"Hohe Nachzahlung: {format_eur(bill.balance_eur)} mit Rechnung {bill.number} vom "
                f"{format_date(bill.issued_date)} (gezahlte Abschläge {format_eur(bill.advances_eur)}). "
                "Erklären, Abschlag prüfen, Ratenzahlung anbieten."
            ),
        )
        for bill in bills
    ]
    risky = Touchpoint.objects.filter(at_risk_q(since=_risk_since(as_of)), customer=OuterRef("contract__customer"))
    notices = (
        price_increases(PriceChangeNotice.objects.filter(status__in=NOTIFIED, sent_at__gte=_start_of(since)))
        .filter(Exists(risky))
        .select_related("contract__customer", "price_change")
        .order_by("sent_at", "id")
    )
    candidates += [
        CallCandidate(
            customer=notice.contract.customer,
            contract=notice.contract,
            source_key=f"care:notice:{notice.pk}",
            topic=Topic.PRICE_CHANGE,
            note=(
                f"Preiserhöhung zum {format_date(notice.effective_date or notice.price_change.effective_date)} "
                "mitgeteilt; Kunde steht auf der Abwanderungs-Risikoliste. Änderung erklären, Fragen klären."
            ),
        )
        for notice in notices
    ]
    return plan_calls(candidates=candidates, kind=CallTask.Kind.CARE, now=now, job=JOB)
