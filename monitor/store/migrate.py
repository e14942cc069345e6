"""Schema migrations: Alembic revisions in monitor/store/migrations, applied under a lock.

Every process that opens the store brings it to the latest revision first; several starting at
once take turns (a PostgreSQL advisory lock; SQLite's own write lock on the file, taken by
`BEGIN IMMEDIATE`), and the later ones find nothing left to do. `monitor db upgrade|current|
history` runs the same code by hand.

A store made by a version before Alembic lists its steps in `schema_migrations`: it is stamped
at the baseline revision when it has every step, and refused otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StoreError
from monitor.store.db import Database, lock_key

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATION_LOCK = "monitor:migrations"
BASELINE = "0001"
# The newest revision (tests check it is Alembic's head): a store already there is opened
# without loading Alembic, about 0.2 s of every start.
LATEST = "0004"
# How SQLite and PostgreSQL say a table is not there.
_MISSING_TABLE = re.compile(r"no such table|relation \S+ does not exist|UndefinedTable")
# What the store held when its steps were recorded by name (monitor before Alembic).
LEGACY_STEPS = {
    "feeds-1",
    "dedup-items-1",
    "dedup-items-2",
    "dedup-items-3",
    "dedup-items-4",
    "dedup-items-5",
    "dedup-item-keys-1",
    "dedup-item-keys-2",
    "dedup-items-6",
    "dedup-items-7",
    "dedup-items-8",
    "dedup-items-9",
    "dedup-events-1",
    "dedup-events-2",
    "dedup-events-3",
    "dedup-event-reports-1",
    "dedup-event-reports-2",
    "dedup-events-4",
    "dedup-parked-1",
    "dedup-parked-2",
    "outbox-1",
    "outbox-2",
    "outbox-3",
    "meta-1",
}


@dataclass(frozen=True, slots=True)
class Revision:
    id: str
    message: str
    current: bool
    applied: bool


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "monitor.store:migrations")
    return cfg


def head() -> str:
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None
    return found


async def upgrade(db: Database, target: str = "head") -> list[str]:
    """Bring the schema to `target`; returns the revisions applied (none when up to date)."""
    if target == "head" and await _at_latest(db):
        return []
    applied: list[str] = await _locked(db, lambda conn: _upgrade(conn, target))
    return applied


async def current(db: Database) -> str | None:
    """The store's revision, or None for an empty store."""
    revision: str | None = await _locked(db, _current, lock=False)
    return revision


async def history(db: Database) -> list[Revision]:
    """Every revision, oldest first, with whether the store has it."""
    from alembic.script import ScriptDirectory

    now = await current(db)
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(reversed(list(script.walk_revisions())))
    applied = now is not None
    out: list[Revision] = []
    for rev in revisions:
        out.append(Revision(rev.revision, rev.doc or "", rev.revision == now, applied))
        if rev.revision == now:
            applied = False
    return out


async def _locked(db: Database, fn: Callable[[Connection], Any], lock: bool = True) -> Any:
    try:
        async with db._serialised(), db.engine.connect() as conn:
            if lock and db.dialect == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_lock(:k)"), {"k": lock_key(MIGRATION_LOCK)}
                )
                await conn.commit()
            try:
                result = await conn.run_sync(fn)
                await conn.commit()
            finally:
                if lock and db.dialect == "postgresql":
                    await conn.rollback()
                    await conn.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(MIGRATION_LOCK)}
                    )
                    await conn.commit()
            return result
    except SQLAlchemyError as exc:
        raise StoreError(
            f"database {db.where}: cannot bring the schema up to date: "
            f"{str(getattr(exc, 'orig', None) or exc).strip()}"
        ) from exc


async def _at_latest(db: Database) -> bool:
    """Whether the store is at the newest revision, asked without Alembic."""
    try:
        rows = await db.execute("SELECT version_num FROM alembic_version")
    except StoreError as exc:
        # No such table: a new store, or one made before Alembic. Anything else (a locked or
        # unreadable file, a lost server) is the store's own error, said now.
        if not _MISSING_TABLE.search(str(exc)):
            raise
        return False
    return [r[0] for r in rows] == [LATEST]


def _current(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _upgrade(conn: Connection, target: str) -> list[str]:
    from alembic import command
    from alembic.script import ScriptDirectory

    before = _current(conn)
    if before is None:
        _adopt_legacy(conn)
        before = _current(conn)
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, target)
    after = _current(conn)
    if after == before:
        return []
    script = ScriptDirectory.from_config(cfg)
    applied = [r.revision for r in script.iterate_revisions(after, before)]
    return list(reversed(applied))


def _adopt_legacy(conn: Connection) -> None:
    """Stamp a store made before Alembic at the baseline, when it has every earlier step."""
    if not inspect(conn).has_table("schema_migrations"):
        return
    done = {row[0] for row in conn.execute(text("SELECT name FROM schema_migrations"))}
    missing = LEGACY_STEPS - done
    if missing:
        raise StoreError(
            f"the store lacks schema steps {', '.join(sorted(missing))} of an earlier version of "
            "monitor; start that version once to finish them, or use a new store"
        )
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.stamp(cfg, BASELINE)
