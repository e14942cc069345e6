"""The service's errors.

    MonitorError
    ├── ConfigError          the config file or a secret is wrong; the service does not start
    ├── FetchError           one feed or page could not be fetched (carries the URL)
    │   ├── FetchTimeout
    │   ├── HTTPStatusError  the server answered with a status we do not accept
    │   └── AddressRefused   the URL (or a redirect) leads to an address the network policy
    │                        refuses: loopback, private, link-local... (see monitor.netpolicy)
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
        super().__init__(url, f"HTTP {status}{_status_hint(status)}")
        self.status = status
        self.retry_after = retry_after


def _status_hint(status: int) -> str:
    """What an HTTP error status means for the user, after the status itself."""
    if status in (401, 403):
        return (
            ": the server refuses access; the address may need a login, or extra request "
            "headers (feeds[].headers), or the site blocks automated clients"
        )
    if status in (404, 410):
        return ": nothing at this address (any more); check the URL, or find the site's current one"
    if status == 429:
        return ": too many requests; it is fetched again later, as the server asks"
    if status >= 500:
        return ": the server failed; it is fetched again later"
    return ""


class AddressRefused(FetchError):
    def __init__(self, url: str, message: str, *, address: str, address_class: str) -> None:
        super().__init__(url, message)
        self.address = address
        self.address_class = address_class


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
