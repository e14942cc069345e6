"""`monitor demo` as a user runs it: alerts arrive in the console within seconds."""

from __future__ import annotations

import subprocess
import sys


def test_demo_alerts_once_per_event_and_threads_the_second_outlet() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "--duration", "13", "--interval", "1"],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
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
    assert "serving 2 sample feeds at http://127.0.0.1:" in result.stderr
