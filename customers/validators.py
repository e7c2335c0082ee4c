"""Identifier checks: MaLo-ID with its check digit (DOMAIN.md, identifiers), IBAN via schwifty."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

_MALO = re.compile(r"^[1-9][0-9]{10}$")


def malo_check_digit(first_ten: str) -> int:
    """Return the check digit of a MaLo-ID from its first ten digits (not Luhn: odd positions + 2 × even ones)."""
    odd = sum(int(digit) for digit in first_ten[0::2])
    even = sum(int(digit) for digit in first_ten[1::2])
    return (10 - (odd + 2 * even) % 10) % 10


def is_valid_malo_id(value: str) -> bool:
    """Tell whether the value is an 11-digit MaLo-ID with the right check digit."""
    return bool(_MALO.match(value)) and malo_check_digit(value[:10]) == int(value[10])


def validate_malo_id(value: str) -> None:
    if not is_valid_malo_id(value):
        raise ValidationError(
            "Die Marktlokations-ID muss aus 11 Ziffern bestehen und eine gültige Prüfziffer haben.", code="malo_id"
        )


def normalize_iban(value: str) -> str:
    """Return the IBAN in compact form (DE89370400440532013000).

    :raises ValidationError: with a German message if the IBAN is not valid.
    """
    try:
        return str(IBAN(value).compact)
    except SchwiftyException:
        raise ValidationError(
            "Diese IBAN ist nicht gültig. Bitte prüfen Sie Länderkennung, Prüfziffer und Länge.", code="iban"
        ) from None
