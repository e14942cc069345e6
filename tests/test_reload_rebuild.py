"""A reload builds the pipeline, fetcher, deduplicator and deliverer anew from the new config
and swaps them in between polls: every setting applies at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.service import Service
from tests.servers.http import FeedServer
from tests.servers.news import rss
from tests.test_service import config


async def test_a_reload_applies_fetch_and_delivery_settings_to_the_next_poll(
    tmp_path: Path,
) -> None:
    with FeedServer() as server:
        server.set("/slow.xml", rss(server, "Slow", []), delay=1.5)
        feeds = [{"name": "Slow", "url": server.url("/slow.xml")}]
        service = Service(config(tmp_path, feeds))
        await service.build()
        try:
            (feed,) = service.feeds()
            first = await service.poll(feed, due_only=False)
            assert first is not None and first.outcome == "200"
            old = service.pipeline
            stricter = config(
                tmp_path,
                feeds,
                polling={"interval": 1, "min_interval": 0.2, "timeout": 0.5},
                notify={"delivery": {"max_attempts": 9}},
                events={"window_days": 2},
            )
            await service.reconfigure(stricter)
            (feed,) = service.feeds()
            second = await service.poll(feed, due_only=False)
            assert second is not None and second.outcome == "timeout", second
            assert service.pipeline is not old and service.pipeline.dedup is not old.dedup
            assert service.deliverer.cfg.max_attempts == 9
            assert service.deliverer.backoff.cfg.max_attempts == 9
        finally:
            await service.close()


async def test_settings_a_reload_cannot_apply_are_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feeds = [{"name": "A", "url": "https://news.example/a.xml"}]
    service = Service(config(tmp_path, feeds))
    await service.build()
    try:
        moved = config(tmp_path, feeds, http={"listen": "127.0.0.1:9999"})
        await service.reconfigure(moved)
        assert "http.listen changed; that takes a restart" in caplog.text
        assert service.config.http.listen == "127.0.0.1:9999"  # the rest is applied
    finally:
        await service.close()
