"""`monitor healthcheck`: ask the running service's /healthz, at the address its config gives
(http.listen), and exit 0 when it answers 200: the image's HEALTHCHECK, whatever port the
config chose."""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request

from monitor.cli.common import add_config_option, config_path
from monitor.config import load_file

# The address to ask when the listener binds every interface.
_ANY = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1", "[::]": "::1"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "healthcheck",
        help="exit 0 when the running service's /healthz answers 200 (for container health)",
    )
    p.add_argument("--timeout", type=float, default=4.0, help="seconds to wait (default 4)")
    add_config_option(p)
    p.set_defaults(func=main)


def health_url(listen: str) -> str:
    host, _, port = listen.rpartition(":")
    host = _ANY.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main(args: argparse.Namespace) -> int:
    cfg = load_file(config_path(args))
    if cfg.http.listen is None:
        print("monitor: http.listen is off in the config: nothing to ask", file=sys.stderr)
        return 2
    url = health_url(cfg.http.listen)
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        print(f"unhealthy: {url}: {reason}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status}", file=sys.stderr)
        return 1
    print(f"healthy: {url}")
    return 0
