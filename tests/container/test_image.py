"""The image, built from deploy/Dockerfile and run the way users run it: as its non-root user
with a read-only root filesystem, the config mounted read-only and state in a volume, on the
host's network so it reaches the test servers on loopback.

Marked `container`: `make test-container` runs these (CI does, after installing podman and
making the Debian base image, see DEVELOPERS.md); plain `make test` leaves them out. The base
image comes from $MONITOR_TEST_BASE_IMAGE (default localhost/debian-py:bookworm), since no
image registry is reachable here; users build on the Dockerfile's default base.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.news import publish
from tests.servers.slack import SlackServer

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
BASE = os.environ.get("MONITOR_TEST_BASE_IMAGE", "localhost/debian-py:bookworm")
IMAGE = "localhost/monitor:test"
TOKEN = "xoxb-container-test"


def podman(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Podman as DEVELOPERS.md runs it on these machines (no systemd, no image registry)."""
    env = {**os.environ, "CONTAINERS_CONF": str(HERE / "containers.conf")}
    cmd = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs", *args]
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} -> {result.returncode}\n{result.stdout}{result.stderr}"
        )
    return result


def build(context: Path, tag: str, dockerfile: Path | None = None) -> str:
    """Build an image the way the README says, on the local base; the build's output."""
    mounts = []
    for path in ("/etc/pip.conf", "/etc/ssl/certs"):
        if Path(path).exists():  # the registry mirror and its certificates, where set
            mounts += ["-v", f"{path}:{path}:ro"]
    result = podman(
        "build",
        "--format",
        "docker",  # HEALTHCHECK is part of the Docker image format only
        "--isolation",
        "chroot",
        "--network=host",
        *mounts,
        "--build-arg",
        f"BASE_IMAGE={BASE}",
        "-f",
        str(dockerfile or context / "deploy" / "Dockerfile"),
        "-t",
        tag,
        str(context),
        timeout=1800,
    )
    return result.stdout + result.stderr


def _cannot(reason: str) -> None:
    """`make test-container` asked for these tests: what stops them fails; elsewhere it skips."""
    if os.environ.get("MONITOR_CONTAINER_TESTS") == "required":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    if shutil.which("podman") is None:
        _cannot("podman is not installed (apt-get install podman runc; see DEVELOPERS.md)")
    if podman("image", "exists", BASE, check=False).returncode != 0:
        _cannot(f"base image {BASE} missing: run tests/container/base-image.sh")
    build(ROOT, IMAGE)
    yield IMAGE
    podman("image", "prune", "-f", check=False)  # the build stages' untagged images


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _readable(path: Path) -> None:
    """The image's user (uid 10001) must read what is mounted for it."""
    for p in [path, *path.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)


def write_config(
    folder: Path, outlets: FeedServer, slack: SlackServer, port: int, **slack_secret: str
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "store": {"url": "sqlite:////data/monitor.sqlite3", "marker": "/state/store.json"},
        "http": {"listen": f"127.0.0.1:{port}"},
        "network": loopback.NETWORK,
        "logging": {"format": "json"},
        "feeds": [
            {"name": "AP", "url": outlets.url("/ap/rss.xml")},
            {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")},
        ],
        "notify": {
            "destinations": {
                "desk": {
                    "type": "slack",
                    "channel": "#alerts",
                    "base_url": slack.url,
                    **(slack_secret or {"token_env": "SLACK_BOT_TOKEN"}),
                }
            },
            "delivery": {"slack_pace": 0, "followup_cooldown": 0},
        },
    }
    (folder / "monitor.yaml").write_text(yaml.safe_dump(doc))
    _readable(folder)
    return folder


def wait_for(
    what: str, ready: Callable[[], bool], timeout: float = 90, logs: Callable[[], str] = str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{logs()}")


def container_logs(name: str) -> str:
    result = podman("logs", name, check=False)
    return result.stdout + result.stderr


def _polls(port: int) -> float:
    """monitor_polls_total summed over outcomes, from /metrics; 0 while nothing answers."""
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except httpx.HTTPError:
        return 0.0
    return sum(float(m) for m in re.findall(r"^monitor_polls_total\{[^}]*\} (\S+)$", text, re.M))


@pytest.fixture
def container(image: str) -> Iterator[Callable[..., str]]:
    """Start containers of the image as users do; removes them and their volumes after."""
    names: list[str] = []
    volumes: list[str] = []

    def run(config: Path, *extra: str, data: str | None = None, state: str | None = None) -> str:
        """A container of the image; `data` and `state`: the names of its volumes."""
        name = f"monitor-test-{os.getpid()}-{len(names)}"
        data, state = data or f"{name}-data", state or f"{name}-state"
        for volume in (data, state):
            if volume not in volumes:
                podman("volume", "create", volume)
                volumes.append(volume)
        names.append(name)
        podman(
            "run", "-d", "--name", name, "--network=host", "--read-only",
            "-v", f"{config}:/config:ro", "-v", f"{data}:/data", "-v", f"{state}:/state",
            *extra, image,
        )  # fmt: skip
        return name

    yield run
    for name in names:
        podman("rm", "-f", "-t", "0", name, check=False)
    for volume in volumes:
        podman("volume", "rm", "-f", volume, check=False)


def test_image_runs_as_non_root_and_checks_its_own_config(image: str) -> None:
    user = podman("image", "inspect", "--format", "{{.Config.User}}", image).stdout.strip()
    assert user.split(":")[0] not in ("", "0", "root")
    checked = podman("run", "--rm", "--read-only", image, "check-config", "/config/monitor.yaml")
    assert checked.returncode == 0
    assert "ok" in checked.stdout
    health = podman("image", "inspect", "--format", "{{.Config.Healthcheck.Test}}", image).stdout
    assert "monitor healthcheck" in health


def test_run_alerts_once_stops_cleanly_and_a_restart_sends_nothing_twice(
    tmp_path: Path, container: Callable[..., str]
) -> None:
    port = _free_port()
    with FeedServer() as outlets, SlackServer() as slack:
        publish(outlets)
        config = write_config(tmp_path / "config", outlets, slack, port)
        name = container(config, "-e", f"SLACK_BOT_TOKEN={slack.token}")

        def logs() -> str:
            return container_logs(name)

        wait_for("one Slack alert", lambda: len(slack.messages()) >= 1, logs=logs)
        wait_for("both feeds polled", lambda: _polls(port) >= 2, logs=logs)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        assert podman("healthcheck", "run", name, check=False).returncode == 0, logs()

        stopped = podman("stop", "-t", "10", name, timeout=60)
        assert stopped.returncode == 0
        state = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        assert state == "0", logs()  # 137 would mean it was killed after the 10 s
        assert "Traceback" not in logs()

        messages = slack.messages()
        assert len(messages) == 1, [m.get("text") for m in messages]
        assert "North Korea" in str(messages[0])
        feed_requests = len(outlets.requests_to("/ap/rss.xml"))

        podman("start", name)
        wait_for("the restarted service's polls", lambda: _polls(port) >= 2, logs=logs)
        assert len(outlets.requests_to("/ap/rss.xml")) > feed_requests
        podman("stop", "-t", "10", name, timeout=60)
        assert len(slack.messages()) == 1  # nothing sent twice after the restart

        # The data volume lost, the state volume kept: refused, not taken for a first run.
        state = f"{name}-state"
        lost = container(config, "-e", f"SLACK_BOT_TOKEN={slack.token}", state=state)
        wait_for(
            "the refusal",
            lambda: (
                podman("inspect", "--format", "{{.State.Running}}", lost).stdout.strip() == "false"
            ),
            logs=lambda: container_logs(lost),
        )
        code = podman("inspect", "--format", "{{.State.ExitCode}}", lost).stdout.strip()
        assert code != "0"
        assert "--new-store" in container_logs(lost)
        assert len(slack.messages()) == 1


def test_secrets_from_a_mounted_file(tmp_path: Path, container: Callable[..., str]) -> None:
    port = _free_port()
    with FeedServer() as outlets, SlackServer() as slack:
        publish(outlets)
        secret = tmp_path / "slack_token"
        secret.write_text(slack.token + "\n")
        secret.chmod(0o644)
        config = write_config(
            tmp_path / "config", outlets, slack, port, token_file="/run/secrets/slack_token"
        )
        name = container(config, "-v", f"{secret}:/run/secrets/slack_token:ro")

        def logs() -> str:
            return container_logs(name)

        wait_for("one Slack alert", lambda: len(slack.messages()) >= 1, logs=logs)
        assert {c.token for c in slack.calls_to("chat.postMessage")} == {slack.token}
        assert slack.token not in logs()  # a secret is never logged


def test_build_context_is_small_and_a_code_change_reuses_the_dependency_layer(
    image: str, tmp_path: Path
) -> None:
    probe = tmp_path / "Containerfile"
    probe.write_text(f"FROM {BASE}\nCOPY . /ctx\n")
    build(ROOT, "localhost/monitor-context:test", dockerfile=probe)
    try:
        size = podman("run", "--rm", "localhost/monitor-context:test", "du", "-sk", "/ctx").stdout
        kib = int(size.split()[0])
        assert kib < 5 * 1024, f"build context is {kib} KiB"
        podman("create", "--name", "monitor-context-test", "localhost/monitor-context:test", "true")
        podman("cp", "monitor-context-test:/ctx", str(tmp_path / "ctx"))
    finally:
        podman("rm", "-f", "monitor-context-test", check=False)
        podman("rmi", "-f", "localhost/monitor-context:test", check=False)
    context = tmp_path / "ctx"
    assert not (context / ".venv").exists() and not (context / ".git").exists()
    assert (context / "monitor" / "__init__.py").exists()

    init = context / "monitor" / "__init__.py"
    init.write_text(init.read_text() + f"\n# a code-only change {uuid.uuid4()}\n")
    output = build(
        context, "localhost/monitor-rebuilt:test", dockerfile=ROOT / "deploy" / "Dockerfile"
    )
    podman("rmi", "-f", "localhost/monitor-rebuilt:test", check=False)
    steps = [s for s in re.split(r"^(?:\[\d+/\d+\] )?STEP \d+/\d+: ", output, flags=re.M) if s]
    install = next(
        s for s in steps if "requirements.txt" in s.splitlines()[0] and s.startswith("RUN")
    )
    code = next(s for s in steps if s.startswith("COPY monitor "))
    assert "Using cache" in install, install[:2000]
    assert "Using cache" not in code
