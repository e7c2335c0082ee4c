"""A customer's own Abschlag follows a price change in proportion, rounded like a recommendation."""

from __future__ import annotations

from decimal import Decimal

from tariffs.domain import advance
from tariffs.domain.money import Rounding


def scaled(chosen: str, old: str, new: str, rounding: Rounding = Rounding.EURO) -> Decimal:
    return advance.scale_chosen_installment(
        chosen_eur=Decimal(chosen),
        old_recommended_eur=Decimal(old),
        new_recommended_eur=Decimal(new),
        rounding=rounding,
    )


def test_the_chosen_amount_keeps_its_proportion_to_the_recommendation() -> None:
    assert scaled("75.00", "83.00", "89.00") == Decimal("80.00")  # 80.42


def test_half_a_euro_rounds_up_and_just_below_rounds_down() -> None:
    assert scaled("50.00", "100.00", "101.00") == Decimal("51.00")  # 50.50
    assert scaled("49.99", "100.00", "101.00") == Decimal("50.00")  # 50.4899


def test_cent_rounding_rounds_half_up_to_the_cent() -> None:
    assert scaled("75.00", "83.00", "89.00", Rounding.CENT) == Decimal("80.42")  # 80.4216…
    assert scaled("10.01", "2.00", "1.00", Rounding.CENT) == Decimal("5.01")  # 5.005


def test_without_an_old_recommendation_the_new_one_applies() -> None:
    assert scaled("75.00", "0.00", "89.00") == Decimal("89.00")
