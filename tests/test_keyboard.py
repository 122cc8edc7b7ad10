"""Issue 9, item 6: reading with the keyboard only (static/keys.js) in Debian's chromium, under
the pages' real policy (script-src 'self'), and the same pages without JavaScript at all.

Read and saved forms (`form[data-action="toggle-read"]` / `"toggle-save"`) come with accounts;
until they are on a page, m and s must do nothing there, which is tested too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdesk.web.security import page_csp
from webtools import (
    SITE_NAME,
    file_server,
    make_app,
    sample_articles,
    sample_store,
    serve_app,
)

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")

STATIC = Path(__file__).resolve().parents[1] / "src" / "newsdesk" / "web" / "static"


def _script_items() -> str:
    """What the script walks with j/k, read from the script itself."""
    found = re.search(r'var ITEMS = "([^"]+)";', (STATIC / "keys.js").read_text())
    assert found, "keys.js declares no ITEMS"
    return found.group(1)


ITEMS = _script_items()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    store, ids = sample_store(tmp_path_factory.mktemp("keys") / "desk.db")
    with serve_app(make_app(store)) as base_url:
        yield base_url, ids
    store.close()


class Problems:
    """Console errors, uncaught exceptions and policy violations seen by a tab."""

    def __init__(self, tab: Any) -> None:
        self.seen: list[str] = []
        tab.on("console", self._console)
        tab.on("pageerror", lambda exc: self.seen.append(f"pageerror: {exc}"))

    def _console(self, msg: Any) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.seen.append(f"{msg.type}: {msg.text}")


@pytest.fixture()
def tab(browser: Any) -> Iterator[tuple[Any, Problems]]:
    context = browser.new_context(viewport={"width": 1100, "height": 700})
    page = context.new_page()
    problems = Problems(page)
    yield page, problems
    context.close()


def _focused(page: Any) -> str:
    return str(page.evaluate(
        "(() => { const e = document.activeElement; return e.tagName.toLowerCase()"
        " + '#' + (e.id || '') + '|' + (e.getAttribute('href') || '') })()"))


def _hrefs(page: Any) -> list[str]:
    """The first link of every item the keys walk through, in page order."""
    return [str(h) for h in page.locator(ITEMS).evaluate_all(
        "items => items.map(i => i.querySelector('a[href]').getAttribute('href'))")]


def _in_view(item: Any) -> bool:
    """The item's top edge is inside the window (to a pixel: positions are fractional)."""
    return bool(item.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top > -1 && r.top < innerHeight }"))


def _loaded(page: Any) -> None:
    """keys.js is deferred: wait until the document (and so the script) is in."""
    page.wait_for_load_state("load")


def test_the_script_loads_from_us_under_the_page_policy(site, tab):
    base, _ = site
    page, problems = tab
    scripts: list[tuple[str, int]] = []
    page.on("response", lambda r: scripts.append((r.url, r.status))
            if r.request.resource_type == "script" else None)
    response = page.goto(base + "/")
    _loaded(page)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp
    assert scripts == [(base + "/static/keys.js", 200)]
    assert problems.seen == []


def test_j_j_o_opens_the_second_item(site, tab):
    base, _ = site
    page, problems = tab
    page.goto(base + "/")
    _loaded(page)
    hrefs = _hrefs(page)
    assert len(hrefs) >= 3
    page.keyboard.press("j")
    first = page.locator(".kb-selected")
    assert first.count() == 1 and _focused(page) == f"a#|{hrefs[0]}"
    page.keyboard.press("j")
    assert _focused(page) == f"a#|{hrefs[1]}"
    selected = page.locator(".kb-selected")
    assert selected.count() == 1
    assert selected.locator("a[href]").first.get_attribute("href") == hrefs[1]
    assert selected.is_visible() and _in_view(selected)
    page.keyboard.press("o")
    page.wait_for_url(base + hrefs[1])
    assert problems.seen == []


def test_j_and_k_walk_the_list_and_scroll_it_into_view(site, tab):
    base, _ = site
    page, problems = tab
    page.goto(base + "/")
    _loaded(page)
    hrefs = _hrefs(page)
    assert len(hrefs) >= 3
    page.keyboard.press("k")  # from nothing selected, k starts at the end
    assert _focused(page) == f"a#|{hrefs[-1]}"
    assert page.evaluate("scrollY") > 0  # the page scrolled to keep it in view
    assert _in_view(page.locator(".kb-selected"))
    page.keyboard.press("j")  # and stays there
    assert _focused(page) == f"a#|{hrefs[-1]}"
    for _ in hrefs:
        page.keyboard.press("k")
    assert _focused(page) == f"a#|{hrefs[0]}"
    assert _in_view(page.locator(".kb-selected"))
    page.keyboard.press("Enter")  # the focused title link opens itself
    page.wait_for_url(base + hrefs[0])
    assert problems.seen == []


def test_j_walks_a_story_timeline(site, tab):
    base, ids = site
    page, problems = tab
    page.goto(f"{base}/story/{ids['story']}")
    _loaded(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"{base}/article/{ids['flood_es']}")
    assert page.locator("h1").inner_text() == sample_articles()["flood_es"].title
    assert problems.seen == []


def test_slash_focuses_search_and_typing_there_is_not_a_shortcut(site, tab):
    base, _ = site
    page, problems = tab
    page.goto(base + "/")
    _loaded(page)
    page.keyboard.press("/")
    assert _focused(page) == "input#site-search-q|"
    page.keyboard.type("jog h?")  # letters that are shortcuts elsewhere
    assert page.locator("#site-search-q").input_value() == "jog h?"
    assert page.locator(".kb-selected").count() == 0
    assert page.locator("#keys-help").evaluate("d => d.open") is False
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/search?q=jog+h%3F")

    page.goto(base + "/search?q=barrier")
    _loaded(page)
    page.keyboard.press("/")  # on the search page: its own, larger box
    assert _focused(page) == "input#search-q|"
    assert problems.seen == []


def test_modifier_keys_are_left_to_the_browser(site, tab):
    base, _ = site
    page, problems = tab
    page.goto(base + "/")
    _loaded(page)
    page.keyboard.press("Control+j")
    page.keyboard.press("Alt+k")
    assert page.locator(".kb-selected").count() == 0
    assert _focused(page) == "body#|"
    assert problems.seen == []


def test_question_mark_shows_help_and_escape_closes_it_returning_focus(site, tab):
    base, _ = site
    page, problems = tab
    page.goto(base + "/")
    _loaded(page)
    dialog = page.locator("#keys-help")
    assert not dialog.is_visible()
    page.keyboard.press("j")
    before = _focused(page)
    page.keyboard.press("?")
    assert dialog.is_visible()
    assert page.get_by_role("dialog", name="Keyboard shortcuts").count() == 1
    assert "Next / previous item" in dialog.inner_text()
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("j")  # keys inside the dialog do nothing else
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert _focused(page) == before

    page.keyboard.press("?")  # and its button closes it too
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    assert not dialog.is_visible()
    assert _focused(page) == before
    assert problems.seen == []


def test_g_then_h_goes_home(site, tab):
    base, ids = site
    page, problems = tab
    page.goto(f"{base}/article/{ids['chips']}")
    _loaded(page)
    page.keyboard.press("h")  # h alone is nothing
    page.keyboard.press("g")
    page.keyboard.press("x")  # g then another key is nothing either
    page.keyboard.press("h")
    assert page.url == f"{base}/article/{ids['chips']}"
    page.keyboard.press("g")
    page.keyboard.press("h")
    page.wait_for_url(base + "/")
    assert page.locator(".site-name").inner_text() == SITE_NAME
    assert problems.seen == []


def test_m_and_s_without_their_forms_do_nothing(site, tab):
    base, ids = site
    page, problems = tab
    page.goto(f"{base}/article/{ids['flood_en']}")
    _loaded(page)
    page.keyboard.press("m")
    page.keyboard.press("s")
    page.keyboard.press("j")
    page.keyboard.press("m")
    page.keyboard.press("s")
    assert page.url == f"{base}/article/{ids['flood_en']}"
    assert problems.seen == []


def test_m_and_s_submit_the_forms_of_the_selected_item_or_the_article(browser, tmp_path):
    """The forms accounts adds, stood in here by a page of our own served under the same
    policy: s on a selected item submits that item's save form (marked on its button), m with
    nothing selected the page's own read form (marked on the form), each as a click on its
    button would (method, action, fields, the button's name and value)."""
    html = b"""<!doctype html><html lang="en"><head><title>Forms</title>
<script src="/static/keys.js" defer></script></head><body><main><h1>Forms</h1>
<form data-action="toggle-read" method="get" action="/done"><input type="hidden" name="read"
 value="page"><button>Read</button></form>
<ul><li class="item"><a href="/a/1">One</a><form method="get" action="/done"><input
 type="hidden" name="save" value="1"><button data-action="toggle-save">Save</button></form></li>
<li class="item"><a href="/a/2">Two</a><form method="get" action="/done"><input type="hidden"
 name="save" value="2"><button type="submit" name="to" value="saved"
 data-action="toggle-save">Save</button></form></li>
</ul></main></body></html>"""
    script = (STATIC / "keys.js").read_bytes()
    files = {"/static/keys.js": ("text/javascript", script),
             "/done?save=2&to=saved": ("text/html", b"<!doctype html><title>saved</title>"),
             "/done?read=page": ("text/html", b"<!doctype html><title>read</title>"),
             "/done?save=1": ("text/html", b"<!doctype html><title>saved</title>"),
             "/favicon.ico": ("image/x-icon", (STATIC / "favicon.ico").read_bytes())}
    with file_server(files) as (base, hits):
        context = browser.new_context()
        page = context.new_page()
        problems = Problems(page)
        page.route(base + "/forms", lambda route: route.fulfill(
            status=200, body=html, content_type="text/html",
            headers={"content-security-policy": page_csp(False)}))
        page.goto(base + "/forms")
        _loaded(page)
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("s")
        page.wait_for_url(base + "/done?save=2&to=saved")
        page.goto(base + "/forms")
        _loaded(page)
        page.keyboard.press("j")
        page.keyboard.press("m")  # the selected item has no read form: not the page's either
        page.keyboard.press("s")
        page.wait_for_url(base + "/done?save=1")
        page.goto(base + "/forms")
        _loaded(page)
        page.keyboard.press("m")
        page.wait_for_url(base + "/done?read=page")
        assert problems.seen == []
        context.close()
    assert hits["/done?save=2&to=saved"] == hits["/done?save=1"] == 1
    assert hits["/done?read=page"] == 1


@pytest.mark.slow
def test_j_walks_every_item_of_the_demo_front_page_in_order(demo_db, browser):
    """The demo's front page has every kind of item: story cards, the latest articles, the
    list of more stories, the sections' articles. j visits each once, top to bottom."""
    from newsdesk.config import Config
    from newsdesk.store import open_store
    from newsdesk.web.app import create_app

    store = open_store(demo_db)
    with serve_app(create_app(store, Config(site_name="Demo Desk", embedder="use"))) as base:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        problems = Problems(page)
        page.goto(base + "/")
        _loaded(page)
        hrefs = _hrefs(page)
        kinds = page.locator(ITEMS).evaluate_all(
            "items => [...new Set(items.map(i => i.className || i.parentNode.className))]")
        visited = []
        for _ in hrefs:
            page.keyboard.press("j")
            visited.append(_focused(page).split("|", 1)[1])
        assert visited == hrefs
        assert page.locator(".kb-selected").count() == 1
        assert _in_view(page.locator(".kb-selected"))
        assert problems.seen == []
        context.close()
    store.close()
    assert {"story-card", "item", "item item-story", "story-list"} <= set(kinds), kinds


# -- without JavaScript: the same pages, the same ways through ------------------------------

def test_pages_work_without_javascript(site, browser):
    base, ids = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    assert page.goto(base + "/").status == 200
    assert page.locator("h1").count() == 1
    assert not page.locator("#keys-help").is_visible()
    page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Environment").click()
    page.wait_for_url(base + "/section/environment")
    page.get_by_role("link", name=sample_articles()["flood_en"].title).first.click()
    page.wait_for_url(f"{base}/article/{ids['flood_en']}")
    page.get_by_role("link", name="3 outlets cover this story").click()
    page.wait_for_url(f"{base}/story/{ids['story']}")
    assert page.locator(".timeline-item").count() == 3
    page.get_by_role("search").get_by_label("Search articles").fill("vellmar")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url(base + "/search?q=vellmar")
    assert page.locator("main .search-results .item").count() >= 1
    page.get_by_label("Language").select_option("es")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    page.wait_for_url(base + "/search?q=vellmar&lang=es*")
    titles = page.locator("main .search-results .item-title a")
    assert titles.count() >= 1
    assert {titles.nth(i).get_attribute("lang") for i in range(titles.count())} == {"es"}
    page.get_by_role("link", name="Stories", exact=True).click()
    page.wait_for_url(base + "/stories")
    page.keyboard.press("Tab")  # the skip link still comes first
    page.keyboard.press("Enter")
    assert page.url == base + "/stories#main"
    context.close()
