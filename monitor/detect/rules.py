"""The rule language: a compiled RuleSet, its terms, and loading a rules file with the language
packs beside it. The checks that build a RuleSet from YAML are in rulefile.py.

The language is documented in docs/rules.md. Every error names the file, the rule and the key,
and says how to fix it.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from monitor.config_yaml import LOADER, parsed, written_twice
from monitor.detect.calendars import DateWords
from monitor.detect.lazyre import lazy_compile, trusted
from monitor.detect.text import MARKS, NOT_AFTER_WORD, NOT_BEFORE_WORD, unmarked
from monitor.errors import RulesError

if TYPE_CHECKING:
    from monitor.detect.rulefile import Builder

ENTITY_TYPES = ("@actor", "@weapon", "@system", "@date", "@count")
Scope = Literal["window", "title", "clause", "item"]
Matching = Literal["words", "prefix", "substring"]
INHERITED = "__inherited_groups__"
_PACK_NAME = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3})\.ya?ml$")


@dataclass(frozen=True, slots=True)
class KeywordGroup:
    name: str
    pattern: re.Pattern[str]
    # (group, gap): a match is cancelled when that group occurs at most `gap` words before
    # (unless_after) or after (unless_before) it; gap 0 means the very next word.
    unless_after: tuple[tuple[str, int], ...] = ()
    unless_before: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    within: int | Literal["sentence", "lead"]
    in_title: tuple[str, ...]  # terms the headline must contain (with `within: lead`)
    all: tuple[str, ...]
    any: tuple[str, ...]
    none: tuple[str, ...]
    score: float
    subtypes: tuple[tuple[str, tuple[str, ...]], ...]
    actors: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class Adjustment:
    name: str
    scope: Scope
    any: tuple[str, ...]
    score: float
    all: tuple[str, ...] = ()  # further terms that must also be in scope
    none: tuple[str, ...] = ()  # terms that must not be in scope
    # A headline naming an occasion whose launches are the news (a strategic forces exercise):
    # a launch the body reports is the peg, not background.
    peg: bool = False
    # A headline naming another story (sanctions agreed): a launch the lead reports is only
    # why, background to it.
    aside: bool = False


@dataclass(frozen=True, slots=True)
class WeaponTerms:
    """Words of one language for a missile (`@weapon`) or a named system (`@system`)."""

    pattern: re.Pattern[str]
    value: str  # the normalised English name shown in alerts: "ballistic missile", "Hwasong"
    rank: int  # 0 generic, 1 a kind of missile, 3 a named system
    parts: tuple[str, ...] = ()  # one pattern per term, for the prefilter's scan


@dataclass(frozen=True, slots=True)
class Roles:
    """Cues around an actor's name that say what part it plays (see docs/rules.md, "Roles")."""

    source_after: re.Pattern[str] | None = None
    source_before: re.Pattern[str] | None = None
    target_after: re.Pattern[str] | None = None
    target_before: re.Pattern[str] | None = None
    addressee_before: re.Pattern[str] | None = None
    addressee_after: re.Pattern[str] | None = None
    agent_after: re.Pattern[str] | None = None
    agent_before: re.Pattern[str] | None = None
    object_before: re.Pattern[str] | None = None
    maker_after: re.Pattern[str] | None = None
    maker_before: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True, eq=False)
class RuleSet:
    source: str  # the file the rules came from, for messages
    event_type: str
    threshold: float
    max_age_days: int
    max_future_days: int
    dated_bonus: float  # added to a body window whose launch is dated within the last week
    positions: Mapping[str, float]
    support: float
    trigger: re.Pattern[str]
    prefilter_pattern: re.Pattern[str]
    groups: Mapping[str, KeywordGroup]
    rules: tuple[Rule, ...]
    adjust: tuple[Adjustment, ...]
    extra_actors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    language: str = "en"
    matching: Matching = "words"
    weapons: tuple[WeaponTerms, ...] = ()
    date_words: DateWords = field(default_factory=DateWords)
    # Words that contain an actor's name but are not the actor (日本海, 인도적, کیفیت).
    not_actors: re.Pattern[str] | None = None
    # Words that look like a date but are not one ("lần thứ hai": the second time).
    not_dates: re.Pattern[str] | None = None
    roles: Roles = field(default_factory=Roles)
    timezones: Mapping[str, str] = field(default_factory=dict)
    # Who launched a strike whose report names only the place hit: hit actor -> launcher.
    implied_launchers: Mapping[str, str] = field(default_factory=dict)
    # The same rules in other languages, by ISO 639-1 code (only on the base rule set).
    packs: Mapping[str, RuleSet] = field(default_factory=dict)
    # `prefilter_pattern`'s alternatives, one pattern per term (monitor.detect.screen reads
    # the words each needs); empty: not known, the whole pattern runs on every text.
    prefilter_parts: tuple[str, ...] = ()
    trigger_parts: tuple[str, ...] = ()  # `trigger`'s, likewise

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.language, *sorted(self.packs))

    def for_language(self, language: str | None) -> RuleSet:
        """The rules for text in `language`: its pack, else these (the base language's)."""
        if language is None or language == self.language:
            return self
        return self.packs.get(language, self)


def _builder(source: str) -> Builder:
    from monitor.detect.rulefile import Builder  # the checks need these types first

    return Builder(source)


def default_rules_path() -> Path:
    """The shipped rules (config/rules/missile_launch.yaml is the user-facing copy)."""
    return Path(str(resources.files("monitor") / "data" / "rules" / "missile_launch.yaml"))


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load and validate a rules file and its language packs; None loads the shipped rules.

    The packs are the files beside it named `<stem>.<language>.yaml`
    (`missile_launch.ko.yaml`): each inherits the base file and overrides what it names.
    """
    file = Path(path) if path is not None else default_rules_path()
    named = _PACK_NAME.match(file.name)
    if named and file.with_name(named["stem"] + file.suffix).exists():
        base_file = file.with_name(named["stem"] + file.suffix)
        raise RulesError(
            f"{file}: this is a language pack of {base_file.name}, not a rules file. "
            f"Hint: name {base_file} instead; its packs load with it"
        )
    base, base_shipped = _read_yaml(file)
    with trusted() if base_shipped else nullcontext():
        ruleset = _builder(str(file)).build(dict(base) if isinstance(base, dict) else base)
    packs: dict[str, RuleSet] = {}
    for pack_file in sorted(file.parent.glob(f"{glob.escape(file.stem)}.*{file.suffix}")):
        match = _PACK_NAME.match(pack_file.name)
        if not match or match["stem"] != file.stem:
            continue
        pack, pack_shipped = _read_yaml(pack_file)
        merged = _merge(base, pack, str(pack_file), match["lang"])
        with trusted() if base_shipped and pack_shipped else nullcontext():
            pack_rules = _builder(str(pack_file)).build(merged)
        packs[pack_rules.language] = pack_rules
    if ruleset.language in packs:
        raise RulesError(
            f"{file}: a pack beside it has the base's own language '{ruleset.language}'. "
            "Hint: rename or remove that pack"
        )
    return replace(ruleset, packs=packs)


def _read_yaml(file: Path) -> tuple[Any, bool]:
    """The file's data, and whether it is the shipped file's very text (config/rules/ is a
    copy): those patterns are parsed when first used, not at load, since the suite compiles
    every one of them (tests/detect/test_packs.py). A file of the user's is checked whole."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{file}: cannot read the rules file ({exc.strerror})") from exc
    shipped = text == _shipped_text(file.name)
    try:
        # Without the optional vowel marks, as articles are read (monitor.detect.text). A file
        # of the user's is parsed once into its node tree, which gives the keys written twice,
        # and built from it (as monitor.config does); the shipped text is loaded directly.
        if shipped:
            return yaml.load(unmarked(text), Loader=LOADER), True
        node, data = parsed(unmarked(text))
    except yaml.YAMLError as exc:
        raise RulesError(f"{file}: not valid YAML: {exc}") from exc
    twice = written_twice(node, str(file))
    if twice:
        raise RulesError(twice)
    return data, False


@lru_cache(maxsize=64)
def _shipped_text(name: str) -> str | None:
    shipped = default_rules_path().with_name(name)
    try:
        return shipped.read_text(encoding="utf-8")
    except OSError:
        return None


def _merge(base: Any, pack: Any, source: str, language: str) -> dict[str, Any]:
    """A pack over its base: keyword groups by name, actor aliases added, the rest replaced."""
    if not isinstance(pack, dict):
        raise RulesError(f"{source}: expected a mapping of keys. Hint: see docs/rules.md, Packs")
    if pack.get("language") != language:
        raise RulesError(
            f"{source}: key 'language' must be '{language}', as in the file's name "
            f"(got {pack.get('language')!r}). Hint: write `language: {language}`"
        )
    if "event_type" in pack:
        raise RulesError(
            f"{source}: key 'event_type': a pack cannot change the event type. "
            "Hint: remove it; the pack inherits its base's"
        )
    merged = {k: v for k, v in base.items() if k not in ("roles", "weapons", "systems", "dates")}
    merged.update({k: v for k, v in pack.items() if k not in ("keywords", "actors")})
    merged["keywords"] = {**(base.get("keywords") or {}), **(pack.get("keywords") or {})}
    # Groups the pack does not name keep their base language's matching.
    merged[INHERITED] = {n for n in merged["keywords"] if n not in (pack.get("keywords") or {})}
    actors: dict[str, list[Any]] = {}
    for source_actors in (base.get("actors") or {}, pack.get("actors") or {}):
        if isinstance(source_actors, dict):
            for actor, aliases in source_actors.items():
                more = aliases if isinstance(aliases, list) else [aliases]
                actors.setdefault(str(actor), []).extend(more)
    merged["actors"] = actors
    if "roles" not in pack and "roles" in base:
        merged["roles"] = base["roles"]
    return merged


def parse_rules(text: str, source: str = "<rules>") -> RuleSet:
    """One rules file's text, without packs."""
    try:
        data = yaml.safe_load(unmarked(text))
    except yaml.YAMLError as exc:
        raise RulesError(f"{source}: not valid YAML: {exc}") from exc
    return _builder(source).build(data)


@lru_cache(maxsize=65536)  # the base's groups recur in every pack
def term_regex(term: str) -> str:
    """One keyword term as a regular expression (see docs/rules.md, "Terms")."""
    if term.startswith("re:"):
        return _with_marks(term[3:].strip())
    star = term.endswith("*")
    words = term.rstrip("*").strip()
    # A space is any run of spaces or hyphens, a hyphen an optional one; neither crosses a line
    # (the headline ends with one). re.escape writes them as `\ ` and `\-`.
    body = re.escape(words).replace("\\ ", r"(?:[^\S\n]|-)+").replace("\\-", r"(?:[^\S\n]|-)?")
    return body + (rf"[\w{MARKS}-]*" if star else "")


def _with_marks(pattern: str) -> str:
    """`\\w` in a pattern as a word character is meant: combining marks included (Devanagari
    vowel signs, Arabic harakat), as the term boundaries have them."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            if pair == "\\w":
                out.append(rf"\w{MARKS}" if in_class else rf"[\w{MARKS}]")
            else:
                out.append(pair)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class and out and out[-1] not in ("[", "[^"):
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def compile_terms(
    terms: list[str], case_sensitive: bool = False, matching: Matching = "words"
) -> re.Pattern[str]:
    """Terms as one pattern. `matching`: whole words; or the start of a word (any ending may
    follow: particles, case endings); or anywhere (scripts written without spaces)."""
    return _compile_terms(tuple(terms), case_sensitive, matching)


@lru_cache(maxsize=1024)
def _compile_terms(terms: tuple[str, ...], case_sensitive: bool, matching: str) -> re.Pattern[str]:
    return lazy_compile(terms_source(terms, matching), 0 if case_sensitive else re.IGNORECASE)


def terms_source(terms: Sequence[str], matching: str = "words") -> str:
    """The pattern `compile_terms` compiles, as text."""
    alternatives = sorted((term_regex(t) for t in terms), key=len, reverse=True)
    body = "(?:" + "|".join(alternatives) + ")"
    if matching == "substring":
        return body
    if matching == "prefix":
        return NOT_AFTER_WORD + body
    return NOT_AFTER_WORD + body + NOT_BEFORE_WORD
