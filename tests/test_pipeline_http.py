"""add-feed, refresh and fetch over real HTTP servers on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newsdesk.config import Config
from newsdesk.pipeline import Pipeline
from newsdesk.store import SQLiteStore
from newsdesk.tasks import refresh_due

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Quay Times</title><meta property="og:site_name" content="Quay Times">
<meta property="article:section" content="Business">
<link rel="canonical" href="{base}/{slug}.html"></head><body>
<nav><a href="/">Home</a> <a href="/business">Business</a></nav>
<main><article><h1>{title}</h1>
<p>{lead}</p>
<h2>What the deal says</h2>
<p>The agreement, reached after eleven hours of talks at the port authority's offices, raises
night-shift pay by 9 percent and adds a fourth rest day each month for crane operators.</p>
<p>Union chair Marta Olsen told members that the deal "is not everything we asked for, but it
is far more than we were offered three weeks ago". Employers said the costs would be absorbed.</p>
<h2>Ships waiting offshore</h2>
<p>Harbour master Pieter Lund said 23 container ships were anchored offshore on Monday and the
backlog would take about ten days to clear, with priority given to perishable cargo.</p>
</article></main><footer>© Quay Times</footer></body></html>"""

ITEM = """<item><title>{title}</title><link>{base}/{slug}.html</link>
<guid isPermaLink="false">{slug}</guid>
<pubDate>Mon, 02 Nov 2026 08:00:00 +0000</pubDate><category>Business</category>
<description>{lead}</description></item>"""


@dataclass
class Site:
    """What the test server serves; tests edit it between requests."""

    items: list[tuple[str, str, str]] = field(default_factory=list)  # slug, title, lead
    etag: str = '"v1"'
    feed_status: int = 200
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # path, If-None-Match
    times: list[float] = field(default_factory=list)  # time.monotonic() of each request
    base: str = ""
    page_delay: float = 0.0  # seconds each article page takes to answer

    def feed(self) -> bytes:
        items = "".join(ITEM.format(base=self.base, slug=s, title=t, lead=lead)
                        for s, t, lead in self.items)
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Quay Times</title>'
                f"<link>{self.base}/</link><description>Port news</description>{items}"
                "</channel></rss>").encode()


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site(items=[
        ("strike-ends", "Dock workers vote to end strike at Port Verde",
         "Dock workers at Port Verde voted 412 to 96 on Monday to end a three-week strike."),
        ("cranes-return", "Cranes return to work as ships queue at Port Verde",
         "Crane operators returned on Tuesday as 23 ships waited to berth at Port Verde."),
    ])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            state.times.append(time.monotonic())
            state.requests.append((self.path, self.headers.get("If-None-Match")))
            if self.path == "/robots.txt":
                self._send(404, b"", "text/plain", {})
            elif self.path == "/feed.xml":
                if state.feed_status != 200:
                    wait = {"Retry-After": "120"} if state.feed_status == 429 else {}
                    self._send(state.feed_status, b"down", "text/plain", wait)
                elif self.headers.get("If-None-Match") == state.etag:
                    self._send(304, b"", "application/rss+xml", {"ETag": state.etag})
                else:
                    self._send(200, state.feed(), "application/rss+xml", {"ETag": state.etag})
            elif self.path == "/":
                home = (b'<html><head><link rel="alternate" type="application/rss+xml" '
                        b'href="/feed.xml"></head><body>Quay Times</body></html>')
                self._send(200, home, "text/html", {})
            else:
                for slug, title, lead in state.items:
                    if urlsplit(self.path).path == f"/{slug}.html":
                        time.sleep(state.page_delay)
                        body = PAGE.format(base=state.base, slug=slug, title=title, lead=lead)
                        self._send(200, body.encode(), "text/html; charset=utf-8", {})
                        return
                self._send(404, b"not found", "text/plain", {})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _pipeline(store: SQLiteStore, **settings: object) -> Pipeline:
    values: dict[str, object] = {"allow_private": True, "per_host_delay": 0.0, "embedder": "use"}
    values.update(settings)
    return Pipeline(store, Config(**values))


def test_add_feed_fetches_full_text_then_refresh_uses_conditional_get(
        store: SQLiteStore, site: Site) -> None:
    pipeline = _pipeline(store)
    result = pipeline.add_feed(site.base + "/feed.xml")
    assert (result.subscribed, result.imported, result.refused) == (1, 2, [])
    article = store.articles()[0]
    # the feed carried one sentence; the page's full text with subheadings was fetched
    assert "Ships waiting offshore" in article.headings
    assert article.guid in ("strike-ends", "cranes-return")
    assert article.section == "business" and article.source == "Quay Times"
    feed = store.feeds()[0]
    assert feed.etag == '"v1"' and feed.title == "Quay Times"

    site.requests.clear()
    again = refresh_due(pipeline, every=True)
    assert (again.imported, again.duplicates, again.refused) == (0, 0, [])
    assert site.requests == [("/feed.xml", '"v1"')]  # 304: nothing else fetched

    site.items.append(("berth-fees", "Port Verde waives berth fees for delayed ships",
                       "The port authority waived berth fees for 23 delayed container ships."))
    site.etag = '"v2"'
    third = refresh_due(pipeline, every=True)
    assert (third.imported, third.duplicates) == (1, 2)
    assert store.count_articles() == 3
    # a page was fetched for a new entry in that run: its validators wait for the next check
    # (test_teasers_waiting_for_pages_survive_a_killed_refresh says why)
    assert store.feeds()[0].etag is None
    site.requests.clear()
    fourth = refresh_due(pipeline, every=True)
    assert (fourth.imported, fourth.duplicates) == (0, 3)
    assert site.requests == [("/feed.xml", None)] and store.feeds()[0].etag == '"v2"'
    pipeline.close()


def test_refresh_skips_feeds_not_due_and_records_errors(store: SQLiteStore, site: Site) -> None:
    pipeline = _pipeline(store)
    pipeline.add_feed(site.base + "/feed.xml")
    site.requests.clear()
    assert refresh_due(pipeline).imported == 0 and site.requests == []  # checked moments ago
    site.feed_status = 500
    failed = refresh_due(pipeline, every=True)
    assert failed.refused and "500" in failed.refused[0][1]
    feed = store.feeds()[0]
    assert feed.error_count == 1 and feed.last_error
    assert store.count_articles() == 2  # nothing lost
    pipeline.close()


def test_add_feed_discovers_the_feed_from_a_page(store: SQLiteStore, site: Site) -> None:
    pipeline = _pipeline(store, fetch_full_text=False)
    result = pipeline.add_feed(site.base + "/")
    assert result.subscribed == 1 and result.imported == 2
    assert store.feeds()[0].url == site.base + "/feed.xml"
    assert not store.articles()[0].headings  # full-text fetching off: the feed's summary only
    pipeline.close()


def test_deleted_entries_are_not_fetched_again(store: SQLiteStore, site: Site) -> None:
    pipeline = _pipeline(store)
    pipeline.add_feed(site.base + "/feed.xml")
    victim = store.articles()[0]
    assert victim.id is not None and store.delete_article(victim.id)
    site.requests.clear()
    site.etag = '"v2"'
    result = refresh_due(pipeline, every=True)
    assert result.imported == 0 and store.count_articles() == 1
    assert all(not path.endswith(".html") for path, _ in site.requests)
    pipeline.close()


def _cli(db: Path | str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NEWSDESK_PER_HOST_DELAY": "0", **env})


def test_cli_fetch_and_private_address_refusal(any_url: str, site: Site) -> None:
    """fetch and add-feed on each engine (SQLite and PostgreSQL)."""
    db = any_url
    url = site.base + "/strike-ends.html?utm_source=newsletter"
    refused = _cli(db, "fetch", url)
    assert refused.returncode == 1
    assert "private" in refused.stderr.lower() or "loopback" in refused.stderr.lower()
    assert "Traceback" not in refused.stderr
    done = _cli(db, "fetch", url, NEWSDESK_ALLOW_PRIVATE="1")
    assert done.returncode == 0, done.stderr
    assert "imported 1" in done.stderr
    feed = _cli(db, "add-feed", site.base + "/feed.xml", NEWSDESK_ALLOW_PRIVATE="1")
    assert feed.returncode == 0, feed.stderr
    assert "imported 1" in feed.stderr and "duplicates 1" in feed.stderr
    assert "feeds subscribed 1" in feed.stderr
    gone = _cli(db, "fetch", site.base + "/missing.html", NEWSDESK_ALLOW_PRIVATE="1")
    assert gone.returncode == 1 and "404" in gone.stderr


def test_cli_worker_once_refreshes_due_feeds(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "n.db"
    env = {"NEWSDESK_ALLOW_PRIVATE": "1", "NEWSDESK_REFRESH_MINUTES": "0"}
    assert _cli(db, "add-feed", site.base + "/feed.xml", **env).returncode == 0
    site.items.append(("berth-fees", "Port Verde waives berth fees for delayed ships",
                       "The port authority waived berth fees for 23 delayed container ships."))
    site.etag = '"v2"'
    out = _cli(db, "worker", "--once", **env)
    assert out.returncode == 0, out.stderr
    assert "worker: imported 1, duplicates 2" in out.stderr


def test_retry_after_is_honoured_across_processes(any_url: str, site: Site) -> None:
    """Regression (issue 5): three `refresh --all` runs hit a 429-ing server three times.
    On each engine (SQLite and PostgreSQL)."""
    db = any_url
    env = {"NEWSDESK_ALLOW_PRIVATE": "1", "NEWSDESK_EMBEDDER": "hash"}
    assert _cli(db, "add-feed", site.base + "/feed.xml", **env).returncode == 0
    site.feed_status = 429
    site.requests.clear()
    runs = [_cli(db, "refresh", "--all", **env) for _ in range(3)]
    assert [path for path, _ in site.requests] == ["/feed.xml"]  # asked once, then we wait
    assert runs[0].returncode == 1 and "429" in runs[0].stderr
    assert "Traceback" not in "".join(r.stderr for r in runs)
    assert all(r.returncode == 0 for r in runs[1:]), [r.stderr for r in runs]


def test_a_hosts_retry_after_is_shared_through_the_store(store: SQLiteStore, site: Site) -> None:
    """Two fetchers (two processes) on one database: what the host told one, the other knows."""
    from newsdesk.ingest.fetch import Fetcher, RetryLaterError
    from newsdesk.store import open_store

    config = Config(allow_private=True, per_host_delay=0.0)
    site.feed_status = 429
    with Fetcher(config, holds=store) as first, pytest.raises(RetryLaterError):
        first.fetch(site.base + "/feed.xml")
    assert len(site.requests) == 1
    other = open_store(store.url)
    with Fetcher(config, holds=other) as second, pytest.raises(RetryLaterError,
                                                               match="wait until"):
        second.fetch(site.base + "/cranes-return.html")  # another page of the same host
    assert len(site.requests) == 1  # asked nothing
    other.close()


def _two_fetchers_on_one_host(site: Site, holds: list[Any]) -> list[float]:
    """Two fetchers (as two processes would have) each fetch the host's two pages at the same
    moment; the times the host saw the requests, in order."""
    from newsdesk.ingest.fetch import Fetcher

    config = Config(allow_private=True, per_host_delay=0.4)
    start = threading.Barrier(2)

    def fetch(hold: Any) -> None:
        with Fetcher(config, holds=hold) as fetcher:
            start.wait()
            for slug in ("strike-ends", "cranes-return"):
                fetcher.fetch(f"{site.base}/{slug}.html")

    threads = [threading.Thread(target=fetch, args=(h,)) for h in holds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(site.times)


def test_the_per_host_delay_holds_across_processes(store: SQLiteStore, site: Site) -> None:
    """Fetchers on one database take the host's turns there: the host sees its requests
    per_host_delay apart however many processes fetch from it."""
    from newsdesk.store import open_store

    other = open_store(store.url)
    times = _two_fetchers_on_one_host(site, [store, other])
    other.close()
    assert len(times) == 4  # two pages, from each
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.35, gaps
    # without the database each keeps only its own turns, and the host is asked twice at once
    site.times.clear()
    alone = _two_fetchers_on_one_host(site, [None, None])
    assert min(b - a for a, b in zip(alone, alone[1:], strict=False)) < 0.2


def test_error_backoff_doubles_and_waits_for_the_host() -> None:
    from datetime import UTC, datetime, timedelta

    from newsdesk.model import Feed
    from newsdesk.tasks import next_check_after

    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    ok = next_check_after(Feed(url="u"), now, 30, failed=False)
    assert ok == now + timedelta(minutes=30)
    waits = [next_check_after(Feed(url="u", error_count=n), now, 30, failed=True) - now
             for n in range(8)]
    assert waits[:3] == [timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=120)]
    assert max(waits) == timedelta(hours=24)  # capped at a day
    host_said = now + timedelta(hours=3)
    assert next_check_after(Feed(url="u"), now, 30, True, retry_at=host_said) == host_said


# -- full text of many hosts at once (issue 8) -----------------------------------------------


class Host:
    """One news host on its own 127.0.0.1 port (a host of its own for the Fetcher): a feed
    of teaser entries at /feed.xml and their pages; records when each request arrived.

    `partner`: the first page request waits (up to WAIT s) until the partner host has had a
    page request too, and notes whether it came: the two were being fetched at the same time.
    """

    WAIT = 10.0

    def __init__(self, name: str, pages: int, status: int = 200) -> None:
        self.name, self.status = name, status
        self.slugs = [f"{name}-{n}" for n in range(pages)]
        self.arrivals: list[tuple[str, float]] = []
        self.page_seen = threading.Event()
        self.partner: Host | None = None
        self.overlapped: bool | None = None
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                host.arrivals.append((self.path, time.monotonic()))
                host.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        slug = h.path.strip("/").removesuffix(".html")
        if h.path == "/feed.xml":
            items = "".join(ITEM.format(base=self.base, slug=s, title=self.title(s),
                                        lead=f"Teaser of {s}.") for s in self.slugs)
            body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.name}'
                    f"</title><link>{self.base}/</link>{items}</channel></rss>").encode()
            self.send(h, 200, body, "application/rss+xml")
        elif slug in self.slugs:
            if self.partner is not None and self.overlapped is None:
                self.page_seen.set()
                self.overlapped = self.partner.page_seen.wait(self.WAIT)
            self.page_seen.set()
            if self.status != 200:
                self.send(h, self.status, b"busy", "text/plain", {"Retry-After": "120"})
                return
            body = PAGE.format(base=self.base, slug=slug, title=self.title(slug),
                               lead=f"The full report of {slug} begins here.")
            self.send(h, 200, body.encode(), "text/html; charset=utf-8")
        else:
            self.send(h, 404, b"", "text/plain")

    @staticmethod
    def title(slug: str) -> str:
        return f"Harbour report {slug.replace('-', ' ')}"

    @staticmethod
    def send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str,
             extra: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def gaps(self) -> list[float]:
        """Seconds between two requests in a row (robots.txt and pages: every request)."""
        times = [t for _, t in self.arrivals]
        return [b - a for a, b in zip(times, times[1:], strict=False)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hosts() -> Iterator[list[Host]]:
    made: list[Host] = []
    yield made
    for host in made:
        host.close()


DELAY = 0.3  # per_host_delay; arrivals closer than 3/4 of it would mean the spacing broke


def test_pages_of_different_hosts_are_fetched_side_by_side(
        store: SQLiteStore, hosts: list[Host]) -> None:
    """A feed whose teaser entries live on two hosts: the two hosts are asked at the same
    time, while each host's own requests stay per_host_delay apart."""
    a, b = Host("alpha", 3), Host("beta", 3)
    hosts += [a, b]
    a.partner, b.partner = b, a
    # one feed listing both hosts' entries: alpha's feed with beta's items appended
    feed = Host("mixed", 0)
    hosts.append(feed)
    feed.slugs = []
    items = "".join(ITEM.format(base=h.base, slug=s, title=Host.title(s),
                                lead=f"Teaser of {s}.") for h in (a, b) for s in h.slugs)
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title>'
            f"<link>{feed.base}/</link>{items}</channel></rss>").encode()
    feed.answer = lambda h: Host.send(h, 200, body, "application/rss+xml")  # type: ignore[method-assign]

    pipeline = _pipeline(store, per_host_delay=DELAY, embedder="hash")
    result = pipeline.add_feed(feed.base + "/feed.xml")
    pipeline.close()
    assert (result.refused, result.imported) == ([], 6)
    assert a.overlapped is True and b.overlapped is True  # both hosts in flight at once
    for host in (a, b):
        assert [p for p, _ in host.arrivals] == ["/robots.txt"] + [f"/{s}.html"
                                                                   for s in host.slugs]
        assert min(host.gaps()) >= DELAY * 0.75, host.gaps()
    # every entry got its page's full text
    assert all("What the deal says" in a_.headings for a_ in store.articles())


def test_a_host_asking_to_wait_keeps_its_teasers_and_the_others_go_on(
        store: SQLiteStore, hosts: list[Host]) -> None:
    """Retry-After from one host: its other pages are not asked for (their entries keep the
    feed's teaser), the other host's pages are all fetched."""
    ok, busy = Host("calm", 3), Host("busy", 3, status=429)
    hosts += [ok, busy]
    feed = Host("both", 0)
    hosts.append(feed)
    items = "".join(ITEM.format(base=h.base, slug=s, title=Host.title(s),
                                lead=f"Teaser of {s}.") for h in (ok, busy) for s in h.slugs)
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Both</title>'
            f"<link>{feed.base}/</link>{items}</channel></rss>").encode()
    feed.answer = lambda h: Host.send(h, 200, body, "application/rss+xml")  # type: ignore[method-assign]

    pipeline = _pipeline(store, embedder="hash")
    result = pipeline.add_feed(feed.base + "/feed.xml")
    pipeline.close()
    assert (result.refused, result.imported) == ([], 6)
    assert [p for p, _ in busy.arrivals] == ["/robots.txt", "/busy-0.html"]  # then it waited
    assert len(ok.arrivals) == 4
    texts = {a.url.rsplit("/", 1)[1]: a for a in store.articles() if a.url}
    assert all("What the deal says" in texts[f"{s}.html"].headings for s in ok.slugs)
    assert all(not texts[f"{s}.html"].headings for s in busy.slugs)  # the feed's teaser


def test_refresh_fetches_the_pages_of_every_feed_side_by_side(
        store: SQLiteStore, hosts: list[Host]) -> None:
    """`refresh` (tasks.refresh_due): the new entries of two feeds on two hosts; their
    pages are fetched at the same time, each host's requests spaced."""
    a, b = Host("north", 0), Host("south", 0)
    hosts += [a, b]
    pipeline = _pipeline(store, per_host_delay=DELAY, embedder="hash")
    for host in (a, b):
        assert pipeline.add_feed(host.base + "/feed.xml").subscribed == 1
    for host in (a, b):
        host.slugs = [f"{host.name}-{n}" for n in range(3)]
        host.arrivals.clear()
    a.partner, b.partner = b, a
    result = refresh_due(pipeline, every=True)
    pipeline.close()
    assert (result.refused, result.imported) == ([], 6)
    assert a.overlapped is True and b.overlapped is True
    for host in (a, b):
        pages = [p for p, _ in host.arrivals if p.endswith(".html")]
        assert pages == [f"/{s}.html" for s in host.slugs]
        assert min(host.gaps()) >= DELAY * 0.75, host.gaps()
    assert store.count_articles() == 6


def test_cli_feeds_shows_the_error_backoff(tmp_path: Path, site: Site) -> None:
    """`newsdesk feeds` (issue 8): status, last and next check, errors in a row, last error.
    A failing feed is checked less and less often (30, 60, 120 min), plain `refresh` leaves
    it alone until then, and one success puts it back on the normal interval."""
    import json
    from datetime import datetime, timedelta

    db = tmp_path / "n.db"
    env = {"NEWSDESK_ALLOW_PRIVATE": "1", "NEWSDESK_EMBEDDER": "hash",
           "NEWSDESK_FETCH_FULL_TEXT": "0", "NEWSDESK_REFRESH_MINUTES": "30"}

    def listed() -> dict[str, object]:
        out = _cli(db, "feeds", "--format", "jsonl", **env)
        assert out.returncode == 0, out.stderr
        (record,) = [json.loads(line) for line in out.stdout.splitlines()]
        return record

    def wait(record: dict[str, object]) -> timedelta:
        return (datetime.fromisoformat(str(record["next_check"]))
                - datetime.fromisoformat(str(record["last_checked"])))

    empty = _cli(db, "feeds", **env)
    assert (empty.returncode, empty.stdout) == (0, "") and "no feeds" in empty.stderr
    assert _cli(db, "add-feed", site.base + "/feed.xml", **env).returncode == 0
    text = _cli(db, "feeds", **env).stdout.splitlines()
    assert len(text) == 1
    fields_ = text[0].split("\t")
    assert fields_[1] == "ok" and fields_[2] != "never"
    assert fields_[4:] == ["0", "Quay Times", ""]
    first = listed()
    assert (first["status"], first["errors"], first["error"]) == ("ok", 0, None)
    assert wait(first) == timedelta(minutes=30)

    site.feed_status = 500
    waits = []
    for n in (1, 2, 3):
        out = _cli(db, "refresh", "--all", **env)
        assert out.returncode == 1 and "HTTP 500" in out.stderr and "Traceback" not in out.stderr
        record = listed()
        assert (record["status"], record["errors"]) == ("error", n)
        assert record["error"] == "HTTP 500 Internal Server Error"
        assert record["last_ok"] == first["last_checked"]  # the last success is kept
        waits.append(wait(record))
    assert waits == [timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=120)]
    cells = _cli(db, "feeds", **env).stdout.rstrip("\n").split("\t")
    assert [cells[i] for i in (1, 4, 6)] == ["error", "3", "HTTP 500 Internal Server Error"]

    site.requests.clear()
    skipped = _cli(db, "refresh", **env)  # not forced: the feed is not due for two hours
    assert skipped.returncode == 0 and site.requests == []
    assert "feeds checked 0 of 1" in skipped.stderr

    site.feed_status = 200
    assert _cli(db, "refresh", "--all", **env).returncode == 0
    back = listed()
    assert (back["status"], back["errors"], back["error"]) == ("not modified", 0, None)
    assert wait(back) == timedelta(minutes=30) and back["last_ok"] == back["last_checked"]

    site.feed_status = 429  # Retry-After: 120 s
    assert _cli(db, "refresh", "--all", **env).returncode == 1
    held = listed()
    assert held["status"] == "waiting" and held["retry_at"] is not None
    assert _cli(db, "feeds", **env).stdout.split("\t")[1] == "waiting"


def test_teasers_waiting_for_pages_survive_a_killed_refresh(store: SQLiteStore, site: Site
                                                            ) -> None:
    """A refresh that dies after reading the feed but before fetching the teasers' pages
    (the in-process queue is lost with it) must not lose those entries: the next refresh does
    not send the feed's ETag (which would get a 304), finds them again and stores them."""
    from newsdesk.tasks import InlineQueue

    pipeline = _pipeline(store, embedder="hash")
    pipeline.add_feed(site.base + "/feed.xml")
    feed = store.feeds()[0]
    assert feed.etag == '"v1"'  # every entry stored: the validators are kept
    site.items.append(("berth-fees", "Port Verde waives berth fees for delayed ships",
                       "The port authority waived berth fees for 23 delayed container ships."))
    site.etag = '"v2"'
    site.requests.clear()
    dying = InlineQueue(pipeline, gather_pages=True)
    dying.run("refresh_feed", feed_id=feed.id)  # reads the feed, defers one page ...
    del dying  # ... and the process dies before fetching it
    assert [p for p, _ in site.requests] == ["/feed.xml"]
    assert store.feeds()[0].etag is None
    assert len(store.articles()) == 2

    site.requests.clear()
    queue = InlineQueue(pipeline, gather_pages=True)
    queue.run("refresh_feed", feed_id=feed.id)
    queue.run_pages()
    assert site.requests[0] == ("/feed.xml", None)  # whole feed asked for, no 304
    assert "/berth-fees.html" in [p for p, _ in site.requests]
    titles = {a.title for a in store.articles()}
    assert "Port Verde waives berth fees for delayed ships" in titles and len(titles) == 3
    assert store.feeds()[0].etag is None  # a page was fetched in this run, so still none

    site.requests.clear()
    InlineQueue(pipeline, gather_pages=True).run("refresh_feed", feed_id=feed.id)
    assert store.feeds()[0].etag == '"v2"'  # nothing left waiting: validators kept again
    assert len(store.articles()) == 3


def test_an_add_feed_killed_while_pages_are_fetched_loses_no_entry(tmp_path: Path,
                                                                  site: Site) -> None:
    """`newsdesk add-feed` killed (SIGKILL) after subscribing, while the teasers' pages are
    still being fetched: the feed keeps no validators, so the next refresh reads the whole
    feed (no 304) and stores every entry."""
    site.items += [(f"notice-{n}", f"Harbour notice {n} for Port Verde",
                    f"The harbour master issued notice {n} to ships at Port Verde.")
                   for n in range(4)]
    site.page_delay = 2.0
    db = tmp_path / "killed.db"
    env = {**os.environ, "NEWSDESK_PER_HOST_DELAY": "0", "NEWSDESK_ALLOW_PRIVATE": "1",
           "NEWSDESK_EMBEDDER": "hash"}
    victim = subprocess.Popen([sys.executable, "-m", "newsdesk", "--db", str(db), "add-feed",
                               site.base + "/feed.xml"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not any(p.endswith(".html") for p, _ in site.requests):
            assert time.monotonic() < deadline and victim.poll() is None, "no page asked for"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        if victim.poll() is None:
            victim.kill()
    with SQLiteStore(db) as store:
        feed = store.feeds()[0]
        assert feed.etag is None and feed.last_modified is None
        assert store.count_articles() < 6, "the kill should land before the entries are in"
    site.page_delay = 0.0
    site.requests.clear()
    again = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "refresh",
                            "--all"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert site.requests[0] == ("/feed.xml", None)  # the whole feed, not a 304
    with SQLiteStore(db) as store:
        assert store.count_articles() == 6
        assert store.feeds()[0].etag is None  # pages were fetched in that run: still none
