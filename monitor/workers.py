"""The CPU-heavy stages, parse and extract, run in worker processes: the event loop never waits
on them.

feedparser and trafilatura are mostly pure Python: a 20,000-item feed takes 10-20 s of CPU to
parse. Run in the loop's thread that was 20 s and more without /healthz, without any other
feed's poll, without alert delivery. A thread pool frees the loop but not the interpreter: the
parsing thread holds the GIL, and every wake-up of the loop waits its turn for it. During a
20,000-item poll, /healthz answered in p99 65-145 ms with threads and 18-35 ms with processes
(p50 8 ms and 1.2 ms; bench/bench_poll.py).

Jobs wait for a free worker in the service rather than in the pool's queue, so a page whose
entry already shows a launch (`urgent`) is read before the pages queued ahead of it.

Workers start with "spawn" (forking a process that runs threads can deadlock), at `start` or on
the first job, and `close` stops them. A worker that dies (a crash in lxml, the OOM killer)
breaks the pool: that job fails as the feed's or the page's error, and a fresh pool takes the
next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from typing import TypeVar

from monitor.errors import ExtractError, ParseError
from monitor.extract import Extracted, extract
from monitor.intake import Intake, read_feed

log = logging.getLogger(__name__)

T = TypeVar("T")

STOP_GRACE = 1.0  # seconds a worker may take to finish its job at close before it is killed


def default_processes() -> int:
    """Two at least, so one huge feed never holds up every other feed's parse."""
    return max(2, min(4, os.cpu_count() or 2))


def process_pool(processes: int | None = None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=processes or default_processes(),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with_parent,
    )


class Workers:
    """Runs `read_feed` and `extract` off the event loop. One per service; `close` it."""

    def __init__(self, make_executor: Callable[[], Executor] = process_pool) -> None:
        self._make_executor = make_executor
        self._executor: Executor | None = None
        self._closed = False
        self._admission: _Admission | None = None

    def start(self) -> None:
        """Start every worker now, in the background (each imports feedparser and trafilatura
        as it starts), rather than on the first jobs, which would then wait for them."""
        pool = self._pool()
        # A pool starts a process per job while none is idle, up to its size.
        for _ in range(getattr(pool, "_max_workers", 1)):
            pool.submit(_started)

    async def read_feed(self, body: bytes, base_url: str, feed_name: str, max_items: int) -> Intake:
        """`monitor.intake.read_feed` in a worker. Raises ParseError."""
        try:
            return await self._run(read_feed, body, base_url, feed_name, max_items)
        except BrokenExecutor as exc:
            raise ParseError(
                f"{base_url}: the parser process stopped before it read this feed ({exc}); the "
                "feed is read again at the next poll"
            ) from None

    async def extract(self, html: bytes, url: str | None, *, urgent: bool = False) -> Extracted:
        """`monitor.extract.extract` in a worker. Raises ExtractError. An `urgent` page (its
        entry already shows a launch) goes ahead of every other job waiting for a worker."""
        try:
            return await self._run(extract, html, url, urgent=urgent)
        except BrokenExecutor as exc:
            raise ExtractError(
                f"{url or '<page>'}: the extraction process stopped before it read this page "
                f"({exc}); the feed summary is used instead"
            ) from None

    def _pool(self) -> Executor:
        if self._closed:
            raise BrokenExecutor("the service is stopping")
        if self._executor is None:
            self._executor = self._make_executor()
        return self._executor

    async def _run(self, job: Callable[..., T], *args: object, urgent: bool = False) -> T:
        if self._admission is None:
            size = getattr(self._pool(), "_max_workers", 1)
            self._admission = _Admission(size if isinstance(size, int) and size > 0 else 1)
        admission = self._admission
        # Jobs wait here, not in the pool's own queue, so an urgent one can go first.
        await admission.enter(urgent)
        loop = asyncio.get_running_loop()
        executor: Executor | None = None
        try:
            executor = self._pool()  # after the wait: the pool may have been replaced meanwhile
            future = executor.submit(job, *args)
        except BaseException as exc:
            admission.leave()
            if isinstance(exc, BrokenExecutor) and executor is not None:
                self._forget(executor)
            raise
        # The worker is free when the job ends, not when its caller stops waiting (a poll's
        # deadline cancels the wait; the job runs on).
        future.add_done_callback(lambda _: _call_soon(loop, admission.leave))
        try:
            return await asyncio.wrap_future(future)
        except BrokenExecutor:
            self._forget(executor)
            raise

    def _forget(self, executor: Executor) -> None:
        """A worker died and broke its pool: the next job starts a new one."""
        if self._executor is executor:
            log.error("a worker process died; starting new ones", extra={"stage": "workers"})
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        """Stop the workers: a job still running gets STOP_GRACE seconds, then is killed."""
        executor, self._executor = self._executor, None
        self._closed = True
        if executor is None:
            return
        # Read before shutdown() forgets them; the executor offers no way to kill its workers.
        processes = (
            list((executor._processes or {}).values())
            if isinstance(executor, ProcessPoolExecutor)
            else []
        )
        stopping = asyncio.ensure_future(
            asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
        )
        done, _ = await asyncio.wait({stopping}, timeout=STOP_GRACE)
        if not done:
            for process in processes:
                if process.is_alive():
                    process.terminate()
            await stopping


class _Admission:
    """As many jobs in the pool as it has workers; the others wait, urgent ones first, then in
    the order they came."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def enter(self, urgent: bool) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (0 if urgent else 1, next(self._order), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.leave()  # its turn came as it was cancelled: pass it on
            raise

    def leave(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for a worker now
        loop.call_soon_threadsafe(callback)


def _started() -> int:
    """A job that only makes a worker import this module, and so the stages."""
    return os.getpid()


def _exit_with_parent() -> None:
    """In a worker: exit as soon as the service's process is gone, even killed with SIGKILL.
    An orphaned worker would wait for jobs forever, holding the pipes of whoever started the
    service (its stdout and stderr) open."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
