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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
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


# How a report tells the launch's day: its day and local time ("timed"), its day alone
# ("day"), "yesterday" the morning after, or nothing at all ("none").
# ("utc", English wire copy only: the time and day in GMT, "at 2210 GMT on Monday").
Telling = Literal["timed", "day", "yesterday", "none", "utc"]


def _english(
    launch: Launch, rng: random.Random, telling: Telling = "timed", before: Launch | None = None
) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    weekday = _WEEKDAYS_EN[t.weekday()]
    utc = t.astimezone(ZoneInfo("UTC"))
    source = rng.choice(a.sources_en)
    title = rng.choice(
        (
            f"{a.en} fires {a.weapon_en.removeprefix('a ')}",
            f"{a.en} launches {a.weapon_en.removeprefix('a ')}, officials say",
            f"{a.en} fires {a.weapon_en.removeprefix('a ')} in new launch",
        )
    )
    lead = {
        "timed": f"{a.en} fired {a.weapon_en} at {_hm(t)} local time on {weekday}, {source}.",
        "day": f"{a.en} fired {a.weapon_en} on {weekday}, {source}.",
        "yesterday": f"{a.en} fired {a.weapon_en} yesterday, {source}.",
        "none": f"{a.en} has fired {a.weapon_en}, {source}.",
        "utc": f"{a.en} fired {a.weapon_en} at {utc:%H%M} GMT on {_WEEKDAYS_EN[utc.weekday()]}, "
        f"{source}.",
    }[telling]
    more = rng.choice(
        (
            "Officials were still assessing the flight data.",
            "The launch drew swift condemnation from neighbouring governments.",
            "It was the latest in a series of launches this month.",
        )
    )
    if before is not None:
        more = f"It came a day after the launch on {_WEEKDAYS_EN[before.local.weekday()]}. {more}"
    return title, f"{lead} {more}"


def _korean(
    launch: Launch, rng: random.Random, telling: Telling = "timed", before: Launch | None = None
) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    half = "오전" if t.hour < 12 else "오후"
    hour = t.hour if t.hour <= 12 else t.hour - 12
    title = rng.choice((f"{a.ko}, 미사일 발사", f"{a.ko} 또 미사일 발사", f"{a.ko} 미사일 도발"))
    subject = a.ko + ("이" if a.ko.endswith(("한", "란")) else "가")
    when = {
        "timed": f"{t.day}일 {half} {hour}시 {t.minute}분께 ",
        "day": f"{t.day}일 ",
        "yesterday": "어제 ",
        "none": "",
    }[telling]
    lead = f"군 당국은 {subject} {when}미사일을 발사했다고 밝혔다."
    more = f" {before.local.day}일 미사일을 쏜 지 하루 만이다." if before is not None else ""
    return title, f"{lead}{more} 군은 추가 발사에 대비해 경계를 강화했다."


def _japanese(
    launch: Launch, rng: random.Random, telling: Telling = "timed", before: Launch | None = None
) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    half = "午前" if t.hour < 12 else "午後"
    hour = t.hour if t.hour <= 12 else t.hour - 12
    title = rng.choice(
        (f"{a.ja}がミサイル発射", f"{a.ja}、ミサイルを発射", f"{a.ja}が再びミサイル発射")
    )
    lead = {
        "timed": f"政府関係者によると、{a.ja}は{t.day}日{half}{hour}時{t.minute}分ごろ、"
        "ミサイルを発射した。",
        "day": f"政府関係者によると、{a.ja}は{t.day}日、ミサイルを発射した。",
        "yesterday": f"政府関係者によると、{a.ja}は昨日、ミサイルを発射した。",
        "none": f"政府関係者によると、{a.ja}がミサイルを発射した。",
    }[telling]
    more = f"{before.local.day}日に続く発射となる。" if before is not None else ""
    return title, f"{lead}{more} 詳しい飛行距離は分析中だという。"


def _german(
    launch: Launch, rng: random.Random, telling: Telling = "timed", before: Launch | None = None
) -> tuple[str, str]:
    a, t = launch.actor, launch.local
    weekday = _WEEKDAYS_DE[t.weekday()]
    title = rng.choice((f"{a.de} feuert Raketen ab", f"{a.de} startet erneut Raketen"))
    when = {
        "timed": f"am {weekday} um {_hm(t)} Uhr Ortszeit ",
        "day": f"am {weekday} ",
        "yesterday": "gestern ",
        "none": "",
    }[telling]
    lead = f"{a.de} hat {when}Raketen abgefeuert, hieß es."
    more = (
        f" Am {_WEEKDAYS_DE[before.local.weekday()]} hatte es bereits einen Start gegeben."
        if before is not None
        else ""
    )
    return title, f"{lead}{more} Die Flugdaten werden noch ausgewertet."


_WRITERS = (_english, _english, _korean, _japanese, _german)

# The vaguer stream's further languages: the actor's name in each, and how each tells the day.
_OTHER_NAMES = {
    "north-korea": {"zh": "朝鲜", "es": "Corea del Norte", "id": "Korea Utara", "tr": "Kuzey Kore"},
    "russia": {"zh": "俄罗斯", "es": "Rusia", "id": "Rusia", "tr": "Rusya"},
    "iran": {"zh": "伊朗", "es": "Irán", "id": "Iran", "tr": "İran"},
}
_WEEKDAYS_ES = (
    "el lunes",
    "el martes",
    "el miércoles",
    "el jueves",
    "el viernes",
    "el sábado",
    "el domingo",
)
_WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_WEEKDAYS_TR = ("pazartesi", "salı", "çarşamba", "perşembe", "cuma", "cumartesi", "pazar")


def _chinese(
    launch: Launch, rng: random.Random, telling: Telling = "timed", before: Launch | None = None
) -> tuple[str, str]:
    name, t = _OTHER_NAMES[launch.actor.id]["zh"], launch.local
    half = "上午" if t.hour < 12 else "下午"
    hour = t.hour if t.hour <= 12 else t.hour - 12
    when = {
        "timed": f"{t.day}日{half}{hour}时{t.minute}分许",
        "day": f"{t.day}日",
        "yesterday": "昨天",
    }.get(telling, "")
    more = f"这是继{before.local.day}日之后的又一次发射。" if before is not None else ""
    title = rng.choice((f"{name}发射导弹", f"{name}再次发射导弹"))
    return title, f"据韩国军方消息，{name}{when}发射了导弹。{more}目前正在分析飞行距离。"


# Per language: two headlines, the lead ({when}: how the day is told), the day with its local
# time, the day alone, "yesterday", and the sentence on the launch the day before (or none).
_TEMPLATES = {
    "es": (
        ("{name} lanza misiles", "{name} dispara un misil balístico"),
        "{name} disparó misiles{when}, según fuentes militares.",
        " {weekday} a las {h}.{m} hora local",
        " {weekday}",
        " ayer",
        " Llega un día después del lanzamiento {before}.",
    ),
    "id": (
        ("{name} luncurkan rudal", "{name} kembali tembakkan rudal"),
        "{name} meluncurkan rudal{when}, kata sumber militer.",
        " pada hari {weekday} pukul {hh}.{m} waktu setempat",
        " pada hari {weekday}",
        " kemarin",
        "",
    ),
    "tr": (
        ("{name} füze fırlattı", "{name} yeniden füze ateşledi"),
        "{name}{when} füze fırlattı, askeri kaynaklar açıkladı.",
        " {weekday} günü yerel saatle {hh}.{m} sularında",
        " {weekday} günü",
        " dün",
        "",
    ),
}
_TEMPLATE_WEEKDAYS = {"es": _WEEKDAYS_ES, "id": _WEEKDAYS_ID, "tr": _WEEKDAYS_TR}


def _templated(lang: str) -> Callable[..., tuple[str, str]]:
    """A writer of `lang` from its templates."""
    titles, lead, timed, day, yesterday, after = _TEMPLATES[lang]
    weekdays = _TEMPLATE_WEEKDAYS[lang]

    def write(
        launch: Launch, rng: random.Random, telling: Telling = "timed", before: Launch | None = None
    ) -> tuple[str, str]:
        t = launch.local
        words = {
            "name": _OTHER_NAMES[launch.actor.id][lang],
            "weekday": weekdays[t.weekday()],
            "h": str(t.hour),
            "hh": f"{t.hour:02d}",
            "m": f"{t.minute:02d}",
            "before": weekdays[before.local.weekday()] if before is not None else "",
        }
        when = {"timed": timed, "day": day, "yesterday": yesterday}.get(telling, "")
        text = lead.format(**words, when=when.format(**words))
        if before is not None:
            text += after.format(**words)
        return rng.choice(titles).format(**words), text

    return write


_VAGUE_WRITERS = (*_WRITERS, _chinese, *(_templated(lang) for lang in _TEMPLATES))


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
            published = launch.local + delay
            _add(articles, truth, launch.key, outlet, (title, text), published, seed)
    articles.sort(key=lambda a: (a.published, a.id))
    return articles, truth


def _add(
    articles: list[Article],
    truth: dict[str, str],
    key: str,
    outlet: str,
    texts: tuple[str, str],
    published: datetime,
    seed: int,
) -> None:
    """One outlet's report of the launch `key`, with the truth of it."""
    article_id = f"{key}/{outlet}"
    title, text = texts
    articles.append(
        Article(
            id=article_id,
            outlet=outlet,
            title=title,
            text=text,
            url=f"https://news.example/{seed}/{len(articles)}",
            published=published.astimezone(ZoneInfo("UTC")),
        )
    )
    truth[article_id] = key


def vague_stream(
    seed: int, outlets: int = 12, start: date = date(2024, 3, 4)
) -> tuple[list[Article], dict[str, str]]:
    """As `stream`, in Chinese, Spanish, Indonesian and Turkish too, but most reports are
    vaguer: the launch's day without its time, "yesterday" the morning after, or no day at all;
    some tell of the actor's launch the day before. Each
    launch's first report, 20 to 90 minutes after it, states its day; the reports of a second
    salvo on one day state its time (nothing else tells it from the first)."""
    rng = random.Random(seed)
    names = [f"Outlet {i:02d}" for i in range(outlets)]
    all_launches = launches(rng, start)
    articles: list[Article] = []
    truth: dict[str, str] = {}
    for launch in all_launches:
        mine = [x for x in all_launches if x.actor is launch.actor]
        day = launch.local.date()
        later_salvo = any(x.local.date() == day and x.local < launch.local for x in mine)
        before = next((x for x in mine if x.local.date() == day - timedelta(days=1)), None)
        for n, outlet in enumerate(rng.sample(names, rng.randrange(3, 7))):
            writer = rng.choice(_VAGUE_WRITERS)
            telling: Telling
            if n == 0:
                telling = "timed" if later_salvo else rng.choice(("timed", "day"))
                delay = timedelta(minutes=rng.randrange(20, 90))
            else:
                choices: tuple[Telling, ...] = ("timed", "day", "yesterday", "none")
                telling = rng.choice(("timed", "yesterday") if later_salvo else choices)
                if writer is _english and rng.random() < 0.3:
                    telling = "utc"  # wire copy: the time and day in GMT
                delay = timedelta(minutes=rng.randrange(90, 7 * 60))
            published = launch.local + delay
            if telling == "yesterday":
                morning = time(rng.randrange(7, 11), rng.randrange(0, 60))
                published = datetime.combine(day + timedelta(days=1), morning, launch.local.tzinfo)
            mentioned = before if before is not None and rng.random() < 0.4 else None
            texts = writer(launch, rng, telling, mentioned)
            _add(articles, truth, launch.key, outlet, texts, published, seed)
    articles.sort(key=lambda a: (a.published, a.id))
    return articles, truth


# -- two sides firing at each other -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Side:
    id: str
    zone: str
    weapon_en: str


# Two pairs of sides; per language, each side's name as the subject and as the one fired at.
SIDES = (
    (
        Side("iran", "Asia/Tehran", "ballistic missiles"),
        Side("israel", "Asia/Jerusalem", "missiles"),
    ),
    (
        Side("russia", "Europe/Moscow", "cruise missiles"),
        Side("ukraine", "Europe/Kyiv", "missiles"),
    ),
)
_NAMED = {
    "en": "Iran Israel Russia Ukraine",
    "ru": "Иран Израиль Россия Украина",
    "fr": "L'Iran|Israël|La Russie|L'Ukraine",
    "ar": "إيران إسرائيل روسيا أوكرانيا",
}
_FIRED_AT = {
    "en": "at Iran|at Israel|at Russia|at Ukraine",
    "ru": "по Ирану|по Израилю|по России|по Украине",
    "fr": "sur l'Iran|sur Israël|sur la Russie|sur l'Ukraine",
    "ar": "على إيران|على إسرائيل|على روسيا|على أوكرانيا",
}
_SIDE_INDEX = {"iran": 0, "israel": 1, "russia": 2, "ukraine": 3}


def _names(lang: str, side: Side) -> tuple[str, str]:
    """The side's name as the subject, and as the one fired at, in `lang`."""
    named = _NAMED[lang]
    names = named.split("|") if "|" in named else named.split()
    return names[_SIDE_INDEX[side.id]], _FIRED_AT[lang].split("|")[_SIDE_INDEX[side.id]]


_WEEKDAYS_RU = (
    "в понедельник",
    "во вторник",
    "в среду",
    "в четверг",
    "в пятницу",
    "в субботу",
    "в воскресенье",
)
_WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_WEEKDAYS_AR = (
    "يوم الاثنين",
    "يوم الثلاثاء",
    "يوم الأربعاء",
    "يوم الخميس",
    "يوم الجمعة",
    "يوم السبت",
    "يوم الأحد",
)


# Per language: the headline, the lead ({when}: the day and time told, or nothing), how the
# time and the day are told, and the sentence on the other side's strike the day before.
_EXCHANGE = {
    "en": (
        "{name} fires {weapon} {at}",
        "{name} fired {weapon} {at}{when}, {other}'s military said.",
        " at {hm} local time on {weekday}",
        " on {weekday}",
        " It came a day after {other} struck on {before}.",
    ),
    "ru": (
        "{name} {verb} ракеты {at}",
        "{name}{when} {verb} ракеты {at}, сообщили военные.",
        " {weekday} в {hm} по местному времени",
        " {weekday}",
        " Это произошло на следующий день после удара {before}.",
    ),
    "fr": (
        "{name} tire des missiles {at}",
        "{name} a tiré{when} des missiles {at}, selon des sources militaires.",
        " {weekday} à {h}h{m}, heure locale,",
        " {weekday}",
        " Ces tirs surviennent au lendemain de frappes {before}.",
    ),
    "ar": (
        "{name} تطلق صواريخ {at}",
        "أطلقت {name} صواريخ {at}{when}، حسبما أفادت مصادر عسكرية.",
        " {weekday} عند الساعة {hm} بالتوقيت المحلي",
        " {weekday}",
        " وجاء ذلك بعد يوم من هجمات {before}.",
    ),
}
_WEEKDAYS = {"en": _WEEKDAYS_EN, "ru": _WEEKDAYS_RU, "fr": _WEEKDAYS_FR, "ar": _WEEKDAYS_AR}


def _exchange_report(
    lang: str, side: Side, other: Side, t: datetime, telling: Telling, before: datetime | None
) -> tuple[str, str]:
    """One report of `side` firing at `other` at local time `t`, telling its day and time
    ("timed"), its day ("day"), or neither ("none"); `before`: the other side's strike the day
    before, told after it."""
    title, lead, timed, day, after = _EXCHANGE[lang]
    name = _names(lang, side)[0]
    other_name, at = _names(lang, other)
    weekdays = _WEEKDAYS[lang]
    words = {
        "name": name,
        "at": at,
        "other": other_name,
        "weapon": side.weapon_en,
        "verb": "выпустила" if name.endswith("я") else "выпустил",
        "weekday": weekdays[t.weekday()],
        "hm": _hm(t),
        "h": str(t.hour),
        "m": f"{t.minute:02d}",
        "before": weekdays[before.weekday()] if before is not None else "",
    }
    when = {"timed": timed, "day": day}.get(telling, "").format(**words)
    text = lead.format(**words, when=when) + (after.format(**words) if before else "")
    return title.format(**words), text


def exchange_stream(
    seed: int, start: date = date(2024, 4, 1)
) -> tuple[list[Article], dict[str, str]]:
    """Two pairs of sides firing at each other on three consecutive days (one side, the
    other in reply, the first again), reported by several outlets in English, Russian, French
    and Arabic: each report names the side hit and, often, the other side's strike the day
    before. The first report of each strike states its time; the others its time, its day
    alone, or neither."""
    rng = random.Random(seed)
    articles: list[Article] = []
    truth: dict[str, str] = {}
    first_day = start + timedelta(days=rng.randrange(0, 5))
    for a, b in SIDES:
        fired: dict[tuple[str, int], datetime] = {}
        plan = ((a, b, 0), (b, a, 1), (a, b, 2))
        for side, _, day in plan:
            at = time(rng.randrange(1, 22), rng.randrange(0, 60))
            fired[(side.id, day)] = datetime.combine(
                first_day + timedelta(days=day), at, ZoneInfo(side.zone)
            )
        for side, other, day in plan:
            t = fired[(side.id, day)]
            key = f"{side.id}-{t.date().isoformat()}"
            before = fired.get((other.id, day - 1))
            for n in range(rng.randrange(4, 9)):
                lang = rng.choice(("en", "ru", "fr", "ar"))
                told = before if before is not None and rng.random() < 0.5 else None
                telling: Telling = "timed" if n == 0 else rng.choice(("timed", "day", "none"))
                texts = _exchange_report(lang, side, other, t, telling, told)
                minutes = rng.randrange(20, 90) if n == 0 else rng.randrange(90, 7 * 60)
                outlet = f"Outlet {n:02d}"
                _add(articles, truth, key, outlet, texts, t + timedelta(minutes=minutes), seed)
    articles.sort(key=lambda x: (x.published, x.id))
    return articles, truth


def language_of_writer(article: Article) -> str:
    """The language a generated article was written in, from its script."""
    text = article.title
    if any("\uac00" <= c <= "\ud7a3" for c in text):
        return "ko"
    if any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text):
        return "ja"
    return "de" if any(w in text for w in ("feuert", "startet")) else "en"
