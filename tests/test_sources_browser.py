"""Issue 9: an admin adds a feed on the sources page in a real browser (Debian's chromium via
Playwright), from a local HTTP server, and its articles show on the reader's pages; then
renames it, puts it in a category and removes it. Plain forms: no JavaScript of ours."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdesk import accounts
from newsdesk.store import Store
from sourcetools import NewsSite, news_site
from webtools import make_app, sample_store, serve_app

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct horse battery"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[str, Store, NewsSite]]:
    store, _ = sample_store(tmp_path / "desk.db")
    accounts.create_user(store, "root", PASSWORD, is_admin=True)
    app = make_app(store, allow_private=True, per_host_delay=0.0, embedder="hash")
    with news_site() as news, serve_app(app) as base:
        yield base, store, news
    store.close()


def test_admin_adds_a_feed_and_reads_its_articles(desk: tuple[str, Store, NewsSite],
                                                  browser: Any) -> None:
    base, store, news = desk
    context = browser.new_context(viewport={"width": 1100, "height": 900},
                                  java_script_enabled=False)  # everything works without it
    page = context.new_page()
    page.goto(base + "/login?next=/sources")
    page.get_by_label("Name").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/sources")
    assert page.get_by_role("heading", level=1).inner_text() == "Sources"
    assert page.get_by_text("No feeds yet.").is_visible()

    page.get_by_label("Address of a feed, or of a page").fill(news.home)  # links its feed
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(f"{base}/sources?**")
    assert page.locator("#notice").inner_text() == "Subscribed to Lagoon Post: 2 new articles."
    row = page.locator("tr", has_text="Lagoon Post")
    assert row.locator("a.source-url").inner_text() == news.feed
    assert row.locator(".source-count").inner_text() == "2"

    # the articles on the reader's pages: the front page, their section, the article itself
    page.goto(base + "/")
    headline = page.get_by_role("link", name=news.titles[0]).first
    assert headline.is_visible()
    headline.click()
    page.wait_for_url(f"{base}/article/*")
    assert page.get_by_role("heading", level=1).inner_text() == news.titles[0]
    assert page.get_by_role("heading", name="What the surveyors found").is_visible()
    page.goto(base + "/section/environment")
    assert page.get_by_role("link", name=news.titles[1]).first.is_visible()

    # rename it and put it in a category, from its own page
    page.goto(base + "/sources")
    page.get_by_role("link", name="Edit Lagoon Post").click()
    page.get_by_label("Your name for this feed").fill("The Lagoon")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_url(f"{base}/sources?**")
    assert page.locator("#notice").inner_text() == "Renamed The Lagoon."
    page.get_by_role("link", name="Edit The Lagoon").click()
    page.get_by_label("Category (empty: none)").fill("Local")
    page.get_by_role("button", name="Set category").click()
    page.wait_for_url(f"{base}/sources?**")
    assert page.get_by_role("heading", level=2, name="Local").is_visible()

    # remove it: asked first; the articles stay
    page.get_by_role("link", name="Edit The Lagoon").click()
    page.get_by_role("link", name="Unsubscribe from this feed…").click()
    assert "Its 2 articles stay on the desk" in page.locator("main").inner_text()
    page.get_by_role("button", name="Remove the feed").click()
    page.wait_for_url(f"{base}/sources?**")
    assert page.locator("#notice").inner_text() == (
        "Removed the feed; its 2 articles stay on the desk.")
    assert store.feeds() == []
    page.goto(base + "/")
    assert page.get_by_role("link", name=news.titles[0]).first.is_visible()
    context.close()


def test_a_refused_address_is_told_on_the_page(desk: tuple[str, Store, NewsSite],
                                               browser: Any) -> None:
    base, store, news = desk
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login?next=/sources")
    page.get_by_label("Name").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/sources")
    page.get_by_label("Address of a feed, or of a page").fill(news.nothing)
    page.get_by_role("button", name="Add", exact=True).click()
    error = page.get_by_role("alert")
    assert error.inner_text().startswith(f"Could not add {news.nothing}: page links no RSS")
    assert page.get_by_label("Address of a feed, or of a page").input_value() == news.nothing
    assert store.feeds() == []
    context.close()
