"""`monitor scan URL|FILE`: fetch or read one article page, show the extracted text, the
detection and why. Nothing is stored or sent."""

from __future__ import annotations

import argparse
import asyncio
import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from monitor.cli.common import add_config_option, config_path
from monitor.config import Config, load_file
from monitor.errors import ConfigError, MonitorError
from monitor.extract import extract
from monitor.fetch import Fetcher, make_client
from monitor.models import Article
from monitor.pipeline import analyse_all
from monitor.service import load_rule_sets


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="show what the detector makes of one article page (URL or file)",
        description="Fetch a URL or read a file (HTML, or plain text whose first line is the "
        "headline), extract the article text, run the detection rules and explain the result.",
    )
    p.add_argument("target", metavar="URL|FILE")
    p.add_argument("--published", help="publication time (ISO 8601) for resolving 'on Wednesday'")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_config_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = _config(args)
    published = _published(args.published)
    title, text, url = asyncio.run(_read(args.target, cfg))
    article = Article(
        id=args.target, outlet=url or "file", title=title, text=text, url=url, published=published
    )
    analyses = analyse_all(load_rule_sets(cfg), article)  # the service's own stage
    best = max(analyses, key=lambda a: a.score)
    if args.json:
        det = best.detection
        print(
            json.dumps(
                {
                    "title": title,
                    "text": text,
                    "detected": det is not None,
                    "score": best.score,
                    "event": None
                    if det is None
                    else {
                        "type": det.event_type,
                        "subtype": det.subtype,
                        "actor": det.actor,
                        "weapon": det.weapon,
                        "date": det.event_date.isoformat() if det.event_date else None,
                    },
                    "explanation": list(best.explanation),
                },
                ensure_ascii=False,
            )
        )
        return 0
    print(f"title: {title}")
    print(f"text ({len(text)} characters):")
    print(textwrap.indent(textwrap.shorten(text, 1200, placeholder=" [...]"), "  "))
    det = best.detection
    if det is None:
        print(f"\nno detection (best score {best.score:.2f})")
    else:
        print(
            f"\nDETECTED {det.event_type}/{det.subtype}: actor={det.actor} weapon={det.weapon} "
            f"date={det.event_date} score={det.score:.2f} language={det.language} role={det.role}"
        )
        if det.sources or det.targets:
            sources, targets = ", ".join(det.sources) or "-", ", ".join(det.targets) or "-"
            print(f"reported by: {sources}; targets: {targets}")
    print("why:")
    for line in best.explanation:
        print(f"  {line}")
    return 0


def _config(args: argparse.Namespace) -> Config:
    path = config_path(args)
    if args.config is None and not path.exists():
        from monitor.config import load

        return load("", "<defaults>")
    return load_file(path)


def _published(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"--published {value!r} is not ISO 8601; write e.g. 2022-01-05T09:00Z"
        ) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


async def _read(target: str, cfg: Config) -> tuple[str, str, str | None]:
    if target.startswith(("http://", "https://")):
        async with make_client(cfg.polling, cfg.network.policy()) as client:
            page = await Fetcher(client, cfg.polling).fetch(target)
        ex = extract(page.body, page.url)
        return ex.title or "", ex.text, page.url
    path = Path(target)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MonitorError(
            f"{target}: cannot read: {exc.strerror}; give a URL or a readable file"
        ) from None
    if path.suffix.lower() in (".html", ".htm") or data.lstrip()[:1] == b"<":
        ex = extract(data, None)
        return ex.title or "", ex.text, None
    head, _, body = data.decode("utf-8", errors="replace").partition("\n")
    return head.strip(), body.strip(), None
