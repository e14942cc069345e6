"""The prefilter's scan (monitor.detect.screen) answers exactly as the packs' whole patterns do,
and the words it reads from a pattern (monitor.detect.literals) are ones every match holds."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
import yaml

from monitor.detect import load_rules
from monitor.detect.engine import prefilter
from monitor.detect.literals import fold, required_words
from monitor.detect.rules import RuleSet
from monitor.detect.screen import build, screen_of, trigger_screen_of
from tests.corpus import DEV

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("missile", ("missile",)),
        ("missiles?", ("missile",)),
        (r"(?<![\w-])raket\w*(?![\w])", ("raket",)),
        (r"(?:raket|rakiet)\w*\s+test", ("rakiet", "raket")),  # the longer shortest word
        (r"[卫衛]星(?![图圖])", ("卫星", "衛星")),
        (r"\w+satellit\w*", ("satellit",)),
        (r"(?-i:ICBM)s?", ("icbm",)),
        (r"Hwasong-?\d+", ("hwasong",)),
        (r"(?:cruise|ballistic)?\s*missile", ("missile",)),
        (r"ab(?=c)d", ("abd",)),  # a look-ahead takes no room
        (r"(?:x{3})y", ("xxxy",)),
        ("İran", ("iran",)),
    ],
)
def test_required_words(pattern: str, words: tuple[str, ...]) -> None:
    found = required_words(pattern)
    assert found is not None and set(found) == set(words), found


@pytest.mark.parametrize(
    "pattern",
    [r"\w+", r"a?b?c?", r"(?:ab|)c", r"[^x]+y", r"(?:ab)*", "x", r"\d{4}", "(unbalanced"],
)
def test_patterns_that_promise_no_word(pattern: str) -> None:
    assert required_words(pattern) is None


def test_every_match_holds_a_required_word() -> None:
    """Texts each pattern matches, written out, hold one of its words once folded."""
    for pattern, text in [
        (r"(?:raket|rakiet)\w*\s+test", "Rakietowy   TEST"),
        (r"[卫衛]星", "發射衛星"),
        (r"(?:cruise|ballistic)?\s*missile", "MISSILE"),
        (r"Taepodong(?:-?\d)?", "TAEPODONG-2"),
        ("İran", "IRAN"),
        ("ſtrike", "STRIKE"),
    ]:
        assert re.search(pattern, text, re.IGNORECASE), (pattern, text)
        words = required_words(pattern)
        assert words is not None and any(w in fold(text) for w in words), (pattern, words)


def test_fold_keeps_what_case_insensitive_matching_takes_as_equal() -> None:
    """For every cased letter of the Basic Multilingual Plane: each letter that `re` takes as
    equal to it, ignoring case, folds to the same text."""
    for code in range(0x10000):
        c = chr(code)
        if c.lower() == c.upper():
            continue
        kin = {c.lower(), c.upper(), c.title(), c.casefold(), c.upper().lower()}
        kin |= {k for k in list(kin) if len(k) == 1 for k in (k.lower(), k.upper())}
        for other in kin:
            if len(other) == 1 and re.fullmatch(re.escape(c), other, re.IGNORECASE):
                assert fold(c) == fold(other), (hex(code), c, other)


def whole(rules: RuleSet, text: str) -> bool:
    return any(p.prefilter_pattern.search(text) is not None for p in (rules, *rules.packs.values()))


def own_texts() -> list[str]:
    texts = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            texts.append(f"{case.get('title', '')}\n{case.get('text', '')}")
    return texts


def test_the_scan_answers_as_the_whole_patterns_on_every_case() -> None:
    rules = load_rules()
    texts = own_texts()
    assert len(texts) > 1000
    answers = [(prefilter(t, rules), whole(rules, t)) for t in texts]
    assert [a for a in answers if a[0] != a[1]] == []
    assert sum(a for a, _ in answers) > len(texts) // 2  # most cases are reports or near ones


def test_each_packs_trigger_scan_answers_as_its_trigger_pattern() -> None:
    rules = load_rules()
    texts = own_texts()
    for pack in (rules, *rules.packs.values()):
        screen = trigger_screen_of(pack)
        differ = [t[:80] for t in texts if screen.passes(t) != bool(pack.trigger.search(t))]
        assert differ == [], pack.language


@pytest.mark.skipif(not DEV.is_dir(), reason=f"dev corpus not present at {DEV}")
def test_the_scan_answers_as_the_whole_patterns_on_the_dev_corpus() -> None:
    rules = load_rules()
    items = []
    for path in sorted(DEV.glob("*.jsonl")):
        if path.name != "labels.jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            items += [json.loads(line) for line in itertools.islice(lines, 0, None, 100)]
    texts = [f"{i['title']}\n{i['text']}" for i in items]
    differ = [t[:80] for t in texts if prefilter(t, rules) != whole(rules, t)]
    assert differ == []


def test_terms_without_a_word_still_run() -> None:
    screen = build([r"\d+\s+km", "rocket"])
    assert screen.passes("flew 300 km") and screen.passes("ROCKET")
    assert not screen.passes("nothing here")


def test_a_shorter_word_inside_a_longer_one_still_counts() -> None:
    # "missile" is the longest word at the position; "miss" is there too.
    screen = build([r"missile", r"miss(?=ile)"])
    assert screen.passes("missile") and screen.passes("MISSILE")
    only_short = build([r"missile\s+test", r"miss"])
    assert only_short.passes("missile launch")


def test_the_screen_is_built_once_per_rule_set() -> None:
    rules = load_rules()
    assert screen_of(rules) is screen_of(rules)
