"""`monitor status`: feeds (last poll, outcome, next poll, error streak, items), recent alerts
and the outbox, read from the store the config names."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime

from monitor.cli.common import add_config_option, config_path
from monitor.config import Config, load_file
from monitor.store.feeds import FeedState
from monitor.store.replicas import Replica


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="show feeds, recent alerts and the outbox")
    p.add_argument("--alerts", type=int, default=10, help="how many recent alerts (default 10)")
    add_config_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = load_file(config_path(args))
    return asyncio.run(_show(cfg, args.alerts))


async def _show(cfg: Config, limit: int) -> int:
    from monitor.store.marker import open_existing  # never creates a store

    store = await open_existing(cfg)
    try:
        now = datetime.now(UTC)
        states = {s.url: s for s in await store.feeds.all()}
        print(f"STORE  {store.db.where}\n")  # which one: relative paths follow the config
        replicas = await store.replicas.alive(now, cfg.store.lease)
        names = {f.url: f.name for f in cfg.feeds}
        print("REPLICAS")
        for line in replica_lines(replicas, states.values(), names, now):
            print("  " + line)
        print("\nFEEDS")
        for feed in cfg.feeds:
            print("  " + feed_line(feed.name, states.get(feed.url), now, enabled=feed.enabled))
        configured = {f.url for f in cfg.feeds}
        for url in sorted(states.keys() - configured):
            print(f"  (removed) {url}")
        print("\nRECENT EVENTS")
        events = await store.events.recent(limit=limit)
        if not events:
            print("  none")
        for event in events:
            updated = _ago(datetime.fromtimestamp(event.updated_at, UTC), now)
            facts = " ".join(f"{k}={v}" for k, v in (("weapon", event.weapon),) if v)
            print(
                f"  {updated:>9}  {event.id}  {len(event.outlets)} outlet"
                f"{'' if len(event.outlets) == 1 else 's'} ({', '.join(event.outlets)}) {facts}"
            )
        counts = await store.outbox.counts()
        print("\nOUTBOX")
        print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        print("\nRECENT ALERTS")
        alerts = await store.outbox.recent(limit=limit)
        if not alerts:
            print("  none")
        for alert in alerts:
            when = _ago(alert.created_at, now) if alert.created_at else "?"
            error = f"  ({alert.last_error})" if alert.last_error else ""
            print(
                f"  {when:>9}  {alert.status:<7} {alert.destination:<12} {alert.kind:<8} "
                f"event {alert.event_id}  {alert.headline[:60]}{error}"
            )
    finally:
        await store.close()
    return 0


def replica_lines(
    replicas: list[Replica], states: Iterable[FeedState], names: dict[str, str], now: datetime
) -> list[str]:
    """One line per live replica with the feeds it polls now or polled last."""
    if not replicas:
        return ["none running"]
    held: dict[str, list[str]] = {}
    for state in states:
        if state.lease_holder is not None:
            held.setdefault(state.lease_holder, []).append(names.get(state.url, state.url))
    lines = []
    for r in replicas:
        feeds = sorted(held.get(r.id, []))
        shown = ", ".join(feeds[:8]) + (f" and {len(feeds) - 8} more" if len(feeds) > 8 else "")
        lines.append(
            f"{r.id}  {r.host} pid {r.pid}, up {_span((now - r.started_at).total_seconds())}, "
            f"seen {_ago(r.seen_at, now)}: {len(feeds)} feed{'' if len(feeds) == 1 else 's'}"
            + (f" ({shown})" if feeds else "")
        )
    return lines


def feed_line(name: str, state: FeedState | None, now: datetime, *, enabled: bool = True) -> str:
    """One line of the feeds table; public so tests can check what the user reads."""
    if not enabled:
        return f"{name}: disabled"
    if state is None or state.last_poll is None:
        return f"{name}: not polled yet"
    parts = [
        f"last poll {_ago(state.last_poll, now)} ({state.last_outcome})",
        f"next {_until(state.next_poll, now)}" if state.next_poll else "next: not scheduled",
        f"{state.item_count} items",
    ]
    if state.error_streak:
        parts.append(f"FAILING x{state.error_streak}: {state.last_error}")
    return f"{name}: " + ", ".join(parts)


def _ago(when: datetime, now: datetime) -> str:
    return _span((now - when).total_seconds()) + " ago"


def _until(when: datetime, now: datetime) -> str:
    seconds = (when - now).total_seconds()
    return "due now" if seconds <= 0 else "in " + _span(seconds)


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"
