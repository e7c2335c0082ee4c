"""Meine Entlastung and the bill agree, to the cent, for contracts that began or ended during 2023: the price-brake
relief covers only the months whose first day the contract supplied."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from customers import billing
from customers.models import Bill, Contract, Customer, MeterReading
from customers.views import relief as relief_views
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    MeterReadingFactory,
    crisis_tariff,
)

pytestmark = pytest.mark.django_db

URL = "/konto/entlastung/"
NBSP = "\xa0"


def contract(customer: Customer, *, start: date, end: date | None = None) -> Contract:
    return ContractFactory(
        customer=customer,
        tariff=crisis_tariff(),
        start_date=start,
        end_date=end,
        status="ENDED" if end else "ACTIVE",
    )


def bill(contract: Contract, first: date, last: date, kwh: int, *, kind: str = Bill.Kind.ANNUAL) -> Bill:
    """Issue the bill from a reading on ``first`` to one on ``last`` (``kwh`` apart)."""
    MeterReadingFactory(contract=contract, read_date=first, value=Decimal(10_000))
    end: MeterReading = MeterReadingFactory(contract=contract, read_date=last, value=Decimal(10_000 + kwh))
    return billing.issue_bill(contract=contract, end_reading=end, issued_date=last, kind=kind)


def page_of(contract: Contract) -> relief_views.ContractReliefPage:
    return next(page for page in relief_views.get_relief_pages(customer=contract.customer) if page.id == contract.pk)


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory()


def test_a_contract_from_1_may_2023_shows_may_to_december_and_the_bills_relief(customer: Customer) -> None:
    may = contract(customer, start=date(2023, 5, 1))
    issued = bill(may, date(2023, 5, 1), date(2024, 1, 1), 2_500)

    page = page_of(may)

    assert [row.month for row in page.rows] == [date(2023, month, 1) for month in range(5, 13)]
    assert page.relief.total_2023_eur == Decimal("93.36")  # 8 × 11.67 €
    assert issued.relief_eur == page.relief.total_2023_eur
    assert page.bills[0].months_in_bill == 8
    assert page.bills[0].expected_relief_eur == issued.relief_eur
    assert page.explanation[0].text.startswith("Ihr Vertrag begann am 01.05.2023: Entlastung für 8 Monate")


def test_the_page_of_a_may_contract_has_no_row_before_may(client: Any, customer: Customer) -> None:
    contract(customer, start=date(2023, 5, 1))
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert re.search(r'<th scope="row">Mai 2023</th>', html)
    assert not re.search(r'<th scope="row">(Januar|Februar|März|April) 2023</th>', html)
    assert f'data-testid="relief-total">\n              93,36{NBSP}€' in html
    assert "Ihr Vertrag begann am 01.05.2023: Entlastung für 8 Monate (Mai bis Dezember 2023)." in html
    assert "nachträglich" not in html


def test_a_contract_from_february_gets_february_with_the_march_abschlag(client: Any, customer: Customer) -> None:
    february = contract(customer, start=date(2023, 2, 1))
    issued = bill(february, date(2023, 2, 1), date(2024, 1, 1), 3_200)
    client.force_login(customer.user)

    page = page_of(february)
    html = client.get(URL).content.decode()

    march = next(row for row in page.rows if row.month == date(2023, 3, 1))
    assert len(page.rows) == 11
    assert march.credited_eur == Decimal("23.34")  # February and March, both at March's price
    assert page.relief.total_2023_eur == issued.relief_eur == Decimal("128.37")  # 11 × 11.67 €
    assert f"Deshalb wurde Februar nachträglich mit Ihrem März-Abschlag verrechnet: Im März waren es 23,34{NBSP}€" in (
        re.sub(r"[ \t\n]+", " ", html)
    )


def test_a_contract_ended_on_31_august_shows_january_to_august_as_its_final_bill(customer: Customer) -> None:
    august = contract(customer, start=date(2021, 1, 1), end=date(2023, 9, 1))  # 31.08. was the last day of supply
    issued = bill(august, date(2023, 1, 1), date(2023, 9, 1), 2_300, kind=Bill.Kind.FINAL)

    page = page_of(august)

    assert [row.month for row in page.rows] == [date(2023, month, 1) for month in range(1, 9)]
    assert page.relief.total_2023_eur == issued.relief_eur == Decimal("93.36")
    assert page.explanation[0].text.startswith(
        "Ihr Vertrag endete am 31.08.2023 (letzter Liefertag): Entlastung für 8 Monate (Januar bis August 2023)."
    )


def test_a_contract_ended_before_march_gets_its_relief_in_the_final_bill(client: Any, customer: Customer) -> None:
    february = contract(customer, start=date(2021, 1, 1), end=date(2023, 2, 16))
    issued = bill(february, date(2023, 1, 1), date(2023, 2, 16), 450, kind=Bill.Kind.FINAL)
    client.force_login(customer.user)

    page = page_of(february)
    html = re.sub(r"[ \t\n]+", " ", client.get(URL).content.decode())

    assert page.relief.total_2023_eur == issued.relief_eur == Decimal("23.34")  # 2 × 11.67 € at March's price
    assert [row.credited_with for row in page.rows] == [None, None]
    assert [row.advance_eur for row in page.rows] == [row.base_advance_eur for row in page.rows]
    assert page.settled_in_final_bill
    assert "keinem – in der Schlussrechnung gutgeschrieben" in html
    assert f"Die Entlastung von 23,34{NBSP}€ schreiben wir Ihnen in Ihrer Schlussrechnung gut." in html
    assert "Ihre Abschläge waren nicht gesenkt, deshalb bekommen Sie die Entlastung mit dieser Rechnung." in html


def test_a_contract_supplied_on_no_first_day_of_2023_says_so(client: Any, customer: Customer) -> None:
    contract(customer, start=date(2023, 12, 2))
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert "Ihr Vertrag bestand 2023 an keinem Monatsersten" in html
    assert 'data-testid="relief-total"' not in html


def test_the_loader_runs_seven_queries_for_partial_year_contracts(
    django_assert_num_queries: Any, customer: Customer
) -> None:
    bill(contract(customer, start=date(2023, 5, 1)), date(2023, 5, 1), date(2024, 1, 1), 2_500)
    bill(
        contract(customer, start=date(2021, 1, 1), end=date(2023, 2, 16)),
        date(2023, 1, 1),
        date(2023, 2, 16),
        450,
        kind=Bill.Kind.FINAL,
    )
    contract(customer, start=date(2023, 2, 1))

    with django_assert_num_queries(7):
        pages = relief_views.get_relief_pages(customer=customer)

    assert [page.relief.total_2023_eur for page in pages] == [Decimal("23.34"), Decimal("128.37"), Decimal("93.36")]
