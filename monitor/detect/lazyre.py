"""Regular expressions compiled the first time they are used.

The rules of 21 languages hold thousands of patterns; a process reads only a few languages'
worth (a `monitor scan` of one article, a check of the config), so compiling them all at start
would cost seconds for nothing. A `LazyPattern` is checked when it is made (the pattern is parsed,
so a bad rule fails at load, naming itself) and compiled on its first match; from then on its
methods are the compiled pattern's own.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

_parser: Any = importlib.import_module("re._parser")  # what re.compile parses with

# Off while the shipped rules load: the suite compiles every one of their patterns.
_CHECKING: ContextVar[bool] = ContextVar("lazyre_checking", default=True)

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """Stands in for `re.compile(pattern, flags)` until it is first used."""

    def __init__(self, pattern: str, flags: int = 0, *, check: bool | None = None) -> None:
        if _CHECKING.get() if check is None else check:
            _fixed_lookbehinds(_parser.parse(pattern, flags))  # raises re.error as re.compile would
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        compiled = re.compile(self.pattern, self.flags)
        for name in _METHODS:  # from now on found without __getattr__
            setattr(self, name, getattr(compiled, name))
        self.__dict__["_compiled"] = compiled
        return compiled

    def __getattr__(self, name: str) -> Any:
        # Only what the instance does not hold yet: search, finditer... before the first use
        # (compiling makes them the instance's own), groups, groupindex... after.
        if name.startswith("__") or name == "_compiled":
            raise AttributeError(name)
        return getattr(self.__dict__.get("_compiled") or self.compiled(), name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unchecked, (self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern[:60]!r}, {self.flags})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyPattern | re.Pattern):
            return (self.pattern, self.flags) == (other.pattern, other.flags)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))


_ASSERT = _parser.ASSERT
_ASSERT_NOT = _parser.ASSERT_NOT


def _fixed_lookbehinds(parsed: Any) -> None:
    """Raise what `re.compile` would for a look-behind of varying width ("(?<!protests?\\s)"):
    the parser lets it through, the compiler does not."""
    stack = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, _parser.SubPattern):
            for op, av in node.data:
                if op in (_ASSERT, _ASSERT_NOT) and av[0] < 0:
                    low, high = av[1].getwidth()
                    if low != high:
                        raise re.error("look-behind requires fixed-width pattern")
                stack.append(av)
        elif isinstance(node, list | tuple):
            stack.extend(node)


def _unchecked(pattern: str, flags: int) -> LazyPattern:
    return LazyPattern(pattern, flags, check=False)


@contextmanager
def trusted() -> Iterator[None]:
    """Patterns made inside are not parsed until used: for rules known to be valid."""
    token = _CHECKING.set(False)
    try:
        yield
    finally:
        _CHECKING.reset(token)


def lazy_compile(pattern: str, flags: int = 0, *, check: bool | None = None) -> re.Pattern[str]:
    """`re.compile`, deferred: the pattern is parsed now (unless `check` is False, or inside
    `trusted()`) and compiled when first used."""
    return cast(re.Pattern[str], LazyPattern(pattern, flags, check=check))
