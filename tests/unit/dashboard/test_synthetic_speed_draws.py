"""The synthetic population's fast random draws give exactly what random.Random gives for the same seed (no DB)."""

from __future__ import annotations

import random

import pytest

from contacts.synthetic import Draws


def test_fast_draws_equal_random_for_the_same_seed() -> None:
    fast, plain = Draws(42), random.Random(42)
    seq = ("Strom", "Gas", "Wärme", "PV", "E-Mobilität")

    fast_draws = [(fast.randint(0, 59), fast.randint(1500, 5000), fast.randrange(1826), fast.choice(seq),
                   fast.random(), fast.randint(7, 7)) for _ in range(5_000)]  # fmt: skip
    plain_draws = [(plain.randint(0, 59), plain.randint(1500, 5000), plain.randrange(1826), plain.choice(seq),
                    plain.random(), plain.randint(7, 7)) for _ in range(5_000)]  # fmt: skip

    assert fast_draws == plain_draws


def test_other_draws_stay_those_of_random() -> None:
    fast, plain = Draws(7), random.Random(7)

    assert [fast.randrange(3, 30, 3) for _ in range(100)] == [plain.randrange(3, 30, 3) for _ in range(100)]
    assert fast.sample(range(10), 3) == plain.sample(range(10), 3)
    assert fast.gauss(10, 2) == plain.gauss(10, 2)


def test_empty_ranges_are_refused_instead_of_drawing_forever() -> None:
    draws = Draws(1)

    with pytest.raises(IndexError):
        draws.choice([])
    with pytest.raises(ValueError, match="empty range"):
        draws.randint(5, 4)
    with pytest.raises(ValueError, match="empty range"):
        draws.randrange(0)
