"""The SQLite store: articles, feeds, stories, similar links, tombstones and full-text search.

One connection in WAL mode guarded by a lock: reads and writes go through it one at a time,
which is plenty for a single machine; PostgreSQL is the backend for several workers.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError
from ..model import Article, Entity, Feed, Story
from . import migrations

_ARTICLE_COLUMNS = (
    "external_id", "url", "guid", "content_hash", "feed_id", "story_id", "source", "title",
    "byline", "published", "fetched", "lang", "section", "publisher_section", "description",
    "text", "html", "headings", "summary", "key_facts", "entities", "embedding", "enriched",
)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _vec_blob(vec: Any) -> bytes | None:
    if vec is None:
        return None
    return np.asarray(vec, dtype=np.float32).tobytes()


def _fts_query(query: str) -> str:
    """Turn user words into a safe FTS5 query: every word must match (prefix on the last)."""
    words = re.findall(r"\w+", query, flags=re.UNICODE)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SQLiteStore:
    """Storage behind one class. Open with `SQLiteStore(path)`; `":memory:"` works for tests."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}") from exc
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            migrations.apply(self._db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable newsdesk database: {exc}") from exc

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _q(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _w(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            cur = self._db.execute(sql, params)
            self._db.commit()
            return cur

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self._q("SELECT name FROM migrations ORDER BY name")]

    # -- articles ---------------------------------------------------------------------------

    def find_duplicate(self, article: Article) -> int | None:
        """Id of a stored article that is the same as `article` (URL, guid, id or content)."""
        checks = (
            ("url", article.url),
            ("guid", article.guid),
            ("external_id", article.external_id),
            ("content_hash", article.content_hash),
        )
        for column, value in checks:
            if value:
                rows = self._q(f"SELECT id FROM articles WHERE {column} = ? LIMIT 1", (value,))
                if rows:
                    return int(rows[0][0])
        return None

    def is_tombstoned(self, article: Article) -> bool:
        for column, value in (
            ("url", article.url),
            ("guid", article.guid),
            ("external_id", article.external_id),
            ("content_hash", article.content_hash),
        ):
            if value and self._q(f"SELECT 1 FROM tombstones WHERE {column} = ? LIMIT 1", (value,)):
                return True
        return False

    def _row_values(self, a: Article) -> list[Any]:
        return [
            a.external_id, a.url, a.guid, a.content_hash, a.feed_id, a.story_id, a.source,
            a.title, a.byline, _iso(a.published), _iso(a.fetched or datetime.now(UTC)), a.lang,
            a.section, a.publisher_section, a.description, a.text, a.html,
            json.dumps(a.headings, ensure_ascii=False), a.summary,
            json.dumps(a.key_facts, ensure_ascii=False),
            json.dumps([e.as_dict() for e in a.entities], ensure_ascii=False),
            _vec_blob(a.embedding), 1 if a.summary else 0,
        ]

    def insert_article(self, article: Article) -> int:
        cols = ", ".join(_ARTICLE_COLUMNS)
        marks = ", ".join("?" for _ in _ARTICLE_COLUMNS)
        try:
            cur = self._w(f"INSERT INTO articles ({cols}) VALUES ({marks})",
                          self._row_values(article))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"{article.url or article.title}: cannot store: {exc}") from exc
        article.id = int(cur.lastrowid or 0)
        return article.id

    def update_article(self, article: Article) -> None:
        if article.id is None:
            raise StoreError("update_article needs an article with an id")
        sets = ", ".join(f"{c} = ?" for c in _ARTICLE_COLUMNS)
        self._w(f"UPDATE articles SET {sets} WHERE id = ?",
                [*self._row_values(article), article.id])

    def _article(self, row: sqlite3.Row) -> Article:
        emb = row["embedding"]
        return Article(
            id=row["id"], external_id=row["external_id"], url=row["url"], guid=row["guid"],
            content_hash=row["content_hash"], feed_id=row["feed_id"], story_id=row["story_id"],
            source=row["source"], title=row["title"], byline=row["byline"],
            published=_dt(row["published"]), fetched=_dt(row["fetched"]), lang=row["lang"],
            section=row["section"], publisher_section=row["publisher_section"],
            description=row["description"], text=row["text"], html=row["html"],
            headings=json.loads(row["headings"]), summary=row["summary"],
            key_facts=json.loads(row["key_facts"]),
            entities=[Entity(e["text"], e["type"]) for e in json.loads(row["entities"])],
            embedding=np.frombuffer(emb, dtype=np.float32) if emb else None,
        )

    def get_article(self, article_id: int) -> Article | None:
        rows = self._q("SELECT * FROM articles WHERE id = ?", (article_id,))
        return self._article(rows[0]) if rows else None

    def get_articles(self, ids: list[int]) -> list[Article]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        by_id = {r["id"]: self._article(r)
                 for r in self._q(f"SELECT * FROM articles WHERE id IN ({marks})", ids)}
        return [by_id[i] for i in ids if i in by_id]

    def articles(self, section: str | None = None, limit: int = 50, offset: int = 0,
                 lang: str | None = None, since: datetime | None = None) -> list[Article]:
        """Latest first (published, else fetched)."""
        where, params = [], []  # type: list[str], list[Any]
        if section:
            where.append("section = ?")
            params.append(section)
        if lang:
            where.append("lang = ?")
            params.append(lang)
        if since:
            where.append("COALESCE(published, fetched) >= ?")
            params.append(_iso(since))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._q(
            f"SELECT * FROM articles {clause} "
            "ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [self._article(r) for r in rows]

    def iter_articles(self, since: datetime | None = None, batch: int = 500) -> Iterator[Article]:
        """Every article, oldest id first, read in batches."""
        last = 0
        while True:
            params: list[Any] = [last]
            extra = ""
            if since:
                extra = " AND COALESCE(published, fetched) >= ?"
                params.append(_iso(since))
            rows = self._q(f"SELECT * FROM articles WHERE id > ?{extra} ORDER BY id LIMIT ?",
                           [*params, batch])
            if not rows:
                return
            for r in rows:
                yield self._article(r)
            last = rows[-1]["id"]

    def count_articles(self, section: str | None = None) -> int:
        if section:
            return int(self._q("SELECT COUNT(*) FROM articles WHERE section = ?", (section,))[0][0])
        return int(self._q("SELECT COUNT(*) FROM articles")[0][0])

    def section_counts(self) -> dict[str, int]:
        rows = self._q("SELECT section, COUNT(*) FROM articles WHERE section IS NOT NULL "
                       "GROUP BY section ORDER BY COUNT(*) DESC")
        return {r[0]: int(r[1]) for r in rows}

    def unenriched_ids(self) -> list[int]:
        rows = self._q("SELECT id FROM articles WHERE enriched = 0 ORDER BY id")
        return [int(r[0]) for r in rows]

    def delete_article(self, article_id: int) -> bool:
        """Delete an article and leave a tombstone so a refresh does not bring it back."""
        with self._lock:
            row = self._db.execute(
                "SELECT url, guid, content_hash, external_id FROM articles WHERE id = ?",
                (article_id,)).fetchone()
            if row is None:
                return False
            self._db.execute(
                "INSERT INTO tombstones(url, guid, content_hash, external_id, deleted) "
                "VALUES (?, ?, ?, ?, ?)",
                (*tuple(row), datetime.now(UTC).isoformat()))
            self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            self._db.commit()
        return True

    # -- embeddings, similar, stories -------------------------------------------------------

    def embeddings(self) -> tuple[list[int], np.ndarray]:
        rows = self._q("SELECT id, embedding FROM articles WHERE embedding IS NOT NULL ORDER BY id")
        ids = [int(r[0]) for r in rows]
        if not rows:
            return ids, np.zeros((0, 0), dtype=np.float32)
        return ids, np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    def set_similar(self, article_id: int, links: list[tuple[int, float]]) -> None:
        with self._lock:
            self._db.execute("DELETE FROM similar WHERE article_id = ?", (article_id,))
            self._db.executemany(
                "INSERT INTO similar(article_id, other_id, score) VALUES (?, ?, ?)",
                [(article_id, other, float(score)) for other, score in links])
            self._db.commit()

    def similar_ids(self, article_id: int, limit: int = 10) -> list[tuple[int, float]]:
        rows = self._q("SELECT other_id, score FROM similar WHERE article_id = ? "
                       "ORDER BY score DESC LIMIT ?", (article_id, limit))
        return [(int(r[0]), float(r[1])) for r in rows]

    def similar(self, article_id: int, limit: int = 10) -> list[tuple[Article, float]]:
        links = self.similar_ids(article_id, limit)
        arts = {a.id: a for a in self.get_articles([i for i, _ in links])}
        return [(arts[i], s) for i, s in links if i in arts]

    def story_briefs(self, ids: list[int]) -> dict[int, tuple[int | None, datetime | None]]:
        """(story id, published) by article id: what clustering needs, without the text."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = self._q(f"SELECT id, story_id, published FROM articles WHERE id IN ({marks})", ids)
        return {int(r[0]): (r[1], _dt(r[2])) for r in rows}

    def story_vectors(self, story_id: int, limit: int) -> list[tuple[int, np.ndarray]]:
        """The latest `limit` members of a story with their embeddings."""
        rows = self._q("SELECT id, embedding FROM articles WHERE story_id = ? AND embedding IS NOT "
                       "NULL ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT ?",
                       (story_id, limit))
        return [(int(r[0]), np.frombuffer(r[1], dtype=np.float32)) for r in rows]

    def create_story(self, title: str) -> int:
        cur = self._w("INSERT INTO stories(title, created) VALUES (?, ?)",
                      (title, datetime.now(UTC).isoformat()))
        return int(cur.lastrowid or 0)

    def set_story(self, article_id: int, story_id: int) -> None:
        self._w("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))

    def story(self, story_id: int) -> Story | None:
        rows = self._q("SELECT id, title FROM stories WHERE id = ?", (story_id,))
        if not rows:
            return None
        arts = self._q("SELECT id, COALESCE(published, fetched) AS d FROM articles "
                       "WHERE story_id = ? ORDER BY d, id", (story_id,))
        dates = [d for d in (_dt(r["d"]) for r in arts) if d is not None]
        return Story(id=story_id, title=rows[0]["title"], article_ids=[int(r[0]) for r in arts],
                     first_published=min(dates) if dates else None,
                     last_published=max(dates) if dates else None)

    def stories(self, min_articles: int = 2, limit: int = 50) -> list[Story]:
        """Stories with at least `min_articles` articles, most recently active first."""
        rows = self._q(
            "SELECT story_id, MAX(COALESCE(published, fetched)) AS last, COUNT(*) AS n "
            "FROM articles WHERE story_id IS NOT NULL GROUP BY story_id HAVING n >= ? "
            "ORDER BY last DESC LIMIT ?", (min_articles, limit))
        out = []
        for r in rows:
            s = self.story(int(r[0]))
            if s is not None:
                out.append(s)
        return out

    # -- search -----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[tuple[Article, float]]:
        """Full-text search (BM25), best first; the score is positive, higher is better."""
        fts = _fts_query(query)
        if not fts:
            return []
        rows = self._q(
            "SELECT a.*, -bm25(articles_fts, 5.0, 2.0, 1.0) AS score FROM articles_fts "
            "JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? "
            "ORDER BY score DESC LIMIT ?", (fts, limit))
        return [(self._article(r), float(r["score"])) for r in rows]

    # -- feeds ------------------------------------------------------------------------------

    def _feed(self, row: sqlite3.Row) -> Feed:
        return Feed(id=row["id"], url=row["url"], title=row["title"], site_url=row["site_url"],
                    etag=row["etag"], last_modified=row["last_modified"],
                    last_checked=_dt(row["last_checked"]), last_error=row["last_error"],
                    error_count=row["error_count"])

    def add_feed(self, feed: Feed) -> tuple[int, bool]:
        """Subscribe; returns (id, created). A known URL is not added twice."""
        rows = self._q("SELECT id FROM feeds WHERE url = ?", (feed.url,))
        if rows:
            feed.id = int(rows[0][0])
            return feed.id, False
        cur = self._w("INSERT INTO feeds(url, title, site_url, created) VALUES (?, ?, ?, ?)",
                      (feed.url, feed.title, feed.site_url, datetime.now(UTC).isoformat()))
        feed.id = int(cur.lastrowid or 0)
        return feed.id, True

    def feeds(self) -> list[Feed]:
        return [self._feed(r) for r in self._q("SELECT * FROM feeds ORDER BY id")]

    def get_feed(self, url: str) -> Feed | None:
        rows = self._q("SELECT * FROM feeds WHERE url = ?", (url,))
        return self._feed(rows[0]) if rows else None

    def update_feed(self, feed: Feed) -> None:
        self._w("UPDATE feeds SET title = ?, site_url = ?, etag = ?, last_modified = ?, "
                "last_checked = ?, last_error = ?, error_count = ? WHERE id = ?",
                (feed.title, feed.site_url, feed.etag, feed.last_modified,
                 _iso(feed.last_checked), feed.last_error, feed.error_count, feed.id))

    def find_by_external_id(self, external_id: str) -> int | None:
        rows = self._q("SELECT id FROM articles WHERE external_id = ? LIMIT 1", (external_id,))
        return int(rows[0][0]) if rows else None

    def public_ids(self, ids: list[int]) -> dict[int, str]:
        """The id each article is known by outside: its external id, else its number."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = self._q(f"SELECT id, external_id FROM articles WHERE id IN ({marks})", ids)
        return {int(r[0]): r[1] or str(r[0]) for r in rows}
