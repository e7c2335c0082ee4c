"""The heat December relief 2022 from the stored Abschläge and bills: Meine Entlastung and the bill agree, for monthly
payers (120 % of the September Abschlag) and for those paying fewer than 12 Abschläge a year (120 % of a twelfth of
the last billing period's Abschläge)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from customers import billing, relief
from customers.models import Bill, Contract, Customer, Installment, MeterReading
from customers.views import relief as relief_views
from tests.factories import ContractFactory, CustomerFactory, MeterReadingFactory, PriceVersionFactory, TariffFactory

pytestmark = pytest.mark.django_db

URL = "/konto/entlastung/"


def heat_contract(customer: Customer, *, installments_per_year: int) -> Contract:
    """Return a district-heat contract since 2020 at 11.215 ct/kWh net in 2022 and 2023 (8 ct net before, after)."""
    tariff = TariffFactory(commodity="heat", name="Fernwärme Krise")
    PriceVersionFactory(tariff=tariff, valid_from=date(2020, 1, 1), valid_to=date(2022, 1, 1), working_price_net_ct=8)
    PriceVersionFactory(
        tariff=tariff, valid_from=date(2022, 1, 1), valid_to=date(2024, 1, 1), working_price_net_ct=Decimal("11.2150")
    )
    PriceVersionFactory(tariff=tariff, valid_from=date(2024, 1, 1), working_price_net_ct=8)
    return ContractFactory(
        customer=customer,
        commodity="heat",
        tariff=tariff,
        start_date=date(2020, 1, 1),
        forecast_kwh=Decimal(13_000),
        forecast_sept_2022_kwh=Decimal(13_000),
        installments_per_year=installments_per_year,
    )


def installments(contract: Contract, *due: tuple[date, str]) -> None:
    for due_date, amount in due:
        Installment.objects.create(contract=contract, due_date=due_date, amount_eur=Decimal(amount), paid_at=due_date)


def bills(contract: Contract, *read_dates: date) -> list[Bill]:
    """Issue one bill between each two consecutive read dates (10,000 kWh a year apart, pro rata)."""
    readings: list[MeterReading] = [
        MeterReadingFactory(contract=contract, read_date=day, value=Decimal(10_000 + 27 * (day - read_dates[0]).days))
        for day in read_dates
    ]
    return [
        billing.issue_bill(contract=contract, end_reading=reading, issued_date=reading.read_date)
        for reading in readings[1:]
    ]


def quarterly_contract(customer: Customer) -> Contract:
    """Quarterly payer whose last bill before December 2022 ran 01.10.2021–30.06.2022 with 3 × 450 € in it.

    The bill before (2020/2021) held 400-€ Abschläge, those after June 2022 are 600 €: neither may count.
    """
    contract = heat_contract(customer, installments_per_year=4)
    installments(
        contract,
        *[(date(year, month, 15), "400.00") for year, month in ((2020, 11), (2021, 2), (2021, 5), (2021, 8))],
        *[(date(year, month, 15), "450.00") for year, month in ((2021, 11), (2022, 2), (2022, 5))],
        (date(2022, 8, 15), "600.00"),
        (date(2022, 11, 15), "600.00"),
    )
    bills(contract, date(2020, 10, 1), date(2021, 10, 1), date(2022, 7, 1))
    return contract


def monthly_contract(customer: Customer) -> Contract:
    """The DOMAIN example: monthly Abschläge of 150 € (December 2022 not collected)."""
    contract = heat_contract(customer, installments_per_year=12)
    year, month = 2021, 1
    while (year, month) <= (2023, 6):
        installments(contract, (date(year, month, 1), "0.00" if (year, month) == (2022, 12) else "150.00"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return contract


def december_line_amount(bill: Bill) -> Decimal:
    return bill.lines.get(label__startswith="Dezember-Soforthilfe 2022").amount_eur


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory()


def test_a_quarterly_payer_gets_120_percent_of_a_twelfth_of_the_last_periods_abschlaege(
    client: Any, customer: Customer
) -> None:
    quarterly_contract(customer)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    # 3 × 450 € = 1.350 € ÷ 12 = 112,50 € × 120 % = 135,00 €
    assert re.search(r'data-testid="december-relief">135,00\xa0€<', html)
    assert (
        "die 3 Abschläge aus Ihrem letzten Abrechnungszeitraum vor Dezember 2022 (01.10.2021 bis 30.06.2022)" in html
    )


def test_the_bill_credits_the_same_december_relief_as_the_page(customer: Customer) -> None:
    contract = quarterly_contract(customer)
    MeterReadingFactory(contract=contract, read_date=date(2023, 7, 1), value=Decimal(10_000 + 27 * 1003))

    issued = billing.issue_bill(
        contract=contract, end_reading=contract.readings.get(read_date=date(2023, 7, 1)), issued_date=date(2023, 7, 3)
    )
    page = next(page for page in relief_views.get_relief_pages(customer=customer) if page.id == contract.pk)

    assert december_line_amount(issued) == Decimal("-135.00")
    assert page.relief.december_amount_eur == Decimal("135.00")  # the 2023 bill is not the period before December


def test_a_monthly_payer_gets_120_percent_of_the_september_abschlag_on_page_and_bill(customer: Customer) -> None:
    contract = monthly_contract(customer)
    (issued,) = bills(contract, date(2022, 7, 1), date(2023, 7, 1))

    page = next(page for page in relief_views.get_relief_pages(customer=customer) if page.id == contract.pk)

    assert page.relief.december_amount_eur == Decimal("180.00")
    assert december_line_amount(issued) == Decimal("-180.00")


def test_a_heat_contract_without_abschlaege_before_december_2022_shows_no_december_amount(
    client: Any, customer: Customer
) -> None:
    heat_contract(customer, installments_per_year=4)
    client.force_login(customer.user)

    html = client.get(URL).content.decode()

    assert "Wärmepreisbremse 2023" in html
    assert 'data-testid="december-relief"' not in html


def test_the_loader_runs_seven_queries_with_heat_contracts(django_assert_num_queries: Any, customer: Customer) -> None:
    quarterly_contract(customer)
    monthly_contract(customer)
    ContractFactory(customer=customer)

    with django_assert_num_queries(7):
        pages = relief_views.get_relief_pages(customer=customer)

    assert sorted(str(page.relief.december_amount_eur) for page in pages) == ["135.00", "180.00", "None"]


def test_one_contracts_abschlaege_load_in_one_query_with_the_last_bills_period(
    django_assert_num_queries: Any, customer: Customer
) -> None:
    contract = quarterly_contract(customer)

    with django_assert_num_queries(1):
        advances = relief.get_advances(contract)

    assert advances is not None
    assert advances.last_bill_period == (date(2021, 10, 1), date(2022, 7, 1))
    assert [due for due, _ in advances.installments] == [
        date(2021, 11, 15),  # before the 12 months, but in the last billing period
        date(2022, 2, 15),
        date(2022, 5, 15),
        date(2022, 8, 15),
        date(2022, 11, 15),
    ]
