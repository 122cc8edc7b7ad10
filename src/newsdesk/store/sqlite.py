"""The SQLite engine of the storage contract (base.py): one file, WAL, FTS5.

Each unit of work is one `BEGIN IMMEDIATE` transaction: the write lock is taken before the
first read, so a duplicate check and the insert it guards cannot interleave with another
process's. Other processes wait for the lock (busy timeout) rather than fail. Within a process
one connection is shared by threads under a lock. Every sqlite3 error leaves as a StoreError.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError
from ..model import Article, Entity
from . import leases, merge, migrations
from .base import BRIEF_TEXT, Put
from .sqlite_accounts import SQLiteAccounts
from .sqlite_feeds import SQLiteFeeds
from .sqlite_stories import SQLiteStories
from .sqlite_streams import SQLiteStreams
from .sqlite_values import dt as _dt
from .sqlite_values import iso as _iso
from .sqlite_values import marks as _marks
from .sqlite_values import now as _now
from .vectors import VectorCache

_ARTICLE_COLUMNS = (
    "external_id", "url", "guid", "content_hash", "feed_id", "story_id", "source", "title",
    "byline", "published", "fetched", "lang", "section", "publisher_section", "description",
    "text", "html", "headings", "summary", "key_facts", "entities", "embedding", "image_url",
)
# what a brief article (base.BRIEF_TEXT) reads: no html, JSON lists or embedding
_BRIEF_SELECT = (
    "id, external_id, url, guid, content_hash, feed_id, story_id, source, title, byline, "
    "published, fetched, lang, section, publisher_section, description, summary, image_url, "
    f"substr(text, 1, {BRIEF_TEXT}) AS text"
)
_DEDUPE_KEYS = ("url", "guid", "external_id", "content_hash")
BUSY_TIMEOUT = 60.0  # seconds a writer waits for another process's transaction


def _vec_blob(vec: Any) -> bytes | None:
    if vec is None:
        return None
    return np.asarray(vec, dtype=np.float32).tobytes()


def _fts_query(query: str, any_word: bool = False) -> str:
    """Turn user words into a safe FTS5 query: every word must match (prefix on the last),
    or with `any_word` any of them."""
    words = re.findall(r"\w+", query, flags=re.UNICODE)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    if any_word:
        return " OR ".join(quoted)
    quoted[-1] += "*"
    return " ".join(quoted)


class _Reader:
    """One thread's reading connection. Held by the thread's locals, so it is closed when
    the thread ends (the store keeps only a weak reference, to close the rest with it)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db


class SQLiteStore(SQLiteAccounts, SQLiteFeeds, SQLiteStreams, SQLiteStories):
    """The SQLite engine. `SQLiteStore(path)`; `":memory:"` works for one-process use."""

    cheap_content_version = True  # a pragma on a local file: fine to read on an event loop

    def __init__(self, path: str | Path) -> None:
        self.url = str(path)
        try:
            self._db = sqlite3.connect(self.url, check_same_thread=False, timeout=BUSY_TIMEOUT,
                                       isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.url}: cannot open database: {exc}") from exc
        self._db.row_factory = sqlite3.Row
        # A file is also read through connections of their own: one per reading thread
        # (WAL readers never wait for each other or for the writer, and a page's queries do
        # not queue behind another page's under self._lock), and one for content_version.
        # A database in memory has only the one connection.
        self._shared = self.url != ":memory:" and not self.url.startswith("file:")
        self._local = threading.local()
        self._readers: weakref.WeakSet[_Reader] = weakref.WeakSet()
        self._readers_lock = threading.Lock()
        self._vector_lock = threading.Lock()
        self._lock = threading.RLock()
        self._vectors = VectorCache()
        self._holder = leases.holder()
        self._content_seen: tuple[int, int] | None = None
        self._content_version = ""
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.url}: not a usable newsdesk database: {exc}") from exc
        self._version_db: sqlite3.Connection | None = None
        self._version_lock: threading.Lock | None = None
        if self._shared:
            self._version_db = self._connect()
            self._version_lock = threading.Lock()

    def _prepare(self) -> None:
        """WAL mode and migrations. Several processes opening a new file at once can get
        "database is locked" without the busy timeout applying (switching to WAL, reading a
        WAL being set up); each step is safe to repeat, so we try again until the timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                migrations.apply(self._db)
                self._db.execute("PRAGMA foreign_keys=ON")
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._version_db is not None and self._version_lock is not None:
            with self._version_lock:
                self._version_db.close()
        with self._readers_lock:
            for reader in list(self._readers):
                reader.db.close()
            self._readers.clear()
            self._shared = False  # a late read goes to the closed main connection and fails

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.url, check_same_thread=False, timeout=BUSY_TIMEOUT,
                             isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    def _reader(self) -> sqlite3.Connection | None:
        """This thread's reading connection; None to read on the main one (a database in
        memory, or inside this thread's write transaction, which must see its own writes)."""
        if not self._shared or getattr(self._local, "in_tx", False):
            return None
        reader: _Reader | None = getattr(self._local, "reader", None)
        if reader is None:
            reader = _Reader(self._connect())
            reader.db.execute("PRAGMA query_only=ON")
            with self._readers_lock:
                if not self._shared:
                    reader.db.close()
                    return None
                self._readers.add(reader)
            self._local.reader = reader
        return reader.db

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return f"SQLite {self.url}"

    def _q(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        """Rows of one read-only statement."""
        reader = self._reader()
        if reader is not None:
            try:
                return reader.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.url}: {exc}") from exc
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.url}: {exc}") from exc

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, the write lock taken up front."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.url}: cannot start a transaction: {exc}") from exc
            outer = getattr(self._local, "in_tx", False)
            self._local.in_tx = True  # reads in the transaction must see its writes
            try:
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"{self.url}: {exc}") from exc
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._local.in_tx = outer

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self._q("SELECT name FROM migrations ORDER BY name")]

    def data_version(self) -> str:
        # data_version moves when another connection commits, total_changes when this one does
        with self._lock:
            try:
                other = self._db.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as exc:
                raise StoreError(f"{self.url}: {exc}") from exc
            return f"{other}.{self._db.total_changes}"

    def content_version(self) -> str:
        # read on the web server's event loop for every page (cheap_content_version), so it
        # has a connection and a lock of its own and never waits behind a page's queries; the
        # counter is read again only when data_version says some connection committed
        db, lock = self._version_db or self._db, self._version_lock or self._lock
        with lock:
            try:
                seen = (db.execute("PRAGMA data_version").fetchone()[0], db.total_changes)
                if seen != self._content_seen:
                    row = db.execute("SELECT version FROM content_version WHERE id = 1").fetchone()
                    self._content_seen, self._content_version = seen, str(row[0])
            except sqlite3.Error as exc:
                raise StoreError(f"{self.url}: {exc}") from exc
            return self._content_version

    def check(self) -> list[str]:
        problems = [str(r[0]) for r in self._q("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {tuple(r)}" for r in self._q("PRAGMA foreign_key_check")]
        return problems

    # -- articles: units of work ------------------------------------------------------------

    def _row_values(self, a: Article) -> list[Any]:
        return [
            a.external_id, a.url, a.guid, a.content_hash, a.feed_id, a.story_id, a.source,
            a.title, a.byline, _iso(a.published), _iso(a.fetched or _now()), a.lang,
            a.section, a.publisher_section, a.description, a.text, a.html,
            json.dumps(a.headings, ensure_ascii=False), a.summary,
            json.dumps(a.key_facts, ensure_ascii=False),
            json.dumps([e.as_dict() for e in a.entities], ensure_ascii=False),
            _vec_blob(a.embedding), a.image_url,
        ]

    @staticmethod
    def _find(db: sqlite3.Connection, table: str, article: Article) -> int | None:
        for column in _DEDUPE_KEYS:
            value = getattr(article, column)
            if value:
                row = db.execute(f"SELECT id FROM {table} WHERE {column} = ? LIMIT 1",
                                 (value,)).fetchone()
                if row:
                    return int(row[0])
        return None

    def put_article(self, article: Article, lease_seconds: float = 300.0) -> Put:
        lease = _iso(_now() + timedelta(seconds=lease_seconds))
        with self._tx() as db:
            if self._find(db, "tombstones", article) is not None:
                return Put("tombstoned")
            existing_id = self._find(db, "articles", article)
            if existing_id is not None:
                row = db.execute("SELECT * FROM articles WHERE id = ?", (existing_id,)).fetchone()
                existing = self._article(row)
                if not merge.is_richer(article, existing):
                    return Put("duplicate", existing_id)
                merged = merge.merge(existing, article)
                sets = ", ".join(f"{c} = ?" for c in _ARTICLE_COLUMNS)
                db.execute(f"UPDATE articles SET {sets}, enriched = 0, lease_until = ?, "
                           "lease_owner = ? WHERE id = ?",
                           [*self._row_values(merged), lease, self._holder, existing_id])
                db.execute("INSERT INTO vector_log(article_id) VALUES (?)", (existing_id,))
                return Put("updated", existing_id, merged)
            cols = ", ".join(_ARTICLE_COLUMNS)
            cur = db.execute(
                f"INSERT INTO articles ({cols}, enriched, lease_until, lease_owner) "
                f"VALUES ({_marks(list(_ARTICLE_COLUMNS))}, 0, ?, ?)",
                [*self._row_values(article), lease, self._holder])
            article.id = int(cur.lastrowid or 0)
            if article.embedding is not None:
                db.execute("INSERT INTO vector_log(article_id) VALUES (?)", (article.id,))
            return Put("inserted", article.id, article)

    def save_enrichment(self, article: Article) -> bool:
        if article.id is None:
            raise StoreError("save_enrichment needs a stored article")
        with self._tx() as db:
            cur = db.execute(
                "UPDATE articles SET lang = ?, section = ?, summary = ?, key_facts = ?, "
                "entities = ?, embedding = ? WHERE id = ?",
                (article.lang, article.section, article.summary,
                 json.dumps(article.key_facts, ensure_ascii=False),
                 json.dumps([e.as_dict() for e in article.entities], ensure_ascii=False),
                 _vec_blob(article.embedding), article.id))
            if cur.rowcount == 0:
                return False
            db.execute("INSERT INTO vector_log(article_id) VALUES (?)", (article.id,))
        return True

    def link(self, article_id: int, similar: list[tuple[int, float]], keep: int,
             story_id: int | None = None, new_story_title: str | None = None) -> int | None:
        with self._tx() as db:
            if db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
                return None
            db.execute("DELETE FROM similar WHERE article_id = ?", (article_id,))
            links = [(other, float(score)) for other, score in similar[:keep]
                     if other != article_id]
            db.executemany("INSERT INTO similar(article_id, other_id, score) "
                           "SELECT ?, id, ? FROM articles WHERE id = ?",
                           [(article_id, score, other) for other, score in links])
            # the others may now count this article among their nearest: add it to their
            # lists, then keep each list's best `keep`
            db.executemany("INSERT INTO similar(article_id, other_id, score) "
                           "SELECT id, ?, ? FROM articles WHERE id = ? ON CONFLICT(article_id, "
                           "other_id) DO UPDATE SET score = excluded.score",
                           [(article_id, score, other) for other, score in links])
            others = [other for other, _ in links]
            if others:
                db.execute(
                    "DELETE FROM similar WHERE (article_id, other_id) IN (SELECT article_id, "
                    "other_id FROM (SELECT article_id, other_id, ROW_NUMBER() OVER (PARTITION BY "
                    "article_id ORDER BY score DESC, other_id) AS rank FROM similar WHERE "
                    f"article_id IN ({_marks(others)})) WHERE rank > ?)", [*others, keep])
            if story_id is not None and db.execute(
                    "SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is None:
                story_id = None
            if story_id is None and new_story_title is not None:
                cur = db.execute("INSERT INTO stories(title, created) VALUES (?, ?)",
                                 (new_story_title, _iso(_now())))
                story_id = int(cur.lastrowid or 0)
            db.execute("UPDATE articles SET story_id = COALESCE(?, story_id), enriched = 1, "
                       "lease_until = NULL, lease_owner = NULL WHERE id = ?",
                       (story_id, article_id))
            row = db.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def regroup(self, groups: list[tuple[list[int], int | None, str]]) -> list[int]:
        out = []
        with self._tx() as db:
            for ids, story_id, title in groups:
                if story_id is None or db.execute("SELECT 1 FROM stories WHERE id = ?",
                                                  (story_id,)).fetchone() is None:
                    cur = db.execute("INSERT INTO stories(title, created) VALUES (?, ?)",
                                     (title, _iso(_now())))
                    story_id = int(cur.lastrowid or 0)
                left: set[int] = set()
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    left.update(int(r[0]) for r in db.execute(
                        f"SELECT DISTINCT story_id FROM articles WHERE id IN ({_marks(chunk)}) "
                        "AND story_id IS NOT NULL AND story_id <> ?", [*chunk, story_id]))
                    db.execute(f"UPDATE articles SET story_id = ? WHERE id IN ({_marks(chunk)})",
                               [story_id, *chunk])
                for old in left:
                    if db.execute("SELECT 1 FROM articles WHERE story_id = ? LIMIT 1",
                                  (old,)).fetchone() is None:
                        db.execute("UPDATE story_redirects SET new = ? WHERE new = ?",
                                   (story_id, old))
                        db.execute("INSERT INTO story_redirects(old, new) VALUES (?, ?) "
                                   "ON CONFLICT(old) DO UPDATE SET new = excluded.new",
                                   (old, story_id))
                        self._move_follows(db, old, story_id)
                db.execute("DELETE FROM story_redirects WHERE old = ?", (story_id,))
                out.append(story_id)
        return out

    def story_redirect(self, story_id: int) -> int | None:
        rows = self._q("SELECT new FROM story_redirects WHERE old = ?", (story_id,))
        return int(rows[0][0]) if rows else None

    def claim_unenriched(self, limit: int, lease_seconds: float = 300.0) -> list[Article]:
        """Articles not done whose lease ran out or whose holder died, leased to us."""
        now = _iso(_now())
        with self._tx() as db:
            holders = [r[0] for r in db.execute(
                "SELECT DISTINCT lease_owner FROM articles WHERE enriched = 0 AND "
                "lease_until >= ?", (now,))]
            dead = [h for h in holders if leases.is_dead(h)]
            rows = db.execute(
                "SELECT * FROM articles WHERE enriched = 0 AND (lease_until IS NULL OR "
                f"lease_until < ? OR lease_owner IN ({_marks(dead)})) ORDER BY id LIMIT ?",
                (now, *dead, limit)).fetchall()
            ids = [int(r["id"]) for r in rows]
            if ids:
                db.execute(f"UPDATE articles SET lease_until = ?, lease_owner = ? "
                           f"WHERE id IN ({_marks(ids)})",
                           [_iso(_now() + timedelta(seconds=lease_seconds)), self._holder, *ids])
        return [self._article(r) for r in rows]

    def count_unenriched(self) -> int:
        return int(self._q("SELECT COUNT(*) FROM articles WHERE enriched = 0")[0][0])

    def delete_article(self, article_id: int) -> bool:
        """Delete an article and leave a tombstone so a refresh does not bring it back."""
        with self._tx() as db:
            row = db.execute("SELECT url, guid, content_hash, external_id FROM articles "
                             "WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return False
            db.execute("INSERT INTO tombstones(url, guid, content_hash, external_id, article_id, "
                       "deleted) VALUES (?, ?, ?, ?, ?, ?)",
                       (*tuple(row), article_id, _iso(_now())))
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            db.execute("INSERT INTO vector_log(article_id) VALUES (?)", (article_id,))
        return True

    # -- articles: reads --------------------------------------------------------------------

    def find_duplicate(self, article: Article) -> int | None:
        """Id of a stored article that is the same as `article` (URL, guid, id or content)."""
        with self._lock:
            return self._find(self._db, "articles", article)

    def is_tombstoned(self, article: Article) -> bool:
        with self._lock:
            return self._find(self._db, "tombstones", article) is not None

    def _article(self, row: sqlite3.Row) -> Article:
        """The whole article: the brief row's fields plus html, headings, facts, entities and
        the embedding."""
        article = self._brief(row)
        emb = row["embedding"]
        article.html = row["html"]
        article.headings = json.loads(row["headings"])
        article.key_facts = json.loads(row["key_facts"])
        article.entities = [Entity(e["text"], e["type"]) for e in json.loads(row["entities"])]
        article.embedding = np.frombuffer(emb, dtype=np.float32).copy() if emb else None
        return article

    @staticmethod
    def _brief(row: sqlite3.Row) -> Article:
        return Article(
            id=row["id"], external_id=row["external_id"], url=row["url"], guid=row["guid"],
            content_hash=row["content_hash"], feed_id=row["feed_id"], story_id=row["story_id"],
            source=row["source"], title=row["title"], byline=row["byline"],
            published=_dt(row["published"]), fetched=_dt(row["fetched"]), lang=row["lang"],
            section=row["section"], publisher_section=row["publisher_section"],
            description=row["description"], text=row["text"], summary=row["summary"],
            image_url=row["image_url"],
        )

    def get_article(self, article_id: int) -> Article | None:
        rows = self._q("SELECT * FROM articles WHERE id = ?", (article_id,))
        return self._article(rows[0]) if rows else None

    def get_articles(self, ids: list[int], brief: bool = False) -> list[Article]:
        if not ids:
            return []
        make, columns = (self._brief, _BRIEF_SELECT) if brief else (self._article, "*")
        by_id = {r["id"]: make(r) for r in self._q(
            f"SELECT {columns} FROM articles WHERE id IN ({_marks(ids)})", ids)}
        return [by_id[i] for i in ids if i in by_id]

    def articles(self, section: str | None = None, limit: int = 50, offset: int = 0,
                 lang: str | None = None, since: datetime | None = None,
                 brief: bool = False) -> list[Article]:
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
        make, columns = (self._brief, _BRIEF_SELECT) if brief else (self._article, "*")
        rows = self._q(
            f"SELECT {columns} FROM articles {clause} "
            "ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [make(r) for r in rows]

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

    def find_by_external_id(self, external_id: str) -> int | None:
        rows = self._q("SELECT id FROM articles WHERE external_id = ? LIMIT 1", (external_id,))
        return int(rows[0][0]) if rows else None

    def public_ids(self, ids: list[int]) -> dict[int, str]:
        """The id each article is known by outside: its external id, else its number."""
        if not ids:
            return {}
        rows = self._q(f"SELECT id, external_id FROM articles WHERE id IN ({_marks(ids)})", ids)
        return {int(r[0]): r[1] or str(r[0]) for r in rows}

    def search(self, query: str, limit: int = 20, any_word: bool = False,
               brief: bool = False) -> list[tuple[Article, float]]:
        """Full-text search (BM25), best first; the score is positive, higher is better."""
        fts = _fts_query(query, any_word)
        if not fts:
            return []
        # rank the ids alone, then read the winners: sorting joined rows carried every
        # match's text through the sort, 3-4 times slower at 100,000 articles
        rows = self._q(
            "SELECT rowid, -bm25(articles_fts, 5.0, 2.0, 1.0) AS score FROM articles_fts "
            "WHERE articles_fts MATCH ? ORDER BY score DESC LIMIT ?", (fts, limit))
        found = {a.id: a for a in self.get_articles([int(r[0]) for r in rows], brief)}
        return [(found[int(r[0])], float(r[1])) for r in rows if int(r[0]) in found]
