"""The commands as a cron job or a newcomer types them, from any folder: one config, one store.

`monitor status -c /elsewhere/monitor.yaml` used to print "not polled yet" and create a new
empty store in the working folder; a cron job started elsewhere would have alerted everything
again. Relative paths are now the config file's folder's, in every command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.servers import loopback
from tests.servers.http import FeedServer


def monitor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


def _folders(tmp_path: Path, *names: str) -> list[Path]:
    made = [tmp_path / n for n in names]
    for folder in made:
        folder.mkdir()
    return made


def _config(folder: Path, outlets: FeedServer, extra: str = "") -> Path:
    path = folder / "monitor.yaml"
    path.write_text(
        "store:\n  url: sqlite:///state/monitor.sqlite3\n"
        + loopback.NETWORK_YAML
        + "http:\n  listen: null\n"
        + "feeds:\n"
        + f"  - {{name: AP, url: '{outlets.url('/ap/rss.xml')}'}}\n"
        + f"  - {{name: Newsweek, url: '{outlets.url('/nw/rss.xml')}'}}\n"
        + extra
    )
    return path


def test_once_status_and_alerts_from_other_folders_share_the_configs_store(
    tmp_path: Path, outlets: FeedServer
) -> None:
    conf, cron, desk, later = _folders(tmp_path, "conf", "cron", "desk", "later")
    config = _config(conf, outlets)
    store = conf / "state" / "monitor.sqlite3"

    first = monitor("once", "-c", str(config), cwd=cron)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("=== ALERT [missile_launch] ===") == 1
    assert store.exists()

    status = monitor("status", "-c", "../conf/monitor.yaml", cwd=desk)
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith(f"STORE  {store}\n")
    assert "AP: last poll" in status.stdout and "not polled yet" not in status.stdout
    assert "2 outlets" in status.stdout

    listed = monitor("alerts", "-c", str(config), "list", "--all", cwd=desk)
    assert listed.returncode == 0, listed.stderr
    assert "sent" in listed.stdout

    again = monitor("once", "-c", str(config), cwd=later)
    assert again.returncode == 0, again.stderr
    assert "=== ALERT" not in again.stdout  # the same store: nothing is alerted twice
    for folder in (cron, desk, later):
        assert list(folder.iterdir()) == [], f"{folder} got {list(folder.iterdir())}"


def test_check_config_reads_a_relative_secret_file_from_the_config_folder(
    tmp_path: Path, outlets: FeedServer
) -> None:
    conf, elsewhere = _folders(tmp_path, "conf", "elsewhere")
    (conf / "secrets").mkdir()
    (conf / "secrets" / "slack").write_text("xoxb-relative-secret\n")
    config = _config(
        conf,
        outlets,
        "notify:\n  destinations:\n"
        "    desk: {type: slack, channel: C0123456789, token_file: secrets/slack}\n",
    )
    checked = monitor("check-config", str(config), cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr
    assert "destinations: desk" in checked.stdout
    assert "xoxb-relative-secret" not in checked.stdout + checked.stderr


def test_an_unknown_store_scheme_is_refused_and_creates_nothing(
    tmp_path: Path, outlets: FeedServer
) -> None:
    conf, elsewhere = _folders(tmp_path, "conf", "elsewhere")
    config = (
        _config(conf, outlets)
        .read_text()
        .replace("sqlite:///state/monitor.sqlite3", "mysql://monitor:hunter2@db/monitor")
    )
    (conf / "monitor.yaml").write_text(config)
    for command in ("check-config", "once"):
        result = monitor(
            command, *(["-c"] if command == "once" else []), "../conf/monitor.yaml", cwd=elsewhere
        )
        assert result.returncode == 2
        assert "../conf/monitor.yaml:2: store.url: scheme 'mysql' is not a store" in result.stderr
        assert "postgresql://" in result.stderr and "hunter2" not in result.stderr
        assert "Traceback" not in result.stderr
    assert list(elsewhere.iterdir()) == [] and [p.name for p in conf.iterdir()] == ["monitor.yaml"]


def test_a_key_written_twice_fails_check_config(tmp_path: Path, outlets: FeedServer) -> None:
    config = _config(tmp_path, outlets, "http:\n  listen: 127.0.0.1:0\n")
    result = monitor("check-config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{config}:10: http: written twice, on lines 5 and 10" in result.stderr
