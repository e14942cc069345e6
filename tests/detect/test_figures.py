"""The figures a report gives (how many missiles, how far, how high), which tell one launch from
another of the same actor when neither report's day is known: read in every script's digits,
without the days, hours, years and weapon names that do not tell launches apart."""

from __future__ import annotations

import pytest

from monitor.detect.engine import analyse
from monitor.detect.entities import salient_figures
from monitor.detect.rules import RuleSet, load_rules
from monitor.models import Article

FIGURES = [
    ("latin digits", "Iran fired about 180 missiles at Israel", (180,)),
    ("thousands, comma", "the missile flew 1,000 km before it fell", (1000,)),
    ("thousands, dot", "die Rakete flog 1.000 Kilometer weit", (1000,)),
    ("thousands, space", "ракета пролетела 1 000 километров", (1000,)),
    ("arabic-indic", "أطلقت إيران ١٨٠ صاروخا", (180,)),
    ("persian", "ایران ۲۰۰ موشک شلیک کرد", (200,)),
    ("devanagari", "ईरान ने १८० मिसाइलें दागीं", (180,)),
    ("full-width", "弾道ミサイル約２００発", (200,)),
    ("day and hour are not figures", "on the 14th at 14:05, two missiles", ()),
    ("a year is not a figure", "its first launch since 2023 reached 6,000 km", (6000,)),
    ("a weapon's number is its name", "a Hwasong-18 and a DF-41", ()),
    ("a decimal is not a count", "flew for 3.5 minutes, 74.5 km high", ()),
]


@pytest.mark.parametrize(
    ("text", "expected"), [f[1:] for f in FIGURES], ids=[f[0] for f in FIGURES]
)
def test_salient_figures(text: str, expected: tuple[int, ...]) -> None:
    assert salient_figures(text) == expected


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(None)


def test_a_detection_carries_the_figures_of_its_headline_and_lead(rules: RuleSet) -> None:
    article = Article(
        id="wire:1",
        url="https://news.example/1",
        title="Iran launches about 200 ballistic missiles at Israel",
        text=(
            "Iran launched about 200 ballistic missiles at Israel on Tuesday evening, the Israeli "
            "military said.\n\n"
            "In a separate development far below, officials recalled that 350 people attended "
            "a conference in 1998."
        ),
        published=None,
        outlet="Wire",
    )
    detection = analyse(article, rules).detection
    assert detection is not None
    assert detection.figures == (200,)
