"""The HTML pages, through FastAPI's TestClient over a real SQLite file store."""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from newsdesk.model import Article
from newsdesk.store import Store, open_store
from newsdesk.stories.related import similar_articles, story_members
from newsdesk.stories.relatedness import relatedness
from webtools import SITE_NAME, make_app, sample_articles, sample_store, serve_app


@pytest.fixture()
def desk(any_url: str) -> Iterator[tuple[TestClient, dict[str, int], Store]]:
    """The sample desk on each engine (SQLite and PostgreSQL)."""
    store, ids = sample_store(any_url)
    with TestClient(make_app(store)) as client:
        yield client, ids, store
    store.close()


def _main(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


# -- home -----------------------------------------------------------------------------------

def test_home_lists_sections_with_their_latest_articles(desk):
    client, ids, _ = desk
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert f'<a class="site-name" href="/">{SITE_NAME}</a>' in page
    for name in ("Environment", "Technology", "Sport", "Politics", "Science"):
        assert re.search(rf'<h2[^>]*><a href="/section/{name.lower()}">{name}</a></h2>', page)
    assert "Health</a></h2>" not in page  # sections without articles get no heading
    assert f'href="/article/{ids["chips"]}"' in page
    assert f'href="/story/{ids["story"]}"' in page  # developing stories


def test_home_of_an_empty_store_says_so(tmp_path):
    store = open_store(tmp_path / "empty.db")
    with TestClient(make_app(store)) as client:
        r = client.get("/")
    assert r.status_code == 200
    assert "No articles yet" in r.text
    store.close()


def test_pages_have_landmarks_skip_link_and_feed_links(desk):
    client, ids, _ = desk
    for url in ("/", "/section/environment", f"/article/{ids['flood_en']}",
                f"/story/{ids['story']}", "/search?q=barrier"):
        page = client.get(url).text
        assert page.index('class="skip-link" href="#main"') < page.index("<header")
        for tag in ("<header", "<nav", '<main id="main"', "<footer"):
            assert tag in page, (url, tag)
        assert '<link rel="alternate" type="application/rss+xml"' in page
        assert '<link rel="stylesheet" href="/static/style.css">' in page


def test_stylesheet_is_served(desk):
    client, _, _ = desk
    r = client.get("/static/style.css")
    assert r.status_code == 200
    assert "prefers-color-scheme" in r.text and ":focus-visible" in r.text


# -- section --------------------------------------------------------------------------------

def test_section_page_lists_its_articles_newest_first(desk):
    client, ids, _ = desk
    r = client.get("/section/environment")
    assert r.status_code == 200
    main = _main(r.text)
    assert "<h1" in main and "Environment</h1>" in main
    order = [main.index(f'href="/article/{ids[n]}"') for n in ("flood_wire", "flood_es",
                                                               "flood_en")]
    assert order == sorted(order)
    assert f'href="/article/{ids["chips"]}"' not in main
    assert 'href="/section/environment/feed.xml"' in r.text
    assert 'aria-current="page"' in r.text


def test_section_page_is_paginated(tmp_path):
    store = open_store(tmp_path / "many.db")
    for i in range(25):
        store.put_article(Article(title=f"Match report number {i}", section="sport",
                                     text="A game was played.", url=f"https://x.example/{i}"))
    with TestClient(make_app(store)) as client:
        first = client.get("/section/sport")
        second = client.get("/section/sport?page=2")
        beyond = client.get("/section/sport?page=3")
        bad = client.get("/section/sport?page=zero")
    assert first.status_code == second.status_code == 200
    assert first.text.count('class="item"') == 20
    assert second.text.count('class="item"') == 5
    assert 'rel="next" href="/section/sport?page=2"' in first.text
    assert 'rel="prev" href="/section/sport?page=1"' in second.text
    assert beyond.status_code == 404
    assert bad.status_code == 400 and "Bad request" in bad.text
    store.close()


def test_unknown_section_is_a_404_page(desk):
    client, _, _ = desk
    r = client.get("/section/gossip")
    assert r.status_code == 404
    assert "Page not found" in r.text and r.headers["content-type"].startswith("text/html")


def test_empty_known_section(desk):
    client, _, _ = desk
    r = client.get("/section/health")
    assert r.status_code == 200
    assert "No Health articles yet" in r.text


# -- article --------------------------------------------------------------------------------

def test_article_page_is_built_like_the_seed(desk):
    client, ids, _ = desk
    a = sample_articles()["flood_en"]
    r = client.get(f"/article/{ids['flood_en']}")
    assert r.status_code == 200
    page, main = r.text, _main(r.text)
    assert f"<title>{a.title} | {SITE_NAME}</title>" in page
    assert main.count(a.title) == 1  # the headline once, in the h1
    assert main.count("<h1") == 1
    assert f'<h1 class="headline">{a.title}</h1>' in main
    assert '<p class="kicker"><a href="/section/environment">Environment</a></p>' in main
    assert f'<p class="standfirst">{html.escape(a.summary)}</p>' in main
    for heading in a.headings:
        assert f"<h2>{heading}</h2>" in main
    assert "<p>Vellmar closed its new tidal barrier for the first time on Friday morning.</p>" \
        in main
    assert '<article class="article" lang="en">' in main


def test_article_meta_line(desk):
    client, ids, _ = desk
    main = _main(client.get(f"/article/{ids['flood_en']}").text)
    meta = re.search(r'<p class="meta">(.*?)</p>', main, re.S)
    assert meta
    text = " ".join(_text(meta.group(1)).split())
    assert text == ("The Northern Ledger By Maria Okafor 28 November 2025, 09:30 UTC English "
                    "Read the original")
    assert '<time datetime="2025-11-28T09:30:00+00:00">' in meta.group(1)
    assert ('<a class="original" href="https://ledger.example/2025/11/vellmar-barrier" '
            'rel="noopener nofollow">') in meta.group(1)


def test_key_facts_box(desk):
    client, ids, _ = desk
    main = _main(client.get(f"/article/{ids['flood_en']}").text)
    box = re.search(r'<aside class="key-facts" aria-labelledby="(.*?)">(.*?)</aside>', main, re.S)
    assert box
    assert f'<h2 id="{box.group(1)}">Key facts</h2>' in box.group(2)
    facts = re.findall(r"<li>(.*?)</li>", box.group(2))
    assert facts == sample_articles()["flood_en"].key_facts


def test_entities_are_chips_linking_to_search(desk):
    client, ids, _ = desk
    main = _main(client.get(f"/article/{ids['flood_en']}").text)
    assert '<a class="chip" href="/search?q=Jonas%20Berg">Jonas Berg</a>' in main
    assert '<a class="chip" href="/search?q=Port%20Authority">Port Authority</a>' in main
    assert '<a class="chip" href="/search?q=Vellmar">Vellmar</a>' in main
    assert "410 million euros</a>" not in main  # figures are not chips


def test_similar_split_into_story_and_other_articles(desk):
    client, ids, store = desk
    # a related article about another event (a second barrier, planned), closely linked
    plan = store.put_article(Article(
        title="Vellmar plans a second flood barrier for the old quay", source="Harbour Times",
        lang="en", published=datetime(2025, 11, 20, 8, tzinfo=UTC),
        url="https://harbour.example/second-barrier",
        text="Vellmar's council wants a second flood barrier to protect the old quay."))
    assert plan.id is not None
    store.link(plan.id, [], 10, new_story_title="Second barrier")
    store.link(ids["flood_en"], [(ids["flood_wire"], 0.91), (ids["flood_es"], 0.87),
                                 (plan.id, 0.74), (ids["science"], 0.41),
                                 (ids["chips"], 0.33)], 10, story_id=ids["story"])
    main = _main(client.get(f"/article/{ids['flood_en']}").text)
    assert f'<a href="/story/{ids["story"]}">3 outlets cover this story</a>' in main
    more = main[main.index(">More on this story</h2>"):main.index(">Similar Articles</h2>")]
    rest = main[main.index(">Similar Articles</h2>"):]
    for name in ("flood_wire", "flood_es"):
        assert f'href="/article/{ids[name]}"' in more
        assert f'href="/article/{ids[name]}"' not in rest
    assert "Spanish" in more  # every item shows its language
    # related coverage of another event is listed with outlet, date and language; weakly
    # similar articles on other subjects (cosine 0.41 and 0.33) are not filler
    assert f'href="/article/{plan.id}"' in rest
    assert "Harbour Times" in rest and "20 November 2025" in rest and "English" in rest
    for name in ("science", "chips"):
        assert f'href="/article/{ids[name]}"' not in main
    assert more.index(f"/article/{ids['flood_es']}") < more.index(f"/article/{ids['flood_wire']}")


def test_article_without_story_or_similar_has_no_such_boxes(desk):
    client, ids, _ = desk
    main = _main(client.get(f"/article/{ids['sport']}").text)
    assert "cover this story" not in main
    assert "More on this story" not in main and "Similar Articles" not in main
    assert "Key facts" not in main


def test_spanish_article_is_marked_up_as_spanish(desk):
    client, ids, _ = desk
    main = _main(client.get(f"/article/{ids['flood_es']}").text)
    assert '<article class="article" lang="es">' in main
    # the article's own labels are in its language (test_i18n.py has the rest)
    assert '<h2 id="key-facts-title">Datos clave</h2>' in main
    assert '<span class="lang">Español</span>' in main


def test_titles_and_names_are_escaped(desk):
    client, ids, _ = desk
    page = client.get(f"/article/{ids['hostile']}").text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page
    assert "Town &lt;b&gt;Crier&lt;/b&gt;" in page
    home = client.get("/").text
    assert "<script>" not in home and "&lt;script&gt;" in home


def test_stored_html_is_sanitised(desk):
    client, ids, _ = desk
    r = client.get(f"/article/{ids['hostile']}")
    body = r.text[r.text.index('<div class="article-body">'):r.text.index("</article>")]
    assert "<script" not in body and "alert(2)" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert "<h2>Budget row</h2>" in body  # structure survives
    assert "Content-Security-Policy" in r.headers
    assert "script-src 'self';" in r.headers["Content-Security-Policy"]  # no inline script


def test_headline_repeated_by_the_source_is_shown_once(tmp_path):
    """Like the seed page, sources often repeat the headline at the top of the body."""
    store = open_store(tmp_path / "repeat.db")
    title = "Ferry service resumes after the storm"
    from_text = store.put_article(Article(
        title=title, url="https://a.example/1",
        text=f"{title}\n\nThe first ferry left at seven.\n\nTimetable\n\nBoats run hourly.",
        headings=[title, "Timetable"])).id
    from_html = store.put_article(Article(
        title=title, url="https://a.example/2", text="The first ferry left at seven.",
        html=f"<h1>{title}</h1><p>The first ferry left at seven.</p><h1>Timetable</h1>")).id
    with TestClient(make_app(store)) as client:
        for aid in (from_text, from_html):
            main = _main(client.get(f"/article/{aid}").text)
            assert main.count(title) == 1, aid
            assert main.count("<h1") == 1, aid
            assert "<p>The first ferry left at seven.</p>" in main
            assert "<h2>Timetable</h2>" in main
    store.close()


def test_original_link_only_for_web_addresses(tmp_path):
    store = open_store(tmp_path / "u.db")
    aid = store.put_article(Article(title="Odd link", text="Body.", url="javascript:alert(1)")).id
    with TestClient(make_app(store)) as client:
        page = client.get(f"/article/{aid}").text
    assert "javascript:" not in page and "Read the original" not in page
    store.close()


def test_unknown_article_is_a_404_page(desk):
    client, _, _ = desk
    for url in ("/article/9999", "/article/not-a-number", "/article/0", "/nowhere"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Page not found" in r.text


# -- story and search -----------------------------------------------------------------------

def test_story_page_is_a_timeline(desk):
    client, ids, _ = desk
    r = client.get(f"/story/{ids['story']}")
    assert r.status_code == 200
    main = _main(r.text)
    # the headline and standfirst of the most central article (no embeddings here: the first)
    assert "Harbour city raises its new flood barrier as storm tide nears</h1>" in main
    assert "highest storm tide in forty years.</p>" in main
    assert "3 articles" in main and "3 outlets" in main and "English, Spanish" in main
    order = [main.index(f'href="/article/{ids[n]}"') for n in ("flood_en", "flood_es",
                                                               "flood_wire")]
    assert order == sorted(order)  # oldest first
    assert '<span class="lang">Spanish</span>' in main
    assert "Vellmar cerró por primera vez su barrera" in main
    assert client.get("/story/999").status_code == 404


def test_search_page(desk):
    client, ids, _ = desk
    empty = client.get("/search")
    assert empty.status_code == 200
    assert '<input id="search-q" type="search" name="q" value="">' in empty.text
    r = client.get("/search?q=barrier")
    assert r.status_code == 200
    main = _main(r.text)
    assert f'href="/article/{ids["flood_en"]}"' in main
    assert f'href="/article/{ids["sport"]}"' not in main
    # snippets are plain text but for the query's words, marked (issue 6)
    assert "<b>" not in main and re.search(r"<mark>barrier</mark>", main, re.I)
    nothing = client.get("/search?q=zeppelin")
    assert "0 results" in nothing.text and "Nothing matched" in nothing.text


def test_search_query_is_escaped(desk):
    client, _, _ = desk
    r = client.get("/search", params={"q": '"><script>alert(1)</script>'})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text


# -- feeds out ------------------------------------------------------------------------------

def test_rss_feed_is_well_formed_and_escaped(desk):
    client, ids, _ = desk
    r = client.get("/feed.xml")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/rss+xml")
    root = ET.fromstring(r.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert len(items) == len(ids) - 1  # every article, not the story id
    titles = [i.findtext("title") for i in items]
    assert sample_articles()["hostile"].title in titles  # escaped in XML, intact once parsed
    assert b"<script>" not in r.content
    assert items[0].findtext("link", "").endswith(f"/article/{ids['sport']}")
    assert items[0].findtext("pubDate") == "Sat, 29 Nov 2025 21:00:00 GMT"


def test_section_feed(desk):
    client, ids, _ = desk
    r = client.get("/section/environment/feed.xml")
    root = ET.fromstring(r.content)
    assert root.findtext("./channel/title") == f"{SITE_NAME}: Environment"
    assert len(root.findall("./channel/item")) == 3
    assert client.get("/section/gossip/feed.xml").status_code == 404


def test_feed_drops_characters_xml_forbids(tmp_path):
    store = open_store(tmp_path / "ctl.db")
    store.put_article(Article(title="Bell\x07 and form\x0cfeed", text="Body\x00 text."))
    with TestClient(make_app(store)) as client:
        root = ET.fromstring(client.get("/feed.xml").content)
    assert root.findtext("./channel/item/title") == "Bell and formfeed"
    store.close()


# -- the live server helper -----------------------------------------------------------------

def test_serve_app_runs_uvicorn_and_stops(desk):
    client, ids, _ = desk
    with serve_app(client.app) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        r = httpx.get(f"{base_url}/article/{ids['flood_en']}")
        assert r.status_code == 200 and "Key facts" in r.text
    with pytest.raises(httpx.TransportError):
        httpx.get(base_url + "/", timeout=2.0)


def _lead_page(tmp_path: Path, html_body: str, text: str, summary: str) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = open_store(tmp_path / "lead.db")
    article = Article(title="Ferry resumes after storm", text=text, html=html_body,
                      summary=summary, source="Coast Post", section="world", lang="en")
    store.put_article(article)
    with TestClient(make_app(store)) as client:
        page = client.get(f"/article/{article.id}").text
    store.close()
    assert page.count(summary) >= 1  # the standfirst (and the meta description)
    return page[page.index('class="article-body"'):]  # the body and what follows it


def test_body_never_repeats_a_standfirst_sentence(tmp_path):
    """One rule on every page: a sentence the standfirst shows is not shown again in the body,
    whether the standfirst is the opening paragraphs or sentences picked from anywhere."""
    first = "The island ferry sailed again on Monday after a three-day storm."
    second = "About 400 passengers had waited at the quay since Friday."
    third = "The operator said the timetable would be normal by Wednesday."
    fourth = "Harbour staff worked through the night to clear the slipway."
    text = f"{first}\n\n{second} {fourth}\n\n{third}"
    body = f"<p>{first}</p><p>{second} {fourth}</p><p>{third}</p>"
    for html_body in (body, ""):  # sanitised HTML path and plain-text path
        page = _lead_page(tmp_path / ("h" if html_body else "t"), html_body, text,
                          f"{first} {second}")
        assert first not in page and second not in page, html_body
        assert third in page and fourth in page  # the rest of a paragraph stays
        # sentences picked from the middle of the article (an extractive standfirst)
        page = _lead_page(tmp_path / ("hm" if html_body else "tm"), html_body, text,
                          f"{first} {third}")
        assert page.count(third) == 0 and second in page and fourth in page
    # a standfirst in other words leaves the body alone
    page = _lead_page(tmp_path / "other", body, text, "Ferries are running again after storms.")
    assert first in page and second in page and third in page


def test_stories_page_lists_stories_with_coverage(desk):
    client, ids, _ = desk
    r = client.get("/stories")
    assert r.status_code == 200
    main = _main(r.text)
    assert f'href="/story/{ids["story"]}"' in main
    assert "3 articles" in _text(main) and "English, Spanish" in _text(main)
    assert client.get("/").text.count('href="/stories"') >= 1


def test_stories_page_of_an_empty_store(tmp_path):
    store = open_store(tmp_path / "none.db")
    with TestClient(make_app(store)) as client:
        assert "No story yet" in client.get("/stories").text
    store.close()


def test_a_merged_story_redirects(desk):
    client, ids, store = desk
    lone = store.put_article(Article(title="Flood gates tested again", text="Gates shut.",
                                     url="https://x.example/gates")).id
    old = store.link(lone, [], 10, new_story_title="Flood gates tested again")
    store.regroup([([lone], ids["story"], "x")])
    page = client.get(f"/story/{old}", follow_redirects=False)
    assert page.status_code == 301 and page.headers["location"] == f"/story/{ids['story']}"
    api = client.get(f"/api/stories/{old}", follow_redirects=False)
    assert api.status_code == 301 and api.headers["location"] == f"/api/stories/{ids['story']}"
    assert client.get("/story/999999").status_code == 404


def test_search_marks_the_words_found_and_escapes_the_rest(desk):
    client, ids, store = desk
    store.put_article(Article(title="Migración en la frontera <b>norte</b>", text="x",
                              summary="La MIGRACION <script>alert(1)</script> sigue.",
                              url="https://x.example/mig"))
    page = client.get("/search", params={"q": "migración", "mode": "keyword"}).text
    main = _main(page)
    assert "<mark>MIGRACION</mark>" in main  # any case, with or without the accent
    assert "<script>alert(1)" not in main and "&lt;script&gt;" in main


def test_section_groups_a_storys_articles_under_one_headline(desk):
    client, ids, _ = desk
    main = _main(client.get("/section/environment").text)
    # the three flood articles are one story: one headline, the others listed beneath it
    assert main.count('class="item item-story"') == 1
    group = main[main.index('class="item item-story"'):]
    assert group.index(f'href="/article/{ids["flood_wire"]}"') < group.index(
        'class="story-more"') < group.index(f'href="/article/{ids["flood_es"]}"')
    assert f'href="/story/{ids["story"]}">The whole story: 3 articles from 3 outlets' in group
    home = _main(client.get("/").text)
    cards = home[home.index('class="story-cards"'):home.index('id="sec-')]
    assert f'href="/story/{ids["story"]}"' in cards and "3 outlets · 3 articles" in cards


def test_related_lists_read_brief_and_score_as_the_full_articles(desk):
    """The article page's related lists read their articles brief (no html, entities), the
    story's members with their embeddings: the same articles, scored as in full."""
    _, ids, store = desk
    rng = np.random.default_rng(8)
    for name in ("flood_en", "flood_es", "flood_wire"):
        stored = store.get_article(ids[name])
        assert stored is not None
        vec = rng.standard_normal(512).astype(np.float32)
        stored.embedding = vec / np.linalg.norm(vec)
        stored.key_facts = [f"A fact told by {name}."]
        assert store.save_enrichment(stored)
    art = store.get_article(ids["flood_en"])
    assert art is not None
    members = story_members(store, art)
    assert [m.id for m in members] == [ids["flood_es"], ids["flood_wire"]]
    full = {x.id: x for x in store.get_articles([ids["flood_es"], ids["flood_wire"]])}
    for m in members:
        assert (m.html, m.key_facts) == ("", []) and full[m.id].key_facts  # brief
        assert m.embedding is not None and np.allclose(m.embedding, full[m.id].embedding)
        assert relatedness(art, m) == pytest.approx(relatedness(art, full[m.id]))
    # as if it were of no story, the two members are its similar articles
    alone = dataclasses.replace(art, story_id=None)
    brief = similar_articles(store, alone)
    in_full = similar_articles(store, alone, candidates=store.similar(art.id or 0, 20))
    assert [o.id for o, _ in brief] == [o.id for o, _ in in_full]
    assert {o.id for o, _ in brief} >= {ids["flood_es"], ids["flood_wire"]}
    assert [s for _, s in brief] == pytest.approx([s for _, s in in_full])
    assert all(o.html == "" for o, _ in brief)
