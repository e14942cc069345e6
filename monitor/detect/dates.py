"""Date expressions in news text, resolved against the publication date.

"on Wednesday", "yesterday", "overnight", "October 31", "Pyongyang, May 28 (KCNA) --" give the
day of the event. "in February", "last year", "since 2017", "three weeks ago" give no day but
say the event is old: the engine uses them to reject retrospective mentions.

The reference day is the publication date in the actor's local time zone, so that
"North Korea fired a missile on Wednesday" published at 23:00 UTC on Tuesday resolves to the
Wednesday in Pyongyang.

Two dates say less than they seem to. A date in the clause of a reaction ("the UN chief
denounced it on May 28", "Japan on Tuesday condemned the launch") dates the reaction, which came
after the launch: it bounds the launch from above (`dates_reaction`). And when the text states
no date, the day of publication stands in; an article published in the small hours of the
actor's night was written about the day before (`publication_day`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from monitor.detect.text import NUMBER_WORDS

if TYPE_CHECKING:
    from monitor.detect.calendars import Vocabulary

Precision = Literal["day", "month", "year", "span"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?(?![^\W\d_])"
)  # (not the start of a longer word: "in decades", "in Augusta")
_MONTH2 = _MONTH.replace("month", "month2")
_MONTH3 = _MONTH.replace("month", "month3")
_YEAR_SUFFIX = r"(?:,?\s+(?:Juche\s+\d+\s+\()?(?P<year>(?:19|20)\d\d)\)?)?"
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}
_UNITS |= {"year": 365, "years": 365, "decade": 3650, "decades": 3650}
# Vague counts in "a few days ago", "several weeks later" read as these many units.
_NUMBER_WORDS = NUMBER_WORDS | {"a": 1, "an": 1, "several": 3, "few": 3, "many": 5}

_PATTERN = re.compile(
    "|".join(
        (
            rf"(?P<md>\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b{_YEAR_SUFFIX})",
            rf"(?P<dm>\b(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH2}"
            rf"(?:\s+(?P<year2>(?:19|20)\d\d))?)",
            r"(?P<weekday>\b(?:last\s+|this\s+|on\s+|early\s+|late\s+)?(?P<wd>Mon|Tues|Wednes|Thurs|"
            r"Fri|Satur|Sun)day(?:'s)?(?:\s+(?:night|morning|evening|afternoon))?\b"
            r"(?!\s+(?:paper|newspaper|edition|times|telegraph|express|mail|observer|service|"
            r"school|prayers?|market|trading)\b))",
            # "overnight into Monday" names its day: the weekday says it, not "overnight"
            r"(?P<rel>\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|"
            r"overnight(?!\s+(?:into|to|on)\s+(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)|"
            r"yesterday|last\s+night|the\s+day\s+before\s+yesterday|the\s+previous\s+day|"
            r"a\s+day\s+earlier)\b)",
            r"(?P<ago>\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few|"
            r"many)\s+(?P<unit>days?|weeks?|months?|years?|decades?)\s+(?:ago|earlier|before)\b)",
            r"(?P<lastunit>\b(?:last|past|previous)\s+(?P<unit2>week|month|year|decade)\b)",
            rf"(?P<inmonth>\b(?:in|since|last|early|late|mid-?|during)\s+{_MONTH3}"
            r"(?!\s+[0-3]?\d\b)(?:\s+(?P<year3>(?:19|20)\d\d))?)",
            r"(?P<year4>\b(?:in|since|of|during|by|from|until)\s+(?P<y>(?:19|20)\d\d)s?\b)",
            r"(?P<nth>\bon\s+the\s+(?P<day3>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+of\b))",
        )
    ),
    re.IGNORECASE,
)


# Words of a reaction to a launch: condemnations, rejections, replies, praise ("called the test
# a message"), a Security Council meeting.
_REACTION = re.compile(
    r"\b(?:condemn(?:s|ed|ing|ations?)?|denounc(?:e|es|ed|ing|ements?)|denunciations?|"
    r"decr(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|slam(?:s|med|ming)?|respond(?:s|ed)|"
    r"deplor(?:e|es|ed|ing)|protest(?:s|ed|ing)?|criti(?:cis|ciz)(?:e|es|ed|ing)|"
    r"censur(?:e|es|ed|ing)|convene[sd]?|hail(?:s|ed)|prais(?:e|es|ed)|welcom(?:e|es|ed)|"
    r"congratulat(?:e|es|ed)|call(?:s|ed)\s+(?:the|this|its|that)|"
    r"(?:emergency|urgent|closed-door|open|council)\s+"
    r"(?:meeting|session))\b",
    re.IGNORECASE,
)
# A reaction word right before the date owns it: "met in emergency session on Friday".
_REACTION_BEFORE = re.compile(rf"(?:{_REACTION.pattern})\W+(?:\w+\W+){{0,2}}$", re.IGNORECASE)
# The launcher's own media dates their report, not the launch, which they tell the morning
# after: "... test-fired a new missile, state media said Thursday", "KCNA reported on Thursday
# that". (Not "Seoul's military said Thursday": breaking news of that day's launch.)
_OWN_MEDIA_SAID = re.compile(
    r"\b(?:state(?:-run|-controlled)?\s+(?:media|news\s+agency|television|TV|broadcaster|"
    r"outlets?)|KCNA|Korean\s+Central\s+News\s+Agency|official\s+(?:news\s+agency|media)|"
    r"Rodong\s+Sinmun)\W*\s+(?:said|says|reported|reports|announced|confirmed|claimed)\s+"
    r"(?:on\s+)?$",
    re.IGNORECASE,
)
# "fired missiles after Seoul rejected the offer on Monday": the reaction came first, not after.
_EARLIER = re.compile(r"\b(?:after|following|since|in response to|in retaliation for)\b", re.I)
# How far after a date a report's verb may stand and still be the one the date goes with.
VERB_LAST_REACH = 40
# Publication before this local hour reports the day before (UTC midnight is a bare date).
SMALL_HOURS_END = 6


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    text: str
    value: date | None  # the day, when the expression names one and it can be resolved
    age_days: int | None  # days before the reference day (negative: in the future)
    precision: Precision
    # What the words say of the day even without a reference day to resolve them against:
    # "on the 14th", "October 5", "on Tuesday" (month, day of month, weekday).
    clue: DayClue | None = None
    # A word that counts days back from the day of writing, whatever that is: "today" 0,
    # "yesterday" 1 (read against the day a page names as its today when it has no time).
    shift: int | None = None


@dataclass(frozen=True, slots=True)
class DayClue:
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # 0 is Monday

    def fits(self, other: DayClue | date) -> bool:
        """Whether the two can name the same day (each says nothing of what it leaves out)."""
        if isinstance(other, date):
            other = DayClue.from_date(other)
        return all(
            a is None or b is None or a == b
            for a, b in (
                (self.month, other.month),
                (self.day, other.day),
                (self.weekday, other.weekday),
            )
        )

    def __str__(self) -> str:
        parts = []
        if self.month is not None:
            parts.append(f"month {self.month}")
        if self.day is not None:
            parts.append(f"day {self.day}")
        if self.weekday is not None:
            parts.append(_WEEKDAYS[self.weekday])
        return ", ".join(parts)

    def merge(self, other: DayClue) -> DayClue:
        """What both say together (they must fit)."""
        return DayClue(
            self.month if self.month is not None else other.month,
            self.day if self.day is not None else other.day,
            self.weekday if self.weekday is not None else other.weekday,
        )

    @classmethod
    def from_date(cls, day: date) -> DayClue:
        return cls(day.month, day.day, day.weekday())

    def back(self, days: int) -> DayClue | None:
        """The clue of the day `days` before this one: what of it can still be told."""
        weekday = (self.weekday - days) % 7 if self.weekday is not None else None
        month, day = None, None
        if self.month is not None and self.day is not None:
            earlier = date(2000, self.month, self.day) - timedelta(days=days)
            month, day = earlier.month, earlier.day
            if month == 2 and self.month != 2:
                day = None  # the end of February, in a year not said
        elif self.day is not None and self.day > days:
            day = self.day - days
        clue = DayClue(month, day, weekday)
        return clue if clue != DayClue() else None

    @classmethod
    def parse(cls, text: str) -> DayClue:
        month = day = weekday = None
        for part in text.split(", "):
            word, _, number = part.partition(" ")
            if word == "month":
                month = int(number)
            elif word == "day":
                day = int(number)
            elif word in _WEEKDAYS:
                weekday = _WEEKDAYS.index(word)
        return cls(month, day, weekday)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def bare_date(published: datetime) -> bool:
    """Whether a timestamp is a date without a time: exactly midnight UTC (or naive midnight),
    as date-only feeds and state media give it. It names a day, not an instant to convert."""
    offset = published.utcoffset()
    return published.time() == datetime.min.time() and offset in (None, timedelta(0))


def reference_day(published: datetime | None, timezone: str | None) -> date | None:
    """The publication day in the actor's time zone (UTC when unknown); a bare date as it is."""
    if published is None:
        return None
    if published.tzinfo is None or bare_date(published):
        return published.date()
    return published.astimezone(_zone(timezone or "UTC")).date()


def publication_day(published: datetime | None, timezone: str | None) -> date | None:
    """The day an undated report is taken to be about: the publication day in the actor's time
    zone, or the day before when it was published in the small hours there.

    A timestamp of exactly midnight UTC is a bare date (state media, date-only feeds) and says
    nothing about the hour, so it is not moved.
    """
    day = reference_day(published, timezone)
    if published is None or day is None or published.tzinfo is None or bare_date(published):
        return day
    local = published.astimezone(_zone(timezone or "UTC"))
    return day - timedelta(days=1) if local.hour < SMALL_HOURS_END else day


_CLAUSE_END = re.compile(r"[,.;:!?،、，。；：]")
# The end of what was told, before the verb of telling: a day before it is the told act's
# ("시험발사를 전날 현지 지도했다고 보도했다", "2日に発射したと報じた").
_TOLD_END = re.compile(r"(?:다|라)고(?!\w)|[ただ]と")
# A dateline: the place, then the report's date, then the agency and a dash ("Pyongyang, June
# 27 (KCNA) --", "SEOUL, May 5 (Yonhap) --", "SEOUL: Jan. 17 (Yonhap) --", "BERLIN, 5. Mai
# (dpa) -", "JERUSALEM/TEHRAN, Oct. 2 (Xinhua) --", "(ANSA) - ROMA, 06 GEN -", "नई दिल्ली, 17
# जनवरी (भाषा)", "حیدرآباد _ 17 جنوری (ڈیسک)", "بيونغ يانغ، 17 يناير (شينخوا)"). Its date is the
# report's, which came after the launch (not "Во вторник, 16 января (по местному времени)": a
# day and its time zone).
# (A letter, or a vowel sign or virama written onto one: "दिल्ली".)
_LETTER = r"(?:[^\W\d_]|[\u0900-\u0DFF\u0300-\u036F])"
# Words of a time zone or of a source, which a bracket after a date holds where no agency does
# ("(по местному времени)", "(czasu lokalnego)", "(local time)", "(according to Yonhap)"); whole
# words, so that "(The Korea Times)" and "(نوائے وقت)" stay agencies.
_NOT_AGENCY = (
    r"(?i:(?<!\w)(?:local|locale|lokale|lokalnego|plaatselijke|heure|hora|ortszeit|uhr|czasu|"
    r"врем\w*|часу|часом|saatle|saatiyle|yerel|waktu|giờ|توقيت|ساعت|مقامی|محلی|المحلي|स्थानीय|"
    r"समय|שעון|according|selon|laut|según|secondo|segundo|menurut|göre|данным|даними|według|"
    r"volgens|حسب|मुताबिक|مطابق|לפי)(?!\w)|時間|时间|시간|現地|当地|현지)"
)
_DATELINE_PLACE = re.compile(
    r"\s*(?:\([^()\n]{1,20}\)\s*[-\u2013\u2014]{1,2}\s*)?"
    rf"{_LETTER}(?:(?![.'\u2019 /-]){_LETTER})*(?:[ .'\u2019/-]+{_LETTER}+){{0,3}}"
    r"\s*(?P<sep>[,،_:])\s*$"
)
_DATELINE_REST = re.compile(
    r"(?:,?\s*\d{4})?\s*(?:\([^()\n]{1,40}\)\s*[-\u2013\u2014]{1,2}|[-\u2013\u2014]{2}|[\u2013\u2014]|-\s"
    # an agency or desk in brackets without a dash ("(भाषा)", "( اردولیکس ڈیسک)"), not a
    # time zone or a source ("(по местному времени)", "(czasu lokalnego)", "(local time)")
    rf"|(?P<bare>\((?![^()\n]*(?:\d|{_NOT_AGENCY}))[^()\n]{{1,40}}\)(?!\s*,)))"
)


# Words that open a clause of what was said ("said that ..."): a date after one is the told
# act's, not the saying's ("گفتند که ایران روز سه‌شنبه ... حمله کرد").
_THAT = (
    r"(?:that|که|کہ|أن|أنه|أنها|إن|إنه|إنها|بأن|كي|कि|ki|что|що|dass|que|che|bahwa|dat|że|"
    r"rằng)"
)


_THAT_WORD = re.compile(rf"(?<!\w){_THAT}(?!\w)", re.IGNORECASE)
# What may stand between a told act's date and the act, in characters: a particle ("ngày 14
# đã phóng"), not a clause ("pada Selasa untuk membahas peluncuran", "3日、新型の...発射").
_TOLD_GAP = 4


@lru_cache(maxsize=64)
def _owned_by(words: re.Pattern[str]) -> re.Pattern[str]:
    gap = rf"(?:(?!{_THAT}\W)\w+\W+){{0,3}}"
    # Or right after it as the subject, where particles are written on ("朝鮮中央通信は3日、").
    return re.compile(rf"(?:{words.pattern})(?:\w*\W+{gap}|[はが][、,]?\s*)$", words.flags)


def _is_dateline(text: str, start: int, mention: DateMention) -> bool:
    """Whether the date stands in a dateline opening its sentence at `start`: a place, the
    date, an agency. (An agency in brackets without a dash only after a comma or an
    underscore: "SEOUL: Jan. 17 (Yonhap) --" has its dash, "Update: January 16 (local time)"
    is no dateline.)"""
    place = _DATELINE_PLACE.fullmatch(text, start, mention.start)
    rest = _DATELINE_REST.match(text, mention.end) if place is not None else None
    if place is None or rest is None:
        return False
    return not (rest.group("bare") and place.group("sep") == ":")


def dates_reaction(
    text: str,
    mention: DateMention,
    act: int,
    start: int,
    end: int,
    reaction: re.Pattern[str] | None = None,
) -> bool:
    """Whether the date `mention` dates a reaction to the act at offset `act`, not the act.

    It does when a reaction word stands between the act and the date ("launch ... denounces it
    on May 28") unless the reaction came first ("fired after Seoul rejected ... on Monday"), or
    between the date and the act ("Japan on Tuesday condemned the launch"), or right before a
    date that comes before the act ("met in emergency session on Friday to discuss the
    launch"), or the date is a dateline's ("SEOUL, May 5 (Yonhap) --"). `start`..`end` is the
    date's sentence; nothing outside it counts. `reaction`: a
    language's own reaction and report words (a pack's `reaction` group), else English's.
    """
    words = reaction or _REACTION
    if mention.start < act and _is_dateline(text, start, mention):
        return True
    if _OWN_MEDIA_SAID.search(text, max(start, mention.start - 80), mention.start):
        return True
    # Languages that put the verb last: after the act, a date the report's verb follows in the
    # same clause is the report's ("... 시험사격을 진행했다고 조선중앙통신이 21일 보도했다",
    # "발사했다고 6일 노동당 기관지 노동신문을 통해 알렸다").
    if reaction is not None and mention.start >= act:
        hit = words.search(text, mention.end, min(end, mention.end + VERB_LAST_REACH))
        between = text[mention.end : hit.start()] if hit is not None else ""
        if (
            hit is not None
            and not _CLAUSE_END.search(between)
            and not _TOLD_END.search(between)
            and len(between.split()) <= 5
        ):
            return True
    if mention.start >= act:
        between = text[max(act, start) : mention.start]
        hit = words.search(between)
        return hit is not None and (
            reaction is not None or _EARLIER.search(between, 0, hit.start()) is None
        )
    if words.search(text, mention.end, min(act, end)):
        return True
    if reaction is not None:
        # "قالت كوريا الشمالية اليوم الخميس إنها أطلقت أمس": a report word a few words before
        # the date owns it; not when the told act follows the date at once ("cho biết Triều
        # Tiên ngày 14 đã phóng": the date is inside what was told).
        lead_in = text[max(start, mention.start - 60) : mention.start]
        if _owned_by(reaction).search(lead_in) is None:
            return False
        told = text[mention.end : act].strip(" ,")
        return len(told) > _TOLD_GAP or _THAT_WORD.search(told) is not None
    lead_in = text[max(start, mention.start - 60) : mention.start]
    return _REACTION_BEFORE.search(lead_in) is not None


def day_of_month(day: int, ref: date) -> date | None:
    """The latest such day of a month up to a day after `ref` ("on the 14th", "14日")."""
    if not 1 <= day <= 31:
        return None
    month_ref = ref if day <= ref.day + 1 else ref.replace(day=1) - timedelta(days=1)
    try:
        return month_ref.replace(day=day)
    except ValueError:
        return None


def month_day(month: int, day: int, year: int | None, ref: date | None) -> date | None:
    if year is None:
        if ref is None:
            return None
        year = ref.year
        # A day without a year is the most recent such day, allowing for a short look ahead.
        try:
            if date(year, month, day) > ref + timedelta(days=31):
                year -= 1
        except ValueError:
            return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(m: re.Match[str], ref: date | None) -> tuple[date | None, int | None, Precision]:
    g = m.groupdict()
    if g["md"] or g["dm"]:
        month = _MONTHS[(g["month"] or g["month2"])[:3].lower()]
        day = int(g["day"] or g["day2"])
        year = g["year"] or g["year2"]
        value = month_day(month, day, int(year) if year else None, ref)
        return value, (ref - value).days if value and ref else None, "day"
    if g["weekday"]:
        if ref is None:
            return None, None, "day"
        wanted = _WEEKDAYS.index(g["wd"].lower() + "day")
        back = (ref.weekday() - wanted) % 7
        value = ref - timedelta(days=back)
        return value, back, "day"
    if g["rel"]:
        if ref is None:
            return None, None, "day"
        back = _days_back(g["rel"])
        return ref - timedelta(days=back), back, "day"
    if g["ago"]:
        n = g["n"].lower()
        count = int(n) if n.isdigit() else _NUMBER_WORDS.get(n, 1)
        unit = g["unit"].lower()
        age = count * _UNITS[unit]
        return None, age, "span"
    if g["lastunit"]:
        age = _UNITS[g["unit2"].lower()]
        return None, age if age > 7 else 7, "span"
    if g["inmonth"]:
        if ref is None:
            return None, None, "month"
        month = _MONTHS[g["month3"][:3].lower()]
        year = int(g["year3"]) if g["year3"] else (ref.year if month <= ref.month else ref.year - 1)
        if (year, month) == (ref.year, ref.month):
            return None, 0, "month"
        end_of_month = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return None, (ref - end_of_month).days, "month"
    if g["nth"]:
        # "on the 14th": the latest 14th up to a day ahead of the reference day
        if ref is None:
            return None, None, "day"
        value = day_of_month(int(g["day3"]), ref)
        return value, (ref - value).days if value else None, "day"
    year = int(g["y"])
    if ref is None:
        return None, None, "year"
    return None, (ref - date(year, 12, 31)).days, "year"


def _days_back(words: str) -> int:
    words = words.lower()
    if "before yesterday" in words:
        return 2
    if any(w in words for w in ("yesterday", "last", "previous", "before", "earlier")):
        return 1
    return 0


def _clue(m: re.Match[str]) -> DayClue | None:
    g = m.groupdict()
    if g["md"] or g["dm"]:
        month = _MONTHS[(g["month"] or g["month2"])[:3].lower()]
        return DayClue(month, int(g["day"] or g["day2"]))
    if g["weekday"]:
        return DayClue(weekday=_WEEKDAYS.index(g["wd"].lower() + "day"))
    if g["nth"]:
        return DayClue(day=int(g["day3"]))
    return None


def find_dates(
    text: str, start: int, end: int, ref: date | None, vocabulary: Vocabulary | None = None
) -> list[DateMention]:
    """Date expressions in text[start:end], resolved against `ref`; English unless a
    `vocabulary` of another language is given."""
    if vocabulary is not None:
        return vocabulary.find(text, start, end, ref)
    mentions = []
    for m in _PATTERN.finditer(text, start, end):
        value, age, precision = _resolve(m, ref)
        shift = _days_back(m["rel"]) if m["rel"] else None
        mentions.append(
            DateMention(m.start(), m.end(), m.group(), value, age, precision, _clue(m), shift)
        )
    return mentions
