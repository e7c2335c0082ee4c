"""QA round 2, finding 8: the service contact in every page's footer, and the Impressum and Datenschutzerklärung."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from core.context_processors import UtilityContact

pytestmark = pytest.mark.django_db


@pytest.fixture
def utility(settings: Any) -> None:
    settings.UTILITY_NAME = "Stadtwerke Beispielstadt GmbH"
    settings.UTILITY_ADDRESS = "Am Kraftwerk 7, 70190 Stuttgart"
    settings.UTILITY_PHONE = "0711 4711-0"
    settings.UTILITY_EMAIL = "kundenservice@beispielstadt.example"
    settings.UTILITY_TAX_ID = "DE999999999"
    settings.UTILITY_REPRESENTATIVES = "Max Beispiel (Geschäftsführer)"
    settings.UTILITY_REGISTER = "Amtsgericht Stuttgart, HRB 123456"


@pytest.mark.parametrize("url", ["/anmelden/", "/kuendigen/", "/preisbremsen-rechner/", "/gibt-es-nicht/"])
def test_every_page_footer_gives_phone_email_address_and_the_legal_links(client: Any, utility: None, url: str) -> None:
    page = client.get(url).content.decode()

    footer = page[page.index("<footer") :]
    assert '<a href="tel:+4971147110">0711 4711-0</a>' in footer
    assert '<a href="mailto:kundenservice@beispielstadt.example">kundenservice@beispielstadt.example</a>' in footer
    assert "Stadtwerke Beispielstadt GmbH, Am Kraftwerk 7, 70190 Stuttgart" in footer
    assert f'<a href="{reverse("imprint")}">Impressum</a>' in footer
    assert f'<a href="{reverse("privacy")}">Datenschutzerklärung</a>' in footer


def test_the_footer_shows_for_logged_in_customers_too(client: Any, make_user: Any, utility: None) -> None:
    client.force_login(make_user())

    page = client.get(reverse("password_change")).content.decode()

    assert "0711 4711-0" in page[page.index("<footer") :]


def test_the_impressum_shows_the_utility_master_data_from_settings(client: Any, utility: None) -> None:
    response = client.get(reverse("imprint"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h2">Impressum</h1>' in page
    assert "Stadtwerke Beispielstadt GmbH" in page
    assert "Am Kraftwerk 7" in page and "70190 Stuttgart" in page
    assert "Vertreten durch: Max Beispiel (Geschäftsführer)" in page
    assert "Registereintrag: Amtsgericht Stuttgart, HRB 123456" in page
    assert "Umsatzsteuer-Identifikationsnummer: DE999999999" in page
    assert "Schlichtungsstelle Energie" in page


def test_a_tax_number_is_labelled_steuernummer(client: Any, utility: None, settings: Any) -> None:
    settings.UTILITY_TAX_ID = "99/123/45678"

    page = client.get(reverse("imprint")).content.decode()

    assert "Steuernummer: 99/123/45678" in page


def test_the_privacy_policy_names_the_controller_the_rights_and_the_idle_logout(
    client: Any, utility: None, settings: Any
) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 20

    response = client.get(reverse("privacy"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Datenschutzerklärung" in page
    assert "Stadtwerke Beispielstadt GmbH" in page
    assert "Art. 15 DSGVO" in page and "Art. 77 DSGVO" in page
    assert "nach 20 Minuten ohne Aktivität" in page


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("0711 123456-0", "tel:+497111234560"),
        ("+49 711 123456", "tel:+49711123456"),
        ("0049 (0711) 1234", "tel:+4907111234"),
        ("0800 / 123 456", "tel:+49800123456"),
    ],
)
def test_the_phone_link_is_international(phone: str, href: str) -> None:
    contact = UtilityContact(name="Stadtwerk", address="Musterstraße 1, 70173 Stuttgart", phone=phone, email="x@y.z")

    assert contact.phone_href == href
    assert contact.address_lines == ["Musterstraße 1", "70173 Stuttgart"]
