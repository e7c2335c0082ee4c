"""A customer opens Rechnungen in the browser, reads a bill and downloads it as a PDF; the pages pass axe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from customers import billing, tasks
from customers.models import Bill, Installment
from tests.factories import PASSWORD, ContractFactory, MeterReadingFactory


@pytest.fixture
def bill(reference_data: None, settings: Any, tmp_path: Path, monkeypatch: Any) -> Bill:
    """An issued bill whose PDF is not rendered yet (no worker here): the first download renders it."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.render_bill_pdf, "delay", lambda **kwargs: None)
    contract = ContractFactory()
    MeterReadingFactory(contract=contract, read_date=date(2025, 1, 1), value=Decimal(10_000))
    end = MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(13_400))
    for month in range(1, 13):
        due = date(2025, month, 1)
        Installment.objects.create(contract=contract, due_date=due, amount_eur=Decimal(110), paid_at=due)
    return billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2026, 1, 9))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_customer_downloads_a_bill_pdf(page: Any, login: Any, assert_accessible: Any, bill: Bill) -> None:
    login(page, bill.contract.customer.user.email, PASSWORD)

    page.get_by_role("link", name="Rechnungen").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Rechnungen"
    assert_accessible(page)
    page.get_by_role("link", name=f"Jahresabrechnung {bill.number}").click()
    page.wait_for_load_state()
    assert bill.number in page.get_by_text("Rechnungsnummer").first.inner_text()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rechnung als PDF herunterladen").click()
    download = download_info.value

    assert download.suggested_filename == f"Rechnung-{bill.number}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    assert bill.number.encode() in content
