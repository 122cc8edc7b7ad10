"""The Spanish interface in a real browser: the reader asked for Spanish by its Accept-Language,
chosen with the footer's language link, and a Spanish article under the English interface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from webtools import make_app, sample_articles, sample_store, serve_app

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    store, ids = sample_store(tmp_path_factory.mktemp("browser-i18n") / "desk.db")
    with serve_app(make_app(store, time_zone="Europe/Madrid")) as base_url:
        yield base_url, ids
    store.close()


def _tab(browser: Any, accept_language: str | None = None) -> tuple[Any, Any]:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    context = browser.new_context(viewport={"width": 1100, "height": 900},
                                  extra_http_headers=headers)
    return context, context.new_page()


def test_reader_in_spanish_by_accept_language(site, browser):
    base, ids = site
    context, page = _tab(browser, "es-MX,es;q=0.9,en;q=0.3")
    # home
    assert page.goto(base + "/").status == 200
    assert page.locator("html").get_attribute("lang") == "es"
    nav = page.get_by_role("navigation", name="Secciones")
    assert nav.get_by_role("link", name="Medio ambiente").count() == 1
    assert page.get_by_role("heading", name="Lo último").count() == 1
    assert page.get_by_role("link", name="Saltar al contenido principal").count() == 1
    assert "Canal RSS" in page.locator("footer").inner_text()

    # an article in English: its block stays English, the page around it is Spanish
    nav.get_by_role("link", name="Medio ambiente").click()
    page.wait_for_url(base + "/section/environment")
    assert page.locator("h1").inner_text() == "Medio ambiente"
    page.get_by_role("link", name=sample_articles()["flood_en"].title).click()
    page.wait_for_url(f"{base}/article/{ids['flood_en']}")
    article = page.locator("article")
    assert article.get_attribute("lang") == "en"
    assert article.get_by_role("complementary", name="Key facts").count() == 1
    assert "28 November 2025, 10:30 CET" in article.locator(".meta").inner_text()
    story_link = page.get_by_role("link", name="3 medios cubren esta noticia")
    assert page.get_by_role("region", name="Más sobre esta noticia").count() == 1

    # the story
    story_link.click()
    page.wait_for_url(f"{base}/story/{ids['story']}")
    assert page.locator(".kicker").first.text_content() == "Noticia"
    assert page.get_by_role("heading", name="Cronología").count() == 1
    assert page.get_by_role("region", name="Cobertura").count() == 1
    meta = page.locator("header .meta").inner_text()
    assert "3 artículos" in meta and "3 medios" in meta
    assert "28 de noviembre de 2025" in meta and "29 de noviembre de 2025" in meta
    times = page.locator(".timeline-item time").all_inner_texts()
    assert times[0] == "28 de noviembre de 2025, 10:30 CET"

    # search, typed into the page
    page.get_by_role("searchbox", name="Buscar artículos").fill("barrera")
    page.get_by_role("banner").get_by_role("button", name="Buscar").click()
    page.wait_for_url(base + "/search?*")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_label("Palabras que buscar, en inglés o en español").input_value() == \
        "barrera"
    assert "para “barrera”" in page.get_by_role("status").inner_text()
    options = page.locator("#search-sort option").all_inner_texts()
    assert options == ["Más relevantes", "Más recientes primero"]
    context.close()


def test_spanish_article_under_english_interface(site, browser):
    base, ids = site
    context, page = _tab(browser, "en-GB,en;q=0.9")
    assert page.goto(f"{base}/article/{ids['flood_es']}").status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    article = page.locator("article")
    assert article.get_attribute("lang") == "es"
    facts = article.get_by_role("complementary", name="Datos clave")
    assert facts.locator("li").all_inner_texts() == sample_articles()["flood_es"].key_facts
    meta = article.locator(".meta")
    for part in ("Por Lucía Ferrer", "28 de noviembre de 2025, 13:00 CET", "Español"):
        assert part in meta.inner_text()
    assert meta.get_by_role("link", name="Leer el original").count() == 1
    # the chrome stays English
    assert page.get_by_role("navigation", name="Sections").count() == 1
    assert page.get_by_role("link", name="3 outlets cover this story").count() == 1
    assert page.get_by_role("region", name="More on this story").count() == 1
    assert "gathers news from other outlets" in page.locator("footer").inner_text()
    context.close()


def test_language_link_switches_without_javascript(site, browser):
    base, ids = site
    context = browser.new_context(viewport={"width": 1100, "height": 900},
                                  java_script_enabled=False,
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.goto(f"{base}/story/{ids['story']}")
    assert page.locator(".kicker").first.text_content() == "Story"
    page.locator("footer").get_by_role("link", name="Español").click()
    page.wait_for_url(f"{base}/story/{ids['story']}")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".kicker").first.text_content() == "Noticia"
    page.goto(base + "/stories")  # the choice is kept
    assert page.locator("h1").inner_text() == "Noticias"
    page.locator("footer").get_by_role("link", name="English").click()
    page.wait_for_url(base + "/stories")
    assert page.locator("h1").inner_text() == "Stories"
    context.close()
