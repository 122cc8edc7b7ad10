"""The SQLite engine's item queries, the ones the apps' APIs make (items.py builds their SQL;
the design is in accounts.py).

A mixin of SQLiteStore, like sqlite_accounts.py.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..model import Article
from . import items
from .accounts import ArticleState, FeedUnread, ItemQuery, ItemRef, Marks
from .sqlite_accounts import _STATE, _dt, _iso, _now, _state

_SQLITE = items.Dialect(ph="?", greatest="MAX", false="0", stamp=_iso, time_of=_dt,
                        by_key="NOT INDEXED")


class SQLiteStreams:
    """Items by feed, category, section, story, id and time, with the user's state."""

    if TYPE_CHECKING:
        def _q(self, sql: str, params: tuple[Any, ...] | list[Any] = ()
               ) -> list[sqlite3.Row]: ...
        def _tx(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _article(self, row: sqlite3.Row) -> Article: ...
        def _marks_of(self, user_id: int) -> Marks | None: ...
        def latest_article_id(self) -> int: ...
        @staticmethod
        def _bump(db: sqlite3.Connection, user_id: int) -> None: ...
        def mark_all_read(self, user_id: int, through_id: int | None = None,
                          section: str | None = None, story_id: int | None = None) -> None: ...

    # -- items ----------------------------------------------------------------------------------

    def _item_rows(self, user_id: int, query: ItemQuery, columns: str, marks: Marks,
                   group: str = "") -> list[sqlite3.Row]:
        latest = self.latest_article_id() if query.view == "unread" else None
        where, params = items.conditions(query, user_id, marks.everything, _SQLITE, latest)
        tail = (f"GROUP BY {group}" if group else f"ORDER BY {items.order(query)}"
                + ("" if query.limit is None else f" LIMIT {int(query.limit)}"))
        return self._q(
            f"SELECT {columns} FROM articles a {items.state_join(query)} article_state s "
            f"ON s.user_id = ? AND s.article_id = a.id WHERE {' AND '.join(where)} {tail}",
            [user_id, *params])

    def item_refs(self, user_id: int, query: ItemQuery) -> list[ItemRef]:
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        return [ItemRef(int(r[0]), r[1], _dt(r[2])) for r in self._item_rows(
            user_id, query, "a.id, a.feed_id, a.fetched", marks)]

    def item_ids(self, user_id: int, query: ItemQuery) -> list[int]:
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        return [int(r[0]) for r in self._item_rows(user_id, query, "a.id", marks)]

    def items(self, user_id: int, query: ItemQuery) -> list[tuple[Article, ArticleState]]:
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        rows = self._item_rows(user_id, query, f"a.*, {_STATE}", marks)
        return [(self._article(r), _state(int(r["id"]), marks.of(r["section"]), r))
                for r in rows]

    def feed_unread_counts(self, user_id: int) -> dict[int | None, FeedUnread]:
        marks = self._marks_of(user_id)
        if marks is None:
            return {}
        latest = int(self._q("SELECT COALESCE(MAX(id), 0) FROM articles")[0][0])
        return items.unread_by_feed(self._q, user_id, marks, latest, _SQLITE)

    def mark_read_where(self, user_id: int, query: ItemQuery, read: bool = True) -> int:
        if read and query.view != "saved" and not items.narrows(query):
            return self._mark_everything_before(user_id, query.fetched_before)
        with self._tx() as db:
            row = db.execute("SELECT read_through FROM users WHERE id = ?",
                             (user_id,)).fetchone()
            if row is None:
                return 0
            where, params = items.conditions(query, user_id, int(row[0]), _SQLITE)
            # only what changes: unread articles to mark read, read ones to mark unread
            state = items.unread_condition(_SQLITE)
            where.append(state if read else items.read_condition(_SQLITE))
            params += [int(row[0]), user_id]
            changed = db.execute(
                "INSERT INTO article_state(user_id, article_id, read, read_at) "
                f"SELECT ?, a.id, ?, ? FROM articles a LEFT JOIN article_state s "
                f"ON s.user_id = ? AND s.article_id = a.id WHERE {' AND '.join(where)} "
                "ON CONFLICT(user_id, article_id) DO UPDATE SET read = excluded.read, "
                "read_at = excluded.read_at",
                [user_id, int(read), _now() if read else None, user_id, *params]).rowcount
            if changed:
                self._bump(db, user_id)
        return int(changed)

    def _mark_everything_before(self, user_id: int, before: datetime | None) -> int:
        """Every article fetched before `before` (or every one) read: the watermark up to
        the first article fetched since, then exception rows for the older ones above it."""
        if before is None:
            self.mark_all_read(user_id)
            return 0
        first_new = self._q("SELECT MIN(id) FROM articles WHERE fetched >= ?",
                            (_iso(before.astimezone(UTC)),))[0][0]
        if first_new is None:
            self.mark_all_read(user_id)
            return 0
        self.mark_all_read(user_id, through_id=int(first_new) - 1)
        return self.mark_read_where(user_id, ItemQuery(after_id=int(first_new) - 1,
                                                       fetched_before=before, limit=None))
