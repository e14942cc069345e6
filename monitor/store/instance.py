"""One service per SQLite store: a second `monitor run` (or `once`) on the same file is refused.

SQLite serves one process well, and two pollers on one file would each alert every event. The
lock is an advisory lock on a file beside the store (`<store>.lock`, holding the owner's pid),
so it goes with the process however that ends. PostgreSQL stores take any number of replicas
and need no such lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from monitor.errors import StoreError
from monitor.store.db import sqlite_file


class InstanceLock:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None

    @classmethod
    def for_url(cls, url: str) -> InstanceLock:
        file = sqlite_file(url)
        return cls(None if file is None else file.with_name(file.name + ".lock"))

    def acquire(self) -> None:
        if self.path is None or self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(
                f"cannot create {self.path} ({exc.strerror}): the lock that keeps a second "
                "service off this store; make its folder writable"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_pid(fd)
            os.close(fd)
            store = self.path.with_name(self.path.name.removesuffix(".lock"))
            raise StoreError(
                f"store {store} is in use by another monitor service"
                + (f" (pid {owner})" if owner else "")
                + ": a SQLite store serves one service. Stop the other one, or give this one "
                "its own store.url; to run several replicas, use PostgreSQL "
                "(store.url: postgresql://...)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
