"""Explanation steps: how an amount came about, in words a customer-service agent can read aloud.

Every result has an ``explanation`` property that renders its steps from the result's own fields when it is read.
The calculation itself never pays for German text (see benchmarks/bench_tariffs.py); the steps are rendered anew on
each access (immutable results, slotted frozen dataclasses or NamedTuples, cannot cache), so read the property once
and keep the tuple.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a calculation.

    ``text`` is a plain German sentence, ``formula`` the arithmetic ("3.600 kWh × 10,00 ct/kWh = 360,00 €", may be
    empty) and ``amount`` the euro amount the step arrives at (None when the step's result is not in euros).
    """

    text: str
    formula: str = ""
    amount: Decimal | None = None


Explanation = tuple[Step, ...]
