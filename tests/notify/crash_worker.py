"""The delivery worker as its own process, for the crash test: python crash_worker.py DB URL TOKEN.

Delivers everything in the outbox, then exits 0. The test kills it with SIGKILL at random.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from monitor.config import DeliveryConfig, SlackDestination
from monitor.notify.deliver import Deliverer
from monitor.notify.slack import SlackNotifier
from monitor.store import open_store


async def main(db_path: str, url: str, token: str) -> int:
    store = await open_store(f"sqlite:///{db_path}")
    outbox = store.outbox
    cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=url, timeout=5)
    notifier = SlackNotifier("slack", cfg, token, pace=0.001)
    worker = Deliverer(
        outbox, {"slack": notifier}, DeliveryConfig(backoff=0.01), lambda: datetime.now(UTC)
    )
    while True:
        await worker.deliver_due()
        counts = await outbox.counts()
        if counts["pending"] == 0 and counts["unknown"] == 0:
            await store.close()
            return 0
        await asyncio.sleep(0.01)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:4])))
