"""An event's timeline: in order of time, and within one second a report before the alert it
caused (the store keeps a report's fetch time finer than an alert's creation time)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from monitor.web.views import _timeline


def test_a_report_comes_before_its_alert_within_one_second() -> None:
    fetched = datetime(2026, 1, 5, 9, 0, 0, 700_000, tzinfo=UTC)
    report = SimpleNamespace(fetched=fetched, outlet="Yonhap", title="North Korea fires")
    later = SimpleNamespace(
        fetched=datetime(2026, 1, 5, 9, 0, 3, tzinfo=UTC), outlet="NHK", title="Missile"
    )
    alert = SimpleNamespace(
        created_at=datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC),  # the same second, truncated
        kind="new",
        destination="desk",
        status="sent",
    )
    follow = SimpleNamespace(
        created_at=datetime(2026, 1, 5, 9, 0, 3, tzinfo=UTC),
        kind="update",
        destination="desk",
        status="sent",
    )
    timeline = _timeline([later, report], [follow, alert])
    assert [t.what for t in timeline] == [
        "report from Yonhap: North Korea fires",
        "first alert to desk: sent",
        "report from NHK: Missile",
        "follow-up to desk: sent",
    ]
