"""Grouping of the labelled dev positives (LABELS.md): every labelled report with its actor and
its event's local date goes through the Deduplicator; the events must be exactly the labelled
ones, with one alert each, in any arrival order.

Reads the dev corpus labels (see tests/corpus.py; MONITOR_DATA overrides the data folder).
"""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from dedup_helpers import Backend, Clock, article, detection, make_dedup, placed

from tests.corpus import DEV, dev_report

LABELS = DEV / "labels.jsonl"


def positives() -> list[dict[str, str]]:
    if not LABELS.exists():
        pytest.skip(f"{LABELS} is not here; set MONITOR_DATA to the project's data folder")
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if r["label"] == 1]


@pytest.mark.parametrize(
    "seed", [None, 1, 2, 3], ids=["label-order", "shuffle-1", "shuffle-2", "shuffle-3"]
)
async def test_labelled_positives_group_into_the_labelled_events(
    backend: Backend, seed: int | None
) -> None:
    labelled = positives()
    if seed is not None:
        random.Random(seed).shuffle(labelled)
    dedup = make_dedup(await backend.open(), Clock())
    predicted: dict[str, str] = {}
    opened: dict[str, int] = {}
    for n, label in enumerate(labelled):
        day = date.fromisoformat(label["event_id"][-10:])
        published = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=n % 30)
        text = f"Report {label['id']}: {label['note']}"
        result = await placed(
            dedup,
            article(label["id"], text, published, outlet=label["id"].split("-")[0]),
            detection(label["actor"], day, subtype=label["subtype"]),
        )
        predicted[label["id"]] = result.event.id
        opened[label["event_id"]] = opened.get(label["event_id"], 0) + result.new_event
    truth = {label["id"]: label["event_id"] for label in labelled}
    pairs = list(itertools.combinations(sorted(truth), 2))
    same_pred = {p for p in pairs if predicted[p[0]] == predicted[p[1]]}
    same_true = {p for p in pairs if truth[p[0]] == truth[p[1]]}
    precision = len(same_pred & same_true) / max(1, len(same_pred))
    recall = len(same_pred & same_true) / max(1, len(same_true))
    one_alert = sum(1 for n in opened.values() if n == 1) / len(opened)
    assert (precision, recall, one_alert) == (1.0, 1.0, 1.0)
    assert len(set(predicted.values())) == len(opened)


def test_dev_corpus_grouping_reaches_targets() -> None:
    """Detection and the real grouping over the whole dev corpus, as `monitor eval` runs them."""
    positives()  # skips when the data is not here
    report = dev_report()
    assert report.grouping.precision >= 0.95 and report.grouping.recall >= 0.95, report.grouping
    assert report.one_alert_share >= 0.95, (report.events_one_alert, report.events_in_input)
