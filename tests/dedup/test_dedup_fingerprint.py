from __future__ import annotations

import hashlib

import pytest
from dedup_helpers import AP_SEED, JAN_11_REPORT, KCNA_SATELLITE, NEWSWEEK_SEED

from monitor.config import EventsConfig
from monitor.dedup import fingerprint

THRESHOLD = EventsConfig().near_duplicate


def test_content_hash_ignores_markup_case_and_spacing() -> None:
    a = "North Korea fired a ballistic missile.\n\nIt flew east."
    b = "  NORTH KOREA fired a   ballistic missile -- it flew east!"
    assert fingerprint.content_hash(a) == fingerprint.content_hash(b)
    assert fingerprint.content_hash(a) != fingerprint.content_hash(a + " Again.")


def test_newsweek_rewrite_contains_the_ap_report() -> None:
    ap, nw = fingerprint.sketch(AP_SEED), fingerprint.sketch(NEWSWEEK_SEED)
    # Newsweek is 2.4 times longer: low Jaccard, but most of AP's kept text is found in it.
    assert fingerprint.jaccard(ap, nw) < 0.3
    assert fingerprint.containment(ap, nw) >= THRESHOLD
    assert set(ap.keys) & set(nw.keys), "no shared lookup key: the store would never compare them"


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(KCNA_SATELLITE, id="kcna-satellite-launch"),
        pytest.param(JAN_11_REPORT.split("\n", 3)[0], id="jan-11-lead-only"),
    ],
)
def test_other_stories_on_the_same_topic_are_not_the_same_text(other: str) -> None:
    assert fingerprint.containment(fingerprint.sketch(AP_SEED), fingerprint.sketch(other)) < 0.15


def test_a_later_launch_reusing_background_paragraphs_reads_alike() -> None:
    # The event rule, not the text, has to keep these apart (see test_dedup_grouping).
    score = fingerprint.containment(fingerprint.sketch(AP_SEED), fingerprint.sketch(JAN_11_REPORT))
    assert score >= THRESHOLD


def test_sketch_is_stable_across_processes() -> None:
    # Stored sketches are compared with ones computed after a restart: no per-process hashing.
    sk = fingerprint.sketch("North Korea fired a ballistic missile into the sea on Wednesday")
    assert sk.shingles == 7
    assert len(sk.bins) == fingerprint.BINS * 4
    assert (
        sk.keys
        == fingerprint.sketch(
            "north korea fired a ballistic missile into the sea on wednesday"
        ).keys
    )


def test_identical_texts_have_containment_one() -> None:
    sk = fingerprint.sketch(AP_SEED)
    assert fingerprint.containment(sk, sk) == 1.0
    assert fingerprint.containment(sk, fingerprint.sketch("")) == 0.0


ACCENTED = (
    "Pyongyang\u2019s \u201cHwasong-18\u201d launch \u2014 S\u00e3o Tom\u00e9 caf\u00e9, "
    "na\u00efve \u00c5ngstr\u00f6m l'\u00e9t\u00e9, Stra\u00dfe \ufb01re \u0130zmir; "
    "\uff2b\uff23\uff2e\uff21 said it wasn't the first."
)


def test_words_fold_accents_ligatures_width_and_apostrophes() -> None:
    assert fingerprint.words(ACCENTED) == [
        "pyongyangs", "hwasong", "18", "launch", "sao", "tome", "cafe", "naive", "angstrom",
        "lete", "strasse", "fire", "izmir", "kcna", "said", "it", "wasnt", "the", "first",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "shingles", "digest", "content_hash"),
    [
        pytest.param(AP_SEED, 369, "1b22eea56310983f", "2c2c6537d1b75e5726ea790a63647124", id="ap"),
        pytest.param(
            ACCENTED, 15, "baafc67d8bdc850a", "d0a9d8f0e48d27261ce5585b507b587d", id="accented"
        ),
    ],
)
def test_fingerprints_match_those_already_stored(
    text: str, shingles: int, digest: str, content_hash: str
) -> None:
    # Stores hold sketches and keys computed by earlier versions: a faster implementation must
    # produce the same bytes, or stored texts stop matching new ones.
    sk = fingerprint.sketch(text)
    got = hashlib.sha256(sk.bins + repr(sk.keys).encode()).hexdigest()[:16]
    assert (sk.shingles, got, fingerprint.content_hash(text)) == (shingles, digest, content_hash)


def _jaccard_by_bins(a: fingerprint.Sketch, b: fingerprint.Sketch) -> float:
    filled = equal = 0
    for x, y in zip(a.values(), b.values(), strict=True):
        if x == fingerprint.EMPTY and y == fingerprint.EMPTY:
            continue
        filled += 1
        equal += x == y
    return equal / filled if filled else 0.0


def test_jaccard_counts_equal_bins_over_filled_ones() -> None:
    texts = [AP_SEED, NEWSWEEK_SEED, KCNA_SATELLITE, JAN_11_REPORT, ACCENTED, "", "one two"]
    texts.append(AP_SEED[: len(AP_SEED) // 3])  # a short text: many empty bins
    sketches = [fingerprint.sketch(t) for t in texts]
    for a in sketches:
        for b in sketches:
            assert fingerprint.jaccard(a, b) == _jaccard_by_bins(a, b)


def test_chinese_and_japanese_words_are_characters_traditional_read_as_simplified() -> None:
    assert fingerprint.words("朝鮮發射導彈 ICBM") == ["朝", "鲜", "发", "射", "导", "弹", "icbm"]
    # (kana's voicing mark folds away as an accent does: が reads as か)
    assert fingerprint.words("北朝鮮がミサイル") == ["北", "朝", "鲜", "か", "ミ", "サ", "イ", "ル"]


def test_one_wire_story_in_traditional_and_simplified_script_is_one_text() -> None:
    # The same agency copy as a Taipei and a Beijing outlet set it (our own wording).
    traditional = (
        "南韓軍方表示，北韓今天上午向東部海域發射一枚彈道飛彈，飛行約八百公里後落入日本海，"
        "日本政府隨即提出抗議並召開國家安全會議。"
    )
    simplified = (
        "（本报综合消息）南韩军方表示，北韩今天上午向东部海域发射一枚弹道飞弹，飞行约八百公里"
        "后落入日本海，日本政府随即提出抗议并召开国家安全会议。"
    )
    other = "中国股市今天收盘上涨，科技板块领涨，投资者关注央行下周公布的利率决定和通胀数据。"
    same = fingerprint.containment(fingerprint.sketch(traditional), fingerprint.sketch(simplified))
    assert same >= 0.8
    assert fingerprint.containment(fingerprint.sketch(traditional), fingerprint.sketch(other)) < 0.2
