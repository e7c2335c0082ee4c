"""Meine Entlastung after the QA review: the Abschläge shown are the stored ones (finding 1), the bill lines are named
one by one (2), the December arithmetic shown adds up (13), the total includes the December relief as Mein Konto
does (14), and the table regions have unique accessible names (22)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from customers.models import Bill, BillLine, Contract, Customer, Installment
from customers.views import relief as relief_views
from tariffs.domain import december
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    MeterReadingFactory,
    crisis_tariff,
)

pytestmark = pytest.mark.django_db

URL = "/konto/entlastung/"
NBSP = "\xa0"
MONTHLY_RELIEF = Decimal("11.67")  # 2,800 kWh quota × 5 ct ÷ 12 (see electricity_contract)


def electricity_contract(customer: Customer) -> Contract:
    """3,500 kWh at 45 ct gross in 2023: 11.67 € relief a month; the example Abschlag would be 143 €."""
    return ContractFactory(customer=customer, tariff=crisis_tariff("electricity", "37.8151"))


def gas_contract(customer: Customer) -> Contract:
    """15,000 kWh at 21.40 ct gross: December relief 278.20 €, 1,128 € price brake in 2023."""
    return ContractFactory(
        customer=customer,
        commodity="gas",
        tariff=crisis_tariff("gas", "20.0000"),
        forecast_kwh=Decimal(15000),
        forecast_sept_2022_kwh=Decimal(15000),
    )


def store_2023_abschlaege(contract: Contract, base: str, *, months: range = range(1, 13)) -> None:
    """Store the 2023 Abschläge as charged: ``base`` less the relief credited (March carries January and February)."""
    for month in months:
        credited = {1: Decimal(0), 2: Decimal(0), 3: 3 * MONTHLY_RELIEF}.get(month, MONTHLY_RELIEF)
        Installment.objects.create(
            contract=contract,
            due_date=date(2023, month, 1),
            amount_eur=Decimal(base) - credited,
            relief_eur=credited,
            paid_at=date(2023, month, 1),
        )


def squash(text: str) -> str:
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def row_cells(html: str, month_label: str) -> list[str]:
    match = re.search(rf"<tr>\s*<th scope=\"row\">{month_label}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {month_label}"
    return [squash(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)]


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory()


# --- finding 1: the Abschläge charged ------------------------------------------------------------------------------


def test_the_table_shows_the_stored_abschlaege_not_one_computed_from_todays_forecast(
    client: Any, customer: Customer
) -> None:
    contract = electricity_contract(customer)
    store_2023_abschlaege(contract, "150.00")  # the forecast would give 143 €
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert row_cells(html, "Januar 2023")[3:] == [f"150,00{NBSP}€", f"150,00{NBSP}€"]
    assert row_cells(html, "März 2023")[3:] == [
        f"150,00{NBSP}€",
        f"114,99{NBSP}€ darin 35,01{NBSP}€ Entlastung verrechnet",
    ]
    assert row_cells(html, "April 2023")[3:] == [f"150,00{NBSP}€", f"138,33{NBSP}€"]
    text = squash(html)
    assert f"Sie zahlten Ihren vollen Abschlag von 150,00{NBSP}€." in text
    assert f"150,00{NBSP}€ ohne Preisbremse, 138,33{NBSP}€ mit Preisbremse" in text
    assert "Ihr Abschlag (eingezogen)" in text
    assert "143,00" not in text
    assert 'data-testid="relief-example-advances"' not in html


def test_without_stored_abschlaege_the_table_says_it_shows_an_example(client: Any, customer: Customer) -> None:
    electricity_contract(customer)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert 'data-testid="relief-example-advances"' in html
    assert "sind deshalb ein Beispiel" in html
    assert "Abschlag mit Preisbremse (Beispiel)" in squash(html)
    assert row_cells(html, "April 2023")[3:] == [f"143,00{NBSP}€", f"131,33{NBSP}€"]


def test_a_month_without_an_abschlag_says_so_and_its_relief_goes_to_the_bill(client: Any, customer: Customer) -> None:
    contract = electricity_contract(customer)
    store_2023_abschlaege(contract, "150.00", months=range(1, 12))  # 11 Abschläge: none in December
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    december_row = row_cells(html, "Dezember 2023")
    assert december_row[3] == "kein Abschlag fällig"
    assert f"11,67{NBSP}€ Rest mit der nächsten Rechnung gutgeschrieben" in december_row[4]


def test_a_bills_gezahlte_abschlaege_are_split_into_the_tables_months_and_the_rest(
    client: Any, customer: Customer
) -> None:
    contract = electricity_contract(customer)
    store_2023_abschlaege(contract, "150.00")
    Installment.objects.create(
        contract=contract, due_date=date(2022, 12, 1), amount_eur=Decimal("140.00"), paid_at=date(2022, 12, 1)
    )
    bill = make_bill(contract, start=date(2022, 12, 1), end=date(2023, 12, 1), relief="128.37")
    bill.advances_eur = Decimal("1661.63")  # 140 € (December 2022) + 1,521.63 € (January to November 2023)
    bill.balance_eur = bill.gross_eur - bill.relief_eur - bill.advances_eur
    bill.save(update_fields=["advances_eur", "balance_eur"])
    client.force_login(customer.user)

    html = squash(client.get(URL).content.decode())

    assert (
        f"Als gezahlte Abschläge zieht die Rechnung 1.661,63{NBSP}€ ab: 1.521,63{NBSP}€ für Januar bis November "
        f"2023 aus der Tabelle oben und 140,00{NBSP}€ für die übrigen Monate des Abrechnungszeitraums." in html
    )


def test_the_loader_still_runs_seven_queries_with_stored_abschlaege_and_december_bills(
    django_assert_num_queries: Any, customer: Customer
) -> None:
    electricity = electricity_contract(customer)
    gas = gas_contract(customer)
    store_2023_abschlaege(electricity, "150.00")
    make_bill(gas, start=date(2022, 1, 1), end=date(2023, 1, 1), relief="278.20", december_line=True)
    make_bill(gas, start=date(2023, 1, 1), end=date(2024, 1, 1), relief="1128.00")

    with django_assert_num_queries(7):
        pages = relief_views.get_relief_pages(customer=customer)

    assert [page.advances_are_stored for page in pages] == [True, False]
    assert [len(page.december_bills) for page in pages] == [0, 1]


# --- finding 2: the bill lines ---------------------------------------------------------------------------------------


def make_bill(
    contract: Contract, *, start: date, end: date, relief: str, december_line: bool = False, brake_line: bool = True
) -> Bill:
    """Store a bill with its relief lines: the December relief (position 3) before the price brake (position 4)."""
    first = contract.readings.filter(read_date=start).first() or MeterReadingFactory(
        contract=contract, read_date=start, value=Decimal(10000)
    )
    last = MeterReadingFactory(contract=contract, read_date=end, value=Decimal(13500))
    gross, advances = Decimal("2000.00"), Decimal("1500.00")
    bill = Bill.objects.create(
        contract=contract, number=f"R-{contract.pk}-{start.year}", kind="ANNUAL", period_start=start,
        period_end=end, start_reading=first, end_reading=last, consumption_kwh=Decimal(3500),
        net_eur=gross, vat_eur=Decimal("0.00"), gross_eur=gross, relief_eur=Decimal(relief),
        advances_eur=advances, balance_eur=gross - Decimal(relief) - advances, issued_date=end, due_date=end,
    )  # fmt: skip
    brake = Decimal(relief)
    if december_line:
        amount = Decimal("278.20")
        brake -= amount
        BillLine.objects.create(
            bill=bill, position=3, kind="RELIEF", label="Dezember-Soforthilfe 2022 (Gas)",
            from_date=date(2022, 12, 1), to_date=date(2023, 1, 1), quantity=Decimal(1), unit="Monate",
            amount_eur=-amount,
        )  # fmt: skip
    if brake_line and brake:
        BillLine.objects.create(
            bill=bill, position=4, kind="RELIEF", label="Entlastung Preisbremse 01.01.2023–30.11.2023",
            from_date=date(2023, 1, 1), to_date=min(end, date(2024, 1, 1)), quantity=Decimal(11), unit="Monate",
            amount_eur=-brake,
        )  # fmt: skip
    return bill


def test_a_bill_with_both_relief_lines_names_the_price_brake_line_and_the_december_line_apart(
    client: Any, customer: Customer
) -> None:
    contract = gas_contract(customer)
    bill = make_bill(contract, start=date(2022, 12, 1), end=date(2023, 12, 1), relief="1312.20", december_line=True)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    section = squash(re.search(rf'data-testid="relief-bill-{bill.number}">(.*?)</p>', html, re.S)[1])
    assert (
        "Die Entlastung aus der Gaspreisbremse 2023 steht in Position 4 „Entlastung Preisbremse "
        f"01.01.2023–30.11.2023“ mit -1.034,00{NBSP}€." in section
    )
    assert (
        "Getrennt davon steht in Position 3 „Dezember-Soforthilfe 2022 (Gas)“ die Dezember-Soforthilfe 2022 mit "
        f"-278,20{NBSP}€; zusammen zieht die Rechnung 1.312,20{NBSP}€ Entlastung ab." in section
    )
    assert "mehr als Ihre Energiekosten" not in section  # 11 × 94 € = 1.034 €: the December relief is not a cap


def test_the_bill_with_the_december_relief_before_2023_is_linked_in_the_december_section(
    client: Any, customer: Customer
) -> None:
    contract = gas_contract(customer)
    bill = make_bill(contract, start=date(2022, 1, 1), end=date(2023, 1, 1), relief="278.20", december_line=True)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    section = re.search(rf'data-testid="december-bill-{bill.number}">(.*?)</p>', html, re.S)
    assert section, "the bill that carries the December relief is not named"
    assert f'href="{reverse("customers:bill", args=[bill.pk])}"' in section[1]
    assert f"Position 3 „Dezember-Soforthilfe 2022 (Gas)“ mit -278,20{NBSP}€" in squash(section[1])
    assert f'data-testid="relief-bill-{bill.number}"' not in html  # it covers no month of 2023


# --- finding 13: the December arithmetic -----------------------------------------------------------------------------


def test_the_gas_december_formula_says_the_rounded_parts_are_not_what_is_added() -> None:
    relief = december.gas_december_relief(
        forecast_sept_2022_kwh=Decimal(11000),
        working_price_gross_ct=Decimal("16.0000"),
        base_price_gross_eur_year=Decimal("140.00"),
    )

    step = relief.explanation[-1]

    assert relief.amount_eur == Decimal("158.33")  # (1,760 € + 140 €) ÷ 12, rounded once
    assert step.formula == (
        f"140,00{NBSP}€ ÷ 12 ≈ 11,67{NBSP}€; 146,67{NBSP}€ + 11,67{NBSP}€ ≈ 158,33{NBSP}€ "
        "(gerundet; gerechnet wird mit den ungerundeten Beträgen)"
    )
    assert f"ergeben zusammen 158,34{NBSP}€, 1{NBSP}Cent mehr." in step.text


def test_the_gas_december_formula_keeps_its_equals_sign_when_the_parts_add_up() -> None:
    relief = december.gas_december_relief(
        forecast_sept_2022_kwh=Decimal(15000),
        working_price_gross_ct=Decimal("21.4000"),
        base_price_gross_eur_year=Decimal("128.40"),
    )

    step = relief.explanation[-1]

    assert step.formula.endswith(f"267,50{NBSP}€ + 10,70{NBSP}€ = 278,20{NBSP}€")
    assert "ungerundet" not in step.formula + step.text


def test_the_heat_december_formula_says_so_when_the_rounded_average_gives_another_cent() -> None:
    relief = december.heat_december_relief(installments_per_year=11, advances_last_period_eur=Decimal("1000.02"))

    formula = relief.explanation[-1].formula

    assert relief.amount_eur == Decimal("100.00")  # 1,000.02 € × 120 % ÷ 12 = 100.002 €; 83,34 € × 120 % = 100,008 €
    assert formula == (
        f"83,34{NBSP}€ × 120{NBSP}% ≈ 100,00{NBSP}€ (gerundet; gerechnet wird mit den ungerundeten Beträgen)"
    )


# --- finding 14: the total with the December relief ------------------------------------------------------------------


def test_the_total_includes_the_december_relief_as_mein_konto_does(client: Any, customer: Customer) -> None:
    contract = gas_contract(customer)
    make_bill(contract, start=date(2022, 12, 1), end=date(2024, 1, 1), relief="1406.20", december_line=True)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert re.search(rf'data-testid="relief-grand-total">1\.406,20{NBSP}€<', html)
    text = squash(html)
    assert f"Gaspreisbremse 2023: 1.128,00{NBSP}€ · Dezember-Soforthilfe 2022: 278,20{NBSP}€" in text
    assert "„Mein Konto“ unter „Entlastung erhalten“" in text
    assert "Ihre Entlastung 2023 insgesamt (ohne Dezember-Soforthilfe)" in text


def test_a_bill_with_less_relief_than_shown_explains_mein_kontos_figure(client: Any, customer: Customer) -> None:
    contract = gas_contract(customer)
    make_bill(contract, start=date(2022, 12, 1), end=date(2024, 1, 1), relief="1000.00", december_line=True)
    client.force_login(customer.user)

    text = squash(client.get(URL).content.decode())

    assert (
        f"Auf Ihren Rechnungen verrechnet sind bisher 1.000,00{NBSP}€; diesen Betrag zeigt „Mein Konto“ unter "
        "„Entlastung erhalten“." in text
    )


# --- finding 22: unique landmark names -------------------------------------------------------------------------------


def accessible_names(html: str) -> list[str]:
    """Return the accessible names of the page's regions and labelled sections (from aria-labelledby)."""

    def text_of(element_id: str) -> str:
        match = re.search(rf'\bid="{element_id}"[^>]*>(.*?)</', html, re.S)
        assert match, f"no element with id {element_id}"
        return squash(match[1])

    return [
        " ".join(text_of(element_id) for element_id in ids.split())
        for ids in re.findall(r'<(?:section|div)[^>]*aria-labelledby="([^"]+)"', html)
    ]


def test_the_tables_and_sections_of_two_contracts_have_unique_names(client: Any, customer: Customer) -> None:
    first, second = electricity_contract(customer), electricity_contract(customer)  # same commodity, same tariff name
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    names = accessible_names(html)
    assert len(names) == 4
    assert len(set(names)) == 4, names
    assert f"Ihre Entlastung Monat für Monat (2023) – Strom, Vertrag {first.contract_number}" in names
    assert f"Ihre Entlastung Monat für Monat (2023) – Strom, Vertrag {second.contract_number}" in names
    assert any(name.endswith(f"Vertrag {second.contract_number}") and name.startswith("Strom:") for name in names)
