"""What CLDR (through Babel) knows of each language: country, capital, month and weekday names.

Language packs name only what CLDR does not: other names, inflected stems, forces and leaders.
Everything here is looked up once per language and cached.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError

from monitor.detect.text import unmarked

# Actor id -> CLDR territory code, for the country's name in every language.
TERRITORIES: dict[str, str] = {
    "north-korea": "KP",
    "south-korea": "KR",
    "iran": "IR",
    "russia": "RU",
    "ukraine": "UA",
    "israel": "IL",
    "india": "IN",
    "pakistan": "PK",
    "united-states": "US",
    "china": "CN",
    "japan": "JP",
    "taiwan": "TW",
    "iraq": "IQ",
    "syria": "SY",
    "yemen-houthis": "YE",
    "lebanon": "LB",
    "saudi-arabia": "SA",
    "united-kingdom": "GB",
    "france": "FR",
    "germany": "DE",
    "libya": "LY",
    "afghanistan": "AF",
    "turkey": "TR",
    "qatar": "QA",
    "egypt": "EG",
}
# Actors whose time zone's exemplar city is their capital: CLDR names the city in every language.
CAPITAL_ZONES: dict[str, str] = {
    "north-korea": "Asia/Pyongyang",
    "south-korea": "Asia/Seoul",
    "iran": "Asia/Tehran",
    "russia": "Europe/Moscow",
    "ukraine": "Europe/Kiev",
    "japan": "Asia/Tokyo",
    "taiwan": "Asia/Taipei",
    "iraq": "Asia/Baghdad",
    "syria": "Asia/Damascus",
    "lebanon": "Asia/Beirut",
    "saudi-arabia": "Asia/Riyadh",
    "united-kingdom": "Europe/London",
    "france": "Europe/Paris",
    "germany": "Europe/Berlin",
    "libya": "Africa/Tripoli",
    "afghanistan": "Asia/Kabul",
    "egypt": "Africa/Cairo",
}


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None


@lru_cache(maxsize=64)
def actor_names(language: str) -> dict[str, tuple[str, ...]]:
    """Actor id -> the country's names (and capital's, where CLDR has it) in `language`."""
    locale = _locale(language)
    if locale is None:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for actor, code in TERRITORIES.items():
        names = {locale.territories.get(code, "")}
        zone = CAPITAL_ZONES.get(actor)
        if zone:
            names.add(locale.time_zones.get(zone, {}).get("city", ""))
        # Read as text is: without the marks writing may leave out (see `unmarked`).
        out[actor] = tuple(sorted(unmarked(n) for n in names if n))
    return out


def _calendar_names(table: Any, width: str, first: int) -> dict[str, int]:
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for number, name in table.get(context, {}).get(width, {}).items():
            name = unmarked(name.strip(".").lower().replace("\u02bc", "'"))
            if name and not name.isdigit():
                names.setdefault(name, int(number) - first)
    return names


@lru_cache(maxsize=64)
def month_names(language: str, width: str = "wide") -> dict[str, int]:
    """CLDR's month names (format and stand-alone forms) -> 1..12; `width` wide or
    abbreviated."""
    locale = _locale(language)
    return _calendar_names(locale.months, width, 0) if locale is not None else {}


@lru_cache(maxsize=64)
def weekday_names(language: str, width: str = "wide") -> dict[str, int]:
    """CLDR's weekday names (format and stand-alone forms) -> 0 (Monday) .. 6."""
    locale = _locale(language)
    return _calendar_names(locale.days, width, 0) if locale is not None else {}


@lru_cache(maxsize=64)
def month_before_day(language: str) -> bool:
    """Whether the language writes a numeric date month first (CLDR's short date: "y/M/d" in
    Chinese and Japanese, "d/M/yy" in Hindi), so that "(5/7)" is the 7th of May."""
    locale = _locale(language)
    if locale is None:
        return False
    pattern = str(locale.date_formats["short"].pattern)
    month, day = pattern.find("M"), pattern.find("d")
    return 0 <= month < day
