"""Running the real service (`monitor.cli.run.serve`) inside a test and probing it over HTTP.

parts = capture(monkeypatch)            # before serve() builds anything
task = asyncio.create_task(serve(cfg, config_file=str(path)))
await wait_for(lambda: parts.ready)     # built, and /readyz etc. listening on 127.0.0.1
status, body = await readyz(parts)
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from monitor.config import Config
from monitor.service import Service


@dataclass
class Parts:
    services: list[Service] = field(default_factory=list)
    health_urls: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return bool(self.services and self.health_urls)

    @property
    def service(self) -> Service:
        return self.services[-1]


def capture(monkeypatch: pytest.MonkeyPatch) -> Parts:
    import monitor.cli.run as run
    import monitor.health as health  # `monitor run` loads its listener from here when it serves

    parts = Parts()
    real_service, real_health = run.Service, health.HealthServer

    def service(cfg: Config) -> Service:
        parts.services.append(real_service(cfg))
        return parts.services[-1]

    class Health(real_health):  # type: ignore[misc, valid-type]
        async def start(self) -> None:
            await super().start()
            parts.health_urls.append(self.url.rstrip("/"))

    monkeypatch.setattr(run, "Service", service)
    monkeypatch.setattr(health, "HealthServer", Health)
    return parts


async def wait_for(predicate: Callable[[], bool | Awaitable[bool]], timeout: float = 30.0) -> None:
    """Wait until `predicate` (a plain or an async function) is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await holds(predicate):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


async def holds(predicate: Callable[[], bool | Awaitable[bool]]) -> bool:
    answer = predicate()
    return bool(await answer) if inspect.isawaitable(answer) else bool(answer)


async def get(parts: Parts, path: str) -> tuple[int, str]:
    async with httpx.AsyncClient() as client:
        answer = await client.get(parts.health_urls[-1] + path)
    return answer.status_code, answer.text


async def readyz(parts: Parts) -> tuple[int, str]:
    return await get(parts, "/readyz")


async def wait_ready(parts: Parts, status: int, timeout: float = 30.0) -> str:
    """Poll /readyz until it answers `status`; return the body."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        code, body = await readyz(parts)
        if code == status:
            return body
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"/readyz stayed {code}: {body}")
        await asyncio.sleep(0.05)


def metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(want) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + "$", text, re.M)
    return float(found.group(1)) if found else 0.0


def modules_loaded(code: str, roots: set[str]) -> list[str]:
    """Which of the top-level packages `roots` running `code` loads, in a fresh interpreter."""
    probe = (
        f"{code}\nimport sys\nprint(sorted({{m.split('.')[0] for m in sys.modules}} & {roots!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded: list[str] = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return loaded
