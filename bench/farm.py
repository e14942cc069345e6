"""monitor beside rss2email and feed2exec on one loopback news farm: CPU per poll, start-up,
memory, pages extracted per second, publish-to-alert delay and event-loop lag.

    make bench-farm        # = .venv/bin/python bench/farm.py
    .venv/bin/python bench/farm.py --feeds 1000 --items 20 --big 10000 --big-items 1

The farm (tests/farm/newsfarm.py) serves --feeds feeds of --items real news items each (the
development corpus, its labelled launch reports left out; its hard negatives mention missiles
without a launch) over 249 loopback addresses, with ETag/Last-Modified, and an article page
with boilerplate for every item. A Slack-compatible sink (tests/servers/slack.py) timestamps
each alert. For each size, in one run:

    once cycles     `monitor once`, `r2e run --no-send` and `feed2exec fetch`, each on its own
                    fresh state: the first pass (every item new), a pass where every feed answers
                    304, one where every feed answers 200 with the same body (validators
                    ignored), one where every feed shows one new unremarkable item; and one
                    pass over a single feed, the fixed start-up cost. CPU per feed poll is the
                    pass's CPU less that start-up, over the feeds.
    monitor run     the service for a fixed time, polling every feed every --feeds/100 s: CPU
                    per poll of each path measured while the farm answers 304, then 200
                    unchanged, then 200 with a new item; then launch reports of several outlets
                    are published at known times beside a burst of hard negatives whose pages
                    are fetched and extracted. Publish -> alert is reported as is and less the
                    wait for the next poll (from the poll that fetched the report); event-loop
                    lag from the service's own /metrics histogram.

CPU is user + system of the whole process tree (monitor's worker processes included); peak
RSS is sampled every 0.1 s, summed over the tree and for the largest process. Results go to
bench/results/farm.json and bench/results/farm.md (the README's table). The machine is shared:
compare the ratios of one run, not absolute figures across runs.

rss2email and feed2exec are installed from the package index into virtual environments under
--cache (default ~/.cache/monitor-bench); when one cannot be installed or run, the results
say so and why.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bench.peers import Peer, version_line  # noqa: E402
from tests.farm.newsfarm import NewsFarm  # noqa: E402
from tests.farm.stream import stream  # noqa: E402
from tests.servers import loopback  # noqa: E402
from tests.servers.slack import SlackServer  # noqa: E402

MONITOR = [sys.executable, "-m", "monitor"]
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


# -- the corpus --------------------------------------------------------------------------------
def corpus_items(data: Path) -> list[tuple[str, str]]:
    """(title, text) of every development-corpus item not labelled a launch report."""
    dev = data / "corpus" / "dev"
    if not dev.is_dir():
        sys.exit(f"bench/farm.py: the development corpus is not at {dev} (set MONITOR_DATA)")
    positive = set()
    for line in (dev / "labels.jsonl").read_text().splitlines():
        label = json.loads(line)
        if label.get("label") == 1:
            positive.add(label["id"])
    items = []
    for path in sorted(dev.glob("*.jsonl")):
        if path.name == "labels.jsonl":
            continue
        for line in path.read_text().splitlines():
            item = json.loads(line)
            if item["id"] not in positive and (item.get("title") or "").strip():
                items.append((item["title"].strip(), (item.get("text") or "").strip()))
    return items


# -- processes ---------------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        found.setdefault(ppid, []).append(int(entry))
    return found


def tree(pid: int) -> list[int]:
    children, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def tree_cpu(pid: int) -> float:
    """User + system seconds of a live process, its live descendants and those it reaped."""
    total = 0.0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if p == pid:
            total += int(fields[13]) + int(fields[14])
    return total / TICK


def rss_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except OSError:
        return 0


class Sampler:
    """Peak RSS of a process tree, summed and of its largest process, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_tree = 0
        self.peak_one = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            sizes = [rss_of(p) for p in tree(self.pid)]
            self.peak_tree = max(self.peak_tree, sum(sizes))
            self.peak_one = max(self.peak_one, max(sizes, default=0))

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return {"peak_rss_mb": _mb(self.peak_tree), "peak_rss_largest_mb": _mb(self.peak_one)}


def _mb(n: float) -> float:
    return round(n / 1e6, 1)


def run_pass(cmd: Sequence[str], env: dict[str, str], farm: NewsFarm) -> dict[str, Any]:
    """Run one pass to its end: wall and CPU seconds (the whole tree), peak RSS, and how long
    after its start the farm saw its first request."""
    farm.first_request = None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    proc = subprocess.Popen(
        list(cmd),
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = Sampler(proc.pid)
    out, _ = proc.communicate()
    wall = time.time() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    first = farm.first_request
    return {
        "exit": proc.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        **sampler.stop(),
        "first_request_s": round(first - started, 3) if first else None,
        "output_tail": out[-600:] if proc.returncode else "",
    }


# -- monitor's config --------------------------------------------------------------------------
def write_config(
    folder: Path,
    urls: Sequence[str],
    slack: SlackServer,
    *,
    interval: float = 300.0,
    listen: str | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "store": {"url": f"sqlite:///{folder / 'monitor.sqlite3'}"},
        "http": {"listen": listen},
        "network": loopback.NETWORK,
        "polling": {"interval": interval, "min_interval": 1, "max_items": 500},
        "feeds": [{"name": f"feed-{i}", "url": url} for i, url in enumerate(urls)],
        "notify": {
            "destinations": {
                "desk": {
                    "type": "slack",
                    "channel": "#alerts",
                    "token_env": "BENCH_SLACK_TOKEN",
                    "base_url": slack.url,
                }
            },
            "delivery": {"slack_pace": 0, "followup_cooldown": 0},
        },
        "logging": {"format": "text", "level": "warning"},
    }
    path = folder / "monitor.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


# -- once cycles -------------------------------------------------------------------------------
Subject = tuple[str, Callable[[Sequence[str], Path], list[str]], dict[str, str]]


def once_cycles(
    name: str,
    farm: NewsFarm,
    slack: SlackServer,
    work: Path,
    peer: Peer | None,
) -> dict[str, Any]:
    """The first pass, then a 304 pass, a 200-unchanged pass and a 200-with-new-items pass;
    then a one-feed pass for the fixed start-up cost."""
    urls = [farm.url(i) for i in range(farm.feeds)]
    env = {"BENCH_SLACK_TOKEN": slack.token}

    def command(feeds: Sequence[str], folder: Path) -> list[str]:
        if peer is None:
            return [*MONITOR, "once", "-c", str(write_config(folder, feeds, slack))]
        peer.work = folder
        folder.mkdir(parents=True, exist_ok=True)
        peer.configure(feeds)
        return peer.command()

    if peer is not None:
        env.update(peer.env)
    passes: dict[str, Any] = {}
    folder = work / name
    cmd = command(urls, folder)
    farm.mode = "conditional"
    pages0 = farm.page_requests
    passes["first"] = run_pass(cmd, env, farm)
    passes["first"]["pages"] = farm.page_requests - pages0
    passes["304"] = run_pass(cmd, env, farm)
    farm.mode = "unconditional"
    passes["200_unchanged"] = run_pass(cmd, env, farm)
    farm.mode = "fresh"
    passes["200_new_item"] = run_pass(cmd, env, farm)
    farm.mode = "conditional"
    one = command(urls[:1], work / f"{name}-one")
    run_pass(one, env, farm)  # the first pass of that one feed
    passes["startup"] = run_pass(one, env, farm)
    startup = passes["startup"]["cpu_s"]
    for key in ("304", "200_unchanged", "200_new_item"):
        per = (passes[key]["cpu_s"] - startup) / farm.feeds * 1000
        passes[key]["cpu_ms_per_poll"] = round(per, 3)
    first = passes["first"]
    first["cpu_ms_per_feed"] = round((first["cpu_s"] - startup) / farm.feeds * 1000, 2)
    if first["pages"]:
        first["pages_per_s"] = round(first["pages"] / first["wall_s"], 1)
    return passes


# -- monitor run -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lag_buckets(listen: str) -> dict[float, float]:
    text = urllib.request.urlopen(f"http://{listen}/metrics", timeout=10).read().decode()
    found = {}
    for line in text.splitlines():
        if line.startswith("monitor_event_loop_lag_seconds_bucket"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            found[float("inf") if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
    return found


def _quantile_le(before: dict[float, float], after: dict[float, float], q: float) -> float | None:
    """The smallest bucket bound under which at least q of the samples fell."""
    counts = {le: after[le] - before.get(le, 0.0) for le in after}
    total = counts.get(float("inf"), 0.0)
    if not total:
        return None
    for le in sorted(counts):
        if counts[le] >= q * total:
            return le
    return None


def _alerted(slack: SlackServer, title: str, since: float = 0.0) -> bool:
    """Whether an alert (or a follow-up) naming this headline reached the sink after `since`."""
    return any(
        c.method == "chat.postMessage"
        and c.time >= since
        and title in json.dumps(c.params, ensure_ascii=False)
        for c in slack.calls
    )


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, round(q * (len(values) - 1)))], 3)


def service_run(
    farm: NewsFarm,
    slack: SlackServer,
    work: Path,
    negatives: list[tuple[str, str]],
    *,
    window: float,
    launches: int,
    prime: bool = True,
) -> dict[str, Any]:
    """`monitor run` on a store that has seen every feed once (`prime`: a `monitor once` pass
    first; else the service's own first round is that pass): CPU per poll of each path, then
    launches published beside a burst of pages to extract."""
    from monitor.models import Article

    interval = max(5.0, farm.feeds / 100)
    listen = f"127.0.0.1:{_free_port()}"
    folder = work / "monitor-run"
    urls = [farm.url(i) for i in range(farm.feeds)]
    config = write_config(folder, urls, slack, interval=interval, listen=listen)
    env = {**os.environ, "BENCH_SLACK_TOKEN": slack.token}
    farm.mode = "conditional"
    if prime:
        done = subprocess.run([*MONITOR, "once", "-c", str(config)], env=env, capture_output=True)
        if done.returncode not in (0, 1):
            return {"error": done.stdout.decode()[-600:]}
    log = (folder / "run.log").open("w")
    started = time.time()
    proc = subprocess.Popen(
        [*MONITOR, "run", "-c", str(config)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    sampler = Sampler(proc.pid)
    result: dict[str, Any] = {"interval_s": interval, "window_s": window}
    try:
        # Its first round polls every feed at once; measure from the second on.
        before = farm.feed_requests
        while farm.feed_requests - before < farm.feeds and proc.poll() is None:
            time.sleep(0.2)
        result["start_to_all_polled_s"] = round(time.time() - started, 1)
        for mode, key in (("conditional", "304"), ("unconditional", "200_unchanged")):
            farm.mode = mode
            time.sleep(1.0)
            cpu0, polls0 = tree_cpu(proc.pid), farm.feed_requests
            time.sleep(window)
            polls = farm.feed_requests - polls0
            cpu = tree_cpu(proc.pid) - cpu0
            result[key] = {
                "polls": polls,
                "cpu_ms_per_poll": round(cpu / polls * 1000, 3) if polls else None,
            }
        farm.mode = "fresh"
        time.sleep(1.0)
        cpu0, polls0 = tree_cpu(proc.pid), farm.feed_requests
        time.sleep(window)
        polls = farm.feed_requests - polls0
        cpu = tree_cpu(proc.pid) - cpu0
        result["200_new_item"] = {
            "polls": polls,
            "cpu_ms_per_poll": round(cpu / polls * 1000, 3) if polls else None,
        }
        farm.mode = "conditional"
        # Launches of several outlets, beside a burst of hard negatives whose pages are fetched.
        # They are published now, so they happened in the last few days: a report's "on the
        # 5th" or "on Tuesday" must point to a day the rules take for recent news.
        articles, truth = stream(3, outlets=40, start=date.today() - timedelta(days=4))
        first_of: dict[str, Article] = {}
        for article in articles:
            first_of.setdefault(truth[article.id], article)
        # Round-robin over the actors, so that the launches chosen are distinct events.
        by_actor: dict[str, list[str]] = {}
        for key in sorted(first_of):
            by_actor.setdefault(re.sub(r"-\d{4}-\d\d-\d\d-\d\d:\d\d$", "", key), []).append(key)
        order = [k for group in itertools.zip_longest(*by_actor.values()) for k in group if k]
        chosen = order[:launches]
        lag0 = _lag_buckets(listen)
        pages0 = farm.page_requests
        published: dict[str, tuple[int, float]] = {}
        burst = 0
        for n, key in enumerate(chosen):
            feed = (n * 97 + 13) % farm.feeds
            published[key] = (feed, farm.publish(feed, first_of[key]))
            for title, text in negatives[n * 8 : n * 8 + 8]:
                other = (feed + 1 + burst * 31) % farm.feeds
                farm.publish(other, Article(f"neg-{burst}", "bench", title, text, None, None))
                burst += 1
            time.sleep(max(1.0, interval / max(1, len(chosen))))
        deadline = time.time() + interval * 3 + 30
        while time.time() < deadline:
            if all(_alerted(slack, first_of[k].title, published[k][1]) for k in chosen):
                break
            time.sleep(0.5)
        lag1 = _lag_buckets(listen)
        delays, after_poll = [], []
        posts = [c for c in slack.calls if c.method == "chat.postMessage" and c.status == 200]
        for key in chosen:
            feed, when = published[key]
            # Two launches' reports may share a title: only an alert after this one's
            # publication is its alert.
            title = first_of[key].title
            sent = [
                c.time
                for c in posts
                if c.time >= when and title in json.dumps(c.params, ensure_ascii=False)
            ]
            polled = [t for t in farm.requests_to(feed) if t >= when]
            if sent:
                delays.append(min(sent) - when)
                if polled:
                    after_poll.append(min(sent) - min(polled))
        result["launches"] = {
            "published": len(chosen),
            "alerted": len(delays),
            "hard_negatives_published": burst,
            "pages_fetched": farm.page_requests - pages0,
            "publish_to_alert_p50_s": _pct(delays, 0.5),
            "publish_to_alert_p99_s": _pct(delays, 0.99),
            "poll_to_alert_p50_s": _pct(after_poll, 0.5),
            "poll_to_alert_p99_s": _pct(after_poll, 0.99),
        }
        result["alerts"] = [str(c.params.get("text", ""))[:120] for c in posts]
        result["loop_lag_p50_le_s"] = _quantile_le(lag0, lag1, 0.5)
        result["loop_lag_p99_le_s"] = _quantile_le(lag0, lag1, 0.99)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        result.update(sampler.stop())
    return result


# -- the whole run -----------------------------------------------------------------------------
def bench_size(
    feeds: int,
    items: int,
    corpus: list[tuple[str, str]],
    negatives: list[tuple[str, str]],
    args: argparse.Namespace,
    work: Path,
    peers: dict[str, Peer | str],
    *,
    once: bool = True,
) -> dict[str, Any]:
    print(f"== {feeds} feeds x {items} items{'' if once else ', monitor run only'}", flush=True)
    farm = NewsFarm(feeds, items, latency=args.latency, items_from=corpus).start()
    out: dict[str, Any] = {"feeds": feeds, "items": items, "latency_s": args.latency}
    try:
        with SlackServer() as slack:
            if once:
                out["monitor_once"] = once_cycles("monitor", farm, slack, work / str(feeds), None)
                print("monitor once:", json.dumps(out["monitor_once"]), flush=True)
            for name, peer in peers.items() if once else ():
                if isinstance(peer, str):
                    out[name] = {"unavailable": peer}
                    continue
                out[name] = once_cycles(name, farm, slack, work / str(feeds), peer)
                print(f"{name}:", json.dumps(out[name]), flush=True)
            if not args.no_run:
                out["monitor_run"] = service_run(
                    farm,
                    slack,
                    work / str(feeds),
                    negatives,
                    window=args.window,
                    launches=args.launches,
                    prime=once,
                )
                print("monitor run:", json.dumps(out["monitor_run"]), flush=True)
    finally:
        farm.stop()
    return out


def install_peers(cache: Path, work: Path, wanted: list[str]) -> dict[str, Peer | str]:
    peers: dict[str, Peer | str] = {}
    for name in wanted:
        try:
            peers[name] = Peer.install(name, cache, work / name)
        except (RuntimeError, OSError) as exc:
            peers[name] = f"could not be installed here: {exc}"
    return peers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--big", type=int, default=10000, help="the second size (0: none)")
    parser.add_argument("--big-items", type=int, default=1)
    parser.add_argument(
        "--big-once",
        action="store_true",
        help="once cycles and peers at the second size too (without: `monitor run` only)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--window", type=float, default=15.0, help="seconds per measured path")
    parser.add_argument("--launches", type=int, default=6)
    parser.add_argument("--peers", default="rss2email,feed2exec", help="comma-separated, or ''")
    parser.add_argument("--no-run", action="store_true", help="skip `monitor run`")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "monitor-bench")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    data = Path(os.environ.get("MONITOR_DATA", ROOT.parent / "shared" / "data"))
    corpus = corpus_items(data)
    negatives = [(t, x) for t, x in corpus if "missile" in f"{t} {x}".lower()]
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="monitor-farm-") as tmp:
        work = Path(tmp)
        peers = install_peers(args.cache, work, [p for p in args.peers.split(",") if p])
        results: dict[str, Any] = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_at_start": os.getloadavg(),
                "peers": version_line(),
            },
            "sizes": [bench_size(args.feeds, args.items, corpus, negatives, args, work, peers)],
        }
        write(args.out, results)  # what is done so far, should the second size not finish
        if args.big:
            results["sizes"].append(
                bench_size(
                    args.big,
                    args.big_items,
                    corpus,
                    negatives,
                    args,
                    work,
                    peers,
                    once=args.big_once,
                )
            )
    results["elapsed_s"] = round(time.time() - started, 1)
    write(args.out, results)
    print(markdown(results))


def write(folder: Path, results: dict[str, Any]) -> None:
    """farm.json and farm.md (the README's table) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "farm.json").write_text(json.dumps(results, indent=2) + "\n")
    (folder / "farm.md").write_text(markdown(results))


def markdown(results: dict[str, Any]) -> str:
    """The README's table: each figure for monitor and each peer, and monitor's ratio to it."""
    lines = []
    for size in results["sizes"]:
        names = ["monitor_once", "rss2email", "feed2exec"]
        present = [n for n in names if n in size]
        if "monitor_once" not in size:
            present = []
            lines.append(f"\n{size['feeds']:,} feeds x {size['items']} items, `monitor run` only")
        head = ["monitor", *(n for n in present[1:])]
        if present:
            lines.append(f"\n{size['feeds']:,} feeds x {size['items']} items\n")
            lines.append("| | " + " | ".join(head) + " |")
            lines.append("|---" * (len(head) + 1) + "|")

        def row(
            label: str,
            get: Callable[[dict[str, Any]], Any],
            size: dict[str, Any] = size,
            present: list[str] = present,
        ) -> None:
            cells = []
            base = _safe(get, size["monitor_once"])
            for n in present:
                s = size[n]
                if "unavailable" in s:
                    cells.append("n/a")
                    continue
                v = _safe(get, s)
                # How many times the peer's figure monitor's is: the README speaks in ratios.
                ratio = f" (monitor x{base / v:.1f})" if n != "monitor_once" and v and base else ""
                cells.append(f"{v}{ratio}" if v is not None else "-")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")

        rows = [
            ("first pass, wall s", lambda s: s["first"]["wall_s"]),
            ("first pass, CPU s", lambda s: s["first"]["cpu_s"]),
            ("first pass, peak RSS MB (tree)", lambda s: s["first"]["peak_rss_mb"]),
            ("article pages fetched and extracted", lambda s: s["first"]["pages"]),
            ("CPU ms per poll, 304", lambda s: s["304"]["cpu_ms_per_poll"]),
            ("CPU ms per poll, 200 unchanged", lambda s: s["200_unchanged"]["cpu_ms_per_poll"]),
            ("CPU ms per poll, 200 + 1 new item", lambda s: s["200_new_item"]["cpu_ms_per_poll"]),
            ("start-up (1 feed), wall s", lambda s: s["startup"]["wall_s"]),
            ("start to first request, s", lambda s: s["304"]["first_request_s"]),
        ]
        for label, get in rows if present else ():
            row(label, get)
        for n in present[1:]:
            if "unavailable" in size[n]:
                lines.append(f"\n{n}: {size[n]['unavailable']}")
        run = size.get("monitor_run")
        if run and "error" not in run:
            launches = run.get("launches", {})
            lines.append(
                f"\n`monitor run`, every feed every {run['interval_s']:g} s: CPU ms per poll "
                f"304 {_safe(lambda r: r['304']['cpu_ms_per_poll'], run)}, 200 unchanged "
                f"{_safe(lambda r: r['200_unchanged']['cpu_ms_per_poll'], run)}, 200 + new item "
                f"{_safe(lambda r: r['200_new_item']['cpu_ms_per_poll'], run)}; "
                f"{launches.get('alerted')}/{launches.get('published')} launches alerted, "
                f"poll -> alert p50 {launches.get('poll_to_alert_p50_s')} s, p99 "
                f"{launches.get('poll_to_alert_p99_s')} s (publish -> alert p50 "
                f"{launches.get('publish_to_alert_p50_s')} s, p99 "
                f"{launches.get('publish_to_alert_p99_s')} s, the wait for the poll included), "
                f"with {launches.get('pages_fetched')} pages fetched; event-loop lag p50 <= "
                f"{run.get('loop_lag_p50_le_s')} s, p99 <= {run.get('loop_lag_p99_le_s')} s; "
                f"peak RSS {run.get('peak_rss_mb')} MB"
            )
    return "\n".join(lines).strip() + "\n"


def _safe(get: Callable[[dict[str, Any]], Any], d: dict[str, Any]) -> Any:
    try:
        return get(d)
    except (KeyError, TypeError):
        return None


if __name__ == "__main__":
    main()
