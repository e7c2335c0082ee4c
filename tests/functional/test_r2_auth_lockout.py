"""QA round 2, finding 5: a new password (reset link or change) lifts the lockout the lockout page talks about."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sommer-im-Garten-2026"


def lock_out(client: Any, email: str) -> None:
    for _attempt in range(5):
        client.post(reverse("login"), {"username": email, "password": "falsch"})
    locked = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert AccessAttempt.objects.filter(username=email).exists()


def reset_password_by_link(client: Any, email: str) -> Any:
    client.post(reverse("password_reset"), {"email": email})
    link = re.search(r"http://testserver(/passwort/neu/\S+/)", mail.outbox[-1].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_after_a_password_reset_the_locked_out_customer_logs_in_with_the_new_password(
    client: Any, make_user: Any
) -> None:
    user = make_user(email="hildegard@example.org")
    lock_out(client, user.email)

    reset = reset_password_by_link(client, user.email)
    response = client.post(reverse("login"), {"username": user.email, "password": NEW_PASSWORD})

    assert reset.status_code == 302
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not AccessAttempt.objects.filter(username=user.email).exists()


def test_a_password_reset_leaves_the_failed_attempts_for_other_logins(client: Any, make_user: Any) -> None:
    user = make_user(email="hildegard@example.org")
    other = make_user(email="melina@example.org")
    lock_out(client, other.email)
    lock_out(client, user.email)

    reset_password_by_link(client, user.email)

    assert AccessAttempt.objects.filter(username=other.email).exists()
    assert client.post(reverse("login"), {"username": other.email, "password": PASSWORD}).status_code == 429


def test_an_invalid_reset_form_keeps_the_lockout(client: Any, make_user: Any) -> None:
    user = make_user(email="hildegard@example.org")
    lock_out(client, user.email)
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"http://testserver(/passwort/neu/\S+/)", mail.outbox[-1].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)

    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "x"})

    assert response.status_code == 200
    assert AccessAttempt.objects.filter(username=user.email).exists()


def test_a_password_change_in_another_session_lifts_the_lockout(client: Any, make_user: Any) -> None:
    user = make_user(email="hildegard@example.org")
    lock_out(client, user.email)
    other_browser = Client()
    other_browser.force_login(user)

    changed = other_browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    response = client.post(reverse("login"), {"username": user.email, "password": NEW_PASSWORD})

    assert changed.status_code == 302
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=user.email).exists()


def test_the_lockout_page_promises_that_the_new_password_works_at_once_and_gives_the_phone_number(
    client: Any, make_user: Any, settings: Any
) -> None:
    settings.UTILITY_PHONE = "0711 555666-0"
    user = make_user(email="hildegard@example.org")
    for _attempt in range(5):
        client.post(reverse("login"), {"username": user.email, "password": "falsch"})

    page = client.post(reverse("login"), {"username": user.email, "password": PASSWORD}).content.decode()

    assert "mit dem neuen Passwort können Sie sich sofort anmelden" in page
    assert 'href="tel:+497115556660"' in page
