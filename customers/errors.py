"""Errors the customer services raise; views turn them into German form errors (the messages are German)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tariffs.domain.formatting import format_date, format_eur, format_number


class CustomerActionRefused(Exception):
    """Base class: the message is a German sentence for the customer."""


class ReadingBelowPrevious(CustomerActionRefused):
    def __init__(self, *, previous_value: Decimal, previous_date: date, unit: str) -> None:
        super().__init__(
            f"Der Zählerstand ist niedriger als der letzte "
            f"({format_number(previous_value)} {unit} am {format_date(previous_date)}). "
            "Bitte prüfen Sie die Ziffern vor dem Komma."
        )
        self.previous_value = previous_value
        self.previous_date = previous_date


class ReadingInFuture(CustomerActionRefused):
    def __init__(self, read_date: date) -> None:
        super().__init__(f"Das Ablesedatum {format_date(read_date)} liegt in der Zukunft.")


class ReadingBeforeContractStart(CustomerActionRefused):
    def __init__(self, start_date: date) -> None:
        super().__init__(
            f"Das Ablesedatum liegt vor dem Lieferbeginn am {format_date(start_date)}. "
            "Für diesen Tag können wir keinen Zählerstand annehmen."
        )


class ReadingAfterContractEnd(CustomerActionRefused):
    def __init__(self, end_date: date) -> None:
        super().__init__(f"Das Ablesedatum liegt nach dem Lieferende am {format_date(end_date)}.")


class ReadingAlreadyExists(CustomerActionRefused):
    def __init__(self, read_date: date) -> None:
        super().__init__(
            f"Für den {format_date(read_date)} liegt schon ein Zählerstand vor. "
            "Pro Tag können wir nur einen Zählerstand annehmen; bei einem Fehler rufen Sie uns bitte an."
        )


class ContractNotActive(CustomerActionRefused):
    def __init__(self) -> None:
        super().__init__("Dieser Vertrag ist nicht mehr aktiv; diese Änderung ist nicht mehr möglich.")


class ReductionNeedsReason(CustomerActionRefused):
    def __init__(self, *, minimum_eur: Decimal) -> None:
        super().__init__(
            f"Ein Abschlag unter {format_eur(minimum_eur)} liegt mehr als 20 % unter dem berechneten Betrag. "
            "Bitte nennen Sie kurz den Grund, damit wir ihn prüfen können."
        )


class ReadingAboveNext(CustomerActionRefused):
    def __init__(self, *, next_value: Decimal, next_date: date, unit: str) -> None:
        super().__init__(
            f"Der Zählerstand ist höher als ein späterer Zählerstand "
            f"({format_number(next_value)} {unit} am {format_date(next_date)}). Bitte prüfen Sie das Datum."
        )
