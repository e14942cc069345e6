"""`monitor check-config [PATH]`: validate a config file and its rules; exit 0 or 2."""

from __future__ import annotations

import argparse

from monitor.cli.common import config_path
from monitor.config import DEFAULT_PATH, load_file
from monitor.notify import build_notifiers
from monitor.service import load_rule_sets


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check-config",
        help="validate a config file, its rules and its secrets",
        description="Validate a config file: keys, types, URLs, routes, rule files and that "
        "every secret it names is set. Exits 0 when valid, 2 otherwise.",
    )
    p.add_argument(
        "config",
        nargs="?",
        metavar="PATH",
        help=f"config file (default: $MONITOR_CONFIG, else {DEFAULT_PATH})",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    path = config_path(args)
    cfg = load_file(path)
    rules = load_rule_sets(cfg)
    notifiers = build_notifiers(cfg.notify)
    feeds = cfg.feed_objects()
    enabled = sum(f.enabled for f in feeds)
    languages = sorted({lang for r in rules for lang in r.languages})
    print(
        f"{path}: ok: {len(feeds)} feeds ({enabled} enabled), {len(rules)} rule sets "
        f"in {len(languages)} languages ({', '.join(languages)}), "
        f"destinations: {', '.join(sorted(notifiers))}"
    )
    for feed in feeds:
        if feed.language and feed.language not in languages:
            print(
                f"{path}: note: feed {feed.name!r} declares language {feed.language!r}, which no "
                "rules are written in; its items will have their language identified instead"
            )
    return 0
