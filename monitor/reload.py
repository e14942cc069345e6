"""Apply config changes without a restart: on SIGHUP and when the file changes.

A new file is loaded with `monitor.config.load_file`; if it is invalid, empty or without feeds
(`monitor.preflight`), the full message is logged and the running config stays in force (the
file is not read again until it changes). A valid one is handed to `apply(new_cfg)`, which the
service provides and which may refuse it too (a destination that still owes alerts); state
lives in the store, so nothing is lost.

A config file that disappears (deleted, or moved away) or cannot be read is logged once, when
that starts and when it ends; the running config stays. Every refusal is counted in
`monitor_config_refusals_total{reason}`, and `problem` says what is wrong for /readyz until the
file holds a config that runs (a good one, or the running one again).
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
from monitor.preflight import Refused, require_feeds

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
        self._stat: tuple[int, int, int, int] | None = self._stat_now()
        self._running: str | None = self._digest_now()  # what the running config was read from
        self._digest: str | None = self._running  # what the file held when last looked at
        self._refusal: str | None = None  # why the file's config was refused
        self._retry_on_save = False  # refused for the service's state: saving again retries
        self._gone: tuple[str, str] | None = None  # ("missing"|"unreadable", why) while it is
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

    @property
    def problem(self) -> str | None:
        """Why the config file is not the config that runs (for /readyz); None when it is."""
        return self._gone[1] if self._gone is not None else self._refusal

    def _refuse(self, reason: str, exc: MonitorError, digest: str | None, why: str) -> bool:
        self._digest = digest  # do not retry the same broken text every poll
        self._count("invalid")
        metrics.CONFIG_REFUSALS.labels(reason=exc.reason if isinstance(exc, Refused) else why).inc()
        self._refusal = f"{self.path} refused, still running the previous config: {exc}"
        self._retry_on_save = why == "not_applicable"
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
                require_feeds(new)
            except ConfigError as exc:
                return self._refuse(reason, exc, digest, "invalid")
            try:
                result = self._apply(new)
                if inspect.isawaitable(result):
                    await result
            except MonitorError as exc:  # a secret, rule file or setting the new config needs
                return self._refuse(reason, exc, digest, "not_applicable")
            except Exception:
                self._count("failed")
                log.exception(
                    "config %s is valid but applying it failed",
                    self.path,
                    extra={"stage": "reload"},
                )
                return False
            self._digest = self._running = digest
            self._refusal = None
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
        if stat is None:
            self._lost("missing", "is gone (deleted or moved away)")
            return  # look again next time; a replace in progress shows the new file then
        if stat == self._stat:
            return
        try:
            digest: str | None = _digest(self.path)
        except OSError as exc:
            self._stat = stat  # read again only after another change (chmod changes ctime)
            self._lost("unreadable", f"cannot be read ({exc.strerror or exc})")
            return
        self._found()
        if digest == self._digest and not (self._refusal and self._retry_on_save):
            self._stat = stat  # touched, same content
            return
        if digest == self._running:  # back to what runs: nothing to apply, nothing wrong
            self._stat, self._digest, self._refusal = stat, digest, None
            log.info(
                "config %s holds the running config again",
                self.path,
                extra={"stage": "reload"},
            )
            return
        await self.reload("file changed")

    def _lost(self, state: str, what: str) -> None:
        """The file is missing or unreadable: say so once, keep the running config."""
        if self._gone is not None and self._gone[0] == state:
            return
        self._gone = (state, f"config file {self.path} {what}; still running the previous config")
        metrics.CONFIG_REFUSALS.labels(reason=state).inc()
        log.error(
            "config file %s %s; still running the previous config. Put the file back (or fix "
            "its permissions) to change the config",
            self.path,
            what,
            extra={"stage": "reload"},
        )

    def _found(self) -> None:
        if self._gone is None:
            return
        log.warning(
            "config file %s can be read again (it was %s)",
            self.path,
            self._gone[0],
            extra={"stage": "reload"},
        )
        self._gone = None

    def _stat_now(self) -> tuple[int, int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def _digest_now(self) -> str | None:
        try:
            return _digest(self.path)
        except OSError:
            return None

    def _count(self, result: str) -> None:
        metrics.CONFIG_RELOADS.labels(result=result).inc()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
