"""Issue 8 (web): security headers on every response, HEAD on every GET route, feed links from
base_url, only an article's own lead image (proxied by default), the favicon, offline docs.

Real SQLite files, FastAPI's TestClient, and a real HTTP server on 127.0.0.1 for images."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from newsdesk.errors import ConfigError
from newsdesk.model import Article, Feed
from newsdesk.store import FeedOutcome, Store, open_store
from newsdesk.web.cache import Kept, PageCache
from newsdesk.web.images import split_lead_image
from webtools import file_server, make_app, png, sample_store

LEAD_HTML = ('<figure><img src="{src}" alt="The gates closed"><figcaption>The gates at dawn'
             '</figcaption></figure><p>The barrier closed for the first time on Friday.</p>'
             '<p>Residents moved their cars.<img src="https://pixel.tracker.example/p.gif"></p>')


@pytest.fixture()
def desk(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, int], Store]]:
    store, ids = sample_store(tmp_path / "desk.db")
    ids["lead"] = _put_lead(store, "https://cdn.publisher.example/lead.jpg")
    with TestClient(make_app(store), raise_server_exceptions=False) as client:
        yield client, ids, store
    store.close()


def _put_lead(store: Store, src: str, url: str = "https://publisher.example/barrier") -> int:
    put = store.put_article(Article(
        title="The barrier holds", url=url, source="Publisher", section="environment",
        text="The barrier closed for the first time on Friday.\n\nResidents moved their cars.",
        html=LEAD_HTML.format(src=src)))
    assert put.id is not None
    return put.id


def _urls(ids: dict[str, int]) -> dict[str, str]:
    """One address of every kind of response."""
    return {
        "home": "/", "section": "/section/environment", "article": f"/article/{ids['flood_en']}",
        "story": f"/story/{ids['story']}", "stories": "/stories", "search": "/search?q=barrier",
        "page 404": "/no/such/page", "article 404": "/article/999999",
        "bad request": "/section/sport?page=abc", "api": "/api/articles",
        "api 404": "/api/articles/999999", "api 422": "/api/articles?limit=abc",
        "feed": "/feed.xml", "section feed": "/section/environment/feed.xml",
        "static": "/static/style.css", "docs": "/docs", "redoc": "/redoc",
        "openapi": "/openapi.json", "docs asset": "/docs-assets/swagger-ui-bundle.js",
        "favicon": "/favicon.ico", "health": "/health", "image 404": f"/image/{ids['chips']}",
        "sources": "/sources", "opml": "/opml",
    }


def _assert_secured(name: str, headers: Any) -> str:
    assert headers.get("x-content-type-options") == "nosniff", name
    assert headers.get("x-frame-options") == "DENY", name
    assert headers.get("referrer-policy") == "same-origin", name
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, (name, csp)
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp, (name, csp)
    return str(csp)


def _directive(csp: str, name: str) -> str:
    found = re.search(rf"(?:^|;)\s*{name} ([^;]*)", csp)
    return found.group(1) if found else ""


# -- headers --------------------------------------------------------------------------------

def test_every_kind_of_response_carries_the_security_headers(desk):
    client, ids, _ = desk
    for name, url in _urls(ids).items():
        r = client.get(url)
        csp = _assert_secured(name, r.headers)
        if r.headers["content-type"].startswith("text/html"):
            # our own files only (pages: /static/keys.js): never inline, never eval
            assert _directive(csp, "script-src") == "'self'", (name, csp)
            if url not in ("/docs", "/redoc"):  # pages: nothing fetched from script
                assert "connect-src" not in csp and _directive(csp, "default-src") == "'none'"
        else:  # JSON, XML, CSS, JS, images: a document opened from them runs nothing
            assert _directive(csp, "default-src") == "'none'" and "sandbox" in csp, (name, csp)


def test_expected_statuses_for_the_addresses_above(desk):
    client, ids, _ = desk
    statuses = {name: client.get(url).status_code for name, url in _urls(ids).items()}
    assert statuses.pop("page 404") == statuses.pop("article 404") == 404
    assert statuses.pop("api 404") == statuses.pop("image 404") == 404
    assert statuses.pop("bad request") == 400
    assert statuses.pop("api 422") == 422
    assert set(statuses.values()) == {200}, statuses


def test_a_crash_page_is_secured_too(tmp_path):
    def broken(html: str) -> str:
        raise RuntimeError("sanitiser broke")

    from newsdesk.config import Config
    from newsdesk.web.app import create_app

    store, ids = sample_store(tmp_path / "desk.db")
    app = create_app(store, Config(db=store.url), sanitize=broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get(f"/article/{ids['hostile']}")  # the one article with HTML
    assert r.status_code == 500 and "Something went wrong" in r.text
    assert _directive(_assert_secured("500", r.headers), "script-src") == "'self'"
    store.close()


def test_html_pages_hold_no_inline_script_style_or_handlers(desk):
    client, ids, _ = desk
    for name, url in _urls(ids).items():
        r = client.get(url)
        if not r.headers["content-type"].startswith("text/html"):
            continue
        page = r.text
        for tag in re.findall(r"<script\b[^>]*>", page, re.IGNORECASE):
            assert re.search(r'\ssrc="/', tag), (name, tag)  # our own files only
        assert not re.search(r"<script\b[^>]*>[^<\s]", page), name  # no inline code
        assert not re.search(r"<style\b", page, re.IGNORECASE), name
        assert not re.search(r"<[^>]+\s(on[a-z]+|style)\s*=", page, re.IGNORECASE), name
        if url not in ("/docs", "/redoc"):  # pages: the keyboard shortcuts and nothing else
            scripts = re.findall(r"<script\b[^>]*>", page, re.IGNORECASE)
            assert scripts == ['<script src="/static/keys.js" defer>'], (name, scripts)


def test_docs_pages_load_their_scripts_from_us(desk):
    client, _, _ = desk
    docs = client.get("/docs").text
    scripts = re.findall(r'<script src="([^"]+)"', docs)
    assert scripts == ["/docs-assets/swagger-ui-bundle.js", "/static/docs.js"]
    assert re.findall(r'<script src="([^"]+)"', client.get("/redoc").text) == [
        "/docs-assets/redoc.standalone.js", "/static/redoc.js"]
    for url in [*scripts, "/docs-assets/redoc.standalone.js", "/static/redoc.js",
                "/docs-assets/swagger-ui.css"]:
        r = client.get(url)
        assert r.status_code == 200 and len(r.content) > 100, url
    assert "SwaggerUIBundle(" in client.get("/static/docs.js").text
    assert 'data-openapi="/openapi.json"' in docs
    assert "cdn" not in docs.lower() and "http" not in docs.replace('="/', "")


# -- HEAD -----------------------------------------------------------------------------------

def _fill(path: str, ids: dict[str, int]) -> str:
    values = {"article_id": ids["lead"], "story_id": ids["story"], "slug": "environment",
              "code": "es", "feed_id": 1, "stream": "user/-/state/com.google/reading-list"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), path)


def _routes(routes: list[Any]) -> Iterator[Any]:
    """The app's routes, those of included routers too (newer FastAPI keeps them nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _routes(nested.routes)
        else:
            yield route


def test_head_answers_like_get_on_every_get_route(desk, tmp_path):
    client, ids, _ = desk
    # the lead image must be found for /image/{id}: serve it from a local server
    with file_server({"/lead.png": ("image/png", png(8, 4))}) as (base, _hits):
        store = open_store(tmp_path / "head.db")
        lead = _put_lead(store, f"{base}/lead.png")
        ids = {**ids, "lead": lead}
        app = make_app(store, allow_private=True)
        with TestClient(app) as local:
            seen = 0
            for route in _routes(app.routes):
                if isinstance(route, APIRoute) and "GET" in route.methods:
                    url = _fill(route.path, ids)
                elif isinstance(route, APIRoute):  # POST, PUT, DELETE only: no HEAD to check
                    continue
                elif isinstance(route, Mount):
                    url = {"/static": "/static/style.css",
                           "/docs-assets": "/docs-assets/swagger-ui.css"}[route.path]
                else:  # FastAPI's /openapi.json is a plain starlette Route
                    url = route.path
                get, head = local.get(url), local.head(url)
                assert head.status_code == get.status_code != 405, (url, head.status_code)
                assert head.content == b"", url
                assert head.headers["content-type"] == get.headers["content-type"], url
                _assert_secured(url, head.headers)
                seen += 1
        store.close()
    assert seen >= 20


# -- feeds ----------------------------------------------------------------------------------

def _links(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    atom = "{http://www.w3.org/2005/Atom}link"
    return ([el.text or "" for tag in ("link", "guid") for el in root.iter(tag)]
            + [el.get("href", "") for el in root.iter(atom)])


def test_feed_links_come_from_base_url_never_from_the_host_header(tmp_path):
    store, ids = sample_store(tmp_path / "desk.db")
    with TestClient(make_app(store, base_url="https://news.example.org/desk")) as client:
        for url in ("/feed.xml", "/section/environment/feed.xml"):
            r = client.get(url, headers={"Host": "attacker.example"})
            links = _links(r.content)
            assert links and all(link.startswith("https://news.example.org/desk/")
                                 for link in links), links
            assert b"attacker" not in r.content
        assert f"https://news.example.org/desk/article/{ids['flood_en']}" in _links(
            client.get("/feed.xml").content)
    # no base_url: the address `serve` listens on, still not the Host header
    with TestClient(make_app(store, host="127.0.0.1", port=8765)) as client:
        links = _links(client.get("/feed.xml", headers={"Host": "attacker.example"}).content)
        assert links and all(link.startswith("http://127.0.0.1:8765/") for link in links)
    store.close()


def test_a_base_url_that_is_not_a_web_address_is_refused_at_start(tmp_path):
    store = open_store(tmp_path / "desk.db")
    with pytest.raises(ConfigError, match="base_url"):
        make_app(store, base_url="javascript:alert(1)")
    store.close()


# -- images ---------------------------------------------------------------------------------

def test_lead_image_is_the_first_image_before_any_text():
    lead, body = split_lead_image(LEAD_HTML.format(src="https://cdn.example/a.jpg?w=1&amp;h=2"))
    assert lead is not None
    assert (lead.url, lead.alt, lead.caption) == ("https://cdn.example/a.jpg?w=1&h=2",
                                                   "The gates closed", "The gates at dawn")
    assert "<img" not in body and "<figure" not in body and "tracker" not in body
    assert body.startswith("<p>The barrier closed")
    # an image after the text is not the article's picture: dropped, not promoted
    lead, body = split_lead_image('<p>Text first.</p><p><img src="https://x.example/i.jpg"></p>')
    assert lead is None and body == "<p>Text first.</p>"
    # only web addresses
    assert split_lead_image('<img src="data:image/png;base64,AAAA"><p>x</p>')[0] is None


def test_remote_images_are_not_loaded_by_default(desk):
    client, ids, _ = desk
    r = client.get(f"/article/{ids['lead']}")
    page = r.text
    assert "publisher.example/lead" not in page and "tracker.example" not in page
    img = re.search(r'<figure class="lead-image">\s*<img ([^>]+)>', page)
    assert img, page
    assert f'src="/image/{ids["lead"]}"' in img.group(1)
    assert 'loading="lazy"' in img.group(1) and 'referrerpolicy="no-referrer"' in img.group(1)
    assert 'alt="The gates closed"' in img.group(1)
    assert "<figcaption>The gates at dawn</figcaption>" in page
    assert len(re.findall(r"<img\b", page)) == 1
    assert _directive(r.headers["content-security-policy"], "img-src") == "'self' data:"


def test_remote_images_setting_lets_the_publishers_lead_image_load(tmp_path):
    store = open_store(tmp_path / "desk.db")
    aid = _put_lead(store, "https://cdn.publisher.example/lead.jpg")
    with TestClient(make_app(store, remote_images=True)) as client:
        r = client.get(f"/article/{aid}")
    assert re.search(r'<img src="https://cdn.publisher.example/lead.jpg"[^>]*'
                     r'referrerpolicy="no-referrer"', r.text)
    assert "tracker.example" not in r.text  # other images stay out whatever the setting
    assert "https:" in _directive(r.headers["content-security-policy"], "img-src")
    store.close()


def test_image_proxy_serves_the_lead_image_once_fetched(tmp_path):
    picture = png(12, 6)
    files = {"/lead.png": ("image/png", picture),
             "/lead.svg": ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg">'
                                            b'<script>alert(1)</script></svg>'),
             "/page.png": ("image/png", b"<html>not an image</html>")}
    with file_server(files) as (base, hits):
        store = open_store(tmp_path / "desk.db")
        ok = _put_lead(store, f"{base}/lead.png", url="https://a.example/1")
        svg = _put_lead(store, f"{base}/lead.svg", url="https://a.example/2")
        fake = _put_lead(store, f"{base}/page.png", url="https://a.example/3")
        with TestClient(make_app(store, allow_private=True)) as client:
            for _ in range(3):
                r = client.get(f"/image/{ok}")
                assert r.status_code == 200 and r.content == picture
                assert r.headers["content-type"] == "image/png"
                assert "max-age" in r.headers["cache-control"]
            assert hits["/lead.png"] == 1  # fetched once, then kept
            assert client.get(f"/image/{svg}").status_code == 404  # never SVG
            assert client.get(f"/image/{fake}").status_code == 404  # not what it claims
            assert client.get(f"/image/{fake}").status_code == 404
            assert hits["/page.png"] == 1  # a failure is remembered too
        # the proxy is no way into private addresses: without allow_private it refuses
        with TestClient(make_app(store)) as client:
            assert client.get(f"/image/{ok}").status_code == 404
        assert hits["/lead.png"] == 1
        store.close()


# -- favicon, cache -------------------------------------------------------------------------

def test_favicon_is_ours_and_small(desk):
    client, _, _ = desk
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00" and len(r.content) < 4096
    assert b"\x89PNG" in r.content
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").text


def test_cached_pages_follow_writes_from_any_connection(desk, tmp_path):
    client, ids, store = desk
    before = client.get("/section/sport").text
    assert client.get("/section/sport").text == before  # served again, unchanged
    # another connection (as another process would) stores an article: every page is stale
    other = open_store(store.url)
    other.put_article(Article(title="Harbour Rovers sign a new keeper", section="sport",
                              text="The club signed a keeper.", url="https://x.example/k"))
    other.close()
    assert "Harbour Rovers sign a new keeper" in client.get("/section/sport").text
    # and a write through this process's own connection
    store.put_article(Article(title="Rovers lose the derby", section="sport",
                              text="A derby defeat.", url="https://x.example/d"))
    assert "Rovers lose the derby" in client.get("/section/sport").text
    assert len(client.app.state.page_cache) >= 1


def test_cached_pages_outlive_writes_that_no_page_shows(desk):
    """A worker recording feed checks, host holds and leases leaves every kept page kept."""
    client, _, store = desk
    cache = client.app.state.page_cache
    page = client.get("/section/sport").text
    kept = cache.get("en|UTC|/section/sport?", store.content_version())
    assert kept is not None
    other = open_store(store.url)  # as another process would
    other.hold_host("https://x.example:443", datetime.now(UTC) + timedelta(hours=1))
    feed_id, _ = other.add_feed(Feed(url="https://x.example/feed.xml"))
    other.record_feed_outcome(feed_id, FeedOutcome(
        checked=datetime.now(UTC), next_check=datetime.now(UTC), error="HTTP 503"))
    other.claim_unenriched(10, lease_seconds=0)
    other.close()
    store.hold_host("https://y.example:443", datetime.now(UTC) + timedelta(hours=1))
    assert cache.get("en|UTC|/section/sport?", store.content_version()) is kept
    assert client.get("/section/sport").text == page


def test_a_page_being_built_again_is_served_as_kept_meanwhile():
    """After a change the first caller builds the page; callers that come while it builds
    get the page kept from before; once built, everyone gets the new one. A build that does
    not answer 200 drops the old page."""
    cache = PageCache(10)
    old = Kept("1", b"old", "text/html", ())
    cache.put("/?", old)
    assert cache.get("/?", "1") is old and cache.get("/?", "2") is None
    assert cache.begin("/?") is None  # this caller builds it
    assert cache.begin("/?") is old and cache.begin("/?") is old  # the others wait for it
    new = Kept("2", b"new", "text/html", ())
    cache.done("/?", new)
    assert cache.get("/?", "2") is new and cache.get("/?", "1") is None
    assert cache.begin("/?") is None and cache.begin("/?") is new
    cache.done("/?", None)  # say the article was deleted: a 404 now
    assert cache.get("/?", "2") is None and cache.begin("/?") is None  # nothing to serve
    cache.done("/?", None)
    assert cache.begin("/new?") is None and cache.begin("/new?") is None  # nothing kept yet
    cache.done("/new?", None)


def test_page_cache_can_be_turned_off(tmp_path):
    store, _ = sample_store(tmp_path / "desk.db")
    with TestClient(make_app(store, page_cache=0)) as client:
        assert client.get("/").status_code == 200
        assert len(client.app.state.page_cache) == 0
    store.close()


def test_data_version_moves_with_every_commit(any_url):
    """What the page cache is keyed on, on both engines: a commit by this connection or by
    another (another process) changes it."""
    store = open_store(any_url)
    before = store.data_version()
    store.put_article(Article(title="One", text="One.", url="https://x.example/1"))
    mine = store.data_version()
    assert mine != before
    other = open_store(any_url)
    other.put_article(Article(title="Two", text="Two.", url="https://x.example/2"))
    other.close()
    assert store.data_version() != mine
    if not any_url.startswith("postgresql"):  # reads leave SQLite's version alone
        now = store.data_version()
        store.articles(limit=5)
        assert store.data_version() == now
    store.close()


def _page(head: str) -> bytes:
    return (f"<!doctype html><html lang='en'><head><title>Dam opens | Daily</title>{head}"
            "</head><body><article><h1>Dam opens</h1><p>The new dam opened on Monday after "
            "ten years of work.</p><img src='/pixel.gif' width='1' height='1'></article>"
            "</body></html>").encode()


def test_the_pages_own_lead_image_is_shown_from_us(tmp_path):
    """og:image (else twitter:image, else JSON-LD image) of a real page: read with the page's
    metadata, stored with the article, shown first on its page and served through our proxy."""
    from urllib.request import urlopen

    from lxml import html as lxml_html

    from newsdesk.extract.meta import read_meta

    picture = png(16, 9)
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Dam",'
          ' "image": {"@type": "ImageObject", "url": "/ld.png"}}</script>')
    files = {"/og.html": ("text/html", _page('<meta property="og:image" content="/lead.png">'
                                             '<meta name="twitter:image" content="/tw.png">'
                                             + ld)),
             "/tw.html": ("text/html", _page('<meta name="twitter:image" content="/tw.png">'
                                             + ld)),
             "/ld.html": ("text/html", _page(ld)),
             "/none.html": ("text/html", _page('<meta property="og:image" '
                                               'content="javascript:alert(1)">')),
             "/lead.png": ("image/png", picture)}
    with file_server(files) as (base, hits):
        found = {}
        for name in ("og", "tw", "ld", "none"):
            with urlopen(f"{base}/{name}.html") as answer:
                tree = lxml_html.fromstring(answer.read())
            found[name] = read_meta(tree, f"{base}/{name}.html").image
        assert found == {"og": f"{base}/lead.png", "tw": f"{base}/tw.png",
                         "ld": f"{base}/ld.png", "none": ""}
        store = open_store(tmp_path / "desk.db")
        stored = store.put_article(Article(
            title="Dam opens", text="The new dam opened on Monday after ten years of work.",
            url=f"{base}/og.html", image_url=found["og"])).id
        plain = store.put_article(Article(title="No picture", text="Nothing to show here.",
                                          url=f"{base}/none.html")).id
        with TestClient(make_app(store, allow_private=True)) as client:
            page = client.get(f"/article/{stored}").text
            assert re.findall(r"<img [^>]*>", page) == [
                f'<img src="/image/{stored}" alt="" loading="lazy" decoding="async" '
                'referrerpolicy="no-referrer">']
            r = client.get(f"/image/{stored}")
            assert r.status_code == 200 and r.content == picture
            assert "<img" not in client.get(f"/article/{plain}").text
            assert client.get(f"/image/{plain}").status_code == 404
        assert hits["/lead.png"] == 1 and hits["/pixel.gif"] == 0
        store.close()


def test_a_kept_page_may_be_late_by_at_most_page_max_stale(tmp_path):
    """On a desk that ingests all the time a kept page is built at most once per
    page_max_stale seconds: until then it is served as it was, and after that the change
    shows."""
    store, _ = sample_store(tmp_path / "desk.db")
    with TestClient(make_app(store, page_max_stale=1.5)) as client:
        asked = time.monotonic()
        before = client.get("/section/sport").text
        made = time.monotonic()  # the kept page was made between `asked` and now
        store.put_article(Article(title="Rovers sign a goalkeeper", section="sport",
                                  text="The club signed a keeper.", url="https://x.example/g"))
        late = client.get("/section/sport").text
        if time.monotonic() - asked < 1.5:  # (a very slow machine may already be past it)
            assert late == before
        time.sleep(max(0.0, 1.6 - (time.monotonic() - made)))
        assert "Rovers sign a goalkeeper" in client.get("/section/sport").text
    store.close()
