"""deploy/docker-compose.yml, parsed: compose needs a Docker engine, which these machines do not
have; the image it builds is built and run for real by tests/container."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.config import load_file

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
# Keys whose value is a secret when written out; they must come from the environment.
SECRET = re.compile(r"TOKEN|PASSWORD|SECRET|WEBHOOK|KEY", re.IGNORECASE)


def service(name: str = "monitor") -> dict[str, Any]:
    doc = yaml.safe_load(COMPOSE.read_text())
    assert set(doc["services"]) == {"monitor", "postgres", "replica"}
    assert "data" in doc["volumes"]
    return dict(doc["services"][name])


def test_builds_this_repository_with_its_dockerfile() -> None:
    build = service()["build"]
    assert (COMPOSE.parent / build["context"]).resolve() == ROOT
    assert (ROOT / build["dockerfile"]).is_file()


def test_runs_read_only_with_state_in_a_volume_and_stops_gracefully() -> None:
    s = service()
    assert s["read_only"] is True
    assert "data:/data" in s["volumes"] and any(v.startswith("state:/state") for v in s["volumes"])
    assert all(v.endswith(":ro") for v in s["volumes"] if ":/config" in v)
    assert s["init"] is True
    grace = int(str(s["stop_grace_period"]).rstrip("s"))
    assert grace > 10  # the service stops within 10 s of SIGTERM


def test_health_is_checked_and_the_port_is_published_on_loopback_only() -> None:
    s = service()
    dockerfile = (ROOT / s["build"]["dockerfile"]).read_text()
    assert "healthcheck" in s or "HEALTHCHECK" in dockerfile
    assert all(str(p).startswith("127.0.0.1:") for p in s["ports"])


@pytest.mark.parametrize("name", ["monitor", "postgres", "replica"])
def test_no_secret_is_written_in_plain_text(name: str) -> None:
    env = service(name)["environment"]
    for key, value in env.items():
        if SECRET.search(key):
            assert re.fullmatch(r"\$\{[A-Z_]+(:?[-?][^}]*)?\}", str(value)), (key, value)
            assert not re.search(r"xox[abp]-|hooks\.slack\.com", str(value)), key


def test_replicas_share_postgresql_and_start_after_it() -> None:
    """The replicas profile: three replicas of the image on the compose PostgreSQL, their
    config valid, its password only in the environment."""
    replica, postgres = service("replica"), service("postgres")
    assert replica["profiles"] == postgres["profiles"] == ["replicas"]
    assert replica["deploy"]["replicas"] == 3
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "ports" not in replica  # several replicas cannot publish one port
    mount = next(v for v in replica["volumes"] if v.endswith(":ro"))
    config = load_file(COMPOSE.parent / mount.split(":")[0])
    assert config.store.url.startswith("postgresql://monitor@postgres:5432/")
    assert ":" not in config.store.url.split("//", 1)[1].split("@")[0]  # no password in it
