"""The at-risk list: customers scored by transparent rules, seen on 21.11.2026."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contacts import dashboard
from contacts.models import PriceChangeNotice, Touchpoint
from customers.models import Bill, MeterReading
from tariffs.models import PriceChange
from tests.factories import ContractFactory, PriceVersionFactory

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = date(2026, 11, 21)
TODAY = dashboard.make_filter(date_from=None, date_to=None, as_of=AS_OF)


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


def _touch(customer: Any, when: datetime, **fields: Any) -> None:
    values = {"channel": "PHONE", "direction": "IN", "topic": "BILL", "outcome": "RESOLVED", **fields}
    Touchpoint.objects.create(customer=customer, occurred_at=when, **values)


def _bill(contract: Any, *, issued: date, advances: str, balance: str) -> None:
    start = MeterReading.objects.create(
        contract=contract, read_date=date(issued.year - 1, issued.month, 1), value=1000, source="GRID_OPERATOR"
    )
    end = MeterReading.objects.create(
        contract=contract, read_date=date(issued.year, issued.month, 1), value=4000, source="GRID_OPERATOR"
    )
    gross = Decimal(advances) + Decimal(balance)
    Bill.objects.create(
        contract=contract, number=f"R{contract.pk}-{issued:%Y%m%d}", kind="ANNUAL", period_start=start.read_date,
        period_end=end.read_date, start_reading=start, end_reading=end, consumption_kwh=3000, net_eur=gross,
        vat_eur=0, gross_eur=gross, advances_eur=Decimal(advances), balance_eur=Decimal(balance),
        issued_date=issued, due_date=issued,
    )  # fmt: skip


@pytest.fixture
def customers(db: None) -> dict[str, Any]:
    notice_and_complaint = ContractFactory(start_date=date(2024, 1, 1))
    notice_and_complaint.tariff.price_versions.update(valid_to=date(2027, 1, 1))  # the new version follows it
    # a price increase (30 → 33 ct/kWh): only increases count as a risk
    version = PriceVersionFactory(tariff=notice_and_complaint.tariff, valid_from=date(2027, 1, 1),
                                  working_price_net_ct=Decimal("33.0000"))  # fmt: skip
    change = PriceChange.objects.create(tariff=version.tariff, price_version=version, effective_date=date(2027, 1, 1),
                                        reason="…", status="PUBLISHED", published_at=_at(2026, 9, 20, 9))  # fmt: skip
    PriceChangeNotice.objects.create(contract=notice_and_complaint, price_change=change, status="SENT",
                                     sent_at=_at(2026, 10, 1, 8))  # fmt: skip
    _touch(notice_and_complaint.customer, _at(2026, 6, 1, 10), topic="COMPLAINT")

    back_payment = ContractFactory(start_date=date(2024, 1, 1))
    _bill(back_payment, issued=date(2026, 5, 1), advances="1000.00", balance="400.00")  # 40 % of the advances
    _touch(back_payment.customer, _at(2026, 5, 2, 10))

    superseded = ContractFactory(start_date=date(2024, 1, 1))
    _bill(superseded, issued=date(2025, 11, 1), advances="1000.00", balance="500.00")  # high, but not the latest
    _bill(superseded, issued=date(2026, 6, 1), advances="1000.00", balance="100.00")
    _touch(superseded.customer, _at(2026, 6, 2, 10))

    unhappy = ContractFactory(start_date=date(2024, 1, 1))
    _touch(unhappy.customer, _at(2026, 10, 15, 10), sentiment="NEGATIVE")
    _touch(unhappy.customer, _at(2026, 9, 1, 10), would_recommend=5)

    term_ends = ContractFactory(start_date=date(2026, 1, 15), minimum_term_end=date(2027, 1, 15))
    _touch(term_ends.customer, _at(2026, 2, 1, 10))

    silent = ContractFactory(start_date=date(2020, 1, 1))
    _touch(silent.customer, _at(2024, 1, 1, 10))  # last contact almost three years ago

    ContractFactory(start_date=date(2026, 1, 1))  # new and silent: not "no contact in two years"
    gone = ContractFactory(start_date=date(2020, 1, 1), status="ENDED", end_date=date(2026, 6, 1))
    _touch(gone.customer, _at(2026, 5, 1, 10), topic="COMPLAINT")  # no active contract: not listed
    return {
        "notice_and_complaint": notice_and_complaint.customer,
        "back_payment": back_payment.customer,
        "unhappy": unhappy.customer,
        "term_ends": term_ends.customer,
        "silent": silent.customer,
    }


def test_customers_are_ranked_by_the_points_of_the_rules_that_hold(customers: dict[str, Any]) -> None:
    rows = dashboard.get_at_risk_customers(flt=TODAY)

    assert [(row.customer_id, row.score, [rule.key for rule in row.reasons]) for row in rows] == [
        (customers["notice_and_complaint"].pk, 5, ["price_notice", "complaint"]),  # 3 + 2
        (customers["unhappy"].pk, 4, ["negative_sentiment", "detractor"]),  # 2 + 2
        (customers["back_payment"].pk, 3, ["high_back_payment"]),  # 3
        (customers["term_ends"].pk, 2, ["contract_end"]),  # 2
        (customers["silent"].pk, 1, ["no_contact"]),  # 1
    ]


def test_the_list_shows_the_reasons_in_german(customers: dict[str, Any]) -> None:
    first = dashboard.get_at_risk_customers(flt=TODAY)[0]

    assert first.reason_labels == ["Preiserhöhung mitgeteilt (letzte 90 Tage)", "Beschwerde (letzte 12 Monate)"]


def test_the_list_is_cut_at_the_limit_highest_first(customers: dict[str, Any]) -> None:
    rows = dashboard.get_at_risk_customers(flt=TODAY, limit=2)

    assert [row.score for row in rows] == [5, 4]


def test_risk_of_one_customer_uses_the_same_rules(customers: dict[str, Any]) -> None:
    risk = dashboard.get_risk_of_customer(customer_id=customers["unhappy"].pk, as_of=AS_OF)
    calm = dashboard.get_risk_of_customer(customer_id=customers["term_ends"].pk, as_of=date(2026, 6, 1))

    assert risk is not None and risk.score == 4
    assert calm is None  # on 01.06.2026 the minimum term was not yet within 90 days and no other rule held


def test_commodity_filter_applies_to_the_active_contract(customers: dict[str, Any]) -> None:
    ContractFactory(customer=customers["silent"], commodity="gas")

    rows = dashboard.get_at_risk_customers(
        flt=dashboard.make_filter(date_from=None, date_to=None, as_of=AS_OF, commodity="gas")
    )

    assert [row.customer_id for row in rows] == [customers["silent"].pk]
