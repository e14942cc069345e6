"""A generated news stream: many outlets reporting launches by the same actors on consecutive
days and hours apart, in several languages, naming their sources, with reworded headlines.

Every report of one launch states its local date (a weekday or a day of the month) and its
local time, the way wire copy does ("at 14:05 local time on Tuesday", "5일 오전 7시 10분께",
"5日午前7時10分ごろ"). The stream is drawn from a seed, so each seed is another stream; the truth
(which launch each report is about) comes with it. All texts are templates written for the
test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.models import Article

_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    zone: str
    en: str
    ko: str
    ja: str
    de: str
    weapon_en: str
    sources_en: tuple[str, ...]


ACTORS = (
    Actor(
        "north-korea",
        "Asia/Pyongyang",
        "North Korea",
        "북한",
        "北朝鮮",
        "Nordkorea",
        "a ballistic missile",
        (
            "South Korea's Joint Chiefs of Staff said",
            "Japan's defence ministry said",
            "according to South Korea's military",
        ),
    ),
    Actor(
        "russia",
        "Europe/Moscow",
        "Russia",
        "러시아",
        "ロシア",
        "Russland",
        "cruise missiles",
        ("Ukraine's air force said", "the Ukrainian military said", "according to Kyiv"),
    ),
    Actor(
        "iran",
        "Asia/Tehran",
        "Iran",
        "이란",
        "イラン",
        "Iran",
        "ballistic missiles",
        ("Israel's military said", "the Israel Defense Forces said", "according to Israel"),
    ),
)


@dataclass(frozen=True, slots=True)
class Launch:
    key: str  # the truth: "<actor>-<local date>-<HH:MM>"
    actor: Actor
    local: datetime  # local date and time of the launch


def _hm(t: datetime) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _english(launch: Launch, rng: random.Random) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    weekday = _WEEKDAYS_EN[t.weekday()]
    source = rng.choice(a.sources_en)
    title = rng.choice(
        (
            f"{a.en} fires {a.weapon_en.removeprefix('a ')}",
            f"{a.en} launches {a.weapon_en.removeprefix('a ')}, officials say",
            f"{a.en} fires {a.weapon_en.removeprefix('a ')} in new launch",
        )
    )
    lead = f"{a.en} fired {a.weapon_en} at {_hm(t)} local time on {weekday}, {source}."
    more = rng.choice(
        (
            "Officials were still assessing the flight data.",
            "The launch drew swift condemnation from neighbouring governments.",
            "It was the latest in a series of launches this month.",
        )
    )
    return title, f"{lead} {more}"


def _korean(launch: Launch, rng: random.Random) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    half = "오전" if t.hour < 12 else "오후"
    hour = t.hour if t.hour <= 12 else t.hour - 12
    title = rng.choice((f"{a.ko}, 미사일 발사", f"{a.ko} 또 미사일 발사", f"{a.ko} 미사일 도발"))
    subject = a.ko + ("이" if a.ko.endswith(("한", "란")) else "가")
    lead = (
        f"군 당국은 {subject} {t.day}일 {half} {hour}시 {t.minute}분께 미사일을 발사했다고 밝혔다."
    )
    return title, f"{lead} 군은 추가 발사에 대비해 경계를 강화했다."


def _japanese(launch: Launch, rng: random.Random) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    half = "午前" if t.hour < 12 else "午後"
    hour = t.hour if t.hour <= 12 else t.hour - 12
    title = rng.choice(
        (f"{a.ja}がミサイル発射", f"{a.ja}、ミサイルを発射", f"{a.ja}が再びミサイル発射")
    )
    lead = (
        f"政府関係者によると、{a.ja}は{t.day}日{half}{hour}時{t.minute}分ごろ、ミサイルを発射した。"
    )
    return title, f"{lead} 詳しい飛行距離は分析中だという。"


def _german(launch: Launch, rng: random.Random) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    weekday = _WEEKDAYS_DE[t.weekday()]
    title = rng.choice((f"{a.de} feuert Raketen ab", f"{a.de} startet erneut Raketen"))
    lead = f"{a.de} hat am {weekday} um {_hm(t)} Uhr Ortszeit Raketen abgefeuert, hieß es."
    return title, f"{lead} Die Flugdaten werden noch ausgewertet."


_WRITERS = (_english, _english, _korean, _japanese, _german)


def launches(rng: random.Random, start: date) -> list[Launch]:
    """For each actor: launches on two consecutive days, and on the second day a second salvo
    hours after the first; then one more a few days later."""
    out = []
    for actor in ACTORS:
        zone = ZoneInfo(actor.zone)
        first = start + timedelta(days=rng.randrange(0, 3))
        times = [
            (first, time(rng.randrange(5, 9), rng.randrange(0, 60))),
            (first + timedelta(days=1), time(rng.randrange(5, 9), rng.randrange(0, 60))),
            (first + timedelta(days=1), time(rng.randrange(14, 18), rng.randrange(0, 60))),
            (first + timedelta(days=rng.randrange(4, 7)), time(rng.randrange(6, 20), 5)),
        ]
        for day, at in times:
            local = datetime.combine(day, at, tzinfo=zone)
            out.append(Launch(f"{actor.id}-{day.isoformat()}-{at:%H:%M}", actor, local))
    return out


def stream(
    seed: int, outlets: int = 12, start: date = date(2024, 3, 4)
) -> tuple[list[Article], dict[str, str]]:
    """Reports of every launch by several of `outlets` outlets, each some minutes to hours after
    it; returns the articles in publication order and the truth (article id -> launch key)."""
    rng = random.Random(seed)
    names = [f"Outlet {i:02d}" for i in range(outlets)]
    articles: list[Article] = []
    truth: dict[str, str] = {}
    for launch in launches(rng, start):
        for outlet in rng.sample(names, rng.randrange(3, 7)):
            writer = rng.choice(_WRITERS)
            title, text = writer(launch, rng)
            # Published between 20 minutes and 7 hours after the launch: the same local day
            # or, for a late launch, the small hours after it.
            delay = timedelta(minutes=rng.randrange(20, 7 * 60))
            published = (launch.local + delay).astimezone(ZoneInfo("UTC"))
            article_id = f"{launch.key}/{outlet}"
            articles.append(
                Article(
                    id=article_id,
                    outlet=outlet,
                    title=title,
                    text=text,
                    url=f"https://news.example/{seed}/{len(articles)}",
                    published=published,
                )
            )
            truth[article_id] = launch.key
    articles.sort(key=lambda a: (a.published, a.id))
    return articles, truth


def language_of_writer(article: Article) -> str:
    """The language a generated article was written in, from its script."""
    text = article.title
    if any("\uac00" <= c <= "\ud7a3" for c in text):
        return "ko"
    if any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text):
        return "ja"
    return "de" if any(w in text for w in ("feuert", "startet")) else "en"
