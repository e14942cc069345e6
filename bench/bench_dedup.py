"""Cost per item of deduplication as the store grows: it should stay flat.

    .venv/bin/python bench/bench_dedup.py [--sizes 10000,100000] [--probe 500] [--db URL]

Fills a store (SQLite in a temporary file by default, or --db, e.g. a PostgreSQL URL with an
empty schema) with synthetic news-like items, then times what the pipeline does for each new
item: `is_known`, then `record` in one transaction, for --probe new items, a tenth of them
rewrites of stored items and all of them detections. Prints the mean and 95th percentile
per item at each size, and how many probes found their near-duplicate.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import EventsConfig
from monitor.dedup import Deduplicator
from monitor.models import Article, Detection, Entry, Evidence
from monitor.store import Store, open_store

ACTORS = ("north-korea", "iran", "russia", "ukraine", "israel", "india", "pakistan", "china")
START = datetime(2024, 1, 1, tzinfo=UTC)


class Corpus:
    """Deterministic news-like texts: 250-450 words drawn from a Zipf-like vocabulary."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        syllables = ["ka", "ro", "mi", "te", "su", "na", "lo", "vi", "de", "pa", "zu", "ne"]
        self.vocab = [
            "".join(self.rng.choice(syllables) for _ in range(self.rng.randint(1, 4)))
            for _ in range(20000)
        ]
        self.weights = [1.0 / (rank + 10) for rank in range(len(self.vocab))]

    def text(self) -> str:
        words = self.rng.choices(self.vocab, self.weights, k=self.rng.randint(250, 450))
        sentences = [" ".join(words[i : i + 18]) + "." for i in range(0, len(words), 18)]
        return "\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))

    def rewrite(self, text: str) -> str:
        """Keep half the paragraphs, add as much new text: containment ~0.5."""
        paragraphs = text.split("\n")
        kept = paragraphs[: max(1, len(paragraphs) // 2)]
        return "\n".join([self.text().split("\n")[0], *kept, self.text()])


def item(corpus: Corpus, n: int, text: str | None = None) -> tuple[Entry, Article, Detection]:
    published = START + timedelta(minutes=7 * n)
    outlet = f"outlet-{n % 40}"
    url = f"https://{outlet}.example.com/news/{n}?utm_source=rss"
    body = text if text is not None else corpus.text()
    entry = Entry(outlet, f"https://{outlet}.example.com/guid/{n}", url, f"t{n}", "", published)
    article = Article(f"{outlet}:{n}", outlet, f"Title {n}", body, url, published)
    day: date = published.date() - timedelta(days=n % 2)
    detection = Detection(
        "missile_launch", "test", "bench", 1.0, ACTORS[n % len(ACTORS)], "ballistic missile",
        day, evidence=(Evidence("bench", "date", day.isoformat(), 0),),
    )  # fmt: skip
    return entry, article, detection


async def process(dedup: Deduplicator, store: Store, e: Entry, a: Article, d: Detection) -> bool:
    """One new item as the pipeline handles it; returns whether a near-duplicate was found."""
    if await dedup.is_known(e):
        return False
    async with store.transaction():
        [placed] = await dedup.record(e, a, [d])
    return placed is not None and placed.duplicate_of is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--probe", type=int, default=500)
    parser.add_argument("--db", default=None, help="database URL; default a temporary SQLite")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(run(url, sizes, args.probe))
    return 0


async def run(url: str, sizes: list[int], probe: int) -> None:
    store = await open_store(url)
    clock = [START]
    dedup = Deduplicator(store, EventsConfig(), lambda: clock[0])
    corpus = Corpus()
    texts: list[str] = []
    n = 0
    print(f"{'stored items':>12}  {'mean ms/item':>12}  {'p95 ms/item':>11}  near-dups found")
    try:
        for size in sizes:
            fill_started = time.perf_counter()
            while n < size:
                async with store.transaction():
                    for _ in range(min(1000, size - n)):
                        e, a, d = item(corpus, n)
                        await dedup.record(e, a, [d])
                        if len(texts) < 5000:
                            texts.append(a.text)
                        n += 1
            fill = time.perf_counter() - fill_started
            times: list[float] = []
            found = rewrites = 0
            for i in range(probe):
                rewrite = i % 10 == 0
                text = corpus.rewrite(corpus.rng.choice(texts)) if rewrite else None
                e, a, d = item(corpus, n, text)
                n += 1
                started = time.perf_counter()
                dup = await process(dedup, store, e, a, d)
                times.append(time.perf_counter() - started)
                rewrites += rewrite
                found += dup and rewrite
            times.sort()
            mean = statistics.fmean(times) * 1000
            p95 = times[int(len(times) * 0.95)] * 1000
            print(
                f"{n - probe:>12,}  {mean:>12.2f}  {p95:>11.2f}  {found}/{rewrites} "
                f"(fill {fill:.0f}s)"
            )
    finally:
        await store.close()


if __name__ == "__main__":
    raise SystemExit(main())
