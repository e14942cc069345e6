"""Dates in languages other than English: CLDR's month and weekday names, numeric forms, the
years in any digits, and a language pack's own words (`dates:` in a rules file).

English has its own grammar in `dates.py`; both give `DateMention`s the engine reads alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.detect.dates import DateMention, DayClue, Precision, day_of_month, month_day
from monitor.detect.locale import month_before_day, month_names, weekday_names
from monitor.detect.text import NOT_AFTER_WORD, NOT_BEFORE_WORD

# A year, in any digits (Arabic-Indic and Persian included).
_YEAR = r"(?:[1\u0661\u06f1][9\u0669\u06f9]|[2\u0662\u06f2][0\u0660\u06f0])\d\d"
_YEAR_CONTEXT = (
    rf"(?:(?<![\w-])(?:en|em|in|im|nel|del|di|tahun|năm|в|у|w|z|sal|am|vào|عام|سال|u)\s+|ב-?)"
    rf"(?P<y6>{_YEAR})(?!\d)"
    rf"|(?P<y7>{_YEAR})\s*(?:年|년|г\.|год|року|roku|yılı|yılında|'(?:de|da|te|ta)|में|میں)"
)


_NUMERIC_DATE_BEFORE = "|".join(
    rf"(?<={re.escape(w)})"
    for w in (
        "(",
        "ngày ",
        "hôm ",
        "vào ",
        "đêm ",
        "sáng ",
        "tối ",
        "chiều ",
        "trưa ",
        "pada ",
        "tanggal ",
        "hari ",
        "el ",
        "le ",
        "am ",
        "on ",
        "dia ",
        "il ",
    )
)


# Vietnamese also writes the day and month with a dash after these words ("ngày 10-5").
_DASHED_DATE_BEFORE = "|".join(rf"(?<={re.escape(w)})" for w in ("ngày ", "hôm "))


_HAN_HANGUL = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _alternatives(names: Iterable[str], matching: str = "words") -> str:
    """Names as alternatives. Where terms may run on, a name must still end its word (Hebrew
    מאי is not in מאיראן, Arabic الأحد not in الأحداث; in `prefix` packs only short ones,
    Persian مه not in مهاجم), except in scripts whose particles attach (월요일에, 5月に)."""
    out = []
    for n in sorted(set(names), key=len, reverse=True):
        body = re.escape(n).replace(r"\ ", r"\s+").replace("'", "['\u2019\u02bc]")
        runs_on = matching == "substring" or (matching == "prefix" and len(n) <= 3)
        if runs_on and not _HAN_HANGUL.search(n):
            body += NOT_BEFORE_WORD
        out.append(body)
    return "|".join(out) or "(?!x)x"


def _bound(body: str, matching: str, prefix_ok: bool = True) -> str:
    """A name as the language's matching says; `prefix_ok` False: whole words even in prefix
    mode (abbreviations such as "mar", "so", "чт" are inside too many words)."""
    if matching == "substring":
        return f"(?:{body})"
    if matching == "prefix" and prefix_ok:
        return rf"{NOT_AFTER_WORD}(?:{body})"
    return rf"{NOT_AFTER_WORD}(?:{body}){NOT_BEFORE_WORD}"


@dataclass(frozen=True, slots=True)
class DateWords:
    """A pack's own date words, beyond CLDR's names (`dates:` in a rules file)."""

    relative: tuple[tuple[str, int], ...] = ()  # "yesterday" -> 1 day before publication
    weekdays: tuple[tuple[str, int], ...] = ()  # inflected forms -> 0 (Monday) .. 6
    months: tuple[tuple[str, int], ...] = ()  # inflected forms -> 1 .. 12
    same_day: tuple[str, ...] = ()  # "同日", "이날": the day named just before


# Chinese news writes the day of the month in Han numerals too ("当地时间十六日"). Not 一日:
# "one day" as often as "the 1st".
_HAN_DIGITS = "一二三四五六七八九十廿卅"
_HAN_DAY = (
    "(?:[二三四五六七八九]|十[一二三四五六七八九]?|二十[一二三四五六七八九]?"
    "|廿[一二三四五六七八九]?|三十一?|卅一?)"
)
_HAN_VALUES = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def _day_number(text: str) -> int:
    """A day of the month in Arabic digits or Han numerals: "16", "十六", "二十一", "廿一"."""
    if text.isdigit():
        return int(text)
    text = text.replace("廿", "二十").replace("卅", "三十")
    tens, _, units = text.rpartition("十")
    if "十" not in text:
        return _HAN_VALUES[text]
    return (_HAN_VALUES.get(tens, 1) if tens else 1) * 10 + _HAN_VALUES.get(units, 0)


def _arabic_ordinal_days() -> dict[str, int]:
    """Arabic's days of the month as ordinal words: "الأول" 1, "الحادي عشر" 11, "الثاني
    والعشرين" 22, "الثلاثين" 30."""
    units = ["الحادي", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن"]
    units.append("التاسع")
    days = {"الأول": 1, "الاول": 1, "العاشر": 10, "العشرين": 20, "الثلاثين": 30}
    for n, word in enumerate(units[1:], start=2):
        days[word] = n
    for n, word in enumerate(units, start=1):
        days[f"{word} عشر"] = 10 + n
        days[f"{word} والعشرين"] = 20 + n
    days["الحادي والثلاثين"] = 31
    return days


# Days of the month written as words before a month's name: Arabic "في الأول من أكتوبر",
# Urdu "یکم اکتوبر" (the first; other days are digits).
_ORDINAL_DAYS: dict[str, dict[str, int]] = {"ar": _arabic_ordinal_days(), "ur": {"یکم": 1}}

# The Persian (solar hijri) calendar Iranian news dates by ("سه‌شنبه ۲۶ دی ۱۴۰۲"): its months,
# as text is read (without the zero-width non-joiner). تیر and مهر are words too (a shot, a
# seal): they are months only with ماه or a year after them.
_JALALI_MONTHS = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "امرداد": 5, "شهریور": 6,
    "مهر": 7, "آبان": 8, "آذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}  # fmt: skip
_JALALI_WORDS = {"تیر", "مهر"}
# Years of the calendar's leap cycle where its leap years change (jalaali's breaks).
_JALALI_BREAKS = (-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192,
                  2262, 2324, 2394, 2456, 3178)  # fmt: skip


def _nowruz(jy: int) -> date:
    """The first day of the Persian year `jy` (1 Farvardin), in the Gregorian calendar."""
    jp, jump, leap_j = _JALALI_BREAKS[0], 0, -14
    for jm in _JALALI_BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += (jump // 33) * 8 + (jump % 33) // 4
        jp = jm
    n = jy - jp
    leap_j += (n // 33) * 8 + ((n % 33) + 3) // 4
    if jump % 33 == 4 and jump - n == 4:
        leap_j += 1
    gy = jy + 621
    leap_g = gy // 4 - ((gy // 100 + 1) * 3) // 4 - 150
    return date(gy, 3, 20 + leap_j - leap_g)


def jalali(jy: int, jm: int, jd: int) -> date | None:
    """The Gregorian day of day `jd` of month `jm` of the Persian year `jy`."""
    if not (1 <= jm <= 12 and 1 <= jd <= (31 if jm <= 6 else 30)):
        return None
    return (
        _nowruz(jy)
        + timedelta(days=(jm - 1) * 31 if jm <= 7 else 186 + (jm - 7) * 30)
        + (timedelta(days=jd - 1))
    )


# Persian years whose leap cycle covers every way a day of the year falls in the Gregorian one.
_JALALI_SAMPLE_YEARS = range(1395, 1405)


def _jalali_near(jm: int, jd: int, ref: date) -> date | None:
    """The most recent such Persian day up to a month after `ref`."""
    days = [jalali(jy, jm, jd) for jy in (ref.year - 622, ref.year - 621)]
    fit = [d for d in days if d is not None and d <= ref + timedelta(days=31)]
    return max(fit, default=None)


class Vocabulary:
    """How one language writes dates: CLDR's month and weekday names (abbreviations only next
    to a day number, or in scripts without spaces), numeric forms (5月5日, 5일, 28/2,
    18.11.2022), years, and the pack's own words."""

    def __init__(self, language: str, matching: str, words: DateWords) -> None:
        substring = matching == "substring"
        wide = dict(month_names(language)) | {k.lower(): v for k, v in words.months}
        short = month_names(language, "abbreviated")
        self.months = wide | {k: v for k, v in short.items() if k not in wide}
        self.weekdays = dict(weekday_names(language)) | {k.lower(): v for k, v in words.weekdays}
        if substring:
            self.weekdays |= {
                k: v for k, v in weekday_names(language, "abbreviated").items() if len(k) >= 2
            }
        self.relative = {k.lower(): v for k, v in words.relative}
        named = _bound(_alternatives(wide, matching), matching)
        month = "|".join((named, _bound(_alternatives(short, matching), matching, prefix_ok=False)))
        self.ordinal_days = _ORDINAL_DAYS.get(language, {})

        def slashed(n: str) -> str:
            """A day and a month with a slash, in the order the language writes them."""
            day, month = rf"(?P<d{n}>[0-3]?\d)", rf"(?P<m{n}>[01]?\d)"
            return f"{month}/{day}" if month_before_day(language) else f"{day}/{month}"

        parts = [
            rf"(?P<ymd>(?P<y1>{_YEAR})\s*[年년./-]\s*(?P<m1>\d{{1,2}})\s*[月월./-]\s*"
            r"(?P<d1>\d{1,2})\s*[日일号號]?)",
            r"(?P<cmd>(?<!\d)(?P<m2>\d{1,2})\s*[月월]\s*(?P<d2>\d{1,2})\s*[日일号號])",
            rf"(?P<dmn>(?<!\d)(?P<d4>\d{{1,2}})(?:\.|-?(?:го|ого|e|er|º|ª))?\s*(?:de\s+|ב-?|"
            # (Arabic names a month twice: "18 يونيو/حزيران 2017")
            rf"ngày\s+)?(?P<mn>{month})(?:\s*/\s*(?:{month}))?(?:\s+(?:de\s+)?(?P<y4>{_YEAR}))?)",
            rf"(?P<mdn>(?P<mn2>{month})\s+(?P<d5>\d{{1,2}})(?!\d)(?:,?\s+(?P<y5>{_YEAR}))?)",
            # 28/2, 18/11/2022, 18.11.2022 (day first, or month first where the language writes
            # it so; a dotted pair needs its year: 1.5 is a number).
            # A day and a month without a year only where a date is expected: "(02/11)",
            # "ngày 28/2", "pada 2/11"; "24/7" and "3/4" are not dates elsewhere.
            rf"(?P<num>(?<![\d/.,])(?:{slashed('6')}/(?P<y9>{_YEAR}|\d\d)"
            rf"|(?:{_NUMERIC_DATE_BEFORE}){slashed('8')}"
            rf"|(?:{_DASHED_DATE_BEFORE})(?P<d11>[0-3]?\d)-(?P<m11>[01]?\d)(?!-)"
            rf"|(?P<d7>[0-3]?\d)\.(?P<m7>[01]?\d)\.(?P<y10>{_YEAR})"
            # Vietnamese dots them too: "ngày 16.4", "(29.8)"
            r"|(?<=ngày )(?P<d12>[0-3]?\d)\.(?P<m12>[01]?\d)(?=[\s,)]|$)"
            r"|(?<=\()(?P<d13>[0-3]?\d)\.(?P<m13>[01]?\d)(?=\)))"
            r"(?![\d/]|\.\d))",
            # "5일", "5日" a day of the month; not "3日連続" (three days running), "5일 만에",
            # "2日前", "3日後"
            rf"(?P<cd>(?<![\d.:/{_HAN_DIGITS}])(?P<d3>\d{{1,2}}|{_HAN_DAY})\s*[日일号號]"
            r"(?![间間간째本連连前後后内ぶ])"
            r"(?!\s*(?:[간째]|연속|만에|전에|후에|以内|以上))"
            # Vietnamese "ngày 14" without its month (not "ngày 14/1", "ngày 14 tháng 1")
            r"|(?<=ngày\s)(?P<d14>[0-3]?\d)(?![\d/.:]|\s*tháng))",
            # a weekday, and the day of the month after it in brackets as Brazilian and
            # Spanish-language outlets write it: "nesta terça-feira (1º)", "este martes (15)"
            rf"(?P<wdn>{_bound(_alternatives(self.weekdays, matching), matching)})"
            r"(?:\s*\((?P<wdd>[0-3]?\d)[º°ª]?\))?",
        ]
        if language == "fa":
            plain = sorted(set(_JALALI_MONTHS) - _JALALI_WORDS, key=len, reverse=True)
            year = r"(?:سال\s+)?(?P<jy>[1\u06f1][34\u06f3\u06f4]\d\d)(?!\d)"
            either = "|".join(_JALALI_WORDS)
            names = rf"{'|'.join(plain)}|(?:{either})(?=\s*ماه|\s+{year.replace('P<jy>', ':')})"
            parts.insert(
                0,
                rf"(?P<jal>(?<![\d/.])(?P<jd>\d{{1,2}})\s*(?P<jm>{names})(?:\s*ماه)?"
                rf"{NOT_BEFORE_WORD}(?:\s+{year})?)",
            )
        if self.ordinal_days:
            ordinals = "|".join(sorted(map(re.escape, self.ordinal_days), key=len, reverse=True))
            parts.insert(
                0,
                rf"(?P<odm>(?<!\w)(?P<ow>{ordinals})\s+(?:من\s+)?(?:شهر\s+)?(?P<mn4>{month}))",
            )
        if self.relative:
            # "今（12）日", "昨(11)日": Taiwanese papers give the day of the month in brackets
            parts.append(
                rf"(?P<reln>{_bound(_alternatives(self.relative, matching), matching)})"
                r"(?:(?:(?<=[(（])|[(（])(?P<reld>[0-3]?\d)\s*[)）]\s*日)?"
            )
        parts += [
            # "October 2015"; Vietnamese "tháng 10/2015", "tháng 10 năm 2015"; Arabic's month
            # named twice, "يناير/ كانون الثاني 2024"
            rf"(?P<mo>{named})(?:\s*/\s*{named})?"
            rf"(?:(?:\s+(?:năm\s+)?|/)(?P<y8>{_YEAR}))?",
            _YEAR_CONTEXT,
        ]
        self.pattern = re.compile("|".join(parts), re.IGNORECASE)
        # (a word given as `re:…` is a pattern: "re:当日(?!本)", not "当日本…", when Japan…)
        plain = [w for w in words.same_day if not w.startswith("re:")]
        patterns = [w[3:] for w in words.same_day if w.startswith("re:")]
        self.same_day = (
            re.compile(
                "|".join([_bound(_alternatives(plain, matching), matching), *patterns]),
                re.IGNORECASE,
            )
            if words.same_day
            else None
        )

    @staticmethod
    def _lookup(word: str, table: Mapping[str, int]) -> int | None:
        word = re.sub(r"\s+", " ", word.lower()).replace("\u2019", "'").replace("\u02bc", "'")
        if word in table:
            return table[word]
        for name in sorted(table, key=len, reverse=True):
            if word.startswith(name) or name in word:
                return table[name]
        return None

    def _ordinal(self, word: str) -> int:
        return self.ordinal_days[re.sub(r"\s+", " ", word)]

    def _clue(self, m: re.Match[str]) -> DayClue | None:
        g = m.groupdict()
        if g.get("jal"):
            jm, jd = _JALALI_MONTHS[g["jm"]], int(g["jd"])
            if g["jy"]:
                found = jalali(int(g["jy"]), jm, jd)
                return DayClue.from_date(found) if found else None
            # Without its year the Gregorian day may be either of two (leap years differ), but
            # the month often is the same in both ("26 Dey" is 15 or 16 January).
            days = {d for jy in _JALALI_SAMPLE_YEARS if (d := jalali(jy, jm, jd)) is not None}
            months = {d.month for d in days}
            if len(months) != 1:
                return None
            same_day = {d.day for d in days}
            return DayClue(months.pop(), same_day.pop() if len(same_day) == 1 else None)
        if g["ymd"] or g["cmd"]:
            return DayClue(int(g["m1"] or g["m2"]), int(g["d1"] or g["d2"]))
        if g.get("odm"):
            return DayClue(self._lookup(g["mn4"], self.months), self._ordinal(g["ow"]))
        if g["dmn"] or g["mdn"]:
            month = self._lookup(g["mn"] or g["mn2"], self.months)
            return DayClue(month, int(g["d4"] or g["d5"]))
        if g["num"]:
            month = int(g["m6"] or g["m7"] or g["m8"] or g["m11"] or g["m12"] or g["m13"])
            day = int(g["d6"] or g["d7"] or g["d8"] or g["d11"] or g["d12"] or g["d13"])
            # "13/14" (a night across two days, a score) names no month.
            return DayClue(month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None
        if g["cd"]:
            return DayClue(day=_day_number(g["d3"] or g["d14"]))
        if g.get("reld"):
            return DayClue(day=int(g["reld"])) if 1 <= int(g["reld"]) <= 31 else None
        if g["wdn"]:
            bracketed = int(g["wdd"]) if g.get("wdd") else None
            in_month = bracketed if bracketed is not None and 1 <= bracketed <= 31 else None
            return DayClue(day=in_month, weekday=self._lookup(g["wdn"], self.weekdays))
        return None

    def find(self, text: str, start: int, end: int, ref: date | None) -> list[DateMention]:
        out = []
        for m in self.pattern.finditer(text, start, end):
            value, age, precision = self._resolve(m, ref)
            clue = self._clue(m)
            shift = self._lookup(m["reln"], self.relative) if m.groupdict().get("reln") else None
            out.append(
                DateMention(m.start(), m.end(), m.group(), value, age, precision, clue, shift)
            )
        return out

    def same_days(self, text: str, start: int, end: int) -> list[re.Match[str]]:
        """The words for "the same day" ("同日", "当天", "이날") in text[start:end]."""
        return list(self.same_day.finditer(text, start, end)) if self.same_day else []

    def _resolve(
        self, m: re.Match[str], ref: date | None
    ) -> tuple[date | None, int | None, Precision]:
        g = m.groupdict()
        day: int | None = None
        month: int | None = None
        year: int | None = None
        if g.get("jal"):
            month, day = _JALALI_MONTHS[g["jm"]], int(g["jd"])
            if g["jy"]:
                value = jalali(int(g["jy"]), month, day)
            else:
                value = _jalali_near(month, day, ref) if ref is not None else None
            return value, (ref - value).days if value and ref else None, "day"
        if g["ymd"]:
            year, month, day = int(g["y1"]), int(g["m1"]), int(g["d1"])
        elif g["cmd"]:
            month, day = int(g["m2"]), int(g["d2"])
        elif g.get("odm"):
            month, day = self._lookup(g["mn4"], self.months), self._ordinal(g["ow"])
        elif g["dmn"] or g["mdn"]:
            month = self._lookup(g["mn"] or g["mn2"], self.months)
            day = int(g["d4"] or g["d5"])
            y = g["y4"] or g["y5"]
            year = int(y) if y else None
        elif g["num"]:
            day = int(g["d6"] or g["d7"] or g["d8"] or g["d11"] or g["d12"] or g["d13"])
            month = int(g["m6"] or g["m7"] or g["m8"] or g["m11"] or g["m12"] or g["m13"])
            y = g["y9"] or g["y10"]
            year = (int(y) + 2000 if len(y) == 2 else int(y)) if y else None
            if not 1 <= month <= 12:
                return None, None, "day"
        elif g["cd"]:
            if ref is None:
                return None, None, "day"
            value = day_of_month(_day_number(g["d3"] or g["d14"]), ref)
            return value, (ref - value).days if value else None, "day"
        elif g["wdn"]:
            wanted = self._lookup(g["wdn"], self.weekdays)
            if ref is None or wanted is None:
                return None, None, "day"
            back = (ref.weekday() - wanted) % 7
            return ref - timedelta(days=back), back, "day"
        elif g.get("reln"):
            days = self._lookup(g["reln"], self.relative)
            if ref is None or days is None:
                return None, None, "day"
            return ref - timedelta(days=days), days, "day"
        elif g["mo"]:
            month = self._lookup(g["mo"], self.months)
            if ref is None or month is None:
                return None, None, "month"
            latest = ref.year if month <= ref.month else ref.year - 1
            year = int(g["y8"]) if g["y8"] else latest
            if (year, month) == (ref.year, ref.month):
                return None, 0, "month"
            end_of_month = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            return None, (ref - end_of_month).days, "month"
        else:
            year = int(g["y6"] or g["y7"])
            if ref is None:
                return None, None, "year"
            return None, max(0, (ref - date(year, 12, 31)).days), "year"
        if month is None or day is None:
            return None, None, "day"
        resolved = month_day(month, day, year, ref)
        return resolved, (ref - resolved).days if resolved and ref else None, "day"
