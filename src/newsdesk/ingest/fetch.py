"""Polite, safe HTTP fetching over httpx (sync API).

One `Fetcher` per worker; it keeps per-host state, so share it rather than making one per URL.
It is thread-safe: several threads may fetch at once (pipeline.py completes pages of different
hosts in parallel), each host still getting its own spacing and Retry-After.

Every fetch, and every redirect hop again, goes through the same gate:

1. the scheme must be http or https;
2. the host is resolved (the `resolver`, socket.getaddrinfo by default) and, unless
   `allow_private`, *every* address must be public (addresses.py: every special-purpose range,
   IPv6 forms that embed a private IPv4 address included) or in `allow_networks`, else
   BlockedAddressError;
3. the connection goes to one of exactly those checked addresses: the addresses are pinned
   for the request, and the connection layer (`PinnedBackend`) connects to them and never
   resolves the name again. The URL, the Host header, TLS server name (SNI) and certificate
   check keep the host name. So a DNS server that answers "public" to the check and
   "loopback" a moment later (rebinding) gets nowhere;
4. with `check_robots=True` (article and page fetches; feeds default to False) robots.txt of
   the host is fetched once, cached, and obeyed; a robots.txt that cannot be fetched or is
   missing allows everything;
5. a host that answered 429/503 with Retry-After is not contacted again before that time:
   RetryLaterError("host asked us to wait until ...") is raised without a request; with
   `holds` (the store) the time is kept in the database, so every process honours it;
6. requests to one host are spaced at least `per_host_delay` seconds apart (we sleep); with
   `holds` the turns are taken in the database, so this holds across processes too.

Then one GET, redirects not followed by httpx but by us, up to `max_redirects`. The body is
streamed (gzip/deflate decoded by httpx) and abandoned once it passes `max_body_bytes`, whatever
Content-Length said; a declared Content-Length over the limit is refused before reading.
`fetch_timeout` bounds each network wait and the whole body read of each hop.

Conditional GET: pass the stored `etag` / `last_modified`; a 304 gives `not_modified=True` and an
empty body. 4xx/5xx raise FetchError with `.status`. Every failure is a FetchError (or subclass)
with a one-line reason; no httpx exception escapes.

Proxies from the environment are ignored (`trust_env=False`): a proxy would make the address
check meaningless. A kept-alive connection is reused for its own host name only (httpcore pools
by scheme, name and port), and it goes to an address that passed the check when it was opened.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from ..config import Config
from ..errors import BlockedAddressError, FetchError
from .addresses import Networks, is_public_address

__all__ = ["FetchResult", "Fetcher", "HostHolds", "PinnedBackend", "RetryLaterError",
           "RobotsDisallowedError", "is_public_address", "parse_retry_after", "system_resolver"]

Resolver = Callable[[str, int], list[str]]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
MAX_ROBOTS_BYTES = 512 * 1024
MAX_RETRY_AFTER = 24 * 3600.0  # a host cannot lock us out for longer than a day
DEFAULT_429_WAIT = 60.0  # a 429 without Retry-After still means "slow down"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


@dataclass
class FetchResult:
    """A successful (2xx) or not-modified (304) response, after redirects."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lowercase names
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    content_type: str | None = None  # media type only, lowercase: "application/rss+xml"
    retry_after: float | None = None  # seconds, when a successful response carried Retry-After


class HostHolds(Protocol):
    """Where Retry-After times and each host's next turn are shared between processes (the
    Store)."""

    def hold_host(self, host: str, until: datetime) -> None: ...
    def host_hold(self, host: str, now: datetime) -> datetime | None: ...
    def take_host_turn(self, host: str, now: datetime, delay: float) -> datetime: ...


class RetryLaterError(FetchError):
    """The host asked us (429/503 + Retry-After) to come back later, or already had."""

    def __init__(self, url: str, reason: str, status: int | None, retry_after: float,
                 retry_at: datetime) -> None:
        super().__init__(url, reason, status)
        self.retry_after = retry_after
        self.retry_at = retry_at


class RobotsDisallowedError(FetchError):
    """robots.txt of the host disallows this URL for our user agent."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (socket.getaddrinfo)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or HTTP-date), capped; None if unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class _Pins(threading.local):
    """The addresses checked for the request this thread is sending: (host name, addresses)."""

    current: tuple[str, list[str]] | None = None


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore's connection layer, connecting only to the addresses pinned for the host name
    of the request being sent by this thread; it never resolves a name itself."""

    def __init__(self) -> None:
        self.pins = _Pins()
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        pinned = self.pins.current
        if pinned is None or pinned[0] != host.lower():
            raise httpcore.ConnectError(f"no checked address for {host}")
        failure: Exception | None = None
        for address in pinned[1]:  # like socket.create_connection: each address in turn
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address,
                                               socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
        if failure is None:
            raise httpcore.ConnectError(f"no checked address for {host}")
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport on a connection pool that uses PinnedBackend."""

    def __init__(self, backend: PinnedBackend) -> None:
        super().__init__(trust_env=False)
        # httpx builds its pool without a way to pass a network backend; this one is the
        # same pool (default limits, verified TLS) with ours. test_fetch_security proves
        # the pin holds, so a change in httpx's internals cannot pass unnoticed.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def pin_key(url: str) -> str:
    """The host name of `url` as the connection layer sees it (IDNA-encoded, lowercase)."""
    return httpx.URL(url).raw_host.decode("ascii").lower()


def host_key(url: str) -> str:
    """"scheme://host:port" of a URL: the unit of politeness and of robots.txt."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


class Fetcher:
    """Fetches URLs politely and safely; see the module docstring. Thread-safe."""

    def __init__(self, config: Config, *, resolver: Resolver | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 holds: HostHolds | None = None) -> None:
        self.config = config
        self.timeout = float(config.fetch_timeout)
        self.max_bytes = int(config.max_body_bytes)
        self.max_redirects = int(config.max_redirects)
        self.user_agent = str(config.user_agent)
        self.allow_private = bool(config.allow_private)
        self.allow_networks = Networks(str(config.allow_networks))
        self.per_host_delay = float(config.per_host_delay)
        self._resolve = resolver or system_resolver
        self._sleep = sleep
        self._holds = holds
        self._backend = PinnedBackend()
        self._client = httpx.Client(
            transport=_PinnedTransport(self._backend),
            follow_redirects=False,
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": self.user_agent, "Accept": ACCEPT},
            trust_env=False,
        )
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}  # host -> monotonic time of next allowed request
        self._wait_until: dict[str, tuple[float, datetime]] = {}  # host -> (monotonic, wall)
        self._robots: dict[str, RobotFileParser | None] = {}

    # -- public -----------------------------------------------------------------------------

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None, *,
              check_robots: bool = False) -> FetchResult:
        """GET `url`, following redirects; FetchResult or FetchError (see module docstring)."""
        return self._fetch(url.strip(), etag, last_modified, check_robots, self.max_bytes)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- the gate ---------------------------------------------------------------------------

    def check_url(self, url: str) -> list[str]:
        """Refuse non-http(s) URLs and, unless allowed, non-public addresses; return the
        addresses the host resolved to, the only ones a connection for `url` may go to."""
        try:
            parts = urlsplit(url)
            port = parts.port
            name = pin_key(url)
        except (ValueError, UnicodeError, httpx.InvalidURL) as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            shown = f"{scheme}:" if scheme else "a URL without a scheme"
            raise FetchError(url, f"refusing {shown}: only http and https URLs are fetched")
        host = parts.hostname
        if not host or not name:
            raise FetchError(url, "invalid URL: no host")
        try:
            addresses = list(self._resolve(name, port or (443 if scheme == "https" else 80)))
        except (OSError, UnicodeError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise FetchError(url, f"cannot resolve host {host}: {reason}") from None
        if not addresses:
            raise FetchError(url, f"cannot resolve host {host}: no addresses")
        for address in addresses:
            if not (self.allow_private or is_public_address(address)
                    or address in self.allow_networks):
                what = f"{host} is" if address == host else f"{host} resolves to {address},"
                raise BlockedAddressError(
                    url, f"{what} a private, loopback or special-purpose address "
                    "(set allow_private or allow_networks to fetch it)")
        return list(dict.fromkeys(addresses))

    def _check_robots(self, url: str) -> None:
        key = host_key(url)
        with self._lock:
            known = key in self._robots
            rules = self._robots.get(key)
        if not known:
            rules = self._load_robots(key)
            with self._lock:
                self._robots[key] = rules
        if rules is not None and not rules.can_fetch(self.user_agent, url):
            raise RobotsDisallowedError(url, "robots.txt disallows this URL for our user agent")

    def _load_robots(self, key: str) -> RobotFileParser | None:
        robots_url = f"{key}/robots.txt"
        try:
            result = self._fetch(robots_url, None, None, False, MAX_ROBOTS_BYTES)
        except RetryLaterError:
            raise
        except FetchError:
            return None  # missing or unreadable robots.txt: everything is allowed
        rules = RobotFileParser(robots_url)
        rules.parse(result.body.decode("utf-8", errors="replace").splitlines())
        return rules

    def _take_turn(self, url: str) -> None:
        """Honour Retry-After and the per-host delay (sleeping for the latter)."""
        key = host_key(url)
        with self._lock:
            now = time.monotonic()
            blocked = self._wait_until.get(key)
            if (blocked is None or now >= blocked[0]) and self._holds is not None:
                until = self._holds.host_hold(key, datetime.now(UTC))
                if until is not None:  # another process was told to wait
                    remaining = (until - datetime.now(UTC)).total_seconds()
                    blocked = (now + remaining, until)
                    self._wait_until[key] = blocked
            if blocked is not None and now < blocked[0]:
                remaining = blocked[0] - now
                raise RetryLaterError(
                    url, f"host asked us to wait until {blocked[1].isoformat(timespec='seconds')}"
                    " (Retry-After)", None, remaining, blocked[1])
            slot = max(now, self._next_slot.get(key, now))
            self._next_slot[key] = slot + self.per_host_delay
        if self._holds is not None and self.per_host_delay > 0:
            # and the host's turn among every process on the database (workers, imports):
            # both reservations move by the same delay, so the later of the two is kept
            wall = datetime.now(UTC)
            turn = self._holds.take_host_turn(key, wall, self.per_host_delay)
            slot = max(slot, now + (turn - wall).total_seconds())
        if slot > now:
            self._sleep(slot - now)
            with self._lock:  # a late wake-up moves the next turn, never brings it closer
                self._next_slot[key] = max(self._next_slot[key],
                                           time.monotonic() + self.per_host_delay)

    def _note_retry_after(self, url: str, seconds: float) -> datetime:
        retry_at = datetime.now(UTC) + timedelta(seconds=seconds)
        with self._lock:
            self._wait_until[host_key(url)] = (time.monotonic() + seconds, retry_at)
        if self._holds is not None:
            self._holds.hold_host(host_key(url), retry_at)
        return retry_at

    # -- the request ------------------------------------------------------------------------

    def _fetch(self, url: str, etag: str | None, last_modified: str | None,
               check_robots: bool, limit: int) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.max_redirects + 1):
            addresses = self.check_url(current)
            if check_robots:
                self._check_robots(current)
            self._take_turn(current)
            response, body = self._send(current, addresses, headers, limit)
            status = response.status_code
            if status in REDIRECT_STATUSES:
                location = response.headers.get("location", "").strip()
                if not location:
                    raise FetchError(current, f"HTTP {status} redirect without a Location", status)
                try:
                    current = urljoin(current, location)
                except ValueError:
                    raise FetchError(current, f"invalid redirect Location {location!r}",
                                     status) from None
                continue
            return self._result(current, response, body, etag, last_modified)
        raise FetchError(url, f"more than {self.max_redirects} redirects (last: {current})")

    def _send(self, url: str, addresses: list[str], headers: dict[str, str],
              limit: int) -> tuple[httpx.Response, bytes]:
        deadline = time.monotonic() + self.timeout
        try:
            request = self._client.build_request("GET", url, headers=headers)
            self._backend.pins.current = (pin_key(url), addresses)
            try:
                response = self._client.send(request, stream=True)
            finally:
                self._backend.pins.current = None
            try:
                status = response.status_code
                if status in REDIRECT_STATUSES or status == 304 or status >= 400:
                    return response, b""
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(url, f"response over {limit} bytes "
                                          f"(Content-Length {declared})", status)
                chunks: list[bytes] = []
                total = 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > limit:
                        raise FetchError(url, f"response over {limit} bytes", status)
                    if time.monotonic() > deadline:
                        raise FetchError(url, f"timed out after {self.timeout:g} s "
                                              "reading the body", status)
                    chunks.append(chunk)
                return response, b"".join(chunks)
            finally:
                response.close()
        except FetchError:
            raise
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect to {', '.join(addresses)}: "
                                  f"{_short(exc)}") from None
        except httpx.DecodingError as exc:
            raise FetchError(url, f"cannot decode the response body: {_short(exc)}") from None
        except httpx.TooManyRedirects as exc:  # not expected: we follow redirects ourselves
            raise FetchError(url, _short(exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"HTTP failure: {_short(exc)}") from None
        except (httpx.InvalidURL, httpx.StreamError, ValueError, UnicodeError) as exc:
            raise FetchError(url, f"invalid request: {_short(exc)}") from None

    def _result(self, url: str, response: httpx.Response, body: bytes, etag: str | None,
                last_modified: str | None) -> FetchResult:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status >= 400:
            phrase = response.reason_phrase or "error"
            if status in RETRY_STATUSES:
                if retry_after is None and status == 429:
                    retry_after = DEFAULT_429_WAIT
                if retry_after is not None:
                    retry_at = self._note_retry_after(url, retry_after)
                    raise RetryLaterError(
                        url, f"HTTP {status} {phrase}; retry after {retry_after:g} s "
                        f"({retry_at.isoformat(timespec='seconds')})", status, retry_after,
                        retry_at)
            raise FetchError(url, f"HTTP {status} {phrase}", status)
        if status != 304 and not 200 <= status < 300:
            raise FetchError(url, f"unexpected HTTP status {status}", status)
        headers = {k.lower(): v for k, v in response.headers.items()}
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower() or None
        not_modified = status == 304
        return FetchResult(
            url=url,
            status=status,
            body=body,
            headers=headers,
            etag=headers.get("etag") or (etag if not_modified else None),
            last_modified=headers.get("last-modified") or (last_modified if not_modified else None),
            not_modified=not_modified,
            content_type=media,
            retry_after=retry_after,
        )


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
