"""The storage contract: what every engine (SQLite, PostgreSQL) does, as units of work.

Every method that changes something is one transaction: it happens whole or not at all, and
two processes calling it at once on one database never double, lose or half-write a row.

    put_article        store-or-merge one article: dedupe by canonical URL, feed guid, external
                       id and content hash; refuse tombstoned ones; a fuller text replaces a
                       shorter one (a page after its feed summary). Stored or replaced articles
                       are left "not done" and leased to the caller for `lease_seconds`.
    save_enrichment    language, section, summary, key facts, entities, embedding of one article
    link               its similar list (and the reverse links), its story; marks it done
    claim_unenriched   articles not done whose lease has run out (a crash, a kill, a model
                       error), leased to the caller so no other process takes them meanwhile
    nearest            cosine nearest neighbours among every stored embedding, additions and
                       deletions by other processes included
    claim_due_feeds    feeds due for a refresh, leased so one feed is fetched once per cycle
    record_feed_outcome  ETag, Last-Modified, status, error, error count (reset by a success),
                       last success, Retry-After, next check time
    hold_host          a host's Retry-After ("not before"), seen by every process's fetcher
    delete_article     delete, leaving a tombstone; ids are never reused

Accounts and per-user reading state (users, API tokens, failed logins, shared secrets, read,
saved, followed) are described in accounts.py.

Reads (articles, stories, search, feeds) see committed data only. List reads take
`brief=True` for what lists and search results show (BRIEF_TEXT). The merge rule for a
duplicate lives in `merge.py` so both engines apply the same one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from ..model import Article, Feed, Story
from .accounts import ArticleState, FeedUnread, ItemQuery, ItemRef, UnreadCounts, User, View

Outcome = Literal["inserted", "updated", "duplicate", "tombstoned"]

# A brief article (brief=True) is what a list shows: every plain field, the text cut to its
# first BRIEF_TEXT characters (a teaser's first paragraph, the opening that near-duplicate
# tests compare), and no html, headings, key facts, entities or embedding.
BRIEF_TEXT = 4000


@dataclass
class Put:
    """What `put_article` did. `article` is the stored version when it needs enriching
    (inserted, or updated with a fuller text), else None."""

    outcome: Outcome
    id: int | None = None
    article: Article | None = None


@dataclass
class FeedOutcome:
    """The result of one feed check, recorded by `record_feed_outcome`.

    `next_check` is when the feed is due again (the caller's policy: refresh interval, error
    backoff); `retry_at` is a time the host asked us not to come back before (Retry-After),
    which even a forced refresh of every feed respects. `status` is one of
    model.FEED_STATUSES; when None it is "error" with an `error`, else "ok"."""

    checked: datetime
    next_check: datetime
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    title: str | None = None
    site_url: str | None = None
    status: str | None = None

    def final_status(self) -> str:
        return self.status or ("error" if self.error is not None else "ok")


@runtime_checkable
class Store(Protocol):
    """A newsdesk database. `open_store(url)` returns one."""

    url: str  # what it was opened with: a file path or a postgresql:// URL (password hidden)
    # content_version() is local and quick (no network round trip): the web server reads it
    # on its event loop
    cheap_content_version: bool

    # -- plumbing ---------------------------------------------------------------------------
    def close(self) -> None: ...
    def describe(self) -> str: ...
    def applied_migrations(self) -> list[str]: ...
    def data_version(self) -> str:
        """A value that changes whenever a change to the database is committed, by this
        process or another. Cheap to read."""
        ...
    def content_version(self) -> str:
        """A value that changes whenever a committed change alters what the pages show
        (articles, stories, similar links, story redirects), by this process or another, and
        not with feed checks, host holds, leases or jobs: what the web pages' cache is keyed
        on. Cheap to read."""
        ...
    def check(self) -> list[str]:
        """Problems found by the engine's integrity check; empty when the database is sound."""
        ...

    # -- articles: units of work ------------------------------------------------------------
    def put_article(self, article: Article, lease_seconds: float = 300.0) -> Put: ...
    def save_enrichment(self, article: Article) -> bool:
        """False when the article is gone (deleted by another process meanwhile)."""
        ...
    def link(self, article_id: int, similar: list[tuple[int, float]], keep: int,
             story_id: int | None = None, new_story_title: str | None = None) -> int | None:
        """Set the similar list (ids that no longer exist are skipped), add the article to
        the lists of the others where it ranks within `keep`, put it in `story_id` or in a new
        story titled `new_story_title`, and mark it done. Returns its story id, or None when
        the article is gone."""
        ...
    def regroup(self, groups: list[tuple[list[int], int | None, str]]) -> list[int]:
        """Re-clustering's result in one transaction: each group's articles go to the story
        id given (kept) or, when None or gone, to a new story with the title given. A story
        left with no article redirects to the one that took its articles (story_redirect).
        Returns each group's story id; articles that vanished are skipped."""
        ...
    def story_redirect(self, story_id: int) -> int | None:
        """The story a merged story's id now leads to, if it was merged away."""
        ...
    def claim_unenriched(self, limit: int, lease_seconds: float = 300.0) -> list[Article]: ...
    def count_unenriched(self) -> int: ...
    def delete_article(self, article_id: int) -> bool: ...

    # -- articles: reads --------------------------------------------------------------------
    def find_duplicate(self, article: Article) -> int | None: ...
    def is_tombstoned(self, article: Article) -> bool: ...
    def get_article(self, article_id: int) -> Article | None: ...
    def get_articles(self, ids: list[int], brief: bool = False) -> list[Article]: ...
    def articles(self, section: str | None = None, limit: int = 50, offset: int = 0,
                 lang: str | None = None, since: datetime | None = None,
                 brief: bool = False) -> list[Article]: ...
    def iter_articles(self, since: datetime | None = None,
                      batch: int = 500) -> Iterator[Article]: ...
    def count_articles(self, section: str | None = None) -> int: ...
    def section_counts(self) -> dict[str, int]: ...
    def find_by_external_id(self, external_id: str) -> int | None: ...
    def public_ids(self, ids: list[int]) -> dict[int, str]: ...

    # -- vectors, similar, stories ----------------------------------------------------------
    def nearest(self, vector: np.ndarray, k: int,
                exclude: int | None = None) -> list[tuple[int, float]]: ...
    def similar_ids(self, article_id: int, limit: int = 10) -> list[tuple[int, float]]: ...
    def similar(self, article_id: int, limit: int = 10) -> list[tuple[Article, float]]: ...
    def story_briefs(self, ids: list[int]) -> dict[int, tuple[int | None, datetime | None]]: ...
    def story_vectors(self, story_id: int, limit: int) -> list[tuple[int, np.ndarray]]: ...
    def story(self, story_id: int) -> Story | None: ...
    def story_version(self, story_id: int) -> str:
        """A value that changes when the story gains or loses an article, or when one of its
        articles gets a new text or is enriched again (what a story's digest is kept by)."""
        ...
    def story_latest_ids(self, story_id: int, limit: int) -> list[int]:
        """The ids of a story's latest `limit` articles, latest first (from an index)."""
        ...
    def story_coverage(self, story_ids: list[int]) -> dict[int, tuple[int, int, list[str]]]:
        """(articles, distinct outlets, languages sorted) by story id, without the texts:
        what lists and article pages show of a story."""
        ...
    def stories(self, min_articles: int = 2, limit: int = 50) -> list[Story]: ...
    def search(self, query: str, limit: int = 20, any_word: bool = False,
               brief: bool = False) -> list[tuple[Article, float]]:
        """Full-text search, best first, positive scores. Every word must match (the last as
        a prefix), or with `any_word` any of them (more matching words rank higher)."""
        ...

    # -- feeds ------------------------------------------------------------------------------
    def add_feed(self, feed: Feed) -> tuple[int, bool]: ...
    def feeds(self) -> list[Feed]: ...
    def feed(self, feed_id: int) -> Feed | None: ...
    def get_feed(self, url: str) -> Feed | None: ...
    def claim_due_feeds(self, now: datetime, limit: int, lease_seconds: float = 600.0,
                        every: bool = False) -> list[Feed]: ...
    def record_feed_outcome(self, feed_id: int, outcome: FeedOutcome) -> None: ...
    def rename_feed(self, feed_id: int, name: str | None) -> bool:
        """Set the reader's name for a feed (None: back to the feed's own title). False when
        there is no such feed."""
        ...
    def set_feed_category(self, feed_id: int, category: str | None) -> bool:
        """Put a feed in a category (None: in none). False when there is no such feed."""
        ...
    def delete_feed(self, feed_id: int) -> bool:
        """Unsubscribe. The feed's articles stay (stories and links keep them), with no feed;
        False when there is no such feed."""
        ...
    def feed_article_counts(self) -> dict[int, tuple[int, datetime | None]]:
        """Per feed id: (articles, when the latest stored of them was fetched), for feeds with
        articles."""
        ...

    # -- hosts ------------------------------------------------------------------------------
    def hold_host(self, host: str, until: datetime) -> None:
        """Remember that `host` ("scheme://name:port") asked not to be contacted before
        `until`; a later, longer hold wins over a shorter one."""
        ...
    def host_hold(self, host: str, now: datetime) -> datetime | None:
        """The time `host` asked us to wait until, if that is after `now`."""
        ...
    def take_host_turn(self, host: str, now: datetime, delay: float) -> datetime:
        """Reserve the next request to `host`: the later of `now` and the host's next free
        turn, which moves `delay` seconds past the one returned. One atomic step, so fetchers
        in several processes keep one host's requests `delay` apart between them."""
        ...

    # -- accounts (accounts.py) -------------------------------------------------------------
    def add_user(self, name: str, password_hash: str, is_admin: bool = False) -> User:
        """Raises accounts.DuplicateUser when the name is taken."""
        ...
    def user(self, user_id: int) -> User | None: ...
    def user_by_name(self, name: str) -> User | None: ...
    def user_by_fever_key(self, fever_key: str) -> User | None: ...
    def users(self) -> list[User]: ...
    def delete_user(self, user_id: int) -> bool:
        """With the user's tokens, reading state and followed stories."""
        ...
    def set_password(self, user_id: int, password_hash: str) -> bool:
        """Also moves the session epoch: every session cookie issued before dies."""
        ...
    def end_sessions(self, user_id: int) -> bool:
        """Move the session epoch (log out everywhere)."""
        ...
    def set_api_password(self, user_id: int, api_password_hash: str | None,
                         fever_key: str | None) -> bool: ...
    def set_user_settings(self, user_id: int, settings: dict[str, Any]) -> bool: ...
    def add_api_token(self, user_id: int, token_hash: str) -> None: ...
    def user_by_token(self, token_hash: str) -> User | None: ...
    def revoke_api_tokens(self, user_id: int) -> int: ...
    def record_login_failure(self, account: str, address: str, at: datetime) -> None: ...
    def login_failures(self, account: str, address: str, since: datetime) -> tuple[int, int]:
        """Failed logins since `since`: (for this account, from this address)."""
        ...
    def clear_login_failures(self, account: str) -> None: ...
    def shared_secret(self, name: str, candidate: str) -> str:
        """The secret stored under `name`, storing `candidate` first when there is none: the
        first process to ask decides, every other gets the same value."""
        ...

    # -- reading state (accounts.py) --------------------------------------------------------
    def mark_read(self, user_id: int, article_ids: list[int], read: bool = True) -> int:
        """Mark articles read or unread; the number of existing articles marked."""
        ...
    def mark_all_read(self, user_id: int, through_id: int | None = None,
                      section: str | None = None, story_id: int | None = None) -> None:
        """Every article (or a section's, or a story's) read, up to `through_id` if given."""
        ...
    def set_saved(self, user_id: int, article_ids: list[int], saved: bool = True) -> int: ...
    def follow_story(self, user_id: int, story_id: int, follow: bool = True) -> bool:
        """False when nothing changed (already so, or no such story)."""
        ...
    def followed_stories(self, user_id: int) -> list[int]: ...
    def latest_article_id(self) -> int:
        """The highest article id (0 when empty): what "everything I have seen" reaches."""
        ...
    def article_states(self, user_id: int, article_ids: list[int]) -> dict[int, ArticleState]: ...
    def unread_counts(self, user_id: int) -> UnreadCounts: ...
    def story_unread_counts(self, user_id: int, story_ids: list[int]) -> dict[int, int]:
        """Unread articles per story: a story is unread while this is above 0."""
        ...
    def item_refs(self, user_id: int, query: ItemQuery) -> list[ItemRef]:
        """The ids (with feed and fetched time) of the articles `query` selects, in its order,
        at most `query.limit` (None: all)."""
        ...
    def item_ids(self, user_id: int, query: ItemQuery) -> list[int]:
        """Only the ids of `item_refs`: cheaper for long lists (Fever's unread ids)."""
        ...
    def items(self, user_id: int, query: ItemQuery) -> list[tuple[Article, ArticleState]]:
        """The whole articles `query` selects (at most `query.limit`), each with the user's
        state, in its order."""
        ...
    def feed_unread_counts(self, user_id: int) -> dict[int | None, FeedUnread]:
        """Unread articles per feed id (None: articles with no feed), feeds with none left
        out."""
        ...
    def mark_read_where(self, user_id: int, query: ItemQuery, read: bool = True) -> int:
        """Mark every article `query` selects (its limit ignored) read or unread: the number
        of exception rows written. With no narrowing but `fetched_before` it moves the
        watermark (`mark_all_read`), which is not counted."""
        ...
    def reading_list(self, user_id: int, view: View = "all", section: str | None = None,
                     story_id: int | None = None, limit: int = 50, offset: int = 0,
                     brief: bool = True) -> list[tuple[Article, ArticleState]]:
        """Latest articles first (saved: latest saved first) with the user's state."""
        ...
