"""Form fields for German input: "1.234,56" and "1234,56" and "1234.56" all mean the same number."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

_THOUSANDS_WITH_DOTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
# Digits with dots and at most one comma, an optional sign: no exponent ("1e4"), no "NaN", "Infinity" or "1_000",
# which Decimal() would accept.
_NUMBER = re.compile(r"^[+-]?[0-9.]*,?[0-9]*$")


def parse_german_decimal(text: str) -> Decimal:
    """Parse a number typed by a German user.

    A comma is the decimal separator (dots before it group thousands); without a comma, "4.500" (dots in groups of
    three) is four thousand five hundred, and any other single dot is a decimal point ("12.5"). Only digits, dots,
    one comma and a leading sign count: "1e4", "NaN" and "Infinity" are no numbers here.

    :raises InvalidOperation: if the text is no number.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
    if not _NUMBER.match(cleaned) or not any(character.isdigit() for character in cleaned):
        raise InvalidOperation(text)
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS_WITH_DOTS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    number = Decimal(cleaned)
    if not number.is_finite():
        raise InvalidOperation(text)
    return number


def format_german_number(value: Decimal | int) -> str:
    """Format a limit for a message German style: "100.000", "0,5" (core cannot use tariffs' formatting)."""
    text = f"{abs(Decimal(value)).normalize():f}"
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return ("-" if value < 0 else "") + grouped + (f",{fraction}" if fraction else "")


class GermanDecimalField(forms.DecimalField):
    """A DecimalField that accepts German number formats and explains errors in German."""

    default_error_messages = {
        "invalid": "Bitte geben Sie eine Zahl ein, z. B. 1.234,5.",
        "max_decimal_places": "Bitte höchstens %(max)s Nachkommastellen angeben.",
        "max_digits": "Diese Zahl ist zu lang.",
        "max_whole_digits": "Diese Zahl ist zu groß.",
        "min_value": "Der Wert darf nicht kleiner als %(limit_value)s sein.",
        "max_value": "Der Wert darf nicht größer als %(limit_value)s sein.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_german_decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def run_validators(self, value: Any) -> None:
        """Run the validators, showing their limits German style ("100.000", not "100000")."""
        try:
            super().run_validators(value)
        except ValidationError as error:
            for item in error.error_list:
                params = item.params
                if isinstance(params, dict) and isinstance(params.get("limit_value"), Decimal | int):
                    item.params = {**params, "limit_value": format_german_number(params["limit_value"])}
            raise
