"""Logging in and reading in a real browser (Debian's chromium via Playwright), no JavaScript
of ours: every action is a plain form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdesk import accounts
from webtools import launch_chromium, make_app, sample_store, serve_app

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    store, ids = sample_store(tmp_path / "desk.db")
    accounts.create_user(store, "ana", "correct horse battery")
    with serve_app(make_app(store)) as base:
        yield base, ids
    store.close()


@pytest.fixture
def page() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def unread(page: Any) -> int:
    return int(page.locator("#unread-total").inner_text())


def test_log_in_read_an_article_and_see_the_count_drop(site: tuple[str, dict[str, int]],
                                                       page: Any) -> None:
    base, ids = site
    page.goto(base + "/")
    page.get_by_role("link", name="Log in").click()
    page.wait_for_url(base + "/login")
    page.get_by_label("Name").fill("ana")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.locator("#login-error").inner_text() == "Wrong name or password."
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    assert page.locator("#nav-account").inner_text() == "ana"
    assert unread(page) == 7

    page.get_by_role("link", name="Chip plant opens with a promise of 800 jobs").first.click()
    page.wait_for_url(f"{base}/article/{ids['chips']}")
    assert unread(page) == 6
    assert page.locator("#toggle-read").inner_text() == "Mark unread"

    page.locator("#toggle-save").click()  # a POST form, then back to the article
    page.wait_for_url(f"{base}/article/{ids['chips']}")
    assert page.locator("#toggle-save").get_attribute("aria-pressed") == "true"
    page.locator("#toggle-read").click()  # kept unread: back to its section
    page.wait_for_url(f"{base}/section/technology")
    assert unread(page) == 7

    page.locator("#nav-unread").click()
    page.wait_for_url(base + "/unread")
    assert page.locator("#reading-list > li").count() == 7
    page.locator("#mark-all-read").click()
    page.wait_for_url(base + "/unread")
    assert unread(page) == 0
    assert page.locator("#reading-empty").inner_text() == "Nothing unread."
    page.locator("#nav-saved").click()
    assert page.locator(f"#item-{ids['chips']}").count() == 1

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("link", name="Log in").count() == 1


def test_read_with_the_keyboard_only(site: tuple[str, dict[str, int]], page: Any) -> None:
    """Log in, then j, j, o, s, m on the real reader: the counts in the nav follow."""
    base, ids = site
    page.goto(base + "/login")
    page.get_by_label("Name").focus()
    page.keyboard.type("ana")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    page.goto(base + "/unread")
    page.wait_for_load_state("load")  # keys.js is deferred
    assert unread(page) == 7
    assert page.locator("#nav-saved").get_attribute("data-saved") == "0"
    second = page.locator("#reading-list > li").nth(1).get_attribute("data-article")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"{base}/article/{second}")
    assert unread(page) == 6  # opening it read it
    page.wait_for_load_state("load")
    page.keyboard.press("s")
    # (no wait_for_function: its polling evaluates a string, which the pages' CSP refuses)
    sync_api.expect(page.locator("#nav-saved")).to_have_attribute("data-saved", "1")
    assert page.locator("#toggle-save").get_attribute("aria-pressed") == "true"
    page.wait_for_load_state("load")
    page.keyboard.press("m")  # unread again
    sync_api.expect(page.locator("#unread-total")).to_have_text("7")
    page.goto(base + "/saved")
    assert page.locator(f"#item-{second}").count() == 1
    assert int(second or 0) in ids.values()


def test_a_form_posted_without_its_csrf_token_is_refused(site: tuple[str, dict[str, int]],
                                                         page: Any) -> None:
    """A signed-in reader's own form, its token taken out in the page: refused, nothing
    changes; the same form with its token works."""
    base, ids = site
    page.goto(base + "/login")
    page.get_by_label("Name").fill("ana")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/unread")
    assert unread(page) == 7
    page.evaluate("document.querySelectorAll('#mark-all-read') .forEach(b => "
                  "b.form.querySelector('input[name=csrf]').remove())")
    with page.expect_response(lambda r: r.url.endswith("/mark-read")) as refused:
        page.locator("#mark-all-read").click()
    assert refused.value.status == 403
    page.goto(base + "/unread")
    assert unread(page) == 7  # nothing was marked
    page.locator("#mark-all-read").click()
    page.wait_for_url(base + "/unread")
    assert unread(page) == 0
