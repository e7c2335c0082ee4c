"""QA findings on the sales dashboard: the five-year limit with an empty "Bis" (9) and the at-risk list's action,
which shows why a care call cannot be planned instead of a button that can only fail (19)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from contacts import dashboard
from contacts.models import CallTask, Consent, Touchpoint
from core.models import Role
from tests.factories import ContractFactory

URL = "/vertrieb/"
LIMIT = "Bitte wählen Sie höchstens fünf Jahre (60 Monate)"


def _risky_customer(*, consent: bool = True, vulnerable: bool = False) -> Any:
    """A customer on today's at-risk list (negative sentiment and a low score), with or without phone consent."""
    customer = ContractFactory(customer__is_vulnerable=vulnerable).customer
    now = timezone.now()
    Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED",
        occurred_at=now - timedelta(days=20), sentiment="NEGATIVE", would_recommend=2,
    )  # fmt: skip
    if consent:
        _grant_phone_consent(customer)
    return customer


def _grant_phone_consent(customer: Any) -> None:
    granted = timezone.now() - timedelta(days=300)
    Consent.objects.create(customer=customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
                           wording="…", granted_at=granted, confirmed_at=granted)  # fmt: skip


def _action_cell(page: str, customer: Any) -> str:
    """Return the text of the "Aktion" cell of the customer's row in the at-risk table."""
    table = page.split('id="gefaehrdet-caption"')[1]
    row = table.split(f'<span class="small text-muted">{customer.customer_number}</span>')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", cells[-1]).split())


def _months_back(months: int) -> str:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}-01"


# --- finding 9: the five-year limit when "Bis" is empty --------------------------------------------------------------


@pytest.mark.django_db
def test_an_empty_bis_counts_up_to_today_for_the_five_year_limit(client: Client, make_user: Any) -> None:
    client.force_login(make_user(role=Role.SALES))

    response = client.get(URL + "?date_from=1900-01-01")

    assert response.context["data"] is None
    assert LIMIT in response.content.decode()
    assert "ohne Angabe bei „Bis“ zählt der Zeitraum bis heute" in response.content.decode()
    assert response.context["form"].errors["date_from"]


@pytest.mark.django_db
def test_the_export_with_an_empty_bis_beyond_five_years_is_refused(client: Client, make_user: Any) -> None:
    client.force_login(make_user(role=Role.SALES))

    response = client.get(URL + "?date_from=1900-01-01&export=monate")

    assert response.status_code == 400
    assert not response.get("Content-Disposition")


@pytest.mark.django_db
def test_sixty_months_up_to_today_with_an_empty_bis_are_allowed(client: Client, make_user: Any) -> None:
    client.force_login(make_user(role=Role.SALES))

    allowed = client.get(URL + f"?date_from={_months_back(59)}")
    too_long = client.get(URL + f"?date_from={_months_back(60)}")

    assert allowed.context["data"] is not None
    assert allowed.context["period"].endswith(timezone.localdate().strftime("%d.%m.%Y"))
    assert too_long.context["data"] is None


# --- finding 19: no "Betreuungsanruf anlegen" that can only fail -----------------------------------------------------


@pytest.mark.django_db
def test_a_customer_with_phone_consent_gets_the_button(client: Client, make_user: Any) -> None:
    customer = _risky_customer()
    client.force_login(make_user(role=Role.SALES))

    page = client.get(URL).content.decode()

    assert _action_cell(page, customer) == f"Betreuungsanruf anlegen für {customer.customer_number}"


@pytest.mark.django_db
def test_without_phone_consent_the_reason_shows_instead_of_the_button(client: Client, make_user: Any) -> None:
    customer = _risky_customer(consent=False)
    client.force_login(make_user(role=Role.SALES))

    page = client.get(URL).content.decode()

    assert _action_cell(page, customer) == "Kein Betreuungsanruf möglich: keine Telefon-Einwilligung (§ 7 UWG)"
    assert f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        ("vulnerable", "besonders schutzbedürftig: kein Werbeanruf"),
        ("complaint", "offene Beschwerde: erst die Beschwerde klären"),
        ("contact_cap", "Kontaktobergrenze erreicht"),
        ("planned", "Betreuungsanruf bereits geplant"),
    ],
)
def test_every_rule_that_refuses_the_call_is_shown_as_the_reason(
    client: Client, make_user: Any, situation: str, reason: str
) -> None:
    customer = _risky_customer(vulnerable=situation == "vulnerable")
    now = timezone.now()
    if situation == "complaint":
        Touchpoint.objects.create(customer=customer, channel="EMAIL", direction="IN", topic="COMPLAINT",
                                  outcome="FOLLOW_UP", occurred_at=now - timedelta(days=3))  # fmt: skip
    elif situation == "contact_cap":
        for days in (10, 40):
            CallTask.objects.create(customer=customer, kind="CARE", status="DONE", due_at=now - timedelta(days=days),
                                    finished_at=now - timedelta(days=days))  # fmt: skip
    elif situation == "planned":
        CallTask.objects.create(customer=customer, kind="CARE", status="OPEN", due_at=now + timedelta(hours=2))
    client.force_login(make_user(role=Role.SALES))

    page = client.get(URL).content.decode()

    assert _action_cell(page, customer) == f"Kein Betreuungsanruf möglich: {reason}"


@pytest.mark.django_db
def test_the_reason_is_checked_now_not_taken_from_the_morning_snapshot(client: Client, make_user: Any) -> None:
    customer = _risky_customer(consent=False)
    client.force_login(make_user(role=Role.SALES))
    client.get(URL)  # computes today's snapshot, without consent
    _grant_phone_consent(customer)

    response = client.get(URL)

    snapshot = dashboard.get_dashboard_snapshot(flt=response.context["form"].to_filter(), now=timezone.now())
    assert not next(row for row in snapshot.at_risk if row.customer_id == customer.pk).phone_consent
    assert _action_cell(response.content.decode(), customer) == (
        f"Betreuungsanruf anlegen für {customer.customer_number}"
    )


@pytest.mark.django_db
def test_after_planning_the_row_says_the_call_is_planned(client: Client, make_user: Any) -> None:
    customer = _risky_customer()
    client.force_login(make_user(role=Role.SALES))

    response = client.post(f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/", follow=True)

    assert _action_cell(response.content.decode(), customer) == (
        "Kein Betreuungsanruf möglich: Betreuungsanruf bereits geplant"
    )
