"""Alerts printed to standard output: the destination when none is configured."""

from __future__ import annotations

import sys
from typing import TextIO

from monitor.models import Alert
from monitor.notify import render
from monitor.store.outbox import RemoteRef


class ConsoleNotifier:
    pace = 0.0
    pace_key: str | None = None

    def __init__(self, name: str = "console", stream: TextIO | None = None) -> None:
        self.name = name
        self._stream = stream

    async def send(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef:
        out = self._stream or sys.stdout
        marker = "ALERT" if alert.kind == "new" else "UPDATE"
        out.write(f"\n=== {marker} [{alert.event.event_type}] ===\n{render.plain_text(alert)}")
        out.flush()
        return RemoteRef(self.name, alert.id)

    async def update(self, first: RemoteRef, parent: Alert, latest: Alert) -> None:
        return None

    async def find(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef | None:
        return None

    async def aclose(self) -> None:
        return None
