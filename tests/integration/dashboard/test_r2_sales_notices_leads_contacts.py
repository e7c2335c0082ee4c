"""QA round 2 on the sales dashboard, seen on 21.11.2026: late notices count as notified (finding 6), only price
increases are a churn risk (finding 7), vulnerable leads get no advertising call (finding 14), and churn by contact
frequency is split into all and proactive contacts (finding 18)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import dashboard, dashboard_tables
from contacts.models import CallTask, Consent, Interest, PriceChangeNotice, Touchpoint
from tariffs import pricing_changes
from tariffs.models import PriceChange
from tests.factories import ContractFactory, CustomerFactory, PriceVersionFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = date(2026, 11, 21)
TODAY = dashboard.make_filter(date_from=None, date_to=None, as_of=AS_OF)


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


def _change(*, working_price: str, base_price: str = "120.00", effective: date = date(2027, 1, 1)) -> Any:
    """A published change of a tariff at 30 ct/kWh + 120 €/year net (ContractFactory's prices) to new prices."""
    tariff = PriceVersionFactory().tariff
    change = pricing_changes.create_price_change(
        tariff=tariff, valid_from=effective, working_price_net_ct=Decimal(working_price),
        base_price_net_eur_year=Decimal(base_price), reason="Beschaffungskosten", conditions="AP und GP",
    )  # fmt: skip
    pricing_changes.publish(change, _at(2026, 10, 1, 9))
    change.refresh_from_db()
    return change


def _notified(change: Any, *, status: str = "SENT", forecast_kwh: int = 3500, **contract_fields: Any) -> Any:
    """A contract on the change's tariff with a notice sent on 10.11.2026, and a recent call (no "no contact")."""
    contract = ContractFactory(tariff=change.tariff, forecast_kwh=Decimal(forecast_kwh), **contract_fields)
    PriceChangeNotice.objects.create(
        contract=contract, price_change=change, status=status, sent_at=_at(2026, 11, 10, 8),
        effective_date=date(2027, 1, 15) if status == "LATE" else change.effective_date, medium="EMAIL",
    )  # fmt: skip
    Touchpoint.objects.create(customer=contract.customer, channel="PHONE", direction="IN", topic="BILL",
                              outcome="RESOLVED", occurred_at=_at(2026, 9, 1, 10))  # fmt: skip
    return contract


def _rules(contract: Any) -> set[str]:
    risk = dashboard.get_risk_of_customer(customer_id=contract.customer_id, as_of=AS_OF)
    return set() if risk is None else {rule.key for rule in risk.reasons}


# --- finding 6: late notices are notices ---------------------------------------------------------------------------


def test_late_notices_count_as_notified_in_the_price_change_table_and_for_the_risk() -> None:
    increase = _change(working_price="33.0000")
    in_time = _notified(increase)
    late = _notified(increase, status="LATE")
    late_and_gone = _notified(increase, status="LATE")
    late_and_gone.status, late_and_gone.end_date = "CANCELLED", date(2027, 1, 15)
    late_and_gone.cancelled_at, late_and_gone.cancellation_kind = _at(2026, 11, 15, 12), "EXTRAORDINARY"
    late_and_gone.cancellation_reason = "PRICE_CHANGE"
    late_and_gone.save()

    table = dashboard.get_price_change_cancellations(flt=TODAY)

    assert [(row.price_change_id, row.notified, row.cancelled_in_window, row.special_terminations)
            for row in table.rows] == [(increase.pk, 3, 1, 1)]  # fmt: skip
    assert "price_notice" in _rules(in_time)
    assert "price_notice" in _rules(late)


def test_the_page_note_says_that_late_notices_count() -> None:
    assert (
        "rechtzeitig oder verspätet"
        in dashboard_tables.PRICE_CHANGES.build(dashboard.get_price_change_cancellations(flt=TODAY)).note
    )


# --- finding 7: only increases are a risk ----------------------------------------------------------------------------


def test_a_price_cut_is_no_churn_risk_but_an_increase_is() -> None:
    increase, cut = _change(working_price="33.0000"), _change(working_price="27.0000")
    raised, lowered = _notified(increase), _notified(cut, status="LATE")

    assert "price_notice" in _rules(raised)
    assert "price_notice" not in _rules(lowered)
    # the table of notices still compares both changes
    assert {row.price_change_id for row in dashboard.get_price_change_cancellations(flt=TODAY).rows} == {
        increase.pk,
        cut.pk,
    }


def test_the_direction_is_the_annual_cost_at_the_contracts_forecast() -> None:
    # 30 → 33 ct/kWh, 120 → 60 €/year: at 3,500 kWh +105 − 60 = +45 €/year, at 1,000 kWh +30 − 60 = −30 €/year
    change = _change(working_price="33.0000", base_price="60.00")
    heavy, light = _notified(change, forecast_kwh=3500), _notified(change, forecast_kwh=1000)

    assert "price_notice" in _rules(heavy)
    assert "price_notice" not in _rules(light)


def test_the_at_risk_label_says_increase() -> None:
    assert dashboard.RULES_BY_KEY["price_notice"].label == "Preiserhöhung mitgeteilt (letzte 90 Tage)"


# --- finding 14: vulnerable leads ------------------------------------------------------------------------------------


def _lead(name: str, *, vulnerable: bool = False, phone_consent: bool = True) -> Any:
    customer = CustomerFactory(name=name, is_vulnerable=vulnerable)
    ContractFactory(customer=customer)
    Interest.objects.create(customer=customer, kind="PV", noted_at=_at(2026, 11, 1, 10))
    if phone_consent:
        Consent.objects.create(customer=customer, channel="PHONE", purpose="ADVERTISING", source="PHONE",
                               wording="…", granted_at=_at(2026, 1, 1, 10))  # fmt: skip
    return customer


def test_a_vulnerable_lead_is_marked_no_advertising_calls_on_the_page_and_in_the_csv() -> None:
    _lead("Ingrid Schmitt", vulnerable=True)
    _lead("Karl Berger")
    _lead("Paula Ohne", phone_consent=False)

    leads = {lead.customer_name: lead for lead in dashboard.get_leads(flt=TODAY)}
    table = dashboard_tables.LEADS.build(list(leads.values()))
    rows = list(csv.reader(io.StringIO(table.to_csv()[1:]), delimiter=";"))

    assert (leads["Ingrid Schmitt"].phone_allowed, leads["Ingrid Schmitt"].may_call) == (True, False)
    assert leads["Karl Berger"].may_call
    assert rows[0] == ["Kundennummer", "Name", "Interesse", "erfasst am", "Telefon-Einwilligung",
                       "Werbeanruf erlaubt", "E-Mail-Einwilligung"]  # fmt: skip
    calls = {row[1]: row[5] for row in rows[1:]}
    assert calls == {
        "Ingrid Schmitt": "nein – besonders schutzbedürftig – keine Werbeanrufe",
        "Karl Berger": "ja",
        "Paula Ohne": "nein – keine Telefon-Einwilligung",
    }
    assert "besonders schutzbedürftig – keine Werbeanrufe" in table.body_html()


# --- finding 18: all contacts and proactive contacts -----------------------------------------------------------------

PERIOD = dashboard.make_filter(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), as_of=AS_OF)


def _customer(*, churns: bool) -> Any:
    contract = ContractFactory(start_date=date(2022, 1, 1))
    if churns:
        contract.end_date, contract.cancelled_at, contract.status = date(2026, 2, 1), _at(2026, 1, 2, 9), "ENDED"
        contract.save(update_fields=["end_date", "cancelled_at", "status"])
    return contract


def _touch(contract: Any, *, direction: str = "IN", topic: str = "BILL", outcome: str = "RESOLVED",
           channel: str = "PHONE") -> Touchpoint:  # fmt: skip
    return Touchpoint.objects.create(customer=contract.customer, contract=contract, channel=channel,
                                     direction=direction, topic=topic, outcome=outcome,
                                     occurred_at=_at(2025, 6, 1, 10))  # fmt: skip


def _task_result(contract: Any, kind: str, touchpoint: Touchpoint) -> None:
    CallTask.objects.create(customer=contract.customer, contract=contract, kind=kind, due_at=touchpoint.occurred_at,
                            status="DONE", result=touchpoint)  # fmt: skip


def test_churn_by_contact_frequency_is_split_into_all_and_proactive_contacts() -> None:
    complainer = _customer(churns=True)  # three inbound contacts, none proactive
    for _ in range(3):
        _touch(complainer, topic="COMPLAINT")
    courted = _customer(churns=False)  # a courtesy call
    _touch(courted, direction="OUT", topic="COURTESY_CALL")
    cared = _customer(churns=False)  # a care call and a price notice
    _task_result(cared, "CARE", _touch(cared, direction="OUT"))
    notice_touch = _touch(cared, direction="OUT", topic="PRICE_CHANGE", channel="EMAIL")
    version = PriceVersionFactory(valid_from=date(2025, 8, 1))
    change = PriceChange.objects.create(tariff=version.tariff, price_version=version, effective_date=date(2025, 8, 1),
                                        reason="…", status="PUBLISHED", published_at=_at(2025, 5, 1))  # fmt: skip
    PriceChangeNotice.objects.create(contract=cared, price_change=change, status="SENT", sent_at=_at(2025, 6, 1, 10),
                                     touchpoint=notice_touch)  # fmt: skip
    missed = _customer(churns=True)  # a courtesy call not reached and an agreed callback: not proactive
    _touch(missed, direction="OUT", topic="COURTESY_CALL", outcome="NOT_REACHED")
    _task_result(missed, "CALLBACK", _touch(missed, direction="OUT"))
    _customer(churns=False)  # no contact at all

    rows = dashboard.get_churn_by_contact_frequency(flt=PERIOD)

    assert [(r.label, r.customers, r.churned, r.churn_rate) for r in rows] == [
        ("kein Kontakt", 1, 0, Decimal("0.0")),
        ("1–2 Kontakte", 3, 1, Decimal("33.3")),
        ("3–5 Kontakte", 1, 1, Decimal("100.0")),
        ("6 und mehr Kontakte", 0, 0, None),
    ]
    assert [(r.proactive_customers, r.proactive_churned, r.proactive_churn_rate) for r in rows] == [
        (3, 2, Decimal("66.7")),  # complainer, missed, silent
        (2, 0, Decimal("0.0")),  # courted, cared
        (0, 0, None),
        (0, 0, None),
    ]


def test_the_contact_table_shows_both_rates_and_explains_proactive() -> None:
    table = dashboard_tables.CONTACT_BANDS.build(dashboard.get_churn_by_contact_frequency(flt=PERIOD))

    assert [column.label for column in table.columns] == [
        "Kontakte in den 12 Monaten vor dem Zeitraum", "Kunden (alle Kontakte)", "davon gekündigt (alle Kontakte)",
        "Kündigungsquote alle Kontakte (%)", "Kunden (proaktive Kontakte)", "davon gekündigt (proaktive Kontakte)",
        "Kündigungsquote proaktive Kontakte (%)",
    ]  # fmt: skip
    assert "Proaktive Kontakte“ zählt nur, was wir von uns aus angestoßen haben" in table.note
    assert table.chart is not None and len(table.chart.datasets) == 2
