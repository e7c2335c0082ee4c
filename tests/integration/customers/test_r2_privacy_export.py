"""The DSGVO export holds everything stored about the customer (QA round 2, C#7): call tasks with notes, interests,
price-change notices, price deferrals and the staff access log, with staff by display name only."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import CallTask, CustomerAccessLog, Interest, PriceChangeNotice, Touchpoint
from core.models import Role, User
from customers import profile
from customers.models import Contract, Customer, PriceDeferral
from tariffs.models import PriceChange
from tests.factories import ContractFactory, CustomerFactory, PriceVersionFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def agent() -> User:
    return UserFactory(
        role=Role.AGENT, display_name="Anna", full_name="Anna Kowalski", email="anna.kowalski@stadtwerk.example"
    )


def price_change(effective: date = date(2027, 2, 1)) -> PriceChange:
    version = PriceVersionFactory(valid_from=effective, working_price_net_ct=Decimal("35.0000"))
    return PriceChange.objects.create(
        tariff=version.tariff, price_version=version, effective_date=effective,
        reason="Die Beschaffungskosten für Strom sind gestiegen.", status="PUBLISHED", published_at=NOW,
    )  # fmt: skip


def give_contacts_history(
    customer: Customer, contract: Contract, agent: User, *, tag: str, interests: bool = True
) -> None:
    """Give the customer a call task with note and skip reason, an interest, a notice, a deferral and an access."""
    touchpoint = Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="OUT", topic="COURTESY_CALL", outcome="RESOLVED",
        occurred_at=NOW, agent=agent, summary=f"Gespräch {tag}",
    )  # fmt: skip
    CallTask.objects.create(
        customer=customer, contract=contract, kind="CARE", topic="OTHER", due_at=NOW, status="SKIPPED",
        assignee=agent, note=f"Bitte langsam und geduldig erklären {tag}.", skip_reason=f"Kunde verstorben {tag}",
        source_key=f"care:contract:{contract.pk}:{tag}",
    )  # fmt: skip
    for kind in ("PV", "EMOBILITY") if interests else ():
        Interest.objects.create(customer=customer, kind=kind, noted_at=NOW, touchpoint=touchpoint)
    change = price_change()
    PriceChangeNotice.objects.create(
        contract=contract, price_change=change, status="LATE", medium="LETTER", claimed_at=NOW, sent_at=NOW,
        effective_date=date(2027, 3, 1), old_advance_eur=Decimal("75.00"), new_advance_eur=Decimal("89.00"),
        letter_pdf=f"notices/secret-path-{tag}.pdf",
    )  # fmt: skip
    PriceDeferral.objects.create(
        contract=contract, price_change=change, planned_date=date(2027, 2, 1), effective_date=date(2027, 3, 1)
    )
    CustomerAccessLog.objects.create(user=agent, customer=customer, opened_at=NOW)


@pytest.fixture
def customer(agent: User) -> Customer:
    customer = CustomerFactory(name="Melina Franke")
    give_contacts_history(customer, ContractFactory(customer=customer), agent, tag="OWN")
    return customer


@pytest.fixture
def other(agent: User) -> Customer:
    other = CustomerFactory(name="Otto Fremd")
    give_contacts_history(other, ContractFactory(customer=other), agent, tag="FREMD")
    return other


def test_export_contains_call_tasks_with_their_notes_and_skip_reasons(customer: Customer) -> None:
    data: Any = profile.export_customer_data(customer)

    task = data["call_tasks"][0]
    assert task["note"] == "Bitte langsam und geduldig erklären OWN."
    assert task["skip_reason"] == "Kunde verstorben OWN"
    assert task["kind_label"] == "Betreuung/Kundenbindung"
    assert task["status_label"] == "übersprungen"
    assert task["staff_name"] == "Anna"


def test_export_contains_interests(customer: Customer) -> None:
    data: Any = profile.export_customer_data(customer)

    assert sorted(row["kind_label"] for row in data["interests"]) == ["E-Mobilität", "Photovoltaik"]


def test_export_contains_price_change_notices_with_status_dates_and_abschlag(customer: Customer) -> None:
    data: Any = profile.export_customer_data(customer)

    notice = data["price_change_notices"][0]
    assert notice["status_label"] == "zu spät – alter Preis gilt weiter"
    assert notice["effective_date"] == "2027-03-01"
    assert (notice["old_advance_eur"], notice["new_advance_eur"]) == ("75.00", "89.00")
    assert notice["price_change_planned_date"] == "2027-02-01"
    assert notice["price_change_reason"] == "Die Beschaffungskosten für Strom sind gestiegen."


def test_export_contains_price_deferrals(customer: Customer) -> None:
    data: Any = profile.export_customer_data(customer)

    assert [(row["planned_date"], row["effective_date"]) for row in data["price_deferrals"]] == [
        ("2027-02-01", "2027-03-01")
    ]


def test_export_contains_the_staff_access_log_by_display_name_only(customer: Customer, agent: User) -> None:
    data: Any = profile.export_customer_data(customer)

    [entry] = data["staff_access_log"]
    assert entry.keys() == {"opened_at", "staff_name"}
    assert datetime.fromisoformat(entry["opened_at"]) == NOW
    assert entry["staff_name"] == "Anna"


def test_a_staff_member_without_display_name_appears_as_customer_service(customer: Customer) -> None:
    nameless = UserFactory(role=Role.AGENT, display_name="", full_name="Bernd Geheim")
    CustomerAccessLog.objects.create(user=nameless, customer=customer, opened_at=NOW)

    data: Any = profile.export_customer_data(customer)

    assert [row["staff_name"] for row in data["staff_access_log"]] == ["Anna", "Ihr Kundenservice"]
    assert "Geheim" not in json.dumps(data, ensure_ascii=False)


@pytest.mark.usefixtures("other")
def test_the_new_sections_hold_no_staff_identity_no_internals_and_nothing_of_another_customer(
    customer: Customer, agent: User
) -> None:
    text = json.dumps(profile.export_customer_data(customer), ensure_ascii=False)

    for leaked in ("Kowalski", "anna.kowalski@stadtwerk.example", "assignee", "user_id", "source_key", "care:"):
        assert leaked not in text
    for internal in ("secret-path", "letter_pdf"):
        assert internal not in text
    assert "claimed_at" not in json.loads(text)["price_change_notices"][0]  # the job's lock, not the customer's
    for foreign in ("FREMD", "Otto Fremd"):
        assert foreign not in text


def test_the_whole_export_runs_seventeen_queries_however_much_is_stored(
    customer: Customer, other: Customer, agent: User, django_assert_num_queries: Any
) -> None:
    for tag in ("B", "C"):
        contract = ContractFactory(customer=customer)
        give_contacts_history(customer, contract, UserFactory(role=Role.AGENT), tag=tag, interests=False)
    fresh = Customer.objects.get(pk=customer.pk)
    counts = []
    for someone in (other, customer):
        with CaptureQueriesContext(connection) as queries:
            profile.export_customer_data(Customer.objects.get(pk=someone.pk))
        counts.append(len(queries))

    # 10 from customers (see test_export.py) + touchpoints, consents, consent uses, call tasks, interests,
    # price-change notices and the access log: one query each.
    with django_assert_num_queries(17):
        profile.export_customer_data(fresh)
    assert counts[0] == counts[1]
