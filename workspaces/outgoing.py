"""Every request Docent sends to another server goes through here: the model server (chat and
its stream, the model list and connection test of Admin → Language model), the embedding
server and the download of the local embedding model.

- Timeouts always: connecting and every read wait at most `timeout` seconds; a caller reading a
  long answer also gives a `deadline` for the whole exchange.
- A key is a `ServerKey`: the secret together with the origin (scheme, host and port) of the
  address it was configured for. It is sent only to a URL of that origin. A request carrying a
  key never follows a redirect (the 3xx is reported like any other status), so the key cannot
  be bounced to another host. Only requests without a key may follow redirects (the model's
  publisher sends its files on to a CDN).
- An address with a user name or password in it is refused: credentials travel only as a key.
- A failure is an `OutgoingError` whose message names the status and its standard reason
  ("answered 401 Unauthorized") or what went wrong ("no answer within 10 s"), never the other
  server's body: the start of an error body goes to the log only (the key masked), for the
  operator.
"""

import functools
import http
import logging
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

import httpx
from django.views.decorators.debug import sensitive_variables

from accounts.base import DocentError

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5
USER_AGENT = "Docent"

REASON_ADDRESS = "the address is not an http:// or https:// address with a host (and no user name or password)"
REASON_KEY = "the key holds characters an HTTP header cannot carry"
REASON_STATUS = "it answered {status}"
REASON_TIMEOUT = "no answer within {seconds:g} s"
REASON_UNREACHABLE = "could not connect ({detail})"
REASON_TOO_MANY_REDIRECTS = "more than {limit} redirects"
REASON_BROKEN = "the connection broke or the server does not speak HTTP ({kind})"
REASON_TOO_LARGE = "the answer is larger than {limit:,} bytes"
DETAIL_CHARS = 120
ERROR_EXCERPT_BYTES = 300


class Failure(StrEnum):
    ADDRESS = "address"
    KEY = "key"
    STATUS = "status"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    BROKEN = "broken"
    TOO_LARGE = "too_large"
    BLOCKED = "blocked"  # the web sources' guard refused the address (workspaces/web_fetch.py)


class OutgoingError(DocentError):
    """A request that failed. `failure` says how; `status` is the HTTP status the server answered,
    when it answered one. The message is a short phrase ("answered 404 Not Found") that callers
    put into their own sentences."""

    default_code = "provider_failed"

    def __init__(self, message: str, *, failure: Failure, status: int | None = None):
        super().__init__(message)
        self.failure = failure
        self.status = status


def status_text(status: int) -> str:
    """"401 Unauthorized": the status and its standard reason, never the server's own words."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def origin_of(url: str) -> str:
    """`scheme://host:port` of an http(s) URL as httpx will connect to it (the port always written);
    OutgoingError for anything else, an address with a user name or password included."""
    try:
        parsed = httpx.URL((url or "").strip())
    except httpx.InvalidURL:
        raise OutgoingError(REASON_ADDRESS, failure=Failure.ADDRESS) from None
    port = parsed.port or DEFAULT_PORTS.get(parsed.scheme)
    if parsed.scheme not in ALLOWED_SCHEMES or not parsed.host or parsed.userinfo or not 0 < port < 65536:
        raise OutgoingError(REASON_ADDRESS, failure=Failure.ADDRESS)
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return f"{parsed.scheme}://{host}:{port}"


@dataclass(frozen=True)
class ServerKey:
    """A secret bound to the origin it was configured for (see the module's docstring)."""

    secret: str = field(repr=False)
    origin: str

    @classmethod
    def for_address(cls, *, secret: str, address: str) -> "ServerKey | None":
        """The key for the server at `address` (the setting it was configured with); None when
        there is no secret or no usable address to bind it to."""
        secret = (secret or "").strip()
        if not secret:
            return None
        try:
            return cls(secret=secret, origin=origin_of(address))
        except OutgoingError:
            return None

    def sent_to(self, url: str) -> bool:
        return origin_of(url) == self.origin


class OpenResponse:
    """A response whose status was 2xx, its body still to be read: iterate `chunks()`, then `close()`
    (or use it as a context manager). Closing before the end hangs up on the server."""

    def __init__(self, client: httpx.Client, response: httpx.Response, *, origin: str, timeout: float):
        self._client, self._response = client, response
        self.origin, self.timeout = origin, timeout
        self.status = response.status_code

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives; a read waits at most `timeout` (Failure.TIMEOUT), a connection
        that breaks is Failure.BROKEN."""
        with _translated(self.origin, self.timeout):
            yield from self._response.iter_raw()

    def read(self, *, max_bytes: int, deadline: float | None = None) -> bytes:
        """The whole body, at most `max_bytes` (Failure.TOO_LARGE), by `deadline` (Failure.TIMEOUT)."""
        body, size = [], 0
        for chunk in self.chunks():
            size += len(chunk)
            if size > max_bytes:
                logger.warning("%s sent more than %d bytes; answer dropped", self.origin, max_bytes)
                raise OutgoingError(REASON_TOO_LARGE.format(limit=max_bytes), failure=Failure.TOO_LARGE)
            if deadline is not None and time.monotonic() > deadline:
                raise OutgoingError(REASON_TIMEOUT.format(seconds=self.timeout), failure=Failure.TIMEOUT)
            body.append(chunk)
        return b"".join(body)

    def close(self) -> None:
        self._response.close()
        self._client.close()

    def __enter__(self) -> "OpenResponse":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@sensitive_variables("headers")
def response_open(method: str, url: str, *, key: ServerKey | None = None, json: object = None,
                  accept: str = "application/json", timeout: float,
                  follow_redirects: bool = False) -> OpenResponse:
    """Send one request and wait for its status (see the module's docstring for the rules).
    Anything but a 2xx is an OutgoingError naming the status; its body is not read."""
    origin = origin_of(url)
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity"}
    if key is not None:
        if not (key.secret.isascii() and key.secret.isprintable()):
            logger.error("the key for %s holds characters not allowed in a header; nothing was sent", key.origin)
            raise OutgoingError(REASON_KEY, failure=Failure.KEY)
        if key.sent_to(url):
            headers["Authorization"] = f"Bearer {key.secret}"
        else:
            logger.warning("the key for %s was not sent to %s, another origin", key.origin, origin)
    client = httpx.Client(
        timeout=httpx.Timeout(timeout), verify=tls_context(), follow_redirects=follow_redirects and key is None,
        max_redirects=MAX_REDIRECTS,
    )
    try:
        with _translated(origin, timeout):
            response = client.send(client.build_request(method, url, json=json, headers=headers), stream=True)
    except BaseException:
        client.close()
        raise
    if not response.is_success:
        excerpt = _error_excerpt(response, origin=origin, timeout=timeout, key=key)
        response.close()
        client.close()
        logger.warning("%s answered HTTP %s to %s %s: %r", origin, response.status_code, method,
                       urlsplit(url).path, excerpt)
        raise OutgoingError(REASON_STATUS.format(status=status_text(response.status_code)),
                            failure=Failure.STATUS, status=response.status_code)
    return OpenResponse(client, response, origin=origin, timeout=timeout)


def request_send(method: str, url: str, *, key: ServerKey | None = None, json: object = None, timeout: float,
                 max_bytes: int, deadline: float | None = None) -> bytes:
    """The body of a 2xx answer to one request (`response_open`, then `OpenResponse.read`)."""
    with response_open(method, url, key=key, json=json, timeout=timeout) as response:
        return response.read(max_bytes=max_bytes, deadline=deadline)


def _error_excerpt(response: httpx.Response, *, origin: str, timeout: float, key: ServerKey | None) -> str:
    """The first bytes of an error body, for the log only, with the key masked (some servers echo it)."""
    try:
        with _translated(origin, timeout):
            first = next(response.iter_raw(ERROR_EXCERPT_BYTES), b"")
    except OutgoingError:
        first = b""
    excerpt = " ".join(first[:ERROR_EXCERPT_BYTES].decode("utf-8", "replace").split())
    return excerpt.replace(key.secret, "[key]") if key is not None else excerpt


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One certificate store for every request (loading it is the slow part of a new client)."""
    return httpx.create_ssl_context()


class _translated:
    """httpx's exceptions as OutgoingErrors with a short reason (never a body)."""

    def __init__(self, origin: str, timeout: float):
        self.origin, self.timeout = origin, timeout

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        """Only a connection failure's own words (the operating system's, e.g. "Connection refused")
        reach the message: a protocol error quotes what the server sent, so it goes to the log only."""
        if exc is None or isinstance(exc, OutgoingError):
            return False
        detail = " ".join(str(exc).split())[:DETAIL_CHARS] or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            logger.warning("%s sent nothing for %.1fs", self.origin, self.timeout)
            raise OutgoingError(REASON_TIMEOUT.format(seconds=self.timeout), failure=Failure.TIMEOUT) from None
        if isinstance(exc, httpx.ConnectError):
            logger.warning("%s could not be reached: %s", self.origin, detail)
            raise OutgoingError(REASON_UNREACHABLE.format(detail=detail), failure=Failure.UNREACHABLE) from None
        if isinstance(exc, httpx.TooManyRedirects):
            logger.warning("%s redirected more than %d times", self.origin, MAX_REDIRECTS)
            reason = REASON_TOO_MANY_REDIRECTS.format(limit=MAX_REDIRECTS)
            raise OutgoingError(reason, failure=Failure.UNREACHABLE) from None
        if isinstance(exc, httpx.ProxyError):
            logger.warning("the proxy to %s refused: %r", self.origin, detail)
            raise OutgoingError(REASON_UNREACHABLE.format(detail="the proxy refused"),
                                failure=Failure.UNREACHABLE) from None
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
            logger.error("%s is not a usable address: %r", self.origin, detail)
            raise OutgoingError(REASON_ADDRESS, failure=Failure.ADDRESS) from None
        if isinstance(exc, httpx.TransportError | httpx.StreamError | OSError):
            logger.warning("%s broke the connection: %r", self.origin, detail)
            raise OutgoingError(REASON_BROKEN.format(kind=type(exc).__name__), failure=Failure.BROKEN) from None
        return False
