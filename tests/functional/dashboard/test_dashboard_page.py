"""The sales dashboard over HTTP: access, filters, query count, CSV export, and the retention-call action."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from contacts import synthetic
from contacts.models import CallTask, Consent, Interest, Touchpoint
from core.models import Role
from tests.factories import ContractFactory, CustomerFactory

URL = "/vertrieb/"


def _risky_customer(name: str = "Erika Muster", *, consent: bool = True) -> Any:
    """A customer on today's at-risk list (negative sentiment and a low score), with or without phone consent."""
    customer = ContractFactory(start_date=date(2024, 1, 1), customer__name=name).customer
    now = timezone.now()
    Touchpoint.objects.create(
        customer=customer, channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED",
        occurred_at=now - timedelta(days=20), sentiment="NEGATIVE", would_recommend=2,
    )  # fmt: skip
    if consent:
        Consent.objects.create(customer=customer, channel="PHONE", purpose="ADVERTISING", source="CONTRACT_FORM",
                               wording="…", granted_at=now - timedelta(days=300),
                               confirmed_at=now - timedelta(days=300))  # fmt: skip
    return customer


def _csv_rows(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


# --- access --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SALES, Role.ADMIN])
def test_sales_and_admin_see_the_dashboard(client: Client, make_user: Any, role: str) -> None:
    client.force_login(make_user(role=role))

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="h2">Kundenbindung</h1>' in page
    for caption in (
        "Bestand, Neuverträge und Kündigungen je Monat",
        "Kündigungen nach Grund",
        "Höflichkeitsanrufe für neue Verträge",
        "Weiterempfehlung (NPS) je Monat",
        "Gefährdete Kunden",
    ):
        assert caption in page  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.CUSTOMER])
def test_agents_and_customers_get_403(client: Client, make_user: Any, role: str) -> None:
    customer = _risky_customer()
    client.force_login(make_user(role=role))

    page = client.get(URL)
    export = client.get(URL + "?export=gefaehrdet")
    action = client.post(f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/")

    assert (page.status_code, export.status_code, action.status_code) == (403, 403, 403)
    assert not CallTask.objects.exists()


@pytest.mark.django_db
def test_visitors_are_sent_to_the_login(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/anmelden/")


# --- charts, tables and query count --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_chart_is_an_image_labelled_with_its_table(client: Client, make_user: Any) -> None:
    synthetic.seed_population(customers=60, seed=5, as_of=timezone.localdate())
    client.force_login(make_user(role=Role.SALES))

    page = client.get(URL).content.decode()

    assert page.count("<canvas") >= 10
    assert page.count('role="img"') == page.count("<canvas")
    assert 'aria-label="Diagramm: Kündigungen nach Grund. Die Werte stehen in der Tabelle' in page
    assert page.count("<caption") >= 15 and '<th scope="col"' in page and '<th scope="row"' in page
    assert "vendor/chart.js/chart.umd.min.js" in page


@pytest.mark.django_db
@pytest.mark.parametrize("customers", [15, 150])
def test_page_runs_the_same_number_of_queries_for_15_or_150_customers(
    client: Client, make_user: Any, django_assert_num_queries: Any, customers: int
) -> None:
    synthetic.seed_population(customers=customers, seed=11, as_of=timezone.localdate())
    client.force_login(make_user(role=Role.SALES))

    # session + user, the tariffs of the filter form, 16 for the figures, 7 to check live whether a care call can be
    # planned for the customers on the at-risk list; then the figures from today's snapshot
    with django_assert_num_queries(26):
        first = client.get(URL)
    with django_assert_num_queries(10):
        second = client.get(URL)

    assert first.status_code == second.status_code == 200
    assert "Keine Daten für diese Auswahl" not in first.content.decode().split('id="gefaehrdet"')[1]


@pytest.mark.django_db
def test_figures_come_from_the_snapshot_until_refreshed(client: Client, make_user: Any) -> None:
    today = timezone.localdate()
    client.force_login(make_user(role=Role.SALES))
    client.get(URL + "?customer_group=household")
    ContractFactory(start_date=today - timedelta(days=3))

    before = client.get(URL + "?customer_group=household").context["data"]
    refresh = client.post("/vertrieb/neu-berechnen/", {"query": "customer_group=household"}, follow=True)

    assert before.series.new == 0  # the snapshot from before the new contract
    assert refresh.redirect_chain[-1][0] == URL + "?customer_group=household"
    assert refresh.context["data"].series.new == 1
    assert "Die Kennzahlen wurden neu berechnet." in refresh.content.decode()


# --- filters -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_customer_group_filter_changes_the_figures(client: Client, make_user: Any) -> None:
    today = timezone.localdate()
    ContractFactory(start_date=today - timedelta(days=40))
    ContractFactory(start_date=today - timedelta(days=40), customer=CustomerFactory(customer_group="business"))
    client.force_login(make_user(role=Role.SALES))

    everyone = client.get(URL).context["data"]
    business = client.get(URL + "?customer_group=business").context["data"]

    assert (everyone.series.new, business.series.new) == (2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-03-01&date_to=2026-01-31", "Das Ende liegt vor dem Beginn (01.03.2026)."),
        ("date_from=2099-01-01", "Der Beginn darf nicht in der Zukunft liegen."),
        ("date_from=2019-01-01&date_to=2026-01-31", "Bitte wählen Sie höchstens fünf Jahre (60 Monate)."),
        ("date_from=31.02.2026", "Bitte geben Sie ein Datum ein, z. B. 01.01.2026."),
        ("commodity=oil", "Bitte wählen Sie eine der angebotenen Sparten."),
        ("customer_group=vip", "Bitte wählen Sie eine der angebotenen Kundengruppen."),
        ("tariff=999999", "Bitte wählen Sie einen der angebotenen Tarife."),
    ],
)
def test_invalid_filters_are_explained_at_the_field(client: Client, make_user: Any, query: str, message: str) -> None:
    client.force_login(make_user(role=Role.SALES))

    response = client.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["data"] is None


@pytest.mark.django_db
def test_a_tariff_of_another_commodity_is_explained(client: Client, make_user: Any) -> None:
    tariff = ContractFactory(commodity="electricity").tariff
    client.force_login(make_user(role=Role.SALES))

    response = client.get(f"{URL}?commodity=gas&tariff={tariff.pk}")

    assert f"Der Tarif „{tariff.name}“ gehört zur Sparte Strom, nicht zu Gas." in response.content.decode()


# --- CSV export ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_export_is_for_german_excel(client: Client, make_user: Any) -> None:
    today = timezone.localdate()
    ContractFactory(start_date=today - timedelta(days=40))
    client.force_login(make_user(role=Role.SALES))

    response = client.get(URL + "?export=monate")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kundenbindung-monate-')
    rows = _csv_rows(response)
    assert rows[0] == ["Monat", "Bestand zu Monatsbeginn", "neue Verträge", "wirksame Kündigungen", "sonst beendet",
                       "Churn-Rate Monat (%)", "Churn-Rate rollierend 12 Monate (%)"]  # fmt: skip
    assert len(rows) == 13  # header + twelve months
    assert sum(int(row[2]) for row in rows[1:]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x.example","Klick")', "+49 711", "-2+3", "@SUM(A1)", "\tTab"])
def test_csv_cells_that_a_spreadsheet_would_run_as_formula_are_quoted(
    client: Client, make_user: Any, name: str
) -> None:
    customer = _risky_customer(name)
    Interest.objects.create(customer=customer, kind="PV", noted_at=timezone.now() - timedelta(days=3))
    client.force_login(make_user(role=Role.SALES))

    at_risk = _csv_rows(client.get(URL + "?export=gefaehrdet"))
    leads = _csv_rows(client.get(URL + "?export=leads"))

    assert at_risk[1][1] == "'" + name
    assert leads[1][1] == "'" + name


@pytest.mark.django_db
def test_negative_numbers_we_format_stay_numbers(client: Client, make_user: Any) -> None:
    customer = ContractFactory().customer
    Touchpoint.objects.create(customer=customer, channel="PHONE", direction="IN", topic="BILL", outcome="RESOLVED",
                              occurred_at=timezone.now() - timedelta(days=2), would_recommend=0)  # fmt: skip
    client.force_login(make_user(role=Role.SALES))

    rows = _csv_rows(client.get(URL + "?export=weiterempfehlung"))

    assert rows[-1][5] == "-100"  # the period's NPS: one detractor


@pytest.mark.django_db
def test_unknown_export_is_404(client: Client, make_user: Any) -> None:
    client.force_login(make_user(role=Role.SALES))

    assert client.get(URL + "?export=passwoerter").status_code == 404


# --- the retention-call action -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retention_call_is_planned_for_a_customer_with_phone_consent(client: Client, make_user: Any) -> None:
    customer = _risky_customer()
    client.force_login(make_user(role=Role.SALES))

    response = client.post(f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/", {"next": URL + "?commodity="},
                           follow=True)  # fmt: skip

    task = CallTask.objects.get(customer=customer)
    assert (task.kind, task.status) == ("CARE", "OPEN")
    assert response.redirect_chain[-1][0] == URL + "?commodity=#gefaehrdet"
    assert f"Betreuungsanruf für Kunde {customer.customer_number} angelegt" in response.content.decode()


@pytest.mark.django_db
def test_retention_call_without_consent_is_refused_with_the_reason(client: Client, make_user: Any) -> None:
    customer = _risky_customer(consent=False)
    client.force_login(make_user(role=Role.SALES))

    response = client.post(f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/", follow=True)

    assert not CallTask.objects.filter(customer=customer).exists()
    assert (
        "Kein Anruf möglich: Der Kunde hat nicht in Werbeanrufe eingewilligt (§ 7 UWG)." in response.content.decode()
    )


@pytest.mark.django_db
def test_retention_call_needs_post_with_csrf_token(make_user: Any) -> None:
    customer = _risky_customer()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role=Role.SALES))

    get = client.get(f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/")
    post_without_token = client.post(f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/")

    assert (get.status_code, post_without_token.status_code) == (405, 403)
    assert not CallTask.objects.exists()


@pytest.mark.django_db
def test_retention_call_for_an_unknown_customer_is_404(client: Client, make_user: Any) -> None:
    client.force_login(make_user(role=Role.SALES))

    assert client.post("/vertrieb/kunden/999999/betreuungsanruf/").status_code == 404


@pytest.mark.django_db
def test_retention_call_never_redirects_to_another_site(client: Client, make_user: Any) -> None:
    customer = _risky_customer()
    client.force_login(make_user(role=Role.SALES))

    response = client.post(f"/vertrieb/kunden/{customer.pk}/betreuungsanruf/", {"next": "https://evil.example/"})

    assert response["Location"] == URL + "#gefaehrdet"
