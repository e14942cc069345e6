"""`monitor feeds list|add|remove|enable|disable|set|test|import|export`: manage the feed list.

Every change edits the config file (comments kept) after validating the result; a running
service applies it through its config watcher.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from monitor import feeds_admin
from monitor.cli.common import add_config_option, config_path
from monitor.config import PollingConfig, load_file
from monitor.errors import ExtractError, MonitorError
from monitor.extract import extract
from monitor.fetch import PAGE_ACCEPT, Fetcher, make_client
from monitor.models import Article
from monitor.parse import parse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("feeds", help="list, add, remove, test, import and export feeds")
    add_config_option(p)
    fsub = p.add_subparsers(dest="feeds_command", metavar="ACTION")
    fsub.required = True

    ls = fsub.add_parser("list", help="show the configured feeds")
    add_config_option(ls, action=True)
    ls.set_defaults(func=cmd_list)

    add = fsub.add_parser("add", help="add a feed to the config file")
    add.add_argument("url")
    add.add_argument("--name", help="feed name (default: the site's host name)")
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
    test.add_argument("url")
    add_config_option(test, action=True)
    test.set_defaults(func=cmd_test)

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
    feed = feeds_admin.add_feed(
        config_path(args),
        args.url,
        name=args.name,
        interval=args.interval,
        tags=_tags(args.tags) or (),
        full_text=_full_text(args.full_text),
        headers=_headers(args.header),
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


def cmd_test(args: argparse.Namespace) -> int:
    path = config_path(args)
    cfg = load_file(path) if path.exists() else None
    polling = cfg.polling if cfg else PollingConfig()
    return asyncio.run(_test(args.url, polling, cfg.rule_paths() if cfg else []))


async def _test(url: str, polling: PollingConfig, rule_paths: list[Path]) -> int:
    async with make_client(polling) as client:
        fetcher = Fetcher(client, polling)
        fetched = await fetcher.fetch(url)
        print(f"fetched {fetched.url}: {len(fetched.body):,} bytes in {fetched.elapsed:.2f} s")
        feed = parse(fetched.body, fetched.url, "test")
        note = f" (ill-formed: {feed.ill_formed})" if feed.ill_formed else ""
        print(f"feed {feed.title!r}: {len(feed.entries)} entries{note}")
        if feed.ttl:
            print(f"  ttl {feed.ttl:g} s")
        for entry in feed.entries[:5]:
            when = entry.published.isoformat() if entry.published else "no date"
            print(f"  - {entry.title}  [{when}]  {entry.url or ''}")
        linked = next((e for e in feed.entries if e.url), None)
        if linked is None or linked.url is None:
            print("no entry has a link; nothing to extract")
            return 0
        entry = linked
        page = await fetcher.fetch(linked.url, accept=PAGE_ACCEPT)
    try:
        extracted = extract(page.body, page.url)
        text = extracted.text
        print(f"extracted {len(text):,} characters from {page.url}:")
        print("  " + text[:300].replace("\n", " ") + ("..." if len(text) > 300 else ""))
    except ExtractError as exc:
        print(f"extraction failed: {exc}")
        text = entry.summary
    article = Article(
        id=f"test:{entry.key}",
        outlet="test",
        title=entry.title,
        text=text,
        url=entry.url,
        published=entry.published or datetime.now(UTC),
    )
    _show_detection(article, rule_paths)
    return 0


def _show_detection(article: Article, rule_paths: list[Path]) -> None:
    try:
        from monitor.detect import analyse, load_rules
    except ImportError:
        print("detection: monitor.detect is not available")
        return
    for rules in [load_rules(p) for p in rule_paths] or [load_rules(None)]:
        result = analyse(article, rules)
        verdict = "MATCH" if result.detection is not None else "no match"
        print(f"detection: {verdict} (score {result.score:.2f})")
        for line in result.explanation:
            print(f"  {line}")
