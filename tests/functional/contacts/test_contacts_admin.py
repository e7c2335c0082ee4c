"""The admin: call guides are editable, call tasks listed, consents are read-only proof with their uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contacts import consents
from contacts.models import CallGuide, CallTask
from core.models import Role
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def admin_client(client: Any) -> Any:
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_an_admin_edits_a_call_guide(admin_client: Any, call_guides: None) -> None:
    guide = CallGuide.objects.get(topic="COMPLAINT")

    response = admin_client.post(
        reverse("admin:contacts_callguide_change", args=[guide.pk]),
        {"topic": "COMPLAINT", "title": "Beschwerde", "body": "Zuhören\nLösung anbieten"},
    )

    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.steps == ["Zuhören", "Lösung anbieten"]


def test_the_call_task_list_opens(admin_client: Any) -> None:
    CallTask.objects.create(customer=CustomerFactory(), kind="COURTESY", topic="COURTESY_CALL", due_at=NOW)

    response = admin_client.get(reverse("admin:contacts_calltask_changelist"))

    assert response.status_code == 200


def test_a_consent_is_shown_with_its_uses_and_cannot_be_changed(admin_client: Any) -> None:
    consent = consents.grant(customer=CustomerFactory(), channel="PHONE", purpose="SURVEY", source="PHONE", now=NOW)
    consents.record_use(consent=consent, purpose="Zufriedenheitsbefragung", now=NOW)

    page = admin_client.get(reverse("admin:contacts_consent_change", args=[consent.pk]))
    post = admin_client.post(reverse("admin:contacts_consent_change", args=[consent.pk]), {"wording": "geändert"})
    add = admin_client.get(reverse("admin:contacts_consent_add"))

    assert page.status_code == 200
    assert "Zufriedenheitsbefragung" in page.content.decode()
    assert post.status_code == 403
    assert add.status_code == 403
    consent.refresh_from_db()
    assert consent.wording != "geändert"
