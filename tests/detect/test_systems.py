"""A named system's number is read in every language, so that reports in several languages name
one missile alike (and an alert's gloss names it in English): "화성-14형", "火星14", "Хвасон-14"
and "Hwasong-14" are all the Hwasong-14; "Shaheen-III" and "शाहीन-3" the Shaheen-3."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.detect.engine import analyse
from monitor.detect.entities import numbered
from monitor.detect.rules import RuleSet, load_rules
from monitor.models import Article

NAMES = [
    ("hangul", "Hwasong", "화성-14형", "Hwasong-14"),
    ("kanji", "Hwasong", "火星14", "Hwasong-14"),
    ("cyrillic", "Hwasong", "Хвасон-14", "Hwasong-14"),
    ("roman numeral", "Shaheen", "Shaheen-III", "Shaheen-3"),
    ("arabic-indic digit", "Shaheen", "شاهين ٣", "Shaheen-3"),
    ("devanagari digit", "Agni", "अग्नि-५", "Agni-5"),
    ("no number", "Agni", "Agni Prime", "Agni"),
    ("the name has its own", "KN-25", "초대형 방사포", "KN-25"),
]


@pytest.mark.parametrize(
    ("name", "surface", "expected"), [n[1:] for n in NAMES], ids=[n[0] for n in NAMES]
)
def test_numbered(name: str, surface: str, expected: str) -> None:
    assert numbered(name, surface) == expected


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(None)


REPORTS = [
    (
        "ko",
        "북한, 대륙간탄도미사일 화성-14형 시험발사",
        "북한이 4일 화성-14형을 동해상으로 시험발사했다고 합참이 밝혔다.",
    ),
    ("ja", "北朝鮮がICBM「火星14」を発射", "北朝鮮は4日、ICBM「火星14」を日本海に向けて発射した。"),
    (
        "ru",
        "КНДР запустила ракету «Хвасон-14»",
        "КНДР 4 июля запустила межконтинентальную ракету «Хвасон-14».",
    ),
]


@pytest.mark.parametrize(("lang", "title", "text"), REPORTS, ids=[r[0] for r in REPORTS])
def test_reports_in_three_languages_name_one_missile(
    rules: RuleSet, lang: str, title: str, text: str
) -> None:
    article = Article(
        id=f"wire:{lang}",
        url=f"https://news.example/{lang}",
        title=title,
        text=text,
        published=datetime(2017, 7, 4, 6, tzinfo=UTC),
        outlet="Wire",
    )
    detection = analyse(article, rules).detection
    assert detection is not None and detection.actor == "north-korea"
    assert detection.weapon == "Hwasong-14"
