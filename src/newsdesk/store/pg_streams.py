"""The PostgreSQL engine's item queries, the ones the apps' APIs make (items.py builds their
SQL; the design is in accounts.py).

A mixin of PostgresStore, like pg_accounts.py: changes of a user's reading state lock the
user's row first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg.rows import DictRow

from ..model import Article
from . import items
from .accounts import ArticleState, FeedUnread, ItemQuery, ItemRef, Marks
from .pg_accounts import _FULL, _STATE, _state
from .pg_sql import Row, aware, to_article

T = TypeVar("T")
Conn = psycopg.Connection[DictRow]
_PG = items.Dialect(ph="%s", greatest="GREATEST", false="false", stamp=aware, time_of=aware,
                    by_key="")


class PostgresStreams:
    if TYPE_CHECKING:
        def _q(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]: ...
        def _tx(self, work: Callable[[Conn], T]) -> T: ...
        def _marks_of(self, user_id: int) -> Marks | None: ...
        def latest_article_id(self) -> int: ...
        @staticmethod
        def _lock_user(conn: Conn, user_id: int) -> int | None: ...
        @staticmethod
        def _bump(conn: Conn, user_id: int) -> None: ...
        def mark_all_read(self, user_id: int, through_id: int | None = None,
                          section: str | None = None, story_id: int | None = None) -> None: ...

    # -- items ----------------------------------------------------------------------------------

    def _item_rows(self, user_id: int, query: ItemQuery, columns: str, marks: Marks,
                   group: str = "") -> list[Row]:
        latest = self.latest_article_id() if query.view == "unread" else None
        where, params = items.conditions(query, user_id, marks.everything, _PG, latest)
        tail = (f"GROUP BY {group}" if group else f"ORDER BY {items.order(query)}"
                + ("" if query.limit is None else f" LIMIT {int(query.limit)}"))
        return self._q(
            f"SELECT {columns} FROM articles a {items.state_join(query)} article_state s "
            f"ON s.user_id = %s AND s.article_id = a.id WHERE {' AND '.join(where)} {tail}",
            [user_id, *params])

    def item_refs(self, user_id: int, query: ItemQuery) -> list[ItemRef]:
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        return [ItemRef(int(r["id"]), r["feed_id"], r["fetched"]) for r in self._item_rows(
            user_id, query, "a.id, a.feed_id, a.fetched", marks)]

    def item_ids(self, user_id: int, query: ItemQuery) -> list[int]:
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        return [int(r["id"]) for r in self._item_rows(user_id, query, "a.id", marks)]

    def items(self, user_id: int, query: ItemQuery) -> list[tuple[Article, ArticleState]]:
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        rows = self._item_rows(user_id, query, f"{_FULL}, {_STATE}", marks)
        return [(to_article(r), _state(int(r["id"]), marks.of(r["section"]), r))
                for r in rows]

    def feed_unread_counts(self, user_id: int) -> dict[int | None, FeedUnread]:
        marks = self._marks_of(user_id)
        if marks is None:
            return {}
        latest = int(self._q("SELECT COALESCE(MAX(id), 0) AS top FROM articles")[0]["top"])
        return items.unread_by_feed(self._q, user_id, marks, latest, _PG)

    def mark_read_where(self, user_id: int, query: ItemQuery, read: bool = True) -> int:
        if read and query.view != "saved" and not items.narrows(query):
            return self._mark_everything_before(user_id, query.fetched_before)

        def work(conn: Conn) -> int:
            watermark = self._lock_user(conn, user_id)
            if watermark is None:
                return 0
            where, params = items.conditions(query, user_id, watermark, _PG)
            # only what changes: unread articles to mark read, read ones to mark unread
            state = items.unread_condition(_PG)
            where.append(state if read else items.read_condition(_PG))
            params += [watermark, user_id]
            changed = conn.execute(
                "INSERT INTO article_state(user_id, article_id, read, read_at) "
                "SELECT %s, a.id, %s, CASE WHEN %s THEN now() END FROM articles a "
                "LEFT JOIN article_state s ON s.user_id = %s AND s.article_id = a.id "
                f"WHERE {' AND '.join(where)} ON CONFLICT (user_id, article_id) DO UPDATE "
                "SET read = excluded.read, read_at = excluded.read_at",
                [user_id, read, read, user_id, *params]).rowcount
            if changed:
                self._bump(conn, user_id)
            return changed

        return self._tx(work)

    def _mark_everything_before(self, user_id: int, before: datetime | None) -> int:
        """As SQLite's: the watermark up to the first article fetched since `before`, then
        exception rows for the older ones above it."""
        if before is None:
            self.mark_all_read(user_id)
            return 0
        rows = self._q("SELECT MIN(id) AS first FROM articles WHERE fetched >= %s",
                       (aware(before),))
        if not rows or rows[0]["first"] is None:
            self.mark_all_read(user_id)
            return 0
        first_new = int(rows[0]["first"])
        self.mark_all_read(user_id, through_id=first_new - 1)
        return self.mark_read_where(user_id, ItemQuery(after_id=first_new - 1,
                                                       fetched_before=before, limit=None))
