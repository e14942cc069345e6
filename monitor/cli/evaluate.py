"""`monitor eval INPUT.jsonl... --labels LABELS.jsonl`: detection and grouping figures."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from monitor.cli.common import offline_settings
from monitor.evaluate import format_report
from monitor.evaluate import run as evaluate


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "eval",
        help="measure detection and grouping against labels, beside a keyword baseline",
        description="Replay the items, then print precision, recall and F1 of detection, "
        "pairwise precision/recall/F1 of event grouping, alerts per true event, the same "
        "for a naive keyword baseline, and every false positive and false negative with "
        "its explanation.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT.jsonl", help="corpus items")
    parser.add_argument("--labels", required=True, metavar="LABELS.jsonl", help="hand labels")
    parser.add_argument("--rules", help="rules file (default: the shipped missile-launch rules)")
    parser.add_argument(
        "-c",
        "--config",
        metavar="PATH",
        help="service config: its rule file and event settings (window, threshold)",
    )
    parser.add_argument(
        "--split",
        choices=["tune", "validation"],
        help="only the items of one half (the corpus is split by event: tune rules on one "
        "half, measure them on the other)",
    )
    parser.add_argument("--lang", help="only the items whose `lang` field is this code")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rules, events = offline_settings(args)
    report = evaluate(args.inputs, args.labels, rules, events, args.split, args.lang)
    if args.json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(format_report(report) + "\n")
    return 0
