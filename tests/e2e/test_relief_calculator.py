"""A visitor uses the Preisbremsen-Rechner in the browser: live result with htmx, explanation, no axe violations."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_visitor_computes_the_bmwk_electricity_example(
    page: Any, live_server: Any, assert_accessible: Any, reference_data: None
) -> None:
    page.goto(f"{live_server.url}/preisbremsen-rechner/")
    assert_accessible(page)

    page.get_by_label("Sparte").select_option("electricity")
    page.get_by_label("Erwarteter Jahresverbrauch (kWh)").fill("4.500")
    page.get_by_label("Arbeitspreis brutto (ct/kWh)").fill("50")
    page.get_by_role("button", name="Berechnen").click()

    result = page.get_by_test_id("advance-with")
    result.wait_for()
    assert result.inner_text().strip() == "158,00\xa0€"
    assert page.get_by_test_id("relief-year").inner_text().strip() == "360,00\xa0€"
    assert page.get_by_role("listitem").filter(has_text="3.600 kWh").count() >= 1
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_result_updates_live_while_typing(page: Any, live_server: Any, reference_data: None) -> None:
    page.goto(f"{live_server.url}/preisbremsen-rechner/?commodity=gas&forecast_kwh=15000&working_price_ct=22")
    assert page.get_by_test_id("advance-with").inner_text().strip() == "175,00\xa0€"

    page.get_by_label("Arbeitspreis brutto (ct/kWh)").fill("12")

    page.wait_for_function(
        "document.querySelector('[data-testid=advance-with]').innerText.trim() === '150,00\\u00a0€'"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bad_input_shows_a_german_message_at_the_field(page: Any, live_server: Any, assert_accessible: Any) -> None:
    page.goto(f"{live_server.url}/preisbremsen-rechner/?commodity=gas&forecast_kwh=viel&working_price_ct=22")

    assert "Bitte geben Sie eine Zahl ein" in page.locator("#id_forecast_kwh_error").inner_text()
    assert_accessible(page)
