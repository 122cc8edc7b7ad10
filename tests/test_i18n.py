"""The Spanish interface: catalogues, choosing the language, an article's own language, dates,
numbers and times in the reader's locale and zone, and pages kept per language."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from newsdesk import accounts
from newsdesk.enrich.sections import SECTIONS as SECTION_SLUGS
from newsdesk.errors import ConfigError
from newsdesk.model import Article, Feed
from newsdesk.store import Store
from newsdesk.web import locale
from newsdesk.web.pages import SECTION_NAMES
from webtools import make_app, sample_store

ROOT = Path(__file__).resolve().parent.parent
SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.4"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
PASSWORD = "correct horse battery"


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def i18n() -> Any:
    return _script()


@pytest.fixture(scope="module")
def wanted(i18n: Any) -> Any:
    return i18n.extract()


@pytest.fixture()
def desk(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, int], Store]]:
    store, ids = sample_store(tmp_path / "desk.db")
    with TestClient(make_app(store)) as client:
        yield client, ids, store
    store.close()


def _sign_in(client: TestClient, name: str, **headers: str) -> None:
    """Log `client` in as `name` through the login form (its CSRF field included)."""
    form = client.get("/login", headers=headers).text
    found = re.search(r'name="csrf" value="([^"]*)"', form)
    assert found
    done = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/",
                                       "csrf": found.group(1)},
                       headers=headers, follow_redirects=False)
    assert done.status_code == 303, done.text


def _main(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


def _article(page: str) -> str:
    return page[page.index("<article"):page.index("</article>")]


# -- catalogues -------------------------------------------------------------------------------

def test_messages_are_read_from_templates_and_python(wanted):
    ids = {m.id for m in wanted if m.id}
    # from templates: plain, plural, a {% trans %} block with markup
    assert "Key facts" in ids and "Read the original" in ids and "Similar Articles" in ids
    assert ("%(num)s outlet covers this story", "%(num)s outlets cover this story") in ids
    assert any(isinstance(i, str) and i.startswith('<a href="/">Go to the front page') for i in ids)
    # from Python: N_() labels in pages.py and app.py, gettext() in pages.py
    assert {"People", "Organisations", "Places", "Page not found", "By %(name)s"} <= ids
    assert "Nothing matched. Try other or fewer words; a search in English or Spanish finds " \
           "articles in both." in ids
    assert set(SECTION_NAMES.values()) <= ids
    assert len(ids) > 80


def test_every_section_has_a_name_to_translate():
    assert set(SECTION_SLUGS) <= set(SECTION_NAMES)


def test_every_message_has_a_spanish_translation(i18n, wanted):
    assert i18n.problems(i18n.load("es"), wanted) == []
    es = locale.translations("es")
    for message in wanted:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            one, many = message.id
            assert es.ngettext(one, many, 1).strip() and es.ngettext(one, many, 5) != many
        else:
            assert es.gettext(message.id).strip()
            if message.id not in ("API", "Error %(status)s"):  # the same words in Spanish
                assert es.gettext(message.id) != message.id, message.id


def test_the_check_finds_missing_untranslated_and_broken_messages(i18n, wanted):
    catalog = i18n.load("es")
    catalog.delete("Key facts")
    catalog.get("Read the original").string = ""
    catalog.get("Also published by %(outlets)s").string = "También publicado por %(medios)s"
    found = i18n.problems(catalog, wanted)
    assert any("'Key facts': missing" in p for p in found)
    assert any("'Read the original': not translated" in p for p in found)
    assert any("'Also published by %(outlets)s': placeholders" in p for p in found)
    assert len(found) == 3


def test_catalogues_are_compiled_from_po_at_first_use():
    es = locale.translations("es")
    assert es.gettext("Key facts") == "Datos clave"
    assert es.ngettext("%(num)s outlet", "%(num)s outlets", 1) == "%(num)s medio"
    assert es.ngettext("%(num)s outlet", "%(num)s outlets", 3) == "%(num)s medios"
    assert locale.languages() == ("en", "es")
    assert locale.translations("fr").gettext("Key facts") == "Key facts"  # no catalogue


# -- choosing the language --------------------------------------------------------------------

@pytest.mark.parametrize(("header", "want"), [
    ("es", "es"),
    ("es-MX", "es"),
    ("es_AR", "es"),
    ("ES-es", "es"),
    ("en-GB,en;q=0.9", "en"),
    ("fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7", "es"),       # first supported by q
    ("en;q=0.3,es;q=0.8", "es"),                       # q-values beat order
    ("es;q=0.5,en;q=0.5", "es"),                       # equal q: header order
    ("en;q=0,es", "es"),                               # q=0 means "not this"
    ("es;q=zero,en", "en"),                            # a bad q counts as 0
    ("de, ja", None),                                  # none we have: the setting decides
    ("*", "en"),
    ("", None),
    (None, None),
    (";;,,;q=1", None),
])
def test_accept_language_negotiation(header, want):
    assert locale.negotiate(header, ("en", "es")) == want


def _language_app(store: Store, **settings: Any) -> Any:
    """The app with a middleware standing in for sign-in: it sets the user's language and
    zone from X-Test-User-* headers, as the accounts code will from the user's settings."""
    app = make_app(store, **settings)

    @app.middleware("http")
    async def user_settings(request: Request, call_next: Any) -> Any:
        if "x-test-user-lang" in request.headers:
            request.state.user_language = request.headers["x-test-user-lang"]
        if "x-test-user-zone" in request.headers:
            request.state.user_time_zone = request.headers["x-test-user-zone"]
        return await call_next(request)

    return app


def _lang(client: TestClient, path: str = "/stories", **headers: str) -> str:
    page = client.get(path, headers=headers).text
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found
    return found.group(1)


def test_language_comes_from_user_then_cookie_then_header_then_setting(tmp_path):
    store, _ = sample_store(tmp_path / "d.db")
    with TestClient(_language_app(store, interface_language="es")) as client:
        assert _lang(client) == "es"  # the setting
        assert _lang(client, **{"Accept-Language": "en-US"}) == "en"
        assert _lang(client, **{"Accept-Language": "de"}) == "es"  # unknown: the setting
        client.cookies.set("lang", "en")
        assert _lang(client, **{"Accept-Language": "es"}) == "en"  # the cookie beats it
        assert _lang(client, **{"x-test-user-lang": "es"}) == "es"  # the user beats both
        assert _lang(client, **{"x-test-user-lang": "xx"}) == "en"  # unknown: ignored
        client.cookies.set("lang", "klingon")
        assert _lang(client, **{"Accept-Language": "es"}) == "es"  # a bad cookie: ignored
    store.close()


def test_default_interface_is_english(desk):
    client, _, _ = desk
    r = client.get("/")
    assert r.headers["content-language"] == "en"
    assert '<html lang="en">' in r.text
    assert "Top stories" in r.text


def test_bad_language_or_zone_settings_are_refused(tmp_path):
    store, _ = sample_store(tmp_path / "d.db")
    with pytest.raises(ConfigError, match=r"time_zone: 'Mars/Olympus' is not a known time zone"):
        make_app(store, time_zone="Mars/Olympus")
    with pytest.raises(ConfigError, match=r"time_zone: '../etc/passwd' is not a known"):
        make_app(store, time_zone="../etc/passwd")
    with pytest.raises(ConfigError, match=r"interface_language: 'fr' is not one of .*en, es"):
        make_app(store, interface_language="fr")
    store.close()


# -- pages in Spanish -------------------------------------------------------------------------

def test_pages_in_spanish_by_accept_language(desk):
    client, ids, _ = desk
    r = client.get("/", headers=SPANISH)
    assert r.headers["content-language"] == "es"
    assert "Accept-Language" in r.headers["vary"] and "Cookie" in r.headers["vary"]
    home = r.text
    assert '<html lang="es">' in home
    for words in ("Saltar al contenido principal", "Noticias destacadas", "Lo último",
                  "Medio ambiente", "Tecnología", "Canal RSS", "Buscar artículos"):
        assert words in home, words
    assert "Top stories" not in home and "Latest</h2>" not in home
    # the way back to English, named in English
    assert '<a href="/language/en?next=/" hreflang="en" lang="en">English</a>' in home

    story = client.get(f"/story/{ids['story']}", headers=SPANISH).text
    assert '<p class="kicker">Noticia</p>' in story
    assert "3 artículos" in story and "3 medios" in story and "Cronología" in story
    assert "Inglés, Español" in story  # languages named in Spanish

    stories = client.get("/stories", headers=SPANISH).text
    assert "actualizada el <time" in stories and "29 de noviembre de 2025" in stories

    search = client.get("/search?q=barrera", headers=SPANISH).text
    assert "Palabras que buscar, en inglés o en español" in search
    assert re.search(r"\d+ resultados? para “barrera”", search)
    none = client.get("/search?q=zzzqqq", headers=SPANISH).text
    assert "No hubo resultados." in none

    section = client.get("/section/sport", headers=SPANISH).text
    assert '<h1 class="page-title">Deportes</h1>' in section


def _english_phrases(i18n: Any, wanted: Any) -> list[str]:
    """The words of every message that Spanish says differently, cut at placeholders and
    markup ('No %(section)s articles yet.' gives 'articles yet'), 3 letters or more."""
    es = i18n.load("es")
    phrases = set()
    for message in wanted:
        if not message.id:
            continue
        have = es.get(message.id)
        strings = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = have.string if isinstance(have.string, tuple) else (have.string,)
        for original, spanish in zip(strings, translated, strict=False):
            if original == spanish:
                continue
            for part in re.split(r"%\(\w+\)s|<[^>]+>", original):
                part = part.strip(" .:;,“”")
                if len(part) >= 3:
                    phrases.add(part)
    return sorted(phrases)


def _interface_text(page: bytes) -> str:
    """A page's own words: its text and labels without the stored content (elements in
    another language, outlet names, story titles) and without commands (code)."""
    doc = lxml_html.fromstring(page)
    for el in doc.xpath('//body//*[@lang and @lang!="es"] | //*[contains(@class, "outlet")]'
                        ' | //*[contains(@class, "story-title")]'
                        ' | //*[contains(@class, "reported-by")] | //code'):
        if el.getparent() is not None:
            el.getparent().remove(el)
    return " ".join(doc.xpath("//body//text() | //@aria-label | //@placeholder | //@title"
                              " | //title/text()"))


def test_no_english_left_on_spanish_pages(desk, i18n, wanted):
    client, ids, store = desk
    phrases = _english_phrases(i18n, wanted)
    assert len(phrases) > 80

    def leaks(path: str, **headers: str) -> list[str]:
        text = _interface_text(client.get(path, headers=headers).content)
        return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)]

    for path in ("/", "/stories", f"/story/{ids['story']}", f"/article/{ids['flood_en']}",
                 f"/article/{ids['flood_es']}", "/search?q=barrera", "/search?q=zzzqqq",
                 "/search", "/section/environment", "/section/culture", "/article/999999",
                 "/section/sport?page=abc", "/login", "/sources"):
        assert leaks(path, **SPANISH) == [], path
    # the same look at the English page finds its words (the check can fail)
    english = leaks(f"/story/{ids['story']}")
    assert {"Skip to main content", "Timeline", "Coverage", "articles"} <= set(english)

    # a signed-in reader's pages, their counts and buttons; an admin's list of accounts
    accounts.create_user(store, "ana", PASSWORD, is_admin=True)
    _sign_in(client, "ana", **SPANISH)
    client.get(f"/article/{ids['flood_en']}", headers=SPANISH)  # read, then saved:
    token = re.search(r'name="csrf" value="([^"]*)"', client.get("/account").text)
    assert token
    client.post(f"/article/{ids['flood_en']}/save", data={"csrf": token.group(1)})
    client.post(f"/story/{ids['story']}/follow", data={"csrf": token.group(1)})
    feed_id, _ = store.add_feed(Feed(url="https://ledger.example/rss", title="Ledger"))
    store.set_feed_category(feed_id, "Local")
    signed_in = ("/", "/unread", "/unread?section=environment", "/saved", "/following",
                 "/account", "/account/users", "/sources", f"/story/{ids['story']}",
                 f"/article/{ids['flood_en']}", f"/article/{ids['flood_es']}",
                 "/section/environment", f"/sources/{feed_id}", f"/sources/{feed_id}/remove")
    for path in signed_in:
        assert client.get(path, headers=SPANISH).status_code == 200, path
        assert leaks(path, **SPANISH) == [], path
    english = set(leaks("/unread?section=environment")) | set(leaks("/account"))
    assert {"Unread", "Log out", "Mark section read", "Your account", "Save settings"} <= english


def test_a_signed_in_readers_language_and_zone_settings_win(desk):
    client, ids, store = desk
    ana = accounts.create_user(store, "ana", PASSWORD)
    store.set_user_settings(ana.id, {"language": "es", "time_zone": "Asia/Tokyo"})
    english_home = client.get("/", headers=ENGLISH).text  # kept for anonymous readers
    assert '<html lang="en">' in english_home
    _sign_in(client, "ana", **ENGLISH)
    home = client.get("/", headers=ENGLISH)
    assert home.headers["content-language"] == "es"
    assert '<html lang="es">' in home.text and "Noticias destacadas" in home.text
    assert ">Sin leer <span" in home.text and "Cerrar sesión" in home.text
    article = client.get(f"/article/{ids['flood_en']}", headers=ENGLISH).text
    assert "28 November 2025, 18:30 JST" in article  # in its own language, her zone
    assert "Marcar como no leído" in article  # opening it marked it read
    unread = client.get("/unread", headers=ENGLISH).text
    assert "<title>Sin leer | " in unread and "Marcar todo como leído" in unread
    # a wrong password on the account page answers in the reader's language
    token = re.search(r'name="csrf" value="([^"]*)"', client.get("/account").text)
    assert token
    wrong = client.post("/account", data={"csrf": token.group(1), "action": "password",
                                          "current": "not it", "new": "n" * 9,
                                          "again": "n" * 9})
    assert wrong.status_code == 400 and "La contraseña actual no es correcta." in wrong.text
    # the reader switches to English: their pages follow at once, kept pages included
    changed = client.post("/account", data={"csrf": token.group(1), "action": "settings",
                                            "language": "en", "time_zone": ""},
                          headers=SPANISH, follow_redirects=False)
    assert changed.status_code == 303
    home = client.get("/", headers=SPANISH).text
    assert '<html lang="en">' in home and "Top stories" in home and ">Unread <span" in home
    # "as my browser asks": Accept-Language decides again
    client.post("/account", data={"csrf": token.group(1), "action": "settings",
                                  "language": "", "time_zone": ""})
    assert '<html lang="es">' in client.get("/", headers=SPANISH).text
    client.cookies.clear()  # and an anonymous reader still gets the shared English page
    assert client.get("/", headers=ENGLISH).text == english_home


def test_error_pages_in_spanish(desk):
    client, _, _ = desk
    r = client.get("/article/999999", headers=SPANISH)
    assert r.status_code == 404
    assert '<html lang="es">' in r.text
    assert "<title>Página no encontrada | " in r.text
    assert '<p class="kicker">Error 404</p>' in r.text
    assert '<a href="/">Ve a la portada</a>' in r.text
    bad = client.get("/section/sport?page=abc", headers=SPANISH)
    assert bad.status_code == 400 and "Solicitud incorrecta" in bad.text
    assert "Page not found" in client.get("/article/999999").text  # and English by default


def test_spanish_article_under_english_interface(desk):
    client, ids, _ = desk
    page = client.get(f"/article/{ids['flood_es']}").text
    block = _article(page)
    assert block.startswith('<article class="article" lang="es">')
    for words in ("Datos clave", "Por Lucía Ferrer", "Leer el original", "Español",
                  "28 de noviembre de 2025, 12:00 UTC", ">Medio ambiente</a>"):
        assert words in block, words
    for words in ("Key facts", "By ", "Read the original", "November"):
        assert words not in block, words
    # the site around it stays English
    assert '<html lang="en">' in page
    assert "3 outlets cover this story" in page and "Skip to main content" in page
    assert ">Environment</a>" in page[:page.index("<main")]


def test_english_article_under_spanish_interface(desk):
    client, ids, _ = desk
    page = client.get(f"/article/{ids['flood_en']}", headers=SPANISH).text
    block = _article(page)
    assert block.startswith('<article class="article" lang="en">')
    for words in ("Key facts", "By Maria Okafor", "Read the original", "People", "Places",
                  "28 November 2025, 09:30 UTC", ">Environment</a>"):
        assert words in block, words
    assert "Datos clave" not in block and "Leer el original" not in block
    assert '<html lang="es">' in page
    assert "3 medios cubren esta noticia" in page
    assert "Más sobre esta noticia" in page and "La noticia completa" in page


def test_article_in_a_language_without_catalogue_has_labels_marked(desk):
    client, _, store = desk
    art = store.put_article(Article(
        title="Le port ferme sa digue", source="Le Quotidien", lang="fr", section="world",
        url="https://quotidien.example/digue", published=datetime(2025, 11, 28, tzinfo=UTC),
        text="Le port a fermé sa digue.", key_facts=["La digue est fermée."]))
    block = _article(client.get(f"/article/{art.id}", headers=SPANISH).text)
    assert block.startswith('<article class="article" lang="fr">')
    assert '<h2 id="key-facts-title" lang="es">Datos clave</h2>' in block
    assert '<p class="meta" lang="es">' in block and "Francés" in block


def test_a_spanish_byline_is_not_doubled(desk):
    client, _, store = desk
    art = store.put_article(Article(
        title="Otra crónica", source="Diario", lang="es", byline="Por Ana Ruiz",
        url="https://diario.example/c", text="Texto de la crónica."))
    block = _article(client.get(f"/article/{art.id}").text)
    assert '<span class="byline">Por Ana Ruiz</span>' in block


# -- the language links -----------------------------------------------------------------------

def test_language_link_sets_a_cookie_and_goes_back(desk):
    client, ids, _ = desk
    r = client.get("/language/es?next=/story/" + str(ids["story"]), follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/story/{ids['story']}"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("lang=es;") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=31536000" in cookie
    client.cookies.set("lang", "es")
    assert '<html lang="es">' in client.get("/stories").text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)", "/%0d%0a", ""])
def test_language_link_never_leaves_the_site(desk, target):
    client, _, _ = desk
    r = client.get("/language/en", params={"next": target}, follow_redirects=False)
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))


def test_unknown_language_link_is_not_found(desk):
    client, _, _ = desk
    assert client.get("/language/fr", follow_redirects=False).status_code == 404


def test_footer_links_come_back_to_the_same_page_with_its_query(desk):
    client, _, _ = desk
    page = client.get("/search?q=flood+barrier&sort=date").text
    assert 'href="/language/es?next=/search%3Fq%3Dflood%2Bbarrier%26sort%3Ddate"' in page
    r = client.get("/language/es?next=/search%3Fq%3Dflood%2Bbarrier%26sort%3Ddate",
                   follow_redirects=False)
    assert r.headers["location"] == "/search?q=flood+barrier&sort=date"


# -- dates, times and numbers -----------------------------------------------------------------

def test_dates_and_times_in_the_site_time_zone(tmp_path):
    store, ids = sample_store(tmp_path / "d.db")
    with TestClient(make_app(store, time_zone="America/Los_Angeles")) as client:
        # 29 November 07:10 UTC is the evening before on the Pacific coast
        block = _article(client.get(f"/article/{ids['flood_wire']}").text)
        assert "28 November 2025, 23:10 PST" in block
        assert '<time datetime="2025-11-29T07:10:00+00:00">' in block  # machines get UTC
        es = _article(client.get(f"/article/{ids['flood_es']}").text)
        assert "28 de noviembre de 2025, 04:00 PST" in es
    with TestClient(make_app(store, time_zone="Europe/Madrid")) as client:
        assert "28 de noviembre de 2025, 13:00 CET" in _article(
            client.get(f"/article/{ids['flood_es']}").text)
    with TestClient(make_app(store, time_zone="America/Argentina/Buenos_Aires")) as client:
        assert "28 de noviembre de 2025, 09:00 UTC-03" in _article(
            client.get(f"/article/{ids['flood_es']}").text)
    store.close()


def test_a_users_time_zone_wins_over_the_sites(tmp_path):
    store, ids = sample_store(tmp_path / "d.db")
    with TestClient(_language_app(store, time_zone="Europe/Madrid")) as client:
        page = client.get(f"/article/{ids['flood_en']}",
                          headers={"x-test-user-zone": "Asia/Tokyo"}).text
        assert "28 November 2025, 18:30 JST" in page
        page = client.get(f"/article/{ids['flood_en']}",
                          headers={"x-test-user-zone": "Not/AZone"}).text
        assert "28 November 2025, 10:30 CET" in page  # an unknown zone: the site's
    store.close()


def test_numbers_per_locale():
    with locale.using(locale.Ui("es")):
        assert locale.number(1234567) == "1.234.567"
        assert locale.human_date(datetime(2026, 11, 11, 10, tzinfo=UTC)) == \
            "11 de noviembre de 2026"
        assert locale.lang_name("en-GB") == "Inglés"
    with locale.using(locale.Ui("en")):
        assert locale.number(1234567) == "1,234,567"
        assert locale.human_date(datetime(2026, 11, 11, 10, tzinfo=UTC)) == "11 November 2026"
        assert locale.lang_name("es") == "Spanish" and locale.lang_name("xx") == "xx"


def test_counts_on_pages_are_formatted_per_locale(tmp_path):
    store, _ = sample_store(tmp_path / "d.db")
    for n in range(20):  # 21 sport articles: two pages
        store.put_article(Article(title=f"Match report {n}", section="sport", lang="en",
                                  url=f"https://ledger.example/m{n}", text=f"Report {n}."))
    with TestClient(make_app(store)) as client:
        assert "Page 1 of 2" in client.get("/section/sport").text
        page = client.get("/section/sport", headers=SPANISH).text
        assert "Página 1 de 2" in page and "Más antiguos →" in page
    store.close()


# -- kept pages -------------------------------------------------------------------------------

def test_kept_pages_are_kept_per_language_and_zone(desk):
    client, _, _ = desk
    cache = client.app.state.page_cache
    english = client.get("/stories").text
    spanish = client.get("/stories", headers=SPANISH).text
    assert english != spanish and '<html lang="es">' in spanish
    assert len(cache) == 2
    # each is served again from the cache, to the right reader
    assert client.get("/stories").text == english
    assert client.get("/stories", headers={"Accept-Language": "es"}).text == spanish
    assert client.get("/stories", headers={"Accept-Language": "en"}).text == english
    assert len(cache) == 2
    kept = cache.get("es|UTC|/stories?", client.app.state.store.content_version())
    assert kept is not None and dict(kept.headers)["content-language"] == "es"


def test_search_dates_are_days_in_the_readers_zone(tmp_path):
    store, ids = sample_store(tmp_path / "d.db")
    wire = f'href="/article/{ids["flood_wire"]}"'  # 29 November 07:10 UTC
    query = "/search?q=Vellmar+barrier&until=2025-11-28"
    with TestClient(make_app(store)) as client:
        assert wire not in _main(client.get(query).text)  # in UTC it is the 29th
    with TestClient(make_app(store, time_zone="America/Los_Angeles")) as client:
        assert wire in _main(client.get(query).text)  # on the Pacific coast, the 28th
        assert wire not in _main(client.get(query.replace("until", "since")
                                            .replace("28", "29")).text)
    store.close()


def test_values_put_into_translated_messages_are_escaped(desk):
    client, _, _ = desk
    for headers in (SPANISH, {}):
        page = client.get("/search", params={"q": '<img src=x onerror="alert(1)">'},
                          headers=headers).text
        assert "<img src=x" not in page
        status = re.search(r'<p class="result-count" role="status">(.*?)</p>', page)
        assert status and "“&lt;img src=x onerror=&#34;alert(1)&#34;&gt;”" in status.group(1)


def test_serve_refuses_a_bad_time_zone_in_one_line(tmp_path):
    env = {**os.environ, "NEWSDESK_TIME_ZONE": "Europe/Atlantis", "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(tmp_path / "d.db"),
                           "serve", "--port", "1"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "newsdesk serve: setting time_zone: 'Europe/Atlantis' is not a known time zone (use "
        "an IANA name such as Europe/Madrid or America/Mexico_City)")
    assert "Traceback" not in proc.stderr
