"""The sales dashboard over HTTP after QA round 2: vulnerable leads are marked on the page and in the CSV (finding
14), and the contact table has the proactive split with its explanation (finding 18)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from contacts.models import Consent, Interest
from core.models import Role
from tests.factories import ContractFactory

URL = "/vertrieb/"
MARK = "nein – besonders schutzbedürftig – keine Werbeanrufe"


@pytest.fixture
def sales_client(client: Client, make_user: Any) -> Client:
    client.force_login(make_user(role=Role.SALES))
    return client


@pytest.fixture
def vulnerable_lead(db: None) -> Any:
    customer = ContractFactory(customer__name="Ingrid Schmitt", customer__is_vulnerable=True).customer
    now = timezone.now()
    Interest.objects.create(customer=customer, kind="PV", noted_at=now - timedelta(days=3))
    Consent.objects.create(customer=customer, channel="PHONE", purpose="ADVERTISING", source="PHONE", wording="…",
                           granted_at=now - timedelta(days=30))  # fmt: skip
    return customer


def test_the_lead_list_marks_a_vulnerable_customer(sales_client: Client, vulnerable_lead: Any) -> None:
    page = sales_client.get(URL).content.decode()

    leads = page.split('id="leads"')[1].split('id="gefaehrdet"')[0]
    assert "Ingrid Schmitt" in leads
    assert "Werbeanruf erlaubt</th>" in leads
    assert MARK in leads


def test_the_lead_csv_marks_a_vulnerable_customer(sales_client: Client, vulnerable_lead: Any) -> None:
    response = sales_client.get(URL + "?export=leads")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:]), delimiter=";"))
    assert rows[0][5] == "Werbeanruf erlaubt"
    assert [(row[1], row[4], row[5]) for row in rows[1:]] == [("Ingrid Schmitt", "ja", MARK)]


@pytest.mark.django_db
def test_the_contact_table_explains_proactive_contacts(sales_client: Client) -> None:
    page = sales_client.get(URL).content.decode()

    assert "Kündigungsquote nach Kontakthäufigkeit: alle Kontakte und proaktive Kontakte" in page
    assert "Kündigungsquote proaktive Kontakte (%)" in page
    assert "Höflichkeits-, Betreuungs- und Rückgewinnungsanrufe sowie Preisänderungsmitteilungen" in page
