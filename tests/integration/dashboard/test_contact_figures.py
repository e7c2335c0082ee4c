"""Contact frequency by channel, churn by contact frequency, NPS and referral rate, interests as leads.

The period is January to March 2026 (90 days = 90/365.25 = 0.2464 years), seen on 21.11.2026.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from contacts import dashboard
from contacts.models import Consent, Interest, Touchpoint
from tests.factories import ContractFactory, CustomerFactory

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = date(2026, 11, 21)
PERIOD = dashboard.make_filter(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), as_of=AS_OF)


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


def _touch(customer: Any, when: datetime, *, channel: str = "PHONE", score: int | None = None) -> Touchpoint:
    return Touchpoint.objects.create(
        customer=customer, channel=channel, direction="IN", topic="BILL", outcome="RESOLVED", occurred_at=when,
        would_recommend=score,
    )  # fmt: skip


def test_contacts_per_customer_and_year_by_channel(db: None) -> None:
    first, second = ContractFactory().customer, ContractFactory().customer
    for day in (5, 6, 7):
        _touch(first, _at(2026, 1, day, 10))
    _touch(first, _at(2026, 2, 1, 10), channel="EMAIL")
    _touch(second, _at(2026, 3, 31, 23, 30))  # the last minutes of the period count
    _touch(second, _at(2026, 4, 1, 0, 10))  # after the period

    frequency = dashboard.get_contact_frequency(flt=PERIOD)

    # 2 customers supplied; phone 4 ÷ 2 ÷ 0.24641 = 8.12; e-mail 1 ÷ 2 ÷ 0.24641 = 2.03; all 5 → 10.15
    assert frequency.customers == 2
    assert [(r.channel, r.touchpoints, r.per_customer_per_year) for r in frequency.rows] == [
        ("PHONE", 4, Decimal("8.12")),
        ("EMAIL", 1, Decimal("2.03")),
    ]
    assert frequency.per_customer_per_year == Decimal("10.15")


def test_churn_by_contact_frequency_in_the_year_before_the_period(db: None) -> None:
    def customer_with(contacts: int, *, churns: bool) -> None:
        contract = ContractFactory(start_date=date(2022, 1, 1))
        if churns:
            contract.end_date, contract.cancelled_at, contract.status = date(2026, 2, 1), _at(2026, 1, 2, 9), "ENDED"
            contract.save(update_fields=["end_date", "cancelled_at", "status"])
        for index in range(contacts):
            _touch(contract.customer, _at(2025, 3, 1 + index, 10))
        _touch(contract.customer, _at(2026, 1, 20, 10))  # in the period: not counted for the band

    customer_with(0, churns=True)
    customer_with(0, churns=False)
    customer_with(2, churns=False)
    customer_with(4, churns=True)
    customer_with(7, churns=False)
    ContractFactory(start_date=date(2026, 2, 1))  # not a customer at the start of the period

    rows = dashboard.get_churn_by_contact_frequency(flt=PERIOD)

    assert [(r.label, r.customers, r.churned, r.churn_rate) for r in rows] == [
        ("kein Kontakt", 2, 1, Decimal("50.0")),
        ("1–2 Kontakte", 1, 0, Decimal("0.0")),
        ("3–5 Kontakte", 1, 1, Decimal("100.0")),
        ("6 und mehr Kontakte", 1, 0, Decimal("0.0")),
    ]


def test_nps_and_referral_rate_per_month_and_for_the_period(db: None) -> None:
    customer = ContractFactory().customer
    for score in (10, 9, 7, 3):
        _touch(customer, _at(2026, 1, 15, 10), score=score)
    for score in (0, 6):
        _touch(customer, _at(2026, 2, 15, 10), score=score)
    _touch(customer, _at(2026, 2, 16, 10))  # no score
    _touch(customer, _at(2025, 12, 31, 10), score=0)  # before the period

    result = dashboard.get_recommendation(flt=PERIOD)

    # January: promoters 2, passive 1, detractor 1 → NPS (2 − 1)/4 = 25; referral 2/4 = 50 %
    # February: two detractors → −100. Period: 2 promoters, 3 detractors of 6 → −16.7; referral 33.3 %
    assert [(r.month, r.scores, r.nps, r.referral_rate) for r in result.months] == [
        (date(2026, 1, 1), 4, Decimal("25.0"), Decimal("50.0")),
        (date(2026, 2, 1), 2, Decimal("-100.0"), Decimal("0.0")),
    ]
    assert (result.total.scores, result.total.nps, result.total.referral_rate) == (
        6,
        Decimal("-16.7"),
        Decimal("33.3"),
    )


def test_interests_are_counted_per_kind_and_listed_as_leads_with_consent(db: None) -> None:
    caller, mailer = CustomerFactory(name="Anna Anruf"), CustomerFactory(name="Emil Mail")
    ContractFactory(customer=caller)
    ContractFactory(customer=mailer)
    Consent.objects.create(customer=caller, channel="PHONE", purpose="ADVERTISING", granted_at=_at(2025, 1, 1, 9),
                           source="PORTAL", wording="…", confirmed_at=_at(2025, 1, 1, 9))  # fmt: skip
    # e-mail consent not confirmed yet (double opt-in): not in force
    Consent.objects.create(customer=mailer, channel="EMAIL", purpose="ADVERTISING", granted_at=_at(2025, 1, 1, 9),
                           source="PORTAL", wording="…")  # fmt: skip
    Interest.objects.create(customer=caller, kind="PV", noted_at=_at(2026, 2, 1, 10))
    Interest.objects.create(customer=mailer, kind="PV", noted_at=_at(2025, 6, 1, 10))  # before the period
    Interest.objects.create(customer=mailer, kind="HEAT_PUMP", noted_at=_at(2026, 3, 1, 10))

    counts = dashboard.get_interest_counts(flt=PERIOD)
    leads = dashboard.get_leads(flt=PERIOD)

    assert [(r.kind, r.in_period, r.total) for r in counts] == [
        ("PV", 1, 2), ("STORAGE", 0, 0), ("EMOBILITY", 0, 0), ("HEAT_PUMP", 1, 1),
    ]  # fmt: skip
    assert [(lead.customer_name, lead.kind_label, lead.phone_allowed, lead.email_allowed) for lead in leads] == [
        ("Emil Mail", "Wärmepumpe", False, False),
        ("Anna Anruf", "Photovoltaik", True, False),
    ]
