"""The cancellation button's pages over HTTP: with and without login, validation, no leaks, rate limit, CSRF."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from customers.models import CancellationRequest, Contract
from customers.views import cancellation as cancellation_views
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 14:05:00+01:00"
FORM_URL = reverse("cancellation:form")
BUTTON = ">Verträge hier kündigen</a>"


@pytest.fixture(autouse=True)
def empty_rate_limits() -> None:
    cache.clear()


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


def without_variable_parts(page: str, references: list[str]) -> str:
    """Drop what differs between two identical declarations: the reference and the CSRF tokens."""
    for reference in references:
        page = page.replace(reference, "REF")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.parametrize("url", [reverse("login"), reverse("tariffs:relief_calculator"), FORM_URL])
def test_the_button_is_on_public_pages(client: Any, url: str) -> None:
    response = client.get(url)

    assert BUTTON in response.content.decode()


def test_the_button_is_on_pages_for_logged_in_customers(client: Any, contract: Contract) -> None:
    client.force_login(contract.customer.user)

    response = client.get(reverse("customers:home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert BUTTON in page
    assert f'href="{FORM_URL}"' in page


def test_visitor_sees_the_form_with_the_final_button_and_no_why_question(client: Any) -> None:
    response = client.get(FORM_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<button[^>]*>jetzt kündigen</button>", page)
    for label in ("Art der Kündigung", "Kundennummer", "Postleitzahl der Lieferstelle", "Gewünschtes Vertragsende"):
        assert label in page
    assert "Warum kündigen Sie" not in page


def test_logged_in_customer_sees_the_form_pre_filled_with_own_active_contracts_only(client: Any) -> None:
    contract = ContractFactory()
    ended = ContractFactory(customer=contract.customer, status=Contract.Status.ENDED)
    theirs = ContractFactory()
    client.force_login(contract.customer.user)

    response = client.get(FORM_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{contract.customer.email}"' in page
    assert f'value="{contract.customer.name}"' in page
    assert contract.customer.customer_number in page
    assert f'<option value="{contract.pk}" selected>' in page
    assert f"Vertrag {ended.contract_number}" not in page
    assert theirs.contract_number not in page
    assert 'name="customer_number"' not in page


@time_machine.travel(NOW, tick=False)
def test_visitor_cancels_and_sees_the_confirmation_with_date_and_time(
    client: Any, contract: Contract, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, form_data(contract), follow=True)

    declaration = CancellationRequest.objects.get(contract=contract)
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("cancellation:done", args=[declaration.reference]), 302)]
    assert "Ihre Kündigung ist eingegangen" in page
    assert "21.11.2026, 14:05 Uhr" in page
    assert declaration.reference in page
    assert "window.print()" in page
    assert "Bestätigung als Datei speichern" in page
    assert "Warum kündigen Sie?" in page
    assert "endet Ihr Vertrag mit Ablauf" not in page  # the end date is for the logged-in owner only
    assert len(mail.outbox) == 1


@time_machine.travel(NOW, tick=False)
def test_matched_and_unmatched_declarations_look_exactly_the_same(
    client: Any, contract: Contract, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        matched_page = client.post(FORM_URL, form_data(contract), follow=True).content.decode()
        unmatched_page = client.post(FORM_URL, form_data(contract), follow=True).content.decode()  # now cancelled

    matched, unmatched = CancellationRequest.objects.order_by("pk")
    assert (matched.status, unmatched.status) == ("MATCHED", "REVIEW")
    references = [matched.reference, unmatched.reference]
    assert without_variable_parts(matched_page, references) == without_variable_parts(unmatched_page, references)
    first, second = mail.outbox
    assert without_variable_parts(first.body, references) == without_variable_parts(second.body, references)
    assert without_variable_parts(first.subject, references) == without_variable_parts(second.subject, references)


@time_machine.travel(NOW, tick=False)
def test_unknown_customer_gets_the_same_page_as_a_known_one(client: Any) -> None:
    data = form_data(customer_number="555555", contract_number="V555555", postal_code="70173")
    unknown = client.post(FORM_URL, data, follow=True).content.decode()
    ContractFactory(customer__customer_number="555555", contract_number="V555555", postal_code="70173")
    known = client.post(FORM_URL, data, follow=True).content.decode()

    assert list(CancellationRequest.objects.order_by("pk").values_list("status", flat=True)) == ["REVIEW", "MATCHED"]

    references = list(CancellationRequest.objects.values_list("reference", flat=True))
    assert without_variable_parts(known, references) == without_variable_parts(unknown, references)


@time_machine.travel(NOW, tick=False)
def test_logged_in_customer_cancels_the_chosen_contract_and_sees_its_end(
    client: Any, contract: Contract, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(contract.customer.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            FORM_URL,
            {
                "kind": "ORDINARY",
                "contract": contract.pk,
                "name": "",
                "desired_end_date": "",
                "email": "neu@example.org",
            },
            follow=True,
        )

    contract.refresh_from_db()
    page = response.content.decode()
    assert contract.status == Contract.Status.CANCELLED
    assert contract.end_date == date(2026, 12, 22)
    assert "endet Ihr Vertrag mit Ablauf des <strong>21.12.2026</strong>" in page
    declaration = CancellationRequest.objects.get(contract=contract)
    assert declaration.name == contract.customer.name
    assert declaration.submitted_by == contract.customer.user
    assert mail.outbox[0].to == ["neu@example.org"]


REJECTIONS = [
    ({"kind": ""}, "Bitte wählen Sie, ob Sie ordentlich oder außerordentlich kündigen."),
    ({"kind": "SOFORT"}, "Bitte wählen Sie, ob Sie ordentlich oder außerordentlich kündigen."),
    (
        {"kind": "EXTRAORDINARY"},
        "Bitte nennen Sie den Grund der außerordentlichen Kündigung, z. B. die Preiserhöhung.",
    ),
    ({"name": "  "}, "Bitte geben Sie Ihren Namen an."),
    ({"postal_code": ""}, "Bitte geben Sie die Postleitzahl der Lieferstelle an."),
    ({"postal_code": "7017"}, "Bitte geben Sie eine fünfstellige Postleitzahl ein, zum Beispiel 70173."),
    ({"desired_end_date": "2026-11-20"}, "Das gewünschte Vertragsende liegt in der Vergangenheit."),
    ({"desired_end_date": "2031-11-22"}, "Bitte wählen Sie ein Vertragsende innerhalb der nächsten 5 Jahre"),
    ({"desired_end_date": "morgen"}, "Bitte geben Sie ein Datum ein, zum Beispiel 31.12.2026."),
    ({"email": ""}, "Bitte geben Sie eine E-Mail-Adresse an; dorthin schicken wir die Bestätigung."),
    (
        {"email": "erika(at)example.org"},
        "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.org.",
    ),
    ({"customer_number": "1" * 21}, "Eine Kundennummer hat höchstens 20 Zeichen."),
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("overrides", "message"), REJECTIONS, ids=[message for _, message in REJECTIONS])
def test_each_rejection_shows_its_german_message_and_writes_nothing(
    client: Any, contract: Contract, overrides: dict[str, str], message: str
) -> None:
    response = client.post(FORM_URL, form_data(contract, **overrides))

    contract.refresh_from_db()
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CancellationRequest.objects.exists()
    assert contract.status == Contract.Status.ACTIVE
    assert mail.outbox == []


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("", "Bitte wählen Sie den Vertrag, den Sie kündigen möchten."),
        ("theirs", "Bitte wählen Sie einen Ihrer aktiven Verträge aus der Liste."),
    ],
)
def test_logged_in_customer_must_choose_one_of_their_contracts(
    client: Any, contract: Contract, chosen: str, message: str
) -> None:
    theirs = ContractFactory()
    client.force_login(contract.customer.user)

    response = client.post(
        FORM_URL,
        {"kind": "ORDINARY", "contract": theirs.pk if chosen else "", "email": "erika@example.org"},
    )

    theirs.refresh_from_db()
    assert message in response.content.decode()
    assert not CancellationRequest.objects.exists()
    assert theirs.status == Contract.Status.ACTIVE


def test_a_post_without_csrf_token_is_refused(contract: Contract) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(FORM_URL, form_data(contract))

    assert response.status_code == 403
    assert not CancellationRequest.objects.exists()


def test_a_confirmation_opens_only_in_the_session_that_submitted_it(client: Any, contract: Contract) -> None:
    client.post(FORM_URL, form_data(contract))
    reference = CancellationRequest.objects.get().reference
    stranger = Client()

    assert stranger.get(reverse("cancellation:done", args=[reference])).status_code == 404
    assert stranger.get(reverse("cancellation:receipt", args=[reference])).status_code == 404
    assert stranger.post(reverse("cancellation:leaving_reason", args=[reference]), {}).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_confirmation_can_be_saved_as_a_text_file(
    client: Any, contract: Contract, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, form_data(contract))
    reference = CancellationRequest.objects.get().reference

    response = client.get(reverse("cancellation:receipt", args=[reference]))

    text = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="Kuendigung-{reference}.txt"'
    assert "Eingegangen am: 21.11.2026, 14:05 Uhr" in text
    assert "Art der Kündigung: ordentliche Kündigung" in text
    assert text == mail.outbox[0].body


def test_the_optional_answer_is_stored_after_the_cancellation(client: Any, contract: Contract) -> None:
    client.post(FORM_URL, form_data(contract))
    declaration = CancellationRequest.objects.get()

    response = client.post(
        reverse("cancellation:leaving_reason", args=[declaration.reference]),
        {"leaving_reason": "PRICE", "leaving_comment": "Zu teuer geworden."},
        follow=True,
    )

    declaration.refresh_from_db()
    contract.refresh_from_db()
    assert "Danke für Ihre Antwort." in response.content.decode()
    assert (declaration.leaving_reason, declaration.leaving_comment) == ("PRICE", "Zu teuer geworden.")
    assert contract.cancellation_reason == "PRICE"


def test_an_unknown_answer_is_refused_with_a_message_and_the_cancellation_stands(
    client: Any, contract: Contract
) -> None:
    client.post(FORM_URL, form_data(contract))
    declaration = CancellationRequest.objects.get()

    response = client.post(
        reverse("cancellation:leaving_reason", args=[declaration.reference]), {"leaving_reason": "RACHE"}
    )

    declaration.refresh_from_db()
    assert "Bitte wählen Sie eine Antwort aus der Liste" in response.content.decode()
    assert declaration.leaving_reason == ""
    assert declaration.status == CancellationRequest.Status.MATCHED


def test_admins_find_declarations_by_reference_on_the_review_list(
    client: Any, make_user: Any, contract: Contract
) -> None:
    client.post(FORM_URL, form_data(contract, postal_code="10115"))
    declaration = CancellationRequest.objects.get()
    client.force_login(make_user(role="ADMIN", is_staff=True, is_superuser=True))

    response = client.get(
        reverse("admin:customers_cancellationrequest_changelist"),
        {"status__exact": "REVIEW", "q": declaration.reference},
    )

    assert response.status_code == 200
    assert declaration.reference in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_an_admin_assigns_a_reviewed_declaration_to_its_contract(
    client: Any, make_user: Any, contract: Contract
) -> None:
    client.post(FORM_URL, form_data(contract, postal_code="10115"))
    declaration = CancellationRequest.objects.get()
    client.force_login(make_user(role="ADMIN", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:customers_cancellationrequest_change", args=[declaration.pk]),
        {"status": "REVIEW", "contract": contract.pk},
    )

    contract.refresh_from_db()
    declaration.refresh_from_db()
    assert response.status_code == 302
    assert declaration.status == CancellationRequest.Status.MATCHED
    assert contract.end_date == date(2026, 12, 22)
    assert declaration.name == "Erika Mustermann"  # the submitted data stay as they were


def test_the_rate_limit_counts_in_redis_shared_by_all_web_processes(
    client: Any, settings: Any, require_redis: str, contract: Contract
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": require_redis,
            "KEY_PREFIX": f"test-cancellation-{uuid.uuid4().hex}",
        }
    }
    # No cache.clear() here: on Redis it flushes the whole database, which the Celery broker shares. The keys carry
    # this test's own prefix and expire after the hour.
    for number in range(cancellation_views.RATE_LIMIT_PER_IP):
        assert client.post(FORM_URL, form_data(email=f"p{number}@example.org")).status_code == 302

    response = client.post(FORM_URL, form_data(contract, email="last@example.org"))

    # beyond the limit the declaration is still stored and confirmed (§ 312k BGB), but not matched automatically
    assert response.status_code == 302
    declaration = CancellationRequest.objects.get(email="last@example.org")
    assert (declaration.status, declaration.contract_id) == (CancellationRequest.Status.REVIEW, None)
