from __future__ import annotations

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
