"""Entities in text: actors, weapons, counts, places; and which actor launched.

The launcher is the actor that fired, not the target: "Russia fired missiles at Kyiv" ->
russia; "missiles launched by Pakistan" -> pakistan; "Iranian missiles fired at Israel" -> iran;
"U.S.-supplied ATACMS" names the maker, not the launcher.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from monitor.detect.gazetteer import (
    ACTORS,
    ERA_ALIASES,
    MISSILE_ACRONYMS,
    MISSILE_KINDS,
    NAMED_WEAPONS,
)
from monitor.detect.text import NUMBER_WORDS

_TIMEZONES = {a.id: a.timezone for a in ACTORS}


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    value: str  # actor id, normalised weapon name, or count as text


def _alias_regex(alias: str) -> str:
    body = re.escape(alias).replace(r"\ ", r"[\s-]+")
    if (alias.isupper() and len(alias.replace(".", "")) < 5) or alias in {"US", "UK", "IS"}:
        return f"(?-i:{body})"
    return body


@lru_cache(maxsize=16)
def _actor_table(
    extra: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[re.Pattern[str], dict[str, str]]:
    lookup: dict[str, str] = {}
    for actor in ACTORS:
        for alias in actor.aliases:
            lookup[alias.lower()] = actor.id
    for actor_id, aliases in extra:
        for alias in aliases:
            lookup[alias.lower()] = actor_id
    ordered = sorted(lookup, key=len, reverse=True)
    originals = {a.lower(): a for actor in ACTORS for a in actor.aliases}
    originals |= {a.lower(): a for _, al in extra for a in al}
    alternatives = "|".join(_alias_regex(originals[a]) for a in ordered)
    pattern = re.compile(rf"(?<![\w.-])(?:{alternatives})(?:['\u2019]s)?(?![\w])", re.IGNORECASE)
    return pattern, lookup


_KINDS = "|".join(
    r"[\s-]?".join(re.escape(part).replace(r"\ ", r"\s+") for part in k.split("-"))
    for k in MISSILE_KINDS
)
_NAMED = "|".join(NAMED_WEAPONS)
_ACRONYMS = "|".join(MISSILE_ACRONYMS)
WEAPON_PATTERN = re.compile(
    rf"(?<![\w])(?:(?P<named>{_NAMED})|(?P<acronym>(?-i:{_ACRONYMS})s?)"
    rf"|(?:(?P<kind>{_KINDS})[\s-]+(?:\w+[\s-]+)?)?(?P<generic>missiles?|(?:unidentified|ballistic)"
    r"\s+projectiles?))(?![\w])",
    re.IGNORECASE,
)
COUNT_PATTERN = re.compile(
    r"(?<![\w])(?P<n>\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozens|several|a\s+barrage|a\s+salvo)\s+(?:of\s+)?(?:[\w-]+\s+){0,3}?(?:missiles|rockets|"
    r"projectiles|ICBMs|SRBMs)(?![\w])",
    re.IGNORECASE,
)
PLACE_PATTERN = re.compile(
    r"\b(?:into|toward|towards|off|over|from|at|near|in)\s+(?:the\s+)?(?P<place>(?:East|Yellow|"
    r"Black|Red|Arabian|Caspian|South\s+China|Baltic|Japan)\s+Sea|Sea\s+of\s+Japan|Strait\s+of\s+"
    r"\w+|Persian\s+Gulf|Gulf\s+of\s+\w+|(?:[A-Z][\w-]+\s+){1,3}(?:Province|County|Region|Range|"
    r"Launching\s+Ground|Island|Peninsula|Bay))"
)
_TARGET_BEFORE = re.compile(
    r"(?:\b(?:at|on|onto|into|against|toward|towards|over|targeting|across|in|inside|upon|near|"
    r"struck|hit|hits|attacked|attacking|pounded|bombarded|targeted|strikes|destroy)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+)?)$",
    re.IGNORECASE,
)
_AGENT_BEFORE = re.compile(r"\b(?:by|from)\s+(?:the\s+)?$", re.IGNORECASE)
_MAKER_AFTER = re.compile(
    r"^[\s-]*(?:made|supplied|built|provided|produced|designed|manufactured|donated|backed)\b",
    re.IGNORECASE,
)


def entity_regex(name: str) -> str:
    """The pattern an entity type contributes to the prefilter."""
    if name in ("@weapon", "@system"):
        return WEAPON_PATTERN.pattern
    if name == "@count":
        return COUNT_PATTERN.pattern
    if name == "@actor":
        return _actor_table(())[0].pattern
    return r"\b(?:today|yesterday|overnight|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b"


def actor_timezone(actor: str | None) -> str | None:
    return _TIMEZONES.get(actor) if actor else None


def find_actors(
    text: str, extra: Mapping[str, tuple[str, ...]] = {}, soviet_era: bool = False
) -> list[Mention]:
    pattern, lookup = _actor_table(tuple(sorted(extra.items())))
    out = []
    for m in pattern.finditer(text):
        key = re.sub(r"['\u2019]s$", "", m.group().lower())
        key = re.sub(r"[\s-]+", " ", key)
        actor = lookup.get(key) or lookup.get(key.replace(" ", "-"))
        if actor is None:
            continue
        if soviet_era:
            actor = ERA_ALIASES.get(actor, actor)
        out.append(Mention(m.start(), m.end(), m.group(), actor))
    return out


def _weapon_value(m: re.Match[str]) -> tuple[int, str]:
    """(specificity, normalised name) of a weapon match; higher is more specific."""
    if m.group("named"):
        return 3, re.sub(r"\s+", " ", m.group("named"))
    if m.group("acronym"):
        return 2, m.group("acronym").upper().rstrip("S")
    if m.group("kind"):
        return 1, re.sub(r"[\s-]+", "-", m.group("kind").lower()).replace("-", " ") + " missile"
    return 0, "missile"


def find_weapons(text: str) -> list[tuple[Mention, int]]:
    out = []
    for m in WEAPON_PATTERN.finditer(text):
        rank, value = _weapon_value(m)
        if value.startswith(("submarine", "surface", "air", "anti", "intercontinental")):
            value = m.group("kind").lower() + " missile"
        out.append((Mention(m.start(), m.end(), m.group(), value), rank))
    return out


def find_count(text: str, start: int, end: int) -> int | None:
    m = COUNT_PATTERN.search(text, start, end)
    if not m:
        return None
    n = m.group("n").lower()
    return int(n) if n.isdigit() else NUMBER_WORDS.get(n)


def find_place(text: str, start: int, end: int) -> str | None:
    m = PLACE_PATTERN.search(text, start, end)
    return re.sub(r"\s+", " ", m.group("place")) if m else None


def launcher_score(
    text: str, mention: Mention, act_start: int, weapon_start: int, floor: int = 0
) -> float:
    """How likely `mention` is the actor that fired, given where the act and weapon are.

    `floor` is where the window starts: words before it do not count.
    """
    before = text[max(floor, mention.start - 40) : mention.start]
    after = text[mention.end : mention.end + 16]
    if _MAKER_AFTER.match(after):
        return -5.0
    anchor = min(act_start, weapon_start)
    last = max(act_start, weapon_start)
    if _AGENT_BEFORE.search(before) and mention.start > anchor:
        if len(text[last : mention.start].split()) <= 5:
            return 5.0  # "launched by Pakistan", "fired from North Korea's ..."
        return 0.5  # "..., sources quoting reports from Japanese tankers said"
    if _TARGET_BEFORE.search(before):
        return -3.0  # "at Kyiv", "struck Ukraine"
    gap = len(text[mention.end : anchor].split()) if mention.end <= anchor else None
    if gap is not None and gap <= 2:
        return 3.0 - 0.1 * gap  # "Iranian missiles", "Russian aerial assaults", "Russia launched"
    if gap is not None:
        return 2.0 - 0.05 * gap  # the subject before the verb
    return 1.0 - 0.01 * len(text[anchor : mention.start].split())
