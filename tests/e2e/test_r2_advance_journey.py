"""QA round 2 in the browser: the Abschlag page with a later plan entry (customers 3, staff 5) - the live preview
follows the keep/replace choice - and a mistyped meter reading that is asked about before it is saved (customers 2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from customers.models import AdvancePaymentChange, Contract
from tests.factories import PASSWORD, ContractFactory, MeterReadingFactory


def first_of_month_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def contract(transactional_db: None, reference_data: None) -> Contract:
    today = timezone.localdate()
    start = first_of_month_after(today, 1 - 12)  # the billing year ends before the next due date: the page projects
    contract = ContractFactory(  # the following year, which holds the later entry
        forecast_kwh=Decimal(3500), start_date=start, customer__user__email="melina@example.org"
    )
    MeterReadingFactory(contract=contract, read_date=start, value=Decimal(10000))
    for valid_from, amount, source in (
        (start, "116", "CALCULATED"),
        (first_of_month_after(today, 3), "130", "PRICE_CHANGE"),  # two due dates after the next one
    ):
        AdvancePaymentChange.objects.create(
            contract=contract, valid_from=valid_from, amount_eur=Decimal(amount), recommended_eur=Decimal(amount),
            source=source,
        )  # fmt: skip
    return contract


@pytest.mark.browser
def test_the_preview_follows_the_choice_about_the_later_entry(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contract: Contract
) -> None:
    later = first_of_month_after(timezone.localdate(), 3).strftime("%d.%m.%Y")
    login(page, "melina@example.org", PASSWORD)
    page.goto(f"{live_server.url}/konto/vertrag/{contract.pk}/abschlag/")
    assert later in page.get_by_test_id("later-plan").inner_text()
    assert_accessible(page)

    page.get_by_label("Neuer Abschlag (€ im Monat)").fill("100")
    page.wait_for_function("document.querySelector('#advance-preview').innerText.includes('× 130,00')")
    page.get_by_label(f"Der neue Abschlag gilt auch ab dem {later}").check()
    page.wait_for_function("!document.querySelector('#advance-preview').innerText.includes('× 130,00')")
    assert_accessible(page)
    page.get_by_role("button", name="Abschlag ändern").click()

    assert f"Er gilt auch ab dem {later} statt der geplanten 130,00" in page.get_by_role("status").first.inner_text()
    latest = AdvancePaymentChange.objects.filter(contract=contract).order_by("-valid_from", "-id").first()
    assert latest is not None and latest.amount_eur == Decimal(100)


@pytest.mark.browser
def test_a_mistyped_reading_is_asked_about_and_corrected(
    page: Any, live_server: Any, login: Any, assert_accessible: Any, contract: Contract
) -> None:
    login(page, "melina@example.org", PASSWORD)
    page.goto(f"{live_server.url}/konto/vertrag/{contract.pk}/zaehlerstand/")

    page.get_by_label("Zählerstand").fill("100000")
    page.get_by_role("button", name="Zählerstand senden").click()
    assert "Stimmt dieser Stand?" in page.locator("#id_confirm_value_error").inner_text()
    assert_accessible(page)
    assert not contract.readings.filter(value=Decimal(100000)).exists()

    page.get_by_label("Zählerstand").fill("13.000")
    page.get_by_role("button", name="Zählerstand senden").click()

    assert "ist gespeichert" in page.get_by_role("status").first.inner_text()
    assert contract.readings.filter(value=Decimal(13000), is_flagged=False).exists()
