"""Entities in text: actors, weapons, counts, places; and which actor launched.

The launcher is the actor that fired, not the target: "Russia fired missiles at Kyiv" ->
russia; "missiles launched by Pakistan" -> pakistan; "Iranian missiles fired at Israel" -> iran;
"U.S.-supplied ATACMS" names the maker, not the launcher.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from monitor.detect.gazetteer import (
    ACTORS,
    ERA_ALIASES,
    MISSILE_ACRONYMS,
    MISSILE_KINDS,
    NAMED_WEAPONS,
)
from monitor.detect.locale import actor_names
from monitor.detect.rules import Roles, RuleSet, term_regex
from monitor.detect.text import MARKS, NOT_BEFORE_WORD, NUMBER_WORDS

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


# Letters a language writes onto the front of a word ("ו", "ב", "ל": and, in, to), which alone
# may stand between a name and the letter before it: "ובסין" is "and in China", "קפריסין"
# (Cyprus) holds no China.
CLITICS = {"he": ("\u05d0-\u05ea", "בהוכלמש")}
MAX_CLITICS = 3


def _after_clitics(letters: str, clitics: str) -> str:
    alone = [f"(?<![{letters}])"]
    for n in range(1, MAX_CLITICS + 1):
        alone.append(f"(?<=(?<![{letters}])[{clitics}]{{{n}}})")
    return f"(?:{'|'.join(alone)})"


def _bounded(alternatives: list[str], matching: str, language: str = "") -> str:
    body = "|".join(sorted(alternatives, key=len, reverse=True))
    if matching == "substring" and language in CLITICS:
        return f"{_after_clitics(*CLITICS[language])}(?:{body})"
    if matching == "substring":
        return f"(?:{body})"
    if matching == "prefix":
        return rf"(?<![\w{MARKS}.-])(?:{body})"
    return rf"(?<![\w{MARKS}.-])(?:{body})(?:['\u2019]s)?{NOT_BEFORE_WORD}"


@lru_cache(maxsize=64)
def _actor_table(
    language: str, matching: str, extra: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every actor name the language knows, a named group per actor.

    English names (built in) match as whole words in every language; the country's CLDR name
    in `language` and the rules file's own aliases match as the language's `matching` says.
    """
    english: dict[str, list[str]] = {a.id: [_alias_regex(x) for x in a.aliases] for a in ACTORS}
    own: dict[str, list[str]] = {}
    if language != "en":
        for actor, names in actor_names(language).items():
            own.setdefault(actor, []).extend(term_regex(n) for n in names)
    for actor, aliases in extra:
        target = english if language == "en" else own
        for alias in aliases:
            regex = term_regex(alias) if alias.startswith("re:") or "*" in alias else None
            target.setdefault(actor, []).append(regex or _alias_regex(alias))
    groups: dict[str, str] = {}
    parts = []
    for i, actor in enumerate(sorted(set(english) | set(own))):
        alternatives = []
        if english.get(actor):
            alternatives.append(_bounded(english[actor], "words"))
        if own.get(actor):
            alternatives.append(_bounded(own[actor], matching, language))
        groups[f"a{i}"] = actor
        parts.append(f"(?P<a{i}>{'|'.join(alternatives)})")
    return re.compile("|".join(parts), re.IGNORECASE), groups


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


def entity_regex(name: str) -> str:
    """The pattern an entity type contributes to the prefilter."""
    if name in ("@weapon", "@system"):
        return WEAPON_PATTERN.pattern
    if name == "@count":
        return COUNT_PATTERN.pattern
    if name == "@actor":
        return _actor_table("en", "words", ())[0].pattern
    return r"\b(?:today|yesterday|overnight|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b"


def actor_timezone(actor: str | None) -> str | None:
    return _TIMEZONES.get(actor) if actor else None


@lru_cache(maxsize=64)
def _rules_actor_table(rules: RuleSet) -> tuple[re.Pattern[str], dict[str, str]]:
    """The actor table of one rule set (rule sets are compared by identity): built once, not
    keyed anew by every article."""
    return _actor_table(rules.language, rules.matching, tuple(sorted(rules.extra_actors.items())))


def find_actors(text: str, rules: RuleSet, soviet_era: bool = False) -> list[Mention]:
    pattern, groups = _rules_actor_table(rules)
    blocked = (
        [(b.start(), b.end()) for b in rules.not_actors.finditer(text)] if rules.not_actors else []
    )
    out = []
    for m in pattern.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in blocked):
            continue  # "日本海" is a sea, not Japan
        actor = groups[m.lastgroup or ""]
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


def find_weapons(text: str, rules: RuleSet | None = None) -> list[tuple[Mention, int]]:
    out = []
    for m in WEAPON_PATTERN.finditer(text):
        rank, value = _weapon_value(m)
        if value.startswith(("submarine", "surface", "air", "anti", "intercontinental")):
            value = m.group("kind").lower() + " missile"
        out.append((Mention(m.start(), m.end(), m.group(), value), rank))
    for terms in rules.weapons if rules is not None else ():
        for m in terms.pattern.finditer(text):
            value = terms.value or m.group()
            if terms.rank == 3:
                value = numbered(value, m.group())
            out.append((Mention(m.start(), m.end(), m.group(), value), terms.rank))
    out.sort(key=lambda x: (x[0].start, -x[1]))
    return out


# A system's number as any script writes it ("화성-14형", "火星14", "شاهين 3", "Shaheen-III").
_NUMBER = re.compile(r"\d+|(?<![^\W\d_])(?:IV|V?I{1,3}|V)(?![^\W\d_])")
ROMAN_NUMERALS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}


def numbered(name: str, surface: str) -> str:
    """A pack's system name with the number the text gives it ("Hwasong" and "화성-14형":
    "Hwasong-14"), so that reports in any language name one missile alike; the name alone when
    the text gives none or the name has its own."""
    if any(c.isdigit() for c in name):
        return name
    m = _NUMBER.search(surface)
    if m is None:
        return name
    token = m.group()
    n = (
        ROMAN_NUMERALS[token]
        if token in ROMAN_NUMERALS
        else int("".join(str(unicodedata.digit(c)) for c in token))
    )
    return f"{name}-{n}"


def find_count(text: str, start: int, end: int) -> int | None:
    m = COUNT_PATTERN.search(text, start, end)
    if not m:
        return None
    n = m.group("n").lower()
    return int(n) if n.isdigit() else NUMBER_WORDS.get(n)


# A number written in any script's digits, with thousands grouped by a comma, dot, space or
# the Arabic separator; not part of a time ("14:05"), a decimal, a date ("5/1") or a name
# ("KN-23": a weapon names itself).
_FIGURE = re.compile(
    r"(?<![\d:.,/\-])(\d{1,3}(?:[,.\u00a0\u202f \u066c]\d{3})+|\d+)(?![\d:/]|[.,]\d)"
)
# Figures below this may be a day of the month, an hour or a small count: too common to tell
# two launches apart; years say when a story looks back, not which launch it is.
_SMALLEST_FIGURE = 32
_YEARS = range(1900, 2101)


def salient_figures(text: str) -> tuple[int, ...]:
    """The numbers a report gives that tell one launch from another of the same actor (how
    many missiles, how far they flew, how high), in any script's digits, sorted."""
    found: set[int] = set()
    for m in _FIGURE.finditer(text):
        digits = [unicodedata.digit(c, -1) for c in m.group(1) if c.isdigit()]
        if any(d < 0 for d in digits):
            continue
        n = int("".join(map(str, digits)))
        if n >= _SMALLEST_FIGURE and n not in _YEARS:
            found.add(n)
    return tuple(sorted(found))


def find_place(text: str, start: int, end: int) -> str | None:
    m = PLACE_PATTERN.search(text, start, end)
    return re.sub(r"\s+", " ", m.group("place")) if m else None


Role = str  # "agent", "source", "target", "addressee", "maker" or "" (nothing said)


# How far on from an actor's name its role is read; a defender's act may stand further off
# ("Israel's Arrow air defence system intercepted").
_AFTER = 30
# How far before an actor's name its cues are read.
_BEFORE = 40
_DEFENDER_AFTER = 50


# A dateline: the place a report is filed from opens a line, then a full stop and the next
# sentence or the day ("Tokio. Das Geschoss...", "Москва. 27 января. INTERFAX.RU"), a full stop
# and a dash ("SEÚL, Corea del Sur.- Corea del Norte ..."), or the agency in brackets and a dash
# ("TAIPEI (AP) —", "JERUSALEM / BEIRUT (inn) –").
_DATELINE_BEFORE = re.compile(
    r"(?:^|\n)[^\S\n]*(?:[^\W\d_][^\n/]{0,30}?[^\S\n]*/[^\S\n]*|[^\W\d_][^\n,/]{0,30}?,[^\S\n]*)?$"
)
_DATELINE_AFTER = re.compile(
    r"(?:[^\S\n]*/[^\S\n]*[^\W\d_][^\n/(]{0,30}?|,[^\S\n]*[^\W\d_][^\n,.(/]{0,30}?)?"
    r"(?:\.(?=[^\S\n]+[^\W\d_])|\.(?=[^\S\n]+\d{1,2}[^\S\n]+[^\W\d_]+\.)"
    r"|\.[^\S\n]*[-\u2013\u2014]"
    r"|[^\S\n]*\([^()\n]{1,40}\)[^\S\n]*(?:[-\u2013\u2014.:]|$))"
)


def is_dateline(text: str, mention: Mention) -> bool:
    """Whether the name is the place a report is filed from, not an actor in the news."""
    return bool(
        _DATELINE_BEFORE.search(text, max(0, mention.start - 40), mention.start)
        and _DATELINE_AFTER.match(text, mention.end)
        and not text[mention.start : mention.end].endswith(".")
    )


# A headline that ends on who said it: "Iran will pay for its attack: Netanyahu", "... —
# Нетаньяху" (the name after a colon or a dash, with nothing but a quote after it).
_SPEAKER_BEFORE = re.compile(r"\S[^\S\n]*(?:[:\uff1a]|[^\S\n][-\u2013\u2014])[^\S\n]*$")
_SPEAKER_AFTER = re.compile(r"[^\S\n]*[\"'\u201d\u00bb]?[^\S\n]*(?:\n|$)")


def is_speaker(text: str, mention: Mention) -> bool:
    """Whether the name ends the headline as the one it quotes."""
    line_end = text.find("\n")
    if line_end != -1 and mention.end > line_end:
        return False
    return bool(
        _SPEAKER_BEFORE.search(text, 0, mention.start) and _SPEAKER_AFTER.match(text, mention.end)
    )


def role_of(text: str, mention: Mention, roles: Roles, floor: int = 0) -> Role:
    """What the words right around an actor's name say it is: who fired, reported or was hit."""
    if is_dateline(text, mention) or is_speaker(text, mention):
        return "source"
    before = _before(text, mention, floor)
    after = text[mention.end : mention.end + _AFTER]
    if (roles.maker_after is not None and roles.maker_after.search(after)) or (
        roles.maker_before is not None and roles.maker_before.search(before)
    ):
        return "maker"
    # An exception may need to read further than the cue ("US-Streitkräfte schießen
    # Huthi-Rakete ab": they shoot it down; "Ukraine's military said on Tuesday it had
    # struck": it told of its own strike).
    further = text[mention.end : mention.end + _DEFENDER_AFTER]
    if (
        roles.source_after is not None
        and roles.source_after.search(after)
        and roles.source_after.search(further)
    ) or (roles.source_before is not None and roles.source_before.search(before)):
        return "source"
    if roles.agent_before is not None and roles.agent_before.search(before):
        return "agent-before"
    if (
        roles.agent_after is not None
        and roles.agent_after.search(after)
        and roles.agent_after.search(further)
        # (not the object of "at" right before it: "ایران به اسرائیل موشک شلیک کرد", Iran
        # fired missiles at Israel)
        and not (roles.object_before is not None and roles.object_before.search(before))
    ):
        return "agent"
    if (roles.addressee_before is not None and roles.addressee_before.search(before)) or (
        roles.addressee_after is not None and roles.addressee_after.search(after)
    ):
        return "addressee"
    if (roles.target_before is not None and roles.target_before.search(before)) or (
        roles.target_after is not None and roles.target_after.search(further)
    ):
        return "target"
    return ""


# Launcher scores of the parts the words around a name give it: who is hit or addressed, and
# who the text says fired ("북한이 ... 발사했다").
TARGET_SCORE = -3.0
AGENT_SCORE = 4.0
# A name right before the act ("Iranian missiles", "Russia launched") scores at least this.
NEAR_ACT_SCORE = 2.5


# Between two actors named as one subject: a word for "and" in the packs' languages, after a
# comma or not ("The U.S. and British militaries", "les États-Unis et le Royaume-Uni"), or
# after the first one's short name in brackets ("Amerika Serikat (AS) dan Inggris"); a
# name read by its stem leaves its ending before them ("Южная Коре|я и США"); a particle
# written on ("일본과 미국", "日本と米国", "美国和日本").
_TOGETHER = re.compile(
    r"(?P<particle>[과와と和与及])\s*"
    r"|\w{0,4}[)\]]?\s*(?:(?P<mark>[,&/+])\s*)?(?:(?P<word>and|et|und|y|e|ve|i|oraz|en|dan|và|и|і|та|och|a|"
    r"और|اور|و|及|和|与|と|및)\s+|(?P<glued>[וو]))?"
    r"(?:(?:the|les?|la|die|der|den|los|las|el|gli|il|os|as|o)\s+|[lL]['\u2019]\s*)?"
)
# Where a headline's clause ends before the act: "…", a bar, a semicolon, a colon.
_CLAUSE_END = re.compile(r"[…|;؛；]|:\s")
# Two one-letter names side by side or with a middle dot are a pair in CJK headlines: "米英",
# "美英", "미·영".
_PAIR = ("", "・", "·")


def named_together(text: str, first: Mention, second: Mention) -> bool:
    """Whether two actors are named side by side as one subject, joined by a word for "and"
    ("the U.S. and British militaries bombed"): they fired together, and the first named stands
    for both. (Not a comma alone: it may end a headline's topic, "이란, 이스라엘 향해 ...".)"""
    between = text[first.end : second.start]
    if len(first.text) == 1 and len(second.text) == 1 and between in _PAIR:
        return True
    m = _TOGETHER.fullmatch(between) if len(between) <= 12 else None
    return m is not None and any(m.group(g) is not None for g in ("word", "glued", "particle"))


def together_as_one(
    text: str, scored: list[tuple[float, Mention]], anchor: int
) -> list[tuple[float, Mention]]:
    """`scored` (launcher scores in text order) with each actor named before the act together
    with the next one scored as the better of the two, so that the first named is taken when
    they fired together ("US and UK strike Houthi targets"), or as the next one when that one
    only reported, was hit or shot down ("the US and Britain's warships shot down Houthi
    missiles")."""
    out = list(scored)
    for i in range(len(out) - 2, -1, -1):
        (score, first), (after, second) = out[i], out[i + 1]
        if (
            second.end <= anchor
            # (in the act's clause: "러시아와 북한, 미사일 협력 강화… 북 탄도미사일 발사")
            and not _CLAUSE_END.search(text, second.end, anchor)
            and first.value != second.value
            and (0 < score < after or after < 0 < score)
            and named_together(text, first, second)
        ):
            out[i] = (after, first)
    # The second of two named together after the act shares the first's part when that one
    # was hit or addressed ("a warning to Japan and the USA", "struck Kyiv and Odesa"); one
    # the words around it name as the agent keeps its score.
    for i in range(len(out) - 1):
        (score, first), (after, second) = out[i], out[i + 1]
        if (
            score == TARGET_SCORE
            and first.start >= anchor
            and 0 < after < AGENT_SCORE
            and named_together(text, first, second)
            and "," not in text[first.end : second.start]
        ):
            out[i + 1] = (TARGET_SCORE, second)
    return out


def _before(text: str, mention: Mention, floor: int) -> str:
    return text[max(floor, mention.start - _BEFORE) : mention.start]


def _aimed_at(text: str, mention: Mention, roles: Roles | None, floor: int) -> bool:
    cue = roles.target_before if roles is not None else None
    return cue is not None and cue.search(_before(text, mention, floor)) is not None


def launcher_score(
    text: str,
    mention: Mention,
    act_start: int,
    weapon_start: int,
    floor: int = 0,
    roles: Roles | None = None,
) -> float:
    """How likely `mention` is the actor that fired, given where the act and weapon are.

    `floor` is where the window starts: words before it do not count.
    """
    role = role_of(text, mention, roles or Roles(), floor)
    if role == "maker":
        return -5.0  # "U.S.-made ATACMS"
    if role == "source":
        return -2.0  # "Japan's defence ministry said", "according to Seoul"
    anchor = min(act_start, weapon_start)
    last = max(act_start, weapon_start)
    if role == "agent-before":
        if mention.start <= anchor:
            between = text[mention.end : anchor]
            if len(between) <= 2 and not any(c.isspace() for c in between):
                return 5.0  # "来自也门的导弹", "从朝鲜发射": where the missile came from
            # "from Pyongyang" before the act is a place, judged by position below
        elif len(text[last : mention.start].split()) <= 5:
            return 5.0  # "launched by Pakistan", "fired from North Korea's ..."
        else:
            return 0.5  # "..., sources quoting reports from Japanese tankers said"
    if role == "agent":
        # "북한이 ... 발사했다": the subject marker; of two, the one nearer the act before it
        # ("이스라엘이 ... 이란이 미사일을 발사했다며": Israel said Iran fired), unless a word
        # before it says it was aimed at ("伊朗朝以國發射")
        if mention.end <= anchor and not _aimed_at(text, mention, roles, floor):
            return AGENT_SCORE + 0.1 / (1 + len(text[mention.end : anchor].split()))
        return AGENT_SCORE
    if role in ("target", "addressee"):
        return TARGET_SCORE  # "at Kyiv", "struck Ukraine", "a warning to Washington"
    gap = len(text[mention.end : anchor].split()) if mention.end <= anchor else None
    if gap is not None and gap <= 2:
        return 3.0 - 0.1 * gap  # "Iranian missiles", "Russian aerial assaults", "Russia launched"
    if gap is not None:
        return 2.0 - 0.05 * gap  # the subject before the verb
    return 1.0 - 0.01 * len(text[anchor : mention.start].split())
