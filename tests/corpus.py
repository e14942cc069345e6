"""Where the evaluation data lives: $MONITOR_DATA, else shared/data beside the checkout.

The dev corpus holds publishers' text that is never committed; tests that need it skip, saying
why, when it is absent.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.evaluate import Report

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MONITOR_DATA") or ROOT.parent / "shared" / "data")
DEV = DATA / "corpus" / "dev"
MISSING = f"dev corpus not found at {DEV} (set MONITOR_DATA to the data folder)"


@cache
def dev_report() -> Report:
    """`monitor eval` over the whole dev corpus with the shipped rules, run once per session
    for every test that reads its figures."""
    from monitor.detect import load_rules
    from monitor.evaluate import run

    files = sorted(p for p in DEV.glob("*.jsonl") if p.name != "labels.jsonl")
    return run(files, DEV / "labels.jsonl", load_rules())
