"""Fetching that cannot be turned against its host (issue 8): special-purpose addresses, the
IPv6 forms that embed a private IPv4 address, and DNS rebinding, each tried against real HTTP
servers on loopback addresses, with a real SQLite store that must come out unchanged.

Rebinding needs a "public" address that answers on this machine without anything leaving it:
127.0.0.2 stands for the attacker's public server, made reachable through `allow_networks`
("127.0.0.2/31"), while 127.0.0.1, the "internal" server the attacker wants, stays refused.
Both servers listen on the same port, so a URL reaches one or the other only by the address the
connection goes to.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from newsdesk.config import Config
from newsdesk.errors import BlockedAddressError, FetchError
from newsdesk.ingest.addresses import Networks, is_public_address
from newsdesk.ingest.fetch import Fetcher
from newsdesk.model import Article
from newsdesk.pipeline import Pipeline
from newsdesk.store import SQLiteStore, open_store

PUBLIC = "127.0.0.2"  # plays a public address (allow_networks)
OTHER_PUBLIC = "127.0.0.3"
INTERNAL = "127.0.0.1"


def feed(title: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://{title.lower()}.example/</link><item><title>{title} item</title>"
            f"<link>https://{title.lower()}.example/a</link><guid>{title}-1</guid>"
            f"<description>{title} says hello to every reader of this feed.</description>"
            "</item></channel></rss>").encode()


class Server:
    """An HTTP server on one address; records each request's path and Host header."""

    def __init__(self, address: str, port: int = 0, body: bytes = b"",
                 handler: Callable[[BaseHTTPRequestHandler], None] | None = None) -> None:
        self.requests: list[tuple[str, str]] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                requests.append((self.path, self.headers.get("Host", "")))
                if handler is not None:
                    handler(self)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((address, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port_on(*addresses: str) -> int:
    """A port free on every address (so servers on each can share it)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = int(probe.getsockname()[1])
        socks = []
        try:
            for address in addresses:
                s = socket.socket()
                socks.append(s)
                s.bind((address, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no port free on every address")


class Answers:
    """A resolver whose answers for a name change from call to call (the last repeats)."""

    def __init__(self, table: dict[str, list[list[str]]]) -> None:
        self.table = table
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        n = self.calls.count(host)
        self.calls.append(host)
        answers = self.table.get(host)
        if answers is None:
            return [host]  # an address literal resolves to itself
        return answers[min(n, len(answers) - 1)]


def rebinding(*names: str) -> Answers:
    """Each name answers PUBLIC, then INTERNAL, then PUBLIC... (a rebinding DNS server)."""
    return Answers({name: [[PUBLIC], [INTERNAL]] * 20 for name in names})


def fetcher(resolver: Callable[[str, int], list[str]], **settings: Any) -> Fetcher:
    values: dict[str, Any] = {"allow_private": False, "allow_networks": f"{PUBLIC}/31",
                              "per_host_delay": 0.0, "fetch_timeout": 3.0, "max_redirects": 3}
    values.update(settings)
    return Fetcher(Config(**values), resolver=resolver)


@pytest.fixture
def internal_and_public() -> Iterator[tuple[Server, int]]:
    """The internal server on 127.0.0.1:PORT, and PORT free on 127.0.0.2 (no server yet)."""
    port = free_port_on(INTERNAL, PUBLIC, OTHER_PUBLIC)
    internal = Server(INTERNAL, port, feed("Internal"))
    yield internal, port
    internal.close()


def filled_store(path: Path) -> tuple[SQLiteStore, dict[str, Any]]:
    store = open_store(path)
    put = store.put_article(Article(title="Kept article", url="https://kept.example/a",
                                    text="A stored article that no attack may change."))
    assert put.id is not None
    before = store.get_article(put.id)
    assert before is not None
    return store, {"count": 1, "article": (before.title, before.text, before.url),
                   "id": put.id, "feeds": []}


def assert_unchanged(store: SQLiteStore, before: dict[str, Any]) -> None:
    assert store.count_articles() == before["count"]
    got = store.get_article(before["id"])
    assert got is not None and (got.title, got.text, got.url) == before["article"]
    assert store.feeds() == before["feeds"]


# -- the address policy ----------------------------------------------------------------------

REFUSED = [
    "0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1",
    "127.255.255.255", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.1",
    "192.0.0.9", "192.0.0.170", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1",
    "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250",
    "240.0.0.1", "255.255.255.255",
    "::", "::1", "::127.0.0.1", "::8.8.8.8", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
    "::ffff:169.254.169.254", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::808:808",
    "2002:7f00:1::1", "2002:a00:1::1", "2002:c0a8:101::5", "2001:0:4136:e378:8000:63bf:80ff:fefe",
    "2001:0:7f00:1::1", "2001:db8::1", "3fff::1", "100::1", "fc00::1", "fd12:3456::1",
    "fe80::1", "fe80::1%eth0", "fec0::1", "ff02::1", "ff0e::1", "2001:10::1", "5f00::1",
    "not an address", "",
]
PUBLIC_ADDRESSES = [
    "93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:2800:220:1:248:1893:25c8:1946",
    "::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_special_purpose_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


def test_allow_networks_setting() -> None:
    nets = Networks("10.1.2.0/24, fd00:1::/64")
    assert "10.1.2.9" in nets and "::ffff:10.1.2.9" in nets and "fd00:1::5" in nets
    assert "10.1.3.1" not in nets and "127.0.0.1" not in nets and "x" not in nets
    assert not Networks("") and Networks(" 127.0.0.2 ")
    from newsdesk.errors import ConfigError
    with pytest.raises(ConfigError, match="allow_networks: 'ten' is not an IP network"):
        Fetcher(Config(allow_networks="10.0.0.0/8, ten"))


# -- attacks against a real loopback server ---------------------------------------------------


def test_embedded_and_odd_forms_of_loopback_are_refused_before_any_request(
        internal_and_public: tuple[Server, int], tmp_path: Path) -> None:
    internal, port = internal_and_public
    store, before = filled_store(tmp_path / "n.db")
    urls = [f"http://[2002:7f00:1::1]:{port}/", f"http://[::ffff:127.0.0.1]:{port}/",
            f"http://[64:ff9b::7f00:1]:{port}/", f"http://[::127.0.0.1]:{port}/",
            f"http://2130706433:{port}/", f"http://127.1:{port}/", f"http://0x7f.1:{port}/",
            f"http://0.0.0.0:{port}/", f"http://localhost:{port}/",
            f"http://[2001:0:4136:e378:8000:63bf:80ff:fefe]:{port}/"]
    pipeline = Pipeline(store, Config(allow_private=False, per_host_delay=0.0, embedder="hash"))
    for url in urls:
        result = pipeline.add_feed(url)
        assert len(result.refused) == 1, (url, result.refused)
        name, reason = result.refused[0]
        assert "\n" not in reason and "special-purpose address" in reason, (url, reason)
    pipeline.close()
    assert internal.requests == []
    assert_unchanged(store, before)
    store.close()


def test_rebinding_cannot_reach_the_internal_server(
        internal_and_public: tuple[Server, int], tmp_path: Path) -> None:
    """The name answers PUBLIC for the check and INTERNAL right after: the connection goes to
    the checked PUBLIC address (nothing listens there: refused in one line), never to the
    internal server, and the name was resolved once per attempt."""
    internal, port = internal_and_public
    store, before = filled_store(tmp_path / "n.db")
    resolver = rebinding("rebind.test")
    pipeline = Pipeline(store, Config(allow_private=False, allow_networks=f"{PUBLIC}/31",
                                      per_host_delay=0.0, embedder="hash"),
                        fetcher=fetcher(resolver))
    reasons = []
    for _ in range(3):
        result = pipeline.add_feed(f"http://rebind.test:{port}/feed.xml")
        assert len(result.refused) == 1 and result.subscribed == result.imported == 0
        reasons.append(result.refused[0][1])
    pipeline.close()
    # one answer per attempt: public (nothing listens there), internal (refused by the
    # check), public again
    assert reasons[0].startswith(f"cannot connect to {PUBLIC}:") and "refused" in reasons[0]
    assert reasons[1].startswith(f"rebind.test resolves to {INTERNAL}, a private")
    assert reasons[2] == reasons[0]
    assert all("\n" not in r for r in reasons)
    assert internal.requests == []
    assert resolver.calls == ["rebind.test"] * 3
    assert_unchanged(store, before)
    store.close()


def test_rebinding_fetches_the_checked_address(
        internal_and_public: tuple[Server, int], tmp_path: Path) -> None:
    """The same rebinding name with a server on the checked address: the fetch succeeds
    from it, with the Host header of the name. This shows the connection follows the checked
    answer (the name means nothing to the system resolver), so the test above cannot pass
    merely because the name failed to resolve."""
    internal, port = internal_and_public
    public = Server(PUBLIC, port, feed("Public"))
    store = open_store(tmp_path / "n.db")
    try:
        resolver = rebinding("rebind.test")
        pipeline = Pipeline(store, Config(allow_private=False, embedder="hash",
                                          fetch_full_text=False),
                            fetcher=fetcher(resolver))
        result = pipeline.add_feed(f"http://rebind.test:{port}/feed.xml")
        pipeline.close()
        assert (result.refused, result.subscribed, result.imported) == ([], 1, 1)
        assert [a.title for a in store.articles()] == ["Public item"]
        assert public.requests == [("/feed.xml", f"rebind.test:{port}")]
        assert internal.requests == []
    finally:
        public.close()
        store.close()


def test_each_redirect_hop_is_checked_and_pinned_again(
        internal_and_public: tuple[Server, int]) -> None:
    internal, port = internal_and_public

    def to(location: str) -> Callable[[BaseHTTPRequestHandler], None]:
        def handler(h: BaseHTTPRequestHandler) -> None:
            h.send_response(302)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()
        return handler

    with ExitStack() as stack:
        hops = {"/to-internal": f"http://inside.test:{port}/secret",
                "/to-rebinder": f"http://rebind.test:{port}/feed.xml",
                "/to-cdn": f"http://cdn.test:{port}/feed.xml"}
        public = Server(PUBLIC, port, handler=lambda h: to(hops[h.path])(h))
        stack.callback(public.close)
        cdn = Server(OTHER_PUBLIC, port, feed("Cdn"))
        stack.callback(cdn.close)
        resolver = Answers({"news.test": [[PUBLIC]], "inside.test": [[INTERNAL]],
                            "rebind.test": [[OTHER_PUBLIC], [INTERNAL]],
                            "cdn.test": [[OTHER_PUBLIC], [INTERNAL]]})
        with fetcher(resolver) as f:
            with pytest.raises(BlockedAddressError, match="inside.test resolves to 127.0.0.1"):
                f.fetch(f"http://news.test:{port}/to-internal")
            # the next hop's name rebinds: its own checked answer is the one connected to
            got = f.fetch(f"http://news.test:{port}/to-rebinder")
            assert got.body == feed("Cdn") and got.url == f"http://rebind.test:{port}/feed.xml"
            got = f.fetch(f"http://news.test:{port}/to-cdn")
            assert got.body == feed("Cdn")
        assert internal.requests == []
        assert [host for _, host in cdn.requests] == [f"rebind.test:{port}", f"cdn.test:{port}"]


def test_a_host_resolving_to_public_and_private_addresses_is_refused(
        internal_and_public: tuple[Server, int]) -> None:
    internal, port = internal_and_public
    resolver = Answers({"mixed.test": [[PUBLIC, INTERNAL]]})
    with fetcher(resolver) as f, pytest.raises(BlockedAddressError, match="127.0.0.1"):
        f.fetch(f"http://mixed.test:{port}/")
    assert internal.requests == []


def test_allow_private_still_connects_only_to_the_checked_address(
        internal_and_public: tuple[Server, int]) -> None:
    """allow_private lifts the address policy, not the pin: each fetch resolves once and
    connects to that answer (here public, then internal, as the resolver alternates)."""
    internal, port = internal_and_public
    public = Server(PUBLIC, port, feed("Public"))
    try:
        resolver = rebinding("rebind.test")
        with fetcher(resolver, allow_private=True, allow_networks="") as f:
            assert f.fetch(f"http://rebind.test:{port}/").body == feed("Public")
            assert f.fetch(f"http://rebind.test:{port}/").body == feed("Internal")
            assert f.fetch(f"http://rebind.test:{port}/").body == feed("Public")
        assert len(internal.requests) == 1 and len(public.requests) == 2
        assert resolver.calls == ["rebind.test"] * 3
    finally:
        public.close()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=news.test", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_tls_keeps_the_host_name_for_sni_and_the_certificate_check(
        internal_and_public: tuple[Server, int], tmp_path: Path) -> None:
    """Connected to the pinned address, the TLS handshake still names the host (SNI) and the
    certificate is verified: a self-signed one is refused."""
    internal, port = internal_and_public
    cert, key = _self_signed(tmp_path)
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    public = Server(PUBLIC, port, feed("Tls"))
    public.httpd.socket = context.wrap_socket(public.httpd.socket, server_side=True)
    try:
        with fetcher(Answers({"news.test": [[PUBLIC]]})) as f, \
                pytest.raises(FetchError, match="certificate verify failed"):
            f.fetch(f"https://news.test:{port}/feed.xml")
        assert names == ["news.test"]
        assert public.requests == [] and internal.requests == []
    finally:
        public.close()


def test_cli_refuses_embedded_loopback_in_one_line(
        internal_and_public: tuple[Server, int], tmp_path: Path) -> None:
    internal, port = internal_and_public
    db = tmp_path / "n.db"
    for url in (f"http://[2002:7f00:1::1]:{port}/feed.xml",
                f"http://[::ffff:127.0.0.1]:{port}/feed.xml"):
        out = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "add-feed",
                              url], capture_output=True, text=True, timeout=300)
        assert out.returncode == 1
        refused = [line for line in out.stderr.splitlines() if line.startswith("refused:")]
        assert len(refused) == 1 and "special-purpose address" in refused[0], out.stderr
        assert "Traceback" not in out.stderr
    assert internal.requests == []
