"""QA finding 22: every card on „Einwilligungen" is a region with a name of its own (axe "landmark-unique")."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/konto/kontakte/einwilligungen/"


class _Regions(HTMLParser):
    """Collect the accessible names of the <section aria-labelledby> regions (the text of the elements referred to,
    visually hidden text included, as a screen reader reads it)."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled_by: list[list[str]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of the open elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("aria-labelledby"):
            self.labelled_by.append((values["aria-labelledby"] or "").split())
        if tag not in {"br", "input", "img", "meta", "link", "hr"}:
            self._open.append((tag, values.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self._open:
            if element_id:
                self.texts.setdefault(element_id, []).append(data)

    def names(self) -> list[str]:
        return [
            " ".join(" ".join("".join(self.texts.get(ref, [])) for ref in refs).split()) for refs in self.labelled_by
        ]


def _region_names(page: str) -> list[str]:
    parser = _Regions()
    parser.feed(page)
    return parser.names()


def test_every_consent_card_has_a_unique_accessible_name(client: Any) -> None:
    customer = CustomerFactory()
    client.force_login(customer.user)

    names = _region_names(client.get(URL).content.decode())

    assert len(names) == 8  # two purposes, three channels each
    assert [name for name, count in Counter(names).items() if count > 1] == []
    # advertising is worded per channel (calls only by telephone)
    assert {
        "Telefon: Angebote, Beratung und Höflichkeitsanrufe",
        "E-Mail: Angebote und Beratung",
        "Brief: Angebote",
    } <= set(names)
    for channel in ("Telefon", "E-Mail", "Brief"):
        assert f"{channel}: Zufriedenheitsbefragungen" in names


def test_the_cards_still_show_only_the_channel_as_their_visible_title(client: Any) -> None:
    customer = CustomerFactory()
    client.force_login(customer.user)

    page = client.get(URL).content.decode()

    assert '<span class="visually-hidden">: Zufriedenheitsbefragungen</span>' in page
    assert 'id="consent-LETTER-SURVEY">\n                  Brief<span class="visually-hidden">' in page
