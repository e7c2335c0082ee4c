"""Preisbremsen-Rechner, QA round 2 (#6, #10, #11, #17): what the page and its htmx fragment tell the visitor."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

URL = reverse("tariffs:relief_calculator")
HTMX = {"HX-Request": "true"}


def htmx_get(client: Any, **params: str) -> str:
    response = client.get(URL, params, headers=HTMX)
    assert response.status_code == 200
    page: str = response.content.decode()
    assert "<html" not in page
    return page


def field_state(page: str, name: str) -> str:
    match = re.search(rf'data-field="{name}" data-state="(\w+)"', page)
    assert match, f"no state for {name}"
    return match.group(1)


def text(page: str) -> str:
    return re.sub(r"[ \t\n]+", " ", page)  # not \s: keep the no-break spaces of amounts


# --- #6: which field is wrong and why, also with htmx ---------------------------------------------------------------


@pytest.mark.django_db
def test_htmx_submit_with_bad_input_names_each_field_and_why(client: Any) -> None:
    page = htmx_get(client, commodity="gas", forecast_kwh="viel", working_price_ct="0,455 €/kWh")

    assert 'role="alert"' in page
    assert '<a href="#id_forecast_kwh" class="alert-link">Erwarteter Jahresverbrauch (kWh)</a>' in page
    assert "Bitte geben Sie eine Zahl ein, nur die Kilowattstunden, zum Beispiel 3.500." in page
    assert '<a href="#id_working_price_ct" class="alert-link">Arbeitspreis brutto (ct/kWh)</a>' in page
    assert "nicht in Euro: 0,4550 € sind 45,50 ct." in page
    # the fields are marked by static/js/relief-calculator.js from these states
    assert field_state(page, "forecast_kwh") == "invalid"
    assert field_state(page, "working_price_ct") == "invalid"
    assert field_state(page, "commodity") == "valid"


@pytest.mark.django_db
def test_units_as_printed_on_a_bill_are_accepted(client: Any) -> None:
    page = htmx_get(
        client,
        commodity="electricity",
        forecast_kwh="4.500 kWh",
        working_price_ct="50,00 ct/kWh",
        base_price_eur_year="0 €/Jahr",
    )

    assert "158,00\xa0€" in page
    assert "360,00\xa0€" in page
    assert 'role="alert"' not in page


@pytest.mark.parametrize(
    ("forecast", "price"), [("3.500 kWh", "45,50 ct"), ("3500kWh", "45,5 Cent"), ("3.500", "45,50")]
)
@pytest.mark.django_db
def test_the_qa_input_with_units_gives_the_same_result_as_the_bare_numbers(
    client: Any, forecast: str, price: str
) -> None:
    page = htmx_get(client, commodity="electricity", forecast_kwh=forecast, working_price_ct=price)

    # 3,500 kWh × 80 % = 2,800 kWh; (45.50 − 40) ct × 2,800 ÷ 12 = 12.83 €
    assert re.search(r'data-testid="relief-month">\s*12,83\xa0€', page)


@pytest.mark.django_db
def test_no_alert_while_typing(client: Any) -> None:
    # "3.5" on the way to "3.500" is a decimal number of kWh: no result yet, but no alarm either
    response = client.get(
        URL,
        {"commodity": "electricity", "forecast_kwh": "3.5", "working_price_ct": "45,50", "check": "live"},
        headers=HTMX,
    )

    page = response.content.decode()
    assert 'role="alert"' not in page
    assert "is-invalid" not in page
    assert field_state(page, "forecast_kwh") == "keep"
    # the result area stays as it is (the last result, or the messages of „Berechnen“ a late live update must keep)
    assert response["HX-Reswap"] == "none"
    assert 'id="relief-field-state" hidden hx-swap-oob="true"' in page


@pytest.mark.django_db
def test_a_complete_input_while_typing_shows_the_result(client: Any) -> None:
    response = client.get(
        URL,
        {"commodity": "electricity", "forecast_kwh": "4.500", "working_price_ct": "50", "check": "live"},
        headers=HTMX,
    )

    assert "HX-Reswap" not in response
    assert re.search(r'data-testid="advance-with">\s*158,00\xa0€', response.content.decode())


@pytest.mark.django_db
def test_typing_a_valid_value_clears_the_mark_of_that_field(client: Any) -> None:
    page = htmx_get(client, commodity="electricity", forecast_kwh="3.500", working_price_ct="45,", check="live")

    assert field_state(page, "forecast_kwh") == "valid"
    assert 'role="alert"' not in page


@pytest.mark.django_db
def test_leaving_a_field_shows_its_error_but_fields_not_filled_in_yet_are_only_listed(client: Any) -> None:
    page = htmx_get(client, commodity="electricity", forecast_kwh="3.5", working_price_ct="", check="change")

    assert 'role="alert"' in page
    assert field_state(page, "forecast_kwh") == "invalid"
    assert "Bitte geben Sie den Verbrauch in ganzen kWh ein" in page
    assert field_state(page, "working_price_ct") == "keep"
    assert "Für das Ergebnis fehlt noch: Arbeitspreis brutto (ct/kWh)." in text(page)


@pytest.mark.django_db
def test_choosing_the_commodity_first_raises_no_alert(client: Any) -> None:
    page = htmx_get(client, commodity="gas", forecast_kwh="", working_price_ct="", check="change")

    assert 'role="alert"' not in page
    assert "Für das Ergebnis fehlt noch: Erwarteter Jahresverbrauch (kWh), Arbeitspreis brutto (ct/kWh)." in text(page)


@pytest.mark.django_db
def test_the_full_page_without_javascript_shows_the_messages_at_the_fields_and_in_the_result(client: Any) -> None:
    page = client.get(URL, {"commodity": "gas", "forecast_kwh": "viel", "working_price_ct": "22"}).content.decode()

    assert 'id="id_forecast_kwh_error"' in page
    assert 'aria-invalid="true"' in page
    assert '<a href="#id_forecast_kwh" class="alert-link">' in page


@pytest.mark.django_db
def test_the_htmx_form_no_longer_sends_every_keystroke_as_a_full_check(client: Any) -> None:
    page = client.get(URL).content.decode()

    assert 'hx-trigger="submit"' in page
    assert 'hx-vals=\'{"check": "live"}\'' in page
    assert 'hx-vals=\'{"check": "change"}\'' in page
    assert "js/relief-calculator.js" in page


# --- #17: help text per commodity, wording ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commodity", "expected", "not_expected"),
    [
        ("electricity", "letzten Jahresabrechnung", "September 2022"),
        ("gas", "im September 2022 für Sie erwartet hat", "letzten Jahresabrechnung"),
        ("heat", "im September 2022 für Sie erwartet hat", "letzten Jahresabrechnung"),
    ],
)
@pytest.mark.django_db
def test_the_forecast_help_names_the_basis_of_the_commodity(
    client: Any, commodity: str, expected: str, not_expected: str
) -> None:
    page = client.get(URL, {"commodity": commodity}).content.decode()
    helptext = re.search(r'<div id="id_forecast_kwh_helptext" class="form-text">(.*?)</div>', page, re.S)
    fragment = htmx_get(client, commodity=commodity, forecast_kwh="", working_price_ct="", check="change")
    swapped = re.search(
        r'<div id="id_forecast_kwh_helptext" class="form-text" hx-swap-oob="true">(.*?)</div>', fragment
    )

    assert helptext and expected in helptext.group(1) and not_expected not in helptext.group(1)
    assert swapped and expected in swapped.group(1)


@pytest.mark.django_db
def test_below_the_cap_the_wording_is_right_and_the_reference_price_is_explained(client: Any) -> None:
    page = text(htmx_get(client, commodity="electricity", forecast_kwh="3000", working_price_ct="35"))

    assert "nicht höher als der gedeckelte Preis" in page
    assert "weniger als den gedeckelten Preis" not in page
    assert "Diesen Deckel nennt das Gesetz Referenzpreis: Nur den Teil eines Preises, der darüber liegt" in page
    assert "Ihr Preis liegt nicht über dem Referenzpreis" not in page


@pytest.mark.django_db
def test_the_page_explains_the_reference_price_in_plain_german(client: Any) -> None:
    page = text(client.get(URL).content.decode())

    assert "Diesen gedeckelten Preis nennt das Gesetz <strong>Referenzpreis</strong>" in page


# --- #11: rounding like `relief_quote --rounding`, DOMAIN examples to the cent --------------------------------------


@pytest.mark.parametrize(
    ("params", "month", "year", "without", "with_relief"),
    [
        (
            {"commodity": "electricity", "forecast_kwh": "4500", "working_price_ct": "50"},
            "30,00",
            "360,00",
            "188,00",
            "158,00",
        ),
        (
            {"commodity": "gas", "forecast_kwh": "15000", "working_price_ct": "22"},
            "100,00",
            "1.200,00",
            "275,00",
            "175,00",
        ),
        (
            {"commodity": "electricity", "forecast_kwh": "3000", "working_price_ct": "50"},
            "20,00",
            "240,00",
            "125,00",
            "105,00",
        ),
        (
            {"commodity": "heat", "forecast_kwh": "13000", "working_price_ct": "12", "rounding": "cent"},
            "21,67",
            "260,04",  # 12 × 21.67 €; DOMAIN's 260 € is rounded to the euro
            "130,00",
            "108,33",
        ),
        (
            {"commodity": "electricity", "forecast_kwh": "3000", "working_price_ct": "35"},
            "0,00",
            "0,00",
            "88,00",
            "88,00",
        ),
    ],
)
@pytest.mark.django_db
def test_domain_worked_examples_on_the_web_form(
    client: Any, params: dict[str, str], month: str, year: str, without: str, with_relief: str
) -> None:
    page = htmx_get(client, **params)

    for testid, amount in (
        ("relief-month", month),
        ("relief-year", year),
        ("advance-without", without),
        ("advance-with", with_relief),
    ):
        assert re.search(rf'data-testid="{testid}">\s*{re.escape(amount)}\xa0€', page), (testid, amount)


@pytest.mark.django_db
def test_the_heat_example_without_a_rounding_choice_is_rounded_to_whole_euros_as_the_cli(client: Any) -> None:
    page = htmx_get(client, commodity="heat", forecast_kwh="13000", working_price_ct="12")

    assert re.search(r'data-testid="advance-with">\s*108,00\xa0€', page)
    assert "Wir runden den Abschlag auf volle Euro" in page


@pytest.mark.django_db
def test_the_rounding_choice_is_on_the_form_with_whole_euros_chosen(client: Any) -> None:
    page = text(client.get(URL, {"commodity": "heat"}).content.decode())

    assert "Abschlag runden auf" in page
    assert re.search(r'name="rounding" value="euro"[^>]*checked', page)
    assert 'value="cent"' in page


@pytest.mark.django_db
def test_an_unknown_rounding_is_refused_with_a_german_message(client: Any) -> None:
    page = htmx_get(client, commodity="heat", forecast_kwh="13000", working_price_ct="12", rounding="zehntel")

    assert "Bitte wählen Sie „volle Euro“ oder „den Cent genau“." in page


# --- #10: business customers -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_business_is_asked_for_the_energy_price_and_the_2021_consumption(client: Any) -> None:
    page = htmx_get(
        client, commodity="electricity", forecast_kwh="40000", working_price_ct="50", customer_group="business"
    )

    assert 'data-testid="relief-month"' not in page
    assert (
        "Über 30.000\xa0kWh im Jahr deckelt die Strompreisbremse nur den Energiepreis netto: Bitte geben Sie ihn in "
        "Cent je kWh an." in page
    )
    assert "Über 30.000\xa0kWh im Jahr rechnet die Strompreisbremse mit Ihrem Verbrauch von 2021" in page
    assert field_state(page, "energy_price_net_ct") == "invalid"
    assert field_state(page, "consumption_2021_kwh") == "invalid"
    assert "42,0168" not in page  # no longer the whole net working price passed off as the energy price


@pytest.mark.django_db
def test_a_large_business_gets_the_relief_on_the_net_energy_price_and_the_2021_consumption(client: Any) -> None:
    page = text(
        htmx_get(
            client,
            commodity="electricity",
            forecast_kwh="40000",
            working_price_ct="50",
            customer_group="business",
            energy_price_net_ct="20",
            consumption_2021_kwh="36.000 kWh",
        )
    )

    # 36,000 kWh × 70 % = 25,200 kWh; (20 − 13) ct × 25,200 kWh ÷ 12 = 147.00 €/month
    assert re.search(r'data-testid="relief-month"> 147,00\xa0€', page)
    assert re.search(r'data-testid="relief-year"> 1.764,00\xa0€', page)
    assert "36.000\xa0kWh × 70\xa0% = 25.200\xa0kWh" in page
    assert "Ihr Energiepreis (der Teil des Arbeitspreises für die Energie selbst" in page
    assert "liegt bei 20,00\xa0ct/kWh" in page
    assert "Höchstgrenzen" in page
    assert "Ihr Ergebnis: Strompreisbremse für Großverbraucher" in page


@pytest.mark.django_db
def test_a_small_business_gets_the_household_scheme_and_is_told_why(client: Any) -> None:
    page = text(
        htmx_get(
            client,
            commodity="electricity",
            forecast_kwh="4500",
            working_price_ct="50",
            customer_group="business",
        )
    )

    assert re.search(r'data-testid="advance-with"> 158,00\xa0€', page)
    assert "Ihr Betrieb verbraucht im Jahr nicht mehr als 30.000\xa0kWh" in page


@pytest.mark.django_db
def test_a_household_is_never_refused_for_the_hidden_business_fields(client: Any) -> None:
    page = htmx_get(
        client,
        commodity="electricity",
        forecast_kwh="4500",
        working_price_ct="50",
        customer_group="household",
        energy_price_net_ct="viel",
        consumption_2021_kwh="-1",
    )

    assert re.search(r'data-testid="advance-with">\s*158,00\xa0€', page)


@pytest.mark.django_db
def test_the_business_fields_are_shown_only_for_business(client: Any) -> None:
    household = client.get(URL, {"customer_group": "household"}).content.decode()
    business = client.get(URL, {"customer_group": "business"}).content.decode()

    assert re.search(r'<fieldset id="relief-business"[^>]*\shidden>', household)
    assert not re.search(r'<fieldset id="relief-business"[^>]*\shidden>', business)
    assert "Strom über 30.000\xa0kWh im Jahr: Energiepreis netto gedeckelt auf 13,00\xa0ct/kWh" in business


@pytest.mark.django_db
def test_calculator_queries_stay_fixed_for_every_path(client: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):  # the relief schemes, loaded once (also for the empty form: its business text)
        client.get(URL)
    with django_assert_num_queries(1):
        client.get(URL, {"commodity": "electricity", "forecast_kwh": "40000", "working_price_ct": "50"}, headers=HTMX)
