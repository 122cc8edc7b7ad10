"""The SQLite engine's accounts and reading state (the design is in accounts.py).

A mixin of SQLiteStore: it uses the store's `_q` (one read) and `_tx` (one write transaction).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..model import Article
from .accounts import (
    LOGIN_ATTEMPTS_KEPT_DAYS,
    ArticleState,
    DuplicateUser,
    Marks,
    UnreadCounts,
    User,
    View,
    is_read,
)
from .base import BRIEF_TEXT
from .sqlite_values import dt as _dt
from .sqlite_values import marks as _marks

_BRIEF = (
    "a.id, a.external_id, a.url, a.guid, a.content_hash, a.feed_id, a.story_id, a.source, "
    "a.title, a.byline, a.published, a.fetched, a.lang, a.section, a.publisher_section, "
    f"a.description, a.summary, a.image_url, substr(a.text, 1, {BRIEF_TEXT}) AS text"
)
RANGE_BY_KEY = 5000  # unread counts read at most this many rows through the primary key
_STATE = "s.read AS st_read, s.read_at AS st_read_at, s.saved_at AS st_saved_at"


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _now() -> str:
    return _iso(datetime.now(UTC))


def _user(row: sqlite3.Row) -> User:
    return User(id=int(row["id"]), name=row["name"], password_hash=row["password_hash"],
                is_admin=bool(row["is_admin"]), created=datetime.fromisoformat(row["created"]),
                session_epoch=int(row["session_epoch"]),
                api_password_hash=row["api_password_hash"], fever_key=row["fever_key"],
                settings=json.loads(row["settings"] or "{}"),
                read_through=int(row["read_through"]), state_version=int(row["state_version"]))


def _state(article_id: int, mark: int, row: sqlite3.Row) -> ArticleState:
    """From a row with the _STATE columns (NULL when there is no exception row)."""
    return ArticleState(read=is_read(article_id, mark, row["st_read"]),
                        saved=row["st_saved_at"] is not None,
                        read_at=_dt(row["st_read_at"]), saved_at=_dt(row["st_saved_at"]))


class SQLiteAccounts:
    """Users, tokens, login attempts, secrets and reading state on SQLite."""

    if TYPE_CHECKING:
        def _q(self, sql: str, params: tuple[Any, ...] | list[Any] = ()
               ) -> list[sqlite3.Row]: ...
        def _tx(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _article(self, row: sqlite3.Row) -> Article: ...
        @staticmethod
        def _brief(row: sqlite3.Row) -> Article: ...

    # -- users ------------------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, is_admin: bool = False) -> User:
        with self._tx() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise DuplicateUser(f"user {name!r} already exists")
            db.execute("INSERT INTO users(name, password_hash, is_admin, created) "
                       "VALUES (?, ?, ?, ?)", (name, password_hash, int(is_admin), _now()))
            row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return _user(row)

    def user(self, user_id: int) -> User | None:
        rows = self._q("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def user_by_name(self, name: str) -> User | None:
        rows = self._q("SELECT * FROM users WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def user_by_fever_key(self, fever_key: str) -> User | None:
        rows = self._q("SELECT * FROM users WHERE fever_key = ?", (fever_key.lower(),))
        return _user(rows[0]) if rows else None

    def users(self) -> list[User]:
        return [_user(r) for r in self._q("SELECT * FROM users ORDER BY name")]

    def delete_user(self, user_id: int) -> bool:
        with self._tx() as db:
            return db.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount > 0

    def _update_user(self, user_id: int, sets: str, params: list[Any]) -> bool:
        with self._tx() as db:
            return db.execute(f"UPDATE users SET {sets} WHERE id = ?",
                              [*params, user_id]).rowcount > 0

    def set_password(self, user_id: int, password_hash: str) -> bool:
        return self._update_user(user_id, "password_hash = ?, session_epoch = session_epoch + 1",
                                 [password_hash])

    def end_sessions(self, user_id: int) -> bool:
        return self._update_user(user_id, "session_epoch = session_epoch + 1", [])

    def set_api_password(self, user_id: int, api_password_hash: str | None,
                         fever_key: str | None) -> bool:
        return self._update_user(user_id, "api_password_hash = ?, fever_key = ?",
                                 [api_password_hash, fever_key.lower() if fever_key else None])

    def set_user_settings(self, user_id: int, settings: dict[str, Any]) -> bool:
        return self._update_user(user_id, "settings = ?, state_version = state_version + 1",
                                 [json.dumps(settings, sort_keys=True)])

    def add_api_token(self, user_id: int, token_hash: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO api_tokens(token_hash, user_id, created) VALUES (?, ?, ?)",
                       (token_hash, user_id, _now()))

    def user_by_token(self, token_hash: str) -> User | None:
        rows = self._q("SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id "
                       "WHERE t.token_hash = ?", (token_hash,))
        return _user(rows[0]) if rows else None

    def revoke_api_tokens(self, user_id: int) -> int:
        with self._tx() as db:
            return db.execute("DELETE FROM api_tokens WHERE user_id = ?", (user_id,)).rowcount

    # -- login attempts and shared secrets --------------------------------------------------

    def record_login_failure(self, account: str, address: str, at: datetime) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM login_attempts WHERE at < ?",
                       (_iso(at - timedelta(days=LOGIN_ATTEMPTS_KEPT_DAYS)),))
            db.execute("INSERT INTO login_attempts(account, address, at) VALUES (?, ?, ?)",
                       (account, address, _iso(at)))

    def login_failures(self, account: str, address: str, since: datetime) -> tuple[int, int]:
        row = self._q(
            "SELECT (SELECT COUNT(*) FROM login_attempts WHERE account = ? AND at >= ?), "
            "(SELECT COUNT(*) FROM login_attempts WHERE address = ? AND at >= ?)",
            (account, _iso(since), address, _iso(since)))[0]
        return int(row[0]), int(row[1])

    def clear_login_failures(self, account: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM login_attempts WHERE account = ?", (account,))

    def shared_secret(self, name: str, candidate: str) -> str:
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO app_secrets(name, value) VALUES (?, ?)",
                       (name, candidate))
            return str(db.execute("SELECT value FROM app_secrets WHERE name = ?",
                                  (name,)).fetchone()[0])

    # -- reading state: changes -------------------------------------------------------------

    @staticmethod
    def _bump(db: sqlite3.Connection, user_id: int) -> None:
        db.execute("UPDATE users SET state_version = state_version + 1 WHERE id = ?",
                   (user_id,))

    def mark_read(self, user_id: int, article_ids: list[int], read: bool = True) -> int:
        ids = sorted(set(article_ids))
        if not ids:
            return 0
        with self._tx() as db:
            changed = db.execute(
                "INSERT INTO article_state(user_id, article_id, read, read_at) "
                f"SELECT ?, id, ?, ? FROM articles WHERE id IN ({_marks(ids)}) "
                "ON CONFLICT(user_id, article_id) DO UPDATE SET read = excluded.read, "
                "read_at = excluded.read_at",
                [user_id, int(read), _now() if read else None, *ids]).rowcount
            if changed:
                self._bump(db, user_id)
        return int(changed)

    def mark_all_read(self, user_id: int, through_id: int | None = None,
                      section: str | None = None, story_id: int | None = None) -> None:
        """Everything (or a section's or a story's articles) read, up to article `through_id`
        when given (the newest the reader saw): later arrivals stay unread."""
        with self._tx() as db:
            row = db.execute("SELECT read_through FROM users WHERE id = ?",
                             (user_id,)).fetchone()
            if row is None:
                return
            mark = int(row[0])
            top = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0])
            through = top if through_id is None else min(through_id, top)
            if story_id is not None:
                db.execute(
                    "INSERT INTO article_state(user_id, article_id, read, read_at) "
                    "SELECT ?, id, 1, ? FROM articles WHERE story_id = ? AND id <= ? "
                    "ON CONFLICT(user_id, article_id) DO UPDATE SET read = 1, "
                    "read_at = excluded.read_at WHERE article_state.read IS NOT 1",
                    (user_id, _now(), story_id, through))
            elif section is not None:
                db.execute("INSERT INTO section_marks(user_id, section, through) "
                           "VALUES (?, ?, ?) ON CONFLICT(user_id, section) DO UPDATE SET "
                           "through = MAX(through, excluded.through)",
                           (user_id, section, through))
                # the section's exceptions at or below its mark: now read as the mark says
                mine = ("article_id IN (SELECT s.article_id FROM article_state s JOIN "
                        "articles a ON a.id = s.article_id WHERE s.user_id = ? AND "
                        "a.section = ? AND s.article_id <= ?)")
                db.execute(f"DELETE FROM article_state WHERE user_id = ? AND saved_at IS NULL "
                           f"AND {mine}", (user_id, user_id, section, through))
                db.execute(f"UPDATE article_state SET read = NULL, read_at = NULL "
                           f"WHERE user_id = ? AND {mine}", (user_id, user_id, section, through))
            else:
                if through > mark:
                    db.execute("UPDATE users SET read_through = ? WHERE id = ?",
                               (through, user_id))
                    mark = through
                db.execute("DELETE FROM section_marks WHERE user_id = ? AND through <= ?",
                           (user_id, mark))
                db.execute("DELETE FROM article_state WHERE user_id = ? AND article_id <= ? "
                           "AND saved_at IS NULL", (user_id, mark))
                db.execute("UPDATE article_state SET read = NULL, read_at = NULL "
                           "WHERE user_id = ? AND article_id <= ?", (user_id, mark))
            self._bump(db, user_id)

    def set_saved(self, user_id: int, article_ids: list[int], saved: bool = True) -> int:
        ids = sorted(set(article_ids))
        if not ids:
            return 0
        with self._tx() as db:
            if saved:
                changed = db.execute(
                    "INSERT INTO article_state(user_id, article_id, saved_at) "
                    f"SELECT ?, id, ? FROM articles WHERE id IN ({_marks(ids)}) "
                    "ON CONFLICT(user_id, article_id) DO UPDATE SET "
                    "saved_at = COALESCE(article_state.saved_at, excluded.saved_at)",
                    [user_id, _now(), *ids]).rowcount
            else:
                changed = db.execute(
                    "UPDATE article_state SET saved_at = NULL WHERE user_id = ? AND "
                    f"article_id IN ({_marks(ids)}) AND saved_at IS NOT NULL",
                    [user_id, *ids]).rowcount
                db.execute("DELETE FROM article_state WHERE user_id = ? AND read IS NULL AND "
                           f"saved_at IS NULL AND article_id IN ({_marks(ids)})",
                           [user_id, *ids])
            if changed:
                self._bump(db, user_id)
        return int(changed)

    def follow_story(self, user_id: int, story_id: int, follow: bool = True) -> bool:
        with self._tx() as db:
            if follow:
                changed = db.execute(
                    "INSERT OR IGNORE INTO followed_stories(user_id, story_id, since) "
                    "SELECT ?, id, ? FROM stories WHERE id = ?",
                    (user_id, _now(), story_id)).rowcount
            else:
                changed = db.execute("DELETE FROM followed_stories WHERE user_id = ? AND "
                                     "story_id = ?", (user_id, story_id)).rowcount
            if changed:
                self._bump(db, user_id)
        return changed > 0

    @staticmethod
    def _move_follows(db: sqlite3.Connection, old: int, new: int) -> None:
        """A story merged into another (regroup): its followers follow the one it became."""
        db.execute("INSERT OR IGNORE INTO followed_stories(user_id, story_id, since) "
                   "SELECT user_id, ?, since FROM followed_stories WHERE story_id = ?",
                   (new, old))
        db.execute("DELETE FROM followed_stories WHERE story_id = ?", (old,))

    # -- reading state: reads ---------------------------------------------------------------

    def latest_article_id(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(id), 0) FROM articles")[0][0])

    def followed_stories(self, user_id: int) -> list[int]:
        return [int(r[0]) for r in self._q(
            "SELECT story_id FROM followed_stories WHERE user_id = ? ORDER BY since DESC, "
            "story_id DESC", (user_id,))]

    def _marks_of(self, user_id: int) -> Marks | None:
        rows = self._q("SELECT read_through FROM users WHERE id = ?", (user_id,))
        if not rows:
            return None
        return Marks(int(rows[0][0]), {r[0]: int(r[1]) for r in self._q(
            "SELECT section, through FROM section_marks WHERE user_id = ?", (user_id,))})

    def article_states(self, user_id: int, article_ids: list[int]) -> dict[int, ArticleState]:
        ids = sorted(set(article_ids))
        marks = self._marks_of(user_id)
        if not ids or marks is None:
            return {}
        rows = {int(r["id"]): r for r in self._q(
            f"SELECT a.id, a.section, {_STATE} FROM articles a LEFT JOIN article_state s "
            f"ON s.user_id = ? AND s.article_id = a.id WHERE a.id IN ({_marks(ids)})",
            [user_id, *ids])}
        return {i: _state(i, marks.of(r["section"]), r) for i, r in rows.items()}

    def unread_counts(self, user_id: int) -> UnreadCounts:
        marks = self._marks_of(user_id)
        if marks is None:
            return UnreadCounts(0, {}, 0)
        mark = marks.everything
        # Above W: a few ids (most read) are counted through the primary key, many through
        # the section index (covering: 100,000 entries in ~40 ms; the rows themselves, texts
        # and all, take ~650 ms)
        near = self.latest_article_id() - mark <= RANGE_BY_KEY
        counts: dict[str | None, int] = {r[0]: int(r[1]) for r in self._q(
            f"SELECT section, COUNT(*) FROM articles {'NOT INDEXED' if near else ''} "
            "WHERE id > ? GROUP BY section", (mark,))}
        for section, through in marks.sections.items():
            if through > mark and counts.get(section):
                counts[section] -= int(self._q(
                    "SELECT COUNT(*) FROM articles WHERE section = ? AND id > ? AND id <= ?",
                    (section, mark, through))[0][0])
        # the exceptions: read above their mark (-1), unread again below it (+1)
        for r in self._q("SELECT s.article_id, s.read, a.section FROM article_state s "
                         "JOIN articles a ON a.id = s.article_id "
                         "WHERE s.user_id = ? AND s.read IS NOT NULL", (user_id,)):
            below = int(r[0]) <= marks.of(r[2])
            if r[1] and not below:
                counts[r[2]] = counts.get(r[2], 0) - 1
            elif not r[1] and below:
                counts[r[2]] = counts.get(r[2], 0) + 1
        saved = int(self._q("SELECT COUNT(*) FROM article_state WHERE user_id = ? AND "
                            "saved_at IS NOT NULL", (user_id,))[0][0])
        return UnreadCounts(sum(counts.values()),
                            {k: v for k, v in counts.items() if k is not None and v > 0}, saved)

    def story_unread_counts(self, user_id: int, story_ids: list[int]) -> dict[int, int]:
        ids = sorted(set(story_ids))
        marks = self._marks_of(user_id)
        if not ids or marks is None:
            return {}
        counts = dict.fromkeys(ids, 0)
        for r in self._q(
                "SELECT a.story_id, a.id, a.section, s.read FROM articles a "
                "LEFT JOIN article_state s ON s.user_id = ? AND s.article_id = a.id "
                f"WHERE a.story_id IN ({_marks(ids)})", [user_id, *ids]):
            if not is_read(int(r[1]), marks.of(r[2]), r[3]):
                counts[int(r[0])] += 1
        return counts

    def reading_list(self, user_id: int, view: View = "all", section: str | None = None,
                     story_id: int | None = None, limit: int = 50, offset: int = 0,
                     brief: bool = True) -> list[tuple[Article, ArticleState]]:
        """Latest first (saved: latest saved first), each with the user's state, in one
        query through the latest-order indexes."""
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        where, params = [], [user_id]  # type: list[str], list[Any]
        if section is not None:
            where.append("a.section = ?")
            params.append(section)
        if story_id is not None:
            where.append("a.story_id = ?")
            params.append(story_id)
        order = "COALESCE(a.published, a.fetched) DESC, a.id DESC"
        if view == "unread":
            where.append("(s.read = 0 OR (s.read IS NULL AND a.id > MAX(?, COALESCE((SELECT "
                         "m.through FROM section_marks m WHERE m.user_id = ? AND "
                         "m.section = a.section), 0))))")
            params += [marks.everything, user_id]
        elif view == "saved":
            where.append("s.saved_at IS NOT NULL")
            order = "s.saved_at DESC, a.id DESC"
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        make, columns = (self._brief, _BRIEF) if brief else (self._article, "a.*")
        rows = self._q(
            f"SELECT {columns}, {_STATE} FROM articles a LEFT JOIN article_state s "
            f"ON s.user_id = ? AND s.article_id = a.id {clause} ORDER BY {order} "
            "LIMIT ? OFFSET ?", [*params, limit, offset])
        return [(make(r), _state(int(r["id"]), marks.of(r["section"]), r)) for r in rows]

