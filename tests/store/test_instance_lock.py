"""A SQLite store serves one service: a second one on the same file is refused, saying why."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.errors import StoreError
from monitor.store.instance import InstanceLock


def test_a_second_lock_on_one_store_is_refused_with_the_owner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    first = InstanceLock.for_url(url)
    first.acquire()
    try:
        with pytest.raises(
            StoreError, match=rf"in use by another monitor service \(pid {os.getpid()}\)"
        ):
            InstanceLock.for_url(url).acquire()
    finally:
        first.release()
    again = InstanceLock.for_url(url)
    again.acquire()  # released: the next service starts
    again.release()


def test_postgresql_stores_take_no_lock() -> None:
    lock = InstanceLock.for_url("postgresql://127.0.0.1:5432/test")
    assert lock.path is None
    lock.acquire()
    lock.release()


def test_a_second_service_on_one_sqlite_file_exits_with_the_reason(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "store:\n  url: sqlite:///monitor.sqlite3\nhttp:\n  listen: null\nfeeds: []\n"
    )
    cmd = [sys.executable, "-m", "monitor", "run", "-c", str(config)]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "monitor.sqlite3").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    finally:
        first.terminate()
        first.communicate(timeout=20)
    assert second.returncode != 0
    assert f"pid {first.pid}" in second.stderr
    assert "a SQLite store serves one service" in second.stderr
    assert "Traceback" not in second.stderr
