"""The database under the store: SQLAlchemy Core's asyncio engine on SQLite (aiosqlite, the
default) or PostgreSQL (psycopg 3), and the transactions every repository runs in.

Repositories write portable SQL with `:name` parameters (a list or tuple value expands for
`IN :name`); SQLAlchemy speaks each backend's dialect, and the schema is Alembic's
(monitor.store.migrations). No statement blocks the event loop: aiosqlite runs SQLite in its own
thread, psycopg talks to PostgreSQL asynchronously.

A transaction belongs to the task that opened it (a context variable holds its connection), so
coroutines never see each other's uncommitted writes, and awaiting inside one is safe. Nested
`transaction()` blocks join the outer one; a statement outside any commits on its own.

SQLite serves one process: its transactions run one at a time (`Turns`, a lock, and `BEGIN
IMMEDIATE` against any other process such as a CLI command). Work an alert waits on runs under
`urgent()` and takes the next turn ahead of routine work (feed bookkeeping, items the screen
turned away): with a thousand feeds polled a minute, that queue is seconds long. PostgreSQL
runs them side by side, and `lock(key)` serialises one kind of decision across every replica
(an advisory lock held to the end of the transaction).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, StaticPool
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.util import await_only

from monitor.errors import StoreError
from monitor.store.faults import open_hint

__all__ = ["Database", "Row", "connect", "redact_url", "sqlite_file", "urgent"]

Params = Mapping[str, Any]
Row = Sequence[Any]  # a result row: its columns by position
BUSY_TIMEOUT_MS = 30_000  # how long SQLite waits for another process's write to end
_URGENT: ContextVar[bool] = ContextVar("store-urgent", default=False)


@contextmanager
def urgent() -> Iterator[None]:
    """Statements of the current task (and of tasks it starts) take SQLite's next turn ahead
    of routine work: for what an alert waits on."""
    token = _URGENT.set(True)
    try:
        yield
    finally:
        _URGENT.reset(token)


class Turns:
    """A lock whose waiters go in two lanes, urgent and routine, each in arrival order. Urgent
    waiters go first, but never more than `URGENT_IN_A_ROW` of them while routine work waits,
    so that feed bookkeeping and the heartbeat's leases are never starved. The lock passes
    straight to the next waiter on release, so none can slip in between."""

    URGENT_IN_A_ROW = 8

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._routine: deque[asyncio.Future[None]] = deque()
        self._in_a_row = 0  # urgent turns given since routine work last had one

    async def acquire(self, urgent: bool = False) -> None:
        if not self._held:  # when free, nobody waits
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._routine).append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # the turn came as the waiter was cancelled: pass it on
            raise

    def release(self) -> None:
        urgent, routine = self._urgent, self._routine
        while urgent and urgent[0].done():  # cancelled while waiting
            urgent.popleft()
        while routine and routine[0].done():
            routine.popleft()
        if routine and (not urgent or self._in_a_row >= self.URGENT_IN_A_ROW):
            turn = routine.popleft()
            self._in_a_row = 0
        elif urgent:
            turn = urgent.popleft()
            self._in_a_row += 1
        else:
            self._held = False
            return
        turn.set_result(None)  # still held: handed over

    @asynccontextmanager
    async def turn(self, urgent: bool = False) -> AsyncIterator[None]:
        await self.acquire(urgent)
        try:
            yield
        finally:
            self.release()


class Database:
    """An engine, the transaction of the current task, and the backend's name."""

    def __init__(self, engine: AsyncEngine, where: str) -> None:
        self.engine = engine
        self.dialect: str = engine.dialect.name  # "sqlite" or "postgresql"
        self.where = where  # for error messages: a path or a URL without its password
        self.closed = False
        self._tx: ContextVar[AsyncConnection | None] = ContextVar(f"tx-{id(self)}", default=None)
        # SQLite takes one writer at a time: queue here rather than in its busy handler.
        self._serial = Turns() if self.dialect == "sqlite" else None

    # -- statements ------------------------------------------------------------------------
    async def execute(self, sql: str, params: Params | None = None) -> list[Row]:
        """Run one statement and return its rows (empty for statements without results)."""
        params = dict(params or {})
        stmt = _statement(sql, _expanding(params))
        conn = self._tx.get()
        try:
            if conn is not None:
                return _rows(await conn.execute(stmt, params))
            async with self._serialised(), self.engine.begin() as own:
                return _rows(await own.execute(stmt, params))
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        except OSError as exc:
            raise StoreError(f"database {self.where}: {exc}") from exc

    async def one(self, sql: str, params: Params | None = None) -> Row | None:
        rows = await self.execute(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = await self.one(sql, params)
        return row[0] if row is not None else None

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """One statement for many parameter sets, in one round trip where the driver can."""
        if not rows:
            return
        stmt = _statement(sql, ())
        async with self.transaction():
            conn = self._tx.get()
            assert conn is not None
            try:
                await conn.execute(stmt, [dict(r) for r in rows])
            except SQLAlchemyError as exc:
                raise self._error(exc) from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """All statements inside commit together or not at all. Nesting joins the outer one."""
        if self._tx.get() is not None:
            yield
            return
        async with self._serialised():
            try:
                async with self.engine.begin() as conn:
                    token = self._tx.set(conn)
                    try:
                        yield
                    finally:
                        self._tx.reset(token)
            except SQLAlchemyError as exc:
                raise self._error(exc) from exc
            except OSError as exc:
                raise StoreError(f"database {self.where}: {exc}") from exc

    @property
    def in_transaction(self) -> bool:
        return self._tx.get() is not None

    async def lock(self, key: str) -> None:
        """Hold `key` until the current transaction ends, against every other replica: two
        decisions under one key never interleave. SQLite's transactions are already one at a
        time."""
        if self._tx.get() is None:
            raise RuntimeError("lock() needs a transaction")
        if self.dialect == "postgresql":
            await self.execute("SELECT pg_advisory_xact_lock(:key)", {"key": lock_key(key)})

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self.engine.dispose()

    @asynccontextmanager
    async def _serialised(self) -> AsyncIterator[None]:
        if self._serial is None:
            yield
            return
        async with self._serial.turn(_URGENT.get()):
            yield

    def _error(self, exc: SQLAlchemyError) -> StoreError:
        cause = getattr(exc, "orig", None) or exc
        return StoreError(f"database {self.where}: {str(cause).strip()}")


def lock_key(key: str) -> int:
    """A signed 64-bit number for an advisory lock, the same in every process."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _expanding(params: Params) -> tuple[str, ...]:
    return tuple(sorted(k for k, v in params.items() if isinstance(v, list | tuple)))


@lru_cache(maxsize=1024)
def _statement(sql: str, expanding: tuple[str, ...]) -> TextClause:
    stmt = text(sql)
    if expanding:
        stmt = stmt.bindparams(*(bindparam(name, expanding=True) for name in expanding))
    return stmt


def _rows(result: Any) -> list[Row]:
    return list(result.all()) if result.returns_rows else []


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite store.url names, as given (a config's relative path was already made
    absolute against its folder by `monitor.config`); None for PostgreSQL and `:memory:`."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+")):
        return None
    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    return None if path == ":memory:" else Path(path).expanduser()


def redact_url(url: str) -> str:
    """The URL with any password replaced, for logs and error messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://", "postgresql+"))


async def connect(url: str) -> Database:
    """Open `sqlite:///path/to/file`, a bare file path, `:memory:`, or `postgresql://...`.
    The first connection is made here, so a store that cannot be reached fails now."""
    db = _postgres(url) if is_postgres(url) else _sqlite(url)
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        await db.engine.dispose()
        if db.dialect == "sqlite":
            raise StoreError(open_hint(getattr(exc, "orig", None) or exc, db.where)) from exc
        cause = str(getattr(exc, "orig", None) or exc).strip()
        raise StoreError(
            f"database {db.where}: cannot connect ({cause}); check store.url and that the "
            "server is running"
        ) from exc
    return db


def _postgres(url: str) -> Database:
    driver_url = re.sub(r"^(postgresql|postgres)(\+\w+)?://", "postgresql+psycopg://", url)
    engine = create_async_engine(
        driver_url,
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,  # a connection the server dropped is replaced, not failed on
        connect_args={"connect_timeout": 10},
    )
    return Database(engine, redact_url(url))


def _sqlite(url: str) -> Database:
    file = sqlite_file(url)
    if file is not None:
        parent = file.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"database {file}: cannot create folder {parent}: {exc.strerror}; "
                "set store.url in the config to a writable path"
            ) from exc
    where = str(file) if file is not None else ":memory:"
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{where}",
        # One connection: transactions run one at a time anyway, and `:memory:` is per
        # connection.
        poolclass=StaticPool if file is None else AsyncAdaptedQueuePool,
        **({} if file is None else {"pool_size": 1, "max_overflow": 0}),
    )
    event.listen(engine.sync_engine, "connect", _sqlite_connected)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return Database(engine, where)


def _sqlite_connected(dbapi_conn: Any, _record: Any) -> None:
    # SQLAlchemy, not the driver, decides where transactions begin (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _switch_to_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


def _switch_to_wal(cur: Any) -> None:
    """Switch to WAL, waiting for other processes as long as the busy timeout says.

    SQLite answers `journal_mode=WAL` with "database is locked" at once, without its busy
    handler, while another connection holds the file (replicas opening one new store
    together, say), so the wait is here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        await_only(asyncio.sleep(pause))  # in the engine's greenlet: the loop runs on
        pause = min(pause * 2, 0.2)


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock at the start: a transaction that read first could otherwise find
    # another process's commit in its way when it writes, and fail instead of waiting.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
