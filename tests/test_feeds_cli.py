"""`monitor feeds add` and `monitor feeds test` as a newcomer types them: no tracebacks, feeds
fetched and named by their own titles, one failing article does not end the test."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.servers import loopback
from tests.servers.http import FeedServer, Reply
from tests.servers.news import page, rss

ROOT = Path(__file__).resolve().parents[1]
WHEN = datetime(2022, 1, 5, 1, 30, tzinfo=UTC)


def monitor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture
def config(tmp_path: Path, outlets: FeedServer) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(
        "# the desk's config\n"
        + loopback.NETWORK_YAML
        + f"feeds:\n  - name: AP  # the wire\n    url: {outlets.url('/ap/rss.xml')}\n"
    )
    return path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("not-a-url", id="no-scheme"),
        pytest.param("ftp://news.example/feed.xml", id="ftp"),
        pytest.param("https://", id="no-host"),
    ],
)
def test_add_refuses_what_is_not_an_http_url_without_a_traceback(config: Path, url: str) -> None:
    before = config.read_text()
    result = monitor("feeds", "-c", str(config), "add", url, "--name", "x")
    assert result.returncode == 2
    assert result.stderr == (
        f"monitor: {url!r} is not a feed URL monitor can poll: give the feed's http:// or "
        "https:// address, e.g. https://example.com/feed.xml\n"
    )
    assert config.read_text() == before


def test_add_fetches_the_feed_and_names_it_by_its_title(config: Path, outlets: FeedServer) -> None:
    added = monitor("feeds", "-c", str(config), "add", outlets.url("/nw/rss.xml"))
    assert added.returncode == 0, added.stderr
    assert f"fetched {outlets.url('/nw/rss.xml')}: feed 'Newsweek', 3 entries" in added.stdout
    assert f"added 'Newsweek' ({outlets.url('/nw/rss.xml')})" in added.stdout
    assert outlets.requests_to("/nw/rss.xml"), "the feed was fetched"
    text = config.read_text()
    assert "# the wire" in text and "- name: Newsweek\n" in text

    # Another feed with a title already in use gets a name of its own.
    outlets.set("/ap2/rss.xml", rss(outlets, "AP", []))
    second = monitor("feeds", "-c", str(config), "add", outlets.url("/ap2/rss.xml"))
    assert second.returncode == 0, second.stderr
    assert "added 'AP (2)'" in second.stdout
    assert monitor("check-config", str(config)).returncode == 0


def test_add_with_a_name_keeps_it_and_checks_with_the_feeds_headers(
    config: Path, outlets: FeedServer
) -> None:
    url = outlets.url("/nw/rss.xml")
    added = monitor("feeds", "-c", str(config), "add", url, "--name", "NW", "--header", "X-Key=k")
    assert added.returncode == 0, added.stderr
    assert "added 'NW'" in added.stdout
    assert outlets.requests_to("/nw/rss.xml")[-1].headers["X-Key"] == "k"


def test_add_refuses_a_page_that_is_not_a_feed(config: Path, outlets: FeedServer) -> None:
    before = config.read_text()
    url = outlets.url("/ap/nk-missile.html")
    result = monitor("feeds", "-c", str(config), "add", url)
    assert result.returncode == 2
    assert result.stderr.startswith(f"monitor: not added: {url}: not a feed")
    assert result.stderr.endswith("To add it without fetching it, pass --no-check\n")
    assert "Traceback" not in result.stderr
    assert config.read_text() == before


def test_add_refuses_a_feed_it_cannot_reach_unless_told_not_to_check(config: Path) -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}/rss.xml"
    refused = monitor("feeds", "-c", str(config), "add", url)
    assert refused.returncode == 2
    assert "connection refused; the server is down or the port in the URL is wrong" in (
        refused.stderr
    )
    assert "--no-check" in refused.stderr
    unchecked = monitor("feeds", "-c", str(config), "add", url, "--no-check")
    assert unchecked.returncode == 0, unchecked.stderr
    assert f"added '127.0.0.1' ({url})" in unchecked.stdout


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(lambda u: u.replace("http://127.0.0.1", "HTTP://127.0.0.1"), id="case"),
        pytest.param(lambda u: u + "/", id="trailing-slash"),
    ],
)
def test_add_knows_a_feed_already_there_in_another_spelling(
    config: Path, outlets: FeedServer, spelling: object
) -> None:
    url = spelling(outlets.url("/ap/rss.xml"))  # type: ignore[operator]
    result = monitor("feeds", "-c", str(config), "add", url)
    assert result.returncode == 2
    assert "is already in" in result.stderr and "as feed 'AP'" in result.stderr
    assert not outlets.requests_to("/ap/rss.xml/"), "refused before fetching"


def test_test_takes_a_configured_feeds_name(config: Path) -> None:
    tested = monitor("feeds", "-c", str(config), "test", "AP")
    assert tested.returncode == 0, tested.stderr
    assert "feed 'AP'" in tested.stdout
    assert "detection: MATCH" in tested.stdout


def test_test_names_the_feeds_when_given_neither_a_name_nor_a_url(config: Path) -> None:
    tested = monitor("feeds", "-c", str(config), "test", "Reuters")
    assert tested.returncode == 2
    assert "'Reuters' is neither the name of a feed in" in tested.stderr
    assert "(feeds: AP)" in tested.stderr


def test_test_reports_an_article_that_fails_and_goes_on_to_the_next(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(loopback.NETWORK_YAML)
    with FeedServer() as server:
        text = "North Korea fired a ballistic missile into the sea on Wednesday, Japan said."
        items = [
            ("Gone", "/gone.html", "a story", WHEN),
            ("Broken", "/broken.html", "another", WHEN),
            ("Launch", "/launch.html", text, WHEN),
        ]
        server.set("/rss.xml", rss(server, "Desk", items))
        server.set("/gone.html", b"gone", status=404)
        server.script("/broken.html", [Reply(drop=True)])
        server.set("/launch.html", page("North Korea fires ballistic missile", "Desk", text))
        tested = monitor("feeds", "-c", str(config), "test", server.url("/rss.xml"))
    assert tested.returncode == 0, tested.stderr
    lines = tested.stdout.splitlines()
    failed = [line for line in lines if line.startswith("article failed: ")]
    assert len(failed) == 2
    assert failed[0].endswith(
        "/gone.html: HTTP 404: nothing at this address (any more); check "
        "the URL, or find the site's current one"
    )
    assert "/broken.html: the connection failed" in failed[1]
    assert any(line.startswith("extracted ") and "/launch.html" in line for line in lines)
    assert "detection: " in tested.stdout


def test_test_exits_1_when_no_article_can_be_fetched(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(loopback.NETWORK_YAML)
    with FeedServer() as server:
        items = [(f"Story {i}", f"/s{i}.html", "text", WHEN) for i in range(7)]
        server.set("/rss.xml", rss(server, "Desk", items))
        tested = monitor("feeds", "-c", str(config), "test", server.url("/rss.xml"))
        tried = [r.path for r in server.requests if r.path.startswith("/s")]
    assert tested.returncode == 1
    assert tested.stdout.count("article failed: ") == 5 and len(tried) == 5
    assert "none of the first 5 articles could be fetched" in tested.stdout
    assert "full_text: false" in tested.stdout


def test_test_of_an_unreachable_feed_says_why_without_a_traceback(config: Path) -> None:
    port = _closed_port()
    tested = monitor("feeds", "-c", str(config), "test", f"http://127.0.0.1:{port}/rss.xml")
    assert tested.returncode == 2
    assert "connection refused; the server is down or the port in the URL is wrong" in (
        tested.stderr
    )
    assert "Traceback" not in tested.stderr


def test_test_says_when_title_and_summary_spare_the_page(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(loopback.NETWORK_YAML)
    summary = (
        "Lawmakers argued on Tuesday over how much to spend on missile defence next year, "
        "with the finance committee asking the ministry to explain the cost of interceptors."
    )
    with FeedServer() as server:
        items = [("Parliament debates the missile defence budget", "/budget.html", summary, WHEN)]
        server.set("/rss.xml", rss(server, "Desk", items))
        server.set("/budget.html", page("Parliament debates the budget", "Desk", summary))
        tested = monitor("feeds", "-c", str(config), "test", server.url("/rss.xml"))
    assert tested.returncode == 0, tested.stderr
    assert "title and summary: they show no launch; the service would not fetch its page" in (
        tested.stdout
    )
    assert "detection: no match" in tested.stdout
