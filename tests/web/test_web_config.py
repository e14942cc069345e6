"""The `web` config section: where feedback goes, and write credentials read like every
secret (named, never echoed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load
from monitor.errors import ConfigError
from monitor.web.auth import Credentials


def test_labels_default_beside_the_config_file(tmp_path: Path) -> None:
    cfg = load("feeds: []\n", str(tmp_path / "monitor.yaml"))
    assert cfg.web.labels == str(tmp_path / "data" / "labels.jsonl")
    assert Credentials.from_config(cfg.web).enabled is False  # writes off by default


def test_a_missing_token_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_TEST_NO_TOKEN", raising=False)
    cfg = load("web:\n  token_env: MONITOR_TEST_NO_TOKEN\n")
    with pytest.raises(ConfigError, match="set the environment variable MONITOR_TEST_NO_TOKEN"):
        Credentials.from_config(cfg.web)


def test_token_and_password_from_files_check_headers(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("s3cret-token\n")
    (tmp_path / "password").write_text("pass word\n")
    cfg = load(
        "web:\n  token_file: token\n  username: ed\n  password_file: password\n",
        str(tmp_path / "monitor.yaml"),
    )
    creds = Credentials.from_config(cfg.web)
    assert creds.check("Bearer s3cret-token") and not creds.check("Bearer s3cret")
    assert creds.check("Basic ZWQ6cGFzcyB3b3Jk")  # ed:pass word
    assert not creds.check("Basic ZWQ6d3Jvbmc=") and not creds.check("Basic !!")
    assert not creds.check(None)


def test_unknown_web_keys_are_errors() -> None:
    with pytest.raises(ConfigError, match="web"):
        load("web:\n  tokn_env: X\n")
