from datetime import date
from decimal import Decimal

from tariffs.domain import formatting, money

NBSP = "\u00a0"


def test_euro_amounts_have_thousands_dots_a_decimal_comma_and_a_no_break_space_before_the_sign():
    assert formatting.format_eur(Decimal("1234.56")) == f"1.234,56{NBSP}€"


def test_negative_euro_amounts_keep_their_minus_sign():
    assert formatting.format_eur(Decimal("-1234.56")) == f"-1.234,56{NBSP}€"


def test_euro_amounts_always_show_two_decimals():
    assert formatting.format_eur(Decimal("154")) == f"154,00{NBSP}€"


def test_a_half_cent_is_shown_rounded_up_and_a_tiny_negative_amount_as_plain_zero():
    assert formatting.format_eur(Decimal("0.005")) == f"0,01{NBSP}€"
    assert formatting.format_eur(Decimal("-0.001")) == f"0,00{NBSP}€"


def test_prices_per_kwh_show_at_least_two_and_at_most_four_decimals():
    assert formatting.format_ct(Decimal("40")) == f"40,00{NBSP}ct/kWh"
    assert formatting.format_ct(Decimal("5.5")) == f"5,50{NBSP}ct/kWh"
    assert formatting.format_ct(Decimal("12.3450")) == f"12,345{NBSP}ct/kWh"
    assert formatting.format_ct(Decimal("12.34565")) == f"12,3457{NBSP}ct/kWh"


def test_kwh_show_decimals_only_when_they_are_not_whole():
    assert formatting.format_kwh(Decimal("3600")) == f"3.600{NBSP}kWh"
    assert formatting.format_kwh(Decimal("1234.50")) == f"1.234,5{NBSP}kWh"
    assert formatting.format_kwh(Decimal("1500000")) == f"1.500.000{NBSP}kWh"


def test_shares_are_shown_as_percent():
    assert formatting.format_percent(Decimal("0.80")) == f"80{NBSP}%"
    assert formatting.format_percent(Decimal("0.07")) == f"7{NBSP}%"
    assert formatting.format_percent(Decimal("0.195")) == f"19,5{NBSP}%"


def test_dates_and_months_are_german():
    assert formatting.format_date(date(2026, 11, 21)) == "21.11.2026"
    assert formatting.format_month(2023, 3) == "März 2023"


def test_round_cent_rounds_a_half_cent_up_not_to_even():
    assert money.round_cent(Decimal("12.345")) == Decimal("12.35")
    assert money.round_cent(Decimal("12.355")) == Decimal("12.36")


def test_round_to_whole_euros_rounds_112_50_up_to_113_and_keeps_two_decimals():
    rounded = money.round_to(Decimal("112.50"), money.Rounding.EURO)

    assert rounded == Decimal("113")
    assert str(rounded) == "113.00"


def test_a_positive_balance_is_an_additional_payment_and_a_negative_one_a_credit():
    assert money.balance_kind(Decimal("0.01")) is money.BalanceKind.ADDITIONAL_PAYMENT
    assert money.balance_kind(Decimal("-0.01")) is money.BalanceKind.CREDIT
    assert money.balance_kind(Decimal("0.00")) is money.BalanceKind.SETTLED
