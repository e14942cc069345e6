"""How long the console's pages and API take with many events stored (target: under 100 ms).

    .venv/bin/python bench/bench_console.py [--events 10000] [--requests 50] [--db URL]

Fills a store (SQLite in a temporary file by default, or --db, e.g. a PostgreSQL URL with an
empty schema) with --events events of two reports each and their alerts (a first alert and a
follow-up each, through the outbox), serves the console on 127.0.0.1 as `monitor run` does
(the health listener's aiohttp application), and times --requests GETs of each page and API
read over HTTP. Prints p50, p95 and the slowest per path.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import load
from monitor.health import HealthServer
from monitor.models import Alert, Event
from monitor.store import Store, open_store
from monitor.store.events import EventRow
from monitor.web.actions import Actions
from monitor.web.app import Console, install, templates
from monitor.web.auth import Credentials, Signer
from monitor.web.labels import LabelFile

START = datetime(2024, 1, 1, tzinfo=UTC)
ACTORS = ("north-korea", "iran", "russia", "ukraine", "israel", "india", "pakistan", "china")


def alert(event: EventRow, n: int, kind: str, outlet: str) -> Alert:
    return Alert(
        id=f"{event.id}/{kind}",
        event_id=event.id,
        destination="console",
        kind=kind,  # type: ignore[arg-type]
        article_id=f"{outlet}:{n}",
        headline=f"{event.actor} fires a ballistic missile, report {n}",
        outlet=outlet,
        url=f"https://news.example/{outlet}/{n}",
        summary="A missile was fired into the sea.",
        published=START,
        explanation=("rule actor-launch-missile: score 1.50", "actor: 'X' at 0"),
        event=Event(
            event.id,
            event.event_type,
            event.subtype,
            event.actor,
            event.event_date,
            event.weapon,
            event.first_article,
            event.outlets,
        ),
        created_at=START,
        language="en",
    )


async def fill(store: Store, count: int) -> str:
    """Store `count` events with two reports and two alerts each; returns one event's id."""
    base = int(START.timestamp())
    async with store.transaction():
        for n in range(count):
            actor = ACTORS[n % len(ACTORS)]
            day = date(2024, 1, 1) + timedelta(days=n // len(ACTORS))
            row = EventRow(
                id=f"missile_launch:{actor}:{day.isoformat()}#{n}",
                event_type="missile_launch",
                subtype="test",
                actor=actor,
                event_date=day,
                date_certain=True,
                weapon="ballistic missile",
                first_article=f"wire:{n}",
                created_at=base + n,
                updated_at=base + n,
                outlets=("Wire", "Weekly"),
            )
            await store.events.create(row)
            for outlet in row.outlets:
                await store.events.add_report(row.id, f"{outlet}:{n}", outlet, True, base + n)
            first = alert(row, n, "new", "Wire")
            await store.outbox.enqueue(first, START)
            await store.outbox.enqueue(
                replace(alert(row, n, "followup", "Weekly"), parent=first.id), START
            )
    return f"missile_launch:{ACTORS[0]}:2024-01-01#0"


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    url = args.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    store = await open_store(url)
    started = time.perf_counter()
    one = await fill(store, args.events)
    took = time.perf_counter() - started
    print(f"stored {args.events} events in {took:.1f} s ({url.split(':')[0]})")
    config = load(
        f"store:\n  url: {url}\nhttp:\n  listen: 127.0.0.1:0\n", str(folder / "monitor.yaml")
    )

    console = Console(
        Actions(
            lambda: store,
            lambda: config,
            lambda: datetime.now(UTC),
            None,
            lambda: None,
            lambda: None,
            LabelFile(folder / "labels.jsonl"),
        ),
        Credentials(),
        Signer(),
        templates(),
    )
    server = HealthServer("127.0.0.1:0", install=lambda app: install(app, console))
    await server.start()
    paths = [
        "/events",
        f"/events/{quote(one, safe='')}",
        "/feeds",
        "/alerts",
        "/api/v1/events",
        f"/api/v1/events/{quote(one, safe='')}",
        "/api/v1/alerts",
        "/events?offset=9000",
    ]
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            print(f"{'path':<58}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
            for path in paths:
                times = []
                for _ in range(args.requests):
                    t0 = time.perf_counter()
                    answer = await client.get(path)
                    times.append((time.perf_counter() - t0) * 1000)
                    answer.raise_for_status()
                times.sort()
                p95 = times[int(len(times) * 0.95) - 1]
                print(
                    f"{path[:57]:<58}{statistics.median(times):>8.1f}{p95:>8.1f}{times[-1]:>8.1f}"
                )
    finally:
        await server.stop()
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--db", help="store URL (default: SQLite in a temporary folder)")
    asyncio.run(main(parser.parse_args()))
