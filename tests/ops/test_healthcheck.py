"""`monitor healthcheck`, the image's HEALTHCHECK: it asks /healthz at the config's
http.listen address and answers with its exit code, run as the real command."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.cli.healthcheck import health_url


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    _Health.status = 200


def healthcheck(tmp_path: Path, listen: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"http:\n  listen: '{listen}'\nfeeds:\n  - name: x\n    url: https://news.example/rss\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "monitor", "healthcheck", "-c", str(config), "--timeout", "3"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_healthy_when_healthz_answers_200(tmp_path: Path, health: ThreadingHTTPServer) -> None:
    port = health.server_address[1]
    result = healthcheck(tmp_path, f"0.0.0.0:{port}")
    assert result.returncode == 0, result.stderr
    assert f"healthy: http://127.0.0.1:{port}/healthz" in result.stdout


def test_unhealthy_when_healthz_fails(tmp_path: Path, health: ThreadingHTTPServer) -> None:
    _Health.status = 503
    result = healthcheck(tmp_path, f"127.0.0.1:{health.server_address[1]}")
    assert result.returncode == 1
    assert "answered 503" in result.stderr


def test_unhealthy_when_nothing_listens(tmp_path: Path, health: ThreadingHTTPServer) -> None:
    port = health.server_address[1]
    health.shutdown()
    health.server_close()
    result = healthcheck(tmp_path, f"127.0.0.1:{port}")
    assert result.returncode == 1
    assert f"unhealthy: http://127.0.0.1:{port}/healthz" in result.stderr


@pytest.mark.parametrize(
    ("listen", "url"),
    [
        ("0.0.0.0:9108", "http://127.0.0.1:9108/healthz"),
        ("[::]:9108", "http://[::1]:9108/healthz"),
        ("127.0.0.2:80", "http://127.0.0.2:80/healthz"),
    ],
)
def test_health_url_asks_loopback_for_a_wildcard_listener(listen: str, url: str) -> None:
    assert health_url(listen) == url
