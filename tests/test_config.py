"""Config loading: what a user sees for a good file and for each kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load, load_file, resolve_secret
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_is_valid() -> None:
    cfg = load_file(ROOT / "config" / "monitor.yaml")
    feeds = cfg.feed_objects()
    assert len(feeds) >= 10
    assert all(f.url.startswith("https://") for f in feeds)
    assert cfg.rule_paths() == [ROOT / "config" / "rules" / "missile_launch.yaml"]
    assert cfg.rule_paths()[0].exists()
    assert cfg.notify.destinations == {}  # console until the user adds Slack or email


def test_durations_and_defaults() -> None:
    cfg = load(
        "polling:\n  interval: 2m\n  timeout: 1500ms\nfeeds:\n"
        "  - {name: a, url: 'https://a.example/f'}\n"
        "  - {name: b, url: 'https://b.example/f', interval: 1h, tags: [x], enabled: false}\n"
    )
    a, b = cfg.feed_objects()
    assert (a.interval, b.interval) == (120.0, 3600.0)
    assert cfg.polling.timeout == 1.5
    assert (b.tags, b.enabled, a.full_text) == (("x",), False, True)
    assert a.language is None  # identified per item unless the feed says


def test_a_feed_may_declare_its_language() -> None:
    cfg = load("feeds:\n  - {name: Yonhap, url: 'https://a.example/f', language: ko}\n")
    assert cfg.feed_objects()[0].language == "ko"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "feeds:\n  - name: a\n    url: https://a/f\n    intervall: 5m\n",
            "c.yaml:4: feeds.0.intervall: unknown key 'intervall'; did you mean 'interval'?",
            id="unknown-key-with-hint",
        ),
        pytest.param(
            "feeds:\n  - name: a\n    url: ftp://a/f\n",
            "c.yaml:3: feeds.0.url: 'ftp://a/f' is not an http(s) URL",
            id="bad-url",
        ),
        pytest.param(
            "polling:\n  timeout: soon\n",
            "c.yaml:2: polling.timeout: 'soon' is not a duration",
            id="bad-duration",
        ),
        pytest.param(
            "polling:\n  max_redirects: many\n",
            "c.yaml:2: polling.max_redirects: Input should be a valid integer",
            id="wrong-type",
        ),
        pytest.param(
            "feeds:\n  - url: https://a/f\n",
            "c.yaml:2: feeds.0.name: required key is missing",
            id="missing-key",
        ),
        pytest.param(
            "notify:\n  destinations:\n    s: {type: slack, chanel: '#a'}\n",
            "unknown key 'chanel'; did you mean 'channel'?",
            id="destination-typo",
        ),
        pytest.param(
            "notify:\n  destinations:\n    s: {type: pager}\n",
            "c.yaml:3: notify.destinations.s",
            id="unknown-destination-type",
        ),
        pytest.param(
            "notify:\n  routes:\n    - to: [desk]\n",
            "routes[0] sends to 'desk', which is not a destination",
            id="route-to-nowhere",
        ),
        pytest.param(
            "feeds:\n  - {name: a, url: 'https://a/1'}\n  - {name: a, url: 'https://a/2'}\n",
            "feed name 'a' is used twice",
            id="duplicate-feed-name",
        ),
        pytest.param("feeds: [\n", "c.yaml:2: not valid YAML", id="broken-yaml"),
        pytest.param("- a\n- b\n", "c.yaml:1: the config must be a mapping", id="not-a-mapping"),
        pytest.param(
            "feeds:\n  - name: a\n    url: https://a/f\n    language: Korean\n",
            "c.yaml:4: feeds.0.language: 'Korean' is not a language code; write its ISO 639-1",
            id="language-not-a-code",
        ),
        pytest.param(
            "http:\n  listen: 9108\n",
            "c.yaml:2: http.listen",
            id="listen-without-host",
        ),
    ],
)
def test_errors_name_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(text, "c.yaml")
    assert expected in str(info.value)


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file; pass --config"):
        load_file(tmp_path / "absent.yaml")


def test_secret_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_TOKEN", "xoxb-123")
    assert resolve_secret("desk", "T_TOKEN", None, "token") == "xoxb-123"
    secret = tmp_path / "token"
    secret.write_text("xoxb-from-file\n")
    assert resolve_secret("desk", "T_TOKEN", str(secret), "token") == "xoxb-from-file"


def test_missing_secret_names_variable_and_never_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("T_ABSENT", raising=False)
    with pytest.raises(ConfigError) as info:
        resolve_secret("destination desk", "T_ABSENT", None, "token")
    assert "set the environment variable T_ABSENT" in str(info.value)
    monkeypatch.setenv("T_EMPTY_FILE_TOKEN", "xoxb-secret-value")
    with pytest.raises(ConfigError) as info:
        resolve_secret("destination desk", None, "/nonexistent/token", "token")
    assert "xoxb-secret-value" not in str(info.value)
    assert "/nonexistent/token" in str(info.value)
