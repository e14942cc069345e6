"""The one status classifier and the backoff policy."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from monitor.config import DeliveryConfig
from monitor.errors import FatalDelivery, RetryableDelivery
from monitor.notify.retry import Backoff, classify, classify_exception, parse_retry_after


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, None),
        (204, None),
        (429, RetryableDelivery),
        (500, RetryableDelivery),
        (503, RetryableDelivery),
        (408, RetryableDelivery),
        (400, FatalDelivery),
        (401, FatalDelivery),
        (404, FatalDelivery),
    ],
    ids=str,
)
def test_classify(status: int, expected: type | None) -> None:
    error = classify("dest", status, "why", retry_after=3)
    assert (type(error) if error else None) is expected


@pytest.mark.parametrize(
    "exc",
    [TimeoutError(), ConnectionRefusedError(111, "Connection refused"), OSError()],
    ids=["timeout", "refused", "oserror"],
)
def test_transport_failures_are_retryable(exc: BaseException) -> None:
    assert isinstance(classify_exception("dest", exc), RetryableDelivery)


def test_retry_after_forms() -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after("Wed, 01 May 2024 00:01:00 GMT", now) == 60
    assert parse_retry_after("soon", now) is None


def test_backoff_grows_with_jitter_caps_and_gives_up() -> None:
    policy = Backoff(DeliveryConfig(backoff=2, max_backoff=60, max_attempts=10), random.Random(1))
    delays = [policy.delay(n) for n in range(1, 10)]
    for n, d in enumerate(delays, start=1):
        ceiling = min(60, 2 * 2 ** (n - 1))
        assert d is not None and ceiling / 2 <= d <= ceiling
    assert policy.delay(10) is None
    assert policy.delay(3, retry_after=45) == 45


def test_default_limit_outlasts_a_long_outage() -> None:
    policy = Backoff(DeliveryConfig(), random.Random(0))
    total = sum(policy.delay(n) or 0 for n in range(1, DeliveryConfig().max_attempts))
    assert total > 45 * 60
