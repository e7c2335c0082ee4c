"""QA round 2: the 360° screen and the queue's work page show what the agent checks during a call (#8), and the work
page puts the focus on its first field (#19)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import CallTask, PriceChangeNotice
from core.models import Role, User
from customers.models import AdvancePaymentChange, Contract, Customer, PriceDeferral, SepaMandate
from tariffs.models import PriceChange, PriceVersion
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BERLIN)  # a Friday
IBAN = "DE02120300000000202051"


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, display_name="Anna")


@pytest.fixture
def agent_client(client: Any, agent: User) -> Any:
    client.force_login(agent)
    return client


@pytest.fixture
def contract() -> Contract:
    contract = ContractFactory(
        customer__name="Melina Franke", meter_number="1ESY1160421357", malo_id="41373559241", notice_period_months=1
    )
    SepaMandate.objects.create(
        customer=contract.customer, reference="SW-2100001-01", iban=IBAN, account_holder="Melina Franke", signed_at=NOW
    )
    return contract


def text_of(response: Any) -> str:
    """Return the page's text without tags, whitespace collapsed, no-break spaces as spaces."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("\xa0", " ").replace("&nbsp;", " ")
    return re.sub(r"\s+", " ", text)


def late_price_change(contract: Contract) -> None:
    PriceVersion.objects.filter(tariff=contract.tariff, valid_to__isnull=True).update(valid_to=date(2027, 1, 1))
    version = PriceVersion.objects.create(
        tariff=contract.tariff,
        valid_from=date(2027, 1, 1),
        working_price_net_ct=Decimal("32.0000"),
        base_price_net_eur_year=Decimal("130.00"),
    )
    change = PriceChange.objects.create(
        tariff=contract.tariff, price_version=version, effective_date=date(2027, 1, 1), reason="Beschaffung",
        status="PUBLISHED", published_at=NOW - timedelta(days=1),
    )  # fmt: skip
    PriceChangeNotice.objects.create(
        contract=contract, price_change=change, status="LATE", medium="LETTER", claimed_at=NOW, sent_at=NOW,
        effective_date=date(2027, 1, 21), old_advance_eur=Decimal("104.00"), new_advance_eur=Decimal("111.00"),
    )  # fmt: skip
    PriceDeferral.objects.create(
        contract=contract, price_change=change, planned_date=date(2027, 1, 1), effective_date=date(2027, 1, 21)
    )


# --- the 360° screen -------------------------------------------------------------------------------------------------


def test_the_contract_card_shows_meter_malo_forecast_bank_and_notice_terms(
    agent_client: Any, contract: Contract
) -> None:
    response = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id]))

    text = text_of(response)
    assert "Zählernummer 1ESY1160421357" in text
    assert "Marktlokation (MaLo-ID) 41373559241" in text
    assert "Verbrauchsprognose 3.500 kWh im Jahr" in text
    assert "SEPA-Lastschrift, IBAN DE02 **** **** **** **20 51 Mandatsreferenz SW-2100001-01" in text
    assert "Frist 1 Monat · Mindestlaufzeit keine" in text
    assert "bei ordentlicher Kündigung heute: Lieferung bis 20.12.2026" in text
    assert IBAN not in response.content.decode()  # only the last four digits are read out


def test_without_a_mandate_the_card_says_bank_transfer(agent_client: Any) -> None:
    contract = ContractFactory()

    response = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id]))

    assert "Bankverbindung keine Lastschrift – Überweisung" in text_of(response)


def test_the_contract_card_shows_a_late_price_change_with_its_own_date(agent_client: Any, contract: Contract) -> None:
    late_price_change(contract)

    response = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id]))

    text = text_of(response)
    assert (
        "Preisänderung angekündigt zum 01.01.2027 – Mitteilung zu spät: gilt für diesen Vertrag erst ab 21.01.2027"
        in text
    )
    assert "Arbeitspreis: 35,70 ct/kWh → 38,08 ct/kWh" in text
    assert "Grundpreis: 142,80 € → 154,70 € im Jahr" in text
    assert "Abschlag laut Mitteilung: 104,00 € → 111,00 €, erstmals fällig am 01.02.2027" in text
    assert "Sonderkündigungsrecht zum 21.01.2027" in text
    assert "Mitteilung per Brief am 20.11.2026" in text


def test_the_contract_card_says_whether_abschlaege_are_paid(agent_client: Any, contract: Contract) -> None:
    contract.installments.create(due_date=date(2026, 10, 1), amount_eur=Decimal("75.00"), paid_at=date(2026, 10, 1))
    contract.installments.create(due_date=date(2026, 11, 1), amount_eur=Decimal("75.00"))

    response = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id]))

    assert "1 Abschlag offen: 75,00 € (ältester fällig am 01.11.2026)" in text_of(response)


# --- the queue's work page -------------------------------------------------------------------------------------------


def claimed_task(customer: Customer, agent: User) -> CallTask:
    return CallTask.objects.create(
        customer=customer, kind="CALLBACK", topic="BILL", due_at=NOW - timedelta(hours=1), status="CLAIMED",
        assignee=agent, claimed_at=NOW - timedelta(minutes=5),
    )  # fmt: skip


def test_the_work_page_shows_meter_number_and_masked_iban(agent_client: Any, agent: User, contract: Contract) -> None:
    task = claimed_task(contract.customer, agent)

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    text = text_of(response)
    assert "1ESY1160421357" in text
    assert "SEPA-Lastschrift, IBAN DE02 **** **** **** **20 51 (Mandatsreferenz SW-2100001-01)" in text
    assert IBAN not in response.content.decode()


def test_the_work_page_shows_an_abschlag_that_starts_later_instead_of_a_dash(agent_client: Any, agent: User) -> None:
    contract = ContractFactory(start_date=date(2026, 12, 1))  # a new customer: supply and Abschlag start next month
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2026, 12, 1), amount_eur=Decimal("89.00"),
        recommended_eur=Decimal("89.00"), source="CALCULATED",
    )  # fmt: skip
    task = claimed_task(contract.customer, agent)

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    assert "ab 01.12.2026: 89,00 € im Monat (berechnet)" in text_of(response)


def test_the_work_page_shows_the_current_abschlag_and_the_announced_one(
    agent_client: Any, agent: User, contract: Contract
) -> None:
    for valid_from, amount, source in [
        (date(2026, 1, 1), "75.00", "BILL"),
        (date(2027, 2, 1), "80.00", "PRICE_CHANGE"),
    ]:
        AdvancePaymentChange.objects.create(
            contract=contract, valid_from=valid_from, amount_eur=Decimal(amount), recommended_eur=Decimal(amount),
            source=source,
        )  # fmt: skip
    task = claimed_task(contract.customer, agent)

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    assert "75,00 € im Monat ab 01.02.2027: 80,00 € im Monat (Preisänderung)" in text_of(response)


def test_the_work_page_focuses_the_outcome_field(agent_client: Any, agent: User, contract: Contract) -> None:
    task = claimed_task(contract.customer, agent)

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    (outcome,) = re.findall(r'<select name="outcome"[^>]*>', response.content.decode())
    assert "autofocus" in outcome
    assert response.content.decode().count("autofocus") == 1


def test_the_work_page_runs_the_same_queries_for_1_or_5_contracts(agent_client: Any, agent: User) -> None:
    counts = []
    for contracts in (1, 5):
        first = ContractFactory()
        for _ in range(contracts - 1):
            ContractFactory(customer=first.customer)
        SepaMandate.objects.create(
            customer=first.customer, reference=f"SW-{first.pk}", iban=IBAN, account_holder="X", signed_at=NOW
        )
        task = claimed_task(first.customer, agent)
        with CaptureQueriesContext(connection) as queries:
            response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
