"""Hybrid search (search.py) on the demo corpus: across English and Spanish, filters, order,
nothing for nonsense; through the library, the web page, the JSON API and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsdesk.config import Config
from newsdesk.enrich.embed import get_embedder
from newsdesk.search import Filters, search
from newsdesk.store import Store, open_store
from newsdesk.web.app import create_app


@pytest.fixture(scope="module")
def demo(demo_db: Path) -> Iterator[Store]:
    store = open_store(demo_db)
    yield store
    store.close()


def _find(store: Store, query: str, **kw: object) -> list:
    return search(store, get_embedder("use"), query, **kw)  # type: ignore[arg-type]


def test_spanish_words_find_english_articles_and_back(demo: Store) -> None:
    top = _find(demo, "frontera", limit=5)
    assert any(a.lang == "en" and "border" in (a.title + a.text).lower() for a, _ in top)
    top = _find(demo, "border crossing closed", limit=5)
    assert any(a.lang == "es" and "frontera" in (a.title + a.text).lower() for a, _ in top)
    # the keyword index alone cannot cross languages
    assert not any(a.lang == "en" for a, _ in _find(demo, "frontera", limit=5, mode="keyword"))


def test_filters_and_order(demo: Store) -> None:
    spanish = _find(demo, "border", limit=10, filters=Filters(lang="es"))
    assert spanish and all(a.lang == "es" for a, _ in spanish)
    newest = _find(demo, "border", limit=10, sort="date")
    dates = [a.published or a.fetched for a, _ in newest]
    assert dates == sorted(dates, reverse=True)
    scores = [s for _, s in _find(demo, "border", limit=10)]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("query", ["", "   ", "?!", "xqzvt blorf wump", "qwertyuiop"])
def test_nonsense_and_empty_queries_find_nothing(demo: Store, query: str) -> None:
    assert _find(demo, query) == []


def test_page_and_api(demo: Store) -> None:
    with TestClient(create_app(demo, Config(embedder="use"))) as client:
        page = client.get("/search", params={"q": "frontera", "lang": "en"})
        assert page.status_code == 200 and "result" in page.text
        found = client.get("/api/search", params={"q": "frontera", "lang": "en"}).json()
        assert found["results"] and all(r["lang"] == "en" for r in found["results"])
        empty = client.get("/search", params={"q": "xqzvt blorf"})
        assert "Nothing matched" in empty.text
        assert client.get("/api/search", params={"q": "x", "sort": "sideways"}).status_code == 422


def test_cli_filters(demo_db: Path) -> None:
    env = {**os.environ, "NEWSDESK_EMBEDDER": "use"}
    out = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(demo_db), "search",
                          "frontera", "--lang", "en", "--format", "jsonl"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    hits = [json.loads(line) for line in out.stdout.splitlines()]
    assert hits and all(h["lang"] == "en" and {"id", "title", "score"} <= set(h) for h in hits)
    bad = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(demo_db), "search",
                          "x", "--since", "not a date"], capture_output=True, text=True,
                         env=env, timeout=300)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
