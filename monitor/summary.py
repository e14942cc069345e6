"""What one pass over the feeds did, in one line: `monitor once` prints it, `monitor run` logs it.

    pass: 12 feeds polled (1 failed), 40 new items, 2 detections, 1 event opened;
          alerts: 2 sent, 1 pending, 0 failed                        (one line in the output)

A pass is one poll of every enabled feed. `once` makes one and delivers what it produced.
Under `run` a pass ends when every enabled feed has been polled since the previous pass ended;
its alert counts are what the delivery worker did meanwhile. "pending" is what the outbox still
owes at the end of the pass (waiting for a retry, a cool-down, or a destination).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from monitor.notify.tally import DeliveryTally
from monitor.pipeline import PollResult

log = logging.getLogger(__name__)


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


@dataclass(frozen=True, slots=True)
class PassSummary:
    feeds: int
    feeds_failed: int
    new_items: int
    detections: int
    events_opened: int
    alerts_sent: int
    alerts_pending: int | None  # None when the store could not be read
    alerts_failed: int

    def line(self) -> str:
        pending = "?" if self.alerts_pending is None else str(self.alerts_pending)
        return (
            f"{_n(self.feeds, 'feed')} polled ({self.feeds_failed} failed), "
            f"{_n(self.new_items, 'new item')}, {_n(self.detections, 'detection')}, "
            f"{_n(self.events_opened, 'event')} opened; alerts: {self.alerts_sent} sent, "
            f"{pending} pending, {self.alerts_failed} failed"
        )

    def fields(self) -> dict[str, int | None]:
        """The counts as log fields (JSON logs carry them as numbers)."""
        return {
            "feeds_polled": self.feeds,
            "feeds_failed": self.feeds_failed,
            "new_items": self.new_items,
            "detections": self.detections,
            "events_opened": self.events_opened,
            "alerts_sent": self.alerts_sent,
            "alerts_pending": self.alerts_pending,
            "alerts_failed": self.alerts_failed,
        }


def summarize(
    results: Sequence[PollResult], delivered: DeliveryTally, pending: int | None
) -> PassSummary:
    latest = {r.feed: r for r in results}  # under `run` a fast feed may be polled twice
    return PassSummary(
        feeds=len(latest),
        feeds_failed=sum(1 for r in latest.values() if r.error),
        new_items=sum(r.new_entries for r in results),
        detections=sum(r.detections for r in results),
        events_opened=sum(r.new_events for r in results),
        alerts_sent=delivered.sent,
        alerts_pending=pending,
        alerts_failed=len(delivered.failed),
    )


class PassTracker:
    """Under `run`: collects poll results and logs a summary each time a pass is complete."""

    def __init__(
        self,
        feeds: Callable[[], Iterable[str]],
        delivered: Callable[[], DeliveryTally],
        pending: Callable[[], int | None],
    ) -> None:
        self._feeds = feeds  # the enabled feeds' names now (a reload may change them)
        self._delivered = delivered  # takes the delivery worker's counts since the last call
        self._pending = pending
        self._results: list[PollResult] = []
        self.passes = 0
        self.last: PassSummary | None = None

    def record(self, result: PollResult) -> None:
        """Count one poll; at the end of a pass log its summary (and keep it in `last`)."""
        self._results.append(result)
        wanted = set(self._feeds())
        if not wanted or not wanted <= {r.feed for r in self._results}:
            return
        results, self._results = self._results, []
        delivered = self._delivered()
        summary = summarize(results, delivered, self._pending())
        self.passes += 1
        log.log(
            logging.WARNING if delivered.failed else logging.INFO,
            "pass %d: %s",
            self.passes,
            summary.line(),
            extra={"stage": "pass", **summary.fields()},
        )
        self.last = summary
