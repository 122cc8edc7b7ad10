"""The reader in a real browser: Debian's chromium driven by Playwright, against uvicorn."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from webtools import SITE_NAME, make_app, sample_articles, sample_store, serve_app

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")



@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    store, ids = sample_store(tmp_path_factory.mktemp("browser") / "desk.db")
    with serve_app(make_app(store)) as base_url:
        yield base_url, ids
    store.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def test_home_and_section_pages(site, page):
    base, ids = site
    assert page.goto(base + "/").status == 200
    assert page.locator(".site-name").inner_text() == SITE_NAME
    assert page.get_by_role("heading", name="Environment").count() == 1
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Technology").click()
    page.wait_for_url(base + "/section/technology")
    assert page.locator("h1").inner_text() == "Technology"
    assert page.get_by_role("link", name="Chip plant opens with a promise of 800 jobs").count() == 1


def test_article_page(site, page, tmp_path):
    base, ids = site
    want = sample_articles()["flood_en"]
    assert page.goto(f"{base}/article/{ids['flood_en']}").status == 200

    assert page.locator("header .site-name").inner_text() == SITE_NAME
    assert page.locator("article .kicker").inner_text().lower() == "environment"
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == want.title
    assert page.locator(".standfirst").inner_text() == want.summary
    assert page.locator(".article-body h2").all_inner_texts() == want.headings

    facts = page.get_by_role("complementary", name="Key facts")
    assert facts.locator("li").all_inner_texts() == want.key_facts

    meta = page.locator(".meta")
    for part in ("The Northern Ledger", "By Maria Okafor", "28 November 2025", "English"):
        assert part in meta.inner_text()
    original = meta.get_by_role("link", name="Read the original")
    assert original.get_attribute("href") == want.url
    assert original.get_attribute("rel") == "noopener nofollow"

    story_link = page.get_by_role("link", name="3 outlets cover this story")
    assert story_link.get_attribute("href") == f"/story/{ids['story']}"

    shot = tmp_path / "article.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    # the telescope and the chip plant are stored neighbours (cosine 0.41 and 0.33) but not
    # related to a flood barrier: no "Similar Articles" filler
    assert page.get_by_role("region", name="Similar Articles").count() == 0
    more = page.get_by_role("region", name="More on this story")
    items = more.locator(".item-title a")
    assert items.all_inner_texts() == [sample_articles()["flood_es"].title,
                                       sample_articles()["flood_wire"].title]
    assert "Spanish" in more.inner_text() and "Diario del Litoral" in more.inner_text()
    assert more.get_by_role("link", name="The whole story").get_attribute("href") == (
        f"/story/{ids['story']}")
    items.first.click()
    page.wait_for_url(f"{base}/article/{ids['flood_es']}")
    assert page.locator("h1").inner_text() == sample_articles()["flood_es"].title


def test_skip_link_is_the_first_focus(site, page):
    base, ids = site
    page.goto(f"{base}/article/{ids['flood_en']}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className + '|' + "
                            "document.activeElement.getAttribute('href')")
    assert focused == "skip-link|#main"
    assert page.locator(".skip-link").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_spanish_article_language(site, page):
    base, ids = site
    page.goto(f"{base}/article/{ids['flood_es']}")
    assert page.locator("article").get_attribute("lang") == "es"
    # its own labels in Spanish (tests/test_browser_i18n.py has the rest)
    assert page.locator(".meta .lang").inner_text() == "Español"


def test_story_page(site, page):
    base, ids = site
    assert page.goto(f"{base}/story/{ids['story']}").status == 200
    # told by its most central article (no embeddings in the sample: the first)
    assert page.locator("h1").inner_text() == sample_articles()["flood_en"].title
    items = page.locator(".timeline-item")
    assert items.count() == 3
    assert "Diario del Litoral" in items.nth(1).inner_text()
    assert "Spanish" in items.nth(1).inner_text()
    items.nth(2).get_by_role("link").click()
    page.wait_for_url(f"{base}/article/{ids['flood_wire']}")


def test_no_console_errors_on_pages(site, page):
    base, ids = site
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for url in ("/", "/section/environment", f"/article/{ids['hostile']}",
                f"/story/{ids['story']}", "/search?q=vellmar"):
        page.goto(base + url)
    assert errors == []


def test_stories_and_a_spanish_search_for_english_news(demo_db, browser):
    """On the demo corpus: /stories lists the border story in both languages; its page has a
    standfirst, key facts, a figures table marking the outlets' differing counts and a
    timeline; the front page leads with story cards; a search typed in Spanish into the page
    finds English articles, grouped by story."""
    from newsdesk.config import Config
    from newsdesk.store import open_store
    from newsdesk.web.app import create_app

    store = open_store(demo_db)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    with serve_app(create_app(store, Config(site_name=SITE_NAME, embedder="use"))) as base:
        assert tab.goto(base + "/stories").status == 200
        assert tab.locator("h1").inner_text() == "Stories"
        rows = tab.locator(".story-index .item")
        assert rows.count() >= 5
        both = rows.filter(has_text="English, Spanish")
        assert both.count() >= 1
        border = rows.filter(has_text="Desaguadero")
        assert border.count() == 1
        border.get_by_role("link").click()
        tab.wait_for_url(base + "/story/*")
        assert tab.locator(".timeline-item").count() >= 5
        assert tab.locator("header .standfirst").inner_text()
        facts = tab.get_by_role("complementary", name="Key facts across the coverage")
        assert facts.locator("li").count() >= 3
        table = tab.get_by_role("table")
        assert table.locator("tbody.disagree").count() >= 2  # trucks, buses: counts differ
        cells = " ".join(table.locator("td").all_inner_texts())
        assert "Spanish" in cells and "English" in cells
        assert "outlets differ" in table.inner_text()
        coverage = tab.get_by_role("region", name="Coverage").inner_text()
        assert "Pacific Wire" in coverage and "La Voz del Litoral" in coverage
        tab.goto(base + "/")
        cards = tab.locator(".story-card")
        assert cards.count() >= 2
        assert "outlets" in cards.first.locator(".card-meta").inner_text()
        tab.goto(base + "/search")
        tab.get_by_label("Words to look for, in English or Spanish").fill("frontera")
        tab.get_by_role("main").get_by_role("button", name="Search").click()
        tab.wait_for_url(base + "/search?*")
        titles = tab.locator("main .search-results a[href^='/article/']")
        assert titles.count() >= 2
        langs = {titles.nth(i).get_attribute("lang") for i in range(titles.count())}
        assert "en" in langs and "es" in langs
        # the border story's results sit under one headline, not apart
        grouped = tab.locator("main .search-results .item-story")
        assert grouped.count() >= 1 and grouped.first.locator(".story-more li").count() >= 1
    context.close()
    store.close()


# -- issue 8: the lead image, offline docs, nothing loaded from elsewhere ----------------------

def _watch(page: Any, base: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every request the page makes, and those that failed (url, reason)."""
    requests: list[str] = []
    failed: list[tuple[str, str]] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append((r.url, r.failure or "")))
    return requests, failed


def _local(url: str, base: str) -> bool:
    return url.startswith(base + "/") or url.startswith("blob:" + base + "/")


def test_article_lead_image_comes_from_us_and_nothing_leaves_127_0_0_1(browser, tmp_path):
    """The publisher's lead image is shown (fetched by our server from the publisher, here a
    server on 127.0.0.1), lazily and without a referrer; a tracking pixel in the body is not
    loaded at all; every request of the page load goes to our own address."""
    from newsdesk.model import Article
    from newsdesk.store import open_store
    from webtools import file_server, png

    picture = png(64, 32)
    with file_server({"/lead.png": ("image/png", picture)}) as (publisher, hits):
        store = open_store(tmp_path / "lead.db")
        aid = store.put_article(Article(
            title="The barrier holds", url="https://publisher.example/barrier",
            source="Publisher", section="environment", text="The barrier closed on Friday.",
            html=(f'<figure><img src="{publisher}/lead.png" alt="The gates closed">'
                  '<figcaption>The gates at dawn</figcaption></figure>'
                  '<p>The barrier closed on Friday.</p>'
                  f'<p>More.<img src="{publisher}/pixel.gif" alt=""></p>'))).id
        with serve_app(make_app(store, allow_private=True)) as base:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            tab = context.new_page()
            requests, failed = _watch(tab, base)
            assert tab.goto(f"{base}/article/{aid}").status == 200
            image = tab.locator("figure.lead-image img")
            image.scroll_into_view_if_needed()
            # polled from here: wait_for_function evaluates a string, which the page's policy
            # (our own script files only, no eval) refuses
            deadline = time.monotonic() + 10
            while not image.evaluate("img => img.complete") and time.monotonic() < deadline:
                tab.wait_for_timeout(50)
            assert image.evaluate("img => img.naturalWidth") == 64
            assert image.get_attribute("src") == f"/image/{aid}"
            assert image.get_attribute("loading") == "lazy"
            assert image.get_attribute("referrerpolicy") == "no-referrer"
            assert tab.locator("figure.lead-image figcaption").inner_text() == "The gates at dawn"
            assert tab.locator("article img").count() == 1
            tab.wait_for_load_state("networkidle")
            context.close()
        store.close()
    assert requests and all(_local(url, base) for url in requests), requests
    assert failed == []
    assert f"{base}/image/{aid}" in requests
    assert hits["/lead.png"] == 1 and hits["/pixel.gif"] == 0


def test_docs_render_offline_from_our_own_address(site, browser):
    """Swagger UI draws every operation with nothing fetched from outside; /redoc renders too,
    and the one outside image its bundle asks for is stopped by the page's policy."""
    base, _ = site
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    requests, failed = _watch(tab, base)
    assert tab.goto(base + "/docs").status == 200
    operations = tab.locator(".opblock-summary-path")
    operations.first.wait_for()
    paths = {p.strip("\u200b") for p in operations.all_inner_texts()}
    assert {"/api/articles", "/api/search", "/api/stories/{story_id}"} <= {
        p.replace("\u200b", "") for p in paths}
    tab.locator(".opblock-summary").first.click()  # an operation opens: the UI is live
    tab.locator(".opblock-body").first.wait_for()
    tab.wait_for_load_state("networkidle")
    assert requests and all(_local(url, base) for url in requests), requests
    assert failed == [] and errors == []

    requests.clear()
    assert tab.goto(base + "/redoc").status == 200
    tab.get_by_role("heading", name="Latest articles").first.wait_for()
    tab.wait_for_load_state("networkidle")
    outside = [url for url in requests if not _local(url, base)]
    assert all((url, "csp") in failed for url in outside), (outside, failed)
    context.close()
