"""The grouping figures `monitor eval` reports: how many true events got exactly one alert."""

from __future__ import annotations

import pytest
from dedup_helpers import JAN_5, article, at, detection

from monitor.detect import Analysis
from monitor.evaluate import Label, evaluate, format_report
from monitor.replay import ReplayResult

# Four reports of two true launches, and one negative.
LABELS = {
    "a1": Label("a1", True, "north-korea-2022-01-05", "test", "north-korea"),
    "a2": Label("a2", True, "north-korea-2022-01-05", "test", "north-korea"),
    "b1": Label("b1", True, "iran-2022-01-05", "test", "iran"),
    "b2": Label("b2", True, "iran-2022-01-05", "test", "iran"),
    "n1": Label("n1", False, None, None, None),
}


def result(item: str, event: str | None, new: bool) -> ReplayResult:
    det = detection("north-korea", JAN_5) if event is not None else None
    analysis = Analysis(1.0 if det else 0.0, 1.0, det, ("test",))
    return ReplayResult(article(item, "text", at(JAN_5)), analysis, event, new)


# (each item's predicted event and alert flag, events with exactly one alert)
CASES = [
    pytest.param(
        {"a1": ("A", True), "a2": ("A", False), "b1": ("B", True), "b2": ("B", False)},
        2,
        id="one-alert-each",
    ),
    pytest.param(
        {"a1": ("A", True), "a2": ("A", False), "b1": ("A", False), "b2": ("A", False)},
        1,
        id="two-events-merged",
    ),
    pytest.param(
        {"a1": ("A", True), "a2": ("A2", True), "b1": ("B", True), "b2": ("B", False)},
        1,
        id="one-event-split",
    ),
    pytest.param(
        {"a1": ("A", True), "a2": ("A", False), "b1": (None, False), "b2": (None, False)},
        1,
        id="one-event-missed",
    ),
]


@pytest.mark.parametrize(("predicted", "exactly_one"), CASES)
def test_events_with_exactly_one_alert(
    predicted: dict[str, tuple[str | None, bool]], exactly_one: int
) -> None:
    results = [result(item, event, new) for item, (event, new) in predicted.items()]
    results.append(result("n1", None, False))
    report = evaluate(results, LABELS)
    assert (report.events_one_alert, report.events_in_input) == (exactly_one, 2)
    assert report.one_alert_share == exactly_one / 2
    line = next(x for x in format_report(report).splitlines() if "exactly one alert" in x)
    assert line.split()[5] == f"{exactly_one / 2:.3f}" and f"({exactly_one} of 2)" in line


def test_only_events_in_the_input_count() -> None:
    report = evaluate([result("a1", "A", True)], LABELS)
    assert (report.events_one_alert, report.events_in_input, report.one_alert_share) == (1, 1, 1.0)
    assert report.events_total == 2  # the labels know of both events
