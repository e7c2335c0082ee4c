"""QA round 2, customers 3 and staff 5: the Abschlag recommendation and the projection use the prices that apply
within the projected year (an announced change included) and the Abschlag plan's later entries; a new Abschlag keeps
or replaces a later entry only as the customer decides.

The situation is Melina's electricity contract from the report: 32,00 → 34,56 ct/kWh and 160,00 → 172,80 €/year on
01.02.2027, her own 75 € Abschlag and a plan entry of 89 € from 01.02.2027 written by the price-change notice.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from customers import errors, selectors, services
from customers.models import AdvancePaymentChange, Contract, Installment
from tariffs.domain.vat import Commodity, VatPeriod
from tests.factories import ContractFactory, MeterReadingFactory, PriceVersionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)  # the last month of the billing year 01.12.2025 – 30.11.2026
CHANGE_DAY = date(2027, 2, 1)
CENT = Decimal("0.01")


@pytest.fixture
def contract() -> Contract:
    old = PriceVersionFactory(
        valid_from=date(2025, 4, 1),
        valid_to=CHANGE_DAY,
        working_price_net_ct=Decimal("26.8908"),  # 32,0001 ct gross
        base_price_net_eur_year=Decimal("134.45"),  # 160,00 € gross
    )
    PriceVersionFactory(
        tariff=old.tariff,
        valid_from=CHANGE_DAY,
        working_price_net_ct=Decimal("29.0421"),  # 34,5601 ct gross
        base_price_net_eur_year=Decimal("145.21"),  # 172,80 € gross
    )
    contract = ContractFactory(tariff=old.tariff, start_date=date(2025, 12, 1), forecast_kwh=Decimal(2600))
    # 2.386 kWh in 336 days: 2.592 kWh in the 365 days of the following billing year, as in the report.
    MeterReadingFactory(contract=contract, read_date=date(2025, 12, 1), value=Decimal(28554))
    MeterReadingFactory(contract=contract, read_date=date(2026, 11, 2), value=Decimal(30940), source="CUSTOMER")
    plan(contract, date(2025, 12, 1), "75", "AGENT")
    plan(contract, CHANGE_DAY, "89", "PRICE_CHANGE")
    for month in range(12, 16):  # open instalments 01.12.2026 … 01.03.2027
        due = date(2026 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        amount = Decimal(89) if due >= CHANGE_DAY else Decimal(75)
        Installment.objects.create(contract=contract, due_date=due, amount_eur=amount)
    return contract


def plan(contract: Contract, valid_from: date, amount: str, source: str) -> AdvancePaymentChange:
    return AdvancePaymentChange.objects.create(
        contract=contract, valid_from=valid_from, amount_eur=Decimal(amount), recommended_eur=Decimal(amount),
        source=source,
    )  # fmt: skip


def by_hand(kwh: int, ct: str, days: int, base_eur: str) -> Decimal:
    """One price period the way the report recomputed it: kWh × gross ct, gross base price × days ÷ 365."""
    energy = (Decimal(kwh) * Decimal(ct) / 100).quantize(CENT, ROUND_HALF_UP)
    base = (Decimal(base_eur) * days / 365).quantize(CENT, ROUND_HALF_UP)
    return energy + base


def project(contract: Contract, amount: str | None = None, *, keep_later: bool = True) -> selectors.Projection:
    projection = selectors.project_balance(
        contract=contract,
        as_of=TODAY,
        advance_eur=Decimal(amount) if amount is not None else None,
        from_next_due_date=True,
        keep_later=keep_later,
    )
    assert projection is not None
    return projection


def test_the_projection_prices_the_announced_change_from_its_day_as_the_report_recomputed_it(
    contract: Contract,
) -> None:
    # 01.12.2026 – 31.01.2027: 62 days, 2.592 × 62 ÷ 365 = 440,3 → 440 kWh; 01.02. – 30.11.2027: 303 days, 2.152 kWh.
    expected = by_hand(440, "32.0001", 62, "160.00") + by_hand(2152, "34.5601", 303, "172.80")

    projection = project(contract)

    assert expected == Decimal("1055.16")  # 140,80 + 27,18 + 743,73 + 143,45
    assert (projection.period_start, projection.last_day) == (date(2026, 12, 1), date(2027, 11, 30))
    assert projection.expected_kwh == Decimal(2592)
    assert projection.balance.expected_annual_cost == expected
    assert [(part.kwh, part.energy_eur, part.base_eur) for part in projection.cost_parts] == [
        (Decimal(440), Decimal("140.80"), Decimal("27.18")),
        (Decimal(2152), Decimal("743.73"), Decimal("143.45")),
    ]


def test_the_projection_counts_the_planned_abschlag_from_the_price_change_on(contract: Contract) -> None:
    projection = project(contract)

    assert projection.balance.advances_total == 2 * Decimal(75) + 10 * Decimal(89)  # 1.040,00 €
    assert projection.balance.balance_eur == Decimal("15.16")  # Nachzahlung, not a Guthaben of 6,56 €
    assert [(run.first_due, run.count, run.amount_eur) for run in projection.runs] == [
        (date(2026, 12, 1), 2, Decimal(75)),
        (CHANGE_DAY, 10, Decimal(89)),
    ]


def test_a_chosen_amount_keeps_the_later_entry_or_replaces_it(contract: Contract) -> None:
    kept = project(contract, "83")
    replaced = project(contract, "83", keep_later=False)

    assert kept.balance.advances_total == 2 * Decimal(83) + 10 * Decimal(89)
    assert kept.balance.balance_eur == Decimal("-0.84")
    assert replaced.balance.advances_total == 12 * Decimal(83)
    assert replaced.balance.balance_eur == Decimal("59.16")


def test_the_recommendation_covers_the_twelve_months_at_the_prices_that_apply_in_them(contract: Contract) -> None:
    # 2.600 kWh: 442 kWh in the 62 days at the old price, 2.158 kWh at the new one.
    cost = by_hand(442, "32.0001", 62, "160.00") + by_hand(2158, "34.5601", 303, "172.80")

    recommended = selectors.recommended_advance_for_year(
        contract=contract, pricing=selectors.get_contract_pricing(contract), start=date(2026, 12, 1)
    )

    assert recommended is not None
    assert cost == Decimal("1057.88")
    assert recommended.annual_cost_eur == cost
    assert recommended.installment_eur == Decimal(88)  # 1.057,88 € ÷ 12 = 88,16 €; the old prices alone give 83 €
    assert recommended.price_change_dates == (CHANGE_DAY,)
    texts = " ".join(step.text + " " + step.formula for step in recommended.explanation)
    assert "01.02.2027 bis 30.11.2027" in texts
    assert "2.158\xa0kWh × 34,56\xa0ct/kWh" in texts
    assert "88,00\xa0€" in texts


def test_with_one_price_all_year_the_recommendation_is_the_plain_calculation(contract: Contract) -> None:
    recommended = selectors.recommended_advance_for_year(
        contract=contract, pricing=selectors.get_contract_pricing(contract), start=date(2027, 2, 1)
    )

    assert recommended is not None
    assert recommended.single is not None
    assert recommended.installment_eur == Decimal(89)  # 2.600 × 34,5601 ct + 172,80 € = 1.071,36 € ÷ 12
    assert recommended.price_change_dates == ()


def test_a_late_notice_deferral_moves_the_new_price_for_this_contract(contract: Contract) -> None:
    loaded = selectors.get_contract_pricing(contract)
    deferred = selectors.PricingData(
        versions_by_tariff=loaded.versions_by_tariff,
        vat_periods=loaded.vat_periods,
        deferrals_by_contract={contract.pk: ((CHANGE_DAY, date(2027, 3, 1)),)},
    )

    periods = selectors.price_periods(
        contract=contract, pricing=deferred, start=date(2026, 12, 1), end=date(2027, 12, 1)
    )
    recommended = selectors.recommended_advance_for_year(contract=contract, pricing=deferred, start=date(2026, 12, 1))

    assert [(period.start, period.end) for period in periods] == [
        (date(2026, 12, 1), date(2027, 3, 1)),
        (date(2027, 3, 1), date(2027, 12, 1)),
    ]
    assert recommended is not None
    # 90 days: 2.600 × 90 ÷ 365 = 641,1 → 641 kWh at the old price, 1.959 kWh at the new one
    cost = by_hand(641, "32.0001", 90, "160.00") + by_hand(1959, "34.5601", 275, "172.80")
    assert recommended.annual_cost_eur == cost


def test_price_periods_merge_equal_prices_and_cut_at_a_vat_change(contract: Contract) -> None:
    loaded = selectors.get_contract_pricing(contract)
    vat_change = selectors.PricingData(
        versions_by_tariff=loaded.versions_by_tariff,
        vat_periods=(
            VatPeriod(Commodity.ELECTRICITY, date.min, date(2027, 7, 1), Decimal("0.19")),
            VatPeriod(Commodity.ELECTRICITY, date(2027, 7, 1), None, Decimal("0.07")),
        ),
    )

    periods = selectors.price_periods(
        contract=contract, pricing=vat_change, start=date(2026, 12, 1), end=date(2027, 12, 1)
    )

    assert [period.start for period in periods] == [date(2026, 12, 1), CHANGE_DAY, date(2027, 7, 1)]
    assert periods[-1].gross.working_price_ct == Decimal("31.0750")  # 29,0421 ct × 1,07


# --- changing the Abschlag while a later plan entry exists (staff 5) -----------------------------------------------


def change(contract: Contract, amount: str, *, keep_later: bool | None, reason: str = "") -> AdvancePaymentChange:
    return services.change_advance_payment(
        contract=contract,
        amount_eur=Decimal(amount),
        reason=reason,
        source="CUSTOMER",
        today=TODAY,
        keep_later=keep_later,
    )


def amounts_due(contract: Contract) -> dict[date, Decimal]:
    return dict(contract.installments.order_by("due_date").values_list("due_date", "amount_eur"))


def plan_amount_on(contract: Contract, day: date) -> Decimal | None:
    return selectors.amount_in_force(list(contract.advance_changes.order_by("valid_from", "id")), day=day)


def test_the_later_entry_is_shown_to_whoever_changes_the_abschlag(contract: Contract) -> None:
    steps = selectors.get_later_plan_steps(contract=contract, as_of=TODAY)

    assert [(step.valid_from, step.amount_eur, step.source_label) for step in steps] == [
        (CHANGE_DAY, Decimal("89.00"), "Preisänderung")
    ]


def test_without_a_decision_about_the_later_entry_nothing_is_written(contract: Contract) -> None:
    before = contract.advance_changes.count()

    with pytest.raises(errors.LaterPlanNeedsDecision, match="ab 01.02.2027"):
        change(contract, "120", keep_later=None)

    assert contract.advance_changes.count() == before
    assert amounts_due(contract)[date(2026, 12, 1)] == Decimal(75)


def test_keeping_the_later_entry_changes_only_the_due_dates_before_it(contract: Contract) -> None:
    new = change(contract, "120", keep_later=True)

    assert (new.valid_from, new.amount_eur) == (date(2026, 12, 1), Decimal(120))
    assert plan_amount_on(contract, date(2027, 1, 1)) == Decimal(120)
    assert plan_amount_on(contract, CHANGE_DAY) == Decimal(89)
    assert amounts_due(contract) == {
        date(2026, 12, 1): Decimal(120),
        date(2027, 1, 1): Decimal(120),
        date(2027, 2, 1): Decimal(89),
        date(2027, 3, 1): Decimal(89),
    }


def test_replacing_the_later_entry_supersedes_it_with_a_new_entry_on_its_day(contract: Contract) -> None:
    new = change(contract, "120", keep_later=False)

    superseding = contract.advance_changes.filter(valid_from=CHANGE_DAY).order_by("-id").first()
    assert superseding is not None and superseding.pk > new.pk
    assert (superseding.amount_eur, superseding.source) == (Decimal(120), "CUSTOMER")
    assert "Ersetzt den geplanten Abschlag von 89,00" in superseding.reason
    assert contract.advance_changes.filter(valid_from=CHANGE_DAY, source="PRICE_CHANGE").exists()  # history kept
    assert plan_amount_on(contract, date(2027, 6, 1)) == Decimal(120)
    assert set(amounts_due(contract).values()) == {Decimal(120)}
    assert selectors.get_later_plan_steps(contract=contract, as_of=TODAY)[0].amount_eur == Decimal(120)


def test_the_message_says_what_applies_when(contract: Contract) -> None:
    later = selectors.get_later_plan_steps(contract=contract, as_of=TODAY)
    new = change(contract, "120", keep_later=True)

    kept = services.describe_advance_change(change=new, later=later, keep_later=True)
    replaced = services.describe_advance_change(change=new, later=later, keep_later=False)

    assert kept == (
        "Ihr Abschlag beträgt ab dem 01.12.2026 120,00\xa0€. Wie geplant gilt dann ab dem 01.02.2027 89,00\xa0€ "
        "(Preisänderung)."
    )
    assert replaced == (
        "Ihr Abschlag beträgt ab dem 01.12.2026 120,00\xa0€. Er gilt auch ab dem 01.02.2027 statt der geplanten "
        "89,00\xa0€ (Preisänderung)."
    )


def test_the_20_percent_rule_compares_with_the_recommendation_for_the_coming_months(contract: Contract) -> None:
    # 88 € recommended (the new prices included): 70,40 € is the lowest amount without a reason; with today's
    # prices alone (83 €) it would be 66,40 €.
    with pytest.raises(errors.ReductionNeedsReason, match="70,40"):
        change(contract, "70", keep_later=True)

    saved = change(contract, "70", keep_later=True, reason="Elternzeit")

    assert saved.needs_review is True
    assert saved.recommended_eur == Decimal(88)


def test_without_later_entries_no_decision_is_needed(contract: Contract) -> None:
    AdvancePaymentChange.objects.filter(contract=contract, valid_from=CHANGE_DAY).delete()

    new = change(contract, "90", keep_later=None)

    assert new.amount_eur == Decimal(90)
    assert set(amounts_due(contract).values()) == {Decimal(90)}


def test_a_later_entry_after_the_end_of_supply_is_not_asked_about(contract: Contract) -> None:
    Contract.objects.filter(pk=contract.pk).update(status="CANCELLED", end_date=date(2027, 1, 15))
    contract.refresh_from_db()

    new = change(contract, "90", keep_later=None)

    assert selectors.get_later_plan_steps(contract=contract, as_of=TODAY) == ()
    assert new.amount_eur == Decimal(90)


def test_the_contract_page_shows_the_latest_change_for_a_due_date_and_the_later_plan(contract: Contract) -> None:
    change(contract, "83.50", keep_later=True)
    change(contract, "60", keep_later=True, reason="Elternzeit")

    detail = selectors.get_contract_detail(contract=contract, as_of=TODAY)

    assert [(step.valid_from, step.amount_eur) for step in detail.upcoming_plan] == [
        (date(2026, 12, 1), Decimal(60)),
        (CHANGE_DAY, Decimal(89)),
    ]
    assert detail.recommended is not None and detail.recommended.installment_eur == Decimal(88)
