"""German number, money and date formatting for explanations, bills and the ``money`` template filter.

A no-break space (U+00A0) always separates a number from its unit ("1.234,56 €", "3.600 kWh", "80 %"), so a line
break never tears "3.600" from "kWh" (DIN 5008). Equal Decimals format alike, so the number formatters are cached:
explanations repeat the same amounts many times.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from tariffs.domain.money import CENT

NBSP = "\u00a0"
MONTH_NAMES_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)

_POWERS_OF_TEN = tuple(10**places for places in range(5))


def _german_number(value: Decimal, *, min_places: int, max_places: int) -> str:
    """Round half-up to ``max_places`` decimals and format German style ("1.234,5"), dropping trailing zeros of the
    decimals down to ``min_places``. Works on integers, which is several times faster than Decimal.__format__."""
    scaled = int(value.scaleb(max_places).to_integral_value(ROUND_HALF_UP))
    whole, fraction = divmod(-scaled if scaled < 0 else scaled, _POWERS_OF_TEN[max_places])
    text = f"{whole:,}".replace(",", ".")
    if max_places:
        digits = f"{fraction:0{max_places}d}"
        if max_places > min_places:
            digits = digits[:min_places] + digits[min_places:].rstrip("0")
        if digits:
            text = f"{text},{digits}"
    return "-" + text if scaled < 0 else text


@lru_cache(maxsize=4096)
def format_eur(amount: Decimal) -> str:
    """Format a euro amount as "1.234,56 €" (always 2 decimals, rounded half-up; negative as "-1.234,56 €")."""
    return _german_number(amount, min_places=2, max_places=2) + NBSP + "€"


@lru_cache(maxsize=4096)
def format_ct(price_ct: Decimal) -> str:
    """Format a price per kWh as "40,00 ct/kWh": at least 2 decimals, up to 4 when they are significant."""
    return _german_number(price_ct, min_places=2, max_places=4) + NBSP + "ct/kWh"


@lru_cache(maxsize=4096)
def format_kwh(quantity_kwh: Decimal) -> str:
    """Format an energy quantity as "3.600 kWh"; decimals (up to 3) only when it is not a whole number."""
    return _german_number(quantity_kwh, min_places=0, max_places=3) + NBSP + "kWh"


@lru_cache(maxsize=4096)
def format_percent(share: Decimal) -> str:
    """Format a share (0.8) as "80 %"; decimals (up to 2) only when needed, e.g. "19,5 %"."""
    return _german_number(share * 100, min_places=0, max_places=2) + NBSP + "%"


def format_days(days: int) -> str:
    """Format a number of days as "1 Tag" or "181 Tage"."""
    return f"1{NBSP}Tag" if days == 1 else f"{days}{NBSP}Tage"


def format_date(day: date) -> str:
    """Format a date as "21.11.2026"."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def format_month(year: int, month: int) -> str:
    """Format a month as "März 2023"."""
    return f"{MONTH_NAMES_DE[month - 1]} {year}"


def equals_sign(value: Decimal, places: Decimal = CENT) -> str:
    """Return "=" when ``value`` shows exactly with ``places`` decimals, else "≈" (it is rounded for display)."""
    return "=" if value == value.quantize(places, rounding=ROUND_HALF_UP) else "≈"


def format_number(value: Decimal, *, max_places: int = 3) -> str:
    """Format a plain number German style ("12.345,6"): decimals (up to ``max_places``) only when needed."""
    return _german_number(value, min_places=0, max_places=max_places)
