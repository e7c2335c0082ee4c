"""A cancellation confirmation opened outside the session that submitted it (QA round 2, C#14): still a 404 that
reveals nothing about the reference, but with a page that explains why and what to do."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.views import View

from customers.models import CancellationRequest
from customers.views import cancellation as views

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
EXPLANATION = "Diese Kündigungsbestätigung können wir hier nicht anzeigen"


@pytest.fixture
def declaration() -> CancellationRequest:
    return CancellationRequest.objects.create(
        reference="K-20261121-ABCDEF", submitted_at=datetime(2026, 11, 21, 12, tzinfo=BERLIN), kind="ORDINARY",
        name="Hildegard Sommer", email="hildegard@example.org", status="UNMATCHED",
    )  # fmt: skip


def request_with_session(references: list[str]) -> HttpRequest:
    request = RequestFactory().get("/kuendigen/bestaetigung/x/")
    request.session = SessionStore()
    request.session[views.SESSION_KEY] = references
    return request


class Receipt(View):
    @views.explain_not_in_session
    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        return HttpResponse(views._own_declaration(request, reference).reference)


def test_another_sessions_declaration_is_refused_with_a_404_that_can_be_explained(
    declaration: CancellationRequest,
) -> None:
    with pytest.raises(views.DeclarationNotInSession) as refused:
        views._own_declaration(request_with_session([]), declaration.reference)

    assert isinstance(refused.value, Http404)


def test_the_own_sessions_declaration_is_returned(declaration: CancellationRequest) -> None:
    own = views._own_declaration(request_with_session([declaration.reference]), declaration.reference)

    assert own == declaration


@pytest.mark.parametrize("reference", ["K-20261121-ABCDEF", "K-20261121-XXXXXX"])
def test_the_explanation_is_the_same_for_an_existing_and_an_unknown_reference(
    declaration: CancellationRequest, reference: str
) -> None:
    response = Receipt.as_view()(request_with_session([]), reference=reference)

    text = re.sub(r"\s+", " ", response.content.decode())
    assert response.status_code == 404
    assert EXPLANATION in text
    assert "Bitte schicken Sie sie nicht noch einmal ab" in text
    assert "per E-Mail geschickt" in text
    assert "Hildegard" not in text
    assert reference not in text


def test_the_decorated_view_still_shows_the_own_declaration(declaration: CancellationRequest) -> None:
    response = Receipt.as_view()(request_with_session([declaration.reference]), reference=declaration.reference)

    assert response.status_code == 200
    assert response.content.decode() == declaration.reference


# Needs `@explain_not_in_session` on Confirmation.get, ConfirmationFile.get and AnswerLeavingQuestion.post (owned by
# another helper; see the report). Remove the marker once they are decorated: strict, so this then reminds us.
@pytest.mark.parametrize("suffix", ["", "datei/"])
def test_the_confirmation_in_another_browser_session_shows_the_explanation(
    client: Any, declaration: CancellationRequest, suffix: str
) -> None:
    response = client.get(f"/kuendigen/bestaetigung/{declaration.reference}/{suffix}")

    assert response.status_code == 404
    assert EXPLANATION in re.sub(r"\s+", " ", response.content.decode())
