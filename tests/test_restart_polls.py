"""A service that starts alone polls every feed at once, whatever the schedule its last run
left; one that joins running replicas follows their schedule instead (tests/test_replicas.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from monitor.service import Service
from tests.running import wait_for
from tests.servers.http import FeedServer
from tests.test_service import config


async def _run_until_polled(service: Service, outlets: FeedServer, before: int) -> None:
    await service.build()
    task = asyncio.create_task(service.run())
    try:
        await wait_for(
            lambda: (
                len(outlets.requests_to("/ap/rss.xml")) > before
                and len(outlets.requests_to("/nw/rss.xml")) > before
            ),
            timeout=20,
        )
    finally:
        service.stop()
        await asyncio.wait_for(task, timeout=15)
        await service.close()


async def test_a_restart_polls_every_feed_at_once(tmp_path: Path, outlets: FeedServer) -> None:
    feeds = [
        {"name": "AP", "url": outlets.url("/ap/rss.xml")},
        {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")},
    ]
    slow = {"interval": 600, "min_interval": 300, "timeout": 5}
    await _run_until_polled(Service(config(tmp_path, feeds, polling=slow)), outlets, before=0)
    # The next polls are 10 minutes away by the store's schedule; a restart does not wait.
    await _run_until_polled(Service(config(tmp_path, feeds, polling=slow)), outlets, before=1)
