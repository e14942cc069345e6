"""Apply config changes without a restart: on SIGHUP and when the file changes.

A new file is loaded with `monitor.config.load_file`; if it is invalid the full message is
logged and the running config stays in force (the file is not read again until it changes). A
valid one is handed to `apply(new_cfg)`, which the service provides; state lives in the store,
so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from monitor import metrics
from monitor.config import Config, load_file
from monitor.errors import ConfigError, MonitorError

log = logging.getLogger(__name__)

Apply = Callable[[Config], Awaitable[None] | None]


class ConfigWatcher:
    def __init__(
        self,
        path: str | Path,
        apply: Apply,
        *,
        interval: float = 2.0,
    ) -> None:
        self.path = Path(path)
        self._apply = apply
        self._interval = interval
        self._stat: tuple[int, int, int] | None = self._stat_now()
        self._digest: str | None = self._digest_now()  # what the running config was read from
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sighup = False
        self._lock = asyncio.Lock()

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Begin watching: a polling task on `loop`, and SIGHUP when in the main thread."""
        self._loop = loop or asyncio.get_running_loop()
        self._task = self._loop.create_task(self._watch(), name="config-watcher")
        try:
            self._loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
            self._sighup = True
        except (NotImplementedError, RuntimeError, ValueError):
            log.info("SIGHUP reload unavailable here; watching the file only")

    def stop(self) -> None:
        if self._sighup and self._loop is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_signal_handler(signal.SIGHUP)
            self._sighup = False
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _refuse(self, reason: str, exc: MonitorError, digest: str | None) -> bool:
        self._digest = digest  # do not retry the same broken text every poll
        self._count("invalid")
        log.error(
            "config %s refused (%s); still running the previous config:\n%s",
            self.path,
            reason,
            exc,
            extra={"stage": "reload"},
        )
        return False

    async def reload(self, reason: str = "requested") -> bool:
        """Load the file now and apply it if valid. True when a new config was applied."""
        async with self._lock:
            self._stat = self._stat_now()
            digest = self._digest_now()
            try:
                new = load_file(self.path)
            except ConfigError as exc:
                return self._refuse(reason, exc, digest)
            try:
                result = self._apply(new)
                if inspect.isawaitable(result):
                    await result
            except MonitorError as exc:  # a secret, rule file or setting the new config needs
                return self._refuse(reason, exc, digest)
            except Exception:
                self._count("failed")
                log.exception(
                    "config %s is valid but applying it failed",
                    self.path,
                    extra={"stage": "reload"},
                )
                return False
            self._digest = digest
            self._count("ok")
            log.info(
                "config %s reloaded (%s): %d feeds",
                self.path,
                reason,
                len(new.feeds),
                extra={"stage": "reload"},
            )
            return True

    def _on_sighup(self) -> None:
        if self._loop is not None:
            self._loop.create_task(self.reload("SIGHUP"))

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._check()
            except Exception:  # the watcher must outlive any one bad read
                log.exception("config watcher error", extra={"stage": "reload"})

    async def _check(self) -> None:
        stat = self._stat_now()
        if stat == self._stat or stat is None:
            return  # unchanged, or missing mid-replace: look again next time
        digest = self._digest_now()
        if digest == self._digest:
            self._stat = stat  # touched, same content
            return
        await self.reload("file changed")

    def _stat_now(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _digest_now(self) -> str | None:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return None

    def _count(self, result: str) -> None:
        metrics.CONFIG_RELOADS.labels(result=result).inc()
