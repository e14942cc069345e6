"""The health and metrics listener, which also serves the web console (monitor.web).

    /healthz   200 while the process runs its event loop (liveness)
    /readyz    200 when every readiness check passes, else 503 naming the failing ones, each
               on its own line with the reason its check gave ("store: ...")
    /metrics   Prometheus text format

An aiohttp application run by an AppRunner in the service's own event loop: one port, one
process. The console's pages and API are added to the same application when it is on.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
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
Install = Callable[[web.Application], None]  # adds more routes (the console) to the listener
_HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")


class HealthServer:
    """Serve /healthz, /readyz and /metrics on `listen` ("HOST:PORT"; port 0 picks one), and
    whatever `install` adds."""

    def __init__(
        self,
        listen: str,
        *,
        ready: Check | None = None,
        checks: Mapping[str, Check] | None = None,
        registry: CollectorRegistry | None = None,
        install: Install | None = None,
    ) -> None:
        host, _, port = listen.rpartition(":")
        self._host = host.strip("[]") or "0.0.0.0"
        self._port = int(port)
        self._checks: dict[str, Check] = dict(checks or {})
        if ready is not None:
            self._checks.setdefault("ready", ready)
        self._registry = registry or REGISTRY
        self._install = install
        self._runner: web.AppRunner | None = None
        self._bound: int | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when listening on port 0)."""
        return self._bound if self._bound is not None else self._port

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self._host in ("0.0.0.0", "::", "") else self._host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def app(self) -> web.Application:
        app = web.Application(middlewares=[_plain_errors])
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        if self._install is not None:
            self._install(app)
        return app

    async def start(self) -> None:
        runner = web.AppRunner(
            self.app(), access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            from monitor.errors import ConfigError

            raise ConfigError(
                f"http.listen {self._host}:{self._port}: cannot listen ({exc.strerror}); "
                "pick a free port or set http.listen to null"
            ) from None
        self._runner = runner
        address = runner.addresses[0] if runner.addresses else None
        self._bound = int(address[1]) if isinstance(address, tuple) else self._port
        log.info("health and metrics on %s", self.url, extra={"stage": "health"})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        return _text(200, "ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        verdicts = {name: await _verdict(check) for name, check in self._checks.items()}
        failing = {name: v.reason for name, v in verdicts.items() if not v.ready}
        if failing:
            body = f"not ready: {', '.join(failing)}\n"
            body += "".join(f"{name}: {why}\n" for name, why in failing.items() if why)
            return _text(503, body)
        return _text(200, "ready\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        try:
            body = render(self._registry)
        except Exception as exc:  # a gauge callback could not read the store
            log.warning("metrics scrape failed: %s", exc, extra={"stage": "health"})
            return _text(500, f"metrics unavailable: {exc}\n")
        return web.Response(
            body=body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}
        )


def _text(status: int, body: str) -> web.Response:
    return web.Response(
        status=status,
        body=body.encode(),
        headers={"Content-Type": "text/plain", "Cache-Control": "no-store"},
    )


@web.middleware
async def _plain_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """The health paths answer other methods 405 and unknown paths 404 in plain text, as
    scrapers and probes expect."""
    try:
        return await handler(request)
    except web.HTTPMethodNotAllowed:
        if request.path in _HEALTH_PATHS:
            return _text(405, "only GET\n")
        raise
    except web.HTTPNotFound as exc:
        if exc.text and exc.text != "404: Not Found":
            raise
        return _text(404, "not found; try /healthz, /readyz or /metrics\n")


async def _verdict(check: Check) -> Verdict:
    try:
        result = check()
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:
        log.warning("readiness check failed: %s", exc, extra={"stage": "health"})
        return Verdict(False, f"the check failed: {exc}")
    return result if isinstance(result, Verdict) else Verdict(bool(result))
