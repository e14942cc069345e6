"""Which language an article is written in: lingua, restricted to the languages rules exist for.

Restricting the candidates to the loaded packs makes it faster and surer; the low-accuracy
mode reads short n-grams only, and the first few hundred characters (title and lead) decide.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# Title and lead are enough, and longer text costs time without changing the answer.
SAMPLE_CHARS = 200
# Runs of Latin letters: an English headline, a weapon's name or an acronym ("ICBM") set in
# text of another script, which would otherwise draw the guess to a Latin-script language.
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_OTHER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Text of another script decides when it has this weight, and this share (in tenths).
_OTHER_MIN = 15
_OTHER_SHARE_TENTHS = 3
# A runner-up language is tried when it has at least this confidence (lingua's, 0..1).
RUNNER_UP_MIN = 0.005


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]) -> tuple[LanguageDetector, dict[Language, str]]:
    known = {}
    for code in languages:
        iso = getattr(IsoCode639_1, code.upper(), None)
        if iso is not None:
            known[Language.from_iso_code_639_1(iso)] = code
    detector = LanguageDetectorBuilder.from_languages(*known).with_low_accuracy_mode().build()
    return detector, known


def identify(text: str, languages: tuple[str, ...]) -> str | None:
    """The ISO 639-1 code of the language of `text` among `languages`, or None when unsure."""
    if len(languages) == 1:
        return languages[0]
    detector, codes = _detector(tuple(sorted(languages)))
    if len(codes) < 2:
        return next(iter(codes.values()), None)
    found = detector.detect_language_of(_sample(text))
    return codes.get(found) if found is not None else None


def runners_up(text: str, languages: tuple[str, ...], most: int = 2) -> list[str]:
    """The languages next most likely after the first, best first (at most `most`, each with
    some confidence): a short headline is often taken for a neighbour ("Iran, pioggia di missili
    su Israele" reads as Portuguese or Vietnamese as readily as Italian)."""
    detector, codes = _detector(tuple(sorted(languages)))
    if len(codes) < 2:
        return []
    values = detector.compute_language_confidence_values(_sample(text))
    out = [
        codes[v.language] for v in values[1:] if v.value >= RUNNER_UP_MIN and v.language in codes
    ]
    return out[:most]


def _sample(text: str) -> str:
    """The start of the text, without its Latin letters when much of it is in another script:
    "Agni test | अग्नि का परीक्षण" is Hindi, "Seoul says | 북한이 ... 밝혔다" Korean. A Han, kana
    or Hangul character counts as much as a short word of letters."""
    head = text[: SAMPLE_CHARS * 2]
    if head.isascii():
        return text[:SAMPLE_CHARS]
    latin = sum(map(len, _LATIN.findall(head)))
    if latin * 10 >= len(head) * 7:  # Latin letters and the spaces between them: no more room
        return text[:SAMPLE_CHARS]
    other = len(_OTHER.findall(head)) + 2 * len(_WIDE.findall(head))
    if other >= _OTHER_MIN and other * 10 >= (latin + other) * _OTHER_SHARE_TENTHS:
        return _LATIN.sub("", text[: SAMPLE_CHARS * 4])[:SAMPLE_CHARS]
    return text[:SAMPLE_CHARS]
