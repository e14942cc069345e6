"""`monitor replay` and `monitor eval` end to end, through their argparse registration."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from monitor.cli import evaluate as eval_cli
from monitor.cli import replay as replay_cli
from monitor.errors import MonitorError
from monitor.evaluate import same_actor
from tests.corpus import DEV, dev_report

DATA = Path(__file__).parent / "data"
ITEMS = [DATA / "detect_sentences.jsonl", DATA / "kcna_sample.jsonl"]
LABELS = DATA / "detect_labels.jsonl"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="monitor")
    sub = parser.add_subparsers(dest="command", required=True)
    replay_cli.register(sub)
    eval_cli.register(sub)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def write_labelled(
    folder: Path, items: list[tuple[str, str, str, str]], labels: list[dict[str, object]]
) -> tuple[Path, Path]:
    """A corpus of (id, published, title, text) items, each from its own outlet, and its
    labels, as JSONL files in `folder`."""
    corpus, labelled = folder / "items.jsonl", folder / "labels.jsonl"
    corpus.write_text(
        "".join(
            json.dumps(
                {
                    "id": i,
                    "source": f"outlet-{i}",
                    "title": title,
                    "text": text,
                    "url": None,
                    "published": at,
                }
            )
            + "\n"
            for i, at, title, text in items
        )
    )
    labelled.write_text("".join(json.dumps(label) + "\n" for label in labels))
    return corpus, labelled


def test_replay_writes_one_line_per_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["replay", str(ITEMS[0])]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 9
    by_id = {r["id"]: r for r in rows}
    assert set(rows[0]) == {
        "id",
        "language",
        "detected",
        "score",
        "event_id",
        "new_event",
        "event",
        "explanation",
    }
    first, second = by_id["own-1"], by_id["own-2"]
    assert first["event_id"] == second["event_id"] == "missile_launch:north-korea:2022-01-05"
    assert (first["new_event"], second["new_event"]) == (True, False)
    assert first["event"] == {
        "type": "missile_launch",
        "subtype": "test",
        "actor": "north-korea",
        "weapon": "ballistic missile",
        "date": "2022-01-05",
        "role": "peg",
        "sources": ["south-korea"],  # "South Korea's military said": it reported the launch
        "targets": [],
    }
    assert first["language"] == "en"
    assert by_id["own-3"]["event"]["actor"] == "russia"
    for negative in ("own-4", "own-5", "own-6", "own-7", "own-8", "own-9"):
        row = by_id[negative]
        assert (row["detected"], row["event_id"], row["event"]) == (False, None, None)
        assert row["explanation"]


def test_eval_prints_figures_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["eval", *map(str, ITEMS), "--labels", str(LABELS)]) == 0
    out = capsys.readouterr().out
    assert "detection precision            1.000" in out
    assert "detection recall               1.000" in out
    assert "alerts per true event" in out and "baseline" in out
    assert "false positives (0):" in out and "false negatives (0):" in out


def test_eval_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["eval", *map(str, ITEMS), "--labels", str(LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["detection"]["tp"] == 7 and report["detection"]["fp"] == 0
    assert report["grouping"]["precision"] == 1.0
    assert report["baseline_detection"]["recall"] < report["detection"]["recall"]


def test_bad_input_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "items.jsonl"
    bad.write_text('{"id": "a", "title": "t", "text": "x"}\n{"id": "b", "title": "t"}\n')
    with pytest.raises(MonitorError, match=r"items\.jsonl:2: missing or non-text field\(s\) text"):
        run(["replay", str(bad)])
    bad.write_text("{not json\n")
    with pytest.raises(MonitorError, match=r"items\.jsonl:1: not valid JSON"):
        run(["replay", str(bad)])


@pytest.mark.skipif(not DEV.is_dir(), reason=f"dev corpus not present at {DEV}")
def test_dev_corpus_reaches_targets() -> None:
    detection = dev_report().detection
    assert detection.precision >= 0.95 and detection.recall >= 0.95, detection


def test_eval_lists_events_split_or_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A true event reported on two stated days is split; two labelled apart that grouping
    put together are merged: both are named, each report with its event and the day read."""
    items = [
        ("a1", "2022-01-05T09:00:00+09:00", "North Korea fires a ballistic missile on Wednesday"),
        ("a2", "2022-01-11T09:00:00+09:00", "North Korea fires a ballistic missile on Tuesday"),
        ("b1", "2022-03-24T18:00:00+09:00", "North Korea fires an ICBM on Thursday"),
        ("b2", "2022-03-24T19:00:00+09:00", "North Korea launches an ICBM on Thursday"),
    ]
    events = {"a1": "nk-a", "a2": "nk-a", "b1": "nk-b", "b2": "nk-c"}
    corpus, labels = write_labelled(
        tmp_path,
        [(i, at, t, t + ", Seoul said.") for i, at, t in items],
        [
            {"id": i, "label": 1, "subtype": "test", "actor": "north-korea", "event_id": e}
            for i, e in events.items()
        ],
    )
    assert run(["eval", str(corpus), "--labels", str(labels)]) == 0
    out = capsys.readouterr().out
    listing = out[out.index("events split or merged (3):") :]
    assert "- nk-a: 2 event(s), 2 alert(s)\n" in listing
    assert "a2 opened missile_launch:north-korea:2022-01-11 (actor north-korea, day 2022-01-11" in (
        listing
    )
    assert "- nk-b: 1 event(s), 1 alert(s), shares an event with nk-c" in listing
    assert "- nk-c: 1 event(s), 0 alert(s), shares an event with nk-b" in listing
    assert "b2 joined missile_launch:north-korea:2022-03-24" in listing

    assert run(["eval", str(corpus), "--labels", str(labels), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    split = next(g for g in report["misgrouped"] if g["event"] == "nk-a")
    assert [r["day"] for r in split["reports"]] == ["2022-01-05", "2022-01-11"]


def test_an_undated_item_was_published_before_the_dated_item_after_it() -> None:
    from datetime import UTC, datetime

    from monitor.models import Article
    from monitor.replay import arrival_order

    def item(name: str, year: int | None) -> Article:
        when = datetime(year, 1, 1, tzinfo=UTC) if year else None
        return Article(id=name, outlet="o", title=name, text="", url=None, published=when)

    # A file read in order; the last dated item is earlier than the one before it (another
    # archive appended): the undated item between the two is placed by neither, and comes in
    # as the first of the second archive.
    order = arrival_order(
        [item("a", 2020), item("b", None), item("c", 2021), item("d", None), item("e", 2019)]
    )
    by_id = {a.id: a for a in order}
    assert [a.id for a in order] == ["d", "e", "a", "b", "c"]
    assert by_id["b"].published_before == datetime(2021, 1, 1, tzinfo=UTC)
    assert not by_id["b"].unplaced
    assert by_id["d"].published_before is None and by_id["d"].unplaced
    assert by_id["a"].published_before is None and not by_id["a"].unplaced


def test_eval_names_reports_whose_launcher_was_read_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report labelled with one launcher and read as another is counted and listed; a
    label slug that the read actor names more fully ("houthis", "yemen-houthis") agrees."""
    items = [
        ("r1", "North Korea fires a ballistic missile into the sea on Wednesday", "north-korea"),
        ("r2", "Houthis fire a ballistic missile at Israel on Wednesday", "houthis"),
        ("r3", "North Korea fires a cruise missile on Wednesday", "south-korea"),
    ]
    corpus, labels = write_labelled(
        tmp_path,
        [(i, "2025-03-05T12:00:00+00:00", t, t + ".") for i, t, _ in items],
        [
            {"id": i, "label": 1, "subtype": "test", "actor": a, "event_id": f"{a}-{i}"}
            for i, _, a in items
        ],
    )
    assert run(["eval", str(corpus), "--labels", str(labels)]) == 0
    out = capsys.readouterr().out
    assert "launcher read right: 2 of 3 detected reports" in out
    listing = out[out.index("launcher read wrong (1):") :]
    assert listing.splitlines()[1].startswith("- r3 (en): labelled south-korea, read north-korea")
    assert "r2" not in listing.split("events split")[0]


@pytest.mark.parametrize(
    ("label", "read", "agrees"),
    [
        ("usa", "united-states", True),
        ("dprk", "north-korea", True),
        ("uk", "united-kingdom", True),
        ("houthis", "yemen-houthis", True),
        ("usa", "russia", False),
        ("japan", "united-states", False),
        ("usa", None, False),
    ],
)
def test_a_label_naming_the_launcher_by_another_of_its_names_agrees(
    label: str, read: str | None, agrees: bool
) -> None:
    assert same_actor(label, read) is agrees


def test_eval_counts_launch_days_read_as_labelled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The launch day a report states is compared with the date its label's event id ends
    in; a report that states no day (its publication stands in) is counted apart."""
    items = [
        ("r1", "North Korea fires a ballistic missile on Wednesday", "2025-03-05"),
        ("r2", "North Korea fires a cruise missile on Tuesday", "2025-03-05"),
        ("r3", "North Korea fires a ballistic missile into the sea", "2025-03-05"),
        ("r4", "North Korea fires a missile on Monday", "2025-03-01"),
    ]
    corpus, labels = write_labelled(
        tmp_path,
        [(i, "2025-03-05T12:00:00+00:00", t, t + ".") for i, t, _ in items],
        [
            {
                "id": i,
                "label": 1,
                "subtype": "test",
                "actor": "north-korea",
                "event_id": f"north-korea-{day}",
            }
            for i, _, day in items
        ],
    )
    assert run(["eval", str(corpus), "--labels", str(labels), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["days"] == [1, 1, 3, 1]
    assert run(["eval", str(corpus), "--labels", str(labels)]) == 0
    out = capsys.readouterr().out
    assert (
        "launch day read right: 1 of 3 detected reports that state one (1 a day off); "
        "1 state none" in out
    )
