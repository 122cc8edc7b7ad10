"""Accounts and per-user reading state: the records both engines keep, and how.

Tables (SQLite migration 011, PostgreSQL 009):

    users            name (unique), password hash, admin flag, created, session epoch,
                     API password hash and Fever key, settings (JSON: language, time zone),
                     read_through (the watermark below), state_version
    api_tokens       the SHA-256 of each API token (never the token), its user
    login_attempts   failed logins by account and address, for rate limiting across processes
    app_secrets      secrets every server process shares (the cookie signing key)
    section_marks    (user, section, through): a watermark for one section
    article_state    one row per (user, article) that differs from the watermarks' verdict
                     or is saved: read (1, 0 or NULL for "as the watermark says"), read_at,
                     saved_at
    followed_stories (user, story, since)

Read state is watermarks plus exceptions, so that marking 100,000 articles read writes one
number, not 100,000 rows. Article ids only grow (never reused), so `users.read_through = W`
means "every article with id <= W is read", a section's mark S the same for its articles, and
an article_state row overrides both for one article: read = 0 (unread again, below the mark)
or read = 1 (read, above it). An article is read when

    its row says read = 1, or (there is no row saying read = 0 and id <= max(W, S)).

"Mark everything read" (optionally only up to the newest article the reader saw, so what
arrived since stays unread) moves W and drops the exceptions and section marks it makes
redundant, which keeps the tables small; "mark a section read" moves that section's mark and
drops the section's exceptions. Marking a story read (a few articles) writes exception rows.

Unread counts are then one pass over the section index (covering, ~40 ms at 100,000 articles;
through the primary key when few articles lie above W), less each section's marked range,
corrected by the exception rows: no per-request scan of read rows. `state_version` moves
with every change of a user's state: the web's page cache keys signed-in pages on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

View = Literal["all", "unread", "saved"]
VIEWS: tuple[View, ...] = ("all", "unread", "saved")
LOGIN_ATTEMPTS_KEPT_DAYS = 2  # older failed logins are pruned when a new one is recorded


class DuplicateUser(ValueError):
    """A user of that name already exists."""


@dataclass
class User:
    id: int
    name: str
    password_hash: str
    is_admin: bool
    created: datetime
    session_epoch: int
    api_password_hash: str | None = None
    fever_key: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    read_through: int = 0
    state_version: int = 0


@dataclass(frozen=True)
class ArticleState:
    """One user's view of one article."""

    read: bool = False
    saved: bool = False
    read_at: datetime | None = None
    saved_at: datetime | None = None


@dataclass(frozen=True)
class ItemQuery:
    """Which articles an app asks for (a Google Reader stream, Fever's items), for
    `item_refs`, `items` and `mark_read_where`. Every field given narrows the set.

    Items are in id order (ids only grow, so newest first is id descending): an app pages
    with `before_id` (newest first) or `after_id` (oldest first) set to the last id it got.
    Times are the article's `fetched` (when this desk first stored it: the "crawl time"
    apps sort and filter on), not its `published`, which outlets set as they like.
    """

    view: View = "all"                  # "unread": not read by the user; "saved": starred
    feed_ids: tuple[int, ...] | None = None  # articles of these feeds
    no_feed: bool = False               # only articles with no feed (pages, unsubscribed)
    category: str | None = None         # articles of the feeds in this category
    section: str | None = None
    story_id: int | None = None
    ids: tuple[int, ...] | None = None  # only these articles
    after_id: int | None = None         # id > after_id
    before_id: int | None = None        # id < before_id
    fetched_since: datetime | None = None   # fetched >= this
    fetched_before: datetime | None = None  # fetched < this
    exclude_saved: bool = False
    only_read: bool = False             # read by the user (a Google Reader "read" stream)
    only_saved: bool = False            # saved, whatever the view ("unread" and saved)
    oldest_first: bool = False
    limit: int | None = 50              # None: every match (ids only; `item_refs`)


@dataclass(frozen=True)
class ItemRef:
    """An article's id, feed and fetched time: what an app's id lists carry."""

    id: int
    feed_id: int | None
    fetched: datetime | None


@dataclass(frozen=True)
class FeedUnread:
    """A feed's unread articles for one user, and when the newest of them was fetched."""

    count: int
    newest: datetime | None


@dataclass
class UnreadCounts:
    total: int
    by_section: dict[str, int]
    saved: int


@dataclass
class Marks:
    """A user's watermarks: `everything` (users.read_through) and one per section read."""

    everything: int
    sections: dict[str, int] = field(default_factory=dict)

    def of(self, section: str | None) -> int:
        """The watermark for an article of `section`."""
        return max(self.everything, self.sections.get(section or "", 0) if section else 0)


def is_read(article_id: int, mark: int, explicit: int | None) -> bool:
    """The rule in the docstring, for one article, the watermark for its section
    (Marks.of) and its exception row's `read` value."""
    if explicit is not None:
        return bool(explicit)
    return article_id <= mark
