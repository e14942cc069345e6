"""Extraction quality and speed on real article pages with known bodies.

    .venv/bin/python bench/bench_extract.py [--limit N] [--variants]

Data: $MONITOR_DATA/extraction, else shared/data/extraction beside the checkout (zyte:
article-extraction-benchmark, newspaper: its tests;
both MIT). Quality is token-level precision / recall / F1 of the extracted text against the
ground truth, averaged over pages; a failed extraction scores 0. `--variants` compares
trafilatura settings to justify the ones monitor.extract uses.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura

from monitor.errors import ExtractError
from monitor.extract import extract

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MONITOR_DATA") or ROOT.parent / "shared" / "data") / "extraction"
_TOKEN = re.compile(r"\w+")


def pages() -> Iterator[tuple[str, bytes, str | None, str]]:
    """(id, html, url, expected text) for every page with ground truth."""
    truth = json.loads((DATA / "zyte" / "ground-truth.json").read_text())
    for key, item in sorted(truth.items()):
        path = DATA / "zyte" / "html" / f"{key}.html.gz"
        if path.exists():
            yield (
                f"zyte/{key[:12]}",
                gzip.decompress(path.read_bytes()),
                item.get("url"),
                item["articleBody"],
            )
    for html in sorted((DATA / "newspaper" / "html").glob("*.html")):
        text = DATA / "newspaper" / "text" / f"{html.stem}.txt"
        if text.exists():
            yield f"newspaper/{html.stem}", html.read_bytes(), None, text.read_text()


def scores(got: str, want: str) -> tuple[float, float, float]:
    g, w = Counter(_TOKEN.findall(got.lower())), Counter(_TOKEN.findall(want.lower()))
    common = sum((g & w).values())
    if not common:
        return 0.0, 0.0, 0.0
    p, r = common / sum(g.values()), common / sum(w.values())
    return p, r, 2 * p * r / (p + r)


def ours(html: bytes, url: str | None) -> str:
    try:
        return extract(html, url).text
    except ExtractError:
        return ""


def variant(**options: bool) -> Callable[[bytes, str | None], str]:
    def run(html: bytes, url: str | None) -> str:
        return trafilatura.extract(html, url=url, include_comments=False, **options) or ""

    return run


def measure(name: str, fn: Callable[[bytes, str | None], str], data: list[tuple]) -> None:  # type: ignore[type-arg]
    ps, rs, fs, times, failed = [], [], [], [], 0
    for _id, html, url, want in data:
        start = time.perf_counter()
        got = fn(html, url)
        times.append(time.perf_counter() - start)
        failed += not got
        p, r, f = scores(got, want)
        ps.append(p)
        rs.append(r)
        fs.append(f)
    print(
        f"{name:<28} pages {len(data):>3}  P {statistics.mean(ps):.3f}  R {statistics.mean(rs):.3f}"
        f"  F1 {statistics.mean(fs):.3f}  no text {failed:>3}  "
        f"median {statistics.median(times) * 1000:.1f} ms  max {max(times) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--variants", action="store_true")
    args = parser.parse_args()
    data = list(pages())
    if args.limit:
        data = data[: args.limit]
    measure("monitor.extract", ours, data)
    if args.variants:
        measure("trafilatura default", variant(), data)
        measure("precision + tables", variant(favor_precision=True, include_tables=True), data)
        measure("precision, no tables", variant(favor_precision=True, include_tables=False), data)
        measure("recall, no tables", variant(favor_recall=True, include_tables=False), data)


if __name__ == "__main__":
    main()
