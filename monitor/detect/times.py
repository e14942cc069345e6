"""Times of day in news text: "at 14:05 local time", "7:10 a.m.", "3.46am", "오전 7시 10분",
"午後3時", "à 14h05", "saat 14.05'te", "۱۴:۰۵".

Two launches by one actor on one day whose stated local times are hours apart are two salvos;
the time is read here, the grouping decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

_TIME = re.compile(
    # "14:05", "۱۴:۰۵" (digits of any script), "7:10 a.m."
    r"(?P<hm>(?<![\d:.])(?P<h>\d{1,2}):(?P<m>\d\d)(?![\d:])\s*(?P<ap>[ap]\.?\s?m\.?(?!\w))?)"
    # "14h05", "14 h 05" (French, Portuguese, Vietnamese)
    r"|(?P<hh>(?<![\d:.])(?P<h4>\d{1,2})\s?h\s?(?P<m4>\d\d)(?!\d))"
    # "3.46am", "10.15 p.m.", "10.15 p. m.", "10.15 pm" (British, Spanish); not "3.46" alone,
    # nor "10.30 am Dienstag" (German "am" is "on")
    r"|(?P<dotap>(?<![\d:.,])(?P<h7>\d{1,2})\.(?P<m7>\d\d)"
    r"(?:(?P<ap7>[ap]m|\spm)|\s?(?P<ap8>[ap]\.\s?m\.?))"
    r"(?!\w))"
    # "14.05" only where a time is meant: after "saat", "saatle", "pukul", "om", "um", "godz.",
    # "a las", "alle", "às" or before "'te", "uur", "Uhr", "WIB", "hora", "ora", "sularında" (a
    # dotted pair is a number or a date elsewhere)
    r"|(?P<dot>(?:(?<=saat\s)|(?<=saatle\s)|(?<=pukul\s)|(?<=jam\s)|(?<=om\s)|(?<=um\s)"
    r"|(?<=godz\.\s)|(?<=\blas\s)|(?<=\balle\s)|(?<=\bàs\s))"
    r"(?P<h5>\d{1,2})\.(?P<m5>\d\d)(?!\d)"
    r"|(?<![\d:.,])(?P<h6>\d{1,2})\.(?P<m6>\d\d)"
    r"(?=['\u2019](?:te|ta|de|da)\b|\s+(?:uur|Uhr|WIB|WITA|WIT|waktu|horas?|ora|sularında"
    r"|sıralarında|civarında)\b))"
    # "7 a.m.", "7am"; not "7 am" (in German "am" is "on")
    r"|(?P<h2>(?<![\d:.])(?:1[0-2]|0?[1-9]))(?:\s*(?P<ap2>[ap]\.m\.?)|(?P<ap3>[ap]m))(?!\w)"
    r"|(?P<cjk>(?P<half>午前|午後|오전|오후|上午|下午|凌晨|早上|晚上|晩)?\s*(?P<h3>[012]?\d)\s*[時时시]"
    # "3時間", "3시간", "3小時": a duration, not a time of day; "3時半" is half past three.
    r"(?![間间간])(?:\s*(?P<m3>[0-5]?\d)\s*[分분]|(?P<halfpast>半|반))?)",
    re.IGNORECASE,
)
# Words before a time that put it after noon: Hindi and Urdu "afternoon", "evening", "night"
# ("दोपहर 2:05 बजे", "شام 7 بجے").
_AFTER_NOON_BEFORE = re.compile(r"(?:दोपहर|शाम|रात|دوپہر|شام|رات)\s*(?:के\s*|کے\s*)?$")
# A time stated in a zone's name is not the local time unless it is the place's: any named
# zone is passed over ("2210 GMT", "12:45 ET"); local times are stated plainly or as such.
_UNIVERSAL = re.compile(r"\s*\(?\s*(?:GMT|UTC|Z\b|[ECMP][SD]?T\b|BST\b|CES?T\b)")
_AFTERNOON = {"午後", "오후", "下午", "晚上", "晩"}


def find_time(text: str, start: int, end: int) -> int | None:
    """The first time of day stated in text[start:end], in minutes after midnight."""
    found = next(times_in(text, start, end), None)
    return found[0] if found is not None else None


def times_in(text: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """Each time of day stated in text[start:end]: minutes after midnight, where it starts and
    where it ends."""
    for m in _TIME.finditer(text, start, end):
        if _UNIVERSAL.match(text, m.end()):
            continue  # "2210 GMT": not the local time the launch is dated by
        if m["hm"]:
            hour, minute, half = int(m["h"]), int(m["m"]), (m["ap"] or "").lower()
            if not half and _AFTER_NOON_BEFORE.search(text, max(start, m.start() - 12), m.start()):
                half = "pm"
        elif m["hh"]:
            hour, minute, half = int(m["h4"]), int(m["m4"]), ""
        elif m["dot"]:
            hour, minute, half = int(m["h5"] or m["h6"]), int(m["m5"] or m["m6"]), ""
        elif m["dotap"]:
            hour, minute, half = int(m["h7"]), int(m["m7"]), (m["ap7"] or m["ap8"]).strip().lower()
        elif m["h2"]:
            hour, minute, half = int(m["h2"]), 0, (m["ap2"] or m["ap3"]).lower()
        else:
            hour, minute = int(m["h3"]), 30 if m["halfpast"] else int(m["m3"] or 0)
            half = "pm" if m["half"] in _AFTERNOON else ""
        if half.startswith("p") and hour < 12:
            hour += 12
        elif half.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            yield hour * 60 + minute, m.start(), m.end()


# A page's own time stamp: a date with its year and a time with nothing but separators
# between, standing on its own: at the start of a line or after a bracket or a bar, with at
# most a label and a weekday before it ("Published: Wed 19 Jul 2023, 12:06 PM", "[2023/07/19
# 04:46]", "16:42, 06.03.2025", "Thứ năm, 13/3/2025, 10:06 (GMT+7)", "입력 2025.03.14. 오전
# 8:12", "14 de marzo de 2025, 08h12"), and the line, the
# bracket or the sentence ending after it (a zone's name between). When the page came out or
# was updated: no launch's time, nor its day on a page with a publication time. A launch's own
# day and time read otherwise ("fired on 13 March 2025, 06:20 local time", "北朝鮮は2025年3月
# 13日 6:20ごろ").
_YEAR = r"(?:19|20)\d\d(?!\d)"
_STAMP_TIME = (
    r"(?:(?:오전|오후|午前|午後|上午|下午)\s*)?"
    # "8:12", "8.12", "08h12", "8時12分" ("8时12分")
    r"(?:\d{1,2}[:.h]\d\d(?::\d\d)?(?:\s*[AaPp]\.?[Mm]\.?)?|\d{1,2}\s*[時时]\s*\d{1,2}\s*分)"
)
_STAMP_DATE = (
    r"(?:(?<!\d)" + _YEAR + r"\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日.]?"
    r"|(?<!\d)\d{1,2}[-/.]\d{1,2}[-/.]"
    + _YEAR
    # "19 Jul 2023", "19. Juli 2023", "Jul 19, 2023", "19 июля 2023 г." (a month's name in any
    # script: letters, no digits)
    + r"|(?<!\d)\d{1,2}\.?\s+[^\W\d_]{3,12}\.?,?\s+"
    + _YEAR
    + r"(?:\s*г\.)?"
    r"|[^\W\d_]{3,12}\.?\s+\d{1,2},?\s+"
    + _YEAR
    # "14 de marzo de 2025"
    + r"|(?<!\d)\d{1,2}\s+de\s+[^\W\d_]{3,12}\s+de\s+"
    + _YEAR
    + r")"
)
# What may stand before it on its line: a label ending in a colon or a word for published or
# updated ("By AP Published:", "Reuters Published"), then a weekday of one or two words ("Wed",
# "Thứ năm,"), not a word that puts a day in a sentence.
_STAMP_LABELS = (
    "published",
    "posted",
    "updated",
    "publié",
    "mis à jour",
    "veröffentlicht",
    "aktualisiert",
    "stand",
    "publicado",
    "actualizado",
    "atualizado",
    "pubblicato",
    "aggiornato",
    "gepubliceerd",
    "bijgewerkt",
    "opublikowano",
    "aktualizacja",
    "опубликовано",
    "обновлено",
    "опубліковано",
    "оновлено",
    "yayınlanma",
    "güncelleme",
    "diterbitkan",
    "diperbarui",
    "cập nhật",
    "發布時間",
    "发布时间",
    "更新時間",
    "更新时间",
    "配信",
    "公開",
)
_STAMP_LABEL = "(?i:" + "|".join(_STAMP_LABELS) + ")"
# After the label: a colon or a space, then the label's own word for "on" or "at" ("Publié le",
# "Published on", "Veröffentlicht am", "Cập nhật lúc").
_AFTER_LABEL = r"(?:[ \t]*[:：][ \t]*|[ \t]+)(?:(?i:le|on|am|el|em|il|op|den|lúc)[ \t]+)?"
_STAMP_LEAD = (
    r"(?:^|(?<=[\n\[(|]))[ \t]*"
    r"(?:(?P<label>[^\n\d:：\[\]]{0,30}?" + _STAMP_LABEL + _AFTER_LABEL + r")"
    r"|[^\n\d:\[\]]{1,40}:[ \t]*)?"
    r"(?:(?!(?i:on|at|in|am|um|im|le|la|il|el|em|no|na|op|w|we|в|во|о|у|на|до|от)\b)"
    r"[^\W\d_]{2,10}\.?(?:[ \t]+[^\W\d_]{2,6})?,?[ \t]+)?"
)
# What may follow it: a zone's name, then the end of the line, a bracket, a bar, a slash, a
# bullet, a dash or a full stop ("09.05.2019 • 20:51 Uhr / 1 Minute Lesezeit"), or a wide space
# before the source ("2025年03月14日 08:12　来源：").
_STAMP_END = (
    r"(?:[ \t]*\(?(?:Uhr|WIB|WITA|WIT|KST|JST|MSK|IST|PKT|GMT|UTC|CET|CEST|EET|EEST|ET|EST|EDT)"
    r"(?:[+-]\d{1,2}(?::?\d\d)?)?\)?)?[ \t]*"
    r"(?=$|\n|[\])|·•/。]|\u3000+(?:来源|來源|作者|编辑|編輯|记者|記者)|[-–—][ \t]|\.(?:\s|$))"
)
# Between a stamp's date and its time: spaces, a comma, a bar, a dot or a bullet, a dash.
_STAMP_SEP = r"[ \t,|·•\-–]{1,4}"
_STAMP = re.compile(
    _STAMP_LEAD
    + r"(?P<stamp>"
    # the date first; or the time first ("12:06, 19 июля 2023")
    + _STAMP_DATE
    # after a word for published or updated, "14/03/2025 à 08h12", "14 March 2025 at 08:12"
    # (not a launch's "Launched on 13 March 2025 at 06:20")
    + r"(?:"
    + _STAMP_SEP
    + r"|[ \t]?T|(?(label),?[ \t]+(?i:à|at|um|alle|às|a\s+las|o|о|om|в|saat"
    r"|o\s+godz\.)[ \t]+|(?!)))" + _STAMP_TIME + r"(?![\d:.]\d)"
    # the time first: "16:42, 06.03.2025"; after a label, "Cập nhật lúc 08:12 ngày 14/03/2025"
    r"|(?<![\d:.])"
    + _STAMP_TIME
    + r"(?:"
    + _STAMP_SEP
    + r"|(?(label)[ \t]+(?i:ngày)[ \t]+|(?!)))"
    + _STAMP_DATE
    + r")"
    + _STAMP_END,
    re.MULTILINE,
)


# A date alone after a capitalised word for published or updated that opens its line or follows
# a byline of capitalised words, whatever follows on the line ("The Associated Press Published
# Friday, August 23, 2019 SEOUL, ..."): the page's day (its weekday too), not a launch's. (Not
# a sentence's "a statement posted Monday, March 18", "un video publicado el 14 de marzo".)
_BYLINE_LABEL = "(?:" + "|".join(w[0].upper() + w[1:] for w in _STAMP_LABELS) + ")"
_LABELLED_DATE = re.compile(
    r"(?:^|(?<=[\n\[(|]))[ \t]*(?:(?:By[ \t]+)?(?:[A-Z][\w.&'-]*[ \t]+){1,4}(?="
    + _BYLINE_LABEL
    + r"))?"
    + _BYLINE_LABEL
    + _AFTER_LABEL
    + r"(?P<stamp>(?:[^\W\d_]{2,10}\.?,?[ \t]+)?"
    + _STAMP_DATE
    + r")(?![\d:.]\d)",
    re.MULTILINE,
)


def stamps_in(text: str) -> list[tuple[int, int]]:
    """Where the page's own time stamps are (date and time together, see `_STAMP`; a date
    alone after a label, `_LABELLED_DATE`)."""
    found = [(m.start("stamp"), m.end("stamp")) for m in _STAMP.finditer(text)]
    found += [
        (m.start("stamp"), m.end("stamp"))
        for m in _LABELLED_DATE.finditer(text)
        if not any(a < m.end("stamp") and m.start("stamp") < b for a, b in found)
    ]
    return sorted(found)


# "2210 GMT", "22:10 UTC": a universal time, which the launcher's zone turns into its own
# (groups: hour, minute).
UTC_TIME = r"(?<![\d:.])([01]?\d|2[0-3])[:.h]?([0-5]\d)\s*\(?\s*(?:GMT|UTC)\b"
_UTC_TIME = re.compile(UTC_TIME, re.IGNORECASE)


def find_utc_time(
    text: str, start: int, end: int, stamped: Callable[[int], bool] | None = None
) -> int | None:
    """The first universal time of day stated in text[start:end], in minutes after midnight
    UTC; not one `stamped` says is the page's own ("Updated: 14 March 2025, 10:40 GMT")."""
    for m in _UTC_TIME.finditer(text, start, end):
        if stamped is None or not stamped(m.start()):
            return int(m[1]) * 60 + int(m[2])
    return None
