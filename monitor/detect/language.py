"""Which language an article is written in: lingua, restricted to the languages rules exist for.

Restricting the candidates to the loaded packs makes it faster and surer; the low-accuracy
mode reads short n-grams only, and the first few hundred characters (title and lead) decide.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# Title and lead are enough, and longer text costs time without changing the answer.
SAMPLE_CHARS = 200


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
    found = detector.detect_language_of(text[:SAMPLE_CHARS])
    return codes.get(found) if found is not None else None
