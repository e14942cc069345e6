"""The event loop stays free while a huge feed is polled: /healthz latency during the poll.

    .venv/bin/python bench/bench_poll.py [--items 20000] [--every 0.01] [--workers thread]

Serves a feed of --items items (all on 127.0.0.1) and, beside it, the two test outlets' small
feeds with the seed launch report. The service's pipeline polls the huge feed with the health
server listening; a separate process asks /healthz every --every seconds for the whole poll, as a
container health check would, and records each answer's latency. One second into the big poll
the small feed is polled too: how long it takes is how late its alert would be.

Prints the big poll's duration, the small poll's lateness, the /healthz latencies (p50, p99,
max) and the event loop's own lag (how late a 5 ms sleep wakes up: a loop-lag probe). Run it
before and after a change to the pipeline. `--workers thread` runs parse and extract in a thread
pool instead of the service's worker processes, to compare the two.

On 2 CPUs shared with other work, 20,000 items, ranges over several runs:

    parse in the loop (before)  poll 50-72 s, small feed 49 s late, /healthz p99 49.6 s
    thread pool                 small feed 1.0-1.6 s late, /healthz p50 7-9 ms, p99 65-145 ms
    worker processes (now)      small feed 0.5-1.6 s late, /healthz p50 1.1-1.4 ms, p99 18-35 ms

The remaining spikes (max 0.2-0.5 s) are the small feed's first detection and full garbage
collections in the service's process, not the parse.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import Config, load
from monitor.health import HealthServer
from monitor.models import Feed
from monitor.pipeline import PollResult
from monitor.service import Service
from monitor.workers import Workers
from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.news import publish

START = datetime(2024, 1, 1, tzinfo=UTC)


def big_feed(server: FeedServer, items: int) -> bytes:
    """A plausible feed with `items` distinct, dated, unremarkable items."""
    body = "".join(
        f"<item><title>Market update number {i}</title>"
        f"<link>{server.url(f'/big/{i}.html')}</link><guid>{server.url(f'/big/{i}.html')}</guid>"
        f"<pubDate>{format_datetime(START + timedelta(minutes=i))}</pubDate>"
        f"<description>Shares moved on day {i}, traders said.</description></item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>'
        f"{body}</channel></rss>"
    ).encode()


def config(tmp: Path, big: str, small: str) -> Config:
    doc = {
        "store": {"url": f"sqlite:///{tmp / 'bench.sqlite3'}"},
        "http": {"listen": "127.0.0.1:0"},
        "logging": {"level": "warning"},
        "network": loopback.NETWORK,  # the feeds are on loopback, and only there
        "feeds": [{"name": "big", "url": big}, {"name": "small", "url": small}],
    }
    return load(json.dumps(doc), str(tmp / "monitor.yaml"))


def probe(url: str, every: float) -> None:
    """The probe process: GET `url` every `every` s until stdin closes; print the latencies."""
    host, port = url.removeprefix("http://").split("/", 1)[0].split(":")
    latencies: list[float] = []
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print("ready", flush=True)
    while not stop.is_set():
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        conn.close()
        latencies.append(time.perf_counter() - started)
        stop.wait(every)
    print(json.dumps(latencies), flush=True)


async def measure(items: int, every: float, workers: str) -> None:
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        publish(server)
        server.set("/big.xml", body=big_feed(server, items))
        cfg = config(Path(tmp), server.url("/big.xml"), server.url("/ap/rss.xml"))
        service = Service(cfg)
        await service.build()
        if workers == "thread":
            await service.pipeline.workers.close()
            service.pipeline._workers = Workers(lambda: ThreadPoolExecutor(2))
        service.pipeline.workers.start()  # as `Service.run` does
        assert cfg.http.listen is not None
        health = HealthServer(cfg.http.listen)
        await health.start()
        big, small = service.feeds()
        prober = subprocess.Popen(
            [sys.executable, __file__, "--probe", f"{health.url}/healthz", "--every", str(every)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert prober.stdin is not None and prober.stdout is not None
        await asyncio.to_thread(prober.stdout.readline)  # "ready"

        async def small_poll() -> float:
            due = time.perf_counter() + 1.0
            await asyncio.sleep(1.0)
            await poll(service, small)
            return time.perf_counter() - due  # from when it was due, however late it started

        lags: list[float] = []

        async def loop_lag() -> None:
            while True:
                asleep = time.perf_counter()
                await asyncio.sleep(0.005)
                lags.append(time.perf_counter() - asleep - 0.005)

        lag_probe = asyncio.create_task(loop_lag())
        try:
            started = time.perf_counter()
            small_task = asyncio.create_task(small_poll())
            result = await poll(service, big)
            took = time.perf_counter() - started
            small_took = await small_task
        finally:
            lag_probe.cancel()
            prober.stdin.close()
            latencies = json.loads(await asyncio.to_thread(prober.stdout.readline) or "[]")
            prober.wait()
            await health.stop()
            await service.pipeline.workers.close()
            await service.close()
    ms = sorted(x * 1000 for x in latencies)
    lag = sorted(x * 1000 for x in lags)
    print(f"workers: {workers}")
    print(f"big feed: {items:,} items, poll {took:.1f} s, {result.new_entries} new entries")
    print(f"small feed polled 1 s in: {small_took:.2f} s")
    print(
        f"/healthz during the poll: {len(ms)} probes, p50 {statistics.median(ms):.1f} ms, "
        f"p99 {p99(ms):.1f} ms, max {ms[-1]:.1f} ms"
    )
    print(
        f"event-loop lag: p50 {statistics.median(lag):.1f} ms, p99 {p99(lag):.1f} ms, "
        f"max {lag[-1]:.1f} ms"
    )


async def poll(service: Service, feed: Feed) -> PollResult:
    """One poll of `feed` through the service's pipeline, with the feed's state as stored."""
    return await service.pipeline.poll(feed, await service.store_or_fail.feeds.get(feed.url))


def p99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--every", type=float, default=0.01, help="seconds between probes")
    parser.add_argument("--workers", choices=["process", "thread"], default="process")
    parser.add_argument("--probe", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, args.every)
        return 0
    asyncio.run(measure(args.items, args.every, args.workers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
