"""Errors the customer services raise; views turn them into German form errors (the messages are German)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tariffs.domain.advance import MAX_INCREASE_WITHOUT_CONFIRMATION
from tariffs.domain.formatting import format_date, format_eur, format_number


class CustomerActionRefused(Exception):
    """Base class: the message is a German sentence for the customer."""


class ReadingBelowPrevious(CustomerActionRefused):
    def __init__(
        self, *, previous_value: Decimal, previous_date: date, unit: str, previous_correctable: bool = False
    ) -> None:
        hint = (
            f" Wenn der Stand vom {format_date(previous_date)} falsch war, korrigieren Sie ihn: Geben Sie als "
            f"Ablesedatum den {format_date(previous_date)} an."
            if previous_correctable
            else ""
        )
        super().__init__(
            f"Der Zählerstand ist niedriger als der letzte "
            f"({format_number(previous_value)} {unit} am {format_date(previous_date)}). "
            "Bitte prüfen Sie die Ziffern vor dem Komma." + hint
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
            f"Für den {format_date(read_date)} liegt schon ein Zählerstand vor. Pro Tag können wir nur einen "
            "Zählerstand annehmen. Wenn er nicht stimmt, sagen Sie bitte unserem Kundenservice Bescheid; wir "
            "korrigieren ihn."
        )


class ReadingCanBeReplaced(CustomerActionRefused):
    """The customer's own reading for the day may be replaced (selectors.reading_is_correctable): ask first."""

    def __init__(self, *, read_date: date, existing_value: Decimal, new_value: Decimal, unit: str) -> None:
        super().__init__(
            f"Für den {format_date(read_date)} haben Sie schon {format_number(existing_value)} {unit} gemeldet. "
            f"Möchten Sie diesen Stand durch {format_number(new_value)} {unit} ersetzen? Dann bestätigen Sie das "
            "bitte."
        )
        self.read_date = read_date
        self.existing_value = existing_value
        self.new_value = new_value
        self.unit = unit


class ReadingLooksImplausible(CustomerActionRefused):
    """The reading gives far more consumption than expected (more than 3 × the forecast's daily rate): most likely a
    typing slip. Nothing is saved until the customer confirms it; a confirmed one is saved „wird geprüft“."""

    def __init__(
        self, *, value: Decimal, unit: str, consumption_kwh: Decimal, expected_kwh: Decimal, since: date
    ) -> None:
        super().__init__(
            f"Stimmt dieser Stand? Mit {format_number(value)} {unit} hätten Sie seit dem {format_date(since)} "
            f"{format_number(consumption_kwh.quantize(Decimal(1)))} kWh verbraucht – erwartet hätten wir etwa "
            f"{format_number(expected_kwh.quantize(Decimal(1)))} kWh. Bitte prüfen Sie die Ziffern vor dem Komma und "
            "korrigieren Sie den Stand. Wenn er stimmt, bestätigen Sie ihn bitte; dann schauen wir ihn uns an."
        )
        self.value = value
        self.unit = unit


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


class LaterPlanNeedsDecision(CustomerActionRefused):
    """The plan has a later entry (e.g. a new Abschlag for a price change): keep it, or let the new amount replace
    it."""

    def __init__(self, *, later_dates: list[date]) -> None:
        dates = ", ".join(format_date(day) for day in later_dates)
        super().__init__(
            f"Im Abschlagsplan steht schon eine spätere Änderung (ab {dates}). Bitte wählen Sie, ob sie bleiben oder "
            "ob Ihr neuer Abschlag auch danach gelten soll."
        )


class NoAbschlagBeforeSupplyEnds(CustomerActionRefused):
    """Supply ends before the next due date: no Abschlag is left that a change could apply to."""

    def __init__(self, *, last_supply_day: date) -> None:
        super().__init__(
            f"Bis zum Lieferende am {format_date(last_supply_day)} ist kein Abschlag mehr fällig. "
            "Was Sie bis dahin verbrauchen, rechnen wir mit der Schlussrechnung ab."
        )


class AmountNeedsConfirmation(CustomerActionRefused):
    """The chosen Abschlag is far above the calculated one: it is saved only once confirmed."""

    def __init__(self, *, amount_eur: Decimal, recommended_eur: Decimal) -> None:
        factor = format_number(MAX_INCREASE_WITHOUT_CONFIRMATION, max_places=0)
        super().__init__(
            f"{format_eur(amount_eur)} im Monat ist mehr als {factor}-mal so viel wie der berechnete Abschlag von "
            f"{format_eur(recommended_eur)}. Bitte prüfen Sie den Betrag. Wenn er stimmt, bestätigen Sie ihn bitte."
        )
        self.amount_eur = amount_eur
        self.recommended_eur = recommended_eur
