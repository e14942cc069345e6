"""`monitor once`: poll every feed once, deliver what that produced, print one line, exit.

    pass: 2 feeds polled (0 failed), 14 new items, 2 detections, 1 event opened;
          alerts: 3 sent, 0 pending, 0 failed                          (one line)

Then a line for each feed that failed, each alert waiting for a retry and each alert that
failed, saying why. Exit codes:

    0  the pass ran; a feed's failure is retried on the next run, and an alert waiting for a
       retry (an outage, a rate limit) is pending, not failed
    1  an alert failed for good during the pass: its destination refused it (bad token,
       unknown channel, refused address...). `monitor alerts list` keeps it and the reason;
       fix what the reason names, then `monitor alerts retry ID` sends it again
    2  the run itself could not happen (bad config, store unreachable)
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from monitor.cli.common import add_config_option, load_config
from monitor.cli.run import add_new_store_option, outbox_pending
from monitor.notify.render import one_line
from monitor.pipeline import PollResult
from monitor.preflight import require_content
from monitor.service import Service
from monitor.summary import summarize

ALERT_FAILED = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "once",
        help="poll every feed once, send the alerts, and exit",
        description="Poll every enabled feed once, deliver the alerts that produced, print a "
        "one-line summary and exit: 0 when the pass ran, 1 when an alert failed for good "
        "(the destination refused it; the reason is printed), 2 when the run could not happen.",
    )
    add_config_option(p)
    add_new_store_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    require_content(cfg)
    return asyncio.run(_once(Service(cfg, new_store=args.new_store)))


async def _once(service: Service) -> int:
    await service.build()
    total = len(service.feeds())
    done: list[PollResult] = []

    def progress(result: PollResult) -> None:
        done.append(result)
        sys.stderr.write(
            f"\rpolled {len(done)}/{total} feeds ({result.feed}: {result.outcome})\x1b[K"
        )
        sys.stderr.flush()

    try:
        results = await service.once(progress if sys.stderr.isatty() else None)
        delivered = service.deliverer.tally.take()
        pending = outbox_pending(service)
    finally:
        if done:
            sys.stderr.write("\n")
        await service.close()
    print(f"pass: {summarize(results, delivered, pending).line()}")
    for r in results:
        if r.error:
            print(f"  feed {r.feed} failed: {r.error}")
    for u in delivered.retrying.values():
        print(f"  alert {u.alert_id} to {u.destination} waits for a retry: {u.reason}")
    if not delivered.failed:
        return 0
    for u in delivered.failed.values():
        print(
            f"monitor: alert {u.alert_id} ({one_line(u.headline)[:80]}) to {u.destination} "
            f"failed: {u.reason}",
            file=sys.stderr,
        )
    print(
        "monitor: fix what the reason names, then `monitor alerts retry ID` (or --all) sends "
        "the failed alerts again; `monitor alerts list` shows them",
        file=sys.stderr,
    )
    return ALERT_FAILED
