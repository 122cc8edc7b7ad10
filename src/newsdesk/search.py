"""Search: the keyword index and multilingual vector search, fused by reciprocal rank.

    keyword   the store's full-text index (every word must match; BM25 on SQLite, ts_rank on
              PostgreSQL): exact names and phrases in the article's own language
    vector    the query embedded by the same multilingual encoder as the articles, nearest
              articles by cosine: "frontera" finds English border coverage
    hybrid    both lists fused: an article scores sum(1 / (RRF_K + rank)) over the lists it is
              in, so one found by both comes first

A vector hit counts only above MIN_VECTOR_SCORE and within VECTOR_TAIL of the best one: every
query has nearest articles, and a query about nothing in the store (or nonsense) must find
nothing, while the tail of a real query's neighbours is mostly other subjects. A keyword query
whose words are not all in one article (a query in another language) falls back to the articles
with most of its telling words (names, longer words). Filters (language, outlet, section,
dates) apply to both lists before fusion; `sort="date"` orders what was found newest first.

What is found comes back as brief articles (store/base.py BRIEF_TEXT: what a results page
shows, without the body's html, entities or embedding), and a query's vector is remembered
(QUERY_VECTORS per process): encoding it is most of a search's cost, and readers repeat
searches.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from .enrich.embed import Embedder
from .model import Article
from .store import Store

RRF_K = 60  # the usual constant: ranks below ~60 barely count
POOL = 60  # candidates taken from each list before filtering and fusion
MIN_VECTOR_SCORE = 0.20  # cosine of query and article (nonsense reaches 0.16, a word 0.24+)
VECTOR_TAIL = 0.75  # and at least this share of the best hit's cosine
QUERY_VECTORS = 2048  # queries whose vector is kept (2 KB each)


@dataclass
class Filters:
    lang: str | None = None
    source: str | None = None
    section: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def keep(self, a: Article) -> bool:
        when = a.published or a.fetched
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return ((self.lang is None or a.lang == self.lang)
                and (self.source is None or (a.source or "").lower() == self.source.lower())
                and (self.section is None or a.section == self.section)
                and (self.since is None or (when is not None and when >= _aware(self.since)))
                and (self.until is None or (when is not None and when <= _aware(self.until))))


_VECTORS: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_VECTORS_LOCK = threading.Lock()


def query_vector(embedder: Embedder, query: str) -> np.ndarray:
    """The query's vector by `embedder`, remembered for the next search of the same words."""
    key = (embedder.name, query)
    with _VECTORS_LOCK:
        found = _VECTORS.get(key)
        if found is not None:
            _VECTORS.move_to_end(key)
            return found
    vector = embedder.embed([query])[0]
    with _VECTORS_LOCK:
        _VECTORS[key] = vector
        while len(_VECTORS) > QUERY_VECTORS:
            _VECTORS.popitem(last=False)
    return vector


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def search(store: Store, embedder: Embedder | None, query: str, limit: int = 20,
           mode: str = "hybrid", filters: Filters | None = None,
           sort: str = "relevance") -> list[tuple[Article, float]]:
    """Articles for `query`, best first (or newest first with sort="date"), with their fused
    score. `mode` is hybrid, keyword or vector."""
    query = " ".join(query.split())
    filters = filters or Filters()
    if not query or not any(ch.isalnum() for ch in query):
        return []
    lists: list[list[Article]] = []
    if mode in ("hybrid", "keyword"):
        found = store.search(query, limit=POOL, brief=True)
        words = _telling_words(query)
        if not found and len(words) > 1:
            # not every word is in one article (a query in another language): the articles
            # with most of its telling words, names above all, still rank
            found = store.search(" ".join(words), limit=POOL, any_word=True, brief=True)
        lists.append([a for a, _ in found if filters.keep(a)])
    if mode in ("hybrid", "vector") and embedder is not None:
        near = store.nearest(query_vector(embedder, query), POOL)
        floor = max(MIN_VECTOR_SCORE, VECTOR_TAIL * near[0][1]) if near else 1.0
        hits = [(i, s) for i, s in near if s >= floor]
        found_near = store.get_articles([i for i, _ in hits], brief=True)
        lists.append([a for a in found_near if filters.keep(a)])
    scores: dict[int, float] = {}
    by_id: dict[int, Article] = {}
    for ranked in lists:
        for rank, article in enumerate(ranked, start=1):
            assert article.id is not None
            scores[article.id] = scores.get(article.id, 0.0) + 1.0 / (RRF_K + rank)
            by_id[article.id] = article
    if sort == "date":
        order = sorted(scores, key=lambda i: _when(by_id[i]), reverse=True)
    else:
        order = sorted(scores, key=lambda i: (-scores[i], i))
    return [(by_id[i], scores[i]) for i in order[:limit]]


def _telling_words(query: str) -> list[str]:
    """Words that can find something in any language: four letters or more, or with a digit,
    or written in capitals (IBM, NBA); short function words (de, la, the) are left out."""
    words = re.findall(r"\w+", query)
    return [w for w in words if len(w) >= 4 or any(c.isdigit() for c in w)
            or (len(w) >= 2 and w.isupper())]


def _when(a: Article) -> datetime:
    when = a.published or a.fetched or datetime.min.replace(tzinfo=UTC)
    return _aware(when)
