"""seed_demo creates the personas and can run again without duplicating anything."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from core.models import Role, User

PERSONA_EMAILS = {
    "melina@example.org": Role.CUSTOMER,
    "hildegard@example.org": Role.CUSTOMER,
    "anna@stadtwerk.example": Role.AGENT,
    "klaus@stadtwerk.example": Role.SALES,
    "admin@stadtwerk.example": Role.ADMIN,
}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_sets_the_password() -> None:
    call_command("seed_demo", password="Erstes-Passwort-1")
    call_command("seed_demo", password="Zweites-Passwort-2")

    users = User.objects.filter(email__in=PERSONA_EMAILS)
    assert {user.email: user.role for user in users} == PERSONA_EMAILS
    assert all(user.check_password("Zweites-Passwort-2") for user in users)
