"""The fetch client of web sources: pages from addresses people type, behind an SSRF guard.

Beside `outgoing.py` (whose errors and limits it shares), for requests to servers nobody
configured:

- Only http(s) addresses with a host and without a user name or password.
- The guard: a connection goes only to global unicast addresses. Loopback, private,
  link-local (cloud metadata at 169.254.169.254), shared (100.64/10), multicast, reserved
  and unspecified addresses are refused, unless the operator lists the host (by name or
  IP address) or a network holding the address in SOURCE_ALLOWED_HOSTS.
- The check is made on the DNS answer itself, inside the connection: the host name is
  resolved once, every address of the answer must pass, and the socket connects to an
  address so checked (no second lookup an attacker's DNS could answer differently). TLS
  still verifies the certificate of the host name.
- Redirects are followed here, one at a time (at most MAX_REDIRECTS), each new address
  checked the same way; no proxy from the environment is used (it would hide the target).
- Each page is bounded: SOURCE_PAGE_MAX_BYTES of body, SOURCE_PAGE_TIMEOUT_SECONDS for the
  whole exchange, redirects included.
"""

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore
import httpx
from django.conf import settings

from workspaces.outgoing import (
    MAX_REDIRECTS,
    REASON_TOO_MANY_REDIRECTS,
    USER_AGENT,
    Failure,
    OpenResponse,
    OutgoingError,
    _translated,
    origin_of,
    status_text,
    tls_context,
)

logger = logging.getLogger(__name__)

REASON_BLOCKED = "{host} is not a public address ({address}); an operator may allow it in SOURCE_ALLOWED_HOSTS"
REASON_UNRESOLVED = "{host} has no address"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


class AddressBlocked(Exception):
    """A connection the guard refused (raised inside httpcore, which passes it through)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HostRules:
    """SOURCE_ALLOWED_HOSTS, read: host names, and networks (an IP address is a network of one)."""

    names: frozenset
    networks: tuple

    @classmethod
    def from_settings(cls) -> "HostRules":
        names, networks = set(), []
        for entry in settings.SOURCE_ALLOWED_HOSTS:
            entry = entry.strip().lower().strip("[]")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.rstrip("."))
        return cls(names=frozenset(names), networks=tuple(networks))

    def allows(self, host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if host.lower().strip("[]").rstrip(".") in self.names:
            return True
        if any(address in network for network in self.networks):
            return True
        return is_public(address)


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address. An IPv6 address that carries an IPv4 one (mapped, 6to4, NAT64,
    IPv4-compatible) is judged as that IPv4 address, which a gateway may deliver it to."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address.sixtofour is not None:
            address = address.sixtofour
        elif address in NAT64 or address in IPV4_COMPATIBLE:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def address_check(host: str, port: int, rules: HostRules) -> list[tuple]:
    """Resolve `host` once; AddressBlocked unless every address of the answer is allowed.
    Returns getaddrinfo's entries to connect to."""
    try:
        answer = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise AddressBlocked(REASON_UNRESOLVED.format(host=host)) from None
    if not answer:
        raise AddressBlocked(REASON_UNRESOLVED.format(host=host))
    for *_, sockaddr in answer:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not rules.allows(host, address):
            logger.warning("A web source was refused %s (%s): not a public address", host, address)
            raise AddressBlocked(REASON_BLOCKED.format(host=host, address=address))
    return answer


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's sockets, connected only to addresses `address_check` passed."""

    def __init__(self, rules: HostRules):
        self.rules = rules

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        """Connect to the checked addresses themselves (TLS still names `host`: httpcore starts it
        with the request's host as server name)."""
        last_error = None
        for *_, sockaddr in address_check(host, port, self.rules):
            try:
                return super().connect_tcp(sockaddr[0], port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:
                last_error = error
        raise last_error or httpcore.ConnectError("no address to connect to")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over the guarded sockets. (httpx 0.28 takes no network backend, so
    its connection pool is built again with ours.)"""

    def __init__(self, rules: HostRules):
        super().__init__(verify=tls_context(), trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=tls_context(), max_connections=4, max_keepalive_connections=0,
            network_backend=GuardedBackend(rules),
        )


@dataclass(frozen=True)
class FetchedPage:
    url: str  # where the body came from, after redirects
    content_type: str  # lower case, without parameters
    charset: str | None
    body: bytes


def page_fetch(url: str, *, accept: str = PAGE_ACCEPT, max_bytes: int | None = None) -> FetchedPage:
    """GET `url` behind the guard, following redirects, within the page's size and time caps.
    Raises OutgoingError (Failure.BLOCKED for a refused address; Failure.STATUS with `status`
    for a non-2xx answer)."""
    max_bytes = max_bytes or settings.SOURCE_PAGE_MAX_BYTES
    seconds = settings.SOURCE_PAGE_TIMEOUT_SECONDS
    deadline = time.monotonic() + seconds
    rules = HostRules.from_settings()
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity"}
    with httpx.Client(transport=GuardedTransport(rules), timeout=httpx.Timeout(seconds), trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            origin = origin_of(url)
            remaining = max(0.1, deadline - time.monotonic())
            request = client.build_request("GET", url, headers=headers, timeout=httpx.Timeout(remaining))
            try:
                with _translated(origin, seconds):
                    response = client.send(request, stream=True)
            except AddressBlocked as blocked:
                raise OutgoingError(blocked.message, failure=Failure.BLOCKED) from None
            try:
                if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
                    url = urljoin(url, response.headers["location"])
                    continue
                if not response.is_success:
                    raise OutgoingError(f"it answered {status_text(response.status_code)}", failure=Failure.STATUS,
                                        status=response.status_code)
                body = OpenResponse(client, response, origin=origin, timeout=seconds).read(
                    max_bytes=max_bytes, deadline=deadline
                )
            finally:
                response.close()
            content_type = response.headers.get("content-type", "")
            return FetchedPage(
                url=url, content_type=content_type.split(";", 1)[0].strip().lower(),
                charset=response.charset_encoding, body=body,
            )
    raise OutgoingError(REASON_TOO_MANY_REDIRECTS.format(limit=MAX_REDIRECTS), failure=Failure.UNREACHABLE)


def address_refusal(url: str) -> str | None:
    """Why `url` may not be a web source now (its form's check), or None. Resolves the host
    as the fetch would; the fetch checks again at every connection."""
    try:
        origin = origin_of(url)
    except OutgoingError as error:
        return error.message
    parsed = httpx.URL(url)
    try:
        address_check(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), HostRules.from_settings())
    except AddressBlocked as blocked:
        return blocked.message
    logger.debug("web source address %s passes the guard", origin)
    return None
