"""The notice job: content, e-mail or letter, touchpoint, Abschlag plan, late notices, exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from contacts import notices
from contacts.models import Channel, PriceChangeNotice, Topic, Touchpoint
from customers import selectors as customer_selectors
from customers.billing import issue_bill
from customers.models import AdvancePaymentChange, Installment, MeterReading, PriceDeferral
from tariffs.domain import prices
from tests.factories import CustomerFactory
from tests.integration.jobs.conftest import berlin

pytestmark = pytest.mark.django_db

SENT_ON = date(2026, 12, 1)


def run(as_of: date = SENT_ON, **kwargs: Any) -> dict[str, Any]:
    """Run the job as it runs at 06:00 on ``as_of``: on that real day (it reads the clock and never back-dates)."""
    now = berlin(as_of.year, as_of.month, as_of.day, 6)
    with time_machine.travel(now, tick=False):
        return notices.price_change_notices(as_of=as_of, now=now, **kwargs)


@pytest.fixture(autouse=True)
def letters_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_notice_states_old_and_new_prices_and_abschlag_reason_and_termination_right(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff(name="Stadtwerk Strom Test")
    contract = make_contract(tariff)
    published_change(tariff)

    result = run()

    assert result == {"job": "price_change_notices", "created": 1, "already_done": 0, "skipped": {}}
    (message,) = mail.outbox
    assert message.to == [contract.customer.email]
    subject = str(make_header(decode_header(message.subject)))  # the German part is encoded once per change
    assert subject == f"Preisänderung zum 01.02.2027: Ihr Vertrag {contract.contract_number}"
    body = message.body
    assert "wir erhöhen die Preise Ihres Tarifs „Stadtwerk Strom Test“ zum 01.02.2027" in body
    # 30 ct and 120 € net → 35.70 ct and 142.80 € gross; 35 ct and 150 € net → 41.65 ct and 178.50 € gross (19 %)
    assert "Arbeitspreis: bisher 35,70\xa0ct/kWh, ab 01.02.2027 41,65\xa0ct/kWh" in body
    assert "Grundpreis: bisher 142,80\xa0€ im Jahr, ab 01.02.2027 178,50\xa0€ im Jahr" in body
    # 3,500 kWh: (1,249.50 + 142.80) / 12 = 116.03 → 116 €; (1,457.75 + 178.50) / 12 = 136.35 → 136 €
    assert "von bisher 116,00\xa0€ auf 136,00\xa0€, erstmals fällig am 01.02.2027" in body
    assert "Die Beschaffungskosten für Strom sind gestiegen." in body
    assert "Es ändern sich nur Arbeitspreis und Grundpreis." in body
    assert f"Ihren Vertrag {contract.contract_number}" in body
    assert "ohne Einhaltung einer Kündigungsfrist zum 01.02.2027 kündigen" in body
    assert message.extra_headers["Message-ID"].startswith("<preisaenderung-")
    notice = PriceChangeNotice.objects.get(contract=contract)
    assert (notice.status, notice.medium, notice.effective_date) == ("SENT", "EMAIL", date(2027, 2, 1))
    assert (notice.old_advance_eur, notice.new_advance_eur) == (Decimal("116.00"), Decimal("136.00"))


def test_a_price_decrease_is_announced_as_such(make_tariff: Any, make_contract: Any, published_change: Any) -> None:
    tariff = make_tariff()
    make_contract(tariff)
    published_change(tariff, working_price="25.0000", base_price="100.00")

    run()

    assert "wir senken die Preise" in mail.outbox[0].body


def test_vat_only_change_sends_no_notice(make_tariff: Any, make_contract: Any, published_change: Any) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)
    published_change(tariff, is_vat_only=True, working_price="30.0000", base_price="120.00")

    result = run()

    assert result["created"] == 0
    assert result["skipped"] == {notices.SKIP_VAT_ONLY: 1}
    assert mail.outbox == []
    assert not PriceChangeNotice.objects.filter(contract=contract).exists()


def test_basic_supply_and_customers_without_email_get_a_pdf_letter(
    make_tariff: Any, make_contract: Any, published_change: Any, letters_in_tmp: Path
) -> None:
    basic_tariff = make_tariff(is_basic_supply=True)
    special_tariff = make_tariff()
    basic = make_contract(basic_tariff)
    without_email = make_contract(special_tariff, customer=CustomerFactory(user=None, email=""))
    with_email = make_contract(special_tariff)
    published_change(basic_tariff)
    published_change(special_tariff)

    run()

    by_contract = {notice.contract_id: notice for notice in PriceChangeNotice.objects.all()}
    for contract in (basic, without_email):
        notice = by_contract[contract.pk]
        assert notice.medium == PriceChangeNotice.Medium.LETTER
        assert notice.letter_pdf == f"letters/{notice.pk}.pdf"
        pdf = (letters_in_tmp / notice.letter_pdf).read_bytes()
        assert pdf.startswith(b"%PDF")
        assert contract.contract_number.encode() in pdf
    assert by_contract[with_email.pk].medium == PriceChangeNotice.Medium.EMAIL
    assert [message.to for message in mail.outbox] == [[with_email.customer.email]]


def test_each_notice_is_recorded_as_an_outbound_touchpoint(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)
    published_change(tariff)

    run()

    notice = PriceChangeNotice.objects.get(contract=contract)
    touchpoint = Touchpoint.objects.get(customer=contract.customer)
    assert notice.touchpoint == touchpoint
    assert (touchpoint.channel, touchpoint.direction, touchpoint.topic, touchpoint.outcome) == (
        Channel.EMAIL,
        Touchpoint.Direction.OUTBOUND,
        Topic.PRICE_CHANGE,
        Touchpoint.Outcome.RESOLVED,
    )
    assert touchpoint.contract == contract
    assert "01.02.2027" in touchpoint.summary


def test_the_abschlag_plan_changes_from_the_effective_date_keeping_a_chosen_amount_in_proportion(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)
    AdvancePaymentChange.objects.create(
        contract=contract,
        valid_from=date(2026, 1, 1),
        amount_eur=Decimal("110.00"),
        recommended_eur=Decimal("116.00"),
        source=AdvancePaymentChange.Source.CUSTOMER,
    )
    for month in (12, 13, 14, 15):
        due = date(2026 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        Installment.objects.create(
            contract=contract, due_date=due, amount_eur=Decimal("110.00"), paid_at=due if month == 12 else None
        )
    published_change(tariff)

    run()

    # The customer chose 110 € (116 € recommended); recommended now 136 €: 110 × 136 ÷ 116 = 128.97 → 129 €.
    change = AdvancePaymentChange.objects.get(contract=contract, source=AdvancePaymentChange.Source.PRICE_CHANGE)
    assert (change.valid_from, change.amount_eur, change.recommended_eur) == (
        date(2027, 2, 1),
        Decimal("129.00"),
        Decimal("136.00"),
    )
    amounts = dict(Installment.objects.filter(contract=contract).values_list("due_date", "amount_eur"))
    assert amounts == {
        date(2026, 12, 1): Decimal("110.00"),
        date(2027, 1, 1): Decimal("110.00"),
        date(2027, 2, 1): Decimal("129.00"),
        date(2027, 3, 1): Decimal("129.00"),
    }
    assert PriceChangeNotice.objects.get(contract=contract).old_advance_eur == Decimal("110.00")


def test_a_notice_that_is_too_late_is_marked_late_and_the_old_price_stays_until_the_lawful_date(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)
    change = published_change(tariff)
    Installment.objects.create(contract=contract, due_date=date(2027, 2, 1), amount_eur=Decimal("116.00"))
    Installment.objects.create(contract=contract, due_date=date(2027, 3, 1), amount_eur=Decimal("116.00"))

    run(as_of=date(2027, 1, 15))  # one month later is 15 February: too late for 1 February

    notice = PriceChangeNotice.objects.get(contract=contract)
    assert notice.status == PriceChangeNotice.Status.LATE
    assert notice.effective_date == date(2027, 2, 15)
    assert notice.sent_at is not None
    body = mail.outbox[0].body
    assert "gelten die neuen Preise für Ihren Vertrag erst ab dem 15.02.2027" in body
    assert "ohne Einhaltung einer Kündigungsfrist zum 15.02.2027 kündigen" in body
    deferral = PriceDeferral.objects.get(contract=contract)
    assert (deferral.price_change, deferral.planned_date, deferral.effective_date) == (
        change,
        date(2027, 2, 1),
        date(2027, 2, 15),
    )
    pricing = customer_selectors.get_contract_pricing(contract)
    assert pricing.contract_gross_on(contract, date(2027, 2, 14)).working_price_ct == Decimal("35.7000")
    assert pricing.contract_gross_on(contract, date(2027, 2, 15)).working_price_ct == Decimal("41.6500")
    # other contracts of the tariff (notified in time) have the new price from the planned day
    assert pricing.gross_on(
        tariff_id=tariff.pk, commodity="electricity", day=date(2027, 2, 1)
    ).working_price_ct == Decimal("41.6500")
    amounts = dict(Installment.objects.filter(contract=contract).values_list("due_date", "amount_eur"))
    assert amounts == {date(2027, 2, 1): Decimal("116.00"), date(2027, 3, 1): Decimal("136.00")}


def test_a_bill_of_a_contract_notified_late_charges_the_old_price_until_its_own_date(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)  # a household: one month's notice, so 15 January is too late for 1 February
    business_tariff = make_tariff(customer_group="business")  # same prices; two weeks' notice: in time
    in_time = make_contract(business_tariff, customer=CustomerFactory(customer_group="business"))
    published_change(tariff)
    published_change(business_tariff)

    run(as_of=date(2027, 1, 15))

    assert PriceChangeNotice.objects.get(contract=contract).status == PriceChangeNotice.Status.LATE
    assert PriceChangeNotice.objects.get(contract=in_time).status == PriceChangeNotice.Status.SENT
    assert not PriceDeferral.objects.filter(contract=in_time).exists()

    def bill_for(supplied: Any) -> Any:
        start = MeterReading.objects.create(contract=supplied, read_date=date(2027, 1, 1), value=Decimal(10000))
        end = MeterReading.objects.create(contract=supplied, read_date=date(2027, 3, 1), value=Decimal(10590))
        assert supplied.readings.order_by("read_date").first() == start
        return issue_bill(contract=supplied, end_reading=end, issued_date=date(2027, 3, 2))

    late_bill, in_time_bill = bill_for(contract), bill_for(in_time)

    def working_lines(bill: Any) -> list[tuple[date, date, Decimal, Decimal]]:
        return [
            (line.from_date, line.to_date, line.quantity, line.unit_price)
            for line in bill.lines.filter(kind="WORKING_PRICE").order_by("position")
        ]

    # 590 kWh over 59 days, split by days: 45 days at the old price, 14 at the new one for the late contract
    assert working_lines(late_bill) == [
        (date(2027, 1, 1), date(2027, 2, 15), Decimal(450), Decimal("30.0000")),
        (date(2027, 2, 15), date(2027, 3, 1), Decimal(140), Decimal("35.0000")),
    ]
    assert working_lines(in_time_bill) == [
        (date(2027, 1, 1), date(2027, 2, 1), Decimal(310), Decimal("30.0000")),
        (date(2027, 2, 1), date(2027, 3, 1), Decimal(280), Decimal("35.0000")),
    ]
    assert late_bill.gross_eur < in_time_bill.gross_eur


def test_running_the_job_again_sends_nothing_twice(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    for _ in range(3):
        make_contract(tariff)
    published_change(tariff)
    first = run()

    second = run()

    assert (first["created"], second["created"], second["already_done"]) == (3, 0, 3)
    assert len(mail.outbox) == 3
    assert Touchpoint.objects.filter(topic=Topic.PRICE_CHANGE).count() == 3
    assert AdvancePaymentChange.objects.filter(source=AdvancePaymentChange.Source.PRICE_CHANGE).count() == 3


def test_a_notice_claimed_by_a_live_worker_is_left_alone_and_a_crashed_claim_is_taken_over(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)
    change = published_change(tariff)
    # Claims are compared on the database clock, so the claim times are set relative to the real time.
    notice = PriceChangeNotice.objects.create(
        contract=contract, price_change=change, status="SENDING", claimed_at=timezone.now() - timedelta(minutes=14)
    )

    while_claimed = run()
    PriceChangeNotice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - timedelta(minutes=16))
    after_crash = run()

    assert while_claimed["created"] == 0
    assert after_crash["created"] == 1
    notice.refresh_from_db()
    assert notice.status == PriceChangeNotice.Status.SENT
    assert len(mail.outbox) == 1


def test_a_prepared_notice_taken_over_after_a_crash_is_sent_without_a_second_touchpoint(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)
    published_change(tariff)
    run()
    notice = PriceChangeNotice.objects.get(contract=contract)
    # As if the worker had died after preparing and before sending: back to SENDING with an old claim.
    PriceChangeNotice.objects.filter(pk=notice.pk).update(
        status="SENDING", sent_at=None, claimed_at=timezone.now() - timedelta(minutes=16)
    )
    mail.outbox.clear()

    result = run()

    assert result["created"] == 1
    assert len(mail.outbox) == 1
    assert Touchpoint.objects.filter(customer=contract.customer).count() == 1
    assert AdvancePaymentChange.objects.filter(contract=contract).count() == 1


def test_a_failed_email_leaves_the_notice_pending_for_the_next_run(
    make_tariff: Any, make_contract: Any, published_change: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tariff = make_tariff()
    contract = make_contract(tariff)
    published_change(tariff)

    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("SMTP server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        failed = run()
    retried = run()

    assert failed["skipped"] == {notices.SKIP_SEND_FAILED: 1}
    assert retried["created"] == 1
    assert PriceChangeNotice.objects.get(contract=contract).status == PriceChangeNotice.Status.SENT
    assert Touchpoint.objects.filter(customer=contract.customer).count() == 1


def test_contracts_that_ended_or_started_after_the_change_get_no_notice(
    make_tariff: Any, make_contract: Any, published_change: Any
) -> None:
    tariff = make_tariff()
    make_contract(tariff, status="ENDED", end_date=date(2026, 6, 1))
    make_contract(tariff, start_date=date(2027, 2, 1))
    make_contract(tariff, end_date=date(2027, 1, 31))

    result = run()

    assert result["created"] == 0
    assert mail.outbox == []


def test_versions_for_a_late_contract_extend_the_old_price_to_its_own_date() -> None:
    old = prices.PriceVersion(date(2020, 1, 1), date(2027, 2, 1), Decimal(30), Decimal(120))
    new = prices.PriceVersion(date(2027, 2, 1), None, Decimal(35), Decimal(150))

    shifted = prices.defer_versions((old, new), [(date(2027, 2, 1), date(2027, 3, 1))])

    assert [(v.valid_from, v.valid_to) for v in shifted] == [
        (date(2020, 1, 1), date(2027, 3, 1)),
        (date(2027, 3, 1), None),
    ]
