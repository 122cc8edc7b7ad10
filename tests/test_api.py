"""The JSON API under /api, through FastAPI's TestClient over a real SQLite file store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from newsdesk.store import open_store
from newsdesk.web.api import SectionSlug
from newsdesk.web.pages import SECTIONS
from webtools import make_app, sample_articles, sample_store

BRIEF_KEYS = {"id", "url", "source", "title", "byline", "published", "lang", "section",
              "summary", "story"}


@pytest.fixture()
def api(any_url: str) -> Iterator[tuple[TestClient, dict[str, int]]]:
    """The sample desk's API on each engine (SQLite and PostgreSQL)."""
    store, ids = sample_store(any_url)
    with TestClient(make_app(store)) as client:
        yield client, ids
    store.close()


def test_articles_list(api):
    client, ids = api
    r = client.get("/api/articles")
    assert r.status_code == 200
    body = r.json()
    assert body["limit"] == 20 and body["offset"] == 0
    assert len(body["articles"]) == 7
    first = body["articles"][0]
    assert set(first) == BRIEF_KEYS
    assert first["id"] == ids["sport"]  # newest first
    assert first["published"] == "2025-11-29T21:00:00Z"


def test_articles_filters_and_paging(api):
    client, ids = api
    env = client.get("/api/articles", params={"section": "environment"}).json()["articles"]
    assert [a["id"] for a in env] == [ids["flood_wire"], ids["flood_es"], ids["flood_en"]]
    es = client.get("/api/articles", params={"lang": "es"}).json()["articles"]
    assert [a["id"] for a in es] == [ids["flood_es"]]
    page = client.get("/api/articles", params={"limit": 2, "offset": 1}).json()
    assert page["limit"] == 2 and page["offset"] == 1
    assert [a["id"] for a in page["articles"]] == [ids["flood_wire"], ids["flood_es"]]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1000}, {"offset": -1},
                                    {"limit": "ten"}, {"section": "gossip"}])
def test_articles_bad_params_are_422(api, params):
    client, _ = api
    r = client.get("/api/articles", params=params)
    assert r.status_code == 422
    assert "detail" in r.json()


def test_article_full(api):
    client, ids = api
    r = client.get(f"/api/articles/{ids['flood_en']}")
    assert r.status_code == 200
    a = r.json()
    want = sample_articles()["flood_en"]
    assert set(a) == BRIEF_KEYS | {"key_facts", "entities", "similar", "text", "headings",
                                   "more_on_story", "similar_articles"}
    assert a["title"] == want.title and a["source"] == "The Northern Ledger"
    assert a["story"] == ids["story"]
    assert a["key_facts"] == want.key_facts
    assert {"text": "Jonas Berg", "type": "person"} in a["entities"]
    assert a["headings"] == want.headings
    assert a["text"] == want.text
    # the story's articles first, closest first; science (0.41) and chips (0.33) are about
    # other subjects and below the minimum relatedness, so not listed
    assert [s["id"] for s in a["similar"]] == [ids["flood_wire"], ids["flood_es"]]
    assert set(a["similar"][0]) == {"id", "title", "source", "published", "lang", "story",
                                    "score"}
    assert 0.5 < a["similar"][1]["score"] <= a["similar"][0]["score"] <= 1.0
    assert [s["id"] for s in a["more_on_story"]] == [ids["flood_es"], ids["flood_wire"]]
    assert a["more_on_story"][0]["lang"] == "es"
    assert a["similar_articles"] == []


def test_unknown_article_is_json_404(api):
    client, _ = api
    r = client.get("/api/articles/9999")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"detail": "no article 9999"}
    assert client.get("/api/articles/abc").status_code == 422
    assert client.get("/api/nothing-here").json() == {"detail": "Not Found"}


def test_sections(api):
    client, _ = api
    r = client.get("/api/sections")
    assert r.status_code == 200
    sections = r.json()
    assert [s["slug"] for s in sections] == list(SECTIONS)
    counts = {s["slug"]: s["count"] for s in sections}
    assert counts["environment"] == 3 and counts["health"] == 0
    assert sections[0] == {"slug": "politics", "name": "Politics", "count": 1}


def test_section_enum_matches_section_list():
    assert [s.value for s in SectionSlug] == list(SECTIONS)


def test_stories(api):
    client, ids = api
    stories = client.get("/api/stories").json()
    assert len(stories) == 1
    s = stories[0]
    assert s["id"] == ids["story"] and s["article_count"] == 3
    assert s["article_ids"] == [ids["flood_en"], ids["flood_es"], ids["flood_wire"]]
    assert s["first_published"] == "2025-11-28T09:30:00Z"
    assert client.get("/api/stories", params={"min_articles": 4}).json() == []


def test_story(api):
    client, ids = api
    r = client.get(f"/api/stories/{ids['story']}")
    assert r.status_code == 200
    s = r.json()
    assert s["title"] == "Vellmar flood barrier holds back the storm tide"
    assert [a["lang"] for a in s["articles"]] == ["en", "es", "en"]
    assert set(s["articles"][0]) == BRIEF_KEYS
    assert client.get("/api/stories/999").status_code == 404


def test_search(api):
    client, ids = api
    r = client.get("/api/search", params={"q": "barrier", "limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "barrier"
    hits = body["results"]
    assert ids["flood_en"] in [h["id"] for h in hits]
    assert set(hits[0]) == {"id", "title", "source", "published", "lang", "section", "score",
                            "snippet", "story"}
    assert all(h["score"] > 0 for h in hits)
    # grouped by story: the flood story's hits form one group, best hit first
    groups = body["groups"]
    flood = [g for g in groups if g["story"] == ids["story"]]
    assert len(flood) == 1 and ids["flood_en"] in flood[0]["ids"]
    assert sorted(i for g in groups for i in g["ids"]) == sorted(h["id"] for h in hits)
    assert body["hint"] is None
    empty = client.get("/api/search", params={"q": ""}).json()
    assert empty["results"] == [] and empty["hint"]
    nothing = client.get("/api/search", params={"q": "zeppelin"}).json()
    assert nothing["results"] == [] and "Nothing matched" in nothing["hint"]
    assert client.get("/api/search").status_code == 422


def test_empty_store(tmp_path):
    store = open_store(tmp_path / "empty.db")
    with TestClient(make_app(store)) as client:
        assert client.get("/api/articles").json()["articles"] == []
        assert all(s["count"] == 0 for s in client.get("/api/sections").json())
        assert client.get("/api/stories").json() == []
    store.close()


def test_docs_and_openapi(api):
    client, _ = api
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "newsdesk"
    paths = spec["paths"]
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/sections",
                 "/api/stories", "/api/stories/{story_id}", "/api/search"):
        assert "get" in paths[path], path
    assert "/article/{article_id}" not in paths  # pages are not part of the API
    schemas = spec["components"]["schemas"]
    assert {"ArticleFull", "ArticleList", "SectionOut", "StoryFull", "SearchResults"} <= set(
        schemas)
    assert "similar" in schemas["ArticleFull"]["properties"]
