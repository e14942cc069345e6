"""The interface every destination implements, one implementation per module.

A notifier turns one alert into one message and reports failures as `RetryableDelivery` or
`FatalDelivery` (classified by `monitor.notify.retry.classify`); it never retries, sleeps or
touches the store. The delivery worker (`deliver.Deliverer`) does that around it.
"""

from __future__ import annotations

from typing import Protocol

from monitor.models import Alert
from monitor.store.outbox import RemoteRef

__all__ = ["TEST_ID_PREFIX", "Notifier", "RemoteRef"]

TEST_ID_PREFIX = "test-"  # the ids of `monitor test-alert`'s alerts (notify.sample_alert)


class Notifier(Protocol):
    name: str  # the destination's name in the config
    pace_key: str | None  # notifiers sharing a key share one rate limit (a Slack channel)
    pace: float  # seconds to leave between two sends with the same pace_key

    async def send(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef:
        """Deliver the alert; `thread` is where its parent alert went (for follow-ups)."""
        ...

    async def update(self, first: RemoteRef, parent: Alert, latest: Alert) -> None:
        """After a follow-up, redraw the event's first message (`parent`, delivered at `first`)
        with what `latest` knows about the event. Idempotent; may do nothing."""
        ...

    async def find(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef | None:
        """Look for an alert whose send was interrupted; None when it is not there or the
        destination cannot be searched (then it is sent again, with the same idempotency key)."""
        ...

    async def aclose(self) -> None: ...
