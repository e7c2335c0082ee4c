"""Every agent page that shows one customer's data logs the access once per request, not only the 360° screen (QA
round 2, finding 11); the admin lists the log with German labels and Berlin time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contacts.models import CallTask, CustomerAccessLog
from core.models import Role, User
from customers.models import AdvancePaymentChange, Contract
from tests.factories import ContractFactory, MeterReadingFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def contract() -> Contract:
    contract: Contract = ContractFactory(customer__name="Hildegard M.")
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2026, 1, 1), amount_eur=Decimal(104), recommended_eur=Decimal(104),
        source="CALCULATED",
    )  # fmt: skip
    return contract


@pytest.fixture
def agent() -> User:
    user: User = UserFactory(role=Role.AGENT, display_name="Anna")
    return user


@pytest.fixture
def agent_client(client: Any, agent: User) -> Any:
    client.force_login(agent)
    return client


def logged(contract: Contract) -> list[tuple[int, int]]:
    return [
        (entry.user_id, entry.customer_id)
        for entry in CustomerAccessLog.objects.filter(customer=contract.customer).order_by("id")
    ]


@pytest.mark.parametrize(
    "url_name",  # not "page": pytest-playwright would take the test for a browser test
    ["contacts:customer_360", "contacts:consents", "contacts:submit_reading", "contacts:change_advance",
     "contacts:cancellation"],
)  # fmt: skip
def test_each_agent_page_of_a_customer_logs_one_access_per_request(
    agent_client: Any, agent: User, contract: Contract, url_name: str
) -> None:
    args = [contract.customer_id] if url_name in ("contacts:customer_360", "contacts:consents") else None
    url = reverse(url_name, args=args or [contract.customer_id, contract.pk])

    response = agent_client.get(url)

    assert response.status_code == 200
    assert logged(contract) == [(agent.pk, contract.customer_id)]


def test_a_rejected_call_note_on_the_360_screen_is_logged_once(
    agent_client: Any, agent: User, contract: Contract
) -> None:
    response = agent_client.post(reverse("contacts:record_touchpoint", args=[contract.customer_id]), {"topic": ""})

    assert response.status_code == 400  # the 360° screen again, with the form errors
    assert logged(contract) == [(agent.pk, contract.customer_id)]


def test_the_work_page_of_the_call_queue_logs_the_access(agent_client: Any, agent: User, contract: Contract) -> None:
    task = CallTask.objects.create(
        customer=contract.customer, kind="CALLBACK", topic="BILL", due_at=NOW - timedelta(hours=1),
        status="CLAIMED", assignee=agent, claimed_at=NOW,
    )  # fmt: skip

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    assert response.status_code == 200
    assert logged(contract) == [(agent.pk, contract.customer_id)]


def test_a_task_not_held_shows_no_customer_data_and_logs_nothing(agent_client: Any, contract: Contract) -> None:
    task = CallTask.objects.create(customer=contract.customer, kind="CALLBACK", topic="BILL", due_at=NOW)

    response = agent_client.get(reverse("contacts:work_task", args=[task.pk]))

    assert response.status_code == 302
    assert logged(contract) == []


def test_another_customers_contract_gives_404(agent_client: Any, contract: Contract) -> None:
    other = ContractFactory()

    response = agent_client.get(reverse("contacts:submit_reading", args=[contract.customer_id, other.pk]))

    assert response.status_code == 404


# --- the admin -------------------------------------------------------------------------------------------------------


def test_the_admin_lists_the_access_log_with_german_labels_and_berlin_time(
    client: Any, agent: User, contract: Contract
) -> None:
    entry = CustomerAccessLog.objects.create(
        user=agent, customer=contract.customer, opened_at=datetime(2026, 11, 21, 17, 54, tzinfo=UTC)
    )
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:contacts_customeraccesslog_changelist")).content.decode()

    assert "Mitarbeiterin/Mitarbeiter" in page
    assert "Kundin/Kunde" in page
    assert ">User<" not in page
    assert ">Customer<" not in page
    assert str(entry) == (
        f"Zugriff von Benutzer {agent.pk} auf Kunde {contract.customer_id} am 21.11.2026 um 18:54 Uhr"
    )
