"""The one place that decides whether a failed delivery is worth retrying, and when.

    2xx                       delivered
    429                       retry, after Retry-After when the destination says
    408, 5xx, no answer       retry with exponential backoff and jitter
    other 4xx                 fatal: the reason says which setting to fix

Notifiers map their transport's answer onto an HTTP-like status (a Slack `ratelimited` error is
429, `invalid_auth` is 401) and call `classify`; the delivery worker asks `Backoff` when to try
again. Nothing here sleeps or reads the clock.
"""

from __future__ import annotations

import random
import ssl
from datetime import datetime
from email.utils import parsedate_to_datetime

from monitor.config import DeliveryConfig
from monitor.errors import DeliveryError, FatalDelivery, RetryableDelivery
from monitor.notify.causes import cause_in_words, wrapped


def classify(
    destination: str, status: int, reason: str, retry_after: float | None = None
) -> DeliveryError | None:
    """The error for a destination's answer, or None when it accepted the alert."""
    if 200 <= status < 300:
        return None
    if status == 429:
        return RetryableDelivery(destination, f"rate limited ({reason})", retry_after)
    if status == 408 or status >= 500:
        return RetryableDelivery(destination, f"{reason} (HTTP {status})", retry_after)
    return FatalDelivery(destination, reason)


def classify_exception(
    destination: str, exc: BaseException, where: str | None = None
) -> DeliveryError:
    """Transport failures: no answer is retryable, a broken setup (bad certificate) is not.

    `where` names what was tried, with host and port ("the Slack Web API at slack.com:443").
    The reason says that and the cause in words (`causes.cause_in_words`), never the
    exception's own text, which can quote a URL with a secret in it.
    """
    if isinstance(exc, DeliveryError):
        return exc
    cause = cause_in_words(exc)
    reason = f"cannot reach {where}: {cause}" if where else cause
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in wrapped(exc)):
        return FatalDelivery(destination, reason)
    return RetryableDelivery(destination, reason)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


class Backoff:
    """Exponential backoff with "equal jitter": the n-th retry waits between d/2 and d, where
    d = backoff * 2**(n-1), capped at max_backoff. Retry-After wins when it is longer."""

    def __init__(self, cfg: DeliveryConfig, rng: random.Random | None = None) -> None:
        self.cfg = cfg
        self.rng = rng or random.Random()

    def delay(self, attempts: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after `attempts` failed tries, or None to give up."""
        if attempts >= self.cfg.max_attempts:
            return None
        if retry_after is not None:
            return max(retry_after, 0.0)
        ceiling = min(self.cfg.max_backoff, self.cfg.backoff * 2.0 ** max(0, attempts - 1))
        return float(ceiling / 2 + self.rng.uniform(0, ceiling / 2))
