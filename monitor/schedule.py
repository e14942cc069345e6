"""When to poll a feed next. Pure functions; the clock is an argument.

After a success the feed's interval applies, stretched to what the server asked for (Cache-Control
max-age, else Expires, and the RSS <ttl>), then held within [min_interval, max_interval]. When
every item was new since the last poll, some may have been missed: poll sooner.

After a failure the delay doubles with each consecutive error, from the feed's interval up to
max_backoff, and never stops: a feed that comes back is picked up again. A Retry-After longer
than that is honoured, up to max_backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from monitor.config import PollingConfig


@dataclass(frozen=True, slots=True)
class CacheHints:
    """What the server and the feed said about freshness, in seconds."""

    max_age: float | None = None
    expires: float | None = None
    ttl: float | None = None  # RSS <ttl>
    retry_after: float | None = None

    @classmethod
    def from_fetch(cls, fetched: object, *, ttl: float | None = None) -> CacheHints:
        """Hints from a `monitor.fetch.FetchResult` (any object with those attributes)."""
        return cls(
            max_age=getattr(fetched, "max_age", None),
            expires=getattr(fetched, "expires", None),
            ttl=ttl,
            retry_after=getattr(fetched, "retry_after", None),
        )


def success_delay(
    interval: float, cfg: PollingConfig, hints: CacheHints = CacheHints(), *, all_new: bool = False
) -> float:
    """Seconds until the next poll of a feed that answered (200 or 304)."""
    delay = interval
    freshness = hints.max_age if hints.max_age is not None else hints.expires
    for asked in (freshness, hints.ttl, hints.retry_after):
        if asked is not None:
            delay = max(delay, asked)
    if all_new:
        # Items may have scrolled off the feed between polls; the server's cache hints matter
        # less than not missing reports, but min_interval still protects the publisher.
        delay = min(delay, interval) / 2
    return _clamp(delay, cfg.min_interval, cfg.max_interval)


def error_delay(
    interval: float, streak: int, cfg: PollingConfig, *, retry_after: float | None = None
) -> float:
    """Seconds until retrying a feed after `streak` consecutive failures (streak >= 1)."""
    base = max(interval, cfg.min_interval)
    exponent = min(max(streak, 1) - 1, 32)  # 2**32 intervals is past any sane cap already
    delay = min(base * 2.0**exponent, cfg.max_backoff)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cfg.max_backoff))
    return max(delay, cfg.min_interval)


def next_poll(
    now: datetime,
    interval: float,
    cfg: PollingConfig,
    *,
    error_streak: int = 0,
    hints: CacheHints = CacheHints(),
    all_new: bool = False,
) -> datetime:
    """The time of the next poll: after an error when `error_streak` > 0, else after success."""
    if error_streak > 0:
        seconds = error_delay(interval, error_streak, cfg, retry_after=hints.retry_after)
    else:
        seconds = success_delay(interval, cfg, hints, all_new=all_new)
    return now + timedelta(seconds=seconds)


def all_items_new(new_count: int, entry_count: int, *, first_poll: bool) -> bool:
    """True when every entry of a feed is new since a previous poll: some may have been missed."""
    return not first_poll and entry_count > 1 and new_count >= entry_count


HealthChange = Literal["failing", "recovered"]


def health_change(
    streak_before: int, streak_after: int, threshold: int, *, alerted: bool
) -> HealthChange | None:
    """Whether to send the ops destination a feed-health alert now.

    "failing" once, when the error streak reaches `threshold` (polling.failure_alert_after);
    "recovered" once, on the first success after a "failing" alert was sent.
    """
    if streak_after >= threshold and not alerted:
        return "failing"
    if streak_after == 0 and streak_before > 0 and alerted:
        return "recovered"
    return None


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)
