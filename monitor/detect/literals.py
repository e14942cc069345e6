"""The words every match of a pattern contains, read from the pattern itself.

`required_words(r"(?:raket|rakiet)\\w*\\s+test")` is `("test",)`: any text the pattern matches
holds "test". The prefilter (monitor.detect.screen) scans a text once for such words and runs
only the patterns whose words occur. The pattern is read with the parser `re.compile` itself
uses, so what it finds follows the pattern's real meaning (groups, alternatives, classes,
repetition), not a guess at its spelling.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

_parser = importlib.import_module("re._parser")

# More spellings than this and a run of fixed text is cut in two ("[ая][ея][ая]..." is not
# worth expanding). Alternatives are not limited: the scan takes any number of words.
MAX_WORDS = 64
# A class of at most this many characters counts as fixed text: "[卫衛]星" is 卫星 or 衛星.
MAX_CLASS = 4
MIN_LENGTH = 2

# Case-insensitive matching takes two letters as equal when their lower cases are, and a few
# more (ſ and s, ς and σ, ı and i, ᲀ and в): the lower case of the upper case is one letter for
# all of them, but for İ, whose lower case is two letters (i and a combining dot), and ẞ, whose
# upper case is itself while its lower case ß becomes SS.
_SPECIAL = str.maketrans({"\u0130": "i", "\u1e9e": "\u00df"})


def fold(text: str) -> str:
    """Text as the scan reads it: letters case-insensitive matching takes as equal made one."""
    return text.translate(_SPECIAL).upper().lower()


def required_words(pattern: str) -> tuple[str, ...] | None:
    """Folded words one of which every match of `pattern` (read case-insensitively) contains;
    None when the pattern promises none of at least MIN_LENGTH characters."""
    try:
        tree = _parser.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    found = _required(list(tree))
    if not found:
        return None
    words = {fold(w) for w in found}
    if min(len(w) for w in words) < MIN_LENGTH:
        return None
    return tuple(sorted(words))


Item = tuple[Any, Any]
_ZERO_WIDTH = {"ASSERT", "ASSERT_NOT", "AT"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more telling of two requirements: the longer shortest word, then fewer words."""
    if not a or not b:
        return a or b
    key_a = (min(map(len, a)), -len(a))
    key_b = (min(map(len, b)), -len(b))
    return a if key_a >= key_b else b


def _required(seq: Sequence[Item]) -> set[str] | None:
    """Words one of which every match of the sequence contains."""
    best: set[str] | None = None
    run: set[str] = {""}
    for op, arg in seq:
        name = str(op)
        if name in _ZERO_WIDTH:
            continue
        exact = _exact(op, arg)
        if exact is not None:
            longer = _product(run, exact)
            if longer is None:  # too many spellings: the run so far stands alone
                best = _better(best, _nonempty(run))
                run = exact
            else:
                run = longer
            continue
        best = _better(best, _nonempty(run))
        run = {""}
        best = _better(best, _item_required(name, arg))
    return _better(best, _nonempty(run))


def _nonempty(run: set[str]) -> set[str] | None:
    return run if run and "" not in run else None


def _item_required(name: str, arg: Any) -> set[str] | None:
    if name == "SUBPATTERN":
        return _required(list(arg[3]))
    if name == "ATOMIC_GROUP":
        return _required(list(arg))
    if name == "BRANCH":
        return _union(_required(list(alt)) for alt in arg[1])
    if name in _REPEATS and arg[0] >= 1:
        return _required(list(arg[2]))
    return None


def _union(parts: Iterable[set[str] | None]) -> set[str] | None:
    out: set[str] = set()
    for p in parts:
        if not p:
            return None
        out |= p
    return out


def _product(a: set[str], b: set[str]) -> set[str] | None:
    if len(a) * len(b) > MAX_WORDS:
        return None
    return {x + y for x in a for y in b}


def _exact(op: Any, arg: Any) -> set[str] | None:
    """The strings an item matches, when they are few and fixed."""
    name = str(op)
    if name == "LITERAL":
        return {chr(arg)}
    if name == "IN":
        chars: set[str] = set()
        for kind, value in arg:
            kind = str(kind)
            if kind == "LITERAL":
                chars.add(chr(value))
            elif kind == "RANGE" and value[1] - value[0] < MAX_CLASS:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            else:
                return None
        return chars if 0 < len(chars) <= MAX_CLASS else None
    if name == "SUBPATTERN":
        return _exact_seq(list(arg[3]))
    if name == "ATOMIC_GROUP":
        return _exact_seq(list(arg))
    if name == "BRANCH":
        return _union(_exact_seq(list(alt)) for alt in arg[1])
    if name in _REPEATS and arg[0] == arg[1] and 1 <= arg[0] <= 3:
        one = _exact_seq(list(arg[2]))
        out: set[str] | None = {""}
        for _ in range(arg[0]):
            out = _product(out, one) if out is not None and one is not None else None
        return out
    return None


def _exact_seq(seq: Sequence[Item]) -> set[str] | None:
    out: set[str] | None = {""}
    for op, arg in seq:
        if str(op) in _ZERO_WIDTH:
            continue
        item = _exact(op, arg)
        if item is None or out is None:
            return None
        out = _product(out, item)
    return out if out and "" not in out else None
