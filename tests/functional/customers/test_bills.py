"""Rechnungen: the customer's bill list, a bill's page and its PDF; access rules and a fixed query count."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from customers import bill_selectors, billing, pdf
from customers.models import Bill, Contract, Installment
from tests.factories import ContractFactory, MeterReadingFactory, PriceVersionFactory, TariffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def issue_bills(contract: Contract, count: int, *, months: int = 12) -> list[Bill]:
    """Give the contract `count` consecutive bills of `months` months each from 2021-01-01 (3,000 kWh each)."""
    day = date(2021, 1, 1)
    MeterReadingFactory(contract=contract, read_date=day, value=Decimal(1000))
    bills = []
    for offset in range(1, count + 1):
        index = day.month - 1 + months
        day = date(day.year + index // 12, index % 12 + 1, 1)
        reading = MeterReadingFactory(contract=contract, read_date=day, value=Decimal(1000 + 3000 * offset))
        bills.append(billing.issue_bill(contract=contract, end_reading=reading, issued_date=day + timedelta(days=10)))
    return bills


@pytest.fixture
def contract() -> Contract:
    return ContractFactory()


@pytest.fixture
def bill(contract: Contract) -> Bill:
    (only,) = issue_bills(contract, 1)
    return only


@pytest.fixture
def relief_bill() -> Bill:
    """A gas bill 2022-07-01 … 2023-07-01 with the December-2022 relief and six months of the 2023 price brake."""
    tariff = TariffFactory(commodity="gas", name="Gas Zuhause")
    PriceVersionFactory(
        tariff=tariff,
        valid_from=date(2020, 1, 1),
        valid_to=date(2022, 10, 1),
        working_price_net_ct=Decimal("8.0000"),
        base_price_net_eur_year=Decimal("100.00"),
    )
    PriceVersionFactory(
        tariff=tariff,
        valid_from=date(2022, 10, 1),
        working_price_net_ct=Decimal("20.0000"),
        base_price_net_eur_year=Decimal("100.00"),
    )
    contract = ContractFactory(commodity="gas", tariff=tariff, forecast_sept_2022_kwh=Decimal(12_000))
    MeterReadingFactory(contract=contract, read_date=date(2022, 7, 1), value=Decimal(50_000), source="ESTIMATE")
    end = MeterReadingFactory(contract=contract, read_date=date(2023, 7, 1), value=Decimal(62_000))
    for month in range(12):
        due = date(2022 + (6 + month) // 12, (6 + month) % 12 + 1, 1)
        Installment.objects.create(contract=contract, due_date=due, amount_eur=Decimal(150), paid_at=due)
    return billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2023, 7, 14))


def login(client: Any, contract: Contract) -> Any:
    client.force_login(contract.customer.user)
    return client


def test_list_shows_the_customers_bills_with_result_and_links(client: Any, bill: Bill) -> None:
    response = login(client, bill.contract).get(reverse("customers:bills"))

    assert response.status_code == 200
    html = response.content.decode()
    assert bill.number in html
    # 2021: 3,000 kWh × 30 ct = 900.00 € + 120.00 € base price; net 1,020.00 €, VAT 193.80 €; no Abschläge paid
    assert "Nachzahlung 1.213,80\xa0€" in html
    assert reverse("customers:bill", args=[bill.pk]) in html
    assert reverse("customers:bill_pdf", args=[bill.pk]) in html


def test_list_without_bills_says_so(client: Any, contract: Contract) -> None:
    response = login(client, contract).get(reverse("customers:bills"))

    assert response.status_code == 200
    assert "Sie haben noch keine Rechnung" in response.content.decode()


def test_list_shows_only_the_customers_own_bills(client: Any, bill: Bill) -> None:
    (foreign,) = issue_bills(ContractFactory(), 1)

    html = login(client, bill.contract).get(reverse("customers:bills")).content.decode()

    assert bill.number in html
    assert foreign.number not in html


@pytest.mark.parametrize("count", [1, 50])
def test_bill_list_runs_the_same_queries_for_1_or_50_bills(
    client: Any, contract: Contract, count: int, django_assert_num_queries: Any
) -> None:
    issue_bills(contract, count, months=1)
    login(client, contract)

    # session, user, customer, the bills with their contracts (one query however many)
    with django_assert_num_queries(4):
        response = client.get(reverse("customers:bills"))

    assert response.content.decode().count("download>PDF") == count


def test_detail_shows_lines_vat_relief_balance_and_the_explanation(client: Any, relief_bill: Bill) -> None:
    response = login(client, relief_bill.contract).get(reverse("customers:bill", args=[relief_bill.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Arbeitspreis 01.07.2022–30.09.2022" in html
    assert "Umsatzsteuer 19\xa0% auf 267,21\xa0€" in html and "50,77\xa0€" in html
    assert "Umsatzsteuer 7\xa0% auf 1.869,79\xa0€" in html and "130,89\xa0€" in html
    assert "Rechnungsbetrag brutto" in html and "2.318,66\xa0€" in html
    assert "Dezember-Soforthilfe 2022 (Gas)" in html and "-222,92\xa0€" in html
    assert "Entlastung Preisbremse 01.01.2023–30.06.2023" in html and "-451,20\xa0€" in html
    # quota 9,600 kWh a year; 6 of 12 months → 4,800 kWh = 50 % of the full quota
    assert "9.600\xa0kWh" in html and "4.800\xa0kWh" in html and "50 % des vollen Kontingents" in html
    assert "geschätzt" in html  # the start reading was an estimate
    assert "Guthaben: 155,46\xa0€" in html  # 2,318.66 − 674.12 relief − 12 × 150.00 Abschläge = −155.46
    assert "So haben wir gerechnet" in html
    assert "Für Dezember 2022 hat der Staat Ihnen einen Abschlag erlassen" in html


def test_detail_of_another_customers_bill_is_404(client: Any, contract: Contract) -> None:
    (foreign,) = issue_bills(ContractFactory(), 1)

    response = login(client, contract).get(reverse("customers:bill", args=[foreign.pk]))

    assert response.status_code == 404


def test_pdf_download_is_a_pdf_attachment_with_the_bill_number(client: Any, bill: Bill) -> None:
    response = login(client, bill.contract).get(reverse("customers:bill_pdf", args=[bill.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Rechnung-{bill.number}.pdf"'
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert bill.number.encode() in content


def test_second_download_is_served_from_the_cached_file(
    client: Any, bill: Bill, media_root: Any, monkeypatch: Any
) -> None:
    login(client, bill.contract)
    first = client.get(reverse("customers:bill_pdf", args=[bill.pk]))
    first_content = b"".join(first.streaming_content)
    cached = media_root / "bills" / f"{bill.number}.pdf"
    mtime = cached.stat().st_mtime_ns

    def must_not_render(detail: object) -> bytes:
        raise AssertionError("the PDF was rendered again")

    monkeypatch.setattr(pdf, "render_bill_pdf", must_not_render)
    second = client.get(reverse("customers:bill_pdf", args=[bill.pk]))

    assert b"".join(second.streaming_content) == first_content
    assert cached.stat().st_mtime_ns == mtime


def test_pdf_of_another_customers_bill_is_404_and_not_rendered(
    client: Any, contract: Contract, media_root: Any
) -> None:
    (foreign,) = issue_bills(ContractFactory(), 1)

    response = login(client, contract).get(reverse("customers:bill_pdf", args=[foreign.pk]))

    assert response.status_code == 404
    assert not (media_root / "bills" / f"{foreign.number}.pdf").exists()


@pytest.mark.parametrize("name", ["bills", "bill", "bill_pdf"])
def test_visitors_are_sent_to_the_login_page(client: Any, bill: Bill, name: str) -> None:
    url = reverse(f"customers:{name}", args=[] if name == "bills" else [bill.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["bills", "bill", "bill_pdf"])
def test_agents_get_403(client: Any, bill: Bill, make_user: Any, name: str) -> None:
    client.force_login(make_user(role="AGENT"))
    url = reverse(f"customers:{name}", args=[] if name == "bills" else [bill.pk])

    response = client.get(url)

    assert response.status_code == 403


def test_pdf_shows_what_the_bill_must_show(relief_bill: Bill) -> None:
    detail = bill_selectors.get_bill_detail_by_id(bill_id=relief_bill.pk)
    assert detail is not None

    content = pdf.render_bill_pdf(detail)

    # Uncompressed page streams; Vera keeps ASCII text readable in the file (PDF escapes parentheses).
    contract = relief_bill.contract
    for text in [
        relief_bill.number,
        contract.malo_id,
        contract.meter_number,
        "Gas Zuhause",
        "Sondervertrag",
        "Dezember-Soforthilfe 2022",
        "Entlastung Preisbremse",
        "9.600",  # the annual relief quota in kWh
        "155,46",  # the Guthaben
    ]:
        assert text.encode() in content, text


def test_bill_page_runs_a_fixed_number_of_queries(
    client: Any, relief_bill: Bill, django_assert_num_queries: Any
) -> None:
    login(client, relief_bill.contract)

    # session, user, customer, the bill with contract, tariff, customer and readings, its lines, the active mandate
    with django_assert_num_queries(6):
        response = client.get(reverse("customers:bill", args=[relief_bill.pk]))

    assert response.status_code == 200


def test_bill_lines_show_the_net_price_the_bill_was_calculated_with(client: Any) -> None:
    # 29.4118 ct net: rounded to 29.41 ct, 3,000 kWh would give 882.30 € instead of the line's 882.35 €
    tariff = TariffFactory()
    PriceVersionFactory(
        tariff=tariff,
        valid_from=date(2020, 1, 1),
        working_price_net_ct=Decimal("29.4118"),
        base_price_net_eur_year=Decimal("100.00"),
    )
    contract = ContractFactory(tariff=tariff, commodity=tariff.commodity)
    (bill,) = issue_bills(contract, 1)
    client.force_login(contract.customer.user)

    page = client.get(reverse("customers:bill", args=[bill.pk])).content.decode()

    line = bill.lines.get(kind="WORKING_PRICE")
    assert (line.quantity, line.amount_eur) == (Decimal(3000), Decimal("882.35"))
    assert re.search(r"<td class=\"amount\">\s*29,4118\xa0ct/kWh\s*</td>", page)  # the table, not only the text


def test_a_reading_under_review_is_not_billed(contract: Contract) -> None:
    MeterReadingFactory(contract=contract, read_date=date(2025, 1, 1), value=Decimal(1000))
    flagged = MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(91000), is_flagged=True)

    with pytest.raises(billing.ReadingUnderReview):
        billing.issue_bill(contract=contract, end_reading=flagged, issued_date=date(2026, 1, 5))

    assert not Bill.objects.filter(contract=contract).exists()
