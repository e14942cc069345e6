"""`monitor check-config [-c PATH | PATH] [--online]`: validate a config, its rules, its secrets.

A file the service would refuse is refused here too: an empty one (only comments or blank
lines, as a truncated file is) and one without feeds (`monitor.preflight`). Secrets must look
like what they are for: a Slack bot token like a Slack token, a Slack webhook URL like a Slack
webhook URL (`monitor.notify.checks`). Exit 2 when anything is wrong.

`--online` then logs in to each destination without sending anything (Slack: auth.test and
reading the channel; email: connect, STARTTLS/TLS, AUTH) and prints one line per destination;
exit 1 when one of them failed. `monitor test-alert` sends a real, marked test message.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
from pathlib import Path

from monitor.cli.common import add_config_option, config_path
from monitor.config import DEFAULT_PATH, load_file
from monitor.errors import ConfigError
from monitor.notify import Notifier, build_notifiers
from monitor.notify.checks import Outcome, check_online, shape_problems
from monitor.preflight import require_content, require_feeds
from monitor.service import load_rule_sets

ONLINE_FAILED = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check-config",
        help="validate a config file, its rules and its secrets (--online: log in too)",
        description="Validate a config file: keys, types, URLs, routes, rule files, that "
        "every secret it names is set and looks like what it is for (a Slack bot token, a "
        "Slack webhook URL), and that it has feeds (an empty or comment-only file is refused, "
        "as the service refuses it). Exits 0 when valid, 2 otherwise. With --online it then "
        "logs in to each destination without sending anything and exits 1 when one fails.",
    )
    add_config_option(p)
    p.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help=f"config file, as -c PATH (default: $MONITOR_CONFIG, else {DEFAULT_PATH})",
    )
    p.add_argument(
        "--online",
        action="store_true",
        help="also try each destination's credentials, sending nothing: Slack tokens with "
        "auth.test (and reading the channel), SMTP logins (connect, STARTTLS/TLS, AUTH)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.path and args.config and Path(args.path) != Path(args.config):
        raise ConfigError(
            f"two config files given ({args.path} and -c {args.config}); give one of them"
        )
    args.config = args.path or args.config
    path = config_path(args)
    cfg = load_file(path)
    require_content(cfg)  # an empty file is said to be empty, before any other complaint
    rules = load_rule_sets(cfg)
    notifiers = build_notifiers(cfg.notify)
    errors, notes = shape_problems(cfg.notify)
    if errors:
        raise ConfigError("\n".join(f"{path}: {e}" for e in errors))
    require_feeds(cfg)
    feeds = cfg.feed_objects()
    enabled = sum(f.enabled for f in feeds)
    languages = sorted({lang for r in rules for lang in r.languages})
    print(
        f"{path}: ok: {len(feeds)} feeds ({enabled} enabled), {len(rules)} rule sets "
        f"in {len(languages)} languages ({', '.join(languages)}), "
        f"destinations: {', '.join(sorted(notifiers))}"
    )
    for note in notes:
        print(f"{path}: note: {note}")
    for feed in feeds:
        if feed.language and feed.language not in languages:
            print(
                f"{path}: note: feed {feed.name!r} declares language {feed.language!r}, which no "
                "rules are written in; its items will have their language identified instead"
            )
    if not args.online:
        return 0
    outcomes = asyncio.run(_online(notifiers))
    for outcome in outcomes:
        print(f"{path}: {outcome.line()}")
    return ONLINE_FAILED if any(o.result == "failed" for o in outcomes) else 0


async def _online(notifiers: Mapping[str, Notifier]) -> list[Outcome]:
    try:
        return await check_online(notifiers)
    finally:
        for notifier in notifiers.values():
            await notifier.aclose()
