"""`monitor run`: the service. Polls on schedule until SIGTERM or Ctrl-C; SIGHUP reloads."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from monitor.cli.common import add_config_option, config_path, load_config
from monitor.config import Config
from monitor.health import HealthServer
from monitor.reload import ConfigWatcher
from monitor.service import Service

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run the service: poll feeds on schedule and send alerts")
    add_config_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    asyncio.run(serve(cfg, config_file=str(config_path(args))))
    return 0


async def serve(cfg: Config, *, config_file: str | None = None) -> None:
    """Run until a stop signal; used by `run` and `demo`."""
    service = Service(cfg)
    service.build()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.stop)
    health = None
    if cfg.http.listen:
        assert service.store is not None
        store = service.store
        health = HealthServer(cfg.http.listen, ready=lambda: store.ping() and service.running)
        await health.start()
    watcher = None
    if config_file is not None:
        watcher = ConfigWatcher(config_file, apply=lambda new: _apply(service, new))
        watcher.start(loop)
    try:
        await service.run()
    finally:
        if watcher is not None:
            watcher.stop()
        if health is not None:
            await health.stop()
        await service.close()
        log.info("stopped", extra={"stage": "service"})


def _apply(service: Service, new: Config) -> None:
    service.reconfigure(new)
