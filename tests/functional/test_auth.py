"""Login by e-mail, role homes, lockout after repeated failures, logout and password reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Role
from tests.factories import PASSWORD

HOMES = {
    Role.CUSTOMER: "/konto/",
    Role.AGENT: "/service/",
    Role.SALES: "/vertrieb/",
    Role.ADMIN: "/service/",
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_own_home_after_login(client: Any, make_user: Any, role: str) -> None:
    user = make_user(role=role, email=f"{role.lower()}@example.org")

    response = client.post(
        reverse("login"), {"username": "  " + user.email.upper(), "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == HOMES[role]
    assert response.status_code == 200


def test_wrong_password_shows_a_german_message(client: Any, make_user: Any) -> None:
    user = make_user()

    response = client.post(reverse("login"), {"username": user.email, "password": "falsch"})

    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort sind nicht richtig" in response.content.decode()


def test_login_is_locked_after_five_failures_even_with_the_right_password(client: Any, make_user: Any) -> None:
    user = make_user()
    for _attempt in range(5):
        client.post(reverse("login"), {"username": user.email, "password": "falsch"})

    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "vorübergehend gesperrt" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client: Any, make_user: Any) -> None:
    client.force_login(make_user())

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get("/konto/").status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client: Any, make_user: Any) -> None:
    user = make_user(email="hilde@example.org")

    client.post(reverse("password_reset"), {"email": "hilde@example.org"})
    link = re.search(r"http://testserver(/passwort/neu/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sommer-im-Garten-2026", "new_password2": "Sommer-im-Garten-2026"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Sommer-im-Garten-2026")


def test_password_reset_does_not_reveal_whether_an_address_exists(client: Any, db: None) -> None:
    response = client.post(reverse("password_reset"), {"email": "niemand@example.org"})

    assert response.status_code == 302
    assert mail.outbox == []
