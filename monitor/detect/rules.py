"""The rule language: loading and validating a rules file into a compiled RuleSet.

The language is documented in docs/rules.md. Every error names the file, the rule and the key,
and says how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from monitor.errors import RulesError

ENTITY_TYPES = ("@actor", "@weapon", "@system", "@date", "@count")
Scope = Literal["window", "title", "item"]
_TOP_KEYS = {
    "event_type",
    "description",
    "threshold",
    "recency",
    "positions",
    "support",
    "trigger",
    "prefilter_also",
    "actors",
    "keywords",
    "rules",
    "adjust",
}
_RULE_KEYS = {
    "name",
    "within",
    "in_title",
    "all",
    "any",
    "none",
    "score",
    "subtypes",
    "actors",
    "note",
}
_ADJUST_KEYS = {"name", "scope", "any", "all", "score", "note"}
_GROUP_KEYS = {"terms", "unless_after", "unless_before", "gap", "case_sensitive"}


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


@dataclass(frozen=True, slots=True)
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


def default_rules_path() -> Path:
    """The shipped rules (config/rules/missile_launch.yaml is the user-facing copy)."""
    return Path(str(resources.files("monitor") / "data" / "rules" / "missile_launch.yaml"))


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load and validate a rules file; None loads the shipped missile-launch rules."""
    file = Path(path) if path is not None else default_rules_path()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{file}: cannot read the rules file ({exc.strerror})") from exc
    return parse_rules(text, source=str(file))


def parse_rules(text: str, source: str = "<rules>") -> RuleSet:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{source}: not valid YAML: {exc}") from exc
    return _Builder(source).build(data)


def term_regex(term: str) -> str:
    """One keyword term as a regular expression (see docs/rules.md, "Terms")."""
    if term.startswith("re:"):
        return term[3:].strip()
    star = term.endswith("*")
    words = term.rstrip("*").strip()
    body = "".join(
        r"[\s-]+" if ch == " " else r"[\s-]?" if ch == "-" else re.escape(ch) for ch in words
    )
    return body + (r"[\w-]*" if star else "")


def compile_terms(terms: list[str], case_sensitive: bool = False) -> re.Pattern[str]:
    alternatives = sorted((term_regex(t) for t in terms), key=len, reverse=True)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w])", flags)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, key: str, problem: str, hint: str) -> RulesError:
        return RulesError(f"{self.source}: {where}, key '{key}': {problem}. Hint: {hint}")

    def _keys(self, mapping: Any, allowed: set[str], where: str) -> dict[str, Any]:
        if not isinstance(mapping, dict):
            raise self.fail(where, "-", "expected a mapping", "write `key: value` lines")
        for key in mapping:
            if key not in allowed:
                raise self.fail(
                    where, str(key), "unknown key", f"allowed keys are {', '.join(sorted(allowed))}"
                )
        return mapping

    def _number(self, value: Any, where: str, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, key, f"expected a number, got {value!r}", "e.g. `1.0`")
        return float(value)

    def _names(self, value: Any, where: str, key: str, known: set[str]) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, key, "expected a list of names", "e.g. `[launch, '@weapon']`")
        for name in value:
            if name not in known:
                raise self.fail(
                    where,
                    key,
                    f"'{name}' is neither a keyword group nor an entity type",
                    f"define it under `keywords:` or use one of {', '.join(ENTITY_TYPES)}",
                )
        return tuple(value)

    def _gapped(self, value: Any, where: str, key: str, gap: int) -> tuple[tuple[str, int], ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(
                where,
                key,
                "expected a list of group names",
                "e.g. `[irrealis, infinitive:0]` (name:gap overrides `gap`)",
            )
        out = []
        for item in value:
            name, _, own = item.partition(":")
            if own and not own.isdigit():
                raise self.fail(where, key, f"bad gap in {item!r}", "write `group:N`, N words")
            out.append((name, int(own) if own else gap))
        return tuple(out)

    def _group(self, name: str, spec: Any) -> tuple[list[str], dict[str, Any]]:
        where = f"keyword group '{name}'"
        if isinstance(spec, list):
            spec = {"terms": spec}
        spec = self._keys(spec, _GROUP_KEYS, where)
        terms = spec.get("terms")
        for term in terms if isinstance(terms, list) else ():
            if not isinstance(term, str):
                raise self.fail(
                    where,
                    "terms",
                    f"term {term!r} is not text",
                    "quote words YAML reads as booleans or numbers: 'no', 'on', '2'",
                )
        if not isinstance(terms, list) or not terms:
            raise self.fail(
                where,
                "terms",
                "expected a non-empty list of words or phrases",
                "e.g. `[fired, launched, test-fired]`",
            )
        for term in terms:
            try:
                re.compile(term_regex(term))
            except re.error as exc:
                raise self.fail(
                    where,
                    "terms",
                    f"bad pattern {term!r}: {exc}",
                    "escape special characters or drop the `re:` prefix",
                ) from exc
        return terms, spec

    def build(self, data: Any) -> RuleSet:
        data = self._keys(data, _TOP_KEYS, "top level")
        for key in ("event_type", "keywords", "rules"):
            if key not in data:
                raise self.fail("top level", key, "missing", "see docs/rules.md for a full example")
        event_type = data["event_type"]
        if not isinstance(event_type, str) or not event_type:
            raise self.fail("top level", "event_type", "expected a name", "e.g. `missile_launch`")
        raw_groups = data["keywords"]
        if not isinstance(raw_groups, dict) or not raw_groups:
            raise self.fail(
                "top level",
                "keywords",
                "expected a mapping of groups",
                "e.g. `launch: [fired, launched]`",
            )
        parsed = {str(n): self._group(str(n), s) for n, s in raw_groups.items()}
        known = set(parsed) | set(ENTITY_TYPES)
        groups: dict[str, KeywordGroup] = {}
        for name, (terms, spec) in parsed.items():
            where = f"keyword group '{name}'"
            gap = int(self._number(spec.get("gap", 2), where, "gap"))
            groups[name] = KeywordGroup(
                name=name,
                pattern=compile_terms(terms, bool(spec.get("case_sensitive", False))),
                unless_after=self._gapped(spec.get("unless_after"), where, "unless_after", gap),
                unless_before=self._gapped(spec.get("unless_before"), where, "unless_before", gap),
            )
        for name, group in groups.items():
            for other, _ in (*group.unless_after, *group.unless_before):
                if other not in groups:
                    raise self.fail(
                        f"keyword group '{name}'",
                        "unless_after/unless_before",
                        f"'{other}' is not a keyword group",
                        "name a group defined under `keywords:`",
                    )
        rules = self._rules(data["rules"], known)
        adjust = self._adjust(data.get("adjust") or [], known)
        trigger_names = self._names(data.get("trigger", ["@weapon"]), "top level", "trigger", known)
        for rule in rules:
            if not set(rule.all) & set(trigger_names):
                raise self.fail(
                    f"rule '{rule.name}'",
                    "all",
                    "no trigger term among its required terms",
                    f"add one of {', '.join(trigger_names)} to `all`, or add a group of `all` "
                    "to the top-level `trigger` list (the prefilter relies on it)",
                )
        also = self._names(data.get("prefilter_also"), "top level", "prefilter_also", known)
        from monitor.detect.entities import entity_regex  # entities imports nothing from here

        def union(names: tuple[str, ...]) -> re.Pattern[str]:
            parts = [groups[n].pattern.pattern if n in groups else entity_regex(n) for n in names]
            unique = [re.sub(r"\(\?P<\w+>", "(?:", p) for p in dict.fromkeys(parts)]
            return re.compile("|".join(f"(?:{p})" for p in unique), re.IGNORECASE)

        recency = self._keys(
            data.get("recency") or {}, {"max_age_days", "max_future_days", "dated_bonus"}, "recency"
        )
        positions = self._keys(data.get("positions") or {}, {"title", "lead", "body"}, "positions")
        return RuleSet(
            source=self.source,
            event_type=event_type,
            threshold=self._number(data.get("threshold", 1.0), "top level", "threshold"),
            max_age_days=int(
                self._number(recency.get("max_age_days", 7), "recency", "max_age_days")
            ),
            max_future_days=int(
                self._number(recency.get("max_future_days", 1), "recency", "max_future_days")
            ),
            positions={
                k: self._number(positions.get(k, d), "positions", k)
                for k, d in (("title", 1.0), ("lead", 1.0), ("body", 0.6))
            },
            dated_bonus=self._number(recency.get("dated_bonus", 0.0), "recency", "dated_bonus"),
            support=self._number(data.get("support", 0.5), "top level", "support"),
            trigger=union(trigger_names),
            prefilter_pattern=union(trigger_names + also),
            groups=groups,
            rules=rules,
            adjust=adjust,
            extra_actors=self._actors(data.get("actors") or {}),
        )

    def _rules(self, raw: Any, known: set[str]) -> tuple[Rule, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(
                "top level",
                "rules",
                "expected a non-empty list of rules",
                "start each rule with `- name: ...`",
            )
        rules = []
        for i, spec in enumerate(raw):
            name = spec.get("name") if isinstance(spec, dict) else None
            where = f"rule '{name}'" if name else f"rule #{i + 1}"
            spec = self._keys(spec, _RULE_KEYS, where)
            if not isinstance(name, str):
                raise self.fail(where, "name", "missing", "give every rule a unique `name`")
            within = spec.get("within", "sentence")
            if within not in ("sentence", "lead") and not (isinstance(within, int) and within > 0):
                raise self.fail(
                    where,
                    "within",
                    f"bad value {within!r}",
                    "use `sentence`, `lead` or a number of words",
                )
            all_ = self._names(spec.get("all"), where, "all", known)
            in_title = self._names(spec.get("in_title"), where, "in_title", known)
            if in_title and within != "lead":
                raise self.fail(
                    where,
                    "in_title",
                    "only meaningful with `within: lead`",
                    "set `within: lead` or drop `in_title`",
                )
            if not all_:
                raise self.fail(where, "all", "missing", "a rule needs at least one required term")
            subtypes = spec.get("subtypes") or {}
            if not isinstance(subtypes, dict):
                raise self.fail(
                    where,
                    "subtypes",
                    "expected a mapping",
                    "e.g. `{satellite: [satellite], test: []}`",
                )
            actors = spec.get("actors")
            rules.append(
                Rule(
                    name=name,
                    within=within,
                    in_title=in_title,
                    all=all_,
                    any=self._names(spec.get("any"), where, "any", known),
                    none=self._names(spec.get("none"), where, "none", known),
                    score=self._number(spec.get("score", 1.0), where, "score"),
                    subtypes=tuple(
                        (str(k), self._names(v, where, "subtypes", known))
                        for k, v in subtypes.items()
                    ),
                    actors=frozenset(self._plain_list(actors, where, "actors")) if actors else None,
                )
            )
        if len({r.name for r in rules}) != len(rules):
            raise self.fail("top level", "rules", "two rules share a name", "rename one of them")
        return tuple(rules)

    def _adjust(self, raw: Any, known: set[str]) -> tuple[Adjustment, ...]:
        if not isinstance(raw, list):
            raise self.fail("top level", "adjust", "expected a list", "start each with `- name:`")
        out = []
        for i, spec in enumerate(raw):
            where = f"adjustment #{i + 1}"
            spec = self._keys(spec, _ADJUST_KEYS, where)
            name = spec.get("name")
            if not isinstance(name, str):
                raise self.fail(where, "name", "missing", "give every adjustment a `name`")
            where = f"adjustment '{name}'"
            scope = spec.get("scope", "window")
            if scope not in ("window", "title", "item"):
                raise self.fail(
                    where, "scope", f"bad value {scope!r}", "use `window`, `title` or `item`"
                )
            any_ = self._names(spec.get("any"), where, "any", known)
            if not any_:
                raise self.fail(where, "any", "missing", "list the groups that trigger it")
            all_ = self._names(spec.get("all"), where, "all", known)
            score = self._number(spec.get("score"), where, "score")
            out.append(Adjustment(name, scope, any_, score, all_))
        return tuple(out)

    def _plain_list(self, value: Any, where: str, key: str) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, key, "expected a list of strings", "e.g. `[north-korea, iran]`")
        return value

    def _actors(self, raw: Any) -> dict[str, tuple[str, ...]]:
        if not isinstance(raw, dict):
            raise self.fail(
                "top level",
                "actors",
                "expected a mapping of actor id to aliases",
                "e.g. `north-korea: [Hermit Kingdom]`",
            )
        return {str(k): tuple(self._plain_list(v, "actors", str(k))) for k, v in raw.items()}
