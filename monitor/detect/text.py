"""Splitting an article into the windows rules look at: title, sentences, words.

Offsets are character offsets in `title + "\\n" + text`, the string every Evidence points into.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from monitor.detect.times import stamps_in

Position = Literal["title", "lead", "body"]

# A sentence ends at . ! ? (and a closing quote) followed by space and a word that does not
# start in lower case (a capital, a digit, or a letter of a script without case: Hangul,
# Arabic, Devanagari...); at the full stops of scripts that need no space after them (。！？)
# or take one (। ؟ ۔); or at a paragraph break (a blank or indented line, or a line ending in
# a colon). A lone line break is a hard wrap (Reuters wire copy) and does not end a sentence.
# Abbreviations such as "U.S." are glued back below.
_BOUNDARY = re.compile(
    r"(?<=[.!?\u2026])[\"'\u201d\u2019)\u00bb]*\s+(?=[\"\u201c\u2018(\u00ab\u201e]?[^\W_])"
    r"|(?<=[\u3002\uff01\uff1f])[\u300d\u300f\u201d)]*\s*(?=\S)"
    r"|(?<=[\u0964\u061f\u06d4])\s+"
    # Korean pages whose paragraphs lost the space between them ("밝혔습니다.북한의")
    r"|(?<=[\uac00-\ud7a3][.!?])(?=[\uac00-\ud7a3])"
    r"|(?<=:)\s*\n\s*|\s*\n(?:[ \t]+|\s*\n)\s*"
)
_ABBREVIATION = re.compile(
    # (initials in Latin letters beyond ASCII too: "A.Ş.", a Turkish company's "Inc.")
    r"(?:\b(?:[A-ZÀ-ÖØ-ÞĞİŞŁŚŹŻČŘŠŽ]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|Capt|Adm|"
    r"Gov|Sen|Rep|St|No|Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|Jr|vs|approx|"
    # Other languages' abbreviations that a number or a name follows ("godz. 4", "ok. 300 km",
    # "ca. 20 Raketen", "Sr. López", "тыс. человек"); not those that end sentences as often
    # ("r.", "г.", "usw."), where a full stop still ends one.
    r"godz|ok|m\.in|tys|mln|mld|np|tzw|ul|gen|płk|ppłk|"
    r"ca|bzw|Nr|Mio|Mrd|vgl|ggf|Prof|"
    r"env|Mme|Mlle|"
    r"aprox|Sr|Sra|núm|"
    r"sig|dott|"
    r"bijv|"
    r"тыс|млн|млрд|ок|им|ул|ген|т\.е|т\.к|тис|"
    r"Jl|dkk)\.)"
    r"[\"'\u201d\u2019)]*\s*$"
)
# "18. Juni", "5. marts": a day number and a full stop before a month's name.
_ORDINAL = re.compile(r"(?<![\d.,])\b\d{1,2}\.\s*$")
_ORDINAL_MONTH = re.compile(
    r"(?:Jan(?:uar)?|Jänner|Feb(?:ruar)?|März|Mär|Apr(?:il)?|Mai|Juni?|Juli?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Okt(?:ober)?|Nov(?:ember)?|Dez(?:ember)?|[a-zæøå])",
)
# Combining marks that belong inside a word but that `\w` does not match: Devanagari vowel signs
# and virama, Arabic and Hebrew vowel points, accents written apart, (zero-width) (non-)joiners.
MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u200c\u200d"
)
# Boundaries for terms: no word character (marks included) may stand before or after.
NOT_AFTER_WORD = rf"(?<![\w{MARKS}-])"
NOT_BEFORE_WORD = rf"(?![\w{MARKS}])"
# A word; in scripts written without spaces (Han, kana) each character counts as one word, so
# that "within N words" means much the same in every language.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}](?:[^\W{_CJK}]|[{MARKS}'\u2019.-])*")

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


def _dateline(sentence: str, language: str | None = None) -> bool:
    """A first "sentence" that only says where (and when, and from which agency) the report
    comes from: "WASHINGTON.", "SEOUL, May 5 (Yonhap) --", "МОСКВА, 17 окт — РИА Новости."."""
    words = len(_WORD.findall(sentence))
    return (
        words <= 3
        or (words <= 8 and re.search(r"\s(?:—|–|--)(?:\s|$)", sentence) is not None)
        or (words <= 6 and _place_and_day(sentence.strip(), language))
    )


def _place_and_day(sentence: str, language: str | None) -> bool:
    found = _PLACE_AND_DAY.fullmatch(sentence)
    if found is None:
        return False
    # the word beside the day is a month's name ("19 जून", "June 19"), not "12 dead"
    month = found["month"] or found["month2"]
    return unmarked(month.strip(".,:;।").lower()) in _month_words(language)


@lru_cache(maxsize=64)
def _month_words(language: str | None) -> frozenset[str]:
    """The months' names, wide and abbreviated, in the text's language and in English."""
    from monitor.detect.locale import month_names  # (locale reads text's `unmarked`)

    languages = {"en", language or "en"}
    return frozenset(
        name
        for code in languages
        for width in ("wide", "abbreviated")
        for name in month_names(code, width)
    )


# "Tel Aviv, 19 June.", "तेल अवीव, 19 जून।": a place, a comma, a day of a month (and an agency).
_PLACE_AND_DAY = re.compile(
    r"[^\d\s,.;:!?]+(?:\s[^\d\s,.;:!?]+){0,2},\s*(?:\d{1,2}\.?\s+(?:de\s+)?(?P<month>[^\s\d()]+)|(?P<month2>[^\s\d()]+)\s+\d{1,2})(?:\s*\([^()]{1,30}\))?\W*"
)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    position: Position
    index: int  # 0 = title, 1 = first sentence of the body, ...


@dataclass(frozen=True, slots=True)
class Document:
    """The article text and its sentences, computed once per article."""

    text: str  # title + "\n" + body
    title_end: int
    sentences: tuple[Sentence, ...]
    _word_starts: list[int]
    _sentence_starts: list[int]
    # The lead sentences that say the headline again, by index.
    _repeats: frozenset[int] = frozenset()

    def word_index(self, offset: int) -> int:
        """Index of the word containing or preceding `offset`."""
        return max(0, bisect_right(self._word_starts, offset) - 1)

    def word_offset(self, index: int) -> int:
        index = min(max(index, 0), len(self._word_starts) - 1)
        return self._word_starts[index] if self._word_starts else 0

    def sentence_at(self, offset: int) -> Sentence:
        starts = self._sentence_starts
        return self.sentences[max(0, bisect_right(starts, offset) - 1)]

    def top(self, n: int) -> list[Sentence]:
        """The first `n` sentences, a lead sentence that says the headline again not counted
        (a page whose headline is its first sentence)."""
        return [x for x in self.sentences if x.index not in self._repeats][:n]


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of text[start:end]."""
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _BOUNDARY.finditer(text, start, end):
        piece_end = match.start()
        after_stop = match.start() > 0 and text[match.start() - 1] in ".!?\u2026"
        if after_stop and "\n" not in match.group():
            # Only the few characters before the stop can make it an abbreviation: looking no
            # further keeps a page of "word. word. word." linear.
            if _ABBREVIATION.search(text, max(begin, match.start() - 12), match.end()):
                continue  # "the U.S. Navy": the full stop belongs to an abbreviation
            if _ORDINAL.search(text, max(begin, match.start() - 4), match.end()) and (
                _ORDINAL_MONTH.match(text, match.end())
            ):
                continue  # "am 18. Juni": a German or Nordic ordinal day, not a full stop
            following = text[match.end() : match.end() + 2].lstrip("\"'\u201c\u2018(\u00ab\u201e")
            if following[:1].islower():
                continue  # "approx. five", "z. B. die": no new sentence starts in lower case
        if piece_end > begin:
            spans.append((begin, piece_end))
        begin = match.end()
    if end > begin:
        spans.append((begin, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


# Vowel signs and other marks that Arabic-script and Hebrew writing may add to a word
# (harakat, superscript alef, Hebrew points): news mostly goes without them, so text and terms
# alike are read without them. So is Persian's zero-width non-joiner, which many pages drop
# ("سه‌شنبه" and "سهشنبه" are one word). (The tatweel stays: "لـ" before a name is a word of
# its own.)
_MARKS = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8"
    "\u06ea-\u06ed\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u200c]"
)
_MAYBE_MARKED = re.compile("[\u0591-\u06ff]")
# Letters some writers use for others: Egyptian and Sudanese pages end "الثوري" with the alef
# maksura ("الثورى"), read as the yeh the packs and names are written with.
_LETTERS = str.maketrans({"\u0649": "\u064a"})


# North Korea's spelling of a missile, which its own and friendly outlets write.
_NORTH_SPELLING = "미싸일"


def unmarked(text: str) -> str:
    """`text` without the optional vowel marks of Arabic-script and Hebrew words: "صَارُوخ"
    reads as "صاروخ"; an alef maksura reads as yeh ("على" as "علي"). North Korea's spelling of
    a missile ("탄도미싸일") reads as the South's ("탄도미사일"), which the Korean pack uses."""
    if _NORTH_SPELLING in text:
        text = text.replace(_NORTH_SPELLING, "미사일")
    if _MAYBE_MARKED.search(text) is None:
        return text
    return _MARKS.sub("", text).translate(_LETTERS)


_LOOSE = re.compile(r"[\W_]+")


def _same(sentence: str, title: str) -> bool:
    """Whether a sentence says the headline again, word for word."""
    said = _LOOSE.sub(" ", sentence).strip().casefold()
    return bool(said) and said == _LOOSE.sub(" ", title).strip().casefold()


# A photo credit closing the body's first paragraph: a bracket with a word for photo, or a
# photographer's name and an agency ("(Lee Jin-Man/AP/dpa)", "（圖／達志／美聯社）",
# "(사진=연합뉴스)", "(Foto: Reuters)"); not a story's own credit ("(Yonhap/AP)").
_CAPTION = re.compile(
    r"[(（\[]\s*(?:(?:圖|图|照片|사진|写真|Foto|Photo|Фото|Bild|Fotoğraf|تصویر|عکس|صورة|צילום|फोटो)"
    r"\s*[:：／/=][^()（）\[\]\n]{1,60}"
    r"|[A-ZÀ-Ý][\w'-]+(?:\s[A-ZÀ-Ý][\w'-]+)+\s?/[^()（）\[\]\n]{1,40})[)）\]]\s*\Z"
)


# A sentence of this many words or fewer beside a time stamp is the stamp's line, not news.
_STAMP_LINE_WORDS = 6


def _stamp_alone(sentence: str) -> bool:
    """Whether a sentence is a page's time stamp with at most a few words beside it (a label,
    a reading time)."""
    found = stamps_in(sentence)
    if not found:
        return False
    rest = sentence
    for start, end in reversed(found):
        rest = rest[:start] + " " + rest[end:]
    return len(_WORD.findall(rest)) <= _STAMP_LINE_WORDS


def document(title: str, body: str, language: str | None = None) -> Document:
    text = f"{title}\n{body}"
    title_end = len(title)
    sentences = [Sentence(0, title_end, "title", 0)]
    repeats: set[int] = set()
    lead_ends = 1
    # Where the credit of a photo's caption opening the body starts (none: -1): a paragraph of
    # its own, before the rest (a body of one paragraph ending in a credit is all text).
    first = text.find("\n", title_end + 1)
    found = _CAPTION.search(text, title_end + 1, first) if first >= 0 else None
    credit = found.start() if found is not None else -1
    for i, (s, e) in enumerate(split_sentences(text, title_end + 1, len(text)), start=1):
        # A lead that only introduces ("... released the following statement on May 30:")
        # hands the lead to the sentence after it.
        # So does a dateline standing alone ("WASHINGTON.", "МОСКВА, 17 окт — ПРАЙМ."), or
        # the page's time stamp ("09.05.2019 • 20:51 Uhr / 1 Minute Lesezeit").
        # And so does a lead that only repeats the headline (a feed's description that opens
        # with its title, a page whose headline is its first sentence).
        if i == lead_ends and _same(text[s:e], title):
            repeats.add(i)
        caption = i == lead_ends and e <= credit
        if i == lead_ends and (
            i in repeats
            or caption
            or _stamp_alone(text[s:e])
            or text[s:e].rstrip().endswith(":")
            or _dateline(text[s:e], language)
        ):
            lead_ends += 1
        # A photo's caption before the lead ("... (Lee Jin-Man/AP/dpa)", "...（圖／達志／美聯社）")
        # tells what the picture shows, often an earlier launch: not the lead.
        sentences.append(Sentence(s, e, "lead" if i <= lead_ends and not caption else "body", i))
    starts = [m.start() for m in _WORD.finditer(text)]
    return Document(
        text, title_end, tuple(sentences), starts, [x.start for x in sentences], frozenset(repeats)
    )
