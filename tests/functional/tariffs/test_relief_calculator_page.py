"""The public Preisbremsen-Rechner: no login, works without JavaScript, German messages at the fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

URL = reverse("tariffs:relief_calculator")


@pytest.mark.django_db
def test_visitor_sees_the_empty_form(client: Any) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    assert "Erwarteter Jahresverbrauch (kWh)" in response.content.decode()


@pytest.mark.django_db
def test_german_number_formats_give_the_bmwk_gas_result(client: Any) -> None:
    response = client.get(URL, {"commodity": "gas", "forecast_kwh": "15.000", "working_price_ct": "22,00"})

    page = response.content.decode()
    assert "100,00\xa0€" in page  # relief per month
    assert "1.200,00\xa0€" in page  # relief per year
    assert "275,00\xa0€" in page
    assert "175,00\xa0€" in page
    assert "Gaspreisbremse" in page


@pytest.mark.django_db
def test_bad_input_gets_a_german_message_next_to_the_field(client: Any) -> None:
    response = client.get(URL, {"commodity": "gas", "forecast_kwh": "viel", "working_price_ct": "-3"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_forecast_kwh_error"' in page
    assert "Bitte geben Sie eine Zahl ein" in page
    assert "Der Wert darf nicht kleiner als 0 sein." in page


@pytest.mark.django_db
def test_unknown_commodity_is_refused_with_a_message(client: Any) -> None:
    response = client.get(URL, {"commodity": "atom", "forecast_kwh": "3000", "working_price_ct": "40"})

    assert "Bitte wählen Sie Strom, Gas oder Wärme." in response.content.decode()


@pytest.mark.django_db
def test_htmx_request_gets_only_the_result_fragment(client: Any) -> None:
    response = client.get(
        URL,
        {"commodity": "electricity", "forecast_kwh": "4500", "working_price_ct": "50"},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert "<html" not in page
    assert "158,00\xa0€" in page


@pytest.mark.django_db
def test_calculator_runs_a_fixed_number_of_queries(client: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):  # the relief schemes
        client.get(URL, {"commodity": "heat", "forecast_kwh": "13000", "working_price_ct": "12"})
