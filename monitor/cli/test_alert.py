"""`monitor test-alert [DESTINATION]`: send a test alert now, to one destination or all.

Like Alertmanager's `amtool alert add`: it checks a destination end to end, before the first
real launch. The alert is the seed event's (North Korea, ballistic missile, 5 January 2022),
marked "[TEST]" and saying it is a test; it bypasses the outbox, so nothing is recorded and no
real alert is held back or deduplicated by it (monitor.notify.sample_alert). One line per
destination: where it landed (for Slack the channel and the message's link) or why it did not.
Exit 0 when every send succeeded, 1 otherwise, 2 when the config is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from monitor.cli.common import add_config_option, load_config
from monitor.errors import ConfigError
from monitor.notify import Notifier, build_notifiers
from monitor.notify.sample_alert import Sent, send_test_alerts
from monitor.preflight import require_content

SEND_FAILED = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "test-alert",
        help="send a test alert (marked [TEST]) to one or every destination now",
        description="Send a clearly marked test alert, rendered from the seed event (North "
        "Korea's ballistic missile test of 2022-01-05), to one destination or to all of "
        "them, now. It bypasses the outbox: nothing is recorded. Prints where each one "
        "landed (for Slack the channel and a link to the message) or why it did not. Exits 0 "
        "when every send succeeded, 1 otherwise.",
    )
    add_config_option(p)
    p.add_argument(
        "destination",
        nargs="?",
        metavar="DESTINATION",
        help="a destination's name under notify.destinations (default: every destination)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    require_content(cfg)
    notifiers = build_notifiers(cfg.notify)
    names = [args.destination] if args.destination else sorted(notifiers)
    for name in names:
        if name not in notifiers:
            known = ", ".join(sorted(notifiers))
            raise ConfigError(
                f"{cfg.source}: no destination {name!r} under notify.destinations "
                f"(destinations: {known}); name one of them, or none to test them all"
            )
    results = asyncio.run(_send(notifiers, names))
    for result in results:
        print(result.line(), flush=True)
    return 0 if all(r.ok for r in results) else SEND_FAILED


async def _send(notifiers: Mapping[str, Notifier], names: Sequence[str]) -> list[Sent]:
    try:
        return await send_test_alerts(notifiers, names, datetime.now(UTC))
    finally:
        for notifier in notifiers.values():
            await notifier.aclose()
