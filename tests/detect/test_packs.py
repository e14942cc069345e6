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
_EXPECT = {"detected", "actor", "date", "subtype", "role", "sources", "targets"}


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


def _published(value: Any) -> datetime:
    if isinstance(value, datetime):
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
        assert detection.event_date == date.fromisoformat(str(expect["date"])), why
    if "subtype" in expect:
        assert detection.subtype == expect["subtype"], why
    if "role" in expect:
        assert detection.role == expect["role"], why
    for key in ("sources", "targets"):
        if key in expect:
            assert set(getattr(detection, key)) >= set(expect[key]), why


def test_every_pack_has_cases(rules: RuleSet) -> None:
    files = {f.stem for f in CASES.glob("*.yaml")}
    missing = set(rules.languages) - files
    assert not missing, f"packs without test cases: {sorted(missing)}"
