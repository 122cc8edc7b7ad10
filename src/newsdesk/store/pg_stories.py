"""The PostgreSQL engine's vectors, similar articles and stories: nearest neighbours through
pgvector's HNSW index, and the story reads.

A mixin of PostgresStore, like pg_accounts.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import psycopg
from psycopg.rows import DictRow

from ..model import Article, Story
from . import pg_schema, walk
from .pg_sql import Row, as_vector, from_vector

T = TypeVar("T")
Conn = psycopg.Connection[DictRow]
HNSW_DEFAULT_EF = 40  # pgvector's hnsw.ef_search default


class PostgresStories:
    if TYPE_CHECKING:
        def _q(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]: ...
        def _tx(self, work: Callable[[Conn], T]) -> T: ...
        def get_articles(self, ids: list[int], brief: bool = False) -> list[Article]: ...

    def nearest(self, vector: np.ndarray, k: int,
                exclude: int | None = None) -> list[tuple[int, float]]:
        """(id, cosine similarity), best first, ties by lower id. The HNSW search is
        approximate; its candidate list is kept above k so `exclude` cannot starve it."""
        vec = as_vector(vector)
        if k <= 0 or vec is None or not vec.shape[0]:
            return []
        dims = int(vec.shape[0])
        # the expression and predicate of the partial HNSW index, so the planner can use it
        expr = f"embedding::vector({dims})" if dims == pg_schema.DIMENSIONS else "embedding"

        query = (f"SELECT id, 1 - ({expr} <=> %s) AS score FROM articles "
                 f"WHERE vector_dims(embedding) = {dims} AND id <> %s "
                 f"ORDER BY {expr} <=> %s LIMIT %s")
        params = (vec, -1 if exclude is None else exclude, vec, k)

        def work(conn: Conn) -> list[DictRow]:
            conn.execute(f"SET LOCAL hnsw.ef_search = {min(k + 1, 1000)}")
            return conn.execute(query, params).fetchall()

        # the default candidate list (40) is enough for small k: no transaction needed
        rows = self._q(query, params) if k < HNSW_DEFAULT_EF else self._tx(work)
        hits = [(int(r["id"]), float(r["score"])) for r in rows]
        # a zero vector has no cosine (NaN): it is nobody's neighbour
        return sorted((h for h in hits if h[1] == h[1]), key=lambda h: (-h[1], h[0]))

    def similar_ids(self, article_id: int, limit: int = 10) -> list[tuple[int, float]]:
        rows = self._q("SELECT other_id, score FROM similar_links WHERE article_id = %s "
                       "ORDER BY score DESC, other_id LIMIT %s", (article_id, limit))
        return [(int(r["other_id"]), float(r["score"])) for r in rows]

    def similar(self, article_id: int, limit: int = 10) -> list[tuple[Article, float]]:
        links = self.similar_ids(article_id, limit)
        arts = {a.id: a for a in self.get_articles([i for i, _ in links])}
        return [(arts[i], s) for i, s in links if i in arts]

    def story_briefs(self, ids: list[int]) -> dict[int, tuple[int | None, datetime | None]]:
        """(story id, published) by article id: what clustering needs, without the text."""
        if not ids:
            return {}
        rows = self._q("SELECT id, story_id, published FROM articles WHERE id = ANY(%s)",
                       (list(ids),))
        return {int(r["id"]): (r["story_id"], r["published"]) for r in rows}

    def story_coverage(self, story_ids: list[int]) -> dict[int, tuple[int, int, list[str]]]:
        if not story_ids:
            return {}
        rows = self._q(
            "SELECT story_id, COUNT(*) AS n, COUNT(DISTINCT source) AS outlets, "
            "ARRAY_REMOVE(ARRAY_AGG(DISTINCT lang), NULL) AS langs FROM articles "
            "WHERE story_id = ANY(%s) GROUP BY story_id", (list(story_ids),))
        return {int(r["story_id"]): (int(r["n"]), int(r["outlets"]), sorted(r["langs"] or []))
                for r in rows}

    def story_version(self, story_id: int) -> str:
        rows = self._q("SELECT id, content_hash, enriched FROM articles WHERE story_id = %s "
                       "ORDER BY id", (story_id,))
        members = [(int(r["id"]), r["content_hash"], int(bool(r["enriched"]))) for r in rows]
        return hashlib.blake2b(repr(members).encode(), digest_size=12).hexdigest()

    def story_latest_ids(self, story_id: int, limit: int) -> list[int]:
        rows = self._q("SELECT id FROM articles WHERE story_id = %s "
                       "ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT %s",
                       (story_id, limit))
        return [int(r["id"]) for r in rows]

    def story_vectors(self, story_id: int, limit: int) -> list[tuple[int, np.ndarray]]:
        """The latest `limit` members of a story with their embeddings."""
        rows = self._q("SELECT id, embedding FROM articles WHERE story_id = %s AND embedding IS "
                       "NOT NULL ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT %s",
                       (story_id, limit))
        vectors = ((int(r["id"]), from_vector(r["embedding"])) for r in rows)
        return [(i, v) for i, v in vectors if v is not None]

    def story(self, story_id: int) -> Story | None:
        found = self._stories([story_id])
        return found[0] if found else None

    def _stories(self, story_ids: list[int]) -> list[Story]:
        """The stories of `story_ids` that exist, in that order: one transaction for all."""
        if not story_ids:
            return []

        def work(conn: Conn) -> list[Story]:
            titles = {int(r["id"]): r["title"] for r in conn.execute(
                "SELECT id, title FROM stories WHERE id = ANY(%s)", (story_ids,)).fetchall()}
            members: dict[int, list[tuple[int, Any]]] = {i: [] for i in titles}
            for r in conn.execute(
                    "SELECT story_id, id, COALESCE(published, fetched) AS d FROM articles "
                    "WHERE story_id = ANY(%s) ORDER BY d, id", (list(titles),)).fetchall():
                members[int(r["story_id"])].append((int(r["id"]), r["d"]))
            out = []
            for sid in story_ids:
                if sid not in titles:
                    continue
                dates = [d for _, d in members[sid] if d is not None]
                out.append(Story(id=sid, title=titles[sid],
                                 article_ids=[i for i, _ in members[sid]],
                                 first_published=min(dates) if dates else None,
                                 last_published=max(dates) if dates else None))
            return out

        return self._tx(work)

    def stories(self, min_articles: int = 2, limit: int = 50) -> list[Story]:
        """Stories with at least `min_articles` articles, most recently active first (ties:
        the higher story id first), found from the latest-first index (walk.py)."""
        def batch(offset: int, size: int) -> list[tuple[int | None, Any]]:
            return [(r["story_id"], r["d"]) for r in self._q(
                "SELECT story_id, COALESCE(published, fetched) AS d FROM articles "
                "ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT %s OFFSET %s",
                (size, offset))]

        def sizes(ids: list[int]) -> dict[int, int]:
            return {int(r["story_id"]): int(r["n"]) for r in self._q(
                "SELECT story_id, COUNT(*) AS n FROM articles WHERE story_id = ANY(%s) "
                "GROUP BY story_id", (ids,))}

        return self._stories(walk.latest_stories(batch, sizes, min_articles, limit))
