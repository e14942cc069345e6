"""The `monitor` command: each subcommand lives in its own module with a `register` function."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from monitor.errors import MonitorError

# Modules under monitor.cli, in the order `monitor --help` lists them.
COMMANDS = (
    "run",
    "once",
    "check_config",
    "test_alert",
    "scan",
    "demo",
    "replay",
    "evaluate",
    "feeds",
    "status",
    "alerts",
    "db",
    "healthcheck",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor",
        description="Poll news feeds, detect event reports, alert once per real event.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"monitor.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except MonitorError as exc:
        print(f"monitor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`monitor replay ... | head`): that is how such output ends.
        # Point stdout at nothing so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code
