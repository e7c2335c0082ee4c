"""Bill and SEPA mandate: supplier particulars, how to pay, the mandate text (QA round 2, finding 16)."""

from __future__ import annotations

import importlib
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from customers import bill_selectors, billing, pdf
from customers.models import Bill, Contract, SepaMandate
from customers.views import bills as bill_views
from stadtwerk_portal.settings import base as base_settings
from tests.factories import ContractFactory, MeterReadingFactory

pytestmark = pytest.mark.django_db

CUSTOMER_IBAN = "DE02120300000000202051"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def contract() -> Contract:
    return ContractFactory()


@pytest.fixture
def bill(contract: Contract) -> Bill:
    """A bill with a Nachzahlung: 3,000 kWh and no Abschläge paid."""
    MeterReadingFactory(contract=contract, read_date=date(2025, 1, 1), value=Decimal(1000))
    end = MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(4000))
    return billing.issue_bill(contract=contract, end_reading=end, issued_date=date(2026, 1, 10))


def give_mandate(contract: Contract, *, revoked: bool = False) -> SepaMandate:
    now = timezone.now()
    return SepaMandate.objects.create(
        customer=contract.customer,
        reference="STW-M-000042",
        iban=CUSTOMER_IBAN,
        account_holder=contract.customer.name,
        signed_at=now - timedelta(days=30),
        revoked_at=now if revoked else None,
    )


def pdf_text(content: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    path = tmp_path / "bill.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def downloaded_pdf(client: Any, bill: Bill, tmp_path: Path) -> str:
    client.force_login(bill.contract.customer.user)
    response = client.get(reverse("customers:bill_pdf", args=[bill.pk]))
    return pdf_text(b"".join(response.streaming_content), tmp_path)


def test_the_pdf_names_the_supplier_with_address_and_tax_id(client: Any, bill: Bill, tmp_path: Path) -> None:
    text = downloaded_pdf(client, bill, tmp_path)

    assert "Stadtwerk · Musterstraße 1, 70173 Stuttgart · USt-IdNr. DE123456789" in text
    assert "Postfach" not in text


def test_without_a_mandate_the_pdf_asks_for_a_transfer_with_our_account_and_the_bill_number(
    client: Any, bill: Bill, tmp_path: Path
) -> None:
    give_mandate(bill.contract, revoked=True)  # an ended mandate is no mandate

    text = downloaded_pdf(client, bill, tmp_path)

    assert "Nachzahlung: 1.213,80 € – bitte überweisen Sie den Betrag bis 24.01.2026 auf unser Konto:" in text
    assert "Empfänger Stadtwerk" in text
    assert "IBAN DE89 3704 0044 0532 0130 00" in text
    assert "BIC COBADEFFXXX" in text
    assert f"Verwendungszweck Rechnung {bill.number}, Kundennummer {bill.contract.customer.customer_number}" in text
    assert "buchen wir" not in text


def test_with_a_mandate_the_pdf_says_we_debit_under_which_mandate(client: Any, bill: Bill, tmp_path: Path) -> None:
    give_mandate(bill.contract)

    text = downloaded_pdf(client, bill, tmp_path)

    assert (
        "Nachzahlung: 1.213,80 € – wir buchen den Betrag zum 24.01.2026 per SEPA-Lastschrift von Ihrem Konto "
        "DE02 **** **** **** **20 51 ab (Mandatsreferenz STW-M-000042, Gläubiger-Identifikationsnummer "
        "DE98ZZZ09999999999)."
    ) in text
    assert "überweisen" not in text
    assert CUSTOMER_IBAN not in text


def test_the_utility_master_data_come_from_settings(bill: Bill, settings: Any, tmp_path: Path) -> None:
    settings.UTILITY_NAME = "Stadtwerke Beispielstadt GmbH"
    settings.UTILITY_ADDRESS = "Am Werk 7, 72070 Tübingen"
    settings.UTILITY_TAX_ID = "12/345/67890"
    detail = bill_selectors.get_bill_detail_by_id(bill_id=bill.pk)
    assert detail is not None

    text = pdf_text(pdf.render_bill_pdf(detail, payment=pdf.get_payment_details(customer_id=0)), tmp_path)

    assert "Stadtwerke Beispielstadt GmbH · Am Werk 7, 72070 Tübingen · Steuernummer 12/345/67890" in text


def with_payment_in_the_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apply the change requested from the owner of customers/views/bills.py (see the report of helper_a2)."""
    original = bill_views.BillDetail.get_context_data

    def get_context_data(self: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = original(self, **kwargs)
        context["payment"] = pdf.get_payment_details(customer_id=self.customer.pk)
        return context

    monkeypatch.setattr(bill_views.BillDetail, "get_context_data", get_context_data)


def bill_page(client: Any, bill: Bill) -> str:
    client.force_login(bill.contract.customer.user)
    return " ".join(client.get(reverse("customers:bill", args=[bill.pk])).content.decode().split())


def test_the_html_bill_without_a_mandate_shows_the_transfer_details(
    client: Any, bill: Bill, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_payment_in_the_view(monkeypatch)

    page = bill_page(client, bill)

    assert "Bitte überweisen Sie den Betrag bis dahin auf unser Konto:" in page
    assert "DE89 3704 0044 0532 0130 00" in page
    assert f"Rechnung {bill.number}, Kundennummer {bill.contract.customer.customer_number}" in page
    link = f'<a class="alert-link" href="{reverse("customers:bank_account")}">SEPA-Lastschriftmandat erteilen</a>'
    assert link in page
    assert "Wenn Sie uns ein SEPA-Lastschriftmandat erteilt haben" not in page
    assert "USt-IdNr. DE123456789" in page


def test_the_html_bill_with_a_mandate_says_we_debit(client: Any, bill: Bill, monkeypatch: pytest.MonkeyPatch) -> None:
    with_payment_in_the_view(monkeypatch)
    give_mandate(bill.contract)

    page = bill_page(client, bill)

    assert "per SEPA-Lastschrift von Ihrem Konto DE02 **** **** **** **20 51 ab (Mandatsreferenz STW-M-000042" in page
    assert "überweisen" not in page
    assert "Wenn Sie uns ein SEPA-Lastschriftmandat erteilt haben" not in page


def test_the_bill_view_passes_the_payment_details(client: Any, bill: Bill) -> None:
    give_mandate(bill.contract)

    page = bill_page(client, bill)

    assert "Mandatsreferenz STW-M-000042" in page


def test_the_sepa_mandate_names_the_creditor_and_instructs_the_bank(client: Any, contract: Contract) -> None:
    client.force_login(contract.customer.user)

    page = " ".join(client.get(reverse("customers:bank_account")).content.decode().split())

    assert 'Zahlungsempfänger</dt> <dd class="col-sm-7"> Stadtwerk, Musterstraße 1, 70173 Stuttgart </dd>' in page
    assert 'Gläubiger-Identifikationsnummer</dt> <dd class="col-sm-7"> DE98ZZZ09999999999 </dd>' in page
    assert (
        "Ich ermächtige Stadtwerk, Zahlungen von meinem Konto mittels Lastschrift einzuziehen. Zugleich weise ich "
        "mein Kreditinstitut an, die von Stadtwerk auf mein Konto gezogenen Lastschriften einzulösen."
    ) in page
    assert (
        "Hinweis: Ich kann innerhalb von acht Wochen, beginnend mit dem Belastungsdatum, die Erstattung des "
        "belasteten Betrages verlangen. Es gelten dabei die mit meinem Kreditinstitut vereinbarten Bedingungen."
    ) in page


@pytest.mark.parametrize(
    ("variable", "value"),
    [("UTILITY_IBAN", "DE00123"), ("UTILITY_BIC", "XYZ"), ("UTILITY_CREDITOR_ID", "Gläubiger 1")],
)
def test_a_bad_bank_or_creditor_setting_stops_the_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ImproperlyConfigured, match=variable):
        importlib.reload(base_settings)

    monkeypatch.delenv(variable)
    importlib.reload(base_settings)
