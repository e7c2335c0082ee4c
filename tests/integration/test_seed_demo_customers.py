"""seed_demo gives the customer personas full histories 2021–today; a second run changes nothing; every page shows."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from core.models import User
from customers.models import AdvancePaymentChange, Bill, BillLine, Contract, Installment, MeterReading
from customers.validators import is_valid_malo_id

pytestmark = pytest.mark.django_db

TODAY = "2026-11-21 10:00:00+01:00"


def row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("customers").get_models(), *apps.get_app_config("tariffs").get_models()]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def seeded(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo", password="Demo-Passwort-1")


def test_second_run_changes_no_row_counts(seeded: None) -> None:
    before = row_counts()
    numbers = list(Bill.objects.order_by("id").values_list("number", "balance_eur"))

    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo", password="Demo-Passwort-1")

    assert row_counts() == before
    assert list(Bill.objects.order_by("id").values_list("number", "balance_eur")) == numbers


def test_personas_have_histories_from_2021_to_today(seeded: None) -> None:
    melina = Contract.objects.filter(customer__user__email="melina@example.org")
    hildegard = Contract.objects.filter(customer__user__email="hildegard@example.org")

    assert sorted(melina.values_list("commodity", flat=True)) == ["electricity", "gas"]
    assert sorted(hildegard.values_list("commodity", flat=True)) == ["electricity", "heat"]
    assert hildegard.first().customer.is_vulnerable
    assert hildegard.filter(is_basic_supply=True).count() == 1
    contracts = [*melina, *hildegard]
    assert all(is_valid_malo_id(contract.malo_id) for contract in contracts)
    for contract in contracts:
        years = {bill.issued_date.year for bill in contract.bills.all()}
        assert {2022, 2023, 2024, 2025} <= years
        assert contract.readings.filter(read_date__year=2021).exists()
        assert contract.readings.filter(read_date__year=2026).exists()
        installments = contract.installments.order_by("due_date")
        assert installments.last().due_date.isoformat() == "2026-12-01"
        assert installments.last().paid_at is None
        assert not installments.filter(due_date__lte="2026-11-21", paid_at__isnull=True).exists()
    assert MeterReading.objects.filter(contract__in=contracts, source="ESTIMATE").count() == 1
    sources = set(AdvancePaymentChange.objects.filter(contract__in=contracts).values_list("source", flat=True))
    assert {"CALCULATED", "BILL", "AGENT"} <= sources  # the personas had Anna change their Abschlag


def test_relief_shows_on_the_bills(seeded: None) -> None:
    gas = Contract.objects.get(customer__user__email="melina@example.org", commodity="gas")
    heat = Contract.objects.get(customer__user__email="hildegard@example.org", commodity="heat")

    gas_labels = set(BillLine.objects.filter(bill__contract=gas, kind="RELIEF").values_list("label", flat=True))
    heat_labels = set(BillLine.objects.filter(bill__contract=heat, kind="RELIEF").values_list("label", flat=True))

    assert "Dezember-Soforthilfe 2022 (Gas)" in gas_labels
    assert "Entlastung Preisbremse 01.01.2023–30.11.2023" in gas_labels
    assert "Dezember-Soforthilfe 2022 (Wärme)" in heat_labels
    assert "Entlastung Preisbremse 01.01.2023–31.12.2023" in heat_labels
    # the December Abschlag was not collected; the 2023 Abschläge carried the relief
    assert Installment.objects.get(contract=gas, due_date="2022-12-01").amount_eur == 0
    assert Installment.objects.filter(contract=gas, due_date__year=2023, relief_eur__gt=0).count() == 10
    assert Bill.objects.filter(contract__in=[gas, heat], relief_eur__gt=0).count() >= 3


@pytest.mark.parametrize("email", ["melina@example.org", "hildegard@example.org"])
def test_every_persona_page_renders_with_content(client: Any, seeded: None, email: str) -> None:
    user = User.objects.get(email=email)
    client.force_login(user)
    contracts = list(Contract.objects.filter(customer__user=user).order_by("id"))
    bills = list(Bill.objects.filter(contract__customer__user=user).order_by("id"))

    with time_machine.travel(TODAY, tick=False):
        home = client.get(reverse("customers:home"))
        contract_pages = [client.get(reverse("customers:contract", args=[c.pk])) for c in contracts]
        bill_list = client.get(reverse("customers:bills"))
        bill_pages = [client.get(reverse("customers:bill", args=[bill.pk])) for bill in bills]
        download = client.get(reverse("customers:bill_pdf", args=[bills[-1].pk]))

    assert home.status_code == 200
    assert all(contract.contract_number in home.content.decode() for contract in contracts)
    for contract, page in zip(contracts, contract_pages, strict=True):
        assert page.status_code == 200
        assert contract.malo_id in page.content.decode()
    assert bill_list.status_code == 200
    assert all(bill.number in bill_list.content.decode() for bill in bills)
    for page in bill_pages:
        assert page.status_code == 200
        assert "So haben wir gerechnet" in page.content.decode()
    assert b"".join(download.streaming_content).startswith(b"%PDF")
