"""German public holidays computed from the calendar (core.holidays), checked against the official lists 2026–2028."""

from __future__ import annotations

from datetime import date

import pytest

from core import holidays

BW_HOLIDAYS = {
    2026: {
        date(2026, 1, 1): "Neujahr",
        date(2026, 1, 6): "Heilige Drei Könige",
        date(2026, 4, 3): "Karfreitag",
        date(2026, 4, 6): "Ostermontag",
        date(2026, 5, 1): "Tag der Arbeit",
        date(2026, 5, 14): "Christi Himmelfahrt",
        date(2026, 5, 25): "Pfingstmontag",
        date(2026, 6, 4): "Fronleichnam",
        date(2026, 10, 3): "Tag der Deutschen Einheit",
        date(2026, 11, 1): "Allerheiligen",
        date(2026, 12, 25): "1. Weihnachtstag",
        date(2026, 12, 26): "2. Weihnachtstag",
    },
    2027: {
        date(2027, 1, 1): "Neujahr",
        date(2027, 1, 6): "Heilige Drei Könige",
        date(2027, 3, 26): "Karfreitag",
        date(2027, 3, 29): "Ostermontag",
        date(2027, 5, 1): "Tag der Arbeit",
        date(2027, 5, 6): "Christi Himmelfahrt",
        date(2027, 5, 17): "Pfingstmontag",
        date(2027, 5, 27): "Fronleichnam",
        date(2027, 10, 3): "Tag der Deutschen Einheit",
        date(2027, 11, 1): "Allerheiligen",
        date(2027, 12, 25): "1. Weihnachtstag",
        date(2027, 12, 26): "2. Weihnachtstag",
    },
    2028: {
        date(2028, 1, 1): "Neujahr",
        date(2028, 1, 6): "Heilige Drei Könige",
        date(2028, 4, 14): "Karfreitag",
        date(2028, 4, 17): "Ostermontag",
        date(2028, 5, 1): "Tag der Arbeit",
        date(2028, 5, 25): "Christi Himmelfahrt",
        date(2028, 6, 5): "Pfingstmontag",
        date(2028, 6, 15): "Fronleichnam",
        date(2028, 10, 3): "Tag der Deutschen Einheit",
        date(2028, 11, 1): "Allerheiligen",
        date(2028, 12, 25): "1. Weihnachtstag",
        date(2028, 12, 26): "2. Weihnachtstag",
    },
}


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2028, date(2028, 4, 16)),
        (2019, date(2019, 4, 21)),
        (2285, date(2285, 3, 22)),  # the earliest possible date
        (2038, date(2038, 4, 25)),  # the latest possible date
    ],
)
def test_easter_sunday_follows_the_gregorian_computus(year: int, easter: date) -> None:
    assert holidays.easter_sunday(year) == easter


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_baden_wuerttemberg_has_its_twelve_holidays(year: int) -> None:
    assert holidays.public_holidays(year, "BW") == BW_HOLIDAYS[year]


@pytest.mark.parametrize(
    ("day", "state", "name"),
    [
        (date(2026, 10, 31), "NI", "Reformationstag"),
        (date(2026, 10, 31), "BW", None),
        (date(2026, 11, 1), "NW", "Allerheiligen"),
        (date(2026, 11, 1), "HH", None),
        (date(2026, 6, 4), "HE", "Fronleichnam"),
        (date(2026, 6, 4), "BE", None),
        (date(2027, 3, 8), "BE", "Internationaler Frauentag"),
        (date(2027, 3, 8), "MV", "Internationaler Frauentag"),
        (date(2022, 3, 8), "MV", None),  # in Mecklenburg-Vorpommern only since 2023
        (date(2027, 9, 20), "TH", "Weltkindertag"),
        (date(2027, 8, 15), "SL", "Mariä Himmelfahrt"),
        (date(2026, 11, 18), "SN", "Buß- und Bettag"),
        (date(2027, 11, 17), "SN", "Buß- und Bettag"),
        (date(2028, 11, 22), "SN", "Buß- und Bettag"),  # 22 November itself when it is a Wednesday
        (date(2026, 11, 18), "BW", None),
        (date(2026, 12, 24), "BW", None),  # Heiligabend is no public holiday
    ],
)
def test_state_holidays_hold_only_in_their_states(day: date, state: str, name: str | None) -> None:
    assert holidays.holiday_name(day, state) == name


def test_two_holidays_on_one_day_are_named_together() -> None:
    assert holidays.holiday_name(date(2008, 5, 1), "BW") == "Christi Himmelfahrt und Tag der Arbeit"


def test_the_next_working_day_skips_weekends_and_holidays() -> None:
    assert holidays.next_working_day(date(2026, 12, 25), "BW") == date(2026, 12, 28)  # Fri holiday, Sat, Sun
    assert holidays.next_working_day(date(2027, 1, 6), "BW") == date(2027, 1, 7)
    assert holidays.next_working_day(date(2027, 1, 6), "NW") == date(2027, 1, 6)
    assert holidays.next_working_day(date(2028, 4, 14), "BW") == date(2028, 4, 18)  # Karfreitag to Ostermontag


def test_every_state_has_the_nine_nationwide_holidays() -> None:
    nationwide = {"Neujahr", "Karfreitag", "Ostermontag", "Tag der Arbeit", "Christi Himmelfahrt", "Pfingstmontag",
                  "Tag der Deutschen Einheit", "1. Weihnachtstag", "2. Weihnachtstag"}  # fmt: skip
    for state in holidays.STATES:
        assert nationwide <= set(holidays.public_holidays(2027, state).values()), state


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(holidays.UnknownState, match="'XX' is not a German state code"):
        holidays.holiday_name(date(2026, 12, 25), "XX")
