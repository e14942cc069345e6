"""The rule language: errors name the file, the rule and the key; the shipped copies agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.detect import load_rules, parse_rules
from monitor.detect.rules import default_rules_path
from monitor.errors import RulesError

ROOT = Path(__file__).parents[2]

MINIMAL = """
event_type: eruption
keywords:
  volcano: [volcano, volcanoes]
  erupt: [erupted, erupts]
trigger: [volcano]
rules:
  - name: volcano-erupts
    all: [volcano, erupt]
"""


def test_user_copy_matches_shipped_rules() -> None:
    """config/rules/ is the user-facing copy of the shipped rules and their language packs
    (`make rules` refreshes it)."""
    shipped = sorted(default_rules_path().parent.glob("missile_launch*.yaml"))
    copies = sorted((ROOT / "config" / "rules").glob("missile_launch*.yaml"))
    assert [p.name for p in copies] == [p.name for p in shipped]
    for original, copy in zip(shipped, copies, strict=True):
        assert copy.read_text(encoding="utf-8") == original.read_text(encoding="utf-8"), copy


def test_rules_for_another_event_type_need_no_code() -> None:
    rules = parse_rules(MINIMAL, source="eruption.yaml")
    assert rules.event_type == "eruption" and rules.rules[0].name == "volcano-erupts"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            ("    all: [volcano, erupt]", "    all: [volcano, lava]"),
            "rule 'volcano-erupts', key 'all': 'lava' is neither",
            id="unknown-group",
        ),
        pytest.param(
            ("    all: [volcano, erupt]", "    all: [volcano, erupt]\n    within: page"),
            "rule 'volcano-erupts', key 'within': bad value 'page'",
            id="bad-within",
        ),
        pytest.param(
            ("    all: [volcano, erupt]", "    all: [erupt]"),
            "rule 'volcano-erupts', key 'all': no trigger term",
            id="no-trigger",
        ),
        pytest.param(
            ("    all: [volcano, erupt]", "    all: [volcano, erupt]\n    scroe: 2"),
            "rule 'volcano-erupts', key 'scroe': unknown key",
            id="typo-key",
        ),
        pytest.param(
            ("erupts]", "erupts, no]"), "key 'terms': term False is not text", id="yaml-boolean"
        ),
        pytest.param(
            ("event_type: eruption", "event_type: eruption\nthreshold: high"),
            "top level, key 'threshold': expected a number",
            id="bad-threshold",
        ),
    ],
)
def test_errors_name_file_rule_and_key(change: tuple[str, str], expected: str) -> None:
    with pytest.raises(RulesError) as err:
        parse_rules(MINIMAL.replace(*change), source="eruption.yaml")
    message = str(err.value)
    assert message.startswith("eruption.yaml: ")
    assert expected in message and "Hint:" in message


def test_missing_file_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read the rules file"):
        load_rules(tmp_path / "nope.yaml")
