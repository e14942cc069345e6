"""Near-duplicates: texts already seen that the new text copies or rewrites.

The store finds a bounded set of candidates (the earliest item with the same content hash, and
those sharing lookup keys, monitor.store.items); `similar` accepts each one only if its
estimated containment reaches the threshold, so the cost per text stays flat however many texts
the store holds. Deciding is pure: the caller does the lookups.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.dedup import fingerprint
from monitor.store.items import Candidate, TextRecord

__all__ = ["MIN_SHINGLES", "MIN_WORDS", "TextRecord", "best", "looks_up_keys", "record", "similar"]

MIN_WORDS = 8  # shorter texts ("Read more.") are not evidence of anything
MIN_SHINGLES = 12  # below this the sketch's estimate is too noisy to trust


def record(text: str) -> TextRecord | None:
    """What the store keeps of a text, or None for a text too short to recognise again."""
    if not text:
        return None
    digest, sk, n_words = fingerprint.text_sketch(text)
    if n_words < MIN_WORDS:
        return None
    return TextRecord(digest, sk.shingles, sk.bins, sk.keys)


def looks_up_keys(text: TextRecord | None) -> bool:
    """Whether the text is long enough for its sketch to be compared: else only an identical
    text counts, and its keys need not be looked up."""
    return text is not None and text.shingles >= MIN_SHINGLES


def similar(
    text: TextRecord | None,
    exact: str | None,
    candidates: Sequence[Candidate],
    threshold: float,
) -> dict[str, float]:
    """Ids of stored texts this one copies or rewrites, with their containment (0..1].

    `exact`: the stored item with the same content hash, if any; `candidates`: those sharing
    lookup keys with it."""
    if text is None:
        return {}
    found: dict[str, float] = {}
    if exact is not None:
        found[exact] = 1.0
    if not looks_up_keys(text):
        return found
    mine = fingerprint.Sketch(text.shingles, text.sketch, text.keys)
    for cand in candidates:
        if cand.item_id in found or cand.shingles < MIN_SHINGLES:
            continue
        score = fingerprint.containment(mine, fingerprint.Sketch(cand.shingles, cand.sketch, ()))
        if score >= threshold:
            found[cand.item_id] = round(score, 3)
    return found


def best(found: dict[str, float]) -> str | None:
    """The closest text; on a tie, the smallest id, so the answer does not depend on order."""
    if not found:
        return None
    return min(found, key=lambda k: (-found[k], k))
