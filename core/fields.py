"""Form fields for German input: "1.234,56" and "1234,56" and "1234.56" all mean the same number."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

_THOUSANDS_WITH_DOTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def parse_german_decimal(text: str) -> Decimal:
    """Parse a number typed by a German user.

    A comma is the decimal separator (dots before it group thousands); without a comma, "4.500" (dots in groups of
    three) is four thousand five hundred, and any other single dot is a decimal point ("12.5").

    :raises InvalidOperation: if the text is no number.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS_WITH_DOTS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    number = Decimal(cleaned)
    if not number.is_finite():
        raise InvalidOperation(text)
    return number


class GermanDecimalField(forms.DecimalField):
    """A DecimalField that accepts German number formats and explains errors in German."""

    default_error_messages = {
        "invalid": "Bitte geben Sie eine Zahl ein, zum Beispiel 1.234,56.",
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
