"""QA round 2 over HTTP: the Abschlag page with an announced price change and a later plan entry (customers 3, staff
5), the contract page's next Abschlag (4) and partial years (18), Mein Konto after a move (12), and a mistyped
reading (2)."""

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
CHANGE_DAY = date(2027, 2, 1)


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def contract() -> Contract:
    """Melina's electricity contract: 32,00 → 34,56 ct/kWh on 01.02.2027, her 75 € and the notice's 89 € from then."""
    old = PriceVersionFactory(
        valid_from=date(2025, 4, 1),
        valid_to=CHANGE_DAY,
        working_price_net_ct=Decimal("26.8908"),
        base_price_net_eur_year=Decimal("134.45"),
    )
    PriceVersionFactory(
        tariff=old.tariff,
        valid_from=CHANGE_DAY,
        working_price_net_ct=Decimal("29.0421"),
        base_price_net_eur_year=Decimal("145.21"),
    )
    contract = ContractFactory(tariff=old.tariff, start_date=date(2021, 12, 1), forecast_kwh=Decimal(2600))
    MeterReadingFactory(contract=contract, read_date=date(2021, 12, 1), value=Decimal(18180))
    MeterReadingFactory(contract=contract, read_date=date(2025, 12, 1), value=Decimal(28554))
    MeterReadingFactory(contract=contract, read_date=date(2026, 11, 2), value=Decimal(30940), source="CUSTOMER")
    for valid_from, amount, source in ((date(2025, 12, 1), "75", "AGENT"), (CHANGE_DAY, "89", "PRICE_CHANGE")):
        AdvancePaymentChange.objects.create(
            contract=contract, valid_from=valid_from, amount_eur=Decimal(amount), recommended_eur=Decimal(amount),
            source=source,
        )  # fmt: skip
    Installment.objects.create(contract=contract, due_date=date(2026, 12, 1), amount_eur=Decimal(75))
    return contract


@pytest.fixture
def customer_client(client: Any, contract: Contract) -> Any:
    client.force_login(contract.customer.user)
    return client


def text(html: bytes) -> str:
    """Return the page's text with tags dropped and whitespace collapsed (no-break spaces kept)."""
    return re.sub(r"[ \n\t]+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def get(client: Any, name: str, contract: Contract, data: dict[str, str] | None = None, **headers: str) -> str:
    response = client.get(reverse(name, args=[contract.pk]), data or {}, headers=headers)
    assert response.status_code == 200
    return text(response.content)


# --- the Abschlag page (customers 3, staff 5) ---------------------------------------------------------------------


def test_the_abschlag_page_recommends_for_the_coming_months_and_projects_the_plan(
    customer_client: Any, contract: Contract
) -> None:
    page = get(customer_client, "customers:change_advance", contract)

    assert "Wir empfehlen 88,00\xa0€ im Monat" in page  # not 83 € at today's prices
    assert "Preisänderung zum 01.02.2027 schon berücksichtigt" in page
    assert "ab 01.02.2027: 89,00\xa0€ im Monat (wegen der angekündigten Preisänderung)" in page
    assert "Mit Ihrem Abschlagsplan" in page
    assert "Nachzahlung: 15,16\xa0€" in page  # 1.055,16 € − (2 × 75 € + 10 × 89 €)
    assert "2 × 75,00\xa0€ ab 01.12.2026, 10 × 89,00\xa0€ ab 01.02.2027." in page
    assert "Ab 01.02.2027 rechnen wir mit den neuen Preisen (34,56\xa0ct/kWh, Grundpreis 172,80\xa0€ im Jahr)" in page


def test_the_form_asks_about_the_later_entry_with_keeping_it_preselected(
    customer_client: Any, contract: Contract
) -> None:
    response = customer_client.get(reverse("customers:change_advance", args=[contract.pk]))
    html = response.content.decode()

    assert re.search(r'name="later_plan" value="keep"[^>]*checked', html)
    assert not re.search(r'name="later_plan" value="replace"[^>]*checked', html)
    assert "Ab dem 01.02.2027 gilt wie geplant 89,00\xa0€ (Preisänderung)." in html
    assert "Der neue Abschlag gilt auch ab dem 01.02.2027 (statt 89,00\xa0€)." in html
    assert 'hx-params="amount_eur,later_plan"' in html


@pytest.mark.parametrize(
    ("choice", "balance"), [("keep", "Guthaben: 0,84\xa0€"), ("replace", "Nachzahlung: 59,16\xa0€")]
)
def test_the_preview_follows_the_choice(customer_client: Any, contract: Contract, choice: str, balance: str) -> None:
    page = get(
        customer_client,
        "customers:change_advance",
        contract,
        {"amount_eur": "83", "later_plan": choice},
        HX_Request="true",
    )

    assert balance in page


def test_keeping_the_later_entry_says_what_applies_when(customer_client: Any, contract: Contract) -> None:
    response = customer_client.post(
        reverse("customers:change_advance", args=[contract.pk]),
        {"amount_eur": "120", "reason": "", "later_plan": "keep"},
        follow=True,
    )

    page = text(response.content)
    assert (
        "Ihr Abschlag beträgt ab dem 01.12.2026 120,00\xa0€. Wie geplant gilt dann ab dem 01.02.2027 89,00\xa0€ "
        "(Preisänderung)." in page
    )
    assert (
        "Aktuell: 75,00\xa0€ im Monat – ab 01.12.2026: 120,00\xa0€ ; ab 01.02.2027: 89,00\xa0€ "
        "(wegen der Preisänderung)" in page
    )


def test_replacing_the_later_entry_says_so_and_the_contract_page_shows_one_amount(
    customer_client: Any, contract: Contract
) -> None:
    response = customer_client.post(
        reverse("customers:change_advance", args=[contract.pk]),
        {"amount_eur": "120", "reason": "", "later_plan": "replace"},
        follow=True,
    )

    page = text(response.content)
    assert "Er gilt auch ab dem 01.02.2027 statt der geplanten 89,00\xa0€ (Preisänderung)." in page
    assert "Aktuell: 75,00\xa0€ im Monat – ab 01.12.2026: 120,00\xa0€ ." in page
    latest = contract.advance_changes.filter(valid_from=CHANGE_DAY).order_by("-id").first()
    assert latest is not None and (latest.amount_eur, latest.source) == (Decimal(120), "CUSTOMER")


def test_a_post_without_the_choice_is_refused_in_german_and_nothing_is_written(
    customer_client: Any, contract: Contract
) -> None:
    before = contract.advance_changes.count()

    response = customer_client.post(
        reverse("customers:change_advance", args=[contract.pk]), {"amount_eur": "120", "reason": ""}
    )

    assert response.status_code == 200
    assert "Bitte wählen Sie, welcher Abschlag ab dem 01.02.2027 gelten soll." in response.content.decode()
    assert contract.advance_changes.count() == before


# --- the contract page (customers 4, 18) --------------------------------------------------------------------------


def test_the_contract_page_shows_the_latest_change_for_the_next_due_date(
    customer_client: Any, contract: Contract
) -> None:
    url = reverse("customers:change_advance", args=[contract.pk])
    customer_client.post(url, {"amount_eur": "83,50", "reason": "", "later_plan": "keep"}, follow=True)
    customer_client.post(url, {"amount_eur": "60", "reason": "Elternzeit", "later_plan": "keep"}, follow=True)

    page = get(customer_client, "customers:contract", contract)

    assert "ab 01.12.2026: 60,00\xa0€" in page
    assert "83,50" not in page


def test_the_contract_page_recommends_with_the_announced_prices(customer_client: Any, contract: Contract) -> None:
    page = get(customer_client, "customers:contract", contract)

    assert "(mit der Preisänderung zum 01.02.2027) empfehlen wir 88,00\xa0€ im Monat" in page


def test_consumption_by_year_marks_partial_years_and_shows_kwh_per_day(
    customer_client: Any, contract: Contract
) -> None:
    page = get(customer_client, "customers:contract", contract)

    assert "2021 (ab 01.12.)" in page
    assert "2026 (bis 02.11.)" in page
    assert "pro Tag" in page
    assert re.search(r"2026 \(bis 02\.11\.\) [\d.]+\xa0kWh 7,1 kWh", page)
    assert "nur teilweise erfasst" in page
    chart = customer_client.get(reverse("customers:contract", args=[contract.pk])).content.decode()
    assert '"2021 (ab 01.12.)"' in chart  # the chart's labels too


# --- Mein Konto after a move (customers 12) -----------------------------------------------------------------------


def test_mein_konto_says_auszug_gemeldet_for_a_reported_move(customer_client: Any, contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(
        status="CANCELLED",
        end_date=date(2027, 1, 15),
        cancellation_kind=move.CANCELLATION_KIND_MOVE,
        final_reading_requested_for=date(2027, 1, 15),
    )

    page = text(customer_client.get(reverse("customers:home")).content)

    assert "Auszug gemeldet" in page
    assert "gekündigt" not in page
    assert "Auszug ändern" in page
    assert "Umzug melden" not in page
    assert "Abschlag ändern" in page  # still supplied on the next due date


def test_mein_konto_still_says_gekuendigt_for_a_cancellation(customer_client: Any, contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(
        status="CANCELLED", end_date=date(2027, 1, 15), cancellation_kind="ORDINARY"
    )

    page = text(customer_client.get(reverse("customers:home")).content)

    assert "gekündigt" in page
    assert "Auszug gemeldet" not in page
    assert "Umzug melden" in page


# --- a mistyped reading (customers 2) -----------------------------------------------------------------------------


def post_reading(client: Any, contract: Contract, **data: str) -> str:
    response = client.post(
        reverse("customers:submit_reading", args=[contract.pk]), {"read_date": "2026-11-21", **data}
    )
    assert response.status_code == 200
    return text(response.content)


def test_a_mistyped_reading_asks_stimmt_dieser_stand_and_saves_nothing(
    customer_client: Any, contract: Contract
) -> None:
    page = post_reading(customer_client, contract, value="99999")

    assert "Stimmt dieser Stand?" in page
    assert "Ja, der Stand 99.999 kWh stimmt." in page
    assert "Nachzahlung" not in page
    assert not contract.readings.filter(read_date=TODAY).exists()


def test_a_confirmed_implausible_reading_shows_no_alarming_projection(
    customer_client: Any, contract: Contract
) -> None:
    page = post_reading(customer_client, contract, value="99999", confirm_value="on")

    reading = contract.readings.get(read_date=TODAY)
    assert reading.is_flagged is True
    assert "Bis dahin rechnen wir ohne diesen Stand" in page
    assert "geben Sie den Stand für den 21.11.2026 einfach noch einmal ein" in page
    nachzahlung = re.search(r"Nachzahlung: ([\d.]+),\d\d\xa0€", page)
    assert nachzahlung is None or int(nachzahlung.group(1).replace(".", "")) < 1000
    home = text(customer_client.get(reverse("customers:home")).content)
    assert "99.999 kWh am 21.11.2026 wird geprüft" in home


def test_the_customer_corrects_their_reading_of_the_day(customer_client: Any, contract: Contract) -> None:
    post_reading(customer_client, contract, value="99999", confirm_value="on")

    asked = post_reading(customer_client, contract, value="31100")
    replaced = post_reading(customer_client, contract, value="31100", replace_existing="on")

    assert "Für den 21.11.2026 haben Sie schon 99.999 kWh gemeldet." in asked
    assert "Ja, 99.999 kWh durch 31.100 kWh ersetzen." in asked
    assert "er ersetzt Ihren Stand 99.999 kWh" in replaced
    reading = contract.readings.get(read_date=TODAY)
    assert (reading.value, reading.is_flagged) == (Decimal(31100), False)
    assert contract.readings.filter(source=MeterReading.Source.CUSTOMER).count() == 2


def test_the_reading_page_offers_to_correct_a_flagged_own_reading(customer_client: Any, contract: Contract) -> None:
    post_reading(customer_client, contract, value="99999", confirm_value="on")

    page = customer_client.get(reverse("customers:submit_reading", args=[contract.pk])).content.decode()
    form = customer_client.get(
        reverse("customers:submit_reading", args=[contract.pk]), {"datum": "2026-11-21"}
    ).content.decode()

    assert "wird geprüft" in page
    assert f"{reverse('customers:submit_reading', args=[contract.pk])}?datum=2026-11-21" in page
    assert 'value="2026-11-21"' in form
