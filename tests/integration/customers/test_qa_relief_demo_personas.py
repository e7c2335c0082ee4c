"""Meine Entlastung with the seeded personas (QA findings 1, 2, 13 and 14): the Abschläge shown are the ones charged,
they add up with each bill's "gezahlte Abschläge" to the cent, the bill lines named are the right ones, and the
total matches "Entlastung erhalten" in Mein Konto."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse

from contacts import customer360
from core import demo as core_demo
from customers import demo as customers_demo
from customers import selectors
from customers.models import Bill, Contract, Customer, Installment
from customers.views import relief as relief_views
from tariffs import demo as tariffs_demo

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)
URL = "/konto/entlastung/"
NBSP = "\xa0"


@pytest.fixture
def personas(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel("2026-11-21 10:00:00+01:00", tick=False):
        core_demo.seed_users(password="Demo-Passwort-1")
        tariffs_demo.seed_tariffs()
        customers_demo.seed_customers(today=TODAY)


def customer_of(email: str) -> Customer:
    return Customer.objects.get(user__email=email)


def page_of(contract: Contract) -> relief_views.ContractReliefPage:
    return next(page for page in relief_views.get_relief_pages(customer=contract.customer) if page.id == contract.pk)


def charged(page: relief_views.ContractReliefPage, *months: int) -> list[Decimal]:
    by_month = {row.month.month: row.advance_eur for row in page.rows}
    return [by_month[month] for month in months]


def squash(html: str) -> str:
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_abschlaege_shown_are_the_installments_charged_in_2023(personas: None) -> None:
    melina = customer_of("melina@example.org")
    hildegard = customer_of("hildegard@example.org")
    electricity = melina.contracts.get(commodity="electricity")
    gas = melina.contracts.get(commodity="gas")
    basic = hildegard.contracts.get(commodity="electricity")

    pages = {contract.pk: page_of(contract) for contract in (electricity, gas, basic)}

    # January, February, March, April (QA report, finding 1: "Actually charged")
    assert charged(pages[electricity.pk], 1, 2, 3, 4) == [Decimal(x) for x in ("112.00", "112.00", "85.99", "103.33")]
    assert charged(pages[gas.pk], 1, 2, 3, 4) == [Decimal(x) for x in ("164.00", "164.00", "76.01", "134.67")]
    assert charged(pages[basic.pk], 1, 2, 3, 4) == [Decimal(x) for x in ("80.00", "77.00", "51.41", "68.47")]
    for contract in (electricity, gas, basic):
        page = pages[contract.pk]
        stored = {
            due: (amount, relief)
            for due, amount, relief in Installment.objects.filter(contract=contract, due_date__year=2023).values_list(
                "due_date", "amount_eur", "relief_eur"
            )
        }
        assert page.advances_are_stored
        assert [(row.advance_eur, row.base_advance_eur - row.advance_eur) for row in page.rows] == [
            stored[row.month] for row in page.rows
        ]
        # the schedule's own arithmetic (base − credited relief) agrees with what was charged
        assert [row.advance_eur for row in page.rows] == list(contract_schedule_advances(page))


def contract_schedule_advances(page: relief_views.ContractReliefPage) -> tuple[Decimal, ...]:
    assert page.relief.schedule is not None
    return page.relief.schedule.advance_eur_by_month


def test_the_page_adds_up_with_each_bills_gezahlte_abschlaege_to_the_cent(personas: None, client: Any) -> None:
    for email in ("melina@example.org", "hildegard@example.org"):
        customer = customer_of(email)
        client.force_login(customer.user)
        html = squash(client.get(URL).content.decode())
        for page in relief_views.get_relief_pages(customer=customer):
            for bill in page.bills:
                in_table = sum(
                    (row.advance_eur for row in page.rows if bill.period_start <= row.month <= bill.period_last_day),
                    Decimal("0.00"),
                )
                outside_2023 = Installment.objects.filter(
                    contract_id=page.id,
                    paid_at__isnull=False,
                    due_date__gte=bill.period_start,
                    due_date__lte=bill.period_last_day,
                ).exclude(due_date__year=2023).aggregate(total=Sum("amount_eur"))["total"] or Decimal("0.00")

                assert in_table + outside_2023 == Bill.objects.get(pk=bill.id).advances_eur, bill.number
                assert bill.advances_in_table_eur == in_table
                assert bill.advances_outside_table_eur == outside_2023

    # the gas bill R2023-000006 of the QA report: 1.481,37 € are exactly January to November 2023 of the table
    gas_bill = Bill.objects.get(contract__customer__user__email="melina@example.org", contract__commodity="gas",
                                period_start=date(2022, 12, 1))  # fmt: skip
    client.force_login(gas_bill.contract.customer.user)
    html = squash(client.get(URL).content.decode())
    assert gas_bill.advances_eur == Decimal("1481.37")
    assert (
        f"Als gezahlte Abschläge zieht die Rechnung 1.481,37{NBSP}€ ab: genau Ihre Abschläge für Januar bis "
        "November 2023 aus der Tabelle oben." in html
    )


def test_the_explanation_names_the_full_abschlaege_paid_before_march(personas: None) -> None:
    basic = customer_of("hildegard@example.org").contracts.get(commodity="electricity")
    electricity = customer_of("melina@example.org").contracts.get(commodity="electricity")

    basic_text = " ".join(step.text for step in page_of(basic).explanation)
    electricity_text = " ".join(step.text for step in page_of(electricity).explanation)

    assert f"Sie zahlten Ihren vollen Abschlag: 80,00{NBSP}€ im Januar und 77,00{NBSP}€ im Februar." in basic_text
    assert f"Sie zahlten Ihren vollen Abschlag von 112,00{NBSP}€." in electricity_text
    assert f"sinkt Ihr Abschlag (Ihre monatliche Teilzahlung) dadurch von 112,00{NBSP}€ auf 103,33{NBSP}€" in (
        electricity_text
    )
    assert "110,00" not in electricity_text  # the Abschlag computed from today's forecast (QA report)


def test_the_agents_read_aloud_text_uses_the_charged_abschlaege_too(personas: None) -> None:
    hildegard = customer_of("hildegard@example.org")

    data = customer360.get_customer_360(customer=hildegard, as_of=TODAY)

    card = next(card for card in data.relief if card.commodity_label == "Strom")
    text = " ".join(step.text for step in card.explanation)
    assert f"80,00{NBSP}€ im Januar und 77,00{NBSP}€ im Februar" in text
    assert f"von 77,00{NBSP}€ auf 68,47{NBSP}€" in text


def test_the_gas_bill_names_the_price_brake_line_and_the_december_line_separately(personas: None, client: Any) -> None:
    melina = customer_of("melina@example.org")
    gas = melina.contracts.get(commodity="gas")
    bill = gas.bills.get(period_start=date(2022, 12, 1))
    client.force_login(melina.user)

    html = client.get(URL).content.decode()

    section = squash(re.search(rf'data-testid="relief-bill-{bill.number}">(.*?)</p>', html, re.S)[1])
    assert (
        f"Die Entlastung aus der Gaspreisbremse 2023 steht in Position 4 „Entlastung Preisbremse "
        f"01.01.2023–30.11.2023“ mit -322,63{NBSP}€." in section
    )
    assert f"Sie gehört zu 11 Monaten aus 2023 in diesem Zeitraum (322,63{NBSP}€)." in section
    assert (
        f"Getrennt davon steht in Position 3 „Dezember-Soforthilfe 2022 (Gas)“ die Dezember-Soforthilfe 2022 mit "
        f"-158,33{NBSP}€; zusammen zieht die Rechnung 480,96{NBSP}€ Entlastung ab." in section
    )
    assert "Position 3 „Dezember-Soforthilfe 2022 (Gas)“ mit" not in section  # no longer taken for the price brake


def test_the_heat_bill_with_the_december_relief_is_linked(personas: None, client: Any) -> None:
    hildegard = customer_of("hildegard@example.org")
    heat = hildegard.contracts.get(commodity="heat")
    december_bill = heat.bills.get(period_start=date(2022, 1, 1))
    client.force_login(hildegard.user)

    html = client.get(URL).content.decode()

    section = re.search(rf'data-testid="december-bill-{december_bill.number}">(.*?)</p>', html, re.S)
    assert section, "the bill carrying the heat December relief is not shown"
    assert f'href="{reverse("customers:bill", args=[december_bill.pk])}"' in section[1]
    assert f"Position 7 „Dezember-Soforthilfe 2022 (Wärme)“ mit -126,00{NBSP}€" in squash(section[1])


def test_the_total_matches_entlastung_erhalten_in_mein_konto(personas: None, client: Any) -> None:
    expected = {"melina@example.org": ("gas", "510.29"), "hildegard@example.org": ("heat", "432.00")}
    for email, (commodity, amount) in expected.items():
        customer = customer_of(email)
        contract = customer.contracts.get(commodity=commodity)
        summaries = {
            summary.contract_number: summary.relief_received_eur
            for summary in selectors.get_contract_summaries(customer=customer, as_of=TODAY)
        }
        client.force_login(customer.user)

        html = client.get(URL).content.decode()

        assert summaries[contract.contract_number] == Decimal(amount)  # "Entlastung erhalten" on Mein Konto
        section = re.search(rf'data-testid="relief-contract-{contract.contract_number}"(.*?)</section>', html, re.S)
        shown = amount.replace(".", ",")
        assert re.search(rf'data-testid="relief-grand-total">{shown}{NBSP}€<', section[1])
        assert "Dezember-Soforthilfe 2022: " in squash(section[1])
        assert "„Mein Konto“ unter „Entlastung erhalten“" in squash(section[1])
        for page in relief_views.get_relief_pages(customer=customer):
            assert page.total_eur == summaries[page.contract_number] == page.billed_relief_eur
            assert page.billed_matches_total


def test_the_december_relief_arithmetic_shown_adds_up(personas: None) -> None:
    gas = customer_of("melina@example.org").contracts.get(commodity="gas")

    steps = page_of(gas).december_explanation

    assert page_of(gas).relief.december_amount_eur == Decimal("158.33")
    assert steps[-1].formula.endswith(
        f"146,67{NBSP}€ + 11,67{NBSP}€ ≈ 158,33{NBSP}€ (gerundet; gerechnet wird mit den ungerundeten Beträgen)"
    )
    assert f"ergeben zusammen 158,34{NBSP}€, 1{NBSP}Cent mehr" in steps[-1].text
