"""Health, readiness and metrics over real HTTP."""

from __future__ import annotations

import httpx

from monitor import metrics
from monitor.health import HealthServer


async def test_health_ready_and_metrics() -> None:
    ready = {"store": True}
    server = HealthServer("127.0.0.1:0", checks={"store": lambda: ready["store"]})
    await server.start()
    try:
        metrics.POLLS.labels(outcome="304").inc()
        metrics.PUBLISH_TO_ALERT.observe(95)
        metrics.track(outbox_depth=lambda: 3, feeds_in_error=lambda: 1)
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/healthz")).status_code == 200
            ok = await client.get("/readyz")
            assert (ok.status_code, ok.text) == (200, "ready\n")
            ready["store"] = False
            down = await client.get("/readyz")
            assert (down.status_code, down.text) == (503, "not ready: store\n")
            page = await client.get("/metrics")
            assert page.headers["content-type"].startswith("text/plain; version=")
            text = page.text
            assert 'monitor_polls_total{outcome="304"}' in text
            assert "monitor_outbox_depth 3.0" in text and "monitor_feeds_in_error 1.0" in text
            assert 'monitor_publish_to_alert_seconds_bucket{le="120.0"}' in text
            assert "python_gc" not in text  # our own registry only
            assert (await client.get("/nope")).status_code == 404
    finally:
        await server.stop()


async def test_readyz_gives_each_failing_checks_reason() -> None:
    from monitor.health import Verdict

    problem: dict[str, str | None] = {"store": "store file /data/m.sqlite3 was deleted"}
    server = HealthServer(
        "127.0.0.1:0",
        checks={
            "store": lambda: Verdict.unless(problem["store"]),
            "scheduler": lambda: True,
        },
    )
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.text == "not ready: store\nstore: store file /data/m.sqlite3 was deleted\n"
            problem["store"] = None
            ok = await client.get("/readyz")
            assert (ok.status_code, ok.text) == (200, "ready\n")
    finally:
        await server.stop()
