"""Splitting an article into the windows rules look at: title, sentences, words.

Offsets are character offsets in `title + "\\n" + text`, the string every Evidence points into.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

Position = Literal["title", "lead", "body"]

# A sentence ends at . ! ? (and a closing quote) followed by space and a capital, digit or
# opening quote; or at a paragraph break (a blank or indented line, or a line ending in a
# colon). A lone line break is a hard wrap (Reuters wire copy) and does not end a sentence.
# Abbreviations such as "U.S." are glued back below.
_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"\u201c\u2018(]?[A-Z0-9])"
    r"|(?<=:)\s*\n\s*|\s*\n(?:[ \t]+|\s*\n)\s*"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|Capt|Adm|Gov|Sen|Rep|St|No|Jan|Feb|"
    r"Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|Jr|vs|approx)\.)[\"'\u201d\u2019)]*\s*$"
)
_WORD = re.compile(r"[\w][\w'\u2019.-]*")

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

    def word_index(self, offset: int) -> int:
        """Index of the word containing or preceding `offset`."""
        return max(0, bisect_right(self._word_starts, offset) - 1)

    def word_offset(self, index: int) -> int:
        index = min(max(index, 0), len(self._word_starts) - 1)
        return self._word_starts[index] if self._word_starts else 0

    def sentence_at(self, offset: int) -> Sentence:
        starts = [s.start for s in self.sentences]
        return self.sentences[max(0, bisect_right(starts, offset) - 1)]


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of text[start:end]."""
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _BOUNDARY.finditer(text, start, end):
        piece_end = match.start()
        after_stop = match.start() > 0 and text[match.start() - 1] in ".!?"
        if (
            after_stop
            and "\n" not in match.group()
            and _ABBREVIATION.search(text, begin, match.end())
        ):
            continue  # "the U.S. Navy": the full stop belongs to an abbreviation
        if piece_end > begin:
            spans.append((begin, piece_end))
        begin = match.end()
    if end > begin:
        spans.append((begin, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def document(title: str, body: str) -> Document:
    text = f"{title}\n{body}"
    title_end = len(title)
    sentences = [Sentence(0, title_end, "title", 0)]
    lead_ends = 1
    for i, (s, e) in enumerate(split_sentences(text, title_end + 1, len(text)), start=1):
        # A lead that only introduces ("... released the following statement on May 30:")
        # hands the lead to the sentence after it.
        if i == lead_ends and text[s:e].rstrip().endswith(":"):
            lead_ends += 1
        sentences.append(Sentence(s, e, "lead" if i <= lead_ends else "body", i))
    starts = [m.start() for m in _WORD.finditer(text)]
    return Document(text, title_end, tuple(sentences), starts)
