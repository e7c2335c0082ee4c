"""German public holidays (gesetzliche Feiertage) per Bundesland, computed from the calendar: no data, no dependency.

Pure functions of the year and the state code (ISO 3166-2:DE without "DE-": BW, BY, BE, …). The movable holidays
follow Easter Sunday (Gregorian computus); the fixed ones are listed with the states that keep them. The rules are
the laws as they stand (Internationaler Frauentag in Berlin since 2019 and in Mecklenburg-Vorpommern since 2023,
Weltkindertag in Thüringen since 2019, Reformationstag in the four northern states since 2018); one-off holidays
(Reformationstag 2017 everywhere, 8 May 2020 and 2025 in Berlin) and holidays of single towns or Catholic
communities only (Augsburger Friedensfest, Mariä Himmelfahrt in parts of Bavaria, Fronleichnam in parts of Saxony
and Thuringia) are not included.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

STATES: dict[str, str] = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}
ALL = frozenset(STATES)

# (month, day, name, states, first year) of the holidays on a fixed date
FIXED: tuple[tuple[int, int, str, frozenset[str], int], ...] = (
    (1, 1, "Neujahr", ALL, 1),
    (1, 6, "Heilige Drei Könige", frozenset({"BW", "BY", "ST"}), 1),
    (3, 8, "Internationaler Frauentag", frozenset({"BE"}), 2019),
    (3, 8, "Internationaler Frauentag", frozenset({"MV"}), 2023),
    (5, 1, "Tag der Arbeit", ALL, 1),
    (8, 15, "Mariä Himmelfahrt", frozenset({"SL"}), 1),
    (9, 20, "Weltkindertag", frozenset({"TH"}), 2019),
    (10, 3, "Tag der Deutschen Einheit", ALL, 1990),
    (10, 31, "Reformationstag", frozenset({"BB", "MV", "SN", "ST", "TH"}), 1990),
    (10, 31, "Reformationstag", frozenset({"HB", "HH", "NI", "SH"}), 2018),
    (11, 1, "Allerheiligen", frozenset({"BW", "BY", "NW", "RP", "SL"}), 1),
    (12, 25, "1. Weihnachtstag", ALL, 1),
    (12, 26, "2. Weihnachtstag", ALL, 1),
)

# (days after Easter Sunday, name, states) of the movable holidays
MOVABLE: tuple[tuple[int, str, frozenset[str]], ...] = (
    (-2, "Karfreitag", ALL),
    (0, "Ostersonntag", frozenset({"BB", "HE"})),
    (1, "Ostermontag", ALL),
    (39, "Christi Himmelfahrt", ALL),
    (49, "Pfingstsonntag", frozenset({"BB", "HE"})),
    (50, "Pfingstmontag", ALL),
    (60, "Fronleichnam", frozenset({"BW", "BY", "HE", "NW", "RP", "SL"})),
)
REPENTANCE_DAY_STATES = frozenset({"SN"})  # Buß- und Bettag: the Wednesday before 23 November


class UnknownState(ValueError):
    """The state code is not one of STATES."""

    def __init__(self, state: str) -> None:
        super().__init__(f"{state!r} is not a German state code ({', '.join(STATES)}).")


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon + 15) % 30
    leap_years, year_rest = divmod(year_of_century, 4)
    weekday = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    offset = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * offset + 114, 31)
    return date(year, month, day + 1)


def repentance_day(year: int) -> date:
    """Return Buß- und Bettag: the last Wednesday before 23 November (16 to 22 November)."""
    day = date(year, 11, 22)
    return day - timedelta(days=(day.weekday() - 2) % 7)


@lru_cache(maxsize=256)
def _holidays(year: int, state: str) -> tuple[tuple[date, str], ...]:
    if state not in STATES:
        raise UnknownState(state)
    found = [
        (date(year, month, day), name)
        for month, day, name, states, since in FIXED
        if state in states and year >= since
    ]
    easter = easter_sunday(year)
    found += [(easter + timedelta(days=offset), name) for offset, name, states in MOVABLE if state in states]
    if state in REPENTANCE_DAY_STATES:
        found.append((repentance_day(year), "Buß- und Bettag"))
    names: dict[date, list[str]] = {}
    for day, name in sorted(found):
        names.setdefault(day, []).append(name)
    # two holidays can fall on one day (1 May 2008 was also Ascension Day): one entry naming both
    return tuple((day, " und ".join(same_day)) for day, same_day in names.items())


def public_holidays(year: int, state: str) -> dict[date, str]:
    """Return the public holidays of the year in the state, date → German name, in date order.

    :raises UnknownState: if the state code is not one of STATES.
    """
    return dict(_holidays(year, state))


def holiday_name(day: date, state: str) -> str | None:
    """Return the name of the public holiday on the day in the state, or None on an ordinary day.

    :raises UnknownState: if the state code is not one of STATES.
    """
    return dict(_holidays(day.year, state)).get(day)


def is_working_day(day: date, state: str) -> bool:
    """Tell whether the day is Monday to Friday and not a public holiday in the state."""
    return day.weekday() < 5 and holiday_name(day, state) is None


def next_working_day(day: date, state: str) -> date:
    """Return the day itself if it is a working day in the state, else the next one."""
    while not is_working_day(day, state):
        day += timedelta(days=1)
    return day
