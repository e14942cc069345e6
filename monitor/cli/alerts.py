"""`monitor alerts list|retry|reroute|drop`: see the outbox and decide about undelivered alerts.

    list                      failed and undelivered alerts, and why each one waits
    retry ID...|--all         queue failed alerts again
    reroute ID...|--destination NAME --to NAME
                              send undelivered alerts to another destination instead
    drop ID...|--destination NAME
                              give undelivered alerts up (kept as "dropped")

These work beside a running service, or several replicas of it (the store takes them all);
they never create a store.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from monitor.cli.common import add_config_option, config_path
from monitor.config import Config, load_file
from monitor.notify.deliver import waiting_hint
from monitor.preflight import destinations
from monitor.store import Store
from monitor.store.interface import OutboxStore
from monitor.store.outbox import OutboxRow


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "alerts",
        help="list alerts in the outbox; re-send, reroute or drop undelivered ones",
        description="Alerts are never failed because the config changed: one whose destination "
        "is not in the config waits for it. These actions decide what becomes of them.",
    )
    add_config_option(parser)
    sub = parser.add_subparsers(dest="alerts_command", metavar="ACTION")
    sub.required = True
    ls = sub.add_parser("list", help="show failed and undelivered alerts, and why each one waits")
    ls.add_argument("--all", action="store_true", help="include sent and dropped alerts")
    ls.add_argument("--limit", type=int, default=50)
    add_config_option(ls, action=True)
    ls.set_defaults(func=_list)

    retry = sub.add_parser("retry", help="queue failed alerts again")
    retry.add_argument("ids", nargs="*", metavar="ID", help="alert ids from `monitor alerts list`")
    retry.add_argument("--all", action="store_true", help="every failed alert")
    add_config_option(retry, action=True)
    retry.set_defaults(func=_retry)

    reroute = sub.add_parser(
        "reroute",
        help="send undelivered alerts to another destination instead",
        description="Send pending, unknown or failed alerts to another destination of the "
        "config, from scratch. A first alert is dropped instead when that destination already "
        "has the event's first alert; a follow-up threads under it.",
    )
    _selection(reroute, "alert ids from `monitor alerts list`", "every undelivered alert to NAME")
    reroute.add_argument(
        "--to", required=True, metavar="NAME", help="a destination under notify.destinations"
    )
    add_config_option(reroute, action=True)
    reroute.set_defaults(func=_reroute)

    drop = sub.add_parser(
        "drop",
        help="give undelivered alerts up (they stay listed as dropped)",
        description="Give up pending, unknown or failed alerts; their waiting follow-ups go "
        "with them. They stay in the outbox as 'dropped' (see `monitor alerts list --all`).",
    )
    _selection(drop, "alert ids from `monitor alerts list`", "every undelivered alert to NAME")
    add_config_option(drop, action=True)
    drop.set_defaults(func=_drop)


def _selection(parser: argparse.ArgumentParser, ids_help: str, dest_help: str) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help=ids_help)
    parser.add_argument("--destination", metavar="NAME", help=dest_help)


async def _open(args: argparse.Namespace) -> tuple[Config, Store]:
    from monitor.store.marker import open_existing  # the store needs every repository module

    cfg = load_file(config_path(args))
    return cfg, await open_existing(cfg)


def _list(args: argparse.Namespace) -> int:
    return asyncio.run(_list_alerts(args))


async def _list_alerts(args: argparse.Namespace) -> int:
    cfg, store = await _open(args)
    configured = destinations(cfg)
    now = datetime.now(UTC)
    try:
        counts = await store.outbox.counts()
        statuses: tuple[str, ...] = ("failed", "pending", "unknown")
        if args.all:
            statuses = ("pending", "unknown", "sent", "failed", "dropped")
        alerts = await store.outbox.recent(statuses, args.limit)
        why: dict[str, str] = {}
        for a in alerts:
            row = await store.outbox.get(a.id) if a.status in ("pending", "unknown") else None
            if row is not None:
                why[a.id] = await _why_waiting(store.outbox, row, configured, now)
    finally:
        await store.close()
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    for a in alerts:
        when = a.created_at.strftime("%Y-%m-%d %H:%M") if a.created_at else "?"
        print(f"{a.id}  {a.status:<7}  {when}  {a.destination:<12}  {a.kind:<8}  {a.headline[:60]}")
        if a.id in why:
            print(f"    waiting: {why[a.id]}")
        if a.last_error:
            print(f"    {a.last_error}")
    return 0


async def _why_waiting(
    outbox: OutboxStore, row: OutboxRow, configured: set[str], now: datetime
) -> str:
    alert = row.alert
    if alert.destination not in configured:
        return (
            f"destination {alert.destination} not in the config; {waiting_hint(alert.destination)}"
        )
    if alert.status == "unknown":
        return "its last send was interrupted; the service looks it up at the destination first"
    if alert.parent:
        parent = await outbox.status(alert.parent)
        if parent in ("pending", "unknown"):
            return f"for its first alert {alert.parent} to go out"
    if row.next_at > now:
        at = row.next_at.strftime("%H:%M:%S UTC")
        return f"retrying at {at}" if alert.attempts else f"due at {at}"
    return "due now (sent when the service runs, after older alerts to the same destination)"


def _retry(args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        print("monitor alerts retry: give alert ids or --all", file=sys.stderr)
        return 2
    n = asyncio.run(_retry_failed(args))
    print(f"queued {n} failed alert{'s' if n != 1 else ''} again")
    if args.ids and n < len(set(args.ids)):
        print("some ids were not failed alerts; see `monitor alerts list`", file=sys.stderr)
        return 1
    return 0


async def _retry_failed(args: argparse.Namespace) -> int:
    _, store = await _open(args)
    try:
        return await store.outbox.retry_failed(None if args.all else args.ids, datetime.now(UTC))
    finally:
        await store.close()


def _reroute(args: argparse.Namespace) -> int:
    if _bad_selection(args, "reroute"):
        return 2
    return asyncio.run(_reroute_alerts(args))


async def _reroute_alerts(args: argparse.Namespace) -> int:
    from monitor.store.outbox_admin import reroute, select

    cfg, store = await _open(args)
    try:
        configured = destinations(cfg)
        if args.to not in configured:
            print(
                f"monitor alerts reroute: {args.to!r} is not a destination in {cfg.source} "
                f"(destinations: {', '.join(sorted(configured))})",
                file=sys.stderr,
            )
            return 2
        rows, refused = await select(store.outbox, args.ids, args.destination)
        out = await reroute(store.outbox, rows, args.to, configured, datetime.now(UTC))
    finally:
        await store.close()
    n = len(out.changed)
    print(f"rerouted {n} alert{'s' if n != 1 else ''} to {args.to}")
    for alert_id, why in out.also_dropped:
        print(f"  dropped {alert_id}: {why}")
    return _report_refused("reroute", [*refused, *out.refused], nothing=not rows and not refused)


def _drop(args: argparse.Namespace) -> int:
    if _bad_selection(args, "drop"):
        return 2
    return asyncio.run(_drop_alerts(args))


async def _drop_alerts(args: argparse.Namespace) -> int:
    from monitor.store.outbox_admin import drop, select

    cfg, store = await _open(args)
    try:
        rows, refused = await select(store.outbox, args.ids, args.destination)
        out = await drop(store.outbox, rows, destinations(cfg), datetime.now(UTC))
    finally:
        await store.close()
    n = len(out.changed)
    print(f"dropped {n} alert{'s' if n != 1 else ''}")
    for alert_id, why in out.also_dropped:
        print(f"  also dropped {alert_id}: {why}")
    return _report_refused("drop", [*refused, *out.refused], nothing=not rows and not refused)


def _bad_selection(args: argparse.Namespace, action: str) -> bool:
    if bool(args.ids) == bool(args.destination):
        print(
            f"monitor alerts {action}: give alert ids or --destination NAME (one of the two)",
            file=sys.stderr,
        )
        return True
    return False


def _report_refused(action: str, refused: list[tuple[str, str]], *, nothing: bool) -> int:
    for alert_id, why in refused:
        print(f"monitor alerts {action}: {alert_id}: {why}", file=sys.stderr)
    if nothing:
        print(
            f"monitor alerts {action}: no undelivered alerts to that destination", file=sys.stderr
        )
        return 1
    return 1 if refused else 0
