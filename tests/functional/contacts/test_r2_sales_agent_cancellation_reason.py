"""The agent's "Kündigung erfassen" asks the optional leaving question like the cancellation button (QA round 2,
finding 18), so phone cancellations count by reason on the sales dashboard. Seen on Sat 21.11.2026."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contacts import dashboard
from customers.models import CancellationRequest, Contract
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)
DECEMBER = dashboard.make_filter(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31), as_of=date(2027, 1, 15))


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agent_client(client: Any) -> Any:
    client.force_login(UserFactory(role="AGENT", display_name="Anna"))
    return client


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(customer__email="kundin@example.org")


def _url(contract: Contract) -> str:
    return reverse("contacts:cancellation", args=[contract.customer_id, contract.pk])


def test_the_page_asks_why_as_an_optional_question_with_the_buttons_answers(
    agent_client: Any, contract: Contract
) -> None:
    page = agent_client.get(_url(contract)).content.decode()

    assert "Warum kündigen Sie? (freiwillige Frage)" in page
    assert "Ich habe ein besseres Angebot gefunden" in page
    assert '<option value="" selected>Keine Angabe</option>' in page


def test_the_answer_is_stored_with_the_cancellation_and_counts_by_reason(
    agent_client: Any, contract: Contract, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            _url(contract),
            {"kind": "ORDINARY", "email": "kundin@example.org", "leaving_reason": "OTHER_SUPPLIER",
             "leaving_comment": "  Nachbar zahlt weniger  "},
        )  # fmt: skip

    assert response.status_code == 302
    declaration = CancellationRequest.objects.get(contract=contract)
    assert (declaration.leaving_reason, declaration.leaving_comment) == ("OTHER_SUPPLIER", "Nachbar zahlt weniger")
    contract.refresh_from_db()
    assert (contract.status, contract.cancellation_reason) == ("CANCELLED", "OTHER_SUPPLIER")
    reasons = {row.key: row.count for row in dashboard.get_cancellations_by_reason(flt=DECEMBER)}
    assert reasons == {"OTHER_SUPPLIER": 1}


def test_without_an_answer_the_cancellation_is_recorded_as_before(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(_url(contract), {"kind": "ORDINARY", "email": "kundin@example.org"})

    assert response.status_code == 302
    declaration = CancellationRequest.objects.get(contract=contract)
    assert (declaration.status, declaration.leaving_reason, declaration.leaving_comment) == ("MATCHED", "", "")
    reasons = {row.key: row.count for row in dashboard.get_cancellations_by_reason(flt=DECEMBER)}
    assert reasons == {"UNKNOWN": 1}


def test_an_answer_not_on_the_list_is_refused_in_german_and_nothing_is_written(
    agent_client: Any, contract: Contract
) -> None:
    response = agent_client.post(
        _url(contract), {"kind": "ORDINARY", "email": "kundin@example.org", "leaving_reason": "BORED"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["leaving_reason"] == [
        "Bitte wählen Sie eine Antwort aus der Liste oder „Keine Angabe“."
    ]
    assert not CancellationRequest.objects.exists()
    contract.refresh_from_db()
    assert contract.status == "ACTIVE"
