"""`monitor status`: feeds (last poll, outcome, next poll, error streak, items), recent alerts
and the outbox, read from the store the config names."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from monitor.cli.common import add_config_option, config_path
from monitor.config import load_file
from monitor.store.feeds import FeedState


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="show feeds, recent alerts and the outbox")
    p.add_argument("--alerts", type=int, default=10, help="how many recent alerts (default 10)")
    add_config_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from monitor.store.marker import open_existing  # never creates a store

    cfg = load_file(config_path(args))
    store = open_existing(cfg)
    try:
        now = datetime.now(UTC)
        states = {s.url: s for s in store.feeds.all()}
        print(f"STORE  {store.db.where}\n")  # which one: relative paths follow the config
        print("FEEDS")
        for feed in cfg.feeds:
            print("  " + feed_line(feed.name, states.get(feed.url), now, enabled=feed.enabled))
        configured = {f.url for f in cfg.feeds}
        for url in sorted(states.keys() - configured):
            print(f"  (removed) {url}")
        print("\nRECENT EVENTS")
        events = store.events.recent(limit=args.alerts)
        if not events:
            print("  none")
        for event in events:
            updated = _ago(datetime.fromtimestamp(event.updated_at, UTC), now)
            facts = " ".join(f"{k}={v}" for k, v in (("weapon", event.weapon),) if v)
            print(
                f"  {updated:>9}  {event.id}  {len(event.outlets)} outlet"
                f"{'' if len(event.outlets) == 1 else 's'} ({', '.join(event.outlets)}) {facts}"
            )
        counts = store.outbox.counts()
        print("\nOUTBOX")
        print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        print("\nRECENT ALERTS")
        alerts = store.outbox.recent(limit=args.alerts)
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
        store.close()
    return 0


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
