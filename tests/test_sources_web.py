"""Issue 9, item 3: the sources page and /opml over HTTP, against a real server on a real
SQLite file, adding feeds and pages served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsdesk import accounts
from newsdesk.ingest.opml import parse_opml
from newsdesk.model import Feed
from newsdesk.store import Store
from sourcetools import NewsSite, news_site
from test_accounts_web import PASSWORD, client, csrf_of, login
from webtools import make_app, sample_store, serve_app

SETTINGS: dict[str, Any] = {"allow_private": True, "per_host_delay": 0.0, "embedder": "hash"}


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Store]:
    store, _ = sample_store(tmp_path / "desk.db")
    accounts.create_user(store, "ana", PASSWORD)
    accounts.create_user(store, "root", PASSWORD, is_admin=True)
    yield store
    store.close()


@pytest.fixture
def site(desk: Store) -> Iterator[str]:
    with serve_app(make_app(desk, **SETTINGS)) as base:
        yield base


@pytest.fixture
def news() -> Iterator[NewsSite]:
    with news_site() as running:
        yield running


@contextmanager
def admin(base: str) -> Iterator[httpx.Client]:
    with client(base) as c:
        assert login(c, "root").status_code == 303
        yield c


def add(c: httpx.Client, url: str, **extra: str) -> httpx.Response:
    page = c.get("/sources")
    return c.post("/sources/add", data={"url": url, "csrf": csrf_of(page.text), **extra})


def notice(html: str) -> str:
    found = re.search(r'id="notice" role="status">(.*?)</p>', html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def add_error(html: str) -> str:
    found = re.search(r'id="add-error" role="alert">(.*?)</p>', html, flags=re.S)
    return unescape(found.group(1)) if found else ""


def state(store: Store) -> tuple[list[tuple[Any, ...]], int]:
    """What an add or an edit may change: the feeds and how many articles there are."""
    feeds = [(f.id, f.url, f.name, f.category) for f in store.feeds()]
    return feeds, len(store.articles(limit=1000))


def test_admin_adds_a_feed_and_its_articles_are_imported(site: str, desk: Store,
                                                        news: NewsSite) -> None:
    with admin(site) as c:
        answer = add(c, news.feed)
        assert answer.status_code == 303, answer.text[:500]
        page = c.get(answer.headers["location"])
        assert notice(page.text) == "Subscribed to Lagoon Post: 2 new articles."
        (feed,) = desk.feeds()
        assert feed.url == news.feed and feed.title == "Lagoon Post"
        row = re.search(rf'<tr id="feed-{feed.id}".*?</tr>', page.text, flags=re.S)
        assert row is not None
        assert "Lagoon Post" in row.group(0) and news.feed in row.group(0)
        assert f'href="{news.base}/"' in row.group(0)  # the outlet's site
        assert '<span class="source-count">2</span>' in row.group(0)
        assert ">Working<" in row.group(0)
        # the entries' full pages were fetched, and the articles are on the reader's pages
        titles = {a.title for a in desk.articles(limit=100) if a.feed_id == feed.id}
        assert titles == set(news.titles)
        assert news.titles[0] in c.get("/section/environment").text
        # the same feed again: already subscribed, nothing new
        again = c.get(add(c, news.feed).headers["location"])
        assert notice(again.text) == "Already subscribed to Lagoon Post: 0 new articles."
        assert len(desk.feeds()) == 1


def test_a_page_that_links_a_feed_subscribes_to_it(site: str, desk: Store,
                                                  news: NewsSite) -> None:
    with admin(site) as c:
        answer = add(c, news.home)
        assert answer.status_code == 303
        assert [f.url for f in desk.feeds()] == [news.feed]
        assert "Subscribed to Lagoon Post" in notice(c.get(answer.headers["location"]).text)


def test_an_article_page_is_imported_as_an_article(site: str, desk: Store,
                                                  news: NewsSite) -> None:
    with admin(site) as c:
        before = len(desk.articles(limit=1000))
        answer = add(c, news.lone_article)  # links no feed: taken as an article
        assert answer.status_code == 303
        page = c.get(answer.headers["location"])
        assert notice(page.text).startswith("That page links no feed: imported it as an article.")
        article_id = int(re.search(r'href="/article/(\d+)">Read it<', page.text).group(1))
        assert desk.get_articles([article_id])[0].title == news.lone_title
        assert desk.feeds() == [] and len(desk.articles(limit=1000)) == before + 1
        # a page that links a feed, imported as one article when asked
        entry = news.base + "/herons-return.html"
        answer = add(c, entry, as_article="1")
        assert notice(c.get(answer.headers["location"]).text) == (
            "Imported the page as an article. Read it")
        assert desk.feeds() == []


@pytest.mark.parametrize("url, reason", [
    ("", "empty: give a feed's or a page's address"),
    ("javascript:alert(1)", "not an http(s) URL"),
    ("ftp://files.example/feed", "not an http(s) URL"),
    ("http://", "not an http(s) URL"),
    ("https://x.example/" + "a" * 2100, "longer than 2000 characters"),
])
def test_bad_urls_are_refused_on_the_page(site: str, desk: Store, url: str,
                                          reason: str) -> None:
    before = state(desk)
    with admin(site) as c:
        answer = add(c, url)
        assert answer.status_code == 400
        assert reason in add_error(answer.text), add_error(answer.text)
        assert "Traceback" not in answer.text
    assert state(desk) == before


def test_pages_that_are_not_feeds_and_missing_pages_are_refused(site: str, desk: Store,
                                                               news: NewsSite) -> None:
    before = state(desk)
    with admin(site) as c:
        answer = add(c, news.nothing)
        assert answer.status_code == 400
        error = add_error(answer.text)
        assert error.startswith(f"Could not add {news.nothing}: page links no RSS, Atom or "
                                "JSON feed, and no article was found in it"), error
        missing = add(c, news.base + "/gone.xml")
        assert missing.status_code == 400
        assert "HTTP 404" in add_error(missing.text)
        # what was typed stays in the field, to correct it
        assert f'value="{news.base}/gone.xml"' in missing.text
    assert state(desk) == before


def test_private_addresses_are_refused_unless_allowed(desk: Store, news: NewsSite) -> None:
    before = state(desk)
    with serve_app(make_app(desk, embedder="hash")) as base, admin(base) as c:
        answer = add(c, news.feed)
        assert answer.status_code == 400
        error = add_error(answer.text)
        assert error.startswith(f"Could not add {news.feed}:") and "127.0.0.1" in error, error
    assert state(desk) == before and news.hits["/rss.xml"] == 0


def test_a_server_that_never_answers_times_out(desk: Store) -> None:
    before = state(desk)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never says a word
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml"
    try:
        with serve_app(make_app(desk, **SETTINGS, fetch_timeout=1.0)) as base, \
                admin(base) as c:
            answer = add(c, url)
            assert answer.status_code == 400
            assert "timed out after 1 s" in add_error(answer.text), add_error(answer.text)
    finally:
        silent.close()
    assert state(desk) == before


def test_rename_category_and_remove(site: str, desk: Store, news: NewsSite) -> None:
    with admin(site) as c:
        add(c, news.feed)
        (feed,) = desk.feeds()
        edit = c.get(f"/sources/{feed.id}")
        assert edit.status_code == 200 and 'id="rename-form"' in edit.text
        token = csrf_of(edit.text)
        answer = c.post(f"/sources/{feed.id}/rename", data={"name": "  The  Lagoon ",
                                                             "csrf": token})
        assert answer.status_code == 303
        assert notice(c.get(answer.headers["location"]).text) == "Renamed The Lagoon."
        c.post(f"/sources/{feed.id}/category", data={"category": "Local news", "csrf": token})
        stored = desk.feed(feed.id)
        assert stored is not None and (stored.name, stored.category) == ("The Lagoon",
                                                                         "Local news")
        page = c.get("/sources").text
        group = re.search(r'<h2 id="group-1">(.*?)</h2>', page)
        assert group is not None and group.group(1) == "Local news"
        assert "The Lagoon" in page and "Lagoon Post" in page  # its own title beside
        # too long: refused, nothing changed
        long = c.post(f"/sources/{feed.id}/rename", data={"name": "x" * 201, "csrf": token})
        assert long.status_code == 400 and "at most 200 characters" in long.text
        assert desk.feed(feed.id).name == "The Lagoon"  # type: ignore[union-attr]
        # cleared: back to the feed's own title and no category
        c.post(f"/sources/{feed.id}/rename", data={"name": "", "csrf": token})
        c.post(f"/sources/{feed.id}/category", data={"category": " ", "csrf": token})
        stored = desk.feed(feed.id)
        assert stored is not None and (stored.name, stored.category) == (None, None)
        assert '<h2 id="group-1">No category</h2>' in c.get("/sources").text
        # remove: asked first, then gone; its articles stay
        articles = {a.id for a in desk.articles(limit=100) if a.feed_id == feed.id}
        confirm = c.get(f"/sources/{feed.id}/remove")
        assert "Its 2 articles stay on the desk" in confirm.text
        gone = c.post(f"/sources/{feed.id}/remove", data={"csrf": csrf_of(confirm.text)})
        assert notice(c.get(gone.headers["location"]).text) == (
            "Removed the feed; its 2 articles stay on the desk.")
        assert desk.feeds() == []
        assert {a.id for a in desk.get_articles(sorted(articles))} == articles
        assert c.get(f"/sources/{feed.id}").status_code == 404
        assert c.post(f"/sources/{feed.id}/remove",
                      data={"csrf": token}).status_code == 404


def test_readers_see_the_list_but_may_change_nothing(site: str, desk: Store) -> None:
    feed_id, _ = desk.add_feed(Feed(url="https://lagoon.example/rss", title="Lagoon Post"))
    before = state(desk)
    with client(site) as c:
        assert login(c, "ana").status_code == 303
        page = c.get("/sources")
        assert page.status_code == 200 and "Lagoon Post" in page.text
        assert 'id="add-source-form"' not in page.text and f"/sources/{feed_id}" not in page.text
        token = csrf_of(page.text)  # the logout form's: a valid token of this session
        for path, data in [("/sources/add", {"url": "https://x.example/rss"}),
                           (f"/sources/{feed_id}/rename", {"name": "Mine"}),
                           (f"/sources/{feed_id}/category", {"category": "Mine"}),
                           (f"/sources/{feed_id}/remove", {})]:
            assert c.post(path, data={**data, "csrf": token}).status_code == 403, path
        assert c.get(f"/sources/{feed_id}").status_code == 403
        assert c.get(f"/sources/{feed_id}/remove").status_code == 403
    with client(site) as anonymous:  # not signed in: the list, and the login page for the rest
        assert "Lagoon Post" in anonymous.get("/sources").text
        answer = anonymous.post(f"/sources/{feed_id}/remove", data={})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert state(desk) == before


def test_posts_without_csrf_are_refused(site: str, desk: Store, news: NewsSite) -> None:
    feed_id, _ = desk.add_feed(Feed(url="https://lagoon.example/rss", title="Lagoon Post"))
    before = state(desk)
    with admin(site) as c:
        for path, data in [("/sources/add", {"url": news.feed}),
                           (f"/sources/{feed_id}/rename", {"name": "Mine"}),
                           (f"/sources/{feed_id}/category", {"category": "Mine"}),
                           (f"/sources/{feed_id}/remove", {})]:
            assert c.post(path, data=data).status_code == 403, path
            assert c.post(path, data={**data, "csrf": "forged"}).status_code == 403, path
    assert state(desk) == before and news.hits["/rss.xml"] == 0


def test_sources_behind_login_when_reading_is_not_public(desk: Store) -> None:
    with serve_app(make_app(desk, public_reading=False)) as base, client(base) as c:
        assert c.get("/sources").status_code == 303
        assert c.get("/opml").status_code == 303
        login(c, "ana")
        assert c.get("/sources").status_code == 200 and c.get("/opml").status_code == 200


def test_the_page_is_never_served_stale(site: str, desk: Store) -> None:
    """Feed edits do not move the content version: the page must show them at once."""
    feed_id, _ = desk.add_feed(Feed(url="https://lagoon.example/rss", title="Lagoon Post"))
    with client(site) as c:
        assert "Lagoon Post" in c.get("/sources").text
        desk.rename_feed(feed_id, "Renamed elsewhere")
        assert "Renamed elsewhere" in c.get("/sources").text
        desk.delete_feed(feed_id)
        assert "Renamed elsewhere" not in c.get("/sources").text


def test_opml_lists_categories_as_folders_and_escapes(site: str, desk: Store) -> None:
    desk.add_feed(Feed(url="https://a.example/rss?x=1&y=2", title='A <"&> Times',
                       site_url="https://a.example/"))
    b_id, _ = desk.add_feed(Feed(url="https://b.example/atom", title="B Daily"))
    desk.rename_feed(b_id, "Bee")
    desk.set_feed_category(b_id, "Tech & science")
    with client(site) as c:
        answer = c.get("/opml")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/x-opml")
    assert "content-security-policy" in answer.headers
    assert b'<outline text="Tech &amp; science" title="Tech &amp; science">' in answer.content
    assert b'xmlUrl="https://a.example/rss?x=1&amp;y=2"' in answer.content
    feeds = parse_opml(answer.content, "subscriptions.opml")
    assert [(f.url, f.label, f.category, f.site_url) for f in feeds] == [
        ("https://a.example/rss?x=1&y=2", 'A <"&> Times', None, "https://a.example/"),
        ("https://b.example/atom", "Bee", "Tech & science", None)]


def test_the_page_in_spanish(site: str, desk: Store) -> None:
    feed_id, _ = desk.add_feed(Feed(url="https://lagoon.example/rss", title="Lagoon Post"))
    with client(site) as c:
        page = c.get("/sources?done=removed&n=3", headers={"Accept-Language": "es"})
        assert '<h1 class="page-title">Fuentes</h1>' in page.text
        assert ">Aún sin consultar<" in page.text and "Sin categoría" in page.text
        assert notice(page.text) == "Fuente eliminada; sus 3 artículos siguen en la redacción."
        one = c.get("/sources?done=removed&n=1", headers={"Accept-Language": "es"})
        assert notice(one.text) == "Fuente eliminada; su 1 artículo sigue en la redacción."
        odd = c.get("/sources?done=<script>", headers={"Accept-Language": "es"})
        assert odd.status_code == 200 and notice(odd.text) == "" and "<script>" not in odd.text
    del feed_id


def test_a_long_add_goes_on_in_the_background(desk: Store, news: NewsSite) -> None:
    """A feed whose pages take longer than `source_add_wait`: it is subscribed before the
    answer, which says the articles are still coming; they arrive after it."""
    slow = {**SETTINGS, "per_host_delay": 2.0, "source_add_wait": 0.2}
    with serve_app(make_app(desk, **slow)) as base, admin(base) as c:
        answer = add(c, news.feed)
        assert answer.status_code == 303
        page = c.get(answer.headers["location"])
        assert notice(page.text) == ("Subscribed to Lagoon Post: its articles are still being "
                                     "fetched, and appear on the desk as they arrive.")
        (feed,) = desk.feeds()  # subscribed before the answer
        assert f'id="feed-{feed.id}"' in page.text
        assert feed.etag is None  # no validators while the import goes on
        assert len([a for a in desk.articles(limit=100) if a.feed_id]) < 2
        deadline = time.monotonic() + 60
        while len([a for a in desk.articles(limit=100) if a.feed_id]) < 2:
            assert time.monotonic() < deadline, "the import never finished"
            time.sleep(0.2)
        assert {a.title for a in desk.articles(limit=100) if a.feed_id == feed.id} == set(
            news.titles)
