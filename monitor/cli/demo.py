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
    p.add_argument(
        "--listen",
        default="127.0.0.1:0",
        metavar="HOST:PORT",
        help="where to serve the web console (default: a free port on 127.0.0.1, printed)",
    )
    p.set_defaults(func=main)


def demo_config(
    feeds: dict[str, str], store_path: Path, interval: float, listen: str | None = None
) -> Config:
    doc = {
        "store": {"url": f"sqlite:///{store_path}"},
        "polling": {"interval": interval, "min_interval": min(interval, 1.0), "timeout": 5},
        "http": {"listen": listen},
        "web": {"labels": str(store_path.parent / "labels.jsonl")},
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
            store = Path(tmp) / "demo.sqlite3"
            cfg = demo_config(server.feed_urls(), store, args.interval, args.listen)
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
    console = None
    try:
        if service.config.http.listen:
            from monitor.health import HealthServer
            from monitor.web.wiring import console_for

            console = HealthServer(
                service.config.http.listen, install=console_for(service, None, _no_reload)
            )
            await console.start()
            _say(f"demo: open the console at {console.url}/events (read-only)")
        await service.run()
    finally:
        if console is not None:
            await console.stop()
        await service.close()


def _no_reload() -> None:
    """The demo runs without a config file: the console cannot edit one."""


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
