"""The public price-brake calculator form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.fields import GermanDecimalField
from tariffs.models import Commodity, CustomerGroup

# The help text for the forecast names the consumption the commodity's price brake is computed from (DOMAIN.md):
# electricity the current forecast, gas and heat the supplier's forecast of September 2022.
FORECAST_HELP = {
    Commodity.ELECTRICITY: (
        "Ihre Jahresverbrauchsprognose, also der Verbrauch, der für ein Jahr erwartet wird. Sie steht auf Ihrer "
        "letzten Jahresabrechnung, zum Beispiel 3.500."
    ),
    Commodity.GAS: (
        "Für die Gaspreisbremse zählt der Jahresverbrauch, den Ihr Versorger im September 2022 für Sie erwartet hat, "
        "nicht Ihr heutiger, zum Beispiel 15.000. Auf Ihrer Abrechnung für 2023 steht Ihr Entlastungskontingent: "
        "80 % dieses Werts."
    ),
    Commodity.HEAT: (
        "Für die Wärmepreisbremse zählt der Jahresverbrauch, den Ihr Versorger im September 2022 für Sie erwartet "
        "hat, nicht Ihr heutiger, zum Beispiel 13.000. Auf Ihrer Abrechnung für 2023 steht Ihr "
        "Entlastungskontingent: 80 % dieses Werts."
    ),
}

BUSINESS_FIELDS = ("energy_price_net_ct", "consumption_2021_kwh")


class Check(StrEnum):
    """How much of the validation the visitor sees (htmx requests say which; a full page always shows all).

    - ``LIVE``: while typing. A result when the input is complete; no error is shown and no field is marked, only
      fields that are valid again lose their mark.
    - ``CHANGE``: a field was left or a choice made. Errors in what was typed are shown; a field not filled in yet
      is listed as still missing, without an alert.
    - ``SUBMIT``: „Berechnen“ or a full page. Every error is shown.
    """

    LIVE = "live"
    CHANGE = "change"
    SUBMIT = "submit"

    @classmethod
    def parse(cls, value: str | None) -> Check:
        """Return the check a request asks for; anything unknown is a full check."""
        try:
            return cls(value or cls.SUBMIT)
        except ValueError:
            return cls.SUBMIT


class FieldState(StrEnum):
    INVALID = "invalid"  # mark the field and show the messages
    VALID = "valid"  # remove a mark
    KEEP = "keep"  # leave the field as it is (the visitor may still be typing)


@dataclass(frozen=True, slots=True)
class FieldFeedback:
    name: str
    id_for_label: str
    label: str
    state: FieldState
    messages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the calculator tells the visitor about the input, besides the result."""

    fields: tuple[FieldFeedback, ...]
    missing: tuple[str, ...]  # labels of required fields not filled in yet (shown without an alert)
    general: tuple[str, ...]  # messages that belong to no single field

    @property
    def invalid(self) -> tuple[FieldFeedback, ...]:
        return tuple(field for field in self.fields if field.state is FieldState.INVALID)


class NumberWithUnit(GermanDecimalField):
    """A German number that may carry the unit it is printed with on a bill ("3.500 kWh", "45,50 ct").

    The unit is dropped; anything else that is no number gets the field's "invalid" message, which asks for the
    number alone. ``foreign_units`` are units that mean a different scale (euros in a field in cents): they are
    refused with the field's "wrong_unit" message rather than read as the wrong amount.
    """

    def __init__(self, *, units: tuple[str, ...], foreign_units: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unit_suffix = re.compile(r"\s*(?:" + "|".join(units) + r")\.?\s*$", re.IGNORECASE)
        self.foreign_units = foreign_units

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            if any(unit in value.casefold() for unit in self.foreign_units):
                raise ValidationError(self.error_messages["wrong_unit"], code="wrong_unit")
            value = self.unit_suffix.sub("", value)
        return super().to_python(value)


_KWH = (r"kwh", r"kilowattstunden?")
_CT_PER_KWH = (r"(?:ct|cent)\s*(?:/|je|pro)\s*kwh", r"ct", r"cent")
_EUR_PER_YEAR = (r"(?:€|eur|euro)\s*(?:/|im|je|pro)\s*jahr", r"€", r"eur", r"euro")


class ReliefCalculator(forms.Form):
    commodity = forms.ChoiceField(
        label="Sparte",
        choices=Commodity.choices,
        initial=Commodity.ELECTRICITY,
        error_messages={
            "required": "Bitte wählen Sie Strom, Gas oder Wärme.",
            "invalid_choice": "Bitte wählen Sie Strom, Gas oder Wärme.",
        },
    )
    forecast_kwh = NumberWithUnit(
        label="Erwarteter Jahresverbrauch (kWh)",
        help_text=FORECAST_HELP[Commodity.ELECTRICITY],
        units=_KWH,
        min_value=Decimal(1),
        max_value=Decimal(10_000_000),
        decimal_places=0,
        error_messages={
            "required": "Bitte geben Sie Ihren Jahresverbrauch in kWh ein.",
            "invalid": "Bitte geben Sie eine Zahl ein, nur die Kilowattstunden, zum Beispiel 3.500.",
            "max_decimal_places": "Bitte geben Sie den Verbrauch in ganzen kWh ein, zum Beispiel 3.500.",
        },
    )
    working_price_ct = NumberWithUnit(
        label="Arbeitspreis brutto (ct/kWh)",
        help_text="Der Preis je Kilowattstunde mit Umsatzsteuer, in Cent, zum Beispiel 45,50.",
        units=_CT_PER_KWH,
        foreign_units=("€", "eur"),
        min_value=Decimal(0),
        max_value=Decimal(500),
        decimal_places=4,
        error_messages={
            "required": "Bitte geben Sie Ihren Arbeitspreis in Cent je kWh ein.",
            "invalid": "Bitte geben Sie eine Zahl ein, nur die Cent je kWh, zum Beispiel 45,50.",
            "wrong_unit": "Bitte geben Sie den Preis in Cent je kWh ein, nicht in Euro: 0,4550 € sind 45,50 ct.",
        },
    )
    base_price_eur_year = NumberWithUnit(
        label="Grundpreis brutto (€/Jahr)",
        help_text="Optional. Der feste Preis pro Jahr mit Umsatzsteuer.",
        units=_EUR_PER_YEAR,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100_000),
        decimal_places=2,
        error_messages={"invalid": "Bitte geben Sie eine Zahl ein, nur den Betrag in Euro, zum Beispiel 120,00."},
    )
    installments = forms.TypedChoiceField(
        label="Abschläge pro Jahr",
        choices=[(12, "12"), (11, "11"), (10, "10")],
        coerce=int,
        initial=12,
        required=False,
        empty_value=12,  # type: ignore[arg-type]  # missing means the usual 12 instalments
        error_messages={"invalid_choice": "Bitte wählen Sie 10, 11 oder 12 Abschläge."},
    )
    # The rule of `manage.py relief_quote --rounding`: whole euros unless cents are asked for (DOMAIN.md, advance
    # payment: whole euros by default, as the BMWK examples; the heat example is published in cents).
    rounding = forms.ChoiceField(
        label="Abschlag runden auf",
        choices=[("euro", "volle Euro (üblich)"), ("cent", "den Cent genau")],
        initial="euro",
        required=False,
        widget=forms.RadioSelect,
        help_text="Die meisten Versorger runden den Abschlag auf volle Euro, manche rechnen ihn auf den Cent genau.",
        error_messages={"invalid_choice": "Bitte wählen Sie „volle Euro“ oder „den Cent genau“."},
    )
    customer_group = forms.ChoiceField(
        label="Kundengruppe",
        choices=CustomerGroup.choices,
        initial=CustomerGroup.HOUSEHOLD,
        required=False,
        error_messages={"invalid_choice": "Bitte wählen Sie Haushalt oder Gewerbe."},
    )
    # Only for a business above the threshold of the large-consumer schemes (the view asks for them then).
    energy_price_net_ct = NumberWithUnit(
        label="Energiepreis netto (ct/kWh)",
        help_text=(
            "Nur der Preis für die Energie selbst, ohne Netzentgelte, Messentgelte, Steuern, Abgaben, Umlagen und "
            "Umsatzsteuer. Er steht in Ihrem Liefervertrag oder als eigene Zeile auf Ihrer Rechnung, zum Beispiel "
            "20,50."
        ),
        units=_CT_PER_KWH,
        foreign_units=("€", "eur"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(500),
        decimal_places=4,
        error_messages={
            "invalid": "Bitte geben Sie eine Zahl ein, nur die Cent je kWh, zum Beispiel 20,50.",
            "wrong_unit": "Bitte geben Sie den Preis in Cent je kWh ein, nicht in Euro: 0,2050 € sind 20,50 ct.",
        },
    )
    consumption_2021_kwh = NumberWithUnit(
        label="Verbrauch im Jahr 2021 (kWh)",
        help_text="Der gemessene Verbrauch des ganzen Jahres 2021 an dieser Lieferstelle, zum Beispiel 40.000.",
        units=_KWH,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(10_000_000_000),
        decimal_places=0,
        error_messages={
            "invalid": "Bitte geben Sie eine Zahl ein, nur die Kilowattstunden, zum Beispiel 40.000.",
            "max_decimal_places": "Bitte geben Sie den Verbrauch in ganzen kWh ein, zum Beispiel 40.000.",
        },
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            # A household's answers in the (hidden) business fields are no input: they neither count nor fail.
            if data.get("customer_group") != CustomerGroup.BUSINESS:
                for name in BUSINESS_FIELDS:
                    data.pop(name, None)
            if not data.get("rounding"):
                data["rounding"] = "euro"  # as `relief_quote --rounding`; shown as the chosen radio button
        super().__init__(data, **kwargs)
        commodity = (data or {}).get("commodity")
        self.fields["forecast_kwh"].help_text = FORECAST_HELP[
            Commodity(commodity) if commodity in Commodity.values else Commodity.ELECTRICITY
        ]

    @property
    def is_business(self) -> bool:
        """Tell whether the visitor chose „Gewerbe“ (the business fields are shown then)."""
        return self.is_bound and self.data.get("customer_group") == CustomerGroup.BUSINESS

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in BUSINESS_FIELDS]

    def business_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in BUSINESS_FIELDS]

    def feedback(self, check: Check) -> Feedback:
        """Return per field what to show for the ``check`` (call after ``is_valid()``)."""
        fields, missing = [], []
        for name, field in self.fields.items():
            errors = self.errors.get(name)
            state, messages = FieldState.VALID, tuple[str, ...]()
            if errors:
                codes = {error.code for error in self.errors.as_data()[name]}
                if check is Check.LIVE or (check is Check.CHANGE and codes == {"required"}):
                    state = FieldState.KEEP
                    if codes == {"required"}:
                        missing.append(str(field.label))
                else:
                    state, messages = FieldState.INVALID, tuple(str(error) for error in errors)
            fields.append(
                FieldFeedback(
                    name=name,
                    id_for_label=self[name].id_for_label,
                    label=str(field.label),
                    state=state,
                    messages=messages,
                )
            )
        return Feedback(
            fields=tuple(fields),
            missing=tuple(missing),
            general=tuple(str(error) for error in self.non_field_errors()),
        )
