"""The agent workspace over HTTP: search, the 360° screen with its audit, recording a call, acting for a customer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contacts.models import CallTask, Consent, CustomerAccessLog, Interest, Touchpoint
from customers.models import AdvancePaymentChange, CancellationRequest, Contract, MeterReading
from tests.factories import ContractFactory, MeterReadingFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def contract() -> Contract:
    contract = ContractFactory(
        customer__name="Hildegard M.",
        customer__is_vulnerable=True,
        customer__email="hildegard@example.org",
        meter_number="1ESY1161234567",
    )
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2026, 1, 1), amount_eur=Decimal(104), recommended_eur=Decimal(104),
        source="CALCULATED",
    )  # fmt: skip
    return contract


@pytest.fixture
def agent() -> Any:
    return UserFactory(role="AGENT", display_name="Anna")


@pytest.fixture
def agent_client(client: Any, agent: Any) -> Any:
    client.force_login(agent)
    return client


def url_360(contract: Contract) -> str:
    return reverse("contacts:customer_360", args=[contract.customer_id])


def record_url(contract: Contract) -> str:
    return reverse("contacts:record_touchpoint", args=[contract.customer_id])


VALID_CALL = {"topic": "PRICE_BRAKE", "outcome": "RESOLVED", "summary": "Preisbremse erklärt", "channel": "PHONE",
              "direction": "IN"}  # fmt: skip


# --- the start page and the search ------------------------------------------------------------------------------


def test_workspace_shows_the_search_box_and_the_open_tasks(agent_client: Any, contract: Contract, agent: Any) -> None:
    customer = contract.customer
    CallTask.objects.create(customer=customer, kind="CALLBACK", due_at=NOW - timedelta(days=1))
    CallTask.objects.create(customer=customer, kind="CALLBACK", due_at=NOW + timedelta(days=400))
    CallTask.objects.create(customer=customer, kind="COURTESY", due_at=NOW, status="CLAIMED", assignee=agent)

    response = agent_client.get(reverse("contacts:home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'hx-post="/service/suche/"' in page
    assert "<strong>2</strong> offene Aufgaben" in page
    assert "davon <strong>1</strong> fällig" in page
    assert "<strong>1</strong> bei Ihnen in Bearbeitung" in page


def test_search_page_works_without_javascript(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "1ESY1161234567"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert f'href="{url_360(contract)}"' in page
    assert "Zählernummer" in page
    assert "<mark>1ESY1161234567</mark>" in page
    assert "schutzbedürftig" in page


def test_search_as_you_type_returns_only_the_result_list(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "hildeg"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "<html" not in page
    assert "<mark>Hildeg</mark>ard M." in page


def test_search_asks_for_two_characters(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "h"}, headers={"HX-Request": "true"})

    assert "mindestens 2 Zeichen" in response.content.decode()


def test_search_escapes_what_was_typed(agent_client: Any, contract: Contract) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "<script>x"})

    page = response.content.decode()
    assert "<script>x" not in page
    assert "&lt;script&gt;x" in page


# --- the 360° screen -----------------------------------------------------------------------------------------------


def test_the_360_screen_shows_the_customer_and_logs_every_opening(
    agent_client: Any, contract: Contract, agent: Any
) -> None:
    first = agent_client.get(url_360(contract))
    second = agent_client.get(url_360(contract))

    page = first.content.decode()
    assert (first.status_code, second.status_code) == (200, 200)
    assert "Hildegard M." in page
    assert "Besonders schutzbedürftig" in page
    assert contract.contract_number in page
    assert "Entlastung (Preisbremse 2023)" in page
    logs = CustomerAccessLog.objects.filter(customer=contract.customer)
    assert [(log.user_id, log.customer_id) for log in logs] == [(agent.pk, contract.customer_id)] * 2


def test_an_unknown_customer_gives_404(agent_client: Any, contract: Contract) -> None:
    response = agent_client.get(reverse("contacts:customer_360", args=[contract.customer_id + 1000]))

    assert response.status_code == 404
    assert not CustomerAccessLog.objects.exists()


@pytest.mark.parametrize("count", [1, 200])
def test_the_360_screen_runs_the_same_queries_for_1_or_200_touchpoints(
    agent_client: Any, contract: Contract, agent: Any, count: int, django_assert_num_queries: Any
) -> None:
    Touchpoint.objects.bulk_create(
        [
            Touchpoint(customer=contract.customer, channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED",
                       summary=f"Anruf {number}", occurred_at=NOW - timedelta(hours=number), agent=agent)
            for number in range(count)
        ]
    )  # fmt: skip

    # session + user, the customer, the access log insert, the 25 queries of the 360 selector (5 of them since QA
    # round 2, #8: bank details, Abschlag plan, Abschläge paid/open, price-change notices, price deferrals)
    with django_assert_num_queries(2 + 1 + 1 + 25):
        response = agent_client.get(url_360(contract))

    assert response.status_code == 200
    assert "Anruf 0<" in response.content.decode()


def test_the_timeline_pages_through_older_entries(agent_client: Any, contract: Contract, agent: Any) -> None:
    Touchpoint.objects.bulk_create(
        [
            Touchpoint(customer=contract.customer, channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED",
                       summary=f"Anruf Nummer {number}", occurred_at=NOW - timedelta(hours=number), agent=agent)
            for number in range(30)
        ]
    )  # fmt: skip

    first = agent_client.get(url_360(contract)).content.decode()
    second = agent_client.get(url_360(contract), {"seite": "2"}).content.decode()

    assert "Anruf Nummer 24<" in first
    assert "Anruf Nummer 25<" not in first
    assert 'href="?seite=2#timeline-title"' in first
    assert "Anruf Nummer 25<" in second
    assert "Seite 2 von 2" in second


# --- recording a touchpoint ------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_recording_a_call_redirects_to_the_360_with_the_call_on_top(
    agent_client: Any, contract: Contract, agent: Any
) -> None:
    Touchpoint.objects.create(
        customer=contract.customer, channel="LETTER", direction="OUT", topic="BILL", outcome="RESOLVED",
        summary="Rechnung verschickt", occurred_at=NOW - timedelta(days=3), agent=agent,
    )  # fmt: skip

    response = agent_client.post(record_url(contract), VALID_CALL, follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [(url_360(contract), 302)]
    assert "Der Kontakt ist gespeichert." in page
    timeline = page[page.index('data-testid="timeline"') :]
    assert timeline.index("Preisbremse erklärt") < timeline.index("Rechnung verschickt")
    touchpoint = Touchpoint.objects.get(customer=contract.customer, topic="PRICE_BRAKE")
    assert (touchpoint.agent, touchpoint.channel, touchpoint.direction) == (agent, "PHONE", "IN")
    assert touchpoint.occurred_at == NOW


@time_machine.travel(NOW, tick=False)
def test_recording_a_call_with_interests_callback_and_consent(
    agent_client: Any, contract: Contract, agent: Any
) -> None:
    wording = "Ich bin einverstanden, dass mich das Stadtwerk zu Angeboten anruft. Widerruf jederzeit."

    response = agent_client.post(
        record_url(contract),
        {**VALID_CALL, "outcome": "CALLBACK_AGREED", "contract": contract.pk, "would_recommend": "9",
         "sentiment": "POSITIVE", "interests": ["PV", "STORAGE"], "follow_up_date": "2026-11-24",
         "follow_up_time": "14:30", "consent": "PHONE:ADVERTISING", "consent_wording": wording},
    )  # fmt: skip

    assert response.status_code == 302
    touchpoint = Touchpoint.objects.get(customer=contract.customer)
    assert (touchpoint.contract, touchpoint.would_recommend, touchpoint.sentiment) == (contract, 9, "POSITIVE")
    assert set(Interest.objects.filter(customer=contract.customer).values_list("kind", flat=True)) == {"PV", "STORAGE"}
    task = CallTask.objects.get(customer=contract.customer)
    assert (task.kind, task.status, task.assignee_id) == ("CALLBACK", "OPEN", None)
    assert task.due_at == datetime(2026, 11, 24, 14, 30, tzinfo=BERLIN)
    consent = Consent.objects.get(customer=contract.customer)
    assert (consent.source, consent.wording, consent.recorded_by) == ("PHONE", wording, agent)


@time_machine.travel(NOW, tick=False)
def test_an_unchanged_standard_text_stores_the_text_of_the_chosen_consent(
    agent_client: Any, contract: Contract
) -> None:
    from contacts import consents

    phone_text = consents.wording_for(channel="PHONE", purpose="ADVERTISING")

    agent_client.post(record_url(contract), {**VALID_CALL, "consent": "LETTER:SURVEY", "consent_wording": phone_text})

    consent = Consent.objects.get(customer=contract.customer)
    assert consent.wording == consents.wording_for(channel="LETTER", purpose="SURVEY")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"topic": ""}, "topic", "Bitte wählen Sie das Thema des Kontakts."),
        ({"topic": "WEATHER"}, "topic", "Bitte wählen Sie ein Thema aus der Liste."),
        ({"summary": ""}, "summary", "Bitte notieren Sie kurz, worum es ging."),
        ({"summary": "x" * 2001}, "summary", "Bitte fassen Sie die Notiz kürzer (höchstens 2.000 Zeichen)."),
        ({"would_recommend": "11"}, "would_recommend", "Die Weiterempfehlung ist eine Zahl von 0 bis 10."),
        ({"would_recommend": "neun"}, "would_recommend", "Bitte geben Sie eine ganze Zahl von 0 bis 10 ein."),
        ({"outcome": "CALLBACK_AGREED"}, "follow_up_date", "Bitte geben Sie an, wann wir zurückrufen."),
        ({"follow_up_date": "2026-11-20"}, "follow_up_date", "Der Rückruf muss in der Zukunft liegen."),
        ({"follow_up_date": "morgen"}, "follow_up_date", "Bitte geben Sie ein Datum ein, zum Beispiel 24.11.2026."),
        ({"channel": "FAX"}, "channel", "Bitte wählen Sie einen Kanal aus der Liste."),
        ({"consent": "FAX:ADVERTISING"}, "consent", "Bitte wählen Sie eine Einwilligung aus der Liste."),
        ({"interests": ["GOLD"]}, "interests", "Bitte wählen Sie Interessen aus der Liste."),
    ],
)
def test_each_rejection_names_the_field_in_german_and_writes_nothing(
    agent_client: Any, contract: Contract, changes: dict[str, Any], field: str, message: str
) -> None:
    response = agent_client.post(
        record_url(contract), {**VALID_CALL, "interests": ["PV"], "consent": "PHONE:ADVERTISING", **changes}
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    customer = contract.customer
    assert not Touchpoint.objects.filter(customer=customer).exists()
    assert not Interest.objects.filter(customer=customer).exists()
    assert not CallTask.objects.filter(customer=customer).exists()
    assert not Consent.objects.filter(customer=customer).exists()


def test_a_contract_of_another_customer_is_refused_in_the_form(agent_client: Any, contract: Contract) -> None:
    other = ContractFactory()

    response = agent_client.post(record_url(contract), {**VALID_CALL, "contract": other.pk})

    assert response.status_code == 400
    assert "Bitte wählen Sie einen Vertrag dieses Kunden." in response.context["form"].errors["contract"]
    assert not Touchpoint.objects.exists()


# --- acting for the customer -----------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_agent_enters_a_reading_with_source_agent(agent_client: Any, contract: Contract, agent: Any) -> None:
    url = reverse("contacts:submit_reading", args=[contract.customer_id, contract.pk])

    response = agent_client.post(url, {"value": "13.200", "read_date": "2026-11-20"}, follow=True)

    reading = MeterReading.objects.get(contract=contract, read_date=date(2026, 11, 20))
    assert (reading.value, reading.source, reading.created_by) == (Decimal(13200), "AGENT", agent)
    assert response.redirect_chain == [(url_360(contract), 302)]
    assert "Zählerstand 13.200 kWh zum 20.11.2026" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_reading_below_the_previous_one_is_refused_in_german(agent_client: Any, contract: Contract) -> None:
    url = reverse("contacts:submit_reading", args=[contract.customer_id, contract.pk])

    response = agent_client.post(url, {"value": "12000", "read_date": "2026-11-20"})

    assert response.status_code == 200
    assert "niedriger als der letzte (12.345 kWh am 01.01.2026)" in response.context["form"].errors["value"][0]
    assert not MeterReading.objects.filter(contract=contract, read_date=date(2026, 11, 20)).exists()


@time_machine.travel(NOW, tick=False)
def test_agent_changes_the_abschlag_with_source_agent(agent_client: Any, contract: Contract, agent: Any) -> None:
    url = reverse("contacts:change_advance", args=[contract.customer_id, contract.pk])

    response = agent_client.post(url, {"amount_eur": "110", "reason": ""})

    assert response.status_code == 302
    change = AdvancePaymentChange.objects.get(contract=contract, source="AGENT")
    assert (change.amount_eur, change.created_by, change.valid_from) == (Decimal(110), agent, date(2026, 12, 1))


@time_machine.travel(NOW, tick=False)
def test_a_steep_reduction_needs_a_reason(agent_client: Any, contract: Contract) -> None:
    url = reverse("contacts:change_advance", args=[contract.customer_id, contract.pk])

    response = agent_client.post(url, {"amount_eur": "20", "reason": ""})

    assert response.status_code == 200
    assert "mehr als 20 % unter dem berechneten Betrag" in response.context["form"].errors["reason"][0]
    assert not AdvancePaymentChange.objects.filter(contract=contract, source="AGENT").exists()


@time_machine.travel(NOW, tick=False)
def test_an_abschlag_far_above_the_calculated_one_is_saved_only_once_the_customer_confirms(
    agent_client: Any, contract: Contract
) -> None:
    url = reverse("contacts:change_advance", args=[contract.customer_id, contract.pk])

    asked = agent_client.post(url, {"amount_eur": "1.234,56", "reason": ""})

    assert asked.status_code == 200
    assert "Bitte prüfen Sie den Betrag" in asked.context["form"].errors["confirm_amount"][0]
    assert "Die Kundin / der Kunde bestätigt 1.234,56" in asked.content.decode()
    assert not AdvancePaymentChange.objects.filter(contract=contract, source="AGENT").exists()

    confirmed = agent_client.post(url, {"amount_eur": "1.234,56", "reason": "", "confirm_amount": "on"})

    assert confirmed.status_code == 302
    assert AdvancePaymentChange.objects.get(contract=contract, source="AGENT").amount_eur == Decimal("1234.56")


@time_machine.travel(NOW, tick=False)
def test_agent_records_a_cancellation_through_the_cancellation_service(
    agent_client: Any, contract: Contract, agent: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("contacts:cancellation", args=[contract.customer_id, contract.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url, {"kind": "ORDINARY", "email": "hildegard@example.org"}, follow=True)

    declaration = CancellationRequest.objects.get(contract=contract)
    assert (declaration.status, declaration.submitted_by) == ("MATCHED", agent)
    contract.refresh_from_db()
    assert (contract.status, contract.end_date) == ("CANCELLED", date(2026, 12, 22))
    assert "endet mit dem 21.12.2026" in response.content.decode()
    assert [mail.to for mail in mailoutbox] == [["hildegard@example.org"]]


def test_an_extraordinary_cancellation_needs_a_reason(agent_client: Any, contract: Contract) -> None:
    url = reverse("contacts:cancellation", args=[contract.customer_id, contract.pk])

    response = agent_client.post(url, {"kind": "EXTRAORDINARY", "email": "hildegard@example.org"})

    assert response.status_code == 200
    assert "Bitte nennen Sie den Grund" in response.context["form"].errors["extraordinary_reason"][0]
    assert not CancellationRequest.objects.exists()


def test_acting_on_a_contract_of_another_customer_gives_404(agent_client: Any, contract: Contract) -> None:
    other = ContractFactory()

    responses = [
        agent_client.get(reverse(name, args=[contract.customer_id, other.pk]))
        for name in ("contacts:submit_reading", "contacts:change_advance", "contacts:cancellation")
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]


@time_machine.travel(NOW, tick=False)
def test_agent_grants_and_withdraws_a_consent_by_phone(agent_client: Any, contract: Contract, agent: Any) -> None:
    url = reverse("contacts:consents", args=[contract.customer_id])

    agent_client.post(url, {"channel": "PHONE", "purpose": "ADVERTISING", "action": "grant"})
    granted = Consent.objects.get(customer=contract.customer)
    agent_client.post(url, {"channel": "PHONE", "purpose": "ADVERTISING", "action": "withdraw"})

    granted.refresh_from_db()
    assert (granted.source, granted.recorded_by, granted.is_in_force) == ("PHONE", agent, False)
    assert (granted.withdrawn_at, granted.withdrawal_source) == (NOW, "PHONE")


def test_an_unknown_consent_is_refused_in_german(agent_client: Any, contract: Contract) -> None:
    url = reverse("contacts:consents", args=[contract.customer_id])

    response = agent_client.post(url, {"channel": "FAX", "purpose": "ADVERTISING", "action": "grant"})

    assert response.status_code == 400
    assert "Diesen Kanal gibt es nicht." in response.content.decode()
    assert not Consent.objects.exists()


# --- access ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["CUSTOMER", "SALES"])
def test_customers_and_sales_get_403_on_the_360_and_nothing_is_logged(
    client: Any, contract: Contract, role: str
) -> None:
    client.force_login(UserFactory(role=role))

    responses = [client.get(url_360(contract)), client.post(record_url(contract), VALID_CALL)]

    assert [response.status_code for response in responses] == [403, 403]
    assert not CustomerAccessLog.objects.exists()
    assert not Touchpoint.objects.exists()


def test_admins_may_use_the_workspace(client: Any, contract: Contract) -> None:
    client.force_login(UserFactory(role="ADMIN", is_staff=True, is_superuser=True))

    response = client.get(url_360(contract))

    assert response.status_code == 200


def test_admins_review_the_access_log_read_only(client: Any, contract: Contract, agent: Any) -> None:
    CustomerAccessLog.objects.create(user=agent, customer=contract.customer, opened_at=NOW)
    client.force_login(UserFactory(role="ADMIN", is_staff=True, is_superuser=True))

    changelist = client.get(reverse("admin:contacts_customeraccesslog_changelist"), {"user__id__exact": agent.pk})
    add = client.get(reverse("admin:contacts_customeraccesslog_add"))

    assert changelist.status_code == 200
    assert "Anna" in changelist.content.decode()
    assert add.status_code == 403
