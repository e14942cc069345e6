"""The rule language: errors name the file, the rule and the key; the shipped copies agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from monitor.detect import load_rules, parse_rules
from monitor.detect.context import Context
from monitor.detect.rules import default_rules_path
from monitor.detect.text import unmarked
from monitor.errors import RulesError
from monitor.models import Article

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


def test_an_implied_launcher_must_be_a_known_actor(tmp_path: Path) -> None:
    (tmp_path / "eruption.yaml").write_text(
        MINIMAL + "implied_launchers: {ukraine: atlantis}\n", encoding="utf-8"
    )
    with pytest.raises(
        RulesError, match="implied_launchers, key 'ukraine': unknown actor 'atlantis'"
    ):
        load_rules(tmp_path / "eruption.yaml")


def test_an_implied_launcher_names_who_struck_the_place_a_report_names_alone() -> None:
    rules = load_rules(None)
    assert rules.implied_launchers["ukraine"] == "russia"
    assert rules.for_language("de").implied_launchers == rules.implied_launchers


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
            # rules are read as text is, without its zero-width non-joiners: the class is empty
            ("erupts]", "erupts, 're:فوران[\u200c]?ها']"),
            "key 'terms': term 're:فوران[]?ها' has a character class of nothing but marks",
            id="class-of-marks",
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


PACK = """
language: it
matching: prefix
keywords:
  volcano: [vulcan]
  erupt: [eruz, erutt]
"""


def test_a_language_pack_loads_beside_its_base_and_inherits_it(tmp_path: Path) -> None:
    (tmp_path / "eruption.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "eruption.it.yaml").write_text(PACK, encoding="utf-8")
    rules = load_rules(tmp_path / "eruption.yaml")
    assert rules.languages == ("en", "it")
    italian = rules.for_language("it")
    assert [r.name for r in italian.rules] == ["volcano-erupts"]  # inherited from the base
    assert italian.groups["erupt"].pattern.search("il vulcano erutta di nuovo")
    assert not rules.groups["erupt"].pattern.search("il vulcano erutta di nuovo")
    assert rules.for_language("sv") is rules  # no pack: the base language's rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            PACK.replace("language: it", "language: fr"),
            "key 'language' must be 'it', as in the file's name",
            id="language-mismatch",
        ),
        pytest.param(
            PACK + "event_type: flood\n",
            "a pack cannot change the event type",
            id="event-type",
        ),
        pytest.param(
            PACK.replace("matching: prefix", "matching: stems"),
            "key 'matching': bad value 'stems'",
            id="bad-matching",
        ),
        pytest.param(
            PACK + "dates: {relative: {ieri: yesterday}}\n",
            "dates, key 'relative': expected a mapping of word to 0..3660",
            id="bad-relative-date",
        ),
        pytest.param(
            PACK + "dates: {same_day: {stesso: 0}}\n",
            "dates, key 'same_day': expected a list of words",
            id="bad-same-day",
        ),
        pytest.param(
            PACK + "dates: {same_day: ['re:stesso(']}\n",
            "dates, key 'same_day': bad regex",
            id="bad-same-day-regex",
        ),
        pytest.param(
            PACK + "roles: {target_before: ['(unclosed']}\n",
            "roles, key 'target_before': bad regex",
            id="bad-role-regex",
        ),
        pytest.param(
            PACK + "adjust: [{name: x, scope: window, any: [volcano], score: 0.4, peg: true}]\n",
            "adjustment 'x', key 'peg': only a headline makes the body's launch the news",
            id="peg-outside-the-headline",
        ),
        pytest.param(
            PACK + "adjust: [{name: x, scope: window, any: [volcano], score: 0, aside: true}]\n",
            "adjustment 'x', key 'aside': only a headline",
            id="aside-outside-the-headline",
        ),
        pytest.param(
            PACK + "adjust: [{name: x, scope: title, any: [volcano], none: [lava], score: 0}]\n",
            "adjustment 'x', key 'none': 'lava' is",
            id="unknown-none-group",
        ),
        pytest.param(
            PACK + "not_actors: [vulcano]\nnot_actors: [eruzione]\n",
            "not_actors: written twice",
            id="key-written-twice",
        ),
        pytest.param(
            PACK + "roles: {agent_before: ['(?<!vist[oi]?\\s)da\\s+$']}\n",
            "roles, key 'agent_before': bad regex: look-behind requires fixed-width pattern",
            id="role-look-behind-of-varying-width",
        ),
    ],
)
def test_pack_errors_name_the_pack_and_the_key(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "eruption.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "eruption.it.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path / "eruption.yaml")
    assert str(err.value).startswith(str(tmp_path / "eruption.it.yaml")) and expected in str(
        err.value
    )


def test_naming_a_pack_instead_of_its_base_says_which_to_name(tmp_path: Path) -> None:
    (tmp_path / "eruption.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "eruption.it.yaml").write_text(PACK, encoding="utf-8")
    with pytest.raises(RulesError, match=r"language pack of eruption\.yaml.*name .*eruption\.yaml"):
        load_rules(tmp_path / "eruption.it.yaml")


def test_a_mistake_in_the_base_is_named_in_the_base_not_in_a_pack(tmp_path: Path) -> None:
    (tmp_path / "eruption.yaml").write_text(
        MINIMAL.replace("event_type: eruption", "event_type: eruption\ntreshold: 2"), "utf-8"
    )
    (tmp_path / "eruption.it.yaml").write_text(PACK, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path / "eruption.yaml")
    assert str(err.value).startswith(f"{tmp_path / 'eruption.yaml'}: top level, key 'treshold'")


def test_an_unknown_time_zone_is_refused_when_loading(tmp_path: Path) -> None:
    (tmp_path / "eruption.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "eruption.it.yaml").write_text(
        PACK + "timezones: {etna-observatory: Europe/Catania}\n", encoding="utf-8"
    )
    with pytest.raises(RulesError, match="unknown time zone 'Europe/Catania'"):
        load_rules(tmp_path / "eruption.yaml")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        # Pages often drop Persian's zero-width non-joiner: the pack's terms written with it
        # ("برنامه\u200cریزی", planning) match text without it, and the reverse.
        ("ایران برنامهریزی کرده است", "irrealis"),
        ("ایران برنامه\u200cریزی کرده است", "irrealis"),
        # CLDR's weekday is written with one ("سه\u200cشنبه"); the page without.
        ("روز سهشنبه", "@date"),
    ],
)
def test_persian_reads_alike_with_and_without_the_zero_width_non_joiner(
    text: str, group: str
) -> None:
    pack = load_rules().packs["fa"]
    page = Article(id="fa:1", outlet="t", title=unmarked(text), text="", url=None, published=None)
    ctx = Context(page, pack)
    if group == "@date":
        assert [d.clue for d in ctx.dates(0, len(ctx.doc.text), None)], text
    else:
        assert ctx.within(group, 0, len(ctx.doc.text)), text


def test_no_shipped_pack_writes_a_key_twice() -> None:
    """YAML keeps the second of two equal keys without a word; an edited pack is refused for it
    at load (above), the shipped ones are trusted there, so they are checked here."""
    from monitor.config_yaml import duplicate_keys
    from monitor.detect.rules import default_rules_path

    for file in sorted(default_rules_path().parent.glob("*.yaml")):
        node = yaml.compose(file.read_text(encoding="utf-8"))
        assert duplicate_keys(node) == [], file.name
