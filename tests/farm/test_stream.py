"""Generated streams: every launch alerts exactly once, however many outlets report it, in
whatever language, on consecutive days or hours apart on one day.

The stream goes through detection and the service's own grouping stage (`replay`), report by
report in publication order.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from monitor.detect import load_rules
from monitor.detect.rules import RuleSet
from monitor.models import Article
from monitor.replay import replay
from tests.farm.stream import exchange_stream, language_of_writer, stream, vague_stream


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_every_launch_alerts_exactly_once(seed: int, rules: RuleSet) -> None:
    articles, truth = stream(seed)
    results = list(replay(articles, rules))
    alerts: dict[str, int] = defaultdict(int)
    events_of_launch: dict[str, set[str]] = defaultdict(set)
    launches_of_event: dict[str, set[str]] = defaultdict(set)
    for r in results:
        d = r.analysis.detection
        why = f"{r.article.id}: {r.article.title} | {r.article.text}\n" + "\n".join(
            r.analysis.explanation
        )
        assert d is not None, why
        assert r.analysis.language == language_of_writer(r.article), why
        assert d.actor == r.article.id.split("-2024")[0], why
        assert r.event_id is not None, why
        launch = truth[r.article.id]
        alerts[launch] += r.new_event
        events_of_launch[launch].add(r.event_id)
        launches_of_event[r.event_id].add(launch)
    assert all(n == 1 for n in alerts.values()), dict(alerts)
    assert set(alerts) == set(truth.values())
    split = {k: v for k, v in events_of_launch.items() if len(v) > 1}
    merged = {k: v for k, v in launches_of_event.items() if len(v) > 1}
    assert not split and not merged, (split, merged)


def alerts_per_launch(
    articles: list[Article], truth: dict[str, str], rules: RuleSet
) -> dict[str, int]:
    """Replays the stream, checking every report is detected with its launcher and placed;
    returns how many alerts each launch got."""
    alerts: dict[str, int] = defaultdict(int)
    for r in replay(articles, rules):
        d = r.analysis.detection
        why = f"{r.article.id}: {r.article.title} | {r.article.text}\n" + "\n".join(
            r.analysis.explanation
        )
        assert d is not None and r.event_id is not None, why
        assert d.actor == r.article.id.split("-2024")[0], why
        alerts[truth[r.article.id]] += r.new_event
    assert set(alerts) == set(truth.values())
    return alerts


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_vaguer_reports_still_alert_once_per_launch(seed: int, rules: RuleSet) -> None:
    """Most reports give the day without the time, "yesterday" the morning after, or no day;
    some tell of the launch the day before. Each launch still alerts exactly once: a report
    stating a launch after an event's first report was published is another launch."""
    alerts = alerts_per_launch(*vague_stream(seed), rules)
    assert all(n == 1 for n in alerts.values()), dict(alerts)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_two_sides_firing_on_consecutive_days_alert_once_each(seed: int, rules: RuleSet) -> None:
    """Iran and Israel, Russia and Ukraine strike each other on three days running; reports in
    four languages name the side hit and the other side's strike the day before. The launcher
    is who fired, and each strike alerts exactly once."""
    alerts = alerts_per_launch(*exchange_stream(seed), rules)
    assert all(n == 1 for n in alerts.values()), dict(alerts)
