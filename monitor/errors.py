"""The service's errors.

    MonitorError
    ├── ConfigError          the config file or a secret is wrong; the service does not start
    ├── FetchError           one feed or page could not be fetched (carries the URL)
    │   ├── FetchTimeout
    │   └── HTTPStatusError  the server answered with a status we do not accept
    ├── ParseError           a body is not a feed we can read
    ├── ExtractError         an article page gave no text
    ├── RulesError           a rules file is invalid
    ├── StoreError           the database is unreachable or refused a write
    └── DeliveryError        a destination refused an alert
        ├── RetryableDelivery   try again later (429, 5xx, timeouts); may carry retry_after
        └── FatalDelivery       do not retry (bad token, unknown channel, bad address)

Every message names the thing at fault (file and line, feed URL, destination) and says what the
user can do. Messages never contain secrets.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(MonitorError):
    pass


class FetchError(MonitorError):
    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message


class FetchTimeout(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, url: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class ParseError(MonitorError):
    pass


class ExtractError(MonitorError):
    pass


class RulesError(MonitorError):
    pass


class StoreError(MonitorError):
    pass


class DeliveryError(MonitorError):
    def __init__(self, destination: str, reason: str) -> None:
        super().__init__(f"{destination}: {reason}")
        self.destination = destination
        self.reason = reason


class RetryableDelivery(DeliveryError):
    def __init__(self, destination: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(destination, reason)
        self.retry_after = retry_after


class FatalDelivery(DeliveryError):
    pass
