"""Table-driven cases for every language pack: tests/detect/cases/<language>.yaml.

Each case is a headline and a few sentences written for the test (never copied from real
reports), and what the detector must make of it: detected or not, the launcher, the launch's
local date, the role (peg or background), the sources. Each file also checks that its language
is identified.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.detect import analyse, load_rules
from monitor.detect.rules import RuleSet
from monitor.models import Article

CASES = Path(__file__).parent / "cases"
_EXPECT = {
    "detected",
    "actor",
    "date",
    "subtype",
    "role",
    "sources",
    "targets",
    "not_targets",
    "not_sources",
    "weapon",
}


def _cases() -> list[Any]:
    out = []
    for file in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        language = data["language"]
        for case in data["cases"]:
            marks = (
                [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            )
            out.append(pytest.param(language, case, id=case["id"], marks=marks))
    return out


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def _published(value: Any) -> datetime | None:
    """The case's publication time; none for a page that shows no date."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@pytest.mark.parametrize(("language", "case"), _cases())
def test_case(language: str, case: dict[str, Any], rules: RuleSet) -> None:
    expect = case["expect"]
    assert set(expect) <= _EXPECT, f"unknown expectation keys {set(expect) - _EXPECT}"
    article = Article(
        id=case["id"],
        outlet="test",
        title=case["title"],
        text=case.get("text", ""),
        url=None,
        published=_published(case["published"]),
    )
    analysis = analyse(article, rules)
    why = "\n".join(analysis.explanation)
    assert analysis.language == language, why
    detection = analysis.detection
    assert (detection is not None) == expect["detected"], why
    if detection is None:
        return
    if "actor" in expect:
        assert detection.actor == expect["actor"], why
    if "date" in expect:
        want = None if expect["date"] is None else date.fromisoformat(str(expect["date"]))
        assert detection.event_date == want, why
    if "subtype" in expect:
        assert detection.subtype == expect["subtype"], why
    if "role" in expect:
        assert detection.role == expect["role"], why
    if "weapon" in expect:
        assert detection.weapon == expect["weapon"], why
    for key in ("sources", "targets"):
        if key in expect:
            assert set(getattr(detection, key)) >= set(expect[key]), why
    if "not_targets" in expect:
        assert not set(detection.targets) & set(expect["not_targets"]), why
    if "not_sources" in expect:
        assert not set(detection.sources) & set(expect["not_sources"]), why


def test_every_pack_has_cases(rules: RuleSet) -> None:
    files = {f.stem for f in CASES.glob("*.yaml")}
    missing = set(rules.languages) - files
    assert not missing, f"packs without test cases: {sorted(missing)}"


def _patterns(value: Any, seen: set[int]) -> list[Any]:
    """Every pattern a rule set holds, its packs' included."""
    from dataclasses import fields, is_dataclass

    from monitor.detect.lazyre import LazyPattern

    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, LazyPattern):
        return [value]
    if is_dataclass(value) and not isinstance(value, type):
        return [p for f in fields(value) for p in _patterns(getattr(value, f.name), seen)]
    if isinstance(value, dict):
        return [p for v in value.values() for p in _patterns(v, seen)]
    if isinstance(value, list | tuple):
        return [p for v in value for p in _patterns(v, seen)]
    return []


def test_every_pattern_of_the_shipped_rules_compiles() -> None:
    """The shipped rules' patterns are compiled when first used, not checked at load (see
    monitor.detect.lazyre): here each one is, and each behaves as `re.compile` made it."""
    import re

    patterns = _patterns(load_rules(), set())
    assert len(patterns) > 1000
    for pattern in patterns:
        compiled = re.compile(pattern.pattern, pattern.flags)
        assert pattern.compiled().pattern == compiled.pattern


def test_an_edited_pack_is_checked_whole_at_load(tmp_path: Path) -> None:
    """A copy of the shipped rules is trusted only while it is their very text: a bad pattern
    in an edited pack fails at load, naming the file, the group and the term."""
    from monitor.detect.rules import default_rules_path
    from monitor.errors import RulesError

    shipped = default_rules_path().parent
    for file in shipped.glob("missile_launch*.yaml"):
        (tmp_path / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    assert set(load_rules(tmp_path / "missile_launch.yaml").packs) == set(load_rules().packs)
    pack = tmp_path / "missile_launch.ko.yaml"
    text = pack.read_text(encoding="utf-8")
    edited = text.replace(
        "  launch:\n    terms:\n", "  launch:\n    terms:\n      - 're:발사(('\n", 1
    )
    pack.write_text(edited, encoding="utf-8")
    assert text != pack.read_text(encoding="utf-8")
    with pytest.raises(RulesError, match=r"missile_launch\.ko\.yaml.*launch.*bad pattern"):
        load_rules(tmp_path / "missile_launch.yaml")
