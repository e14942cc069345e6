"""The running service (`monitor run` without the signal handling): scheduled polls, the
delivery worker, health and metrics over real HTTP, reload, feed-health alerts, stopping."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest

from monitor import metrics
from monitor.cli.run import serve
from monitor.config import Config, load
from monitor.service import Service
from tests.running import Parts, capture, wait_for
from tests.servers import loopback
from tests.servers.http import FeedServer, Reply


def config(tmp_path: Path, feeds: list[dict[str, object]], **extra: object) -> Config:
    doc: dict[str, object] = {
        "store": {"url": f"sqlite:///{tmp_path / 'monitor.sqlite3'}"},
        "polling": {"interval": 1, "min_interval": 0.2, "timeout": 5},
        "http": {"listen": None},
        "network": loopback.NETWORK,
        "feeds": feeds,
        **extra,
    }
    return load(json.dumps(doc), str(tmp_path / "monitor.yaml"))


def metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(want) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + "$", text, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Parts:
    return capture(monkeypatch)


async def test_run_alerts_serves_health_and_metrics_and_stops_quickly(
    tmp_path: Path, outlets: FeedServer, capsys: pytest.CaptureFixture[str], built: Parts
) -> None:
    cfg = config(
        tmp_path,
        [
            {"name": "AP", "url": outlets.url("/ap/rss.xml")},
            {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")},
        ],
        http={"listen": "127.0.0.1:0"},
        notify={"delivery": {"followup_cooldown": 0}},
    )
    before = metrics.render().decode()
    task = asyncio.create_task(serve(cfg))
    printed: list[str] = []

    def followup_printed() -> bool:
        printed.append(capsys.readouterr().out)
        # The feeds are polled concurrently, so either outlet's report may open the event.
        return bool(re.search(r"Also reported by (Newsweek|AP)", "".join(printed)))

    await wait_for(followup_printed)
    service = built.services[-1]
    assert service.store is not None
    store = service.store

    async def both_polled() -> bool:
        states = await store.feeds.all()
        return all(s.last_success for s in states) and len(states) == 2

    await wait_for(both_polled)
    assert "".join(printed).count("=== ALERT [missile_launch] ===") == 1
    (health,) = built.health_urls
    await service.refresh_gauges()  # the heartbeat refreshes them every store.lease / 3
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{health}/healthz")).status_code == 200
        ready = await client.get(f"{health}/readyz")
        assert ready.status_code == 200, ready.text
        after = (await client.get(f"{health}/metrics")).text
    sent = {"destination": "console", "result": "sent"}
    assert (
        metric(after, "monitor_alerts_total", **sent)
        - metric(before, "monitor_alerts_total", **sent)
        == 2
    )  # the alert and its follow-up
    for name, labels in [
        ("monitor_polls_total", {"outcome": "200"}),
        ("monitor_publish_to_alert_seconds_count", {}),
        ("monitor_detections_total", {"event_type": "missile_launch"}),
    ]:
        assert metric(after, name, **labels) > metric(before, name, **labels), name
    assert metric(after, "monitor_outbox_depth") == 0
    assert metric(after, "monitor_scheduler_running") == 1

    started = asyncio.get_running_loop().time()
    service.stop()
    await asyncio.wait_for(task, timeout=10)
    assert asyncio.get_running_loop().time() - started < 10
    assert metrics.SCHEDULER_RUNNING._value.get() == 0


async def test_feed_down_and_recovery_reach_the_ops_destination(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FeedServer() as server:
        empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
        server.script(
            "/feed.xml",
            [Reply(status=500), Reply(status=500), Reply(status=503), Reply(body=empty)],
        )
        cfg = config(
            tmp_path,
            [{"name": "Flaky", "url": server.url("/feed.xml")}],
            notify={"destinations": {"ops": {"type": "console"}}, "ops": ["ops"]},
            polling={"interval": 1, "min_interval": 0.1, "failure_alert_after": 2},
        )
        service = Service(cfg)
        await service.build()
        feed = service.feeds()[0]
        outcomes = []
        for _ in range(4):
            # One poll after another, not on schedule: each whether or not it is due yet.
            result = await service.poll(feed, due_only=False)
            assert result is not None
            outcomes.append(result.outcome)
            await service.deliverer.deliver_due()
        await service.close()
    assert outcomes == ["http_5xx", "http_5xx", "http_5xx", "200"]
    out = capsys.readouterr().out
    assert out.count("Feed down: Flaky failed 2 polls in a row") == 1
    assert out.count("Feed recovered: Flaky") == 1
    assert out.index("Feed down") < out.index("Feed recovered")


async def test_reconfigure_adds_and_removes_feeds_and_refuses_a_bad_config(
    tmp_path: Path, outlets: FeedServer
) -> None:
    ap = {"name": "AP", "url": outlets.url("/ap/rss.xml")}
    nw = {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")}
    service = Service(config(tmp_path, [ap]))
    await service.build()
    task = asyncio.create_task(service.run())
    await wait_for(lambda: service.running)
    assert [f.name for f in service.feeds()] == ["AP"]

    await service.reconfigure(config(tmp_path, [nw]))
    scheduler = service._scheduler
    assert scheduler is not None
    assert {j.id for j in scheduler.get_jobs()} == {"Newsweek", "expire"}

    bad = config(
        tmp_path,
        [ap],
        notify={"destinations": {"s": {"type": "slack", "channel": "C1", "token_env": "UNSET_X"}}},
    )
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match="UNSET_X"):
        await service.reconfigure(bad)
    assert [f.name for f in service.feeds()] == ["Newsweek"]  # the running config kept
    await wait_for(lambda: bool(outlets.requests_to("/nw/rss.xml")))

    service.stop()
    await asyncio.wait_for(task, timeout=10)
    await service.close()


async def test_feeds_are_made_once_per_config_not_once_per_poll(
    tmp_path: Path, outlets: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every scheduled poll looks its feed up; with thousands of feeds, making the list anew
    each time costs more than the poll itself."""
    made: list[int] = []
    feed_objects = Config.feed_objects

    def counted(self: Config) -> list[object]:
        made.append(1)
        return feed_objects(self)  # type: ignore[return-value]

    monkeypatch.setattr(Config, "feed_objects", counted)
    feeds = [{"name": f"F{i}", "url": outlets.url(f"/ap/rss.xml?f={i}")} for i in range(20)]
    service = Service(config(tmp_path, feeds, polling={"interval": 0.2, "min_interval": 0.1}))
    await service.build()
    task = asyncio.create_task(service.run())
    await wait_for(
        lambda: sum(r.path.startswith("/ap/rss.xml") for r in outlets.requests) >= 60, timeout=30
    )
    service.stop()
    await asyncio.wait_for(task, timeout=10)
    await service.close()
    assert len(made) <= 2, f"{len(made)} feed lists made for 60 polls"


async def test_a_pages_detection_leaves_the_event_loop_turning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detection of a long page can take a tenth of a second or more: the service runs it in a
    thread, so the loop keeps answering (here: a ticker) meanwhile."""
    import itertools
    import threading
    import time

    from monitor import pipeline as pipeline_module
    from monitor.models import Article, Entry

    real = pipeline_module.analyse_all
    ran_in: list[int] = []

    def slow(rules, article):  # type: ignore[no-untyped-def]
        ran_in.append(threading.get_ident())
        time.sleep(0.4)  # as long as a long page's detection, holding whatever thread it is on
        return real(rules, article)

    monkeypatch.setattr(pipeline_module, "analyse_all", slow)
    service = Service(config(tmp_path, [{"name": "Wire", "url": "http://127.0.0.1:9/feed"}]))
    await service.build()
    try:
        feed = service.feeds()[0]
        entry = Entry("Wire", "tag:wire,1", "http://127.0.0.1:9/a/1", "Markets close", "", None)
        article = Article("Wire:tag:wire,1", "Wire", "Markets close", "Stocks rose.", None, None)
        ticks: list[float] = []

        async def ticker() -> None:
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        ticking = asyncio.create_task(ticker())
        await service.pipeline.settle(feed, entry, article)
        ticking.cancel()
    finally:
        await service.close()
    assert ran_in and ran_in[0] != threading.get_ident()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 10 and max(gaps) < 0.2, max(gaps)
