"""What a store error means to the person running the service: its kind and what to do.

    kind         cause                                      what to do
    full         the disk (or PostgreSQL's) is full         free space: writes resume by themselves
    read_only    the file or its filesystem refuses writes  make it writable: writes resume
    io           the disk reported an I/O error             check the disk: writes resume
    locked       another process holds the database lock    stop the other writer
    corrupt      the file is damaged or not a database      move it aside, restore a backup
    unreachable  PostgreSQL cannot be reached               check the server and store.url
    deleted      the open store file was deleted            restore it from a backup, restart
    replaced     another file sits at the store's path      restart to use (or check) it
    error        anything else                              the message says what failed

`classify` reads the driver's own error code (SQLite's error name, PostgreSQL's SQLSTATE), not
the message text.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from monitor.errors import StoreError

CORRUPT_FIX = (
    "stop the service, move the damaged file aside with its -wal and -shm files (mv {where} "
    "{where}.damaged) and restore the latest backup to {where}; or, to start an empty store "
    "instead, move them aside and run with --new-store (every item in the feeds is then new, so "
    "reports already alerted may be alerted again)"
)


@dataclass(frozen=True, slots=True)
class Fault:
    """Why the store cannot keep what the service writes. `kind` is a metric label."""

    kind: str
    reason: str


def classify(exc: BaseException, where: str) -> Fault:
    """The fault behind a StoreError (or a driver error) for the store at `where`."""
    cause = _driver_error(exc)
    detail = str(cause).strip() or type(cause).__name__
    kind = _kind(cause)
    return Fault(kind, _REASONS[kind].format(where=where, detail=detail))


def with_fix(exc: StoreError, where: str) -> StoreError:
    """`exc`, or for a damaged store an error that says how to recover from it."""
    fault = classify(exc, where)
    if fault.kind == "corrupt":
        return StoreError(f"database {fault.reason}")
    return exc


def open_hint(exc: BaseException, where: str) -> str:
    """The message for a SQLite file that cannot be opened, naming the right fix."""
    fault = classify(exc, where)
    if fault.kind in ("corrupt", "full", "io", "locked"):
        return f"database {fault.reason}"
    return f"database {where}: {exc}; set store.url in the config to a writable path"


_REASONS = {
    "full": "{where}: the disk is full ({detail}); free space on its filesystem: writes resume "
    "by themselves",
    "read_only": "{where} refuses writes ({detail}); make the file, its folder and its "
    "filesystem writable for the service: writes resume by themselves",
    "io": "{where}: disk I/O error ({detail}); check the disk, its free space and the kernel "
    "log: writes resume when the disk works again",
    "locked": "{where} is locked by another process ({detail}); stop whatever else is writing "
    "to it",
    "corrupt": "{where} is damaged ({detail}): " + CORRUPT_FIX,
    "unreachable": "cannot reach the database {where} ({detail}); check that the server runs "
    "and that store.url is right",
    "error": "{where}: {detail}",
}

_SQLITE_KINDS = {
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "read_only",
    "SQLITE_PERM": "read_only",
    "SQLITE_IOERR": "io",
    "SQLITE_BUSY": "locked",
    "SQLITE_LOCKED": "locked",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_NOTADB": "corrupt",
    "SQLITE_CANTOPEN": "read_only",  # a missing folder or no permission
}
_SQLSTATE_KINDS = {"53100": "full", "25006": "read_only", "XX001": "corrupt", "XX002": "corrupt"}


def _driver_error(exc: BaseException) -> BaseException:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, sqlite3.Error) or type(seen).__module__.startswith("psycopg"):
            return seen
        seen = seen.__cause__
    return exc


def _kind(err: BaseException) -> str:
    if isinstance(err, sqlite3.Error):
        name = getattr(err, "sqlite_errorname", "") or ""
        for prefix, kind in _SQLITE_KINDS.items():
            if name == prefix or name.startswith(prefix + "_"):
                return kind
        return "error"
    if type(err).__module__.startswith("psycopg"):
        state = getattr(err, "sqlstate", None) or ""
        if state in _SQLSTATE_KINDS:
            return _SQLSTATE_KINDS[state]
        if not state or state.startswith(("08", "57P")):  # connection lost, server shut down
            return "unreachable"
    return "error"
