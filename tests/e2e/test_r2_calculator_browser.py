"""Preisbremsen-Rechner in the browser, QA round 2: field messages with htmx (#6), business (#10), cents (#11)."""

from __future__ import annotations

from typing import Any

import pytest

URL = "/preisbremsen-rechner/"
FORECAST = "Erwarteter Jahresverbrauch (kWh)"
PRICE = "Arbeitspreis brutto (ct/kWh)"


def wait_for_result(page: Any, testid: str, amount: str) -> None:
    page.wait_for_function(
        "([testid, amount]) => document.querySelector(`[data-testid=${testid}]`)?.innerText.trim() === amount",
        arg=[testid, amount],
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_units_from_the_bill_are_understood(page: Any, live_server: Any, reference_data: None) -> None:
    page.goto(f"{live_server.url}{URL}")

    page.get_by_label(FORECAST).fill("3.500 kWh")
    page.get_by_label(PRICE).fill("45,50 ct")
    page.get_by_role("button", name="Berechnen").click()

    wait_for_result(page, "relief-month", "12,83\xa0€")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_wrong_field_is_marked_and_explained_with_htmx_and_unmarked_once_fixed(
    page: Any, live_server: Any, assert_accessible: Any, reference_data: None
) -> None:
    page.goto(f"{live_server.url}{URL}")
    page.get_by_label("Sparte").select_option("gas")

    page.get_by_label(FORECAST).fill("viel")
    page.get_by_label(PRICE).fill("22")
    page.get_by_role("button", name="Berechnen").click()

    forecast = page.locator("#id_forecast_kwh")
    page.wait_for_function("document.querySelector('#id_forecast_kwh').classList.contains('is-invalid')")
    assert forecast.get_attribute("aria-invalid") == "true"
    assert "id_forecast_kwh_error" in (forecast.get_attribute("aria-describedby") or "")
    assert "nur die Kilowattstunden" in page.locator("#id_forecast_kwh_error").inner_text()
    alert = page.get_by_role("alert")
    assert "Erwarteter Jahresverbrauch (kWh)" in alert.inner_text()
    assert "forecast_kwh=viel" in page.url  # „Berechnen“ puts the input into the address, to reload or share
    page.wait_for_timeout(1000)  # the live update of the last keystroke comes after „Berechnen“ …
    assert page.get_by_role("alert").count() == 1  # … and must not wipe out its messages
    assert_accessible(page)

    forecast.fill("15.000")

    wait_for_result(page, "advance-with", "175,00\xa0€")
    page.wait_for_function("!document.querySelector('#id_forecast_kwh').classList.contains('is-invalid')")
    assert page.locator("#id_forecast_kwh_error").count() == 0
    assert forecast.get_attribute("aria-invalid") is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_alert_while_typing_only_when_the_field_is_left(page: Any, live_server: Any, reference_data: None) -> None:
    page.goto(f"{live_server.url}{URL}")
    page.get_by_label(PRICE).fill("45,50")
    forecast = page.get_by_label(FORECAST)

    forecast.press_sequentially("3.5")
    page.wait_for_timeout(1500)  # longer than the 600 ms pause after which the result updates

    assert page.get_by_role("alert").count() == 0
    assert "is-invalid" not in (forecast.get_attribute("class") or "")
    assert forecast.input_value() == "3.5"  # nothing typed was replaced

    forecast.press("Tab")

    page.wait_for_function("document.querySelector('#id_forecast_kwh').classList.contains('is-invalid')")
    assert "ganzen kWh" in page.get_by_role("alert").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_business_is_asked_for_energy_price_and_2021_consumption(
    page: Any, live_server: Any, assert_accessible: Any, reference_data: None
) -> None:
    page.goto(f"{live_server.url}{URL}")
    assert page.locator("#relief-business").is_hidden()

    page.get_by_label("Kundengruppe").select_option("business")

    assert page.locator("#relief-business").is_visible()
    page.get_by_label(FORECAST).fill("40.000")
    page.get_by_label(PRICE).fill("50")
    page.get_by_label("Energiepreis netto (ct/kWh)").fill("20")
    page.get_by_label("Verbrauch im Jahr 2021 (kWh)").fill("36.000")
    page.get_by_role("button", name="Berechnen").click()

    wait_for_result(page, "relief-month", "147,00\xa0€")
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_heat_example_in_cents(page: Any, live_server: Any, reference_data: None) -> None:
    page.goto(f"{live_server.url}{URL}")
    page.get_by_label("Sparte").select_option("heat")
    page.wait_for_function("document.querySelector('#id_forecast_kwh_helptext').innerText.includes('September 2022')")

    page.get_by_label(FORECAST).fill("13.000")
    page.get_by_label(PRICE).fill("12")
    page.get_by_label("den Cent genau").check()
    page.get_by_role("button", name="Berechnen").click()

    wait_for_result(page, "advance-with", "108,33\xa0€")
    assert page.get_by_test_id("advance-without").inner_text().strip() == "130,00\xa0€"
