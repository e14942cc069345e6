"""Where the evaluation data lives: $MONITOR_DATA, else shared/data beside the checkout.

The dev corpus holds publishers' text that is never committed; tests that need it skip, saying
why, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MONITOR_DATA") or ROOT.parent / "shared" / "data")
DEV = DATA / "corpus" / "dev"
MISSING = f"dev corpus not found at {DEV} (set MONITOR_DATA to the data folder)"
