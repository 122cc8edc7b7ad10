"""The SQLite engine's vectors, similar articles and stories: the nearest-neighbour graph
kept in step with other processes (through vector_log), and the story reads.

A mixin of SQLiteStore, like sqlite_accounts.py.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model import Article, Story
from . import walk
from .sqlite_values import dt as _dt
from .sqlite_values import marks as _marks
from .vectors import VectorCache


class SQLiteStories:
    if TYPE_CHECKING:
        _vectors: VectorCache
        _vector_lock: threading.Lock

        def _q(self, sql: str, params: tuple[Any, ...] | list[Any] = ()
               ) -> list[sqlite3.Row]: ...
        def get_articles(self, ids: list[int], brief: bool = False) -> list[Article]: ...

    def _sync_vectors(self) -> None:
        """Apply the vector_log entries this process has not seen (its own and others')."""
        cache = self._vectors
        if cache.seq == 0:
            top = self._q("SELECT COALESCE(MAX(seq), 0) FROM vector_log")[0][0]
            for r in self._q("SELECT id, embedding FROM articles WHERE embedding IS NOT NULL"):
                cache.put(int(r[0]), np.frombuffer(r[1], dtype=np.float32))
            cache.seq = int(top)
            if cache.seq == 0:
                return
        changes = self._q("SELECT seq, article_id FROM vector_log WHERE seq > ? ORDER BY seq",
                          (cache.seq,))
        if not changes:
            return
        ids = sorted({int(r[1]) for r in changes})
        current: dict[int, bytes | None] = {i: None for i in ids}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for r in self._q(f"SELECT id, embedding FROM articles WHERE id IN ({_marks(chunk)})",
                             chunk):
                current[int(r[0])] = r[1]
        for article_id, blob in current.items():
            if blob is None:
                cache.remove(article_id)
            else:
                cache.put(article_id, np.frombuffer(blob, dtype=np.float32))
        cache.seq = int(changes[-1][0])

    def nearest(self, vector: np.ndarray, k: int,
                exclude: int | None = None) -> list[tuple[int, float]]:
        with self._vector_lock:
            self._sync_vectors()
            return self._vectors.search(vector, k, exclude)

    def similar_ids(self, article_id: int, limit: int = 10) -> list[tuple[int, float]]:
        rows = self._q("SELECT other_id, score FROM similar WHERE article_id = ? "
                       "ORDER BY score DESC, other_id LIMIT ?", (article_id, limit))
        return [(int(r[0]), float(r[1])) for r in rows]

    def similar(self, article_id: int, limit: int = 10) -> list[tuple[Article, float]]:
        links = self.similar_ids(article_id, limit)
        arts = {a.id: a for a in self.get_articles([i for i, _ in links])}
        return [(arts[i], s) for i, s in links if i in arts]

    def story_briefs(self, ids: list[int]) -> dict[int, tuple[int | None, datetime | None]]:
        """(story id, published) by article id: what clustering needs, without the text."""
        if not ids:
            return {}
        rows = self._q(f"SELECT id, story_id, published FROM articles WHERE id IN ({_marks(ids)})",
                       ids)
        return {int(r[0]): (r[1], _dt(r[2])) for r in rows}

    def story_vectors(self, story_id: int, limit: int) -> list[tuple[int, np.ndarray]]:
        """The latest `limit` members of a story with their embeddings."""
        rows = self._q("SELECT id, embedding FROM articles WHERE story_id = ? AND embedding IS NOT "
                       "NULL ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT ?",
                       (story_id, limit))
        return [(int(r[0]), np.frombuffer(r[1], dtype=np.float32)) for r in rows]

    def story(self, story_id: int) -> Story | None:
        found = self._stories([story_id])
        return found[0] if found else None

    def _stories(self, story_ids: list[int]) -> list[Story]:
        """The stories of `story_ids` that exist, in that order: two queries for all."""
        if not story_ids:
            return []
        titles = {int(r[0]): r[1] for r in self._q(
            f"SELECT id, title FROM stories WHERE id IN ({_marks(story_ids)})", story_ids)}
        ids: dict[int, list[int]] = {i: [] for i in titles}
        span: dict[int, list[str]] = {}  # story -> [first, last] moment
        # rows come in time order (no moment first), and stored moments are ISO strings in
        # UTC of one width, so the first and last are found without parsing every one
        # the planner would take articles_story_coverage and read every article's row for
        # its dates; articles_story_date holds them (4x faster for the front page's stories)
        for sid, article_id, moment in self._q(
                "SELECT story_id, id, COALESCE(published, fetched) AS d FROM articles "
                f"INDEXED BY articles_story_date WHERE story_id IN ({_marks(list(titles))}) "
                "ORDER BY d, id", list(titles)):
            ids[sid].append(article_id)
            if moment:
                span.setdefault(sid, [moment, moment])[1] = moment
        out = []
        for sid in story_ids:
            if sid in titles:
                first, last = span.get(sid, [None, None])
                out.append(Story(id=sid, title=titles[sid], article_ids=ids[sid],
                                 first_published=_dt(first), last_published=_dt(last)))
        return out

    def story_version(self, story_id: int) -> str:
        rows = self._q("SELECT id, content_hash, enriched FROM articles WHERE story_id = ? "
                       "ORDER BY id", (story_id,))
        return hashlib.blake2b(repr([tuple(r) for r in rows]).encode(),
                               digest_size=12).hexdigest()

    def story_latest_ids(self, story_id: int, limit: int) -> list[int]:
        rows = self._q("SELECT id FROM articles WHERE story_id = ? "
                       "ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT ?",
                       (story_id, limit))
        return [int(r[0]) for r in rows]

    def story_coverage(self, story_ids: list[int]) -> dict[int, tuple[int, int, list[str]]]:
        if not story_ids:
            return {}
        rows = self._q(
            "SELECT story_id, COUNT(*), COUNT(DISTINCT source), GROUP_CONCAT(DISTINCT lang) "
            f"FROM articles WHERE story_id IN ({_marks(story_ids)}) GROUP BY story_id",
            story_ids)
        return {int(r[0]): (int(r[1]), int(r[2]), sorted((r[3] or "").split(",")) if r[3]
                            else []) for r in rows}

    def stories(self, min_articles: int = 2, limit: int = 50) -> list[Story]:
        """Stories with at least `min_articles` articles, most recently active first (ties:
        the higher story id first), found from the latest-first index (walk.py)."""
        def batch(offset: int, size: int) -> list[tuple[int | None, Any]]:
            return [(r[0], r[1]) for r in self._q(
                "SELECT story_id, COALESCE(published, fetched) AS d FROM articles "
                "ORDER BY d DESC, id DESC LIMIT ? OFFSET ?", (size, offset))]

        def sizes(ids: list[int]) -> dict[int, int]:
            return {int(r[0]): int(r[1]) for r in self._q(
                f"SELECT story_id, COUNT(*) FROM articles WHERE story_id IN ({_marks(ids)}) "
                "GROUP BY story_id", ids)}

        return self._stories(walk.latest_stories(batch, sizes, min_articles, limit))
