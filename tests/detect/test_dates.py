"""What a report's date means: the launch's own day, a reaction's day (which only bounds the
launch), or the day of publication standing in, moved back for the small hours of the night."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from monitor.detect import analyse, load_rules
from monitor.detect.calendars import DateWords, Vocabulary
from monitor.detect.dates import find_dates, publication_day
from monitor.detect.rules import RuleSet
from monitor.detect.times import find_time
from monitor.models import Article


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def article(title: str, text: str, published: str) -> Article:
    when = datetime.fromisoformat(published)
    return Article(
        "t:1", "test", title, text, None, when if when.tzinfo else when.replace(tzinfo=UTC)
    )


# (published, actor's time zone, the day an undated report is taken to be about)
PUBLICATION_DAYS = [
    pytest.param("2023-03-14T18:30+00:00", "Asia/Pyongyang", date(2023, 3, 14), id="03:30-local"),
    pytest.param("2023-03-14T20:59+00:00", "Asia/Pyongyang", date(2023, 3, 14), id="05:59-local"),
    pytest.param("2023-03-14T21:00+00:00", "Asia/Pyongyang", date(2023, 3, 15), id="06:00-local"),
    pytest.param("2023-03-14T23:30+00:00", "Asia/Pyongyang", date(2023, 3, 15), id="morning"),
    pytest.param("2023-03-14T22:00-04:00", "Europe/Kyiv", date(2023, 3, 14), id="offset-given"),
    pytest.param("2023-03-15T03:00+00:00", None, date(2023, 3, 14), id="unknown-zone-is-utc"),
    pytest.param("2023-03-15T00:00+00:00", "Europe/Kyiv", date(2023, 3, 15), id="bare-date"),
    pytest.param("2023-03-15T02:00", "Europe/Kyiv", date(2023, 3, 15), id="naive-time"),
]


@pytest.mark.parametrize(("published", "zone", "day"), PUBLICATION_DAYS)
def test_publication_day_moves_the_small_hours_back(
    published: str, zone: str | None, day: date
) -> None:
    assert publication_day(datetime.fromisoformat(published), zone) == day


def test_publication_day_without_a_time() -> None:
    assert publication_day(None, "Asia/Pyongyang") is None


# (title, text, published UTC, event date, evidence part of the date)
DATES = [
    pytest.param(
        "UN chief condemns satellite launch",
        "North Korea's launch of a reconnaissance satellite drew a statement from the UN "
        "Secretary-General, who condemned it on Tuesday.",
        "2023-11-23T10:00",
        date(2023, 11, 21),
        "date:reaction",
        id="reaction-after-the-act",
    ),
    pytest.param(
        "Japan protests launch",
        "Japan on Monday condemned North Korea's launch of two ballistic missiles into the sea.",
        "2023-11-21T10:00",
        date(2023, 11, 20),
        "date:reaction",
        id="reaction-before-the-act",
    ),
    pytest.param(
        "Security Council meets",
        "The UN Security Council met in emergency session on Friday over North Korea's launch "
        "of an intercontinental ballistic missile.",
        "2023-11-25T10:00",
        date(2023, 11, 24),
        "date:reaction",
        id="un-meeting",
    ),
    pytest.param(
        "Iran fires missiles at Israel",
        "Iran fired a barrage of ballistic missiles at Israel, and Western leaders denounced the "
        "attack on Wednesday.",
        "2024-04-18T10:00",
        date(2024, 4, 17),
        "date:reaction",
        id="denounced",
    ),
    pytest.param(
        "Erdogan praises missile test",
        "Turkey's president on Friday called the test of a home-built ballistic missile a "
        "message to the region.",
        "2022-10-22T10:00",
        date(2022, 10, 21),
        "date:reaction",
        id="called-the-test",
    ),
    # The launcher's own media tell a launch the morning after: their day is the report's.
    pytest.param(
        "Kim oversees test of new missile",
        "North Korean leader Kim Jong Un oversaw the test-firing of a new tactical ballistic "
        "missile, state media said Thursday.",
        "2024-08-01T03:00",
        date(2024, 8, 1),
        "date:reaction",
        id="own-media-said-after-the-act",
    ),
    pytest.param(
        "Kim oversees test of new missile",
        "KCNA reported on Thursday that leader Kim Jong Un had overseen the test-firing of a "
        "new tactical ballistic missile.",
        "2024-08-01T03:00",
        date(2024, 8, 1),
        "date:reaction",
        id="own-media-reported-before-the-act",
    ),
    pytest.param(
        "North Korea fires ballistic missile",
        "North Korea fired a ballistic missile into the sea, South Korea's military said Thursday.",
        "2024-08-01T03:00",
        date(2024, 8, 1),
        "date",
        id="another-side-said-is-the-days-news",
    ),
    pytest.param(
        "North Korea fires missile",
        "North Korea fired a ballistic missile on Monday, which Japan condemned.",
        "2023-11-21T10:00",
        date(2023, 11, 20),
        "date",
        id="reaction-word-after-the-date",
    ),
    pytest.param(
        "North Korea fires missile",
        "North Korea fired a ballistic missile on Sunday, and Japan condemned the launch on "
        "Monday.",
        "2023-11-21T10:00",
        date(2023, 11, 19),
        "date",
        id="the-acts-own-date-wins",
    ),
    pytest.param(
        "Russia strikes Kyiv",
        "Russia fired missiles at Kyiv after Ukraine rejected a truce offer on Monday.",
        "2023-11-21T10:00",
        date(2023, 11, 20),
        "date",
        id="reaction-before-the-launch-is-no-bound",
    ),
    pytest.param(
        "Russia fires missiles at Kyiv",
        "Russian missiles struck Kyiv, killing four people, officials said.",
        "2024-03-21T00:30",
        date(2024, 3, 20),
        "date:publication",
        id="undated-in-the-small-hours",
    ),
    pytest.param(
        "Russia fires missiles at Kyiv",
        "Russian missiles struck Kyiv, killing four people, officials said.",
        "2024-03-21T08:00",
        date(2024, 3, 21),
        "date:publication",
        id="undated-in-the-day",
    ),
    pytest.param(
        "Russia fires missiles at Kyiv",
        "Russian missiles struck Kyiv overnight, killing four people, officials said.",
        "2024-03-21T00:30",
        date(2024, 3, 21),
        "date",
        id="overnight-stated-in-the-small-hours",
    ),
]


@pytest.mark.parametrize(("title", "text", "published", "day", "part"), DATES)
def test_what_the_date_of_a_report_says(
    rules: RuleSet, title: str, text: str, published: str, day: date, part: str
) -> None:
    result = analyse(article(title, text, published), rules)
    d = result.detection
    assert d is not None, result.explanation
    assert d.event_date == day
    assert [e.part for e in d.evidence if e.part.startswith("date")] == [part]
    assert any(line.startswith(f"{d.rule} {part}:") for line in result.explanation)


@pytest.mark.parametrize(
    ("language", "matching", "text", "expected"),
    [
        pytest.param("ja", "substring", "3日連続で発射", [], id="ja-three-days-running"),
        pytest.param("ko", "prefix", "3일 연속 발사", [], id="ko-three-days-running"),
        pytest.param("ja", "substring", "5日午前に発射", ["2024-06-05"], id="ja-day-of-month"),
        pytest.param("vi", "words", "trực chiến 24/7", [], id="vi-24-7-is-not-a-date"),
        pytest.param("vi", "words", "ngày 28/5", ["2024-05-28"], id="vi-day-month"),
        pytest.param("vi", "words", "phóng hôm 3/6", ["2024-06-03"], id="vi-hom-day-month"),
        pytest.param("vi", "words", "vào ngày 3-6", ["2024-06-03"], id="vi-dashed"),
        pytest.param("vi", "words", "tỷ số 3-1", [], id="vi-dash-is-a-score-elsewhere"),
        pytest.param("vi", "words", "phóng ngày 4 vừa qua", ["2024-06-04"], id="vi-bare-day"),
        pytest.param("vi", "words", "trong 4 ngày", [], id="vi-days-counted-are-no-day"),
        pytest.param("ar", "words", "في الأول من يونيو", ["2024-06-01"], id="ar-ordinal-day"),
        pytest.param(
            "ar", "words", "الثاني والعشرين من مايو", ["2024-05-22"], id="ar-ordinal-twenties"
        ),
        pytest.param("ur", "words", "یکم جون کو", ["2024-06-01"], id="ur-first-of-month"),
        pytest.param("id", "words", "Rabu (05/06)", ["2024-06-05", "2024-06-05"], id="id-paren"),
        pytest.param("de", "words", "seit 18.11.2022", ["2022-11-18"], id="de-dotted-with-year"),
        pytest.param("de", "words", "um 1.5 Prozent", [], id="de-decimal-is-not-a-date"),
        pytest.param("zh", "substring", "北韓昨(6/5)發射飛彈", ["2024-06-05"], id="zh-month-first"),
        pytest.param("ja", "substring", "(5/28)発射", ["2024-05-28"], id="ja-month-first"),
        pytest.param("id", "words", "Rabu (5/6)", ["2024-06-05"] * 2, id="id-day-first"),
    ],
)
def test_dates_in_other_languages(
    language: str, matching: str, text: str, expected: list[str]
) -> None:
    vocabulary = Vocabulary(language, matching, DateWords())
    found = vocabulary.find(text, 0, len(text), date(2024, 6, 6))
    assert [d.value.isoformat() for d in found if d.value] == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        pytest.param("fired at 07:10 local time", 430, id="local"),
        pytest.param("at 7:10 p.m.", 1150, id="pm"),
        pytest.param("at 2210 GMT (07:10 local)", 430, id="gmt-passed-over"),
        pytest.param("updated 12:45 ET, fired at 07:10", 430, id="named-zone-passed-over"),
        pytest.param("오전 7시 10분께 발사", 430, id="ko"),
        pytest.param("발사 3시간 만에", None, id="ko-duration"),
        pytest.param("午後3時半ごろ", 930, id="ja-half-past"),
        pytest.param("約2時間飛行", None, id="ja-duration"),
        pytest.param("am 5. Mai", None, id="de-am-is-on"),
        pytest.param("tiré à 14h05 heure locale", 845, id="fr-h"),
        pytest.param("lançado às 9h30, hora local", 570, id="pt-h"),
        pytest.param("yerel saatle 14.05'te fırlatıldı", 845, id="tr-dotted"),
        pytest.param("pukul 06.40 WIB", 400, id="id-dotted"),
        pytest.param("om 14.05 uur", 845, id="nl-dotted"),
        pytest.param("de koers steeg 14.05 procent", None, id="nl-dotted-number"),
        pytest.param("yerel saatle 14.05 sularında", 845, id="tr-dotted-around"),
        pytest.param("a las 14.05 hora local", 845, id="es-dotted"),
        pytest.param("alle 14.05 ora locale", 845, id="it-dotted"),
        pytest.param("às 9.30 horas", 570, id="pt-dotted"),
        pytest.param("la bolsa cayó 14.05 puntos", None, id="es-dotted-number"),
        pytest.param("ساعت ۱۴:۰۵ به وقت محلی", 845, id="fa-digits"),
        pytest.param("दोपहर 2:05 बजे", 845, id="hi-afternoon"),
        pytest.param("सुबह 7:10 बजे", 430, id="hi-morning"),
        pytest.param("between 4.10 and 4.25am", 265, id="en-dotted-am"),
        pytest.param("shortly after 11.40 p.m.", 1420, id="en-dotted-pm"),
        pytest.param("a las 10.15 p.m. del jueves", 1335, id="es-dotted-pm-after-las"),
        pytest.param("a las 10.15 p. m. del jueves", 1335, id="es-dotted-spaced-pm"),
        pytest.param("hacia las 10.15 pm", 1335, id="es-dotted-pm-space"),
        pytest.param("output rose 4.25 percent", None, id="en-dotted-number"),
        pytest.param("gegen 10.30 am Dienstagabend", None, id="de-am-after-dotted"),
        pytest.param("der Kurs fiel 1.45 am Montag", None, id="de-am-after-number"),
    ],
)
def test_time_of_day(text: str, minutes: int | None) -> None:
    assert find_time(text, 0, len(text)) == minutes


# Sentences written for these tests; published Wednesday 2024-08-28.
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Russia fired missiles at Kyiv overnight into Monday.", "2024-08-26"),
        ("Russia fired missiles at Kyiv overnight.", "2024-08-28"),
        ("The missile was launched the previous day, the ministry said.", "2024-08-27"),
        ("Officials said a missile had been fired a day earlier.", "2024-08-27"),
        ("The test came the day before yesterday.", "2024-08-26"),
    ],
)
def test_english_relative_days(text: str, day: str) -> None:
    found = [d for d in find_dates(text, 0, len(text), date(2024, 8, 28)) if d.value]
    assert found and found[0].value.isoformat() == day


def test_salvos_stated_in_other_clock_forms_are_two_events(rules: RuleSet) -> None:
    """Two launches by one actor on one day, hours apart, told the way French and Turkish
    wire copy tells the time: two events; a third report of the first salvo joins it."""
    from monitor.replay import replay

    def report(n: int, title: str, text: str, hour: int) -> Article:
        when = datetime(2024, 3, 6, hour, 30, tzinfo=UTC)
        return Article(f"t:{n}", f"Outlet {n}", title, text, None, when)

    items = [
        report(
            1,
            "La Corée du Nord tire un missile balistique",
            "La Corée du Nord a tiré mercredi à 7h10 heure locale un missile balistique vers la "
            "mer, selon l'état-major sud-coréen.",
            0,
        ),
        report(
            2,
            "Nouveau tir nord-coréen dans l'après-midi",
            "La Corée du Nord a tiré mercredi à 14h05 heure locale un nouveau missile balistique, "
            "a indiqué l'état-major sud-coréen.",
            6,
        ),
        report(
            3,
            "Kuzey Kore balistik füze fırlattı",
            "Kuzey Kore çarşamba günü yerel saatle 07.10'da bir balistik füze fırlattı.",
            7,
        ),
    ]
    results = replay(items, rules)
    events = [r.event_id for r in results]
    assert all(events), [r.analysis.explanation for r in results]
    assert events[0] != events[1] and events[2] == events[0]


@pytest.mark.parametrize(
    ("text", "day", "minutes"),
    [
        pytest.param(
            "North Korea fired a ballistic missile at 2210 GMT on Monday, Seoul said.",
            date(2024, 3, 5),
            7 * 60 + 10,
            id="gmt-time-and-day",
        ),
        pytest.param(
            "North Korea fired a ballistic missile on Tuesday at 0530 GMT, Seoul said.",
            date(2024, 3, 5),
            14 * 60 + 30,
            id="gmt-time-local-day",
        ),
        pytest.param(
            "North Korea fired a ballistic missile at 7:10 a.m. (2210 GMT Monday), Seoul said.",
            date(2024, 3, 5),
            7 * 60 + 10,
            id="local-time-beside-gmt",
        ),
    ],
)
def test_a_time_in_gmt_is_the_launchers_own(
    rules: RuleSet, text: str, day: date, minutes: int
) -> None:
    page = Article(
        "g:1",
        "Wire",
        "North Korea fires a missile",
        text,
        None,
        datetime(2024, 3, 5, 9, tzinfo=UTC),
    )
    detection = analyse(page, rules).detection
    assert detection is not None
    assert (detection.event_date, detection.time_of_day) == (day, minutes)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), ZoneInfo("Asia/Pyongyang"))
    assert detection.launched_at == local.astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        # state TV's broadcast time is the report's, not the launch's (which the lead does
        # not give)
        pytest.param(
            "北朝鮮の朝鮮中央テレビは5日15時、特別重大報道を放送し、大陸間弾道ミサイルの発射に"
            "成功したと伝えた。",
            None,
            id="ja-broadcast-time",
        ),
        pytest.param(
            "北朝鮮は5日午前9時ごろ、弾道ミサイル1発を日本海に向けて発射した。",
            9 * 60,
            id="ja-launch-time",
        ),
    ],
)
def test_a_reports_time_is_not_the_launchs(rules: RuleSet, text: str, minutes: int | None) -> None:
    page = Article(
        "t:1", "Wire", "北朝鮮が弾道ミサイル発射", text, None, datetime(2024, 3, 5, 9, tzinfo=UTC)
    )
    detection = analyse(page, rules).detection
    assert detection is not None and detection.time_of_day == minutes


@pytest.mark.parametrize(
    ("title", "text", "minutes", "day", "published"),
    [
        # A page's own stamp (when it came out) is neither the launch's time nor its day.
        pytest.param(
            "North Korea launches two missiles toward the sea",
            "Posted: Thu 13 Mar 2025, 03:15 PM\nNorth Korea launched two short-range ballistic "
            "missiles on Thursday at about 6.20am, Seoul's military said.",
            6 * 60 + 20,
            date(2025, 3, 13),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="en-posted-stamp",
        ),
        pytest.param(
            "North Korea launches two missiles toward the sea",
            "14 Mar, 2025 16:42\nNorth Korea launched two short-range ballistic missiles on "
            "Wednesday, Seoul's military said.",
            None,
            date(2025, 3, 12),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="en-stamp-line",
        ),
        # A date alone after "Published" mid-line, the weekday with it: the page's day; the
        # launch's is the Saturday the lead names (the page is dated, without a time, on Friday
        # in a zone behind Korea's).
        pytest.param(
            "North Korea fires two projectiles, Seoul says",
            "The Wire Service Published Friday, March 14, 2025 SEOUL -- North Korea fired two "
            "unidentified projectiles into the sea on Saturday morning, the Joint Chiefs of "
            "Staff in Seoul said.",
            None,
            date(2025, 3, 15),
            datetime(2025, 3, 14, tzinfo=UTC),
            id="en-published-date-mid-line",
        ),
        # Not a sentence's own "posted": "a statement posted Monday, March 10" dates the claim.
        pytest.param(
            "Houthis say they fired missile at tanker",
            "A statement posted Monday, March 10, 2025 by the Houthis claimed they fired a "
            "missile at a tanker in the Gulf of Aden that day.",
            None,
            date(2025, 3, 10),
            datetime(2025, 3, 12, 9, tzinfo=UTC),
            id="en-posted-in-a-sentence-is-no-stamp",
        ),
        pytest.param(
            "北朝鮮が弾道ミサイル1発を発射[2025/03/06 17:02]",
            "韓国軍によりますと、北朝鮮は6日午前6時20分ごろ、弾道ミサイル1発を日本海へ向けて発射しました。",
            6 * 60 + 20,
            date(2025, 3, 6),
            datetime(2025, 3, 6, 9, tzinfo=UTC),
            id="ja-bracketed-stamp",
        ),
        pytest.param(
            "КНДР запустила баллистическую ракету",
            "16:42, 06.03.2025\nКНДР в четверг утром запустила баллистическую ракету в сторону "
            "Японского моря, сообщил Объединённый комитет начальников штабов Южной Кореи.",
            None,
            date(2025, 3, 13),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="ru-time-first-stamp",
        ),
        pytest.param(
            "North Korea launches two missiles toward the sea",
            "Wire Published 13 Mar, 2025 09:41am\nNorth Korea launched two short-range "
            "ballistic missiles on Thursday at about 6.20am, Seoul's military said.",
            6 * 60 + 20,
            date(2025, 3, 13),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="en-label-without-colon",
        ),
        pytest.param(
            "North Korea launches two missiles toward the sea",
            "Updated: 13 March 2025, 10:40 GMT\nNorth Korea launched two short-range ballistic "
            "missiles on Thursday morning, Seoul's military said.",
            None,
            date(2025, 3, 13),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="en-stamp-in-gmt",
        ),
        pytest.param(
            "북한, 동해상으로 탄도미사일 발사",
            "입력 2025.03.14. 오전 9:12\n북한이 14일 오전 6시 20분께 동해상으로 탄도미사일 1발을 "
            "발사했다고 합동참모본부가 밝혔다.",
            6 * 60 + 20,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 1, tzinfo=UTC),
            id="ko-input-stamp",
        ),
        pytest.param(
            "Corea del Norte lanza un misil balístico",
            "14 de marzo de 2025, 09h12\nCorea del Norte lanzó este viernes un misil balístico "
            "hacia el mar, informó el Estado Mayor surcoreano.",
            None,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 1, tzinfo=UTC),
            id="es-stamp-h",
        ),
        pytest.param(
            "Pyongyang tire un missile balistique",
            "Publié le 14/03/2025 à 08h12\nLa Corée du Nord a tiré vendredi matin un missile "
            "balistique vers la mer, selon l'état-major sud-coréen.",
            None,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="fr-publie-le-a",
        ),
        pytest.param(
            "North Korea launches two missiles toward the sea",
            "Published on 14 March 2025 at 08:12\nNorth Korea launched two short-range "
            "ballistic missiles on Friday morning, Seoul's military said.",
            None,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="en-published-on-at",
        ),
        pytest.param(
            "北朝鮮が弾道ミサイルを発射",
            "2025年3月14日 9時05分\n防衛省によりますと、北朝鮮はきょう未明、弾道ミサイル1発を"
            "日本海に向けて発射しました。",
            None,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 1, tzinfo=UTC),
            id="ja-stamp-hours-minutes",
        ),
        pytest.param(
            "朝鲜发射一枚弹道导弹",
            "发布时间：2025年03月14日 09:05\u3000来源：本网\n据韩联社报道，朝鲜当天上午向朝鲜半岛"
            "东部海域发射了一枚弹道导弹。",
            None,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 1, tzinfo=UTC),
            id="zh-stamp-label-full-width-colon",
        ),
        pytest.param(
            "Triều Tiên phóng tên lửa đạn đạo",
            "Cập nhật lúc 09:05 ngày 14/03/2025\nTriều Tiên sáng nay đã phóng một tên lửa đạn "
            "đạo ra vùng biển phía đông, quân đội Hàn Quốc cho biết.",
            None,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 2, tzinfo=UTC),
            id="vi-updated-at-time-then-day",
        ),
        # A stamp line with a bullet and a reading time is no lead, nor its time the launch's
        pytest.param(
            "Nordkorea feuert Raketen ab",
            "Nordkorea feuert Raketen ab\n\n14.03.2025 • 20:51 Uhr / 2 Minuten Lesezeit\n\n"
            "Nordkorea hat am Freitag zwei Kurzstreckenraketen abgefeuert, teilte der "
            "Generalstab in Seoul mit.",
            None,
            date(2025, 3, 14),
            datetime(2025, 3, 14, tzinfo=UTC),
            id="de-stamp-line-bullet-reading-time",
        ),
        # A launch's own time on a labelled line, or a date and time opening a line of news,
        # is no stamp
        pytest.param(
            "北朝鮮が弾道ミサイルを発射",
            "発射時刻：2025年3月14日 7時20分\n"
            "北朝鮮は本日、弾道ミサイル1発を日本海に向けて発射した。",
            7 * 60 + 20,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 3, tzinfo=UTC),
            id="ja-launch-time-label-is-no-stamp",
        ),
        pytest.param(
            "朝鲜发射弹道导弹",
            "2025年3月14日 7时20分\u3000朝鲜向东部海域发射一枚弹道导弹\n"
            "韩国军方随后证实了这一消息。",
            7 * 60 + 20,
            date(2025, 3, 14),
            datetime(2025, 3, 14, 3, tzinfo=UTC),
            id="zh-date-time-opening-news-line-is-no-stamp",
        ),
        # A page without a publication time: the stamp's day is the page's, which "this
        # morning" is told from; its time is still no launch's.
        pytest.param(
            "Nordkorea feuert Rakete ab",
            "13.03.2025, 10:06 Uhr\nNordkorea hat heute Morgen eine ballistische Rakete ins "
            "Japanische Meer abgefeuert, teilte der Generalstab in Seoul mit.",
            None,
            date(2025, 3, 13),
            None,
            id="de-stamp-on-undated-page",
        ),
        # A day with its year and "at" a time is the launch's, not a stamp; nor one told with
        # a comma in a sentence, or a page's line that goes on after it.
        pytest.param(
            "North Korea launches a missile",
            "North Korea launched a ballistic missile on 13 March 2025, 06:20 local time, "
            "Seoul's military said.",
            6 * 60 + 20,
            date(2025, 3, 13),
            datetime(2025, 3, 15, 9, tzinfo=UTC),
            id="en-day-comma-time",
        ),
        pytest.param(
            "北朝鮮が弾道ミサイル発射",
            "防衛省によると、北朝鮮は2025年3月13日 6:20ごろ、"
            "弾道ミサイル1発を日本海へ向けて発射した。",
            6 * 60 + 20,
            date(2025, 3, 13),
            datetime(2025, 3, 15, 9, tzinfo=UTC),
            id="ja-day-space-time",
        ),
        pytest.param(
            "North Korea launches a missile",
            "North Korea launched a ballistic missile on 6 March 2025 at 06:20 local time, "
            "Seoul's military said.",
            6 * 60 + 20,
            date(2025, 3, 6),
            datetime(2025, 3, 6, 9, tzinfo=UTC),
            id="en-day-at-time",
        ),
        pytest.param(
            "Pyongyang tire un missile balistique",
            "La Corée du Nord a tiré un missile balistique le 13/03/2025 à 06h20, heure locale, "
            "selon l'état-major sud-coréen.",
            6 * 60 + 20,
            date(2025, 3, 13),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="fr-day-a-time",
        ),
        pytest.param(
            "North Korea launches a missile",
            "North Korea launched a ballistic missile toward the sea, Seoul's military said.\n"
            "Launched on 13 March 2025 at 06:20.",
            6 * 60 + 20,
            date(2025, 3, 13),
            datetime(2025, 3, 14, 9, tzinfo=UTC),
            id="en-launched-on-at-own-line",
        ),
    ],
)
def test_a_pages_own_stamp_is_not_the_launchs_time_or_day(
    rules: RuleSet,
    title: str,
    text: str,
    minutes: int | None,
    day: date,
    published: datetime | None,
) -> None:
    page = Article("s:1", "Wire", title, text, None, published)
    detection = analyse(page, rules).detection
    assert detection is not None, analyse(page, rules).explanation
    assert (detection.time_of_day, detection.event_date) == (minutes, day)


@pytest.mark.parametrize(
    "text",
    [
        "the first missile to land there in decades",
        "a rally held in Augusta",
        "sirens were heard in Marseille",
        "since Mayday calls went out",
    ],
)
def test_a_word_that_starts_like_a_month_is_no_month(text: str) -> None:
    assert [d.text for d in find_dates(text, 0, len(text), date(2024, 8, 28))] == []


def test_a_month_after_in_is_still_read() -> None:
    text = "the tests held in Dec. and in March 2024"
    assert [d.text for d in find_dates(text, 0, len(text), date(2024, 8, 28))] == [
        "in Dec.",
        "in March 2024",
    ]


@pytest.mark.parametrize(
    ("text", "age_days"),
    [
        pytest.param("hồi tháng 10/2014", 3506, id="slashed-year"),
        pytest.param("vào tháng 10 năm 2014", 3506, id="nam-year"),
        pytest.param("hồi tháng 10", 219, id="latest-october"),
    ],
)
def test_a_vietnamese_month_with_its_year(text: str, age_days: int) -> None:
    found = Vocabulary("vi", "words", DateWords()).find(text, 0, len(text), date(2024, 6, 6))
    assert [(d.precision, d.age_days) for d in found] == [("month", age_days)]


def test_a_month_named_twice_keeps_its_year() -> None:
    """Arabic news names a month by both its names ("18 يونيو/حزيران 2017"): the year after the
    second still dates the day."""
    words = DateWords(months=(("حزيران", 6),))
    vocabulary = Vocabulary("ar", "words", words)
    text = "يوم 18 يونيو/حزيران 2017"
    found = vocabulary.find(text, 0, len(text), date(2024, 6, 6))
    assert [d.value.isoformat() for d in found if d.value] == ["2017-06-18"]
