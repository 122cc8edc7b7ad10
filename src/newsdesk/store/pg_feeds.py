"""The PostgreSQL engine's feeds and hosts: subscriptions and their check state (leased with
FOR UPDATE SKIP LOCKED so one feed is fetched once per cycle), the reader's names,
categories and unsubscribing, and each host's Retry-After hold and next free turn.

A mixin of PostgresStore, like pg_accounts.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg.rows import DictRow

from ..model import Feed
from . import items
from .base import FeedOutcome
from .pg_sql import Row, aware, one, to_feed

T = TypeVar("T")
Conn = psycopg.Connection[DictRow]


class PostgresFeeds:
    """Feeds and hosts on PostgreSQL."""

    if TYPE_CHECKING:
        _holder: str

        def _q(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]: ...
        def _tx(self, work: Callable[[Conn], T]) -> T: ...
        def _dead(self, conn: Conn, sql: str, params: dict[str, Any]) -> list[str]: ...

    def add_feed(self, feed: Feed) -> tuple[int, bool]:
        """Subscribe; returns (id, created). A known URL is not added twice."""
        def work(conn: Conn) -> tuple[int, bool]:
            row = conn.execute("INSERT INTO feeds(url, title, site_url) VALUES (%s, %s, %s) "
                               "ON CONFLICT (url) DO NOTHING RETURNING id",
                               (feed.url, feed.title, feed.site_url)).fetchone()
            if row is not None:
                return int(row["id"]), True
            row = conn.execute("SELECT id FROM feeds WHERE url = %s", (feed.url,)).fetchone()
            return int(one(row)["id"]), False

        feed.id, created = self._tx(work)
        return feed.id, created

    def feeds(self) -> list[Feed]:
        return [to_feed(r) for r in self._q("SELECT * FROM feeds ORDER BY id")]

    def feed(self, feed_id: int) -> Feed | None:
        rows = self._q("SELECT * FROM feeds WHERE id = %s", (feed_id,))
        return to_feed(rows[0]) if rows else None

    def get_feed(self, url: str) -> Feed | None:
        rows = self._q("SELECT * FROM feeds WHERE url = %s", (url,))
        return to_feed(rows[0]) if rows else None

    def claim_due_feeds(self, now: datetime, limit: int, lease_seconds: float = 600.0,
                        every: bool = False) -> list[Feed]:
        stamp = now if now.tzinfo else now.replace(tzinfo=UTC)
        due = "" if every else " AND (next_check IS NULL OR next_check <= %(now)s)"

        def work(conn: Conn) -> list[Feed]:
            dead = self._dead(conn, "SELECT DISTINCT claimed_by AS holder FROM feeds "
                                    "WHERE claimed_until >= %(now)s", {"now": stamp})
            rows = conn.execute(
                "SELECT * FROM feeds WHERE (claimed_until IS NULL OR claimed_until < %(now)s "
                f"OR claimed_by = ANY(%(dead)s)) AND (retry_at IS NULL OR retry_at <= %(now)s)"
                f"{due} ORDER BY next_check NULLS FIRST, id LIMIT %(limit)s "
                "FOR UPDATE SKIP LOCKED", {"now": stamp, "dead": dead, "limit": limit}).fetchall()
            ids = [r["id"] for r in rows]
            if ids:
                conn.execute("UPDATE feeds SET claimed_until = %s, claimed_by = %s "
                             "WHERE id = ANY(%s)",
                             (stamp + timedelta(seconds=lease_seconds), self._holder, ids))
            return [to_feed(r) for r in rows]

        return self._tx(work)

    def record_feed_outcome(self, feed_id: int, outcome: FeedOutcome) -> None:
        """A failed check keeps the cache validators; a good one takes the new ones."""
        failed = outcome.error is not None
        self._tx(lambda conn: conn.execute(
            "UPDATE feeds SET last_checked = %(checked)s, next_check = %(next)s, "
            "retry_at = %(retry)s, "
            "etag = CASE WHEN %(failed)s THEN etag ELSE %(etag)s END, "
            "last_modified = CASE WHEN %(failed)s THEN last_modified ELSE %(lm)s END, "
            "last_error = %(error)s, "
            "error_count = CASE WHEN %(failed)s THEN error_count + 1 ELSE 0 END, "
            "last_status = %(status)s, "
            "last_ok = CASE WHEN %(failed)s THEN last_ok ELSE %(checked)s END, "
            "title = COALESCE(%(title)s, title), site_url = COALESCE(%(site)s, site_url), "
            "claimed_until = NULL, claimed_by = NULL WHERE id = %(id)s",
            {"checked": aware(outcome.checked), "next": aware(outcome.next_check),
             "retry": aware(outcome.retry_at), "failed": failed, "etag": outcome.etag,
             "lm": outcome.last_modified, "error": outcome.error, "title": outcome.title,
             "status": outcome.final_status(),
             "site": outcome.site_url, "id": feed_id}))

    # -- hosts ------------------------------------------------------------------------------

    def hold_host(self, host: str, until: datetime) -> None:
        self._tx(lambda conn: conn.execute(
            "INSERT INTO host_holds(host, until) VALUES (%s, %s) ON CONFLICT (host) "
            "DO UPDATE SET until = GREATEST(host_holds.until, excluded.until)",
            (host, aware(until))))

    def take_host_turn(self, host: str, now: datetime, delay: float) -> datetime:
        # one statement: the row's lock orders concurrent callers, each sees the last's turn
        row = self._tx(lambda conn: conn.execute(
            "INSERT INTO host_turns AS t(host, next_turn) VALUES (%s, %s + make_interval("
            "secs => %s)) ON CONFLICT (host) DO UPDATE SET next_turn = GREATEST(t.next_turn, "
            "%s) + make_interval(secs => %s) RETURNING next_turn",
            (host, aware(now), delay, aware(now), delay)).fetchone())
        assert row is not None  # INSERT ... RETURNING always gives the row
        turn: datetime = row["next_turn"] - timedelta(seconds=delay)
        return turn

    def host_hold(self, host: str, now: datetime) -> datetime | None:
        rows = self._q("SELECT until FROM host_holds WHERE host = %s AND until > %s",
                       (host, aware(now)))
        return rows[0]["until"] if rows else None

    # -- feeds --------------------------------------------------------------------------------

    def _set_feed(self, feed_id: int, column: str, value: str | None) -> bool:
        return self._tx(lambda conn: conn.execute(
            f"UPDATE feeds SET {column} = %s WHERE id = %s", (value, feed_id)).rowcount > 0)

    def rename_feed(self, feed_id: int, name: str | None) -> bool:
        return self._set_feed(feed_id, "name", name)

    def set_feed_category(self, feed_id: int, category: str | None) -> bool:
        return self._set_feed(feed_id, "category", category)

    def delete_feed(self, feed_id: int) -> bool:
        # the articles' feed_id is set to NULL by the foreign key
        return self._tx(lambda conn: conn.execute(
            "DELETE FROM feeds WHERE id = %s", (feed_id,)).rowcount > 0)

    def feed_article_counts(self) -> dict[int, tuple[int, datetime | None]]:
        return {int(r["feed_id"]): (int(r["n"]), r["newest"]) for r in self._q(
            f"SELECT c.feed_id, c.n, a.fetched AS newest FROM ({items.FEED_COUNTS}) c "
            "JOIN articles a ON a.id = c.latest")}
