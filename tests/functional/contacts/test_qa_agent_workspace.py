"""The agent workspace over HTTP after the QA review: the search page (findings 5 and 24) and the 360° "Kontakt
erfassen" form (findings 7, 8 and 18)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contacts.models import CallTask, Touchpoint
from customers.models import Contract
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)  # a Monday


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
    return ContractFactory(customer__name="Hildegard Meyer", customer__phone="0711 8765432")


def record_url(contract: Contract) -> str:
    return reverse("contacts:record_touchpoint", args=[contract.customer_id])


VALID_CALL = {"topic": "BILL", "outcome": "RESOLVED", "summary": "Rechnung erklärt", "channel": "PHONE",
              "direction": "IN"}  # fmt: skip


# --- search ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_says_nothing_rather_than_nobody_found(
    agent_client: Any, contract: Contract, headers: dict[str, str], query: str
) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": query}, headers=headers)

    assert response.status_code == 200
    assert "Niemanden gefunden" not in response.content.decode()


def test_a_one_character_search_still_asks_for_two(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "M"}, headers={"HX-Request": "true"})

    assert "Bitte geben Sie mindestens 2 Zeichen ein." in response.content.decode()


def test_the_search_page_finds_name_in_another_order_and_marks_both_words(
    agent_client: Any, contract: Contract
) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "Meyer, Hildegard"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "1 Treffer für „Meyer, Hildegard“" in page
    assert "Name: <mark>Hildegard</mark> <mark>Meyer</mark>" in page


def test_the_search_page_finds_the_caller_id(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "+49 711 8765432"})

    assert "Telefon: <mark>0711 8765432</mark>" in response.content.decode()


# --- the note is visible to the customer -----------------------------------------------------------------------------


def test_the_360_note_warns_that_the_customer_can_read_it(agent_client: Any, contract: Contract) -> None:
    response = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id]))

    form_part = response.content.decode().split("Kontakt erfassen", 1)[1]
    assert "Die Kundin oder der Kunde kann die Notiz im Portal lesen." in form_part


# --- not reached: no score, no mood ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "field", "message"),
    [
        ({"would_recommend": "10"}, "would_recommend", "Bitte lassen Sie die Weiterempfehlung leer."),
        ({"sentiment": "POSITIVE"}, "sentiment", "Bitte wählen Sie bei Stimmung „keine Angabe“."),
    ],
)
def test_not_reached_with_a_score_or_a_mood_is_refused_in_german(
    agent_client: Any, contract: Contract, rating: dict[str, str], field: str, message: str
) -> None:
    response = agent_client.post(record_url(contract), {**VALID_CALL, "outcome": "NOT_REACHED", **rating})

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Touchpoint.objects.filter(customer=contract.customer).exists()


@pytest.mark.parametrize("outcome", ["RESOLVED", "FOLLOW_UP", "ESCALATED"])
def test_a_reached_customer_may_give_a_score_and_a_mood(agent_client: Any, contract: Contract, outcome: str) -> None:
    response = agent_client.post(
        record_url(contract), {**VALID_CALL, "outcome": outcome, "would_recommend": "0", "sentiment": "NEGATIVE"}
    )

    assert response.status_code == 302
    touchpoint = Touchpoint.objects.get(customer=contract.customer)
    assert (touchpoint.would_recommend, touchpoint.sentiment) == (0, "NEGATIVE")


# --- callbacks in the call window ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("callback", "field", "message"),
    [
        ({"follow_up_date": "2026-11-29", "follow_up_time": "23:30"}, "follow_up_date",
         "Wir rufen nur montags bis freitags an. Bitte wählen Sie einen Werktag."),
        ({"follow_up_date": "2026-11-28"}, "follow_up_date",
         "Wir rufen nur montags bis freitags an. Bitte wählen Sie einen Werktag."),
        ({"follow_up_date": "2099-01-01"}, "follow_up_date",
         "Bitte wählen Sie einen Rückruf in den nächsten 90 Tagen (spätestens am 21.02.2027)."),
        ({"follow_up_date": "2027-02-22"}, "follow_up_date",
         "Bitte wählen Sie einen Rückruf in den nächsten 90 Tagen (spätestens am 21.02.2027)."),
        ({"follow_up_date": "2026-11-24", "follow_up_time": "08:30"}, "follow_up_time",
         "Bitte wählen Sie eine Uhrzeit von 09:00 bis 17:45 Uhr"),
        ({"follow_up_date": "2026-11-24", "follow_up_time": "17:50"}, "follow_up_time",
         "Bitte wählen Sie eine Uhrzeit von 09:00 bis 17:45 Uhr"),
        ({"follow_up_date": "2026-11-24", "follow_up_time": "23:30"}, "follow_up_time",
         "Bitte wählen Sie eine Uhrzeit von 09:00 bis 17:45 Uhr"),
        ({"follow_up_time": "10:00"}, "follow_up_date", "Bitte geben Sie zur Uhrzeit auch das Datum des Rückrufs an."),
        ({"follow_up_date": "2026-11-23", "follow_up_time": "09:30"}, "follow_up_date",
         "Der Rückruf muss in der Zukunft liegen."),
    ],
)  # fmt: skip
def test_a_callback_outside_the_call_window_is_refused_and_nothing_is_written(
    agent_client: Any, contract: Contract, callback: dict[str, str], field: str, message: str
) -> None:
    response = agent_client.post(record_url(contract), {**VALID_CALL, "outcome": "CALLBACK_AGREED", **callback})

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Touchpoint.objects.filter(customer=contract.customer).exists()
    assert not CallTask.objects.filter(customer=contract.customer).exists()


@pytest.mark.parametrize(
    ("callback", "due_at"),
    [
        ({"follow_up_date": "2026-11-23", "follow_up_time": "17:45"}, datetime(2026, 11, 23, 17, 45, tzinfo=BERLIN)),
        ({"follow_up_date": "2026-11-24", "follow_up_time": "09:00"}, datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)),
        ({"follow_up_date": "2026-11-24"}, datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)),
        ({"follow_up_date": "2027-02-19", "follow_up_time": "11:00"}, datetime(2027, 2, 19, 11, 0, tzinfo=BERLIN)),
    ],
)
def test_a_callback_in_the_call_window_within_90_days_is_planned(
    agent_client: Any, contract: Contract, callback: dict[str, str], due_at: datetime
) -> None:
    response = agent_client.post(record_url(contract), {**VALID_CALL, "outcome": "CALLBACK_AGREED", **callback})

    assert response.status_code == 302
    task = CallTask.objects.get(customer=contract.customer, kind="CALLBACK")
    assert task.due_at == due_at
