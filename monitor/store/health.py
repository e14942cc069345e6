"""Whether the store still keeps what the service writes: part of /readyz.

A disk that fills up, a filesystem remounted read-only, a data folder deleted under the running
service: the process keeps running, but what it records is lost. `StoreHealth` notices it two
ways:

- every write that fails is reported to it (`failed`), from the polls and the delivery worker;
- `check`, every `store.check_interval`, looks at the SQLite file (still there? still the file
  that was opened, by inode?) and makes one small real write (`meta.probe`).

The store is healthy again when a check's write succeeds and no other write failed since the
previous check, so a store that fails some writes does not flap. Each change is logged once
(one line, no traceback) and counted in `monitor_store_faults_total{kind}`; the gauge
`monitor_store_writable` and /readyz follow the current state. A deleted or replaced file does
not heal by itself: the reason says what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from monitor import metrics
from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.faults import Fault, classify
from monitor.store.meta import probe

log = logging.getLogger(__name__)
FileId = tuple[int, int]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StoreHealth:
    def __init__(
        self, store: Store, *, interval: float = 5.0, now: Callable[[], datetime] = _utcnow
    ) -> None:
        self.store = store
        self.interval = interval
        self.now = now
        self.file = store.file
        self.where = str(self.file) if self.file is not None else store.db.where
        try:
            self._opened: FileId | None = _file_id(self.file)
        except OSError:
            self._opened = None
        self.fault: Fault | None = None
        self._since: datetime | None = None
        self._failed_since_check = False
        metrics.STORE_WRITABLE.set(1)

    @property
    def reason(self) -> str:
        """Why the store is not healthy, for /readyz; empty when it is."""
        return self.fault.reason if self.fault is not None else ""

    def failed(self, exc: StoreError) -> None:
        """A write failed somewhere in the service (already handled there)."""
        self._failed_since_check = True
        self._set(classify(exc, self.where))

    async def check(self) -> Fault | None:
        """Look at the file and make one write; update and return the fault."""
        failed_meanwhile, self._failed_since_check = self._failed_since_check, False
        fault = self._file_fault()
        if fault is None:
            try:
                await probe(self.store.db, self.now())
            except StoreError as exc:
                fault = classify(exc, self.where)
        if fault is None and failed_meanwhile and self.fault is not None:
            return self.fault  # writes elsewhere still fail: keep the fault until a quiet check
        self._set(fault)
        return fault

    async def watch(self, stop: asyncio.Event) -> None:
        """Check every `interval` until `stop` is set."""
        while not stop.is_set():
            try:
                await self.check()
            except Exception:  # the watch must outlive any one surprise
                log.exception("store check failed", extra={"stage": "store"})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    def _file_fault(self) -> Fault | None:
        if self.file is None or self._opened is None:
            return None
        try:
            now_id = _file_id(self.file)
        except OSError:
            return None  # cannot look (a folder's permissions): the write probe decides
        if now_id is None:
            return Fault(
                "deleted",
                f"store file {self.file} was deleted while the service had it open: what it "
                "writes now is lost when it stops. Stop the service and restore the file from a "
                "backup (a restart refuses to start on an empty store; --new-store accepts one)",
            )
        if now_id != self._opened:
            return Fault(
                "replaced",
                f"store file {self.file} was replaced by another file while the service had "
                "it open: the service still writes to the old one. Restart the service to use "
                "the file now at that path",
            )
        return None

    def _set(self, fault: Fault | None) -> None:
        before = self.fault
        if fault is None:
            if before is not None:
                lasted = (self.now() - self._since).total_seconds() if self._since else 0.0
                log.warning(
                    "store %s takes writes again (after %.0f s: %s)",
                    self.where,
                    lasted,
                    before.kind,
                    extra={"stage": "store"},
                )
                metrics.STORE_WRITABLE.set(1)
            self.fault, self._since = None, None
            return
        if before is not None and before.kind == fault.kind:
            return  # the same fault again: said already
        self.fault, self._since = fault, self.now()
        metrics.STORE_FAULTS.labels(kind=fault.kind).inc()
        metrics.STORE_WRITABLE.set(0)
        log.error(
            "store cannot keep what the service writes: %s; /readyz answers 503 until it can",
            fault.reason,
            extra={"stage": "store"},
        )


def _file_id(path: Path | None) -> FileId | None:
    """(device, inode) of the file; None when there is no such file."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)
