"""What a notice says: rounded gross prices, a dated legible letter, a chosen Abschlag kept in proportion (QA round 2,
findings 15 and 5)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail

from contacts import notices
from contacts.models import PriceChangeNotice
from customers.models import AdvancePaymentChange
from tests.factories import PriceVersionFactory
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db

SENT_ON = date(2026, 12, 1)
CO2_REASON = "Höhere Kosten für CO₂-Zertifikate und Netzentgelte."


@pytest.fixture(autouse=True)
def letters_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def run() -> dict[str, Any]:
    now = berlin(SENT_ON.year, SENT_ON.month, SENT_ON.day, 6)
    with time_machine.travel(now, tick=False):
        return notices.price_change_notices(as_of=SENT_ON, now=now)


def pdf_text(path: Path) -> str:
    """Return the text of a PDF as a reader sees it (pypdf if installed, else poppler's pdftotext)."""
    if importlib.util.find_spec("pypdf") is not None:
        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pypdf or pdftotext (poppler-utils; .ci/run installs it)")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def letter_of(contract: Any, letters: Path) -> str:
    notice = PriceChangeNotice.objects.get(contract=contract)
    assert notice.medium == PriceChangeNotice.Medium.LETTER
    return pdf_text(letters / notice.letter_pdf)


def test_gross_prices_are_shown_with_two_decimals_as_everywhere_in_the_portal(
    make_contract: Any, published_change: Any
) -> None:
    # 26.8908 ct net × 1.19 = 32.000052 ct gross, 29.0421 ct net = 34.560099 ct gross
    tariff = PriceVersionFactory(working_price_net_ct=Decimal("26.8908")).tariff
    make_contract(tariff)
    published_change(tariff, working_price="29.0421", base_price="120.00")

    run()

    body = mail.outbox[0].body
    assert "Arbeitspreis: bisher 32,00\xa0ct/kWh, ab 01.02.2027 34,56\xa0ct/kWh" in body
    assert "32,0001" not in body


def test_the_letter_is_dated_and_prints_co2_legibly(
    make_tariff: Any, make_contract: Any, published_change: Any, letters_in_tmp: Path
) -> None:
    tariff = make_tariff(is_basic_supply=True)
    contract = make_contract(tariff)
    change = published_change(tariff)
    change.reason = CO2_REASON
    change.save(update_fields=["reason"])

    run()

    text = letter_of(contract, letters_in_tmp)
    assert "CO₂-Zertifikate" in text or "CO2-Zertifikate" in text
    assert "01.12.2026" in text
    assert "41,65 ct/kWh" in text.replace("\xa0", " ")


@pytest.fixture
def vera_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without DejaVu: the letter falls back to reportlab's Vera."""
    monkeypatch.setattr(notices, "LETTER_FONTS", (("Vera", "Vera.ttf", "VeraBd.ttf"),))
    notices._letter_font.cache_clear()
    yield
    notices._letter_font.cache_clear()


def test_without_dejavu_the_letter_writes_co2_plainly_instead_of_an_empty_box(
    vera_only: None, make_tariff: Any, make_contract: Any, published_change: Any, letters_in_tmp: Path
) -> None:
    tariff = make_tariff(is_basic_supply=True)
    contract = make_contract(tariff)
    change = published_change(tariff)
    change.reason = CO2_REASON
    change.save(update_fields=["reason"])

    run()

    assert "CO2-Zertifikate" in letter_of(contract, letters_in_tmp)


def test_printable_replaces_only_the_characters_a_font_lacks() -> None:
    glyphs = frozenset(ord(character) for character in "CO2-Zertifikate 1/")

    assert notices.printable("CO₂-Zertifikate", glyphs) == "CO2-Zertifikate"
    assert notices.printable("½", glyphs) == "1/2"
    assert notices.printable("CO2", glyphs) == "CO2"


# --- a chosen Abschlag (finding 5, the notice) ----------------------------------------------------------------------
# 2,390 kWh: recommended (2,390 × 35.70 ct + 142.80 €) ÷ 12 = 83.00 → 83 € before, (2,390 × 41.65 ct + 178.50 €) ÷ 12
# = 97.83 → 98 € after the change.


def chosen(
    contract: Any, amount: str, *, source: str = AdvancePaymentChange.Source.CUSTOMER, recommended: str = "83.00"
) -> None:
    AdvancePaymentChange.objects.create(
        contract=contract,
        valid_from=date(2026, 6, 1),
        amount_eur=Decimal(amount),
        recommended_eur=Decimal(recommended),
        source=source,
    )


def test_a_chosen_abschlag_is_adapted_in_proportion_and_the_notice_says_so(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff, forecast_kwh=Decimal(2390))
    chosen(contract, "75.00")
    published_change(tariff)

    run()

    # 75 × 98 ÷ 83 = 88.55 → 89 €
    notice = PriceChangeNotice.objects.get(contract=contract)
    assert (notice.old_advance_eur, notice.new_advance_eur) == (Decimal("75.00"), Decimal("89.00"))
    plan = AdvancePaymentChange.objects.get(contract=contract, source=AdvancePaymentChange.Source.PRICE_CHANGE)
    assert (plan.amount_eur, plan.recommended_eur) == (Decimal("89.00"), Decimal("98.00"))
    body = mail.outbox[0].body
    assert (
        "Sie hatten Ihren Abschlag selbst auf 75,00\xa0€ festgelegt; wir passen ihn im gleichen Verhältnis an: "
        "89,00\xa0€, erstmals fällig am 01.02.2027." in body
    )
    assert "der von uns empfohlene Abschlag von 83,00\xa0€ auf 98,00\xa0€" in body
    assert "von bisher 75,00\xa0€ auf 98,00\xa0€" not in body


def test_an_abschlag_carried_over_from_an_earlier_choice_is_adapted_too(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff, forecast_kwh=Decimal(2390))
    chosen(contract, "75.00", source=AdvancePaymentChange.Source.PRICE_CHANGE, recommended="80.00")
    published_change(tariff)

    run()

    assert PriceChangeNotice.objects.get(contract=contract).new_advance_eur == Decimal("89.00")


def test_an_abschlag_set_to_the_recommendation_simply_follows_it(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff, forecast_kwh=Decimal(2390))
    chosen(contract, "83.00", source=AdvancePaymentChange.Source.AGENT)
    published_change(tariff)

    run()

    assert PriceChangeNotice.objects.get(contract=contract).new_advance_eur == Decimal("98.00")
    body = mail.outbox[0].body
    assert "von bisher 83,00\xa0€ auf 98,00\xa0€" in body
    assert "selbst" not in body


def test_the_letter_font_leaves_the_bill_pdfs_font_names_alone(vera_only: None) -> None:
    name, bold, _glyphs = notices._letter_font()

    # customers.pdf registers Vera as "Vera" and "VeraBd" only if "Vera" is not registered yet
    assert {name, bold}.isdisjoint({"Vera", "VeraBd"})
