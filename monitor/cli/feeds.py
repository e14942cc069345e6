"""`monitor feeds list|add|remove|enable|disable|set|test|import|export`: manage the feed list.

Every change edits the config file (comments kept) after validating the result; a running
service applies it through its config watcher. `add` fetches the feed first (unless
--no-check) and `test` shows what the service would make of one (`feeds_probe`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor import feeds_admin
from monitor.cli import feeds_probe
from monitor.cli.common import add_config_option, config_path
from monitor.config import load_file
from monitor.errors import FetchError, MonitorError, ParseError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("feeds", help="list, add, remove, test, import and export feeds")
    add_config_option(p)
    fsub = p.add_subparsers(dest="feeds_command", metavar="ACTION")
    fsub.required = True

    ls = fsub.add_parser("list", help="show the configured feeds")
    add_config_option(ls, action=True)
    ls.set_defaults(func=cmd_list)

    add = fsub.add_parser(
        "add", help="fetch a feed, check that it is one, and add it to the config file"
    )
    add.add_argument("url", help="the feed's http(s) URL")
    add.add_argument(
        "--name",
        help="feed name, shown in alerts (default: the feed's own title, else the host name)",
    )
    add.add_argument(
        "--no-check",
        action="store_true",
        help="add it without fetching it (the name then defaults to the host name)",
    )
    _options(add)
    add_config_option(add, action=True)
    add.set_defaults(func=cmd_add)

    change = fsub.add_parser("set", help="change a feed's interval, tags, full text or headers")
    change.add_argument("feed", help="feed name or URL")
    _options(change)
    add_config_option(change, action=True)
    change.set_defaults(func=cmd_set)

    for action, help_text in (
        ("remove", "remove a feed from the config (its polling state is kept)"),
        ("enable", "poll a disabled feed again"),
        ("disable", "stop polling a feed without removing it"),
    ):
        sp = fsub.add_parser(action, help=help_text)
        sp.add_argument("feed", help="feed name or URL")
        add_config_option(sp, action=True)
        sp.set_defaults(func=cmd_remove if action == "remove" else cmd_toggle, action=action)

    test = fsub.add_parser(
        "test", help="fetch and parse a feed, extract one article, show what would match"
    )
    test.add_argument("feed", help="a configured feed's name, or a feed URL")
    add_config_option(test, action=True)
    test.set_defaults(func=feeds_probe.cmd_test)

    imp = fsub.add_parser("import", help="add the feeds of an OPML file")
    imp.add_argument("opml", help="OPML file, or - for standard input")
    add_config_option(imp, action=True)
    imp.set_defaults(func=cmd_import)

    exp = fsub.add_parser("export", help="write the feeds as OPML to standard output")
    add_config_option(exp, action=True)
    exp.set_defaults(func=cmd_export)


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--interval", help="poll interval, e.g. 5m")
    p.add_argument("--tags", help="comma-separated tags")
    p.add_argument("--full-text", choices=("on", "off"), help="fetch and extract article pages")
    p.add_argument(
        "--header", action="append", metavar="NAME=VALUE", help="extra request header (repeat)"
    )


def _headers(values: list[str] | None) -> dict[str, str] | None:
    if values is None:
        return None
    out = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not sep or not name.strip():
            raise MonitorError(f"--header {value!r}: write NAME=VALUE")
        out[name.strip()] = content.strip()
    return out


def _tags(value: str | None) -> list[str] | None:
    return None if value is None else [t for t in value.split(",") if t.strip()]


def _full_text(value: str | None) -> bool | None:
    return None if value is None else value == "on"


def cmd_list(args: argparse.Namespace) -> int:
    feeds = feeds_admin.list_feeds(config_path(args))
    if not feeds:
        print("no feeds configured; add one with: monitor feeds add URL")
        return 0
    width = max(len(f.name) for f in feeds)
    for f in feeds:
        flags = [] if f.enabled else ["disabled"]
        flags += [] if f.full_text else ["summary only"]
        flags += [f"every {f.interval:g}s"] if f.interval is not None else []
        flags += [f"tags: {', '.join(f.tags)}"] if f.tags else []
        flags += [f"headers: {', '.join(f.headers)}"] if f.headers else []
        print(f"{f.name:<{width}}  {f.url}" + (f"  ({'; '.join(flags)})" if flags else ""))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    path = config_path(args)
    feeds_admin.check_new_feed(path, args.url)
    title, headers = None, _headers(args.header)
    if not args.no_check:
        try:
            parsed = feeds_probe.fetch_feed(args.url, load_file(path), headers)
        except (FetchError, ParseError) as exc:
            raise MonitorError(
                f"not added: {exc}. To add it without fetching it, pass --no-check"
            ) from None
        title = parsed.title
        print(f"fetched {args.url}: feed {parsed.title!r}, {len(parsed.entries)} entries")
    feed = feeds_admin.add_feed(
        path,
        args.url,
        name=args.name,
        title=title,
        interval=args.interval,
        tags=_tags(args.tags) or (),
        full_text=_full_text(args.full_text),
        headers=headers,
    )
    print(f"added {feed.name!r} ({feed.url}) to {config_path(args)}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    feed = feeds_admin.update_feed(
        config_path(args),
        args.feed,
        interval=args.interval,
        tags=_tags(args.tags),
        full_text=_full_text(args.full_text),
        headers=_headers(args.header),
    )
    print(f"updated {feed.name!r}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    feed = feeds_admin.remove_feed(config_path(args), args.feed)
    print(f"removed {feed.name!r} ({feed.url})")
    return 0


def cmd_toggle(args: argparse.Namespace) -> int:
    feed = feeds_admin.set_enabled(config_path(args), args.feed, args.action == "enable")
    print(f"{feed.name!r} is now {'enabled' if feed.enabled else 'disabled'}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if args.opml == "-":
        data, source = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            data, source = Path(args.opml).read_bytes(), args.opml
        except OSError as exc:
            raise MonitorError(f"{args.opml}: cannot read the OPML file: {exc.strerror}") from None
    added, skipped = feeds_admin.import_opml(config_path(args), data, source)
    for feed in added:
        print(f"added {feed.name!r} ({feed.url})")
    print(f"{len(added)} feeds added, {len(skipped)} skipped (already configured or not http)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    sys.stdout.write(feeds_admin.export_feeds(config_path(args)))
    return 0
