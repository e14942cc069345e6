"""Three `monitor run` replicas on one PostgreSQL, polling a farm of 300 feeds.

Launch reports (24 launches by three actors, each reported by several outlets in four
languages) appear in the feeds in three waves while the replicas run; one replica is killed
with SIGKILL after the first wave and another starts late. Every launch must reach Slack once,
every alert exactly once, every feed must keep being polled, and no replica may log a
traceback.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import pg
from tests.farm.replicas import FEEDS, Farm, Replica, reports, write_config
from tests.servers.slack import SlackServer

pytestmark = pytest.mark.postgres

INTERVAL = 10.0  # seconds between polls of one feed
LEASE = 3.0  # store.lease: how long a dead replica holds its feeds
WAVE_GAP = 12.0  # seconds between waves of reports
# Scheduling lateness allowed on a shared 2-core machine running 3 replicas, PostgreSQL and the
# farm (17.2 s gaps were seen against 17 s allowed at 4 s). Kept under one interval: a feed
# that missed a whole poll (a gap of 2 x INTERVAL) still fails.
SLACK = 6.0
assert INTERVAL + LEASE + SLACK < 2 * INTERVAL


@pytest.fixture
def pg_url() -> Iterator[str]:
    reason = pg.unreachable()
    if reason:
        pytest.skip(reason)
    with pg.fresh_schema() as url:
        yield url


def _wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def test_three_replicas_alert_every_launch_exactly_once(tmp_path: Path, pg_url: str) -> None:
    articles, truth = reports()
    launches = set(truth.values())
    farm = Farm(articles)
    with SlackServer() as slack:
        config = write_config(tmp_path, farm, slack, pg_url, interval=INTERVAL, lease=LEASE)
        env = {"TEST_SLACK_TOKEN": slack.token}
        a = Replica("a", config, env, tmp_path)
        b = Replica("b", config, env, tmp_path)
        replicas = [a, b]
        try:
            assert _wait_until(lambda: farm.polled() == FEEDS, timeout=60), "first polls"
            steady = time.time()  # every feed polled once: the start-up rush is over
            farm.reveal(0)
            time.sleep(WAVE_GAP)
            a.kill()  # mid-run: its leases and claims must move to the others
            farm.reveal(1)
            time.sleep(WAVE_GAP / 2)
            c = Replica("c", config, env, tmp_path)  # starts late
            replicas.append(c)
            time.sleep(WAVE_GAP / 2)
            farm.reveal(2)
            revealed_at = time.time()
            _wait_until(lambda: len(slack.messages()) >= len(launches), timeout=60)
            # Let late follow-ups and stray duplicates show, and every feed's next poll come:
            # as long as the longest gap the polling check below allows.
            time.sleep(INTERVAL + LEASE + SLACK)
            polled_until = time.time()
            # `monitor status` sees the two live replicas (never the killed one) and their
            # feeds. A replica counts as live while its last heartbeat is under a lease old;
            # on a loaded machine one may be late for a moment, so status is asked again.
            pids = {b.proc.pid, c.proc.pid}
            for _ in range(5):
                status = subprocess.run(
                    [sys.executable, "-m", "monitor", "status", "-c", str(config)],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                assert status.returncode == 0, status.stderr
                section = status.stdout.split("REPLICAS\n", 1)[1].split("\n\n", 1)[0]
                live = [line for line in section.splitlines() if " pid " in line]
                seen = {int(line.split(" pid ")[1].split(",")[0]) for line in live}
                assert a.proc.pid not in seen, section
                if seen == pids:
                    break
                time.sleep(1)
        finally:
            codes = {r.name: r.stop() for r in replicas}
            farm.close()

        assert seen == pids, section
        assert all(" feeds" in line or " feed " in line for line in live), section

        logs = {r.name: r.text() for r in replicas}
        for name, text in logs.items():
            assert "Traceback" not in text, f"replica {name} logged a traceback:\n{text[-3000:]}"
        assert codes["b"] == 0 and codes["c"] == 0, codes

        # Every alert id reached Slack once, top-level messages and thread replies alike.
        sent = Counter(slack.alert_ids())
        doubled = {k: n for k, n in sent.items() if n > 1}
        assert not doubled, f"alerts sent more than once: {doubled}"
        top = slack.messages()
        assert len(top) == len(launches), (
            f"{len(top)} new-event alerts for {len(launches)} launches:\n"
            + "\n".join(m.get("text", "")[:100] for m in top)
        )

    # Every feed kept being polled, through the kill and the late start: from the end of the
    # start-up rush on, no gap longer than its interval plus the lease (plus scheduling slack on
    # a shared machine), polled after the last wave, and never by two replicas at once.
    for i in range(FEEDS):
        times = farm.requests_to(i)
        since = [steady, *(t for t in times if t > steady)]
        gaps = [later - earlier for earlier, later in itertools.pairwise(since)]
        assert max(gaps, default=0) <= INTERVAL + LEASE + SLACK, (i, max(gaps), times)
        assert any(revealed_at <= t <= polled_until for t in times), (i, times)
        twice = [b - a for a, b in itertools.pairwise(times) if b - a < 0.5]
        assert not twice, f"feed {i} polled twice at once: {twice}"
