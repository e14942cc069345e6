"""`monitor once`: poll every feed once, deliver what that produced, exit.

The exit code is non-zero only when the run itself failed (bad config, store unreachable), not
when a feed did: a feed's failure is reported and retried on the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from monitor.cli.common import add_config_option, load_config
from monitor.pipeline import PollResult
from monitor.service import Service


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("once", help="poll every feed once, send the alerts, and exit")
    add_config_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    return asyncio.run(_once(Service(cfg)))


async def _once(service: Service) -> int:
    service.build()
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
    finally:
        if done:
            sys.stderr.write("\n")
        await service.close()
    failed = [r for r in results if r.error]
    new = sum(r.new_entries for r in results)
    events = sum(r.new_events for r in results)
    print(
        f"polled {len(results)} feeds: {new} new entries, {events} new events, "
        f"{len(failed)} feeds failed"
    )
    for r in failed:
        print(f"  {r.feed}: {r.error}")
    return 0
