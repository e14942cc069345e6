"""`monitor demo`: sample feeds on 127.0.0.1 and the service running against them, so that
alerts arrive in the console within seconds with no network access and no credentials."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
from pathlib import Path

from monitor.config import Config, load
from monitor.demo import DemoServer
from monitor.logs import setup_logging
from monitor.service import Service


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run against bundled sample feeds on 127.0.0.1 (no network or credentials needed)",
    )
    p.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop after this many seconds (default: run until Ctrl-C)",
    )
    p.add_argument("--interval", type=float, default=2.0, help="seconds between polls (default 2)")
    p.set_defaults(func=main)


def demo_config(feeds: dict[str, str], store_path: Path, interval: float) -> Config:
    doc = {
        "store": {"url": f"sqlite:///{store_path}"},
        "polling": {"interval": interval, "min_interval": min(interval, 1.0), "timeout": 5},
        "http": {"listen": None},
        # The sample feeds are on this machine, which the service otherwise refuses to fetch.
        "network": {"allow": [f"{DemoServer.HOST}/32"]},
        # Show the whole lifecycle within seconds: follow-ups would otherwise wait a minute.
        "notify": {"delivery": {"followup_cooldown": 2}},
        "logging": {"level": "warning"},
        "feeds": [{"name": name, "url": url} for name, url in feeds.items()],
    }
    return load(json.dumps(doc), "<demo>")


def main(args: argparse.Namespace) -> int:
    server = DemoServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="monitor-demo-") as tmp:
            cfg = demo_config(server.feed_urls(), Path(tmp) / "demo.sqlite3", args.interval)
            setup_logging(cfg.logging.level, "text")
            _say(f"demo: serving {len(server.feed_urls())} sample feeds at {server.base_url}")
            later = max(s.delay for s in server.stories)
            _say(f"demo: a further report appears after {later:.0f} s; stop with Ctrl-C")
            asyncio.run(_run(Service(cfg), args.duration))
    finally:
        server.stop()
    return 0


async def _run(service: Service, duration: float | None) -> None:
    await service.build()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.stop)
    if duration is not None:
        loop.call_later(duration, service.stop)
    try:
        await service.run()
    finally:
        await service.close()


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
