"""The PostgreSQL engine's accounts and reading state (the design is in accounts.py).

A mixin of PostgresStore: it uses the store's `_q` (one read) and `_tx` (one transaction,
retried on a deadlock). A user's row is locked (FOR UPDATE) by every change of their reading
state, so two processes marking for one user at once apply one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

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
from .pg_sql import COLUMNS, Row, aware, to_article, to_brief

T = TypeVar("T")
Conn = psycopg.Connection[DictRow]
_BRIEF = (
    "a.id, a.external_id, a.url, a.guid, a.content_hash, a.feed_id, a.story_id, a.source, "
    "a.title, a.byline, a.published, a.fetched, a.lang, a.section, a.publisher_section, "
    f"a.description, a.summary, a.image_url, left(a.text, {BRIEF_TEXT}) AS text"
)
_FULL = ", ".join(f"a.{c.strip()}" for c in COLUMNS.split(","))
_STATE = "s.read AS st_read, s.read_at AS st_read_at, s.saved_at AS st_saved_at"


def _user(row: Row) -> User:
    return User(id=int(row["id"]), name=row["name"], password_hash=row["password_hash"],
                is_admin=bool(row["is_admin"]), created=row["created"],
                session_epoch=int(row["session_epoch"]),
                api_password_hash=row["api_password_hash"], fever_key=row["fever_key"],
                settings=dict(row["settings"] or {}),
                read_through=int(row["read_through"]), state_version=int(row["state_version"]))


def _state(article_id: int, mark: int, row: Row) -> ArticleState:
    """From a row with the _STATE columns (NULL when there is no exception row)."""
    explicit = row["st_read"]
    return ArticleState(read=is_read(article_id, mark, None if explicit is None else int(explicit)),
                        saved=row["st_saved_at"] is not None,
                        read_at=row["st_read_at"], saved_at=row["st_saved_at"])


class PostgresAccounts:
    """Users, tokens, login attempts, secrets and reading state on PostgreSQL."""

    if TYPE_CHECKING:
        def _q(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]: ...
        def _tx(self, work: Callable[[Conn], T]) -> T: ...

    # -- users ------------------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, is_admin: bool = False) -> User:
        def work(conn: Conn) -> User | None:
            row = conn.execute(
                "INSERT INTO users(name, password_hash, is_admin) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO NOTHING RETURNING *",
                (name, password_hash, is_admin)).fetchone()
            return None if row is None else _user(row)

        made = self._tx(work)
        if made is None:
            raise DuplicateUser(f"user {name!r} already exists")
        return made

    def _one_user(self, where: str, value: Any) -> User | None:
        rows = self._q(f"SELECT * FROM users WHERE {where} = %s", (value,))
        return _user(rows[0]) if rows else None

    def user(self, user_id: int) -> User | None:
        return self._one_user("id", user_id)

    def user_by_name(self, name: str) -> User | None:
        return self._one_user("name", name)

    def user_by_fever_key(self, fever_key: str) -> User | None:
        return self._one_user("fever_key", fever_key.lower())

    def users(self) -> list[User]:
        return [_user(r) for r in self._q("SELECT * FROM users ORDER BY name")]

    def _change(self, sql: str, params: list[Any] | tuple[Any, ...]) -> int:
        return self._tx(lambda conn: conn.execute(sql, params).rowcount)

    def delete_user(self, user_id: int) -> bool:
        return self._change("DELETE FROM users WHERE id = %s", (user_id,)) > 0

    def set_password(self, user_id: int, password_hash: str) -> bool:
        return self._change("UPDATE users SET password_hash = %s, session_epoch = "
                            "session_epoch + 1 WHERE id = %s", (password_hash, user_id)) > 0

    def end_sessions(self, user_id: int) -> bool:
        return self._change("UPDATE users SET session_epoch = session_epoch + 1 "
                            "WHERE id = %s", (user_id,)) > 0

    def set_api_password(self, user_id: int, api_password_hash: str | None,
                         fever_key: str | None) -> bool:
        return self._change("UPDATE users SET api_password_hash = %s, fever_key = %s "
                            "WHERE id = %s", (api_password_hash,
                                              fever_key.lower() if fever_key else None,
                                              user_id)) > 0

    def set_user_settings(self, user_id: int, settings: dict[str, Any]) -> bool:
        return self._change("UPDATE users SET settings = %s, state_version = state_version + 1 "
                            "WHERE id = %s", (Jsonb(settings), user_id)) > 0

    def add_api_token(self, user_id: int, token_hash: str) -> None:
        self._change("INSERT INTO api_tokens(token_hash, user_id) VALUES (%s, %s)",
                     (token_hash, user_id))

    def user_by_token(self, token_hash: str) -> User | None:
        rows = self._q("SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id "
                       "WHERE t.token_hash = %s", (token_hash,))
        return _user(rows[0]) if rows else None

    def revoke_api_tokens(self, user_id: int) -> int:
        return self._change("DELETE FROM api_tokens WHERE user_id = %s", (user_id,))

    # -- login attempts and shared secrets --------------------------------------------------

    def record_login_failure(self, account: str, address: str, at: datetime) -> None:
        def work(conn: Conn) -> None:
            conn.execute("DELETE FROM login_attempts WHERE at < %s",
                         (aware(at - timedelta(days=LOGIN_ATTEMPTS_KEPT_DAYS)),))
            conn.execute("INSERT INTO login_attempts(account, address, at) VALUES (%s, %s, %s)",
                         (account, address, aware(at)))

        self._tx(work)

    def login_failures(self, account: str, address: str, since: datetime) -> tuple[int, int]:
        row = self._q(
            "SELECT (SELECT COUNT(*) FROM login_attempts WHERE account = %s AND at >= %s) AS a,"
            " (SELECT COUNT(*) FROM login_attempts WHERE address = %s AND at >= %s) AS b",
            (account, aware(since), address, aware(since)))[0]
        return int(row["a"]), int(row["b"])

    def clear_login_failures(self, account: str) -> None:
        self._change("DELETE FROM login_attempts WHERE account = %s", (account,))

    def shared_secret(self, name: str, candidate: str) -> str:
        def work(conn: Conn) -> str:
            conn.execute("INSERT INTO app_secrets(name, value) VALUES (%s, %s) "
                         "ON CONFLICT (name) DO NOTHING", (name, candidate))
            row = conn.execute("SELECT value FROM app_secrets WHERE name = %s",
                               (name,)).fetchone()
            return str(row["value"]) if row else candidate

        return self._tx(work)

    # -- reading state: changes -------------------------------------------------------------

    @staticmethod
    def _lock_user(conn: Conn, user_id: int) -> int | None:
        """Lock the user's row for this transaction; their watermark, None if no user."""
        row = conn.execute("SELECT read_through FROM users WHERE id = %s FOR UPDATE",
                           (user_id,)).fetchone()
        return None if row is None else int(row["read_through"])

    @staticmethod
    def _bump(conn: Conn, user_id: int) -> None:
        conn.execute("UPDATE users SET state_version = state_version + 1 WHERE id = %s",
                     (user_id,))

    def mark_read(self, user_id: int, article_ids: list[int], read: bool = True) -> int:
        ids = sorted(set(article_ids))
        if not ids:
            return 0

        def work(conn: Conn) -> int:
            if self._lock_user(conn, user_id) is None:
                return 0
            changed = conn.execute(
                "INSERT INTO article_state(user_id, article_id, read, read_at) "
                "SELECT %s, id, %s, CASE WHEN %s THEN now() END FROM articles "
                "WHERE id = ANY(%s) ON CONFLICT (user_id, article_id) DO UPDATE SET "
                "read = excluded.read, read_at = excluded.read_at",
                (user_id, read, read, ids)).rowcount
            if changed:
                self._bump(conn, user_id)
            return changed

        return self._tx(work)

    def mark_all_read(self, user_id: int, through_id: int | None = None,
                      section: str | None = None, story_id: int | None = None) -> None:
        def work(conn: Conn) -> None:
            mark = self._lock_user(conn, user_id)
            if mark is None:
                return
            top_row = conn.execute("SELECT COALESCE(MAX(id), 0) AS top FROM articles").fetchone()
            top = int(top_row["top"]) if top_row else 0
            through = top if through_id is None else min(through_id, top)
            if story_id is not None:
                conn.execute(
                    "INSERT INTO article_state(user_id, article_id, read, read_at) "
                    "SELECT %s, id, true, now() FROM articles WHERE story_id = %s AND id <= %s "
                    "ON CONFLICT (user_id, article_id) DO UPDATE SET read = true, "
                    "read_at = excluded.read_at WHERE article_state.read IS NOT TRUE",
                    (user_id, story_id, through))
            elif section is not None:
                conn.execute("INSERT INTO section_marks(user_id, section, through) "
                             "VALUES (%s, %s, %s) ON CONFLICT (user_id, section) DO UPDATE SET "
                             "through = GREATEST(section_marks.through, excluded.through)",
                             (user_id, section, through))
                mine = ("article_id IN (SELECT s.article_id FROM article_state s JOIN "
                        "articles a ON a.id = s.article_id WHERE s.user_id = %s AND "
                        "a.section = %s AND s.article_id <= %s)")
                conn.execute(f"DELETE FROM article_state WHERE user_id = %s AND saved_at IS NULL "
                             f"AND {mine}", (user_id, user_id, section, through))
                conn.execute(f"UPDATE article_state SET read = NULL, read_at = NULL "
                             f"WHERE user_id = %s AND {mine}",
                             (user_id, user_id, section, through))
            else:
                if through > mark:
                    conn.execute("UPDATE users SET read_through = %s WHERE id = %s",
                                 (through, user_id))
                    mark = through
                conn.execute("DELETE FROM section_marks WHERE user_id = %s AND through <= %s",
                             (user_id, mark))
                conn.execute("DELETE FROM article_state WHERE user_id = %s AND "
                             "article_id <= %s AND saved_at IS NULL", (user_id, mark))
                conn.execute("UPDATE article_state SET read = NULL, read_at = NULL "
                             "WHERE user_id = %s AND article_id <= %s", (user_id, mark))
            self._bump(conn, user_id)

        self._tx(work)

    def set_saved(self, user_id: int, article_ids: list[int], saved: bool = True) -> int:
        ids = sorted(set(article_ids))
        if not ids:
            return 0

        def work(conn: Conn) -> int:
            if self._lock_user(conn, user_id) is None:
                return 0
            if saved:
                changed = conn.execute(
                    "INSERT INTO article_state(user_id, article_id, saved_at) "
                    "SELECT %s, id, now() FROM articles WHERE id = ANY(%s) "
                    "ON CONFLICT (user_id, article_id) DO UPDATE SET "
                    "saved_at = COALESCE(article_state.saved_at, excluded.saved_at)",
                    (user_id, ids)).rowcount
            else:
                changed = conn.execute(
                    "UPDATE article_state SET saved_at = NULL WHERE user_id = %s AND "
                    "article_id = ANY(%s) AND saved_at IS NOT NULL", (user_id, ids)).rowcount
                conn.execute("DELETE FROM article_state WHERE user_id = %s AND read IS NULL "
                             "AND saved_at IS NULL AND article_id = ANY(%s)", (user_id, ids))
            if changed:
                self._bump(conn, user_id)
            return changed

        return self._tx(work)

    def follow_story(self, user_id: int, story_id: int, follow: bool = True) -> bool:
        def work(conn: Conn) -> int:
            if self._lock_user(conn, user_id) is None:
                return 0
            if follow:
                changed = conn.execute(
                    "INSERT INTO followed_stories(user_id, story_id) SELECT %s, id FROM stories "
                    "WHERE id = %s ON CONFLICT DO NOTHING", (user_id, story_id)).rowcount
            else:
                changed = conn.execute("DELETE FROM followed_stories WHERE user_id = %s AND "
                                       "story_id = %s", (user_id, story_id)).rowcount
            if changed:
                self._bump(conn, user_id)
            return changed

        return self._tx(work) > 0

    @staticmethod
    def _move_follows(conn: Conn, old: int, new: int) -> None:
        """A story merged into another (regroup): its followers follow the one it became."""
        conn.execute("INSERT INTO followed_stories(user_id, story_id, since) "
                     "SELECT user_id, %s, since FROM followed_stories WHERE story_id = %s "
                     "ON CONFLICT DO NOTHING", (new, old))
        conn.execute("DELETE FROM followed_stories WHERE story_id = %s", (old,))

    # -- reading state: reads ---------------------------------------------------------------

    def latest_article_id(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(id), 0) AS top FROM articles")[0]["top"])

    def followed_stories(self, user_id: int) -> list[int]:
        return [int(r["story_id"]) for r in self._q(
            "SELECT story_id FROM followed_stories WHERE user_id = %s "
            "ORDER BY since DESC, story_id DESC", (user_id,))]

    def _marks_of(self, user_id: int) -> Marks | None:
        rows = self._q("SELECT read_through FROM users WHERE id = %s", (user_id,))
        if not rows:
            return None
        sections = self._q("SELECT section, through FROM section_marks WHERE user_id = %s",
                           (user_id,))
        return Marks(int(rows[0]["read_through"]),
                     {r["section"]: int(r["through"]) for r in sections})

    def article_states(self, user_id: int, article_ids: list[int]) -> dict[int, ArticleState]:
        ids = sorted(set(article_ids))
        marks = self._marks_of(user_id)
        if not ids or marks is None:
            return {}
        rows = {int(r["id"]): r for r in self._q(
            f"SELECT a.id, a.section, {_STATE} FROM articles a LEFT JOIN article_state s "
            "ON s.user_id = %s AND s.article_id = a.id WHERE a.id = ANY(%s)", (user_id, ids))}
        return {i: _state(i, marks.of(r["section"]), r) for i, r in rows.items()}

    def unread_counts(self, user_id: int) -> UnreadCounts:
        marks = self._marks_of(user_id)
        if marks is None:
            return UnreadCounts(0, {}, 0)
        mark = marks.everything
        counts: dict[str | None, int] = {r["section"]: int(r["n"]) for r in self._q(
            "SELECT section, COUNT(*) AS n FROM articles WHERE id > %s GROUP BY section",
            (mark,))}
        for section, through in marks.sections.items():
            if through > mark and counts.get(section):
                counts[section] -= int(self._q(
                    "SELECT COUNT(*) AS n FROM articles WHERE section = %s AND id > %s "
                    "AND id <= %s", (section, mark, through))[0]["n"])
        for r in self._q("SELECT s.article_id, s.read, a.section FROM article_state s "
                         "JOIN articles a ON a.id = s.article_id "
                         "WHERE s.user_id = %s AND s.read IS NOT NULL", (user_id,)):
            below = int(r["article_id"]) <= marks.of(r["section"])
            if r["read"] and not below:
                counts[r["section"]] = counts.get(r["section"], 0) - 1
            elif not r["read"] and below:
                counts[r["section"]] = counts.get(r["section"], 0) + 1
        saved = int(self._q("SELECT COUNT(*) AS n FROM article_state WHERE user_id = %s AND "
                            "saved_at IS NOT NULL", (user_id,))[0]["n"])
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
                "LEFT JOIN article_state s ON s.user_id = %s AND s.article_id = a.id "
                "WHERE a.story_id = ANY(%s)", (user_id, ids)):
            explicit = None if r["read"] is None else int(r["read"])
            if not is_read(int(r["id"]), marks.of(r["section"]), explicit):
                counts[int(r["story_id"])] += 1
        return counts

    def reading_list(self, user_id: int, view: View = "all", section: str | None = None,
                     story_id: int | None = None, limit: int = 50, offset: int = 0,
                     brief: bool = True) -> list[tuple[Article, ArticleState]]:
        marks = self._marks_of(user_id)
        if marks is None:
            return []
        where, params = ["true"], [user_id]  # type: list[str], list[Any]
        if section is not None:
            where.append("a.section = %s")
            params.append(section)
        if story_id is not None:
            where.append("a.story_id = %s")
            params.append(story_id)
        order = "COALESCE(a.published, a.fetched) DESC, a.id DESC"
        if view == "unread":
            where.append("(s.read = false OR (s.read IS NULL AND a.id > GREATEST(%s, COALESCE(("
                         "SELECT m.through FROM section_marks m WHERE m.user_id = %s AND "
                         "m.section = a.section), 0))))")
            params += [marks.everything, user_id]
        elif view == "saved":
            where.append("s.saved_at IS NOT NULL")
            order = "s.saved_at DESC, a.id DESC"
        make, columns = (to_brief, _BRIEF) if brief else (to_article, _FULL)
        rows = self._q(
            f"SELECT {columns}, {_STATE} FROM articles a LEFT JOIN article_state s "
            f"ON s.user_id = %s AND s.article_id = a.id WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT %s OFFSET %s", [*params, limit, offset])
        return [(make(r), _state(int(r["id"]), marks.of(r["section"]), r)) for r in rows]

