"""Replicas on one PostgreSQL: how the feeds spread over them, how fast a launch reaches Slack.

    .venv/bin/python bench/bench_replicas.py [--feeds 300] [--interval 10] [--launches 8]

For 1 and then 3 replicas of `monitor run` (one process each) sharing a fresh schema on the
test PostgreSQL (postgresql://127.0.0.1:5432/test, or $MONITOR_TEST_POSTGRES), polling a
farm of --feeds feeds on 10 loopback addresses every --interval seconds: after every feed has
been polled once, the first report of each of --launches launches is published, one every
--gap seconds, in the feed of its outlet; a Slack-compatible sink timestamps each alert.
Prints, for each run:

    feeds per replica     feeds whose last poll each replica made (from the store's leases)
    polls per second      feed requests the farm answered, all replicas together
    publish -> alert      seconds from a report's publication to its alert (p50, max); this
                          includes the wait for the feed's next poll, up to --interval
    poll -> alert         seconds from the poll that fetched the report to its alert
    CPU per replica       user + system seconds each replica used over the run

and the same as JSON with --json. Both runs share the machine with whatever else runs on it:
compare the two runs of one invocation, not absolute figures across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from tests import pg
from tests.farm.replicas import Farm, Replica, reports, write_config
from tests.servers.slack import SlackServer


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def run(replicas: int, args: argparse.Namespace) -> dict[str, Any]:
    articles, truth = reports()
    rng = random.Random(7)
    first_reports: dict[str, Any] = {}
    for article in articles:  # the first report of each launch, in publication order
        first_reports.setdefault(truth[article.id], article)
    chosen = rng.sample(sorted(first_reports), args.launches)
    farm = Farm([], feeds=args.feeds)
    with (
        pg.fresh_schema() as url,
        SlackServer() as slack,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = write_config(Path(tmp), farm, slack, url, interval=args.interval, lease=6.0)
        env = {"TEST_SLACK_TOKEN": slack.token}
        procs = [Replica(f"r{i}", config, env, Path(tmp)) for i in range(replicas)]
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and farm.polled() < args.feeds:
                time.sleep(0.5)
            cpu0 = [cpu_seconds(p.proc.pid) for p in procs]
            requests0, t0 = farm.requests(), time.monotonic()
            published: dict[str, float] = {}
            for key in chosen:
                article = first_reports[key]
                farm.show([article])
                published[key] = time.time()
                time.sleep(args.gap)
            wait_until = time.monotonic() + args.interval * 3
            while time.monotonic() < wait_until:
                top = slack.messages()
                if len(top) >= len(chosen):
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - t0
            polls = farm.requests() - requests0
            cpu = [cpu_seconds(p.proc.pid) - c for p, c in zip(procs, cpu0, strict=True)]
            holders = _holders(url)
        finally:
            for p in procs:
                p.stop()
            farm.close()
        posts = [c for c in slack.calls if c.method == "chat.postMessage" and c.status == 200]
        latencies, after_poll = [], []
        for key in chosen:
            article = first_reports[key]
            event = _event_of(key)
            sent = [c.time for c in posts if _event_id(c.params).startswith(event)]
            fetched = [t for t in farm.requests_to(farm.feed_of(article)) if t >= published[key]]
            if sent and fetched:
                latencies.append(min(sent) - published[key])
                after_poll.append(min(sent) - min(fetched))
    return {
        "replicas": replicas,
        "feeds": args.feeds,
        "interval_s": args.interval,
        "feeds_per_replica": sorted(holders.values(), reverse=True),
        "polls_per_s": round(polls / elapsed, 1),
        "alerts": len(latencies),
        "launches": len(chosen),
        "publish_to_alert_p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "publish_to_alert_max_s": round(max(latencies), 2) if latencies else None,
        "poll_to_alert_p50_s": round(statistics.median(after_poll), 3) if after_poll else None,
        "poll_to_alert_max_s": round(max(after_poll), 3) if after_poll else None,
        "cpu_s_per_replica": [round(c, 1) for c in cpu],
        "elapsed_s": round(elapsed, 1),
    }


def _event_of(launch: str) -> str:
    """The start of the event id a launch's alert carries: "north-korea-2024-03-04-05:16" ->
    "missile_launch:north-korea:2024-03-04"."""
    actor, _, rest = launch.partition("-2024-")
    return f"missile_launch:{actor}:2024-{rest[:5]}"


def _event_id(params: dict[str, Any]) -> str:
    metadata = params.get("metadata") or {}
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return str((metadata.get("event_payload") or {}).get("event_id", ""))


def _holders(url: str) -> dict[str, int]:
    base, _, query = url.partition("?")
    schema = query.split("search_path%3D", 1)[1]
    with psycopg.connect(base) as conn:
        rows = conn.execute(
            f"SELECT lease_holder, COUNT(*) FROM {schema}.feed_state GROUP BY lease_holder"
        ).fetchall()
    return {str(holder): int(n) for holder, n in rows if holder is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--launches", type=int, default=8)
    parser.add_argument("--gap", type=float, default=2.0, help="seconds between publications")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reason = pg.unreachable()
    if reason:
        sys.exit(f"bench_replicas: {reason}")
    results = [run(n, args) for n in (1, 3)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(
            f"{r['replicas']} replica(s), {r['feeds']} feeds every {r['interval_s']:g} s: "
            f"feeds per replica {r['feeds_per_replica']}, {r['polls_per_s']} polls/s, "
            f"{r['alerts']}/{r['launches']} launches alerted, publish->alert p50 "
            f"{r['publish_to_alert_p50_s']} s max {r['publish_to_alert_max_s']} s, "
            f"poll->alert p50 {r['poll_to_alert_p50_s']} s max {r['poll_to_alert_max_s']} s, "
            f"CPU per replica {r['cpu_s_per_replica']} s over {r['elapsed_s']} s"
        )


if __name__ == "__main__":
    main()
