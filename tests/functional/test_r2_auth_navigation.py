"""QA round 2, finding 15: a link to "Passwort ändern", and no dead navigation for a login without customer record."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from core.models import Role
from customers.models import Customer
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db

RECORD_PAGES = [
    "customers:bills",
    "customers:relief",
    "customers:profile",
    "contacts_customer:history",
    "contacts_customer:consents",
]


def nav_labels(page: str) -> list[str]:
    """Return the labels of the main navigation's entries (left side of the navbar)."""
    block = page[page.index('<ul class="navbar-nav me-auto">') :]
    block = block[: block.index("</ul>")]
    return [label.strip() for label in re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+)</a>', block)]


@pytest.fixture
def unlinked_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user(email="ohne@example.org", role=Role.CUSTOMER))
    return client


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT, Role.SALES])
def test_every_logged_in_page_links_to_passwort_aendern(client: Any, make_user: Any, role: str) -> None:
    client.force_login(CustomerFactory().user if role == Role.CUSTOMER else make_user(role=role))

    page = client.get(reverse("home"), follow=True).content.decode()

    assert f'href="{reverse("password_change")}"' in page
    assert ">Passwort ändern</a>" in page


def test_the_password_change_page_marks_its_link_as_current(client: Any, make_user: Any) -> None:
    client.force_login(make_user())

    page = client.get(reverse("password_change")).content.decode()

    assert re.search(r'class="nav-link me-2 active"\s+href="/passwort/aendern/"\s+aria-current="page"', page)


def test_a_visitor_gets_no_password_change_link(client: Any) -> None:
    page = client.get(reverse("login")).content.decode()

    assert reverse("password_change") not in page


def test_after_changing_the_password_the_customer_goes_back_to_the_portal_not_to_the_login(
    client: Any, make_user: Any
) -> None:
    client.force_login(make_user())

    page = client.get(reverse("password_change_done")).content.decode()

    assert f'<a href="{reverse("home")}">Zurück zur Startseite</a>' in page


def test_a_linked_customer_sees_the_full_navigation(client: Any) -> None:
    contract = ContractFactory()
    client.force_login(contract.customer.user)

    page = client.get(reverse("customers:home")).content.decode()

    assert nav_labels(page) == [
        "Mein Konto", "Rechnungen", "Meine Entlastung", "Meine Daten", "Kontakte", "Einwilligungen",
    ]  # fmt: skip


def test_a_login_without_customer_record_sees_only_mein_konto(unlinked_client: Any) -> None:
    page = unlinked_client.get(reverse("customers:home")).content.decode()

    assert nav_labels(page) == ["Mein Konto"]


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_login_without_customer_record_gets_an_explanation_instead_of_404(
    unlinked_client: Any, settings: Any, name: str
) -> None:
    settings.UTILITY_PHONE = "0711 4711-0"

    response = unlinked_client.get(reverse(name))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ihr Kundenkonto ist noch nicht verknüpft" in page
    assert "0711 4711-0" in page[: page.index("<footer")]
    assert nav_labels(page) == ["Mein Konto"]


def test_a_link_made_after_login_shows_the_full_navigation_on_the_next_page(
    unlinked_client: Any, make_user: Any
) -> None:
    user = unlinked_client.session["_auth_user_id"]
    unlinked_client.get(reverse("customers:home"))
    CustomerFactory(user_id=user)

    page = unlinked_client.get(reverse("customers:home")).content.decode()

    assert "Rechnungen" in nav_labels(page)
    assert unlinked_client.get(reverse("customers:bills")).status_code == 200


def test_a_linked_customer_still_gets_404_for_another_customers_bill(client: Any) -> None:
    own = ContractFactory()
    client.force_login(own.customer.user)

    response = client.get(reverse("customers:contract", args=[ContractFactory().pk]))

    assert response.status_code == 404
    assert "noch nicht verknüpft" not in response.content.decode()


def test_a_customer_unlinked_during_the_session_gets_the_explanation(client: Any) -> None:
    customer = CustomerFactory()
    client.force_login(customer.user)
    Customer.objects.filter(pk=customer.pk).update(user=None)

    response = client.get(reverse("customers:bills"))

    assert response.status_code == 200
    assert "Ihr Kundenkonto ist noch nicht verknüpft" in response.content.decode()


def test_staff_get_the_normal_404_on_unknown_pages(client: Any, make_user: Any) -> None:
    client.force_login(make_user(role=Role.AGENT))

    response = client.get("/konto/gibt-es-nicht/")

    assert response.status_code == 404
