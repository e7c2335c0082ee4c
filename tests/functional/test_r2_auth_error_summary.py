"""QA round 2, finding 20: after a failed submit, an error summary at the top of the form takes the focus and links
to each field with an error (the customer forms, the login and the password forms)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from customers.models import AdvancePaymentChange, Contract, Installment
from tests.factories import ContractFactory, MeterReadingFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 10:00:00+01:00"


@pytest.fixture
def contract() -> Contract:
    contract = ContractFactory()
    MeterReadingFactory(contract=contract, read_date=date(2026, 1, 1), value=Decimal(12345))
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2026, 1, 1), amount_eur=Decimal(116), recommended_eur=Decimal(116),
        source="CALCULATED",
    )  # fmt: skip
    Installment.objects.create(contract=contract, due_date=date(2026, 12, 1), amount_eur=Decimal(116))
    return contract


def summary_of(page: str) -> str:
    """Return the error summary's HTML, checking it comes before the form's first field."""
    match = re.search(r'<div class="alert alert-danger"\s+id="error-summary".*?</div>', page, re.DOTALL)
    assert match is not None, "no error summary on the page"
    first_field = re.search(r"<(input|select|textarea)(?![^>]*type=\"hidden\")", page[page.index("<main") :])
    assert first_field is not None
    assert match.start() < page.index("<main") + first_field.start()
    return match.group(0)


def assert_summary_links_to_fields(page: str, *, expected_fields: int) -> list[str]:
    summary = summary_of(page)
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary and "autofocus" in summary
    assert 'aria-labelledby="error-summary-title"' in summary
    targets = re.findall(r'<a class="alert-link fw-normal"\s+href="#([^"]+)"', summary)
    assert len(targets) >= expected_fields
    for target in targets:
        assert page.count(f'id="{target}"') == 1, f"summary link #{target} has no single target"
    return targets


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("name", "data", "expected_fields"),
    [
        ("customers:submit_reading", {"value": "zwölf", "read_date": "gestern"}, 2),
        ("customers:change_advance", {"amount_eur": "viel"}, 1),
        ("customers:move", {}, 1),
    ],
)
def test_contract_forms_show_a_summary_that_links_to_the_fields(
    client: Any, contract: Contract, name: str, data: dict[str, str], expected_fields: int
) -> None:
    client.force_login(contract.customer.user)

    response = client.post(reverse(name, args=[contract.pk]), data)

    assert response.status_code == 200
    assert_summary_links_to_fields(response.content.decode(), expected_fields=expected_fields)


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("customers:bank_account", {"account_holder": "M. F.", "iban": "DE00123", "mandate": "on"}),
        ("customers:profile", {"email": "kaputt", "phone": "", "street": "", "postal_code": "7", "city": ""}),
    ],
)
def test_account_forms_show_a_summary_that_links_to_the_fields(
    client: Any, contract: Contract, name: str, data: dict[str, str]
) -> None:
    client.force_login(contract.customer.user)

    response = client.post(reverse(name), data)

    assert response.status_code == 200
    assert_summary_links_to_fields(response.content.decode(), expected_fields=1)


def test_the_cancellation_form_summary_links_the_radio_group_to_its_first_option(client: Any) -> None:
    response = client.post(reverse("cancellation:form"), {})

    page = response.content.decode()
    targets = assert_summary_links_to_fields(page, expected_fields=3)
    assert "id_kind_0" in targets


def test_a_failed_login_shows_the_message_in_the_summary(client: Any, make_user: Any) -> None:
    user = make_user()

    response = client.post(reverse("login"), {"username": user.email, "password": "falsch"})

    summary = summary_of(response.content.decode())
    assert "E-Mail-Adresse oder Passwort sind nicht richtig" in summary


def test_an_empty_login_links_both_fields(client: Any) -> None:
    response = client.post(reverse("login"), {"username": "", "password": ""})

    assert assert_summary_links_to_fields(response.content.decode(), expected_fields=2) == [
        "id_username",
        "id_password",
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("password_change", {"old_password": "falsch", "new_password1": "kurz", "new_password2": "anders"}),
        ("password_reset", {"email": "keine-adresse"}),
    ],
)
def test_password_forms_show_the_summary(client: Any, make_user: Any, name: str, data: dict[str, str]) -> None:
    client.force_login(make_user())

    response = client.post(reverse(name), data)

    assert_summary_links_to_fields(response.content.decode(), expected_fields=1)


def test_a_page_without_errors_has_no_summary(client: Any) -> None:
    page = client.get(reverse("cancellation:form")).content.decode()

    assert "error-summary" not in page
