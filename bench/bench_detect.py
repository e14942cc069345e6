"""Detection throughput on the dev corpus: items per second on one core.

    .venv/bin/python bench/bench_detect.py [CORPUS_DIR] [--repeat N]

Reads every *.jsonl under CORPUS_DIR (labels excluded; default: $MONITOR_DATA/corpus/dev, else
shared/data/corpus/dev beside the checkout),
loads the default rules once, then times `analyse` alone (no JSON parsing, no grouping).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from monitor.detect import analyse, load_rules
from monitor.replay import read_items

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = (
    Path(os.environ.get("MONITOR_DATA") or ROOT.parent / "shared" / "data") / "corpus" / "dev"
)
TARGET = 2000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus; best kept")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.glob("*.jsonl") if p.name != "labels.jsonl")
    if not files:
        print(f"no corpus files under {args.corpus}", file=sys.stderr)
        return 1
    articles = [a for f in files for a in read_items(f)]
    rules = load_rules()
    best = float("inf")
    detected = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        detected = sum(analyse(a, rules).detected for a in articles)
        best = min(best, time.perf_counter() - start)
    rate = len(articles) / best
    print(f"items: {len(articles)} from {len(files)} files; detected: {detected}")
    print(f"best of {args.repeat}: {best:.3f} s -> {rate:,.0f} items/s (target >= {TARGET:,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
