"""Meine Entlastung: each contract's 2023 price-brake relief month by month and the December-2022 relief."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Bill, BillLine, Contract, Customer, Installment
from customers.views import relief as relief_views
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    MeterReadingFactory,
    crisis_tariff,
)

pytestmark = pytest.mark.django_db

URL = "/konto/entlastung/"


def electricity_contract(customer: Customer) -> Contract:
    """3,500 kWh at 45 ct gross (37.8151 net at 19 %) in 2023: quota 2,800 kWh, 5 ct above the cap."""
    return ContractFactory(customer=customer, tariff=crisis_tariff("electricity", "37.8151"))


def gas_contract(customer: Customer) -> Contract:
    """15,000 kWh at 21.40 ct gross (20 ct net at 7 %): 94 €/month relief, December relief 267.50 € + 10.70 €."""
    return ContractFactory(
        customer=customer,
        commodity="gas",
        tariff=crisis_tariff("gas", "20.0000"),
        forecast_kwh=Decimal(15000),
        forecast_sept_2022_kwh=Decimal(15000),
    )


def squash(text: str) -> str:
    """Strip tags and collapse whitespace (keeping the no-break spaces between numbers and units)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def row_cells(html: str, month_label: str) -> list[str]:
    """Return the cell texts of the table row whose header is the month (e.g. "März 2023")."""
    match = re.search(rf"<tr>\s*<th scope=\"row\">{month_label}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {month_label}"
    return [squash(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)]


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory()


def test_electricity_relief_shows_the_customers_own_monthly_numbers(client: Any, customer: Customer) -> None:
    electricity_contract(customer)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert "Strompreisbremse 2023" in html
    assert "2.800\xa0kWh im Jahr" in html
    assert "11,67\xa0€" in html
    assert "140,04\xa0€" in html  # 12 × 11.67 €: the year is the sum of its months
    april = row_cells(html, "April 2023")
    assert april == ["45,00\xa0ct/kWh", "11,67\xa0€", "April 2023", "143,00\xa0€", "131,33\xa0€"]


def test_january_and_february_are_credited_with_the_march_abschlag(client: Any, customer: Customer) -> None:
    electricity_contract(customer)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    january = row_cells(html, "Januar 2023")
    march = row_cells(html, "März 2023")
    assert january == ["45,00\xa0ct/kWh Wert vom 1. März", "11,67\xa0€", "März 2023", "143,00\xa0€", "143,00\xa0€"]
    assert march[2:] == ["März 2023", "143,00\xa0€", "107,99\xa0€ darin 35,01\xa0€ Entlastung verrechnet"]
    assert "Im März waren es 35,01\xa0€ auf einmal" in html
    assert "nicht davon ab, wie viel Sie 2023 tatsächlich verbraucht haben" in html
    assert "3 × 11,67\xa0€ = 35,01\xa0€" in html  # the domain's explanation step


def test_gas_contract_shows_the_december_relief(client: Any, customer: Customer) -> None:
    gas_contract(customer)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert "Gaspreisbremse 2023" in html
    assert "1.128,00\xa0€" in html
    assert "Dezember-Soforthilfe 2022</h3>" in html
    assert re.search(r'data-testid="december-relief">278,20\xa0€<', html)
    assert "21,40\xa0ct/kWh brutto" in html


def monthly_installments(contract: Contract, first: date, count: int, amount: str) -> None:
    """Create ``count`` monthly Abschläge of ``amount`` due on the 1st, from ``first`` on."""
    year, month = first.year, first.month
    for _ in range(count):
        Installment.objects.create(contract=contract, due_date=date(year, month, 1), amount_eur=Decimal(amount))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def test_heat_december_relief_is_120_percent_of_the_september_abschlag(client: Any, customer: Customer) -> None:
    contract = ContractFactory(
        customer=customer, commodity="heat", tariff=crisis_tariff("heat", "11.2150"), forecast_kwh=Decimal(13000)
    )
    monthly_installments(contract, date(2021, 12, 1), 12, "150.00")  # December 2021 … November 2022
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert re.search(r'data-testid="december-relief">180,00\xa0€<', html)


def test_heat_contract_with_eleven_abschlaege_gets_120_percent_of_the_monthly_average(
    client: Any, customer: Customer
) -> None:
    contract = ContractFactory(
        customer=customer,
        commodity="heat",
        tariff=crisis_tariff("heat", "11.2150"),
        forecast_kwh=Decimal(13000),
        installments_per_year=11,
    )
    monthly_installments(contract, date(2022, 1, 1), 11, "150.00")  # none due in December 2021
    client.force_login(customer.user)

    response = client.get(URL)

    # no bill before December 2022: 11 × 150 € = 1.650 € in the 12 months before; ÷ 12 = 137,50 €; × 120 % = 165 €
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wärmepreisbremse 2023" in html
    assert re.search(r'data-testid="december-relief">165,00\xa0€<', html)


def test_electricity_contract_has_no_december_relief(client: Any, customer: Customer) -> None:
    electricity_contract(customer)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert 'data-testid="december-relief"' not in html


def test_price_below_the_cap_gives_no_relief_and_says_why(client: Any, customer: Customer) -> None:
    ContractFactory(customer=customer)  # 30 ct net = 35.70 ct gross
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert "Deshalb gibt es keine Entlastung" in html
    assert 'data-testid="relief-total"' not in html


def test_contract_started_after_2023_says_there_was_no_brake(client: Any, customer: Customer) -> None:
    ContractFactory(customer=customer, start_date=date(2024, 5, 1))
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert "Ihr Vertrag hat 2023 nicht bestanden" in html


def make_2023_bill(contract: Contract, *, number: str, with_url_line: bool = True) -> Bill:
    start = MeterReadingFactory(contract=contract, read_date=date(2023, 1, 1), value=Decimal(10000))
    end = MeterReadingFactory(contract=contract, read_date=date(2024, 1, 1), value=Decimal(13500))
    bill = Bill.objects.create(
        contract=contract, number=number, kind="ANNUAL", period_start=date(2023, 1, 1), period_end=date(2024, 1, 1),
        start_reading=start, end_reading=end, consumption_kwh=Decimal(3500), net_eur=Decimal("1443.53"),
        vat_eur=Decimal("274.27"), gross_eur=Decimal("1717.80"), relief_eur=Decimal("140.04"),
        relief_quota_kwh=Decimal("2800.00"), advances_eur=Decimal("1577.76"), balance_eur=Decimal("0.00"),
        issued_date=date(2024, 1, 20), due_date=date(2024, 2, 3),
    )  # fmt: skip
    if with_url_line:
        BillLine.objects.create(
            bill=bill, position=3, kind="RELIEF", label="Entlastung Strompreisbremse 2023", from_date=date(2023, 1, 1),
            to_date=date(2024, 1, 1), quantity=Decimal(12), unit="Monate", amount_eur=Decimal("-140.04"),
        )  # fmt: skip
    return bill


def test_relief_names_the_bill_line_of_the_2023_bill(client: Any, customer: Customer) -> None:
    contract = electricity_contract(customer)
    bill = make_2023_bill(contract, number="R-2023-0001")
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    text = squash(html)
    assert f'href="{reverse("customers:bill", args=[bill.pk])}"' in html
    assert "Nr. R-2023-0001 für 01.01.2023 bis 31.12.2023" in text
    assert "Position 3 „Entlastung Strompreisbremse 2023“ mit -140,04\xa0€" in text
    assert "Entlastungskontingent von 2.800\xa0kWh" in text


def test_without_a_2023_bill_the_page_says_where_it_will_show(client: Any, customer: Customer) -> None:
    electricity_contract(customer)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert "Ihre Abrechnung für 2023 finden Sie hier noch nicht" in html


def test_another_customers_relief_never_appears(client: Any, customer: Customer) -> None:
    electricity_contract(customer)
    other = gas_contract(CustomerFactory())
    make_2023_bill(other, number="R-FREMD-1", with_url_line=False)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert other.contract_number not in html
    assert "R-FREMD-1" not in html
    assert "Gaspreisbremse" not in html
    assert 'data-testid="december-relief"' not in html


def test_relief_loader_runs_seven_queries(django_assert_num_queries: Any, customer: Customer) -> None:
    electricity_contract(customer)
    gas_contract(customer)

    with django_assert_num_queries(7):
        pages = relief_views.get_relief_pages(customer=customer)

    assert [page.relief.total_2023_eur for page in pages] == [Decimal("140.04"), Decimal("1128.00")]


def test_page_runs_the_same_queries_for_one_or_three_contracts(client: Any) -> None:
    one, three = CustomerFactory(), CustomerFactory()
    make_2023_bill(electricity_contract(one), number="R-1")
    for number in ("R-2", "R-3"):
        make_2023_bill(electricity_contract(three), number=number)
    gas_contract(three)

    counts = []
    for customer in (one, three):
        client.force_login(customer.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_navigation_marks_only_meine_entlastung_as_current(client: Any, customer: Customer) -> None:
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert html.count('aria-current="page"') == 1
    assert re.search(r'href="/konto/entlastung/"\s*aria-current="page">Meine Entlastung', html)
    assert reverse("customers:profile") in html


def test_visitor_is_sent_to_login(client: Any) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_agent_gets_403(client: Any, make_user: Any) -> None:
    client.force_login(make_user(role="AGENT"))

    response = client.get(URL)

    assert response.status_code == 403
