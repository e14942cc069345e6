"""`monitor demo` as a user runs it: alerts arrive in the console within seconds.

The demo runs until the user stops it; here it is stopped with Ctrl-C (SIGINT) once both
launches have alerted and the second outlet's report has followed, plus a few seconds in which
a duplicate would show. How fast that comes is the machine's affair (a loaded CI machine is
slower); the bound is generous and is not what the test checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

GRACE = 3.0  # seconds after the last expected message in which a stray duplicate would show
LIMIT = 120.0  # give up waiting after this long


def test_demo_alerts_once_per_event_and_threads_the_second_outlet(tmp_path: Path) -> None:
    lines: list[str] = []  # the console's lines, as they come
    # stderr goes to a file: a full pipe nobody reads would stall the demo.
    with (tmp_path / "stderr.txt").open("w+") as log:
        with subprocess.Popen(
            [sys.executable, "-m", "monitor", "demo", "--interval", "1"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        ) as proc:
            stdout = proc.stdout
            assert stdout is not None
            reader = threading.Thread(target=lambda: lines.extend(iter(stdout.readline, "")))
            reader.start()
            _wait_for_both_launches(proc, lines)
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            finally:
                proc.kill()
            reader.join(timeout=10)
        log.seek(0)
        err = log.read()
    out = "".join(lines)
    assert proc.returncode == 0, err
    alerts = out.count("=== ALERT [missile_launch] ===")
    updates = out.count("=== UPDATE [missile_launch] ===")
    assert (alerts, updates) == (2, 1), out
    # The two feeds are polled at once: whichever outlet's report is read first opens the
    # event, and the update names the other.
    assert ("Also reported by Newsweek" in out) != ("Also reported by Wire Service" in out), out
    opened = min(i for i in (out.find("US military says"), out.find("Buildup Continues")) if i >= 0)
    second = out.index("second launch in a week")
    assert opened < second  # the 11 January launch is its own, later, alert
    for unrelated in ("interest rates", "smartphone", "fans threw missiles", "mountain roads"):
        assert unrelated not in out
    assert "serving 2 sample feeds at http://127.0.0.1:" in err


def _wait_for_both_launches(proc: subprocess.Popen[str], lines: list[str]) -> None:
    """Until two alerts and one update are out and GRACE has passed, or LIMIT."""
    deadline = time.monotonic() + LIMIT
    done_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        out = "".join(lines)
        seen = (
            out.count("=== ALERT [missile_launch] ==="),
            out.count("=== UPDATE [missile_launch] ==="),
        )
        if seen >= (2, 1) and done_at is None:
            done_at = time.monotonic()
        if done_at is not None and time.monotonic() - done_at >= GRACE:
            return
        time.sleep(0.2)
