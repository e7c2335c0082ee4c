"""A customer can never reach another customer's data: every customer URL with an object id gives 404 for an id
that belongs to someone else (GET and POST). New URLs with an id are covered automatically."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver

from customers.models import Bill
from tests.factories import ContractFactory, MeterReadingFactory

BILL_ROUTES = {"bill", "bill_pdf"}


def customer_routes_with_pk() -> list[str]:
    resolver = get_resolver()
    names = []
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) != "customers":
            continue
        for pattern in entry.url_patterns:
            if isinstance(pattern, URLPattern) and "<int:pk>" in str(pattern.pattern):
                names.append(str(pattern.name))
    return sorted(names)


def make_bill(contract: Any) -> Bill:
    start = MeterReadingFactory(contract=contract, read_date=date(2025, 1, 1), value=Decimal(1000))
    end = MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(4000))
    return Bill.objects.create(
        contract=contract, number=f"R-ISO-{contract.pk}", kind="ANNUAL", period_start=start.read_date,
        period_end=end.read_date, start_reading=start, end_reading=end, consumption_kwh=Decimal(3000),
        net_eur=Decimal("100.00"), vat_eur=Decimal("19.00"), gross_eur=Decimal("119.00"), relief_eur=Decimal("0.00"),
        advances_eur=Decimal("100.00"), balance_eur=Decimal("19.00"), issued_date=end.read_date,
        due_date=end.read_date,
    )  # fmt: skip


def test_customer_routes_with_an_id_exist() -> None:
    assert "contract" in customer_routes_with_pk()


@pytest.mark.django_db
@pytest.mark.parametrize("name", customer_routes_with_pk())
def test_another_customers_id_gives_404(client: Any, name: str) -> None:
    own = ContractFactory()
    foreign = ContractFactory()
    target = make_bill(foreign).pk if name in BILL_ROUTES else foreign.pk
    client.force_login(own.customer.user)

    get_response = client.get(f"/konto/{_path(name, target)}")
    post_response = client.post(f"/konto/{_path(name, target)}", {})

    assert get_response.status_code == 404
    assert post_response.status_code in {404, 405}  # 405: a read-only page that takes no POST at all


def _path(name: str, pk: int) -> str:
    from django.urls import reverse

    return reverse(f"customers:{name}", args=[pk]).removeprefix("/konto/")
