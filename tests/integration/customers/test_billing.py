"""issue_bill computes a bill with the tariffs domain and stores it: amounts to the cent, idempotent, adding up."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from customers import billing, tasks
from customers.models import Bill, BillLine, Contract, Installment, MeterReading
from tests.factories import ContractFactory, MeterReadingFactory, PriceVersionFactory, TariffFactory

pytestmark = pytest.mark.django_db


def monthly_installments(
    contract: Contract,
    first: date,
    count: int,
    amount: str,
    *,
    unpaid: frozenset[date] = frozenset(),
    zero: frozenset[date] = frozenset(),
) -> None:
    year, month = first.year, first.month
    for _ in range(count):
        due = date(year, month, 1)
        Installment.objects.create(
            contract=contract,
            due_date=due,
            amount_eur=Decimal(0) if due in zero else Decimal(amount),
            paid_at=None if due in unpaid else due,
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def readings(contract: Contract, *values: tuple[date, int]) -> list[MeterReading]:
    return [MeterReadingFactory(contract=contract, read_date=day, value=Decimal(value)) for day, value in values]


def gas_contract(*, versions: list[tuple[date, date | None, str, str]], **fields: Any) -> Contract:
    tariff = TariffFactory(commodity="gas", name="Gas Test")
    for valid_from, valid_to, working_price, base_price in versions:
        PriceVersionFactory(
            tariff=tariff,
            valid_from=valid_from,
            valid_to=valid_to,
            working_price_net_ct=Decimal(working_price),
            base_price_net_eur_year=Decimal(base_price),
        )
    return ContractFactory(commodity="gas", tariff=tariff, **fields)


def test_electricity_bill_matches_the_hand_computed_amounts() -> None:
    contract = ContractFactory()  # 30 ct/kWh + 120 €/year net, 19 % VAT
    _start, end = readings(contract, (date(2024, 1, 1), 10_000), (date(2025, 1, 1), 13_500))
    monthly_installments(contract, date(2024, 1, 1), 12, "110.00")

    bill = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2025, 1, 10))

    # 2024 has 366 days. Working price: 3,500 kWh × 30 ct = 1,050.00 €; base price: 120 € × 366 ÷ 365 = 120.33 €
    # net 1,170.33 €; VAT 19 % = 222.3627 → 222.36 €; gross 1,392.69 €; Abschläge 12 × 110 = 1,320.00 €
    # balance 1,392.69 − 1,320.00 = 72.69 € Nachzahlung.
    assert bill.consumption_kwh == Decimal(3500)
    assert [line.amount_eur for line in bill.lines.order_by("position")] == [Decimal("1050.00"), Decimal("120.33")]
    assert (bill.net_eur, bill.vat_eur, bill.gross_eur) == (Decimal("1170.33"), Decimal("222.36"), Decimal("1392.69"))
    assert bill.advances_eur == Decimal("1320.00")
    assert bill.balance_eur == Decimal("72.69")
    assert bill.relief_eur == Decimal("0.00")
    assert bill.relief_quota_kwh is None


def test_gas_bill_across_the_april_2024_vat_change_is_split_by_days() -> None:
    contract = gas_contract(versions=[(date(2020, 1, 1), None, "10.0000", "150.00")])
    _start, end = readings(contract, (date(2024, 1, 1), 20_000), (date(2024, 7, 1), 24_999))
    monthly_installments(contract, date(2024, 1, 1), 6, "100.00")

    bill = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2024, 7, 8))

    # 2024-01-01 … 2024-03-31: 91 days at 7 %; 2024-04-01 … 2024-06-30: 91 days at 19 % (182 days).
    # 4,999 kWh × 91/182 = 2,499.5 → 2,500 kWh (half-up) in the first segment, the rest 2,499 kWh in the second.
    # Working price: 2,500 × 10 ct = 250.00 €; 2,499 × 10 ct = 249.90 €. Base price: 150 € × 91/365 = 37.40 € each.
    # Net at 7 %: 287.40 € → VAT 20.118 → 20.12 €; net at 19 %: 287.30 € → VAT 54.587 → 54.59 €.
    # Net 574.70 €, VAT 74.71 €, gross 649.41 €; Abschläge 6 × 100 = 600.00 €; Nachzahlung 49.41 €.
    lines = list(bill.lines.order_by("position"))
    assert [(line.kind, line.quantity, line.vat_rate, line.amount_eur) for line in lines] == [
        ("WORKING_PRICE", Decimal(2500), Decimal("0.0700"), Decimal("250.00")),
        ("BASE_PRICE", Decimal(91), Decimal("0.0700"), Decimal("37.40")),
        ("WORKING_PRICE", Decimal(2499), Decimal("0.1900"), Decimal("249.90")),
        ("BASE_PRICE", Decimal(91), Decimal("0.1900"), Decimal("37.40")),
    ]
    assert (bill.net_eur, bill.vat_eur, bill.gross_eur) == (Decimal("574.70"), Decimal("74.71"), Decimal("649.41"))
    assert bill.balance_eur == Decimal("49.41")
    assert lines[0].label == "Arbeitspreis 01.01.2024–31.03.2024"


def test_gas_bill_with_december_2022_and_the_2023_price_brake() -> None:
    contract = gas_contract(
        versions=[
            (date(2020, 1, 1), date(2022, 10, 1), "8.0000", "100.00"),
            (date(2022, 10, 1), None, "20.0000", "100.00"),
        ],
        forecast_kwh=Decimal(12_000),
        forecast_sept_2022_kwh=Decimal(12_000),
    )
    _start, end = readings(contract, (date(2022, 7, 1), 50_000), (date(2023, 7, 1), 62_000))
    # the December Abschlag was not collected (December relief); June 2023 is still open; July 2023 is outside
    monthly_installments(
        contract,
        date(2022, 7, 1),
        13,
        "150.00",
        zero=frozenset({date(2022, 12, 1)}),
        unpaid=frozenset({date(2023, 6, 1)}),
    )

    bill = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2023, 7, 14))

    # Segments: 2022-07-01 … 09-30, 92 days at 8 ct and 19 %; 2022-10-01 … 2023-06-30, 273 days at 20 ct and 7 %.
    # 12,000 kWh × 92/365 = 3,024.66 → 3,025 kWh; the rest 8,975 kWh.
    # At 19 %: 3,025 × 8 ct = 242.00 € + 100 € × 92/365 = 25.21 € → net 267.21 €, VAT 50.7699 → 50.77 €.
    # At 7 %: 8,975 × 20 ct = 1,795.00 € + 100 € × 273/365 = 74.79 € → net 1,869.79 €, VAT 130.8853 → 130.89 €.
    # Net 2,137.00 €, VAT 181.66 €, gross 2,318.66 €.
    # Price brake: quota 80 % × 12,000 = 9,600 kWh; gross price 20 × 1.07 = 21.40 ct, 9.40 ct above 12 ct:
    # 9,600 × 9.40 ct ÷ 12 = 75.20 € a month × 6 months (January–June 2023) = 451.20 €.
    # December relief: (12,000 × 21.40 ct + 107.00 € gross base price) ÷ 12 = 2,675 ÷ 12 = 222.9167 → 222.92 €.
    # Relief 674.12 €; Abschläge paid 10 × 150 = 1,500.00 €; balance 2,318.66 − 674.12 − 1,500.00 = 144.54 €.
    assert (bill.net_eur, bill.vat_eur, bill.gross_eur) == (Decimal("2137.00"), Decimal("181.66"), Decimal("2318.66"))
    relief_lines = list(bill.lines.filter(kind="RELIEF").order_by("position"))
    assert [(line.label, line.quantity, line.amount_eur) for line in relief_lines] == [
        ("Dezember-Soforthilfe 2022 (Gas)", Decimal(1), Decimal("-222.92")),
        ("Entlastung Preisbremse 01.01.2023–30.06.2023", Decimal(6), Decimal("-451.20")),
    ]
    assert bill.relief_eur == Decimal("674.12")
    assert bill.relief_quota_kwh == Decimal("9600.00")
    assert bill.advances_eur == Decimal("1500.00")
    assert bill.balance_eur == Decimal("144.54")
    texts = [step["text"] for step in bill.explanation]
    assert any("Dezember-Soforthilfe" in text for text in texts)
    assert texts[-1] == "Es bleibt eine Nachzahlung: Bitte zahlen Sie 144,54\xa0€ nach."


def test_issuing_twice_for_the_same_end_reading_returns_the_first_bill() -> None:
    contract = ContractFactory()
    _start, end = readings(contract, (date(2024, 1, 1), 10_000), (date(2025, 1, 1), 13_500))

    first = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2025, 1, 10))
    second = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2025, 2, 1))

    assert second.pk == first.pk
    assert second.issued_date == date(2025, 1, 10)
    assert Bill.objects.filter(contract=contract).count() == 1
    assert BillLine.objects.filter(bill=first).count() == 2


def test_next_bill_starts_at_the_previous_end_reading_and_compares_with_it() -> None:
    contract = ContractFactory()
    _start, middle, end = readings(
        contract, (date(2023, 1, 1), 5_000), (date(2024, 1, 1), 8_000), (date(2025, 1, 1), 11_300)
    )
    first = billing.issue_bill(contract=contract, end_reading=middle, issued_date=date(2024, 1, 12))

    second = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2025, 1, 10))

    assert second.start_reading_id == middle.pk
    assert (second.period_start, second.period_end) == (date(2024, 1, 1), date(2025, 1, 1))
    assert second.consumption_kwh == Decimal(3300)
    assert second.previous_consumption_kwh == first.consumption_kwh == Decimal(3000)
    assert re.fullmatch(r"R2025-\d{6}", second.number)
    assert second.number != first.number
    assert second.due_date == date(2025, 1, 10) + timedelta(days=14)


def test_stored_totals_add_up() -> None:
    contract = gas_contract(
        versions=[
            (date(2020, 1, 1), date(2022, 10, 1), "8.0000", "100.00"),
            (date(2022, 10, 1), None, "20.0000", "100.00"),
        ]
    )
    _start, end = readings(contract, (date(2022, 5, 17), 1_000), (date(2024, 5, 3), 25_377))
    monthly_installments(contract, date(2022, 6, 1), 23, "187.00")

    bill = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2024, 5, 10))

    lines = list(bill.lines.all())
    price_lines = [line for line in lines if line.kind != "RELIEF"]
    relief_lines = [line for line in lines if line.kind == "RELIEF"]
    assert sum(line.amount_eur for line in price_lines) == bill.net_eur
    assert bill.gross_eur == bill.net_eur + bill.vat_eur
    assert -sum(line.amount_eur for line in relief_lines) == bill.relief_eur > 0
    assert bill.balance_eur == bill.gross_eur - bill.relief_eur - bill.advances_eur
    assert sum(line.quantity for line in price_lines if line.kind == "WORKING_PRICE") == bill.consumption_kwh


def test_a_reading_of_another_contract_is_refused_and_nothing_is_written() -> None:
    contract = ContractFactory()
    readings(contract, (date(2024, 1, 1), 10_000))
    foreign = MeterReadingFactory(read_date=date(2025, 1, 1))

    with pytest.raises(billing.ReadingOfAnotherContract):
        billing.issue_bill(contract=contract, end_reading=foreign, issued_date=date(2025, 1, 10))

    assert not Bill.objects.exists()


def test_a_bill_needs_a_period_after_the_start_reading() -> None:
    contract = ContractFactory()
    (only,) = readings(contract, (date(2024, 1, 1), 10_000))

    with pytest.raises(billing.EmptyBillPeriod, match="01.01.2024"):
        billing.issue_bill(contract=contract, end_reading=only, issued_date=date(2025, 1, 10))

    assert not Bill.objects.filter(contract=contract).exists()


def test_the_pdf_is_rendered_after_commit_by_the_task(
    settings: Any, tmp_path: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.render_bill_pdf, "delay", lambda **kwargs: tasks.render_bill_pdf(**kwargs))
    contract = ContractFactory()
    _start, end = readings(contract, (date(2024, 1, 1), 10_000), (date(2025, 1, 1), 13_500))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        bill = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2025, 1, 10))
        assert not (tmp_path / "bills" / f"{bill.number}.pdf").exists()  # not before commit

    assert len(callbacks) == 1
    content = (tmp_path / "bills" / f"{bill.number}.pdf").read_bytes()
    assert content.startswith(b"%PDF")
    assert bill.number.encode() in content


def test_render_task_is_idempotent_and_keeps_the_cached_file(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    contract = ContractFactory()
    _start, end = readings(contract, (date(2024, 1, 1), 10_000), (date(2025, 1, 1), 13_500))
    bill = billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2025, 1, 10))
    tasks.render_bill_pdf(bill_id=bill.pk)
    path = tmp_path / "bills" / f"{bill.number}.pdf"
    first_mtime = path.stat().st_mtime_ns

    tasks.render_bill_pdf(bill_id=bill.pk)
    tasks.render_bill_pdf(bill_id=999_999)  # a bill that is gone is skipped

    assert path.stat().st_mtime_ns == first_mtime
    assert sorted(p.name for p in (tmp_path / "bills").iterdir()) == [f"{bill.number}.pdf"]
