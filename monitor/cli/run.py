"""`monitor run`: the service. Polls on schedule until SIGTERM or Ctrl-C; SIGHUP reloads.

Each time every enabled feed has been polled it logs one line on what that pass did (feeds
polled and failed, new items, detections, events opened, alerts sent, pending and failed;
monitor.summary), at warning level when an alert failed for good."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import TYPE_CHECKING

from monitor.cli.common import add_config_option, config_path, load_config
from monitor.config import Config
from monitor.preflight import require_content
from monitor.reload import ConfigWatcher
from monitor.service import Service
from monitor.summary import PassTracker

if TYPE_CHECKING:
    from monitor.health import Check
    from monitor.web.wiring import Reload

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run the service: poll feeds on schedule and send alerts")
    add_config_option(p)
    add_new_store_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    require_content(cfg)
    if not cfg.feeds:
        log.warning(
            "%s has no feeds: watching nothing until some are added (the file is reloaded when "
            "it changes)",
            cfg.source,
            extra={"stage": "service"},
        )
    asyncio.run(serve(cfg, config_file=str(config_path(args)), new_store=args.new_store))
    return 0


async def serve(cfg: Config, *, config_file: str | None = None, new_store: bool = False) -> None:
    """Run until a stop signal; used by `run` and `demo`."""
    service = Service(cfg)
    service.new_store = new_store
    await service.build()
    tracker = PassTracker(
        feeds=lambda: [f.name for f in service.feeds()],
        delivered=service.deliverer.tally.take,
        pending=lambda: outbox_pending(service),
    )
    service.on_poll = tracker.record
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.stop)
    watcher = health = None
    try:
        if config_file is not None:
            watcher = ConfigWatcher(config_file, apply=lambda new: _apply(service, new))
            watcher.start(loop)
        if cfg.http.listen:
            # The listener and the console (aiohttp, Jinja2) load only where they serve.
            from monitor.health import HealthServer
            from monitor.web.wiring import console_for

            console = console_for(service, config_file, reloader(service, watcher))
            health = HealthServer(
                cfg.http.listen, checks=readiness(service, watcher), install=console
            )
            await health.start()
        await service.run()
    finally:
        if watcher is not None:
            watcher.stop()
        if health is not None:
            await health.stop()
        await service.close()
        log.info("stopped", extra={"stage": "service"})


def outbox_pending(service: Service) -> int | None:
    """Alerts the outbox still owes (pending or in flight) at the service's last look; None
    when the store could not say."""
    return service.outbox_owed


def readiness(service: Service, watcher: ConfigWatcher | None) -> dict[str, Check]:
    """/readyz: the store takes writes, the scheduler runs, the config file is what runs."""
    from monitor.health import Verdict

    store = service.store_health
    checks: dict[str, Check] = {
        "store": lambda: Verdict.unless(store.reason or None),
        "scheduler": lambda: Verdict.unless(None if service.running else "not running"),
    }
    if watcher is not None:
        config = watcher
        checks["config"] = lambda: Verdict.unless(config.problem)
    return checks


def reloader(service: Service, watcher: ConfigWatcher | None) -> Reload:
    """How the console applies the config file it edited: the watcher's reload, started
    beside the request (it logs and reports a refusal as it does for any change to the file);
    nothing without a watcher, where the console cannot edit the file."""
    pending: set[asyncio.Task[bool]] = set()

    def reload() -> None:
        if watcher is None:
            return
        task = asyncio.get_running_loop().create_task(watcher.reload("web console"))
        pending.add(task)
        task.add_done_callback(pending.discard)

    return reload


async def _apply(service: Service, new: Config) -> None:
    await service.reconfigure(new)


def add_new_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--new-store",
        action="store_true",
        help="accept an empty or different store at store.url where this config's store marker "
        "(.monitor-store beside the config) records an earlier one; without it the command "
        "refuses, so that a deleted store is not silently replaced by an empty one (which would "
        "alert again on reports already sent). Nothing is deleted",
    )
