"""Paths in a config are relative to the config file's folder, whatever the working folder; only
SQLite and PostgreSQL stores are accepted; a key written twice and a feed URL configured twice
are errors naming where."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from monitor.config import Config, load, load_file, resolve_secret
from monitor.errors import ConfigError, StoreError
from monitor.store.marker import MARKER_NAME, marker_path, open_checked, open_existing

DESTINATIONS = """\
notify:
  destinations:
    desk: {type: slack, channel: C1, token_file: secrets/slack}
    hook: {type: slack_webhook, url_file: secrets/hook}
    mail: {type: email, host: smtp.example.org, from: a@example.org, to: [b@example.org],
           password_file: secrets/smtp, ca_file: certs/ca.pem}
    siem: {type: webhook, url: "https://siem.example.org/h", secret_file: /run/secrets/siem}
"""


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder that is not the config's."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "monitor.yaml"
    path.write_text(text)
    return path


def test_relative_paths_follow_the_config_file_not_the_working_folder(
    tmp_path: Path, elsewhere: Path
) -> None:
    conf = tmp_path / "etc"
    path = _write(
        conf,
        "store:\n  url: sqlite:///state/monitor.sqlite3\n  marker: state-marker.json\n"
        "detection:\n  rules: [rules/mine.yaml, /abs/rules.yaml]\n" + DESTINATIONS,
    )
    # Given as a relative path too, from the working folder: still the config's folder.
    relative = Path("..") / "etc" / "monitor.yaml"
    for cfg in (load_file(path), load_file(relative)):
        assert cfg.store.url == f"sqlite:///{conf / 'state' / 'monitor.sqlite3'}"
        assert cfg.store.url_as_written == "sqlite:///state/monitor.sqlite3"
        assert cfg.store.marker == str(conf / "state-marker.json")
        assert cfg.rule_paths() == [conf / "rules" / "mine.yaml", Path("/abs/rules.yaml")]
        dest = cfg.notify.destinations
        assert dest["desk"].token_file == str(conf / "secrets" / "slack")  # type: ignore[union-attr]
        assert dest["hook"].url_file == str(conf / "secrets" / "hook")  # type: ignore[union-attr]
        assert dest["mail"].password_file == str(conf / "secrets" / "smtp")  # type: ignore[union-attr]
        assert dest["mail"].ca_file == str(conf / "certs" / "ca.pem")  # type: ignore[union-attr]
        assert dest["siem"].secret_file == "/run/secrets/siem"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param(None, "sqlite:///{conf}/data/monitor.sqlite3", id="default"),
        pytest.param("sqlite:///s.db", "sqlite:///{conf}/s.db", id="sqlite-relative"),
        pytest.param("sqlite:///../var/s.db", "sqlite:///{conf}/../var/s.db", id="parent"),
        pytest.param("sqlite://s.db", "sqlite:///{conf}/s.db", id="two-slashes"),
        pytest.param("state/s.db", "sqlite:///{conf}/state/s.db", id="plain-path"),
        pytest.param("sqlite:////var/s.db", "sqlite:////var/s.db", id="absolute"),
        pytest.param("/var/s.db", "/var/s.db", id="plain-absolute"),
        pytest.param(":memory:", ":memory:", id="memory"),
        pytest.param("postgresql://mon@db:5432/m", "postgresql://mon@db:5432/m", id="postgresql"),
        pytest.param("postgres://mon@db/m", "postgres://mon@db/m", id="postgres"),
    ],
)
def test_store_urls_accepted_and_where_they_point(
    tmp_path: Path, elsewhere: Path, written: str | None, expected: str
) -> None:
    text = f"store:\n  url: {json.dumps(written)}\n" if written is not None else "polling: {}\n"
    cfg = load_file(_write(tmp_path / "conf", text))
    assert cfg.store.url == expected.format(conf=tmp_path / "conf")


def test_a_config_that_is_not_a_file_keeps_its_paths_as_written() -> None:
    cfg = load("store: {url: 'sqlite:///s.db', marker: m.json}\ndetection: {rules: [r.yaml]}\n")
    assert (cfg.store.url, cfg.store.marker, cfg.rule_paths()) == (
        "sqlite:///s.db",
        "m.json",
        [Path("r.yaml")],
    )


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        pytest.param("mysql://monitor:hunter2@db/monitor", "'mysql'", id="mysql"),
        pytest.param("file:///var/monitor.db", "'file'", id="file"),
        pytest.param("https://db.example.org/x", "'https'", id="https"),
        pytest.param("sqlite:data.db", "'sqlite'", id="sqlite-without-slashes"),
        pytest.param("sqlite:///", None, id="no-file"),
    ],
)
def test_any_other_store_url_is_an_error_listing_what_is_accepted(
    url: str, scheme: str | None
) -> None:
    with pytest.raises(ConfigError) as info:
        load(f"polling: {{}}\nstore:\n  url: {json.dumps(url)}\n", "c.yaml")
    message = str(info.value)
    assert message.startswith("c.yaml:3: store.url: ")
    what = f"scheme {scheme} is not a store monitor can use" if scheme else "names no file"
    assert what in message
    assert "sqlite:///PATH" in message and "postgresql://USER@HOST:5432/DBNAME" in message
    assert "hunter2" not in message  # a URL may carry a password


def test_a_rejected_store_url_creates_nothing(tmp_path: Path, elsewhere: Path) -> None:
    path = _write(tmp_path / "conf", "store:\n  url: mysql://x/y\n")
    with pytest.raises(ConfigError):
        load_file(path)
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in path.parent.iterdir()) == [
        "monitor.yaml"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "store:\n  url: a.db\npolling:\n  interval: 5m\nstore:\n  url: b.db\n",
            "c.yaml:5: store: written twice, on lines 1 and 5; YAML would silently keep only the "
            "second: remove or merge one",
            id="top-level",
        ),
        pytest.param(
            "polling:\n  interval: 5m\n  timeout: 10s\n  interval: 1m\n",
            "c.yaml:4: polling.interval: written twice, on lines 2 and 4",
            id="nested",
        ),
        pytest.param(
            "feeds:\n  - name: a\n    url: https://a.example/f\n    name: b\n",
            "c.yaml:4: feeds.0.name: written twice, on lines 2 and 4",
            id="in-a-list",
        ),
        pytest.param(
            "notify:\n  destinations:\n    desk: {type: console}\n    desk: {type: console}\n",
            "c.yaml:4: notify.destinations.desk: written twice, on lines 3 and 4",
            id="destination",
        ),
    ],
)
def test_a_key_written_twice_is_an_error_naming_both_lines(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(text, "c.yaml")
    assert expected in str(info.value)


def test_yaml_merge_keys_are_not_duplicates() -> None:
    cfg = load("polling:\n  <<: {interval: 5m}\n  timeout: 10s\n", "c.yaml")
    assert (cfg.polling.interval, cfg.polling.timeout) == (300.0, 10.0)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("https://news.example/feed/", "https://news.example/feed", id="slash"),
        pytest.param("https://News.Example/feed", "HTTPS://news.example/feed", id="case"),
        pytest.param("http://news.example:80/rss", "http://news.example/rss", id="default-port"),
        pytest.param("https://news.example/rss", "https://news.example/rss", id="identical"),
    ],
)
def test_one_feed_url_under_two_names_is_an_error_naming_both(first: str, second: str) -> None:
    text = f"feeds:\n  - name: Wire\n    url: {first}\n  - name: Wire again\n    url: {second}\n"
    with pytest.raises(ConfigError) as info:
        load(text, "c.yaml")
    assert str(info.value).startswith(
        f"c.yaml:5: feeds.1.url: feeds 'Wire' and 'Wire again' have the same URL ({second}): "
        "each article would count as two outlets"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("https://news.example/feed", "https://news.example/feed2", id="path"),
        pytest.param("https://news.example/Feed", "https://news.example/feed", id="path-case"),
        pytest.param("https://news.example/f?lang=en", "https://news.example/f?lang=ko", id="q"),
        pytest.param("http://news.example:8080/f", "http://news.example/f", id="port"),
    ],
)
def test_different_feed_urls_are_two_feeds(first: str, second: str) -> None:
    text = f"feeds:\n  - {{name: a, url: '{first}'}}\n  - {{name: b, url: '{second}'}}\n"
    assert len(load(text).feeds) == 2


def test_a_duplicate_feed_name_names_its_line() -> None:
    text = "feeds:\n  - {name: a, url: 'https://a/1'}\n  - name: a\n    url: 'https://a/2'\n"
    with pytest.raises(ConfigError, match=r"^c\.yaml:3: feeds\.1\.name: feed name 'a' is used"):
        load(text, "c.yaml")


def test_a_relative_secret_file_is_read_from_the_config_folder(
    tmp_path: Path, elsewhere: Path
) -> None:
    conf = tmp_path / "conf"
    (conf / "secrets").mkdir(parents=True)
    (conf / "secrets" / "slack").write_text("xoxb-from-the-config-folder\n")
    cfg = load_file(_write(conf, DESTINATIONS))
    desk = cfg.notify.destinations["desk"]
    assert resolve_secret("desk", None, desk.token_file, "token") == (  # type: ignore[union-attr]
        "xoxb-from-the-config-folder"
    )


async def test_the_store_and_its_marker_are_the_same_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "conf"
    path = _write(conf, "store:\n  url: sqlite:///state/monitor.sqlite3\n")
    for cwd in (tmp_path / "a", tmp_path / "b"):
        cwd.mkdir()
        monkeypatch.chdir(cwd)
        cfg = load_file(path)
        assert marker_path(cfg) == conf / MARKER_NAME
        store = await open_checked(cfg)
        await store.close()
        assert list(cwd.iterdir()) == []
    recorded = json.loads((conf / MARKER_NAME).read_text())["stores"]
    assert list(recorded) == [f"sqlite:///{(conf / 'state' / 'monitor.sqlite3').resolve()}"]
    monkeypatch.chdir(tmp_path)
    await (await open_existing(load_file(path))).close()


async def test_a_store_left_where_the_working_folder_put_it_is_refused_until_moved(
    tmp_path: Path, elsewhere: Path
) -> None:
    """Relative store paths used to follow the working folder: a store still there must not be
    silently replaced by an empty one in the config's folder, which would alert again."""
    conf = tmp_path / "conf"
    path = _write(conf, "store:\n  url: sqlite:///state/monitor.sqlite3\n")
    old = elsewhere / "state" / "monitor.sqlite3"
    # An earlier run of this config, when the path followed the working folder:
    as_before = {"url": "sqlite:///state/monitor.sqlite3", "marker": str(conf / MARKER_NAME)}
    await (await open_checked(load(json.dumps({"store": as_before})))).close()
    assert old.exists()
    cfg = load_file(path)
    new = tmp_path / "conf" / "state" / "monitor.sqlite3"
    for opener in (open_checked, open_existing):
        with pytest.raises(StoreError) as refused:
            await opener(cfg)
        message = str(refused.value)
        assert message.startswith(f"store {new} does not exist, but {old} does")
        assert "is a relative path, which is relative to the config file's folder" in message
        assert f"move it to {new} (with its -wal and -shm files)" in message
    assert f"and {conf / MARKER_NAME} records it as this config's store" in await message_of(cfg)
    assert "monitor run --new-store" in await message_of(cfg)
    assert not new.exists()
    await (await open_checked(cfg, new_store=True)).close()  # on purpose
    assert new.exists()
    await (await open_checked(cfg)).close()  # and from then on, it is the known store


async def message_of(cfg: Config) -> str:
    with pytest.raises(StoreError) as refused:
        await open_checked(cfg)
    return str(refused.value)


async def test_a_file_the_marker_never_recorded_is_only_warned_about(
    tmp_path: Path, elsewhere: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A config whose marker was never written (a read-only config folder), or a new config whose
    relative store path happens to name a file in the working folder: a warning, no refusal."""
    (elsewhere / "data").mkdir()
    await (await open_checked(load("store: {url: 'sqlite:///data/monitor.sqlite3'}"))).close()
    path = _write(tmp_path / "conf", "feeds: []\n")  # the default store.url, data/...
    with caplog.at_level(logging.WARNING, logger="monitor.store.marker"):
        await (await open_checked(load_file(path))).close()
    new = tmp_path / "conf" / "data" / "monitor.sqlite3"
    assert new.exists()
    assert f"starting on a new store at {new}, but {elsewhere / 'data' / 'monitor.sqlite3'} " in (
        caplog.text
    )
    assert "alerts already sent would be sent again" in caplog.text
