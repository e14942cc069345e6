"""Checking a rules file and building its RuleSet: every error names the file, the rule and
the key, and says how to fix it. The language is documented in docs/rules.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.detect.calendars import DateWords
from monitor.detect.gazetteer import ACTORS, weapon_class
from monitor.detect.lazyre import lazy_compile
from monitor.detect.rules import (
    ENTITY_TYPES,
    INHERITED,
    Adjustment,
    KeywordGroup,
    Matching,
    Roles,
    Rule,
    RuleSet,
    WeaponTerms,
    compile_terms,
    term_regex,
    terms_source,
)
from monitor.errors import RulesError

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
    "owners",
    "keywords",
    "rules",
    "adjust",
    "language",
    "matching",
    "weapons",
    "systems",
    "dates",
    "roles",
    "timezones",
    "implied_launchers",
    "not_actors",
    "not_dates",
}
# Keys only a language pack may set, and the ones it may not.
_ROLE_KEYS = (
    "source_after",
    "source_before",
    "target_after",
    "target_before",
    "addressee_before",
    "addressee_after",
    "agent_after",
    "agent_before",
    "object_before",
    "maker_after",
    "maker_before",
)
_MATCHING = ("words", "prefix", "substring")
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
_ADJUST_KEYS = {"name", "scope", "any", "all", "none", "score", "peg", "aside", "note"}
_GROUP_KEYS = {"terms", "unless_after", "unless_before", "gap", "case_sensitive"}


# "[]" or "[^]" in a pattern: what is left of a class of marks once they are read away.
_EMPTY_CLASS = re.compile(r"(?<!\\)\[\^?\]")


class Builder:
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
            if term.startswith("re:") and _EMPTY_CLASS.search(term):
                # Rules are read as text is, without the marks writing may leave out.
                raise self.fail(
                    where,
                    "terms",
                    f"term {term!r} has a character class of nothing but marks text is read "
                    "without (zero-width non-joiner, vowel points)",
                    "drop the class, or write `\\s?` where writers may put a space",
                )
        if not isinstance(terms, list) or not terms:
            raise self.fail(
                where,
                "terms",
                "expected a non-empty list of words or phrases",
                "e.g. `[fired, launched, test-fired]`",
            )
        try:
            compile_terms(terms)
        except re.error:
            for term in terms:  # only now, to name the culprit
                try:
                    re.compile(term_regex(term))
                except re.error as exc:
                    raise self.fail(
                        where,
                        "terms",
                        f"bad pattern {term!r}: {exc}",
                        "escape special characters or drop the `re:` prefix",
                    ) from exc
            raise
        return terms, spec

    def build(self, data: Any) -> RuleSet:
        inherited: set[str] = data.pop(INHERITED, set()) if isinstance(data, dict) else set()
        data = self._keys(data, _TOP_KEYS, "top level")
        language = data.get("language", "en")
        if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}", language):
            raise self.fail("top level", "language", f"bad value {language!r}", "an ISO 639-1 code")
        matching = data.get("matching", "words")
        if matching not in _MATCHING:
            raise self.fail(
                "top level", "matching", f"bad value {matching!r}", f"use one of {_MATCHING}"
            )
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
        # For the prefilter's scan: each group's terms as patterns of their own.
        group_parts: dict[str, list[str]] = {}
        for name, (terms, spec) in parsed.items():
            where = f"keyword group '{name}'"
            gap = int(self._number(spec.get("gap", 2), where, "gap"))
            case_sensitive = bool(spec.get("case_sensitive", False))
            group_matching: Matching = "words" if name in inherited else matching
            group_parts[name] = [terms_source([t], group_matching) for t in terms]
            groups[name] = KeywordGroup(
                name=name,
                pattern=compile_terms(terms, case_sensitive, group_matching),
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

        weapons = self._weapons(data.get("weapons"), "weapons", 0, matching)
        weapons += self._weapons(data.get("systems"), "systems", 3, matching)

        def parts_of(names: tuple[str, ...]) -> list[str]:
            parts = [groups[n].pattern.pattern if n in groups else entity_regex(n) for n in names]
            if {"@weapon", "@system"} & set(names):
                parts += [w.pattern.pattern for w in weapons]
            return parts

        def union(patterns: Iterable[str]) -> re.Pattern[str]:
            unique = [re.sub(r"\(\?P<\w+>", "(?:", p) for p in dict.fromkeys(patterns)]
            # Its parts were checked one by one.
            return lazy_compile("|".join(f"(?:{p})" for p in unique), re.IGNORECASE, check=False)

        def term_parts(names: tuple[str, ...]) -> tuple[str, ...]:
            """The alternatives of `union(parts_of(names))`, one term each, for a scan (see
            monitor.detect.screen)."""
            parts: list[str] = []
            for n in names:
                parts += group_parts[n] if n in groups else [entity_regex(n)]
            if {"@weapon", "@system"} & set(names):
                for w in weapons:
                    parts += w.parts
            return tuple(dict.fromkeys(parts))

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
            trigger=union(parts_of(trigger_names)),
            prefilter_pattern=union(parts_of(trigger_names + also)),
            prefilter_parts=term_parts(trigger_names + also),
            trigger_parts=term_parts(trigger_names),
            groups=groups,
            rules=rules,
            adjust=adjust,
            extra_actors=self._owned(
                self._actors(data.get("actors") or {}), data.get("owners"), data.get("systems")
            ),
            language=language,
            matching=matching,
            weapons=tuple(weapons),
            date_words=self._dates(data.get("dates")),
            not_actors=self._not_actors(data.get("not_actors"), matching),
            not_dates=self._not_actors(data.get("not_dates"), matching, "not_dates"),
            roles=self._roles(data.get("roles")),
            timezones=self._timezones(data.get("timezones")),
            implied_launchers=self._implied(data.get("implied_launchers"), data.get("actors")),
        )

    def _weapons(self, raw: Any, key: str, rank: int, matching: Matching) -> list[WeaponTerms]:
        """`weapons:`/`systems:` -- a list of terms, or a mapping English name -> terms."""
        if raw is None:
            return []
        if isinstance(raw, list):
            raw = {"missile" if rank == 0 else "": raw}
        if not isinstance(raw, dict):
            raise self.fail(
                "top level", key, "expected a list of terms or a mapping", "e.g. `[미사일]`"
            )
        out = []
        for value, terms in raw.items():
            terms = terms if isinstance(terms, list) else [terms]
            if not terms or not all(isinstance(t, str) for t in terms):
                raise self.fail(key, str(value), "expected a list of terms", "e.g. `[미사일]`")
            try:
                pattern = compile_terms(terms, False, matching)
            except re.error as exc:
                raise self.fail(key, str(value), f"bad pattern: {exc}", "check `re:` terms") from (
                    exc
                )
            # A kind fewer launches are of ("ICBM", "cruise missile") over a wider one read
            # from the same words ("대륙간탄도미사일" is a 탄도미사일 too).
            own_rank = rank if rank or value == "missile" else 2 if weapon_class(value) else 1
            parts = tuple(terms_source([t], matching) for t in terms)
            out.append(WeaponTerms(pattern, str(value), own_rank, parts))
        return out

    def _dates(self, raw: Any) -> DateWords:
        if raw is None:
            return DateWords()
        raw = self._keys(raw, {"relative", "weekdays", "months", "same_day"}, "dates")
        tables = {}
        for key, low, high, hint in (
            ("relative", 0, 3660, "`{yesterday: 1, today: 0}` (days before publication)"),
            ("weekdays", 0, 6, "`{пятницу: 4}` (0 is Monday)"),
            ("months", 1, 12, "`{январе: 1}`"),
        ):
            table = raw.get(key) or {}
            if not isinstance(table, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and low <= v <= high
                for v in table.values()
            ):
                raise self.fail(
                    "dates", key, f"expected a mapping of word to {low}..{high}", f"e.g. {hint}"
                )
            tables[key] = tuple((str(k).lower(), int(v)) for k, v in table.items())
        same_day = raw.get("same_day") or []
        if not isinstance(same_day, list) or not all(isinstance(w, str) and w for w in same_day):
            raise self.fail("dates", "same_day", "expected a list of words", "e.g. `[同日, 当日]`")
        for word in same_day:
            if word.startswith("re:"):
                try:
                    re.compile(word[3:])
                except re.error as exc:
                    problem = f"bad regex: {exc}"
                    raise self.fail("dates", "same_day", problem, "fix the pattern") from exc
        return DateWords(**tables, same_day=tuple(same_day))

    def _not_actors(
        self, raw: Any, matching: Matching, key: str = "not_actors"
    ) -> re.Pattern[str] | None:
        if raw is None:
            return None
        terms = self._plain_list(raw, "top level", key)
        return compile_terms(terms, False, matching) if terms else None

    def _roles(self, raw: Any) -> Roles:
        if raw is None:
            return Roles()
        raw = self._keys(raw, set(_ROLE_KEYS), "roles")
        compiled: dict[str, re.Pattern[str]] = {}
        for key, patterns in raw.items():
            patterns = patterns if isinstance(patterns, list) else [patterns]
            if patterns == []:
                continue
            if not all(isinstance(p, str) for p in patterns):
                raise self.fail("roles", key, "expected a list of regexes", r"e.g. `['^\s+said']`")
            try:
                compiled[key] = lazy_compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
            except re.error as exc:
                raise self.fail("roles", key, f"bad regex: {exc}", "fix the pattern") from exc
        return Roles(**compiled)

    def _implied(self, raw: Any, actors: Any) -> dict[str, str]:
        """`implied_launchers:` -- the place hit -> who strikes it, both known actor ids."""
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise self.fail(
                "top level",
                "implied_launchers",
                "expected a mapping of the actor hit to the actor that strikes it",
                "e.g. `ukraine: russia`",
            )
        known = {a.id for a in ACTORS} | set(actors or {})
        for hit, launcher in raw.items():
            for name in (str(hit), launcher):
                if name not in known:
                    raise self.fail(
                        "implied_launchers",
                        str(hit),
                        f"unknown actor {name!r}",
                        "use an actor id of the gazetteer or of `actors:` (e.g. russia)",
                    )
        return {str(k): v for k, v in raw.items()}

    def _timezones(self, raw: Any) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise self.fail(
                "top level", "timezones", "expected actor: Area/City", "e.g. `houthis: Asia/Aden`"
            )
        for actor, zone in raw.items():
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise self.fail(
                    "timezones",
                    str(actor),
                    f"unknown time zone {zone!r}",
                    "use an IANA name such as Asia/Aden or Europe/Kyiv",
                ) from exc
        return {str(k): v for k, v in raw.items()}

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
            if scope not in ("window", "title", "clause", "item"):
                raise self.fail(
                    where,
                    "scope",
                    f"bad value {scope!r}",
                    "use `window`, `title`, `clause` or `item`",
                )
            any_ = self._names(spec.get("any"), where, "any", known)
            if not any_:
                raise self.fail(where, "any", "missing", "list the groups that trigger it")
            all_ = self._names(spec.get("all"), where, "all", known)
            none = self._names(spec.get("none"), where, "none", known)
            score = self._number(spec.get("score"), where, "score")
            peg = spec.get("peg", False)
            if not isinstance(peg, bool):
                raise self.fail(where, "peg", f"bad value {peg!r}", "use `true` or `false`")
            if peg and scope != "title":
                raise self.fail(
                    where,
                    "peg",
                    "only a headline makes the body's launch the news",
                    "use it with `scope: title`",
                )
            aside = spec.get("aside", False)
            if not isinstance(aside, bool):
                raise self.fail(where, "aside", f"bad value {aside!r}", "use `true` or `false`")
            if aside and (scope != "title" or peg):
                raise self.fail(
                    where,
                    "aside",
                    "only a headline, and one that makes no launch the news, sets the lead's aside",
                    "use it with `scope: title`, without `peg`",
                )
            out.append(Adjustment(name, scope, any_, score, all_, none, peg, aside))
        return tuple(out)

    def _plain_list(self, value: Any, where: str, key: str) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, key, "expected a list of strings", "e.g. `[north-korea, iran]`")
        return value

    def _owned(
        self, actors: dict[str, tuple[str, ...]], owners: Any, systems: Any
    ) -> dict[str, tuple[str, ...]]:
        """`owners:` -- system name -> the one actor that fires it: the pack's terms for that
        system name its launcher too ("화성-18형 발사": North Korea's), as they do in English."""
        if owners is None:
            return actors
        if not isinstance(owners, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in owners.items()
        ):
            raise self.fail(
                "top level",
                "owners",
                "expected a mapping of system name to actor id",
                "e.g. `Hwasong: north-korea`",
            )
        if not isinstance(systems, dict):
            return actors
        out = dict(actors)
        for name, terms in systems.items():
            owner = owners.get(str(name))
            if owner is not None:
                listed = terms if isinstance(terms, list) else [terms]
                out[owner] = (*out.get(owner, ()), *(str(t) for t in listed))
        return out

    def _actors(self, raw: Any) -> dict[str, tuple[str, ...]]:
        if not isinstance(raw, dict):
            raise self.fail(
                "top level",
                "actors",
                "expected a mapping of actor id to aliases",
                "e.g. `north-korea: [Hermit Kingdom]`",
            )
        return {str(k): tuple(self._plain_list(v, "actors", str(k))) for k, v in raw.items()}
