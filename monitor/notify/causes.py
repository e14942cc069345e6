"""Why a destination could not be reached, in words a person can act on.

Transport libraries wrap the cause in their own classes (urllib's URLError around a
ConnectionRefusedError, httpx's ConnectError around an OSError, aiosmtplib's SMTPConnectError
around a socket.gaierror), so a message built from the outer exception says "URLError" and
nothing else. `cause_in_words` walks the chain to the cause and names it: connection refused,
name not resolved, timed out, TLS failure... `endpoint` says where: the host and the port, never
the path or the query, which may hold a webhook's secret.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"https": 443, "http": 80}
_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused (nothing listens on that port, or a firewall refuses)",
    errno.ECONNRESET: "connection reset by the server",
    errno.ETIMEDOUT: "timed out",
    errno.EHOSTUNREACH: "no route to the host",
    errno.ENETUNREACH: "network unreachable",
    errno.ECONNABORTED: "connection aborted",
    errno.EPIPE: "the server closed the connection",
}


def endpoint(url: str) -> str:
    """ "host:port" of a URL, the scheme's default port when it names none."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port or _DEFAULT_PORTS.get(parts.scheme, 80)}"


def wrapped(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (cause, context, urllib's `reason`, exceptions in args)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        reason = getattr(e, "reason", None)
        wrapped = [e.__cause__, e.__context__, reason, *getattr(e, "args", ())]
        todo += [w for w in wrapped if isinstance(w, BaseException)]


def cause_in_words(exc: BaseException) -> str:
    """What went wrong on the way to a destination, without an exception class as the message."""
    chain = list(wrapped(exc))
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            why = e.verify_message or e.reason or "not trusted"
            return (
                f"TLS failure: the server's certificate was refused ({why}); check the host "
                "name, or trust the server's CA (ca_file)"
            )
    for e in chain:
        if isinstance(e, ssl.SSLError):
            why = e.reason or "handshake failed"
            hint = (
                "; does that port speak TLS? (check port and security)"
                if "VERSION" in str(why).upper()
                else ""
            )
            return f"TLS failure ({str(why).lower().replace('_', ' ')}){hint}"
    for e in chain:
        if isinstance(e, socket.gaierror):
            return "name not resolved (check the host name, and that DNS answers from here)"
    for e in chain:
        if isinstance(e, ConnectionRefusedError):
            return _ERRNO_WORDS[errno.ECONNREFUSED]
    for e in chain:
        if isinstance(e, TimeoutError) or type(e).__name__.endswith("Timeout"):
            return "timed out: no answer within the destination's timeout"
    for e in chain:
        if isinstance(e, OSError) and e.errno in _ERRNO_WORDS:
            return _ERRNO_WORDS[e.errno]
    for e in chain:
        name = type(e).__name__
        if name in ("RemoteDisconnected", "RemoteProtocolError", "SMTPServerDisconnected"):
            return "the server closed the connection without answering"
        if name == "IncompleteRead":
            return "the server closed the connection in the middle of its answer"
    for e in chain:
        if isinstance(e, OSError) and e.strerror:
            return e.strerror[0].lower() + e.strerror[1:]
    # Nothing known. Its text may quote a URL with a secret in it: it goes only to the log,
    # which redacts secrets.
    log.warning("unexpected delivery failure", exc_info=exc, extra={"stage": "notify"})
    return f"unexpected failure in the client ({type(exc).__name__}); the log has the details"
