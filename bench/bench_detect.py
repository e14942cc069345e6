"""Detection throughput on the dev corpus: items per second on one core.

    .venv/bin/python bench/bench_detect.py [CORPUS_DIR] [--repeat N]

Reads every *.jsonl under CORPUS_DIR (labels excluded; default: $MONITOR_DATA/corpus/dev, else
shared/data/corpus/dev beside the checkout), loads the default rules once, then times, side by
side in one run (shared machines are noisy: compare the ratios):
  - `analyse` with every language pack loaded, language identification included (the target);
  - `analyse` with the English rules alone (no packs, no identification), the peer;
  - language identification alone;
  - the prefilter (`prefilter`, the screen a feed entry passes before its page is fetched) over
    the title and text of every tenth item, in one scan for the words the packs' terms need,
    beside
  - the same question put to every pack's whole prefilter pattern, as it was answered before
    (same items; every tenth, as the whole patterns take minutes over them all).
No JSON parsing, no grouping.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from monitor.detect import analyse, load_rules
from monitor.detect.engine import language_of, prefilter
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
    english = replace(rules, packs={})
    print(f"items: {len(articles)} from {len(files)} files; best of {args.repeat} passes")

    def all_packs() -> int:
        return sum(analyse(a, rules).detected for a in articles)

    def english_only() -> int:
        return sum(analyse(a, english).detected for a in articles)

    def identification() -> int:
        return sum(language_of(a, rules) == "en" for a in articles)

    texts = [f"{a.title}\n{a.text}" for a in articles[::10]]
    packs = (rules, *rules.packs.values())

    def screen() -> int:
        return sum(prefilter(t, rules) for t in texts)

    def whole_patterns() -> int:
        return sum(any(p.prefilter_pattern.search(t) for p in packs) for t in texts)

    rates = {}
    for name, run, items in (
        (f"all {len(rules.languages)} languages", all_packs, len(articles)),
        ("English rules only", english_only, len(articles)),
        ("language identification alone", identification, len(articles)),
        ("prefilter, one scan", screen, len(texts)),
        ("prefilter, whole patterns", whole_patterns, len(texts)),
    ):
        best, count = float("inf"), 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            count = run()
            best = min(best, time.perf_counter() - start)
        rates[name] = items / best
        print(f"{name:32} {rates[name]:>8,.0f} items/s  ({count} counted)")
    first = next(iter(rates.values()))
    verdict = "met" if first >= TARGET else "MISSED"
    print(f"target: >= {TARGET:,.0f} items/s with all languages -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
