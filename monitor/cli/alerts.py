"""`monitor alerts list|retry`: see failed or queued alerts and send failed ones again."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from monitor.cli.common import add_config_option, config_path
from monitor.config import load_file


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("alerts", help="list alerts in the outbox, re-send failed ones")
    add_config_option(parser)
    sub = parser.add_subparsers(dest="alerts_command", metavar="ACTION")
    sub.required = True
    ls = sub.add_parser("list", help="show alerts (failed, pending and in flight by default)")
    ls.add_argument("--all", action="store_true", help="include sent alerts")
    ls.add_argument("--limit", type=int, default=50)
    add_config_option(ls, action=True)
    ls.set_defaults(func=_list)
    retry = sub.add_parser("retry", help="queue failed alerts again")
    retry.add_argument("ids", nargs="*", metavar="ID", help="alert ids from `monitor alerts list`")
    retry.add_argument("--all", action="store_true", help="every failed alert")
    add_config_option(retry, action=True)
    retry.set_defaults(func=_retry)


def _outbox(args: argparse.Namespace) -> Any:
    from monitor.store import open_store  # the store needs every repository module

    cfg = load_file(config_path(args))
    return open_store(cfg.store.url)


def _list(args: argparse.Namespace) -> int:
    store = _outbox(args)
    try:
        statuses = None if args.all else ("failed", "pending", "unknown")
        alerts = store.outbox.recent(statuses, args.limit)
        counts = store.outbox.counts()
    finally:
        store.close()
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    for a in alerts:
        when = a.created_at.strftime("%Y-%m-%d %H:%M") if a.created_at else "?"
        print(f"{a.id}  {a.status:<7}  {when}  {a.destination:<12}  {a.kind:<8}  {a.headline[:60]}")
        if a.last_error:
            print(f"    {a.last_error}")
    return 0


def _retry(args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        print("monitor alerts retry: give alert ids or --all", file=sys.stderr)
        return 2
    store = _outbox(args)
    try:
        n = store.outbox.retry_failed(None if args.all else args.ids, datetime.now(UTC))
    finally:
        store.close()
    print(f"queued {n} failed alert{'s' if n != 1 else ''} again")
    if args.ids and n < len(args.ids):
        print("some ids were not failed alerts; see `monitor alerts list`", file=sys.stderr)
        return 1
    return 0
