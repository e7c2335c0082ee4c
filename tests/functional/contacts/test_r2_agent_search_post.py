"""What an agent types into the search is personal data and stays out of URLs and access logs (QA round 2, finding
10): the search box and search as you type POST with the CSRF token; a query string on GET is ignored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hildegard() -> Customer:
    customer: Customer = CustomerFactory(name="Hildegard Meyer", phone="0711 8765432")
    return customer


@pytest.fixture
def agent_client(client: Client) -> Client:
    client.force_login(UserFactory(role="AGENT"))
    return client


@pytest.mark.parametrize("url_name", ["contacts:home", "contacts:search"])  # not "page" (pytest-playwright's fixture)
def test_the_search_box_posts_with_the_csrf_token_and_never_builds_a_query_url(
    agent_client: Client, url_name: str
) -> None:
    html = agent_client.get(reverse(url_name)).content.decode()

    form = re.search(r'<form action="/service/suche/"\s+method="(\w+)"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    assert form.group(1) == "post"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'hx-post="/service/suche/"' in form.group(2)
    assert "hx-get" not in html


def test_a_posted_search_without_javascript_gets_the_page_with_the_results(
    agent_client: Client, hildegard: Customer
) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "+49 711 8765432"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert 'value="+49 711 8765432"' in page  # the box keeps what was typed
    assert f'href="{reverse("contacts:customer_360", args=[hildegard.pk])}"' in page


def test_search_as_you_type_posts_and_gets_only_the_result_list(agent_client: Client, hildegard: Customer) -> None:
    response = agent_client.post(reverse("contacts:search"), {"q": "Meyer"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "<html" not in page
    assert "1 Treffer für „Meyer“" in page


def test_a_query_string_on_get_is_not_searched(agent_client: Client, hildegard: Customer) -> None:
    response = agent_client.get(reverse("contacts:search"), {"q": "Meyer"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Treffer für" not in page
    assert "Hildegard" not in page


def test_a_search_without_the_csrf_token_is_refused(hildegard: Customer) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role="AGENT"))

    response = client.post(reverse("contacts:search"), {"q": "Meyer"}, headers={"HX-Request": "true"})

    assert response.status_code == 403


@pytest.mark.parametrize("role", ["CUSTOMER", "SALES"])
def test_only_agents_may_search(client: Client, hildegard: Customer, role: str) -> None:
    client.force_login(UserFactory(role=role))

    response = client.post(reverse("contacts:search"), {"q": "Meyer"})

    assert response.status_code == 403


def test_the_search_with_the_token_from_the_page_works(hildegard: Customer) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role="AGENT"))
    html = client.get(reverse("contacts:search")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None

    response: Any = client.post(
        reverse("contacts:search"),
        {"q": "Meyer", "csrfmiddlewaretoken": token.group(1)},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Hildegard" in response.content.decode()
