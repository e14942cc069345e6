"""Enforces the network policy where the connection is made, so nothing can get round it.

The check sits in an httpcore network backend: `connect_tcp` resolves the host itself, checks
every address against the policy, and connects to the address it checked. Feed fetches, article
fetches and each redirect hop all open their connections here, and a name that resolves to one
address when checked and another when connected to (DNS rebinding) cannot happen: there is one
resolution, and the connection uses its answer. TLS still names the host (httpcore passes the
origin's host name to `start_tls`), and so does the Host header.

A feed's own `allow_networks` travel with each request as a request extension (httpx keeps
extensions across redirects). Each distinct policy gets its own connection pool, so a connection
opened under a wider policy is never reused by a request that may not reach that address.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import nullcontext

import httpcore
import httpx

from monitor.netpolicy import IPAddress, IPNetwork, NetworkPolicy, Verdict, parse_host

ALLOW_EXTENSION = "monitor.allow_networks"  # request extension: a tuple of IPNetwork

Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]


class BlockedAddress(Exception):
    """A connection the policy refused; the fetcher turns it into `AddressRefused`."""

    def __init__(self, host: str, port: int, verdict: Verdict) -> None:
        super().__init__(f"{host}:{port}: {verdict.reason}")
        self.host = host
        self.port = port
        self.verdict = verdict


async def system_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address getaddrinfo gives for a TCP connection, in its order, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = parse_host(str(sockaddr[0]))
        if address is not None and address not in found:
            found.append(address)
    return found


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks every address against `policy`, and connects only to checked ones."""

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        resolve: Resolver = system_resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolve
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._addresses(host, port, timeout)
        # Every answer must pass: a name that mixes public and private answers is refused whole.
        for address in addresses:
            verdict = self.policy.check(address)
            if not verdict.allowed:
                raise BlockedAddress(host, port, verdict)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # _addresses never returns an empty list
        raise failure

    async def _addresses(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        literal = parse_host(host)
        if literal is not None:
            return [literal]
        try:
            async with asyncio.timeout(timeout) if timeout is not None else nullcontext():
                addresses = list(await self._resolve(host, port))
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took over {timeout:g} s") from None
        except OSError as exc:  # socket.gaierror
            raise httpcore.ConnectError(str(exc)) from None
        if not addresses:
            raise httpcore.ConnectError(f"{host}: Name or service not known")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(f"{path}: Unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose every connection goes through a `GuardedBackend`."""

    def __init__(
        self, policy: NetworkPolicy, limits: httpx.Limits, *, resolve: Resolver = system_resolve
    ) -> None:
        self.policy = policy
        self._limits = limits
        self._resolve = resolve
        self._transports: dict[NetworkPolicy, httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        extra: tuple[IPNetwork, ...] = request.extensions.get(ALLOW_EXTENSION, ())
        policy = self.policy.widened(extra)
        transport = self._transports.get(policy)
        if transport is None:
            transport = self._transports[policy] = self._transport(policy)
        return await transport.handle_async_request(request)

    def _transport(self, policy: NetworkPolicy) -> httpx.AsyncHTTPTransport:
        transport = httpx.AsyncHTTPTransport(limits=self._limits)
        # httpx 0.28 takes no network backend (encode/httpx#3749 adds one), so the pool is
        # rebuilt here as AsyncHTTPTransport builds it, with the guarded backend.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=self._limits.max_connections,
            max_keepalive_connections=self._limits.max_keepalive_connections,
            keepalive_expiry=self._limits.keepalive_expiry,
            network_backend=GuardedBackend(policy, resolve=self._resolve),
        )
        return transport

    async def aclose(self) -> None:
        transports, self._transports = list(self._transports.values()), {}
        for transport in transports:
            await transport.aclose()
