"""The PostgreSQL engine of the storage contract (base.py): psycopg 3, a pool, pgvector.

Several processes (web server threads, `newsdesk worker`s on other machines) share one
database; each unit of work is one transaction, and what must not interleave is serialised
by the database itself: advisory locks on an article's dedupe keys (put_article) and on the
similar lists a link touches, and `FOR UPDATE SKIP LOCKED` for claiming work. Times that
decide leases are the server's clock, the one clock every machine shares. Nearest neighbours
come from an HNSW index (pgvector), search from a tsvector column with a GIN index. Every
psycopg error leaves as a StoreError with one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from pgvector.psycopg import register_vector
from psycopg import errors as pgerrors
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from ..errors import StoreError
from ..model import Article
from . import leases, merge, pg_schema
from .base import Put
from .pg_accounts import PostgresAccounts
from .pg_feeds import PostgresFeeds
from .pg_sql import (
    BRIEF_COLUMNS,
    COLUMNS,
    DEDUPE_KEYS,
    WRITTEN,
    Row,
    article_values,
    as_vector,
    aware,
    first_line,
    hide_password,
    lock_key,
    one,
    search_query,
    search_vector,
    to_article,
    to_brief,
    where,
)
from .pg_stories import PostgresStories
from .pg_streams import PostgresStreams

T = TypeVar("T")
Conn = psycopg.Connection[DictRow]
_RETRIES = 3  # a deadlock or serialisation failure is retried this many times


class PostgresStore(PostgresAccounts, PostgresFeeds, PostgresStreams, PostgresStories):
    """The PostgreSQL engine. `PostgresStore("postgresql://user:pw@host/db")`."""

    cheap_content_version = False  # a round trip to the server: not on an event loop

    def __init__(self, url: str, min_size: int = 1, max_size: int = 8) -> None:
        self.url = hide_password(url)
        self.conninfo = url  # with the password: for Procrastinate's own connections
        self._holder = leases.holder()
        self._where = where(url)
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {self._where}: "
                             f"{first_line(exc)}") from exc
        try:
            with conn:
                pg_schema.apply(conn, self._where)
        except psycopg.Error as exc:
            raise StoreError(f"{self._where}: cannot prepare the database: "
                             f"{first_line(exc)}") from exc
        self._pool = ConnectionPool(
            url, connection_class=Conn, min_size=min_size, max_size=max_size, timeout=30,
            open=False, kwargs={"autocommit": True, "row_factory": dict_row},
            configure=self._configure, check=ConnectionPool.check_connection,
            name=f"newsdesk {self._where}")
        try:
            self._pool.open(wait=True, timeout=30)
        except psycopg.Error as exc:
            self._pool.close()
            raise StoreError(f"cannot connect to PostgreSQL at {self._where}: "
                             f"{first_line(exc)}") from exc

    @staticmethod
    def _configure(conn: Conn) -> None:
        register_vector(conn)
        conn.execute("SET TIME ZONE 'UTC'")

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return f"PostgreSQL {self._where}"

    def _fail(self, exc: psycopg.Error) -> StoreError:
        return StoreError(f"{self.describe()}: {first_line(exc)}")

    def _q(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]:
        try:
            with self._pool.connection() as conn:
                # binary results: a vector read as text costs a parse of 512 numbers
                return conn.execute(sql, params, binary=True).fetchall()
        except psycopg.Error as exc:
            raise self._fail(exc) from exc

    def _tx(self, work: Callable[[Conn], T]) -> T:
        """Run `work` as one transaction, again when the server broke a deadlock with it."""
        for attempt in range(_RETRIES + 1):
            try:
                with self._pool.connection() as conn, conn.transaction():
                    return work(conn)
            except (pgerrors.DeadlockDetected, pgerrors.SerializationFailure) as exc:
                if attempt == _RETRIES:
                    raise self._fail(exc) from exc
            except psycopg.Error as exc:
                raise self._fail(exc) from exc
        raise AssertionError("unreachable")

    def applied_migrations(self) -> list[str]:
        return [r["name"] for r in self._q("SELECT name FROM migrations ORDER BY name")]

    def data_version(self) -> str:
        # the write-ahead log's position moves with every committed change (and with some of
        # the server's own upkeep: a cache keyed on it is dropped a little more often)
        return str(self._q("SELECT pg_current_wal_lsn()::text AS v")[0]["v"])

    def content_version(self) -> str:
        return str(self._q("SELECT version FROM content_version WHERE id = 1")[0]["version"])

    def check(self) -> list[str]:
        return self._tx(pg_schema.problems)

    # -- articles: units of work ------------------------------------------------------------

    @staticmethod
    def _find(conn: Conn, table: str, article: Article) -> int | None:
        """The first key that matches wins, in DEDUPE_KEYS order; one round trip."""
        parts, params = [], []  # type: list[str], list[Any]
        for rank, column in enumerate(DEDUPE_KEYS):
            value = getattr(article, column)
            if value:
                parts.append(f"(SELECT {rank} AS rank, id FROM {table} WHERE {column} = %s "
                             "ORDER BY id LIMIT 1)")
                params.append(value)
        if not parts:
            return None
        row = conn.execute(f"SELECT id FROM ({' UNION ALL '.join(parts)}) AS found "
                           "ORDER BY rank LIMIT 1", params).fetchone()
        return None if row is None else int(row["id"])

    def put_article(self, article: Article, lease_seconds: float = 300.0) -> Put:
        keys = sorted({lock_key(c, str(getattr(article, c)))
                       for c in DEDUPE_KEYS if getattr(article, c)})

        def work(conn: Conn) -> Put:
            # the same article arriving in two processes at once: the second waits here for
            # the first to commit, then finds it below
            conn.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                         (keys,))
            if self._find(conn, "tombstones", article) is not None:
                return Put("tombstoned")
            existing_id = self._find(conn, "articles", article)
            if existing_id is None:
                stored = article
            else:
                row = conn.execute(f"SELECT {COLUMNS} FROM articles WHERE id = %s FOR UPDATE",
                                   (existing_id,)).fetchone()
                existing = to_article(one(row))
                if not merge.is_richer(article, existing):
                    return Put("duplicate", existing_id)
                stored = merge.merge(existing, article)
            doc, doc_params = search_vector(stored.lang, stored.title, stored.summary,
                                             stored.text)
            lease = [lease_seconds, self._holder]
            if existing_id is None:
                cols = ", ".join(WRITTEN)
                marks = ", ".join("%s" for _ in WRITTEN)
                row = conn.execute(
                    f"INSERT INTO articles ({cols}, enriched, lease_until, lease_owner, search) "
                    f"VALUES ({marks}, false, now() + make_interval(secs => %s), %s, {doc}) "
                    "RETURNING id", [*article_values(stored), *lease, *doc_params]).fetchone()
                article.id = int(one(row)["id"])
                return Put("inserted", article.id, article)
            sets = ", ".join(f"{c} = %s" for c in WRITTEN)
            conn.execute(f"UPDATE articles SET {sets}, enriched = false, "
                         "lease_until = now() + make_interval(secs => %s), lease_owner = %s, "
                         f"search = {doc} WHERE id = %s",
                         [*article_values(stored), *lease, *doc_params, existing_id])
            return Put("updated", existing_id, stored)

        return self._tx(work)

    def save_enrichment(self, article: Article) -> bool:
        if article.id is None:
            raise StoreError("save_enrichment needs a stored article")

        def work(conn: Conn) -> bool:
            row = conn.execute("SELECT title, text FROM articles WHERE id = %s FOR NO KEY UPDATE",
                               (article.id,)).fetchone()
            if row is None:
                return False
            doc, doc_params = search_vector(article.lang, row["title"],
                                             article.summary, row["text"])
            conn.execute(
                "UPDATE articles SET lang = %s, section = %s, summary = %s, key_facts = %s, "
                f"entities = %s, embedding = %s, search = {doc} WHERE id = %s",
                [article.lang, article.section, article.summary, Jsonb(article.key_facts),
                 Jsonb([e.as_dict() for e in article.entities]), as_vector(article.embedding),
                 *doc_params, article.id])
            return True

        return self._tx(work)

    def link(self, article_id: int, similar: list[tuple[int, float]], keep: int,
             story_id: int | None = None, new_story_title: str | None = None) -> int | None:
        links: dict[int, float] = {}
        for other, score in similar[:keep]:
            if other != article_id and other not in links:
                links[other] = float(score)

        def work(conn: Conn) -> int | None:
            if conn.execute("SELECT 1 FROM articles WHERE id = %s FOR NO KEY UPDATE",
                            (article_id,)).fetchone() is None:
                return None
            # one writer at a time per similar list, locks taken in one order so two links
            # that touch the same lists cannot deadlock
            conn.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                         (sorted(lock_key("similar", str(i)) for i in {article_id, *links}),))
            # KEY SHARE keeps the others from being deleted until this commits
            alive = {int(r["id"]) for r in conn.execute(
                "SELECT id FROM articles WHERE id = ANY(%s) FOR KEY SHARE", (list(links),))}
            kept = [(other, score) for other, score in links.items() if other in alive]
            conn.execute("DELETE FROM similar_links WHERE article_id = %s", (article_id,))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO similar_links(article_id, other_id, score) "
                                "VALUES (%s, %s, %s)",
                                [(article_id, other, score) for other, score in kept])
                cur.executemany("INSERT INTO similar_links(article_id, other_id, score) "
                                "VALUES (%s, %s, %s) ON CONFLICT (article_id, other_id) "
                                "DO UPDATE SET score = excluded.score",
                                [(other, article_id, score) for other, score in kept])
            conn.execute(
                "DELETE FROM similar_links s USING (SELECT article_id, other_id, row_number() "
                "OVER (PARTITION BY article_id ORDER BY score DESC, other_id) AS rank "
                "FROM similar_links WHERE article_id = ANY(%s)) r "
                "WHERE s.article_id = r.article_id AND s.other_id = r.other_id AND r.rank > %s",
                ([other for other, _ in kept], keep))
            chosen = story_id
            if chosen is not None and conn.execute(
                    "SELECT 1 FROM stories WHERE id = %s", (chosen,)).fetchone() is None:
                chosen = None
            if chosen is None and new_story_title is not None:
                chosen = int(one(conn.execute(
                    "INSERT INTO stories(title) VALUES (%s) RETURNING id",
                    (new_story_title,)).fetchone())["id"])
            row = conn.execute(
                "UPDATE articles SET story_id = COALESCE(%s, story_id), enriched = true, "
                "lease_until = NULL, lease_owner = NULL WHERE id = %s RETURNING story_id",
                (chosen, article_id)).fetchone()
            return None if row is None or row["story_id"] is None \
                else int(row["story_id"])

        return self._tx(work)

    def regroup(self, groups: list[tuple[list[int], int | None, str]]) -> list[int]:
        def work(conn: Conn) -> list[int]:
            out = []
            for ids, story_id, title in groups:
                if story_id is None or conn.execute("SELECT 1 FROM stories WHERE id = %s",
                                                    (story_id,)).fetchone() is None:
                    story_id = int(one(conn.execute(
                        "INSERT INTO stories(title) VALUES (%s) RETURNING id",
                        (title,)).fetchone())["id"])
                left = [int(r["story_id"]) for r in conn.execute(
                    "SELECT DISTINCT story_id FROM articles WHERE id = ANY(%s) "
                    "AND story_id IS NOT NULL AND story_id <> %s", (list(ids), story_id))]
                conn.execute("UPDATE articles SET story_id = %s WHERE id = ANY(%s)",
                             (story_id, list(ids)))
                for old in left:
                    if conn.execute("SELECT 1 FROM articles WHERE story_id = %s LIMIT 1",
                                    (old,)).fetchone() is None:
                        conn.execute("UPDATE story_redirects SET new = %s WHERE new = %s",
                                     (story_id, old))
                        conn.execute("INSERT INTO story_redirects(old, new) VALUES (%s, %s) "
                                     "ON CONFLICT (old) DO UPDATE SET new = excluded.new",
                                     (old, story_id))
                        self._move_follows(conn, old, story_id)
                conn.execute("DELETE FROM story_redirects WHERE old = %s", (story_id,))
                out.append(story_id)
            return out

        return self._tx(work)

    def story_redirect(self, story_id: int) -> int | None:
        rows = self._q("SELECT new FROM story_redirects WHERE old = %s", (story_id,))
        return int(rows[0]["new"]) if rows else None

    def claim_unenriched(self, limit: int, lease_seconds: float = 300.0) -> list[Article]:
        """Articles not done whose lease ran out or whose holder died, leased to us."""
        def work(conn: Conn) -> list[Article]:
            dead = self._dead(conn, "SELECT DISTINCT lease_owner AS holder FROM articles "
                                    "WHERE NOT enriched AND lease_until >= now()")
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM articles WHERE NOT enriched AND (lease_until IS NULL "
                "OR lease_until < now() OR lease_owner = ANY(%s)) "
                "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED", (dead, limit)).fetchall()
            ids = [r["id"] for r in rows]
            if ids:
                conn.execute("UPDATE articles SET lease_until = now() + make_interval(secs => %s), "
                             "lease_owner = %s WHERE id = ANY(%s)",
                             (lease_seconds, self._holder, ids))
            return [to_article(r) for r in rows]

        return self._tx(work)

    @staticmethod
    def _dead(conn: Conn, holders_sql: str, params: dict[str, Any] | None = None) -> list[str]:
        """Holders of live leases that are processes of this machine no longer running."""
        rows = conn.execute(holders_sql, params).fetchall()
        return [r["holder"] for r in rows if leases.is_dead(r["holder"])]

    def count_unenriched(self) -> int:
        return int(self._q("SELECT COUNT(*) AS n FROM articles WHERE NOT enriched")[0]["n"])

    def delete_article(self, article_id: int) -> bool:
        """Delete an article and leave a tombstone so a refresh does not bring it back."""
        def work(conn: Conn) -> bool:
            row = conn.execute("DELETE FROM articles WHERE id = %s "
                               "RETURNING url, guid, content_hash, external_id",
                               (article_id,)).fetchone()
            if row is None:
                return False
            conn.execute("INSERT INTO tombstones(url, guid, content_hash, external_id, "
                         "article_id) VALUES (%s, %s, %s, %s, %s)",
                         (row["url"], row["guid"], row["content_hash"],
                          row["external_id"], article_id))
            return True

        return self._tx(work)

    # -- articles: reads --------------------------------------------------------------------

    def find_duplicate(self, article: Article) -> int | None:
        """Id of a stored article that is the same as `article` (URL, guid, id or content)."""
        return self._tx(lambda conn: self._find(conn, "articles", article))

    def is_tombstoned(self, article: Article) -> bool:
        return self._tx(lambda conn: self._find(conn, "tombstones", article)) is not None

    def get_article(self, article_id: int) -> Article | None:
        rows = self._q(f"SELECT {COLUMNS} FROM articles WHERE id = %s", (article_id,))
        return to_article(rows[0]) if rows else None

    def get_articles(self, ids: list[int], brief: bool = False) -> list[Article]:
        if not ids:
            return []
        make, columns = (to_brief, BRIEF_COLUMNS) if brief else (to_article, COLUMNS)
        by_id = {r["id"]: make(r) for r in self._q(
            f"SELECT {columns} FROM articles WHERE id = ANY(%s)", (list(ids),))}
        return [by_id[i] for i in ids if i in by_id]

    def articles(self, section: str | None = None, limit: int = 50, offset: int = 0,
                 lang: str | None = None, since: datetime | None = None,
                 brief: bool = False) -> list[Article]:
        """Latest first (published, else fetched)."""
        where, params = ["true"], []  # type: list[str], list[Any]
        for clause, value in (("section = %s", section), ("lang = %s", lang),
                              ("COALESCE(published, fetched) >= %s", aware(since))):
            if value:
                where.append(clause)
                params.append(value)
        make, columns = (to_brief, BRIEF_COLUMNS) if brief else (to_article, COLUMNS)
        rows = self._q(f"SELECT {columns} FROM articles WHERE {' AND '.join(where)} "
                       "ORDER BY COALESCE(published, fetched) DESC, id DESC LIMIT %s OFFSET %s",
                       [*params, limit, offset])
        return [make(r) for r in rows]

    def iter_articles(self, since: datetime | None = None, batch: int = 500) -> Iterator[Article]:
        """Every article, oldest id first, read in batches."""
        last = 0
        extra = " AND COALESCE(published, fetched) >= %s" if since else ""
        while True:
            params: list[Any] = [last, *([aware(since)] if since else []), batch]
            rows = self._q(f"SELECT {COLUMNS} FROM articles WHERE id > %s{extra} "
                           "ORDER BY id LIMIT %s", params)
            if not rows:
                return
            yield from (to_article(r) for r in rows)
            last = rows[-1]["id"]

    def count_articles(self, section: str | None = None) -> int:
        if section:
            return int(self._q("SELECT COUNT(*) AS n FROM articles WHERE section = %s",
                               (section,))[0]["n"])
        return int(self._q("SELECT COUNT(*) AS n FROM articles")[0]["n"])

    def section_counts(self) -> dict[str, int]:
        rows = self._q("SELECT section, COUNT(*) AS n FROM articles WHERE section IS NOT NULL "
                       "GROUP BY section ORDER BY n DESC, section")
        return {r["section"]: int(r["n"]) for r in rows}

    def find_by_external_id(self, external_id: str) -> int | None:
        rows = self._q("SELECT id FROM articles WHERE external_id = %s ORDER BY id LIMIT 1",
                       (external_id,))
        return int(rows[0]["id"]) if rows else None

    def public_ids(self, ids: list[int]) -> dict[int, str]:
        """The id each article is known by outside: its external id, else its number."""
        if not ids:
            return {}
        rows = self._q("SELECT id, external_id FROM articles WHERE id = ANY(%s)", (list(ids),))
        return {int(r["id"]): r["external_id"] or str(r["id"]) for r in rows}

    def search(self, query: str, limit: int = 20, any_word: bool = False,
               brief: bool = False) -> list[tuple[Article, float]]:
        """Full-text search, English and Spanish stems and plain words, accents folded; best
        first; the score (ts_rank_cd, title above summary above body) is positive."""
        tsquery, params = search_query(query, any_word)
        if not tsquery:
            return []
        # rank the ids alone, then read the winners (as the SQLite engine does)
        rows = self._q(
            "SELECT a.id, ts_rank_cd(a.search, q.q) AS score "
            f"FROM articles a, (SELECT {tsquery} AS q) q WHERE a.search @@ q.q "
            "ORDER BY score DESC, a.id LIMIT %s", [*params, limit])
        found = {a.id: a for a in self.get_articles([int(r["id"]) for r in rows], brief)}
        return [(found[int(r["id"])], max(float(r["score"]), 1e-9)) for r in rows
                if int(r["id"]) in found]
