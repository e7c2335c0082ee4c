"""The one money filter and its siblings: `{{ amount|eur }}` → "1.234,56 €", `|ct` → "40,00 ct/kWh", `|ct_exact`,
`|kwh`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from tariffs.domain import formatting
from tariffs.domain.money import CENT

register = template.Library()


@register.filter
def eur(value: Decimal | int | None) -> str:
    """Format euros German style with two decimals; empty for None."""
    return "" if value is None else formatting.format_eur(Decimal(value))


@register.filter
def ct(value: Decimal | None) -> str:
    """Format a gross price for customers in ct/kWh, rounded half-up to 2 decimals as tariffs are published.

    Prices are stored net with 4 decimals; net × 1.19 rarely lands on a round gross price (26.8908 ct net gives
    32.0001 ct gross), and customers compare with the 2-decimal prices in price sheets. Calculations keep 4 decimals.
    """
    return "" if value is None else formatting.format_ct(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


@register.filter
def ct_exact(value: Decimal | None) -> str:
    """Format a price in ct/kWh as calculated (up to 4 decimals), for bill lines: quantity × this price gives the
    line's amount, as on the PDF; ``ct`` is for comparing with published 2-decimal price sheets."""
    return "" if value is None else formatting.format_ct(Decimal(value))


@register.filter
def kwh(value: Decimal | int | None) -> str:
    """Format an amount of energy in kWh with thousands separators."""
    return "" if value is None else formatting.format_kwh(Decimal(value))


@register.filter
def eur_abs(value: Decimal | int | None) -> str:
    """Format the absolute amount (for "Guthaben 12,34 €", where the sign is in the word)."""
    return "" if value is None else formatting.format_eur(abs(Decimal(value)))


@register.filter
def number(value: Decimal | int | None) -> str:
    """Format a plain number German style ("12.345,6"), e.g. a meter reading."""
    return "" if value is None else formatting.format_number(Decimal(value))
