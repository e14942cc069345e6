"""One real `monitor run` for a module of console tests: the demo's two outlets (the 5 and 11
January 2022 launches), a feed whose launch report has a hostile title, and a third feed on the
same server that tests add through the console. Writes are on: a token and a user with a
password, both read from the environment as the config says."""

from __future__ import annotations

import html
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from monitor.demo import DemoServer
from tests.servers.http import FeedServer
from tests.servers.loopback import NETWORK_YAML
from tests.servers.news import page, rss

TOKEN = "console-test-token-0123456789"
PASSWORD = "correct horse battery staple"
HOSTILE = "<script>document.title='pwned'</script>North Korea fires two ballistic missiles"
HOSTILE_TEXT = (
    "North Korea fired two short-range ballistic missiles into the sea on Monday, South "
    "Korea's military said, its fourth launch this month.\n"
    "The missiles flew about 380 kilometres at an altitude of 42 kilometres, the Joint Chiefs "
    "of Staff said."
)


@dataclass
class Running:
    url: str
    folder: Path
    feeds: FeedServer
    process: subprocess.Popen[bytes]
    opened: list[httpx.Client] = field(default_factory=list)

    @property
    def labels(self) -> Path:
        return self.folder / "data" / "labels.jsonl"

    @property
    def config(self) -> Path:
        return self.folder / "monitor.yaml"

    def client(self, **kw: object) -> httpx.Client:
        """A client of the service, closed when the module's tests end."""
        client = httpx.Client(base_url=self.url, timeout=60, **kw)  # type: ignore[arg-type]
        self.opened.append(client)
        return client

    def authed(self) -> httpx.Client:
        return self.client(headers={"Authorization": f"Bearer {TOKEN}"})

    def wait(self, what: str, check: object, timeout: float = 90.0) -> None:
        """Poll until `check()` is true (the service works on its own schedule)."""
        deadline = time.monotonic() + timeout
        while not check():  # type: ignore[operator]
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"gave up waiting for {what}; log:\n{self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        return (self.folder / "service.log").read_text(errors="replace")[-4000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_extra_feeds(server: FeedServer) -> None:
    """/hostile/rss.xml (a launch report with a script in its title) and /extra/rss.xml (one
    unrelated story, for adding through the console)."""
    when = datetime(2022, 1, 17, 1, 0, tzinfo=UTC)
    server.set("/hostile/nk.html", page(HOSTILE, "Hostile", HOSTILE_TEXT))
    lede = HOSTILE_TEXT.split("\n")[0]
    # Escaped once more than the feed format needs, so that the parsed title is the markup
    # itself, as text (a feed's own markup in a title is stripped by the parser).
    title = html.escape(HOSTILE)
    server.set(
        "/hostile/rss.xml", rss(server, "Hostile", [(title, "/hostile/nk.html", lede, when)])
    )
    server.set("/extra/bake.html", page("Ten ways to bake bread", "Extra", "Flour, water, salt."))
    server.set(
        "/extra/rss.xml",
        rss(server, "Extra", [("Ten ways to bake bread", "/extra/bake.html", "Flour.", when)]),
    )


# The demo's reports: two outlets' of the 5 January launch, one each of the 11th and the 17th.
DEMO_REPORTS = 4


def start(folder: Path) -> Iterator[Running]:
    demo = DemoServer(delay_scale=0.0).start()
    feeds = FeedServer().start()
    serve_extra_feeds(feeds)
    port = free_port()
    listed = "".join(f"  - name: {n}\n    url: {u}\n" for n, u in demo.feed_urls().items())
    (folder / "monitor.yaml").write_text(
        "# written by the console tests; comments must survive the console's edits\n"
        f"http:\n  listen: 127.0.0.1:{port}\n"
        "web:\n  token_env: MONITOR_TEST_WEB_TOKEN\n  username: editor\n"
        "  password_env: MONITOR_TEST_WEB_PASSWORD\n"
        "polling:\n  interval: 2\n  min_interval: 1\n  timeout: 5\n"
        "notify:\n  delivery:\n    followup_cooldown: 1\n"
        "logging:\n  level: info\n  format: json\n"
        f"{NETWORK_YAML}"
        "feeds:\n"
        f"{listed}"
        f"  - name: Hostile <b>Times</b>\n    url: {feeds.url('/hostile/rss.xml')}\n"
    )
    env = {
        **os.environ,
        "MONITOR_TEST_WEB_TOKEN": TOKEN,
        "MONITOR_TEST_WEB_PASSWORD": PASSWORD,
    }
    with (folder / "service.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "-c", str(folder / "monitor.yaml")],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
        )
    running = Running(f"http://127.0.0.1:{port}", folder, feeds, process)
    try:
        running.wait("three events alerted", lambda: _settled(running), timeout=120)
        yield running
    finally:
        for client in running.opened:
            client.close()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        feeds.stop()
        demo.stop()


def _settled(running: Running) -> bool:
    """Three events, each with its first alert sent, holding the demo's four reports (the
    second outlet's report of the 5 January launch may come in a poll after the alerts)."""
    try:
        answer = httpx.get(running.url + "/api/v1/events", timeout=2)
    except httpx.HTTPError:
        return False
    items = answer.json()["items"] if answer.status_code == 200 else []
    return (
        len(items) >= 3
        and all(e["alerts"] == {"console": "sent"} for e in items)
        and sum(e["reports"] for e in items) >= DEMO_REPORTS
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The service, shared by every test of a module."""
    yield from start(tmp_path_factory.mktemp("console"))
