"""What a valid config must also have before the service runs it or swaps it in.

`monitor.config.load` checks that a file is well formed; an empty file is well formed (every
key has a default), and so is one without feeds. But a config file is empty when an editor or
a shell redirect (`>`) has truncated it and not written it yet, and the service would then drop
every feed. So:

    require_feeds(cfg)                 an empty file, or one without feeds, is refused
                                       (check-config and every reload)
    require_content(cfg)               an empty file is refused (run, once): a service may
                                       start without feeds and get them by a reload, but not
                                       from a file that is probably half written
    keep_waiting_destinations(...)     a reload that removes a destination which still owes
                                       alerts is refused: the alerts would have nowhere to go

Refusals are `Refused` (a ConfigError) carrying a `reason`, the label of
`monitor_config_refusals_total`.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitor.config import Config
from monitor.errors import ConfigError
from monitor.notify.route import CONSOLE


class Refused(ConfigError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def is_empty(cfg: Config) -> bool:
    """True for a file with nothing but comments and blank lines (every key defaulted)."""
    return not (cfg.model_fields_set - {"source"})


def require_content(cfg: Config) -> None:
    if is_empty(cfg):
        require_feeds(cfg)


def require_feeds(cfg: Config) -> None:
    if is_empty(cfg):
        raise Refused(
            "empty",
            f"{cfg.source}: the config file is empty (nothing but comments or blank lines). "
            "Was it truncated while being written? Write the full config into it (store, "
            "feeds, notify...; config/monitor.yaml is an example)",
        )
    if not cfg.feeds:
        raise Refused(
            "no_feeds",
            f"{cfg.source}: no feeds: the service would watch nothing. Add feeds under "
            f"`feeds:`, or with `monitor feeds add URL -c {cfg.source}`",
        )


def destinations(cfg: Config) -> set[str]:
    """The destinations a config delivers to (the console when it names none)."""
    return set(cfg.notify.destinations) or {CONSOLE}


def keep_waiting_destinations(old: Config, new: Config, owed: Mapping[str, int]) -> None:
    """Refuse `new` when it drops a destination of `old` that still owes alerts (`owed`:
    destination -> undelivered alerts)."""
    gone = {d: n for d, n in owed.items() if n and d in destinations(old) - destinations(new)}
    if not gone:
        return
    counted = {d: f"{n} alert{'s' if n != 1 else ''}" for d, n in sorted(gone.items())}
    if len(gone) == 1:
        ((name, count),) = counted.items()
        what = f"destination {name}, which still owes {count}"
    else:
        listed = ", ".join(f"{d} ({c})" for d, c in counted.items())
        what = f"destinations {listed}, which still owe alerts"
    first = sorted(gone)[0]
    raise Refused(
        "pending_alerts",
        f"{new.source}: removes {what}; they would have nowhere to go. Keep the destination "
        "until they are delivered, or move them first (`monitor alerts reroute --destination "
        f"{first} --to NAME`) or give them up (`monitor alerts drop ID`), then save the file "
        "again or send SIGHUP",
    )
