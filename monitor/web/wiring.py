"""Builds the console for a running service: what `monitor run` and `monitor demo` call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from monitor.health import Install
from monitor.service import Service
from monitor.web.actions import Actions
from monitor.web.app import Console, install, templates
from monitor.web.auth import Credentials, Signer
from monitor.web.labels import LabelFile

Reload = Callable[[], None]


def console_for(service: Service, config_file: str | None, reload: Reload) -> Install | None:
    """The console's installer for the health listener, or None when `web.enabled` is off.
    Reads the write credentials now, so a missing secret stops the start with its name."""
    web_cfg = service.config.web
    if not web_cfg.enabled:
        return None
    console = Console(
        actions=Actions(
            store=lambda: service.store_or_fail,
            config=lambda: service.config,
            now=service.now,
            config_file=Path(config_file) if config_file else None,
            reload=reload,
            wake=lambda: service.deliverer.wake(),
            labels=LabelFile(web_cfg.labels),
        ),
        credentials=Credentials.from_config(web_cfg),
        signer=Signer(),
        templates=templates(),
        public_url=web_cfg.public_url,
    )

    def add(app: web.Application) -> None:
        install(app, console)

    return add
