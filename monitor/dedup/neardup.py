"""Near-duplicate lookup: texts already seen that the new text copies or rewrites.

Ties the pure fingerprints to the item store: lookup keys find a bounded set of candidates in
the database, and each candidate is accepted only if its estimated containment reaches the
threshold, so the cost per text stays flat however many texts the store holds.
"""

from __future__ import annotations

from monitor.dedup import fingerprint
from monitor.store.items import ItemRepo, TextRecord

__all__ = ["MIN_SHINGLES", "MIN_WORDS", "TextIndex", "TextRecord", "best", "record"]

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


class TextIndex:
    def __init__(self, items: ItemRepo, threshold: float) -> None:
        self._items = items
        self._threshold = threshold

    def similar(self, item_id: str, text: TextRecord | None) -> dict[str, float]:
        """Ids of stored texts this one copies or rewrites, with their containment (0..1]."""
        if text is None:
            return {}
        found: dict[str, float] = {}
        exact = self._items.with_content_hash(text.content_hash, exclude=item_id)
        if exact is not None:
            found[exact] = 1.0
        if text.shingles < MIN_SHINGLES:
            return found
        mine = fingerprint.Sketch(text.shingles, text.sketch, text.keys)
        for cand in self._items.candidates(text.keys, exclude=item_id):
            if cand.item_id in found or cand.shingles < MIN_SHINGLES:
                continue
            score = fingerprint.containment(
                mine, fingerprint.Sketch(cand.shingles, cand.sketch, ())
            )
            if score >= self._threshold:
                found[cand.item_id] = round(score, 3)
        return found


def best(similar: dict[str, float]) -> str | None:
    """The closest text; on a tie, the smallest id, so the answer does not depend on order."""
    if not similar:
        return None
    return min(similar, key=lambda k: (-similar[k], k))
