"""The health and metrics listener: a tiny asyncio HTTP/1.1 server, GET only.

    /healthz   200 while the process runs its event loop (liveness)
    /readyz    200 when every readiness check passes, else 503 naming the failing ones, each
               on its own line with the reason its check gave ("store: ...")
    /metrics   Prometheus text format

Each request gets one answer and the connection closes; a scraper or a container health check
needs nothing more, and no web framework is pulled in for it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from monitor.metrics import CONTENT_TYPE, REGISTRY, render

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A readiness check's answer with its reason, shown in the 503 body."""

    ready: bool
    reason: str = ""

    @classmethod
    def unless(cls, problem: str | None) -> Verdict:
        """Ready when there is no problem; else not, saying why."""
        return cls(problem is None, problem or "")


Check = Callable[[], bool | Verdict | Awaitable[bool | Verdict]]
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
_REASONS |= {500: "Internal Server Error", 503: "Service Unavailable"}


class HealthServer:
    """Serve /healthz, /readyz and /metrics on `listen` ("HOST:PORT"; port 0 picks one)."""

    def __init__(
        self,
        listen: str,
        *,
        ready: Check | None = None,
        checks: Mapping[str, Check] | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        host, _, port = listen.rpartition(":")
        self._host = host.strip("[]") or "0.0.0.0"
        self._port = int(port)
        self._checks: dict[str, Check] = dict(checks or {})
        if ready is not None:
            self._checks.setdefault("ready", ready)
        self._registry = registry or REGISTRY
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when listening on port 0)."""
        if self._server is None or not self._server.sockets:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self._host in ("0.0.0.0", "::", "") else self._host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._serve, self._host, self._port)
        except OSError as exc:
            from monitor.errors import ConfigError

            raise ConfigError(
                f"http.listen {self._host}:{self._port}: cannot listen ({exc.strerror}); "
                "pick a free port or set http.listen to null"
            ) from None
        log.info("health and metrics on %s", self.url, extra={"stage": "health"})

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(5):
                head = await reader.readuntil(b"\r\n\r\n")
            method, path = _request_line(head)
            status, ctype, body = await self._route(method, path)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            status, ctype, body = 400, "text/plain", b"bad request\n"
        except ConnectionError:
            writer.close()
            return
        head_out = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        )
        try:
            writer.write(head_out.encode("latin-1") + (b"" if method == "HEAD" else body))
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _route(self, method: str, path: str) -> tuple[int, str, bytes]:
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"only GET\n"
        path = path.split("?", 1)[0]
        if path == "/healthz":
            return 200, "text/plain", b"ok\n"
        if path == "/readyz":
            verdicts = {name: await _verdict(check) for name, check in self._checks.items()}
            failing = {name: v.reason for name, v in verdicts.items() if not v.ready}
            if failing:
                body = f"not ready: {', '.join(failing)}\n"
                body += "".join(f"{name}: {why}\n" for name, why in failing.items() if why)
                return 503, "text/plain", body.encode()
            return 200, "text/plain", b"ready\n"
        if path == "/metrics":
            try:
                return 200, CONTENT_TYPE, render(self._registry)
            except Exception as exc:  # a gauge callback could not read the store
                log.warning("metrics scrape failed: %s", exc, extra={"stage": "health"})
                return 500, "text/plain", f"metrics unavailable: {exc}\n".encode()
        return 404, "text/plain", b"not found; try /healthz, /readyz or /metrics\n"


def _request_line(head: bytes) -> tuple[str, str]:
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) != 3:
        return "", ""
    return parts[0].upper(), parts[1]


async def _verdict(check: Check) -> Verdict:
    try:
        result = check()
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:
        log.warning("readiness check failed: %s", exc, extra={"stage": "health"})
        return Verdict(False, f"the check failed: {exc}")
    return result if isinstance(result, Verdict) else Verdict(bool(result))
