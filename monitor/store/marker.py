"""Refuse to start on a fresh, empty store when a store existed before.

A deleted store used to be created again, empty, at the next start: every item in the feeds was
then new and every report already alerted was alerted again. So the service records which store
a config uses in a marker file beside the config (`.monitor-store`, or `store.marker`):

    {"stores": {"sqlite:////data/monitor.sqlite3": {"id": "9f2c...", "created_at": "..."}}}

keyed by the store's location, each with the identity the store itself holds (`meta.py`). At
start, a store the marker knows must be there and be that store; otherwise the service refuses
with what to do, and `--new-store` accepts the new one. A config's first run (no marker, or a
store.url the marker does not know) just creates the store and records it.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from monitor.config import Config
from monitor.errors import StoreError
from monitor.store import Store, migrate
from monitor.store.db import connect, is_postgres, redact_url, sqlite_file
from monitor.store.faults import with_fix
from monitor.store.meta import StoreIdentity, read_identity

log = logging.getLogger(__name__)

MARKER_NAME = ".monitor-store"
_NEW_STORE = "`monitor run --new-store` (or `monitor once --new-store`)"


def marker_path(cfg: Config) -> Path | None:
    """Where the config's marker lives: store.marker, else beside the config file. None for a
    config that is not a file (the demo's)."""
    if cfg.store.marker:
        return Path(cfg.store.marker).expanduser()
    if cfg.source.startswith("<"):
        return None
    return Path(cfg.source).parent / MARKER_NAME


def store_key(url: str) -> str | None:
    """The store's location as the marker records it; None for an in-memory store."""
    if is_postgres(url):
        return redact_url(url)
    path = sqlite_file(url)
    return None if path is None else f"sqlite:///{path.resolve()}"


async def open_checked(
    cfg: Config, *, new_store: bool = False, now: datetime | None = None
) -> Store:
    """Open the config's store for the service; refuse one that replaced a known store."""
    url = cfg.store.url
    marker, key = marker_path(cfg), store_key(url)
    known = _read(marker).get(key) if marker is not None and key is not None else None
    where = _where(url)
    path = sqlite_file(url)
    if known is not None and not new_store and path is not None and not path.exists():
        raise StoreError(
            f"store {path} is missing, but {marker} records the store this config used there "
            f"({known.describe()}). Starting on an empty store would read every item in the "
            "feeds as new and alert again on reports already sent. Restore the file from a "
            f"backup; or, to start afresh on purpose, run {_NEW_STORE}."
        )
    left = _left_behind(cfg, path) if known is None and not new_store else None
    if left is not None:
        old, why = left
        if store_key(str(old)) in _read(marker):  # this config's store, by the marker's record
            raise StoreError(
                f"store {path} does not exist, but {old} does, and {marker} records it as this "
                f"config's store: {why}; or, to start afresh on purpose, run {_NEW_STORE}."
            )
        log.warning(
            "starting on a new store at %s, but %s exists: %s; alerts already sent would be sent "
            "again",
            path,
            old,
            why,
            extra={"stage": "store"},
        )
    store = await _open(url, None if new_store else known, str(marker), now)
    identity = store.identity
    new = identity is not None and (known is None or identity.id != known.id)
    if marker is not None and key is not None and identity is not None and new:
        if known is not None:
            log.warning(
                "started on a new store at %s (%s); the one %s recorded (%s) is no longer used",
                where,
                identity.describe(),
                marker,
                known.describe(),
                extra={"stage": "store"},
            )
        _record(marker, key, identity)
    return store


def _mismatch(where: str, marker: str, known: StoreIdentity, found: StoreIdentity | None) -> str:
    """The refusal for a store that is not the one the marker recorded."""
    what = "an empty store" if found is None else f"another store ({found.describe()})"
    return (
        f"store {where} is {what}, but {marker} records the store this config used there "
        f"({known.describe()}). It was deleted or replaced: restore the right one from a "
        f"backup; or, to use this store on purpose, run {_NEW_STORE}."
    )


async def open_existing(cfg: Config) -> Store:
    """Open the store for a command that reads or edits it (`monitor alerts`): never create
    one, and refuse one that is not the store the marker recorded."""
    url = cfg.store.url
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise StoreError(
            _left_behind_text(cfg, path)
            or f"store {path} does not exist: the service has not run with this config yet, or "
            "the store was removed (see store.url in the config)"
        )
    marker, key = marker_path(cfg), store_key(url)
    known = _read(marker).get(key) if marker is not None and key is not None else None
    return await _open(url, known, str(marker), None)


def _left_behind(cfg: Config, path: Path | None) -> tuple[Path, str] | None:
    """The store a relative store.url named when such paths followed the working folder
    (monitor.config_paths), when it is still there and the config's folder holds none yet:
    (where it is, why and what to do)."""
    old = sqlite_file(cfg.store.url_as_written)
    if path is None or path.exists() or old is None or old.is_absolute() or not old.exists():
        return None
    if old.resolve() == path.resolve():
        return None
    return old.resolve(), (
        f"store.url ({cfg.store.url_as_written}) is a relative path, which is relative to the "
        "config file's folder, not to the folder monitor runs in (as it once was). If that "
        f"store is this config's, move it to {path} (with its -wal and -shm files) or write its "
        "absolute path in store.url"
    )


def _left_behind_text(cfg: Config, path: Path) -> str | None:
    left = _left_behind(cfg, path)
    return None if left is None else f"store {path} does not exist, but {left[0]} does: {left[1]}"


async def _open(url: str, known: StoreIdentity | None, marker: str, now: datetime | None) -> Store:
    db = await connect(url)
    try:
        found = await read_identity(db)
    except StoreError as exc:
        await db.close()
        raise with_fix(exc, db.where) from exc.__cause__
    if known is not None and (found is None or found.id != known.id):
        await db.close()
        raise StoreError(_mismatch(_where(url), marker, known, found))
    return await migrate(db, now)


def _where(url: str) -> str:
    path = sqlite_file(url)
    return str(path) if path is not None else redact_url(url)


def _read(marker: Path | None) -> dict[str, StoreIdentity]:
    if marker is None:
        return {}
    try:
        doc = json.loads(marker.read_text(encoding="utf-8"))
        stores = doc["stores"]
        return {
            key: StoreIdentity(str(v["id"]), datetime.fromisoformat(v["created_at"]))
            for key, v in stores.items()
        }
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(
            f"{marker}: cannot read the store marker ({exc}); it records which store this "
            "config uses. Fix or delete the file (deleting it turns off the check once)"
        ) from None


def _record(marker: Path, key: str, identity: StoreIdentity) -> None:
    try:
        stores = {k: v for k, v in _read(marker).items() if k != key}
    except StoreError:
        stores = {}
    stores[key] = identity
    doc = {
        "about": "written by monitor: the store each store.url held when this config last ran; "
        "see docs/deploy.md",
        "stores": {
            k: {"id": v.id, "created_at": v.created_at.astimezone(UTC).isoformat()}
            for k, v in sorted(stores.items())
        },
    }
    tmp = marker.with_name(marker.name + ".tmp")
    try:
        tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, marker)
    except OSError as exc:
        log.warning(
            "cannot write the store marker %s (%s): a deleted store will not be noticed at the "
            "next start; make its folder writable or set store.marker to a writable path",
            marker,
            exc.strerror or exc,
            extra={"stage": "store"},
        )
