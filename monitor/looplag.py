"""How long the event loop is held: a timer that should fire every `period` seconds, and how
late it fires. Health checks, polls and deliveries all wait that long when something (a slow
store call, a parse on the loop) holds it. The service exports it as
`monitor_event_loop_lag_seconds`.

A timer also fires late when the machine gives the CPU to another process, so the figure is
the lag a health check waiting on the loop saw, whoever caused it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

PERIOD = 0.005


class LoopLag:
    def __init__(
        self, period: float = PERIOD, observe: Callable[[float], None] | None = None
    ) -> None:
        self.period = period
        self.observe = observe
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def worst(self) -> float:
        return max(self.samples, default=0.0)

    def start(self) -> LoopLag:
        self._task = asyncio.create_task(self._probe(), name="loop-lag")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> LoopLag:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _probe(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.period)
            lag = max(0.0, loop.time() - before - self.period)
            self.samples.append(lag)
            if len(self.samples) > 100_000:
                del self.samples[:50_000]
            if self.observe is not None:
                self.observe(lag)
