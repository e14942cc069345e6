"""The worker processes parse and extract run in: results, a worker's death, and stopping."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.errors import ExtractError, ParseError
from monitor.workers import Workers, process_pool
from tests.servers.news import AP_TITLE, SEEDS, page


def feed(items: int) -> bytes:
    body = "".join(
        f"<item><title>Story {i}</title><link>https://news.example/{i}</link></item>"
        for i in range(items)
    )
    return f'<rss version="2.0"><channel><title>W</title>{body}</channel></rss>'.encode()


async def busy_worker() -> multiprocessing.process.BaseProcess:
    """The one worker process, once it has started."""
    while not multiprocessing.active_children():
        await asyncio.sleep(0.01)
    (child,) = multiprocessing.active_children()
    return child


async def test_stages_run_in_a_worker_and_raise_their_own_errors() -> None:
    workers = Workers()
    try:
        intake = await workers.read_feed(feed(3), "https://news.example/feed", "wire", 2)
        text = (SEEDS / "ap-2022-01-05-north-korea-missile.txt").read_text()
        extracted = await workers.extract(page(AP_TITLE, "AP", text), "https://news.example/a")
        with pytest.raises(ParseError, match="not a feed"):
            await workers.read_feed(b"<html><body>Hi</body></html>", "https://x.example/", "x", 5)
        with pytest.raises(ExtractError, match="empty"):
            await workers.extract(b"", "https://news.example/b")
        children = multiprocessing.active_children()
    finally:
        await workers.close()
    assert (intake.total, len(intake.entries), intake.skipped) == (3, 2, 1)
    assert extracted.title == AP_TITLE and "missile" in extracted.text
    assert children and not any(c.pid == os.getpid() for c in children)
    assert multiprocessing.active_children() == []


async def test_a_worker_killed_mid_parse_fails_that_feed_only() -> None:
    workers = Workers(lambda: process_pool(1))
    try:
        parsing = asyncio.create_task(workers.read_feed(feed(20_000), "https://a.example/", "a", 5))
        worker = await busy_worker()
        assert worker.pid is not None and worker.pid != os.getpid()
        os.kill(worker.pid, signal.SIGKILL)  # as the OOM killer would
        with pytest.raises(ParseError, match="the parser process stopped before it read this feed"):
            await parsing
        intake = await workers.read_feed(feed(2), "https://b.example/", "b", 5)
    finally:
        await workers.close()
    assert len(intake.entries) == 2
    assert multiprocessing.active_children() == []


async def test_close_stops_a_worker_in_the_middle_of_a_job() -> None:
    workers = Workers(lambda: process_pool(1))
    parsing = asyncio.create_task(workers.read_feed(feed(50_000), "https://a.example/", "a", 5))
    worker = await busy_worker()
    await workers.close()
    assert not worker.is_alive() and multiprocessing.active_children() == []
    with pytest.raises((ParseError, asyncio.CancelledError)):
        await parsing


async def test_start_starts_every_worker_before_the_first_job() -> None:
    workers = Workers(lambda: process_pool(2))
    try:
        workers.start()
        started = multiprocessing.active_children()
        await workers.read_feed(feed(2), "https://a.example/", "a", 5)
        await workers.read_feed(feed(2), "https://b.example/", "b", 5)
        used = multiprocessing.active_children()
    finally:
        await workers.close()
    assert len(started) == 2 and {c.pid for c in used} == {c.pid for c in started}


def test_workers_exit_when_the_service_is_killed() -> None:
    """A service killed with SIGKILL cannot stop its workers; they must go by themselves, or
    they would wait forever holding its stdout and stderr open (a `communicate()` never ends)."""
    service = (
        "import multiprocessing, time\n"
        "from monitor.workers import Workers, process_pool\n"
        "Workers(lambda: process_pool(2)).start()\n"
        "print(*(c.pid for c in multiprocessing.active_children()), flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", service], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    pids = [int(pid) for pid in proc.stdout.readline().split()]
    try:
        proc.kill()
        _, err = proc.communicate(timeout=60)  # returns once nothing holds its pipes
        assert len(pids) == 2, err
        assert not [pid for pid in pids if _running(pid)]
    finally:
        for pid in pids:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited


async def test_an_urgent_page_goes_ahead_of_the_jobs_waiting_for_a_worker() -> None:
    """One worker, busy; three pages wait, then an urgent one (its entry shows a launch)
    comes: it is read next, before the three, which keep their order."""
    workers = Workers(lambda: process_pool(1))
    text = "North Korea fired a ballistic missile into the sea, officials said.\n" * 20
    html = page(AP_TITLE, "AP", text)
    order: list[str] = []
    try:
        await workers.extract(html, "https://example.org/warm")  # the worker is up

        async def read(name: str, urgent: bool = False) -> None:
            await workers.extract(html, f"https://example.org/{name}", urgent=urgent)
            order.append(name)

        big = page(AP_TITLE, "AP", text * 300)
        busy = asyncio.create_task(workers.extract(big, "https://example.org/big"))
        await asyncio.sleep(0.05)
        waiting = [asyncio.create_task(read(f"n{i}")) for i in range(3)]
        await asyncio.sleep(0.05)
        urgent = asyncio.create_task(read("urgent", urgent=True))
        await asyncio.gather(busy, *waiting, urgent)
    finally:
        await workers.close()
    assert order == ["urgent", "n0", "n1", "n2"]
