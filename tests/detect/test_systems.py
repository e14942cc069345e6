"""A named system's number is read in every language, so that reports in several languages name
one missile alike (and an alert's gloss names it in English): "화성-14형", "火星14", "Хвасон-14",
"هواسونغ-14" and "Hwasong-14" are all the Hwasong-14; "Shaheen-III" and "शाहीन-3" the Shaheen-3."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.detect.engine import analyse
from monitor.detect.entities import numbered
from monitor.detect.rules import RulesError, RuleSet, load_rules, parse_rules
from monitor.models import Article, Detection

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


def _detect(rules: RuleSet, lang: str, title: str, text: str, at: datetime) -> Detection | None:
    article = Article(
        id=f"wire:{lang}:{at.year}",
        url=f"https://news.example/{lang}/{at.year}",
        title=title,
        text=text,
        published=at,
        outlet="Wire",
    )
    return analyse(article, rules).detection


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
    (
        "ar",
        "كوريا الشمالية تختبر صاروخ هواسونغ-14",
        "أطلقت كوريا الشمالية يوم 4 يوليو صاروخا عابرا للقارات من طراز هواسونغ-14.",
    ),
    (
        "fa",
        "کره شمالی موشک هواسونگ-۱۴ را آزمایش کرد",
        "کره شمالی روز ۴ ژوئیه یک موشک قاره‌پیمای هواسونگ-۱۴ را شلیک کرد.",
    ),
    (
        "he",
        "צפון קוריאה שיגרה טיל הוואסונג 14",
        "צפון קוריאה שיגרה ב-4 ביולי טיל בין-יבשתי מדגם הוואסונג 14.",
    ),
]


@pytest.mark.parametrize(("lang", "title", "text"), REPORTS, ids=[r[0] for r in REPORTS])
def test_reports_in_three_languages_name_one_missile(
    rules: RuleSet, lang: str, title: str, text: str
) -> None:
    detection = _detect(rules, lang, title, text, datetime(2017, 7, 4, 6, tzinfo=UTC))
    assert detection is not None and detection.actor == "north-korea"
    assert detection.weapon == "Hwasong-14"


# A system only one state fires names its launcher in every pack that lists it (`owners:`).
OWNED = [
    (
        "ko",
        "군, 현무-2 탄도미사일 시험발사 성공",
        "군 당국은 5일 서해안에서 현무-2 탄도미사일을 시험발사했다고 밝혔다.",
        "south-korea",
    ),
    (
        "zh",
        "美军试射民兵3洲际弹道导弹",
        "美国空军5日从范登堡基地试射一枚未携带弹头的民兵3洲际弹道导弹。",
        "united-states",
    ),
]


@pytest.mark.parametrize(("lang", "title", "text", "actor"), OWNED, ids=[o[0] for o in OWNED])
def test_a_system_one_state_fires_names_its_launcher(
    rules: RuleSet, lang: str, title: str, text: str, actor: str
) -> None:
    detection = _detect(rules, lang, title, text, datetime(2025, 5, 5, 9, tzinfo=UTC))
    assert detection is not None and detection.actor == actor


def test_owners_must_map_names_to_actors() -> None:
    text = (
        "event_type: missile_launch\nkeywords: {launch: [fired]}\n"
        "trigger: [launch]\nrules: [{name: r, all: [launch], score: 1}]\nowners: [Hwasong]\n"
    )
    with pytest.raises(RulesError, match=r"owners.*expected a mapping of system name to actor id"):
        parse_rules(text)


AGNI_3 = {
    # the number after "missile Agni", the missile word first
    "ur": ("بھارت کا میزائل اگنی 3 کا تجربہ", "بھارت نے اڑیسہ کے ساحل سے میزائل اگنی 3 داغا۔"),
    "hi": ("भारत ने अग्नि-3 मिसाइल का परीक्षण किया", "ओडिशा तट से अग्नि-3 मिसाइल दागी गई।"),
}


@pytest.mark.parametrize("lang", sorted(AGNI_3))
def test_the_number_after_a_missile_word_and_the_name_is_read(rules: RuleSet, lang: str) -> None:
    found = _detect(rules, lang, *AGNI_3[lang], datetime(2019, 11, 30, 12, tzinfo=UTC))
    assert ((found.actor, found.weapon) if found else None) == ("india", "Agni-3")
