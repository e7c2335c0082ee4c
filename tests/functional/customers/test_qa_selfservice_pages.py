"""QA findings on the customer's self-service pages over HTTP: the Abschlag projection (3), cancelled or moving
contracts (4), no-JS preview (10), price decimals (12), two Abschläge (15), end of the billing year (16), phone (20),
high Abschlag (21) and scientific notation (23)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from customers import move
from customers.models import AdvancePaymentChange, Contract, Installment, MeterReading
from tests.factories import ContractFactory, MeterReadingFactory, PriceVersionFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 10:00:00+01:00"
TODAY = date(2026, 11, 21)


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def contract() -> Contract:
    """Melina's situation: billing year 01.12.2025 – 30.11.2026, Abschlag 75 €, recommendation 116 €."""
    contract = ContractFactory(start_date=date(2025, 12, 1), forecast_kwh=Decimal(3500))
    MeterReadingFactory(contract=contract, read_date=date(2025, 12, 1), value=Decimal(10000))
    AdvancePaymentChange.objects.create(
        contract=contract, valid_from=date(2025, 12, 1), amount_eur=Decimal(75), recommended_eur=Decimal(116),
        source="CALCULATED",
    )  # fmt: skip
    for due in (date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)):
        Installment.objects.create(contract=contract, due_date=due, amount_eur=Decimal(75))
    return contract


@pytest.fixture
def customer_client(client: Any, contract: Contract) -> Any:
    client.force_login(contract.customer.user)
    return client


def cancel(contract: Contract, *, status: str = "CANCELLED", end_date: date) -> None:
    Contract.objects.filter(pk=contract.pk).update(status=status, end_date=end_date, cancellation_kind="EXTRAORDINARY")


def page(client: Any, name: str, contract: Contract | None = None, data: dict[str, str] | None = None) -> str:
    response = client.get(reverse(name, args=[contract.pk] if contract else []), data or {})
    assert response.status_code == 200
    return str(response.content.decode())


def links(contract: Contract) -> dict[str, str]:
    return {
        name: reverse(f"customers:{name}", args=[contract.pk]) for name in ("submit_reading", "change_advance", "move")
    }


# 3: the projection covers the year in which the new Abschlag applies


def test_the_chosen_abschlag_changes_the_projection_in_the_last_month_of_the_billing_year(
    customer_client: Any, contract: Contract
) -> None:
    low = page(customer_client, "customers:change_advance", contract, {"amount_eur": "50"})
    high = page(customer_client, "customers:change_advance", contract, {"amount_eur": "1.234,50"})

    assert "Nachzahlung: 792,30\xa0€" in low  # 1,392.30 € − 12 × 50 €
    assert "Guthaben: 13.421,70\xa0€" in high
    assert "nächste Abrechnungsjahr (01.12.2026 bis 30.11.2027)" in low
    assert "zum Ende des Abrechnungsjahres am 30.11.2027" in low


# 4: cancelled or moving contracts keep self-service while supplied


def test_mein_konto_keeps_reading_and_abschlag_for_a_cancelled_contract_still_supplied(
    customer_client: Any, contract: Contract
) -> None:
    cancel(contract, end_date=date(2027, 2, 1))

    html = page(customer_client, "customers:home")

    assert "Lieferung bis 31.01.2027" in html
    assert all(url in html for url in links(contract).values())


def test_the_contract_page_keeps_reading_and_abschlag_for_a_cancelled_contract_still_supplied(
    customer_client: Any, contract: Contract
) -> None:
    cancel(contract, end_date=date(2027, 2, 1))

    html = page(customer_client, "customers:contract", contract)

    assert "Lieferung bis 31.01.2027" in html
    assert links(contract)["submit_reading"] in html
    assert links(contract)["change_advance"] in html


def test_a_cancelled_contract_still_supplied_saves_a_new_abschlag(customer_client: Any, contract: Contract) -> None:
    cancel(contract, end_date=date(2027, 2, 1))

    response = customer_client.post(links(contract)["change_advance"], {"amount_eur": "100", "reason": ""})

    assert response.status_code == 302
    assert AdvancePaymentChange.objects.filter(contract=contract, amount_eur=Decimal(100)).exists()


def test_after_moving_out_today_the_final_reading_link_stays_and_the_abschlag_link_goes(
    customer_client: Any, contract: Contract
) -> None:
    move.report_move(contract=contract, move_out_date=TODAY, new_address="Am Markt 3, 72070 Tübingen", today=TODAY)

    home = page(customer_client, "customers:home")
    detail = page(customer_client, "customers:contract", contract)
    form = page(customer_client, "customers:submit_reading", contract)

    assert "Lieferung bis 20.11.2026" in home
    assert links(contract)["submit_reading"] in home
    assert links(contract)["change_advance"] not in home
    assert "Lieferung bis 20.11.2026 (Auszug 21.11.2026)" in detail
    assert "Ihren Zählerstand vom 21.11.2026 für die Schlussrechnung" in detail
    assert links(contract)["submit_reading"] in detail
    assert "Auszug zum 21.11.2026 gemeldet" in form


def test_a_move_reported_afterwards_suggests_the_move_out_day_for_the_final_reading(
    customer_client: Any, contract: Contract
) -> None:
    move.report_move(contract=contract, move_out_date=date(2026, 11, 10), new_address="Am Markt 3, 72070 Tübingen",
                     today=TODAY)  # fmt: skip

    home = page(customer_client, "customers:home")
    form = page(customer_client, "customers:submit_reading", contract)

    assert links(contract)["submit_reading"] in home
    assert 'value="2026-11-10"' in form


def test_once_the_final_reading_is_in_the_reading_link_goes(customer_client: Any, contract: Contract) -> None:
    move.report_move(contract=contract, move_out_date=date(2026, 11, 10), new_address="Am Markt 3, 72070 Tübingen",
                     today=TODAY)  # fmt: skip
    MeterReadingFactory(contract=contract, read_date=date(2026, 11, 10), value=Decimal(13000))

    home = page(customer_client, "customers:home")

    assert links(contract)["submit_reading"] not in home
    assert links(contract)["move"] not in home


def test_an_ended_contract_offers_no_self_service(customer_client: Any, contract: Contract) -> None:
    cancel(contract, status="ENDED", end_date=date(2026, 10, 1))

    home = page(customer_client, "customers:home")
    form = page(customer_client, "customers:change_advance", contract)

    assert "Lieferung bis 30.09.2026" in home
    assert not any(url in home for url in links(contract).values())
    assert "Die Lieferung für diesen Vertrag ist beendet" in form
    assert 'name="amount_eur"' not in form


def test_supply_ending_before_the_next_due_date_explains_why_no_abschlag_can_change(
    customer_client: Any, contract: Contract
) -> None:
    cancel(contract, end_date=date(2026, 12, 1))

    home = page(customer_client, "customers:home")
    form = page(customer_client, "customers:change_advance", contract)

    assert links(contract)["change_advance"] not in home
    assert links(contract)["submit_reading"] in home
    assert "Die Lieferung endet am 30.11.2026; bis dahin ist kein Abschlag mehr fällig." in form


# 10: "Auswirkung berechnen" without JavaScript


def test_the_preview_button_posts_so_token_and_reason_stay_out_of_the_url(
    customer_client: Any, contract: Contract
) -> None:
    html = page(customer_client, "customers:change_advance", contract)

    assert 'formmethod="get"' not in html
    assert 'name="action"' in html
    assert 'value="preview"' in html


def test_the_preview_post_shows_the_effect_keeps_the_reason_and_saves_nothing(
    customer_client: Any, contract: Contract
) -> None:
    response = customer_client.post(
        links(contract)["change_advance"], {"amount_eur": "80", "reason": "Rente ist knapp", "action": "preview"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mit 80,00\xa0€ im Monat" in html
    assert "Rente ist knapp</textarea>" in html
    assert not AdvancePaymentChange.objects.filter(contract=contract, amount_eur=Decimal(80)).exists()


# 12: gross ct/kWh with 2 decimals in the explanation


def test_the_abschlag_explanation_shows_the_gross_price_with_two_decimals(client: Any) -> None:
    tariff = PriceVersionFactory(working_price_net_ct=Decimal("26.8909")).tariff  # 32,0002 ct/kWh gross
    contract = ContractFactory(tariff=tariff, forecast_kwh=Decimal(2600))
    client.force_login(contract.customer.user)

    html = page(client, "customers:change_advance", contract)

    # 2,600 × 32.00 ct would be 832.00 €, so the shown price is called rounded and the formula says ≈
    assert "beträgt gerundet 32,00\xa0ct/kWh brutto" in html
    assert "2.600\xa0kWh × 32,00\xa0ct/kWh ≈ 832,01\xa0€" in html
    assert "32,0002" not in html


# 15: one Abschlag and its scheduled change


def test_mein_konto_shows_the_current_abschlag_and_the_scheduled_one(customer_client: Any, contract: Contract) -> None:
    customer_client.post(links(contract)["change_advance"], {"amount_eur": "90", "reason": "Wir sind nur noch zwei."})

    home = re.sub(r"[ \n]+", " ", page(customer_client, "customers:home"))  # keeps the no-break spaces
    detail = page(customer_client, "customers:contract", contract)

    assert "75,00\xa0€ im Monat – ab 01.12.2026: 90,00\xa0€" in home
    assert "(90,00\xa0€)" not in home
    assert "ab 01.12.2026: <strong>90,00\xa0€</strong>" in detail


# 16: the last day of the billing year


def test_the_projection_names_the_last_day_of_the_billing_year(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(links(contract)["submit_reading"], {"value": "13.200", "read_date": "2026-11-20"})

    html = response.content.decode()
    assert "zum Ende des Abrechnungsjahres am 30.11.2026." in html
    assert "am 01.12.2026." not in html


# 20: a too short phone number


def test_a_too_short_phone_number_gets_its_own_message(customer_client: Any, contract: Contract) -> None:
    customer = contract.customer
    data = {"email": customer.user.email, "phone": "0711", "street": customer.street,
            "postal_code": customer.postal_code, "city": customer.city}  # fmt: skip

    response = customer_client.post(reverse("customers:profile"), data)

    html = response.content.decode()
    assert "Die Telefonnummer ist zu kurz." in html
    assert "Bitte geben Sie nur Ziffern" not in html


# 21: an Abschlag far above the recommendation


def test_a_far_too_high_abschlag_asks_for_confirmation_before_saving(customer_client: Any, contract: Contract) -> None:
    url = links(contract)["change_advance"]

    first = customer_client.post(url, {"amount_eur": "1.234,50", "reason": ""})
    confirmed = customer_client.post(url, {"amount_eur": "1.234,50", "reason": "", "confirm_amount": "on"})

    html = first.content.decode()
    assert first.status_code == 200
    assert 'type="checkbox" name="confirm_amount"' in html
    assert "Ja, ich möchte wirklich 1.234,50\xa0€ im Monat zahlen." in html
    assert "mehr als 3-mal so viel wie der berechnete Abschlag von 116,00\xa0€" in html
    assert confirmed.status_code == 302
    assert AdvancePaymentChange.objects.filter(contract=contract, amount_eur=Decimal("1234.50")).count() == 1


def test_the_live_preview_warns_about_a_far_too_high_abschlag(customer_client: Any, contract: Contract) -> None:
    html = page(customer_client, "customers:change_advance", contract, {"amount_eur": "1234,50"})

    assert "mehr als dreimal so viel wie der berechnete Abschlag von 116,00\xa0€" in html


def test_preview_errors_are_separate_sentences_with_german_numbers(customer_client: Any, contract: Contract) -> None:
    html = page(customer_client, "customers:change_advance", contract, {"amount_eur": "1234567890123"})

    assert "Der Wert darf nicht größer als 100.000 sein. Diese Zahl ist zu lang." in html


# 23: scientific notation


@pytest.mark.parametrize("value", ["1e4", "NaN", "Infinity"])
def test_a_reading_in_scientific_notation_is_refused(customer_client: Any, contract: Contract, value: str) -> None:
    response = customer_client.post(links(contract)["submit_reading"], {"value": value, "read_date": "2026-11-20"})

    assert "Bitte geben Sie eine Zahl ein, z. B. 1.234,5." in response.content.decode()
    assert not MeterReading.objects.filter(contract=contract, read_date=date(2026, 11, 20)).exists()
