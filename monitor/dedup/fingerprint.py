"""Text fingerprints: a content hash for exact copies and a sketch for rewrites.

A rewrite of a wire story (an outlet's own lead, extra paragraphs, page boilerplate) keeps only
part of the original: the Newsweek seed contains about 45% of the AP seed's five-word shingles,
which is a Jaccard similarity of only ~0.15 because Newsweek is 2.4 times longer. So "the same
text" is measured as containment -- the share of the shorter text found in the longer -- which
a MinHash sketch estimates from its Jaccard estimate and the two shingle counts.

The sketch is one-permutation MinHash (each shingle hash falls into one of `BINS` bins and the
bin keeps its minimum), which costs one hash per shingle instead of one per shingle and
permutation: pure Python stays around a millisecond for a long article.

Candidates are found through lookup keys stored in the database, so finding them costs the same
whatever the store holds:
- LSH bands: `BANDS` bands of `ROWS` bins; texts with Jaccard 0.4 share one 80% of the time,
  unrelated texts (Jaccard ~0.01) almost never.
- sentence keys: a hash of each normalised sentence of eight words or more; a rewrite that keeps
  any paragraph of the original shares these even when its overall Jaccard is low.
Every candidate is then checked with `containment`, never accepted on a shared key alone.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

SHINGLE_WORDS = 5
BINS = 256  # a power of two; 256 keeps the containment estimate within ~0.05
BANDS = 24
ROWS = 3  # BANDS * ROWS <= BINS
SENTENCE_MIN_WORDS = 8
MAX_SENTENCE_KEYS = 48
EMPTY = 0xFFFFFFFF  # an empty bin; a real bin minimum is below it

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?\"'\u201d])\s+|\n\s*\n")
_BIN_BITS = BINS.bit_length() - 1
_KEY_MASK = (1 << 63) - 1  # keys fit a signed BIGINT


def _simplified() -> dict[int, int]:
    """Traditional Chinese characters to their simplified forms (OpenCC's character table),
    so that a wire story set in either script reads as one text."""
    table: dict[int, int] = {}
    with (
        resources.files("opencc")
        .joinpath("dictionary", "TSCharacters.txt")
        .open(encoding="utf-8") as lines
    ):
        for line in lines:
            traditional, _, simplified = line.rstrip("\n").partition("\t")
            first = simplified.split(" ")[0]
            if len(traditional) == 1 and len(first) == 1 and traditional != first:
                table[ord(traditional)] = ord(first)
    return table


class _Fold(dict[int, int | None]):
    """A `str.translate` table that drops combining marks and apostrophes and reads traditional
    Chinese characters as simplified, filled in as characters are met, so folding runs in C
    instead of a Python test per character."""

    def __init__(self, initial: dict[int, int | None], han: dict[int, int]) -> None:
        super().__init__(initial)
        self._han = han

    def __missing__(self, codepoint: int) -> int | None:
        value = self._han.get(codepoint)
        if value is None:
            value = None if unicodedata.combining(chr(codepoint)) else codepoint
        self[codepoint] = value
        return value


_FOLD = _Fold({ord("'"): None, ord("\u2019"): None}, _simplified())
# Chinese and Japanese write no spaces: each Han or kana character counts as a word.
_WIDE = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_WIDE = re.compile(f"[{_WIDE}]")
_WIDE_WORD = re.compile(f"[{_WIDE}]|[^\\W_{_WIDE}]+")


def words(text: str) -> list[str]:
    """Lower-case words of the text, with accents, punctuation and apostrophes folded away;
    in Chinese and Japanese, characters."""
    folded = text.casefold()
    if folded.isascii():  # NFKD leaves ASCII alone, and it has no combining marks
        return _WORD.findall(folded.replace("'", ""))
    folded = unicodedata.normalize("NFKD", folded).translate(_FOLD)
    if _HAS_WIDE.search(folded):
        return _WIDE_WORD.findall(folded)
    return _WORD.findall(folded)


def normalise(text: str) -> str:
    return " ".join(words(text))


def content_hash(text: str) -> str:
    """Hex digest of the normalised text: equal for copies that differ in markup or spacing."""
    return _content_hash(words(text))


def _content_hash(tokens: list[str]) -> str:
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).hexdigest()


_HASHERS = {
    person: hashlib.blake2b(digest_size=8, person=person)
    for person in (b"shingle", b"sentence", b"band")
}


def _hash64(data: bytes, person: bytes) -> int:
    h = _HASHERS[person].copy()  # copying a keyed state is cheaper than building one
    h.update(data)
    return int.from_bytes(h.digest(), "big")


@dataclass(frozen=True, slots=True)
class Sketch:
    """What the store keeps of a text to recognise it again."""

    shingles: int  # number of distinct shingles
    bins: bytes  # BINS unsigned 32-bit minimums, EMPTY where no shingle fell
    keys: tuple[int, ...]  # lookup keys: LSH bands, then sentence hashes

    def values(self) -> array[int]:
        return _unpack(self.bins)


def _pack(values: list[int]) -> bytes:
    out = array("I", values)  # stored little-endian so a database file moves between machines
    if sys.byteorder != "little":
        out.byteswap()
    return out.tobytes()


def _unpack(data: bytes) -> array[int]:
    out = array("I")
    out.frombytes(data)
    if sys.byteorder != "little":
        out.byteswap()
    return out


def _shingle_hashes(tokens: list[str]) -> set[int]:
    if len(tokens) < SHINGLE_WORDS:
        grams: Iterable[str] = [" ".join(tokens)] if tokens else []
    else:
        grams = map(" ".join, zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False))
    base = _HASHERS[b"shingle"]
    hashes: set[int] = set()
    for gram in grams:
        h = base.copy()
        h.update(gram.encode())
        hashes.add(int.from_bytes(h.digest(), "big"))
    return hashes


def _sentence_keys(text: str) -> list[int]:
    keys: list[int] = []
    for sentence in _SENTENCE_END.split(text):
        tokens = words(sentence)
        if len(tokens) >= SENTENCE_MIN_WORDS:
            key = _hash64(" ".join(tokens).encode(), b"sentence") & _KEY_MASK
            if key not in keys:
                keys.append(key)
                if len(keys) == MAX_SENTENCE_KEYS:
                    break
    return keys


def sketch(text: str) -> Sketch:
    return _sketch(text, words(text))


def text_sketch(text: str) -> tuple[str, Sketch, int]:
    """The content hash, the sketch and the word count of a text, its words split once."""
    tokens = words(text)
    return _content_hash(tokens), _sketch(text, tokens), len(tokens)


def _sketch(text: str, tokens: list[str]) -> Sketch:
    hashes = _shingle_hashes(tokens)
    mins = [EMPTY] * BINS
    for h in hashes:
        b = h & (BINS - 1)
        v = (h >> _BIN_BITS) & 0xFFFFFFFE  # never equal to EMPTY
        if v < mins[b]:
            mins[b] = v
    keys: list[int] = []
    for band in range(BANDS):
        row = mins[band * ROWS : (band + 1) * ROWS]
        if EMPTY in row:
            continue  # a short text's empty bins would match every other short text
        data = band.to_bytes(2, "big") + b"".join(v.to_bytes(4, "big") for v in row)
        keys.append(_hash64(data, b"band") & _KEY_MASK)
    keys += [k for k in _sentence_keys(text) if k not in keys]
    return Sketch(len(hashes), _pack(mins), tuple(keys))


# Bins are compared as 32-bit lanes of one big integer, in C rather than a Python loop: two
# sketches agree in the lanes where their XOR is zero, and a bin is empty where its XOR with
# EMPTY is zero.
_ALL = int.from_bytes(EMPTY.to_bytes(4, "little") * BINS, "little")  # every lane EMPTY
_LOW = int.from_bytes((0x7FFFFFFF).to_bytes(4, "little") * BINS, "little")  # lanes but top bits
_TOP = _ALL ^ _LOW  # each lane's top bit


def _zero_lanes(x: int) -> int:
    """How many of the BINS 32-bit lanes of `x` are zero."""
    # (x & _LOW) + _LOW sets a lane's top bit exactly when its low 31 bits are not all zero,
    # without carrying into the next lane.
    return (~(((x & _LOW) + _LOW) | x | _LOW) & _TOP).bit_count()


def jaccard(a: Sketch, b: Sketch) -> float:
    """One-permutation MinHash estimate: equal bins over bins that either text fills."""
    if len(a.bins) != len(b.bins):
        raise ValueError("sketches of different sizes")
    if len(a.bins) != 4 * BINS:
        return _jaccard_of_values(a.values(), b.values())
    x, y = int.from_bytes(a.bins, "little"), int.from_bytes(b.bins, "little")
    both_empty = _zero_lanes((x ^ _ALL) | (y ^ _ALL))
    filled = BINS - both_empty
    equal = _zero_lanes(x ^ y) - both_empty  # two empty bins are equal, not shared
    return equal / filled if filled else 0.0


def _jaccard_of_values(va: array[int], vb: array[int]) -> float:
    filled = equal = 0
    for x, y in zip(va, vb, strict=True):
        if x == EMPTY and y == EMPTY:
            continue
        filled += 1
        equal += x == y
    return equal / filled if filled else 0.0


def containment(a: Sketch, b: Sketch) -> float:
    """Estimated share of the shorter text's shingles that the longer one also has."""
    if not a.shingles or not b.shingles:
        return 0.0
    j = jaccard(a, b)
    shared = j * (a.shingles + b.shingles) / (1.0 + j)
    return min(1.0, shared / min(a.shingles, b.shingles))
