"""`monitor replay INPUT.jsonl`: offline detection and grouping, one JSON line per item."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from monitor.cli.common import offline_settings
from monitor.replay import read_items, replay


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay",
        help="run detection and event grouping over corpus items offline; sends nothing",
        description="Read items in the corpus schema (id, source, title, text, url, published) "
        "and write one JSON line per item: detected, score, event_id, new_event, event, "
        "explanation. Items are processed in order of publication.",
    )
    parser.add_argument("input", metavar="INPUT.jsonl", help="corpus items, one JSON per line")
    parser.add_argument("--rules", help="rules file (default: the shipped missile-launch rules)")
    parser.add_argument(
        "-c",
        "--config",
        metavar="PATH",
        help="service config: its rule file and event settings (window, threshold)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rules, events = offline_settings(args)
    out = sys.stdout
    for result in replay(read_items(args.input), rules, events):
        out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    return 0
