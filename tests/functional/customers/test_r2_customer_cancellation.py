"""§ 312k BGB: the cancellation button never discards a complete declaration (QA round 2, finding 1).

Logged-in customers are never limited; anonymous declarations beyond the hourly limits are stored unmatched for
staff to review, confirmed on the page and by e-mail, and look exactly like every other confirmation.
"""

from __future__ import annotations

import importlib
import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from customers import cancellation
from customers.models import CancellationRequest, Contract
from customers.views import cancellation as cancellation_views
from stadtwerk_portal.settings import base as base_settings
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 14:05:00+01:00"
FORM_URL = reverse("cancellation:form")


@pytest.fixture(autouse=True)
def empty_rate_limits() -> None:
    cache.clear()  # the file-based cache of the test settings (never Redis here)


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(notice_period_months=1)


def form_data(contract: Contract | None = None, **overrides: str) -> dict[str, str]:
    data = {
        "kind": "ORDINARY",
        "extraordinary_reason": "",
        "name": "Erika Mustermann",
        "customer_number": contract.customer.customer_number if contract else "",
        "contract_number": contract.contract_number if contract else "",
        "meter_number": "",
        "postal_code": contract.postal_code if contract else "70173",
        "desired_end_date": "",
        "email": "erika@example.org",
    }
    data.update(overrides)
    return data


def flood_from_one_address(client: Any, count: int) -> None:
    for number in range(count):
        response = client.post(FORM_URL, form_data(email=f"flood{number}@example.org"))
        assert response.status_code == 302


def without_variable_parts(page: str, references: list[str]) -> str:
    for reference in references:
        page = page.replace(reference, "REF")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@time_machine.travel(NOW, tick=False)
def test_a_logged_in_customer_is_never_limited_even_after_a_flood_from_the_same_address(
    client: Any, contract: Contract, django_capture_on_commit_callbacks: Any
) -> None:
    flood_from_one_address(client, cancellation_views.RATE_LIMIT_PER_IP + 5)
    client.force_login(contract.customer.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            FORM_URL, {"kind": "ORDINARY", "contract": contract.pk, "desired_end_date": "", "email": "h@example.org"}
        )

    contract.refresh_from_db()
    declaration = CancellationRequest.objects.get(contract=contract)
    assert response.status_code == 302
    assert response["Location"] == reverse("cancellation:done", args=[declaration.reference])
    assert declaration.status == CancellationRequest.Status.MATCHED
    assert contract.status == Contract.Status.CANCELLED
    assert [message.to for message in mail.outbox] == [["h@example.org"]]


@time_machine.travel(NOW, tick=False)
def test_an_anonymous_declaration_beyond_the_address_limit_is_stored_for_review_and_confirmed(
    client: Any, contract: Contract, django_capture_on_commit_callbacks: Any
) -> None:
    flood_from_one_address(client, cancellation_views.RATE_LIMIT_PER_IP)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, form_data(contract, email="echt@example.org"), follow=True)

    contract.refresh_from_db()
    declaration = CancellationRequest.objects.get(email="echt@example.org")
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("cancellation:done", args=[declaration.reference]), 302)]
    assert "Ihre Kündigung ist eingegangen" in page
    assert "21.11.2026, 14:05 Uhr" in page
    assert declaration.reference in page
    assert "nicht gespeichert" not in page
    # Held for review: no automatic match, so a flood cannot cancel contracts by guessing identification data.
    assert (declaration.status, declaration.contract_id) == (CancellationRequest.Status.REVIEW, None)
    assert contract.status == Contract.Status.ACTIVE
    assert [message.to for message in mail.outbox] == [["echt@example.org"]]
    assert declaration.reference in mail.outbox[0].subject


@time_machine.travel(NOW, tick=False)
def test_a_declaration_beyond_the_e_mail_limit_is_stored_too(client: Any) -> None:
    for number in range(cancellation_views.RATE_LIMIT_PER_EMAIL):
        client.post(FORM_URL, form_data(), REMOTE_ADDR=f"192.0.2.{number + 1}")

    response = client.post(FORM_URL, form_data(name="Letzte Erklärung"), REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302
    assert CancellationRequest.objects.filter(name="Letzte Erklärung", status="REVIEW").count() == 1


@time_machine.travel(NOW, tick=False)
def test_guessing_one_customers_contract_numbers_from_many_addresses_stops_matching(
    client: Any, contract: Contract
) -> None:
    for number in range(cancellation_views.RATE_LIMIT_PER_CUSTOMER_NUMBER):
        client.post(
            FORM_URL,
            form_data(contract, contract_number=f"V9{number:05d}", email=f"g{number}@example.org"),
            REMOTE_ADDR=f"203.0.113.{number + 1}",
        )

    response = client.post(FORM_URL, form_data(contract, email="g-last@example.org"), REMOTE_ADDR="203.0.113.200")

    contract.refresh_from_db()
    assert response.status_code == 302
    assert CancellationRequest.objects.get(email="g-last@example.org").status == CancellationRequest.Status.REVIEW
    assert contract.status == Contract.Status.ACTIVE


@time_machine.travel(NOW, tick=False)
def test_a_held_declaration_looks_exactly_like_a_matched_one(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    matched_contract, held_contract = ContractFactory(), ContractFactory()
    with django_capture_on_commit_callbacks(execute=True):
        matched_page = client.post(FORM_URL, form_data(matched_contract), follow=True).content.decode()
    flood_from_one_address(client, cancellation_views.RATE_LIMIT_PER_IP)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        held_page = client.post(FORM_URL, form_data(held_contract), follow=True).content.decode()
    matched = CancellationRequest.objects.get(contract=matched_contract)
    held = CancellationRequest.objects.get(customer_number=held_contract.customer.customer_number)

    references = [matched.reference, held.reference]
    assert (matched.status, held.status) == ("MATCHED", "REVIEW")
    matched_page = matched_page.replace(matched_contract.customer.customer_number, "NR")
    matched_page = matched_page.replace(matched_contract.contract_number, "VN")
    held_page = held_page.replace(held_contract.customer.customer_number, "NR")
    held_page = held_page.replace(held_contract.contract_number, "VN")
    assert without_variable_parts(matched_page, references) == without_variable_parts(held_page, references)
    assert len(mail.outbox) == 1


@time_machine.travel(NOW, tick=False)
def test_staff_assign_a_held_declaration_with_the_notice_counted_from_its_receipt(
    client: Any, contract: Contract
) -> None:
    flood_from_one_address(client, cancellation_views.RATE_LIMIT_PER_IP)
    client.post(FORM_URL, form_data(contract, email="echt@example.org"))
    held = CancellationRequest.objects.get(email="echt@example.org")

    with time_machine.travel("2026-11-25 09:00:00+01:00", tick=False):
        cancellation.assign_contract(cancellation=held, contract=contract)

    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED
    assert contract.end_date == date(2026, 12, 22)  # received 21.11. + one month, as if matched at once


@time_machine.travel(NOW, tick=False)
def test_the_confirmation_is_signed_with_the_utility_name_and_says_how_to_reach_us(
    client: Any, contract: Contract, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.UTILITY_PHONE, settings.UTILITY_EMAIL = "0711 999-0", "kuendigung@stadtwerk.example"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, form_data(contract))

    body = mail.outbox[0].body
    assert "Musterstadt" not in body
    assert f"Ihr Kundenservice\n{settings.UTILITY_NAME}, {settings.UTILITY_ADDRESS}\n" in body
    assert "melden Sie sich bitte bei uns: Telefon 0711 999-0 (Mo–Fr 8–18 Uhr) oder E-Mail kuendigung@" in body


def test_the_default_utility_name_is_the_one_the_portal_uses_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UTILITY_NAME", raising=False)

    reloaded = importlib.reload(base_settings)

    assert reloaded.UTILITY_NAME == "Stadtwerk"
