"""Fetcher against real HTTP servers on 127.0.0.1 (no mocks of httpx; nothing leaves the host)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from newsdesk.config import Config
from newsdesk.errors import BlockedAddressError, FetchError
from newsdesk.ingest.fetch import (
    Fetcher,
    RetryLaterError,
    RobotsDisallowedError,
    is_public_address,
    parse_retry_after,
)

Handler = Callable[[BaseHTTPRequestHandler], None]
LIMIT = 10_000


class LocalServer:
    """A threaded HTTP server; tests register one handler per path in `routes`."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: list[str] = []
        self.headers: list[dict[str, str]] = []
        routes, hits, seen = self.routes, self.hits, self.headers

        class RequestHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                hits.append(path)
                seen.append({k.lower(): v for k, v in self.headers.items()})
                handler = routes.get(path)
                try:
                    if handler is None:
                        send(self, 404, b"not found")
                    else:
                        handler(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (size limits, timeouts): expected

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.httpd = Server(("127.0.0.1", 0), RequestHandler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str) -> int:
        return self.hits.count(path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: bytes = b"",
         headers: dict[str, str] | None = None, length: bool = True) -> None:
    h.send_response(status)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    if length:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


def make(**settings: Any) -> Fetcher:
    values: dict[str, Any] = {"allow_private": True, "per_host_delay": 0.0, "fetch_timeout": 5.0,
                              "max_redirects": 3, "max_body_bytes": LIMIT}
    values.update(settings)
    return Fetcher(Config(**values))


# -- plain fetches ---------------------------------------------------------------------------


def test_200_body(server: LocalServer) -> None:
    server.routes["/feed.xml"] = lambda h: send(
        h, 200, b"<rss/>", {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": '"v1"'})
    with make() as fetcher:
        result = fetcher.fetch(server.url("/feed.xml"))
    assert result.status == 200 and result.body == b"<rss/>" and not result.not_modified
    assert result.url == server.url("/feed.xml")
    assert result.content_type == "application/rss+xml"
    assert result.etag == '"v1"' and result.headers["content-type"].startswith("application/rss")
    assert server.headers[0]["user-agent"] == Config().user_agent


def test_user_agent_from_config(server: LocalServer) -> None:
    server.routes["/"] = lambda h: send(h, 200, b"ok")
    with make(user_agent="TestBot/9 (+https://bot.example)") as fetcher:
        fetcher.fetch(server.url("/"))
    assert server.headers[0]["user-agent"] == "TestBot/9 (+https://bot.example)"


def _conditional(h: BaseHTTPRequestHandler) -> None:
    stamp = "Fri, 03 May 2013 14:00:00 GMT"
    if h.headers.get("If-None-Match") == '"v7"':
        send(h, 304, headers={"ETag": '"v7"'}, length=False)
    elif h.headers.get("If-Modified-Since") == stamp:
        send(h, 304, length=False)  # no validators repeated: the caller's are kept
    else:
        send(h, 200, b"fresh", {"ETag": '"v7"', "Last-Modified": stamp})


def test_etag_round_trip(server: LocalServer) -> None:
    server.routes["/c"] = _conditional
    with make() as fetcher:
        first = fetcher.fetch(server.url("/c"))
        second = fetcher.fetch(server.url("/c"), etag=first.etag)
    assert first.body == b"fresh" and first.etag == '"v7"'
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == '"v7"'
    assert server.headers[1]["if-none-match"] == '"v7"'


def test_last_modified_round_trip(server: LocalServer) -> None:
    server.routes["/c"] = _conditional
    with make() as fetcher:
        first = fetcher.fetch(server.url("/c"))
        second = fetcher.fetch(server.url("/c"), last_modified=first.last_modified)
    assert first.last_modified == "Fri, 03 May 2013 14:00:00 GMT"
    assert second.not_modified and second.last_modified == first.last_modified
    assert "if-none-match" not in server.headers[1]


# -- size limit ------------------------------------------------------------------------------


def test_declared_length_over_limit(server: LocalServer) -> None:
    server.routes["/big"] = lambda h: send(h, 200, b"x" * (LIMIT + 1))
    with make() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/big"))
    assert caught.value.reason.startswith(f"response over {LIMIT} bytes")


def test_missing_length_over_limit(server: LocalServer) -> None:
    def stream(h: BaseHTTPRequestHandler) -> None:
        send(h, 200, headers={"Content-Type": "text/html"}, length=False)
        for _ in range(50):  # 50 KB until the connection closes (HTTP/1.0)
            h.wfile.write(b"y" * 1024)
    server.routes["/stream"] = stream
    with make() as fetcher, pytest.raises(FetchError, match=f"response over {LIMIT} bytes"):
        fetcher.fetch(server.url("/stream"))


def test_lying_length_never_gives_more_than_declared(server: LocalServer) -> None:
    def liar(h: BaseHTTPRequestHandler) -> None:
        send(h, 200, headers={"Content-Length": "100"}, length=False)
        h.wfile.write(b"z" * 50_000)
    server.routes["/liar"] = liar
    with make() as fetcher:
        result = fetcher.fetch(server.url("/liar"))
    assert len(result.body) == 100


def test_gzip_is_decoded_and_limit_applies_after_decoding(server: LocalServer) -> None:
    small = gzip.compress(b"<rss>hello</rss>")
    bomb = gzip.compress(b"\0" * 1_000_000)
    assert len(bomb) < LIMIT
    server.routes["/gz"] = lambda h: send(h, 200, small, {"Content-Encoding": "gzip"})
    server.routes["/bomb"] = lambda h: send(h, 200, bomb, {"Content-Encoding": "gzip"})
    with make() as fetcher:
        assert fetcher.fetch(server.url("/gz")).body == b"<rss>hello</rss>"
        with pytest.raises(FetchError, match="response over"):
            fetcher.fetch(server.url("/bomb"))


# -- redirects -------------------------------------------------------------------------------


def _redirect_to(location: str, status: int = 302) -> Handler:
    return lambda h: send(h, status, headers={"Location": location})


def test_redirect_chain_within_limit(server: LocalServer) -> None:
    server.routes["/r1"] = _redirect_to("/r2", 301)
    server.routes["/r2"] = _redirect_to(server.url("/r3"), 307)
    server.routes["/r3"] = _redirect_to("final", 308)  # relative to /r3
    server.routes["/final"] = lambda h: send(h, 200, b"arrived")
    with make(max_redirects=3) as fetcher:
        result = fetcher.fetch(server.url("/r1"))
    assert result.body == b"arrived" and result.url == server.url("/final")


def test_redirect_chain_beyond_limit(server: LocalServer) -> None:
    for i in range(1, 5):
        server.routes[f"/r{i}"] = _redirect_to(f"/r{i + 1}")
    server.routes["/r5"] = lambda h: send(h, 200, b"too far")
    with make(max_redirects=3) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/r1"))
    assert "more than 3 redirects" in caught.value.reason
    assert server.count("/r5") == 0 and server.count("/r4") == 1


def test_redirect_loop(server: LocalServer) -> None:
    server.routes["/loop"] = _redirect_to("/loop")
    with make(max_redirects=2) as fetcher, pytest.raises(FetchError, match="more than 2"):
        fetcher.fetch(server.url("/loop"))


def test_each_hop_is_checked_again(server: LocalServer) -> None:
    server.routes["/to-file"] = _redirect_to("file:///etc/passwd")
    server.routes["/to-nowhere"] = lambda h: send(h, 302)
    with make() as fetcher:
        with pytest.raises(FetchError, match="only http and https"):
            fetcher.fetch(server.url("/to-file"))
        with pytest.raises(FetchError, match="redirect without a Location"):
            fetcher.fetch(server.url("/to-nowhere"))


# -- timeouts --------------------------------------------------------------------------------


def test_slow_server_times_out(server: LocalServer) -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        send(h, 200, b"late")
    server.routes["/slow"] = slow
    started = time.monotonic()
    with make(fetch_timeout=0.5) as fetcher, pytest.raises(FetchError, match="timed out"):
        fetcher.fetch(server.url("/slow"))
    assert time.monotonic() - started < 1.4


def test_slow_drip_body_times_out(server: LocalServer) -> None:
    def drip(h: BaseHTTPRequestHandler) -> None:
        send(h, 200, length=False)
        for _ in range(15):  # a byte every 0.2 s: each read is quick, the whole is not
            h.wfile.write(b".")
            h.wfile.flush()
            time.sleep(0.2)
    server.routes["/drip"] = drip
    started = time.monotonic()
    with make(fetch_timeout=0.5) as fetcher, pytest.raises(FetchError, match="timed out"):
        fetcher.fetch(server.url("/drip"))
    assert time.monotonic() - started < 2.0


# -- politeness ------------------------------------------------------------------------------


def test_retry_after_on_429_then_refused_without_a_request(server: LocalServer) -> None:
    server.routes["/busy"] = lambda h: send(h, 429, b"slow down", {"Retry-After": "120"})
    server.routes["/other"] = lambda h: send(h, 200, b"ok")
    with make() as fetcher:
        with pytest.raises(RetryLaterError) as first:
            fetcher.fetch(server.url("/busy"))
        assert first.value.status == 429 and first.value.retry_after == 120
        assert "HTTP 429" in first.value.reason
        with pytest.raises(FetchError) as second:
            fetcher.fetch(server.url("/other"))  # same host, another path: still refused
    assert "host asked us to wait until" in second.value.reason
    assert isinstance(second.value, RetryLaterError)
    assert second.value.retry_at == first.value.retry_at
    assert server.hits == ["/busy"]


def test_retry_after_http_date_on_503(server: LocalServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(minutes=5), usegmt=True)
    server.routes["/down"] = lambda h: send(h, 503, headers={"Retry-After": when})
    with make() as fetcher, pytest.raises(RetryLaterError) as caught:
        fetcher.fetch(server.url("/down"))
    assert caught.value.status == 503 and 200 < caught.value.retry_after <= 300


def test_503_without_retry_after_is_a_plain_error(server: LocalServer) -> None:
    server.routes["/down"] = lambda h: send(h, 503)
    with make() as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(server.url("/down"))
        assert not isinstance(caught.value, RetryLaterError) and caught.value.status == 503
        with pytest.raises(FetchError):
            fetcher.fetch(server.url("/down"))
    assert server.count("/down") == 2


def test_per_host_delay_sleeps_between_requests(server: LocalServer) -> None:
    server.routes["/"] = lambda h: send(h, 200, b"ok")
    waits: list[float] = []
    config = Config(allow_private=True, per_host_delay=0.3)
    with Fetcher(config, sleep=waits.append) as fetcher:
        fetcher.fetch(server.url("/"))
        fetcher.fetch(server.url("/"))
    assert len(waits) == 1 and 0.2 < waits[0] <= 0.3


def test_robots_disallow(server: LocalServer) -> None:
    server.routes["/robots.txt"] = lambda h: send(
        h, 200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"})
    server.routes["/private/a"] = lambda h: send(h, 200, b"secret")
    server.routes["/public/a"] = lambda h: send(h, 200, b"hello")
    with make() as fetcher:
        with pytest.raises(RobotsDisallowedError, match="robots.txt disallows"):
            fetcher.fetch(server.url("/private/a"), check_robots=True)
        assert fetcher.fetch(server.url("/public/a"), check_robots=True).body == b"hello"
        # feeds are fetched without robots by default
        assert fetcher.fetch(server.url("/private/a")).body == b"secret"
    assert server.count("/robots.txt") == 1  # cached per host
    assert server.count("/private/a") == 1


def test_robots_rules_for_our_agent(server: LocalServer) -> None:
    server.routes["/robots.txt"] = lambda h: send(
        h, 200, b"User-agent: newsdesk\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    server.routes["/a"] = lambda h: send(h, 200, b"a")
    with make() as fetcher, pytest.raises(RobotsDisallowedError):
        fetcher.fetch(server.url("/a"), check_robots=True)


@pytest.mark.parametrize("status", [404, 500])
def test_missing_or_failing_robots_allows(server: LocalServer, status: int) -> None:
    server.routes["/robots.txt"] = lambda h: send(h, status)
    server.routes["/a"] = lambda h: send(h, 200, b"a")
    with make() as fetcher:
        assert fetcher.fetch(server.url("/a"), check_robots=True).body == b"a"
        assert fetcher.fetch(server.url("/a"), check_robots=True).body == b"a"
    assert server.count("/robots.txt") == 1


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status, phrase", [(404, "Not Found"), (500, "Internal Server Error"),
                                            (410, "Gone"), (403, "Forbidden")])
def test_http_errors_carry_status(server: LocalServer, status: int, phrase: str) -> None:
    server.routes["/e"] = lambda h: send(h, status, b"nope")
    with make() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/e"))
    assert caught.value.status == status and caught.value.reason == f"HTTP {status} {phrase}"


def test_private_addresses_refused(server: LocalServer) -> None:
    server.routes["/"] = lambda h: send(h, 200, b"internal")
    with make(allow_private=False) as fetcher:
        for url in (server.url("/"), f"http://localhost:{server.port}/", "http://[::1]/",
                    "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/",
                    "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/"):
            with pytest.raises(BlockedAddressError) as caught:
                fetcher.fetch(url)
            assert "allow_private" in caught.value.reason
    assert server.hits == []


def test_every_resolved_address_must_be_public() -> None:
    table = {"mixed.test": ["93.184.216.34", "192.168.1.9"], "public.test": ["93.184.216.34"]}
    with Fetcher(Config(allow_private=False), resolver=lambda host, port: table[host]) as f:
        with pytest.raises(BlockedAddressError, match="192.168.1.9"):
            f.check_url("https://mixed.test/feed")
        f.check_url("https://public.test/feed")  # no exception


def test_unresolvable_host() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    with (
        Fetcher(Config(allow_private=False), resolver=fail) as fetcher,
        pytest.raises(FetchError, match="cannot resolve host nowhere.test"),
    ):
        fetcher.fetch("https://nowhere.test/")


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "file:///etc/passwd",
                                 "javascript:alert(1)", "gopher://x/", "example.com/feed"])
def test_non_http_schemes_refused(url: str) -> None:
    with make() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert "only http and https" in caught.value.reason


def test_connection_refused_is_a_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with make() as fetcher, pytest.raises(FetchError, match="cannot connect"):
        fetcher.fetch(f"http://127.0.0.1:{port}/")


def test_garbage_responses_are_fetch_errors(server: LocalServer) -> None:
    def not_http(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"SSH-2.0-OpenSSH\r\n\r\n")
    server.routes["/garbage"] = not_http
    server.routes["/badgzip"] = lambda h: send(h, 200, b"not gzip at all",
                                               {"Content-Encoding": "gzip"})
    with make() as fetcher:
        with pytest.raises(FetchError, match="HTTP failure"):
            fetcher.fetch(server.url("/garbage"))
        with pytest.raises(FetchError, match="cannot decode"):
            fetcher.fetch(server.url("/badgzip"))
        with pytest.raises(FetchError, match="invalid URL"):
            fetcher.fetch("http://example.com:99999/")


# -- helpers ---------------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("30") == 30
    assert parse_retry_after("99999999") == 24 * 3600
    assert parse_retry_after("Mon, 01 Jan 2024 00:02:00 GMT", now) == 120
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    "address, public",
    [("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
     ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.0.1", False),
     ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
     ("fe80::1%eth0", False), ("fc00::1", False), ("::ffff:10.0.0.1", False),
     ("224.0.0.1", False), ("240.0.0.1", False), ("not an ip", False)],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public
