"""What the delivery worker did since it was last asked, for the one-line pass summaries of
`monitor once` and `monitor run` (monitor.summary): alerts sent, waiting for a retry, failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.models import Alert


@dataclass(frozen=True, slots=True)
class Undelivered:
    """An alert that did not go out, and why."""

    alert_id: str
    destination: str
    headline: str
    reason: str

    @classmethod
    def of(cls, alert: Alert, reason: str) -> Undelivered:
        return cls(alert.id, alert.destination, alert.headline, reason)


@dataclass
class DeliveryTally:
    sent: int = 0
    retrying: dict[str, Undelivered] = field(default_factory=dict)  # by alert id, latest try
    failed: dict[str, Undelivered] = field(default_factory=dict)  # for good: a person decides

    def count_sent(self, alert: Alert) -> None:
        self.sent += 1
        self.retrying.pop(alert.id, None)

    def count_retry(self, alert: Alert, reason: str) -> None:
        self.retrying[alert.id] = Undelivered.of(alert, reason)

    def count_failed(self, alert: Alert, reason: str) -> None:
        self.retrying.pop(alert.id, None)
        self.failed[alert.id] = Undelivered.of(alert, reason)

    def take(self) -> DeliveryTally:
        """What was counted so far; counting starts again from nothing."""
        taken = DeliveryTally(self.sent, dict(self.retrying), dict(self.failed))
        self.sent = 0
        self.retrying.clear()
        self.failed.clear()
        return taken
