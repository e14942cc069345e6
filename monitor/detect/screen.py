"""The prefilter's fast path: one scan for the words the trigger terms need.

Every pack's prefilter is one case-insensitive pattern with hundreds of alternatives, many
guarded by look-behinds; Python's engine tries them all at every position of a text, about
1 ms per pack for a kilobyte, so twenty packs cost more than reading the page. Yet nearly every
term needs some fixed word ("raket" in `raket*`, "test" in `re:(?:raket|rakiet)\\w*\\s+test`,
卫星 or 衛星 in `re:[卫衛]星`): a text in which none of a term's words occurs, in any case,
cannot match it. So the words of every term of every pack go into one trie-shaped pattern over
the text folded to lower case, and a term's own pattern runs only where one of its words occurs.
The few terms that need no word run on every text. Detection asks the same question of one
pack's trigger terms before it reads a text closely (`trigger_screen_of`).

The answer is the one the packs' whole patterns give (tests/detect/test_screen.py checks it over
the corpora); only the time differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from monitor.detect.literals import fold, required_words
from monitor.detect.rules import RuleSet


@dataclass(slots=True)
class Screen:
    """Whether any term of any pack matches a text, trying only the terms whose words occur."""

    scan: ahocorasick.Automaton | None  # every word -> the terms that need it
    sources: tuple[str, ...]  # each term's pattern
    always: re.Pattern[str] | None  # the terms that need no word, as one pattern
    compiled: dict[int, re.Pattern[str]] = field(default_factory=dict)

    def passes(self, text: str) -> bool:
        if self.always is not None and self.always.search(text) is not None:
            return True
        if self.scan is None:
            return False
        tried: set[int] = set()
        for _end, terms in self.scan.iter(fold(text)):
            for i in terms:
                if i not in tried:
                    tried.add(i)
                    if self._pattern(i).search(text) is not None:
                        return True
        return False

    def _pattern(self, i: int) -> re.Pattern[str]:
        # Compiled when first needed: most terms' words never occur in most news.
        pattern = self.compiled.get(i)
        if pattern is None:
            pattern = self.compiled[i] = re.compile(self.sources[i], re.IGNORECASE)
        return pattern


@lru_cache(maxsize=64)
def screen_of(rules: RuleSet) -> Screen:
    """The screen of a base rule set and its packs (rule sets are compared by identity)."""
    sources: list[str] = []
    for pack in (rules, *rules.packs.values()):
        # A rule set built without its parts is screened by its whole pattern.
        sources += pack.prefilter_parts or [pack.prefilter_pattern.pattern]
    return build(list(dict.fromkeys(sources)))


@lru_cache(maxsize=64)
def trigger_screen_of(rules: RuleSet) -> Screen:
    """The screen of one rule set's trigger terms, which every rule requires."""
    return build(rules.trigger_parts or [rules.trigger.pattern])


def build(sources: Sequence[str]) -> Screen:
    # Group names would clash once the terms are joined.
    sources = [_UNNAMED.sub("(?:", s) for s in sources]
    owners: dict[str, list[int]] = {}
    always = []
    for i, source in enumerate(sources):
        words = required_words(source)
        if words is None:
            always.append(i)
            continue
        for word in words:
            owners.setdefault(word, []).append(i)
    return Screen(
        scan=_automaton(owners),
        sources=tuple(sources),
        always=_union(sources[i] for i in always),
    )


def _automaton(owners: dict[str, list[int]]) -> ahocorasick.Automaton | None:
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for word, terms in owners.items():
        automaton.add_word(word, tuple(terms))
    automaton.make_automaton()
    return automaton


_UNNAMED = re.compile(r"\(\?P<\w+>")


def _union(sources: Iterable[str]) -> re.Pattern[str] | None:
    joined = "|".join(f"(?:{s})" for s in sources)
    return re.compile(joined, re.IGNORECASE) if joined else None
