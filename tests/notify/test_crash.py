"""A delivery worker killed with SIGKILL at random points loses and doubles nothing.

Each run queues a few alerts (new ones and thread follow-ups), starts the worker as a separate
process against a SQLite file and the Slack-compatible server, and kills it after a random
moment; the server answers slowly so that many kills land between a send and its record.
A last run finishes the queue; every alert must then be on the server exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from monitor.store import open_store
from tests.notify.conftest import make_alert
from tests.servers.slack import SlackServer

RUNS = 20
WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _start(db: Path, slack: SlackServer) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(db), slack.url, slack.token],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_sigkill_at_random_points_loses_and_doubles_nothing(
    tmp_path: Path, slack: SlackServer
) -> None:
    rng = random.Random(int(os.environ.get("CRASH_SEED", "5")))
    db_path = tmp_path / "crash.sqlite3"
    store = await open_store(f"sqlite:///{db_path}")
    outbox = store.outbox
    slack.delay = 0.02
    expected: list[str] = []
    killed_busy = 0
    for run in range(RUNS):
        for i in range(4):
            first = make_alert(f"a{run:04d}{i:02d}{'0' * 18}n", event_id=f"ev-{run}-{i}")
            followup = make_alert(
                f"a{run:04d}{i:02d}{'0' * 18}f",
                event_id=f"ev-{run}-{i}",
                kind="followup",
                parent=first.id,
                headline="later report",
            )
            await outbox.enqueue(first, datetime.now(UTC))
            await outbox.enqueue(followup, datetime.now(UTC))
            expected += [first.id, followup.id]
        calls_before = len(slack.calls)
        proc = _start(db_path, slack)
        deadline = time.monotonic() + 20
        while len(slack.calls) == calls_before and time.monotonic() < deadline:
            time.sleep(0.005)  # wait until the worker is delivering: startup speed varies
        time.sleep(rng.uniform(0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == -signal.SIGKILL:
            killed_busy += 1
    proc = _start(db_path, slack)
    assert proc.wait(timeout=60) == 0
    counts = Counter(slack.alert_ids())
    assert {k: v for k, v in counts.items() if v != 1} == {}  # nothing doubled
    assert set(counts) == set(expected)  # nothing lost
    assert await outbox.counts() == {"pending": 0, "unknown": 0, "sent": len(expected), "failed": 0}
    assert killed_busy >= RUNS // 2  # most kills hit a working process, not an idle one
    lookups = slack.calls_to("conversations.history") + slack.calls_to("conversations.replies")
    assert lookups, "no kill left an alert in flight: the test did not test recovery"
    print(f"{len(lookups)} lookups after kills")
    await store.close()
