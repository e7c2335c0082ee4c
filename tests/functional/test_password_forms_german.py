"""The password forms speak German where Django's own texts would show (help text, mismatch, wrong old password)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_changing_the_password_explains_in_german(client: Any) -> None:
    user = UserFactory(role="CUSTOMER")
    user.set_password("Alt-Passwort-2026")
    user.save()
    client.force_login(user)

    page = client.get(reverse("password_change")).content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": "falsch", "new_password1": "Neu-Passwort-2026!", "new_password2": "Anders-2026!"},
    )

    assert "Bitte geben Sie dasselbe Passwort zur Bestätigung noch einmal ein." in page
    errors = response.context["form"].errors
    assert errors["old_password"] == ["Ihr bisheriges Passwort ist nicht richtig. Bitte geben Sie es noch einmal ein."]
    assert "Die beiden Passwörter stimmen nicht überein" in errors["new_password2"][0]
