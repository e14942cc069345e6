"""What the commands share: the --config option and turning it into a Config."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from monitor.config import DEFAULT_PATH, Config, EventsConfig, load_file
from monitor.detect import RuleSet, load_rules
from monitor.errors import ConfigError
from monitor.logs import setup_logging


def add_config_option(parser: argparse.ArgumentParser, *, action: bool = False) -> None:
    """-c/--config. With action=True (on the sub-actions of `feeds` and `alerts`), an absent
    option leaves the value given before the action alone, so both spellings work:
    `monitor feeds -c FILE add URL` and `monitor feeds add URL -c FILE`."""
    parser.add_argument(
        "-c",
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS if action else None,
        help=f"config file (default: $MONITOR_CONFIG, else {DEFAULT_PATH})",
    )


def config_path(args: argparse.Namespace) -> Path:
    given = getattr(args, "config", None) or os.environ.get("MONITOR_CONFIG")
    return Path(given) if given else DEFAULT_PATH


def load_config(args: argparse.Namespace, *, logs: bool = True) -> Config:
    cfg = load_file(config_path(args))
    if logs:
        setup_logging(cfg.logging.level, cfg.logging.format)
    return cfg


def offline_settings(args: argparse.Namespace) -> tuple[RuleSet, EventsConfig]:
    """Rules and event settings for replay and eval: --rules, else the config's rule files,
    else the shipped rules; event settings from --config when given."""
    cfg = load_file(args.config) if args.config else None
    if args.rules:
        rules = load_rules(args.rules)
    elif cfg is not None and cfg.detection.rules:
        paths = cfg.rule_paths()
        if len(paths) > 1:
            raise ConfigError(
                f"{args.config}: names {len(paths)} rule files; pick one with --rules"
            )
        rules = load_rules(paths[0])
    else:
        rules = load_rules(None)
    return rules, cfg.events if cfg is not None else EventsConfig()
