"""The commands as a user types them: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.news import AP_TITLE, UNRELATED, page

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "seeds"


def monitor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def test_check_config_accepts_the_shipped_config() -> None:
    result = monitor("check-config", "config/monitor.yaml")
    assert result.returncode == 0, result.stderr
    assert (
        "config/monitor.yaml: ok: 12 feeds (12 enabled), 1 rule sets in 21 languages"
        in result.stdout
    )
    assert "destinations: console" in result.stdout


def test_check_config_rejects_a_broken_rules_file(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - name: x\n    bogus: 1\n")
    (tmp_path / "monitor.yaml").write_text("detection:\n  rules: [rules.yaml]\n")
    result = monitor("check-config", str(tmp_path / "monitor.yaml"))
    assert result.returncode == 2
    assert "rules.yaml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "the config file is empty", id="empty"),
        pytest.param(
            "# the desk config\n\n   \n# feeds: soon\n", "the config file is empty", id="comments"
        ),
        pytest.param("feeds: []\n", "no feeds: the service would watch nothing", id="no-feeds"),
        pytest.param("http:\n  listen: null\n", "no feeds", id="feeds-left-out"),
    ],
)
def test_check_config_fails_a_file_the_service_would_refuse(
    tmp_path: Path, text: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.cli import main

    path = tmp_path / "monitor.yaml"
    path.write_text(text)
    assert main(["check-config", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"monitor: {path}: {expected}")
    fix = "Was it truncated" if "empty" in expected else f"monitor feeds add URL -c {path}"
    assert fix in err
    assert "ok:" not in out


@pytest.mark.parametrize(
    ("title", "text", "detected"),
    [
        pytest.param(
            AP_TITLE, (SEEDS / "ap-2022-01-05-north-korea-missile.txt").read_text(), True, id="seed"
        ),
        pytest.param(*UNRELATED["phone"], False, id="product-launch"),
        pytest.param(*UNRELATED["derby"], False, id="fans-threw-missiles"),
    ],
)
def test_scan_a_url_explains_the_verdict(
    tmp_path: Path, title: str, text: str, detected: bool
) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(loopback.NETWORK_YAML)
    with FeedServer() as server:
        server.set("/a.html", page(title, "Outlet", text))
        result = monitor(
            "scan",
            server.url("/a.html"),
            "--published",
            "2022-01-05T02:00:00Z",
            "--json",
            "-c",
            str(config),
        )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["title"] == title
    assert out["detected"] is detected
    assert out["explanation"], "every verdict says why"
    if detected:
        assert out["event"]["actor"] == "north-korea"
        assert out["event"]["date"] == "2022-01-05"


def test_scan_a_text_file_in_words(tmp_path: Path) -> None:
    article = tmp_path / "report.txt"
    article.write_text(
        AP_TITLE + "\n" + (SEEDS / "ap-2022-01-05-north-korea-missile.txt").read_text()
    )
    result = monitor("scan", str(article), "--published", "2022-01-05T02:00:00Z")
    assert result.returncode == 0, result.stderr
    assert "DETECTED missile_launch/test: actor=north-korea" in result.stdout
    assert "date=2022-01-05" in result.stdout
    assert "why:" in result.stdout


def test_scan_a_missing_file_says_what_to_do() -> None:
    result = monitor("scan", "no/such/article.html")
    assert result.returncode == 2
    assert "no/such/article.html: cannot read" in result.stderr
    assert "give a URL or a readable file" in result.stderr


def test_feeds_add_list_test_remove_keep_the_users_comments(
    tmp_path: Path, outlets: FeedServer
) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "# desk config\nstore:\n  url: sqlite:///"
        + str(tmp_path / "s.sqlite3")
        + "\n"
        + loopback.NETWORK_YAML
        + "feeds:\n  - name: AP  # the wire\n    url: "
        + outlets.url("/ap/rss.xml")
        + "\n"
    )
    added = monitor(
        "feeds",
        "-c",
        str(config),
        "add",
        outlets.url("/nw/rss.xml"),
        "--name",
        "Newsweek",
        "--tags",
        "asia,weekly",
    )
    assert added.returncode == 0, added.stderr
    listed = monitor("feeds", "-c", str(config), "list")
    assert "AP" in listed.stdout and "Newsweek" in listed.stdout
    assert "asia" in listed.stdout

    tested = monitor("feeds", "-c", str(config), "test", outlets.url("/nw/rss.xml"))
    assert tested.returncode == 0, tested.stderr
    assert "North Korea" in tested.stdout

    duplicate = monitor("feeds", "-c", str(config), "add", outlets.url("/nw/rss.xml"))
    assert duplicate.returncode != 0
    assert "already" in (duplicate.stderr + duplicate.stdout)

    removed = monitor("feeds", "-c", str(config), "remove", "AP")
    assert removed.returncode == 0, removed.stderr
    text = config.read_text()
    assert "# desk config" in text and "Newsweek" in text and "name: AP" not in text
    assert monitor("check-config", str(config)).returncode == 0
