"""The peers the farm benchmark runs beside monitor: rss2email and feed2exec, each installed from
the package index into its own virtual environment under the cache folder (never committed),
and pointed at the same farm.

Each peer is given the farm's feeds in its own config format, and run once per pass, as cron
would run it. Neither fetches article pages nor detects anything: rss2email builds each new
item's email and records it as seen (`run --no-send`), feed2exec runs its null output plugin
on each new item. What they share with monitor is the poll path: a conditional GET, feedparser,
and recording which items are new.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Versions the README's figures were measured with.
PINS = {"rss2email": "rss2email==3.14", "feed2exec": "feed2exec==0.23.0"}


@dataclass
class Peer:
    """One peer: where it is installed, how to configure it for a farm, and its command."""

    name: str
    home: Path  # its virtual environment
    work: Path  # its config and state for this run

    @classmethod
    def install(cls, name: str, cache: Path, work: Path) -> Peer:
        """Install (once: the environment is reused) or raise RuntimeError saying why not."""
        home = cache / name
        marker = home / ".installed"
        if not marker.exists():
            venv.create(home, with_pip=True, clear=True)
            done = subprocess.run(
                [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", PINS[name]],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise RuntimeError(f"pip install {PINS[name]} failed: {done.stderr[-500:]}")
            marker.write_text(PINS[name])
        work.mkdir(parents=True, exist_ok=True)
        return cls(name, home, work)

    def configure(self, urls: Sequence[str]) -> None:
        """Write the peer's feed list and an empty state for these feed URLs."""
        if self.name == "rss2email":
            sections = "".join(
                f"[feed.f{i}]\nurl = {url}\nto = desk@localhost\n\n" for i, url in enumerate(urls)
            )
            (self.work / "r2e.cfg").write_text(
                "[DEFAULT]\nto = desk@localhost\nfrom = monitor-bench@localhost\n"
                "email-protocol = sendmail\nsendmail = /bin/true\nfeed-timeout = 20\n\n" + sections
            )
            data = {
                "version": 2,
                "feeds": [
                    {"name": f"f{i}", "etag": None, "modified": None, "seen": {}}
                    for i in range(len(urls))
                ],
            }
            (self.work / "r2e.json").write_text(json.dumps(data))
        else:
            sections = "".join(
                f"[f{i}]\nurl = {url}\noutput = feed2exec.plugins.null\n\n"
                for i, url in enumerate(urls)
            )
            (self.work / "feed2exec.ini").write_text(sections)
            (self.work / "feed2exec.db").unlink(missing_ok=True)

    def command(self) -> list[str]:
        """One pass over every feed."""
        if self.name == "rss2email":
            return [
                str(self.home / "bin" / "r2e"),
                "-c",
                str(self.work / "r2e.cfg"),
                "-d",
                str(self.work / "r2e.json"),
                "run",
                "--no-send",
            ]
        return [
            str(self.home / "bin" / "feed2exec"),
            "--config",
            str(self.work / "feed2exec.ini"),
            "--database",
            str(self.work / "feed2exec.db"),
            "fetch",
        ]

    @property
    def env(self) -> dict[str, str]:
        # XDG folders inside the run's folder: feed2exec keeps its HTTP cache there.
        return {"XDG_CACHE_HOME": str(self.work / "cache"), "HOME": str(self.work)}


def version_line() -> str:
    return f"python {sys.version.split()[0]}; " + ", ".join(PINS.values())
