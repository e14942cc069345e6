"""`monitor db upgrade|current|history`: the store's schema, by hand.

The service upgrades the schema itself at start (under a lock, so replicas starting together
take turns); `upgrade` does it ahead of a deploy, `current` and `history` say where a store is.
"""

from __future__ import annotations

import argparse
import asyncio

from monitor.cli.common import add_config_option, config_path
from monitor.config import Config, load_file
from monitor.store.db import Database, connect
from monitor.store.migrate import current, history, upgrade


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="the store's schema: upgrade it, or show its revision")
    add_config_option(p)
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    up = verbs.add_parser("upgrade", help="bring the store's schema to the latest revision")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default head)")
    verbs.add_parser("current", help="print the store's schema revision")
    verbs.add_parser("history", help="list every revision, marking those the store has")
    for verb in verbs.choices.values():
        add_config_option(verb, action=True)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    cfg = load_file(config_path(args))
    return asyncio.run(_run(cfg, args))


async def _run(cfg: Config, args: argparse.Namespace) -> int:
    db = await connect(cfg.store.url)
    try:
        return await _verb(db, args)
    finally:
        await db.close()


async def _verb(db: Database, args: argparse.Namespace) -> int:
    if args.verb == "upgrade":
        applied = await upgrade(db, args.revision)
        if applied:
            print(f"store {db.where}: applied {', '.join(applied)}; now at {applied[-1]}")
        else:
            print(f"store {db.where}: up to date at {await current(db)}")
        return 0
    if args.verb == "current":
        now = await current(db)
        print(now if now is not None else "empty (no schema yet; `monitor db upgrade` makes it)")
        return 0
    for rev in await history(db):
        mark = "*" if rev.current else ("+" if rev.applied else " ")
        print(f"{mark} {rev.id}  {rev.message.splitlines()[0] if rev.message else ''}")
    print("(* the store's revision, + applied before it)")
    return 0
