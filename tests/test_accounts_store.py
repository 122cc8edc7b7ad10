"""Accounts and reading state in the storage contract, run on every engine (`any_store`).

Only the Store protocol is used: no SQL, no private attributes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.model import Article
from newsdesk.store import Store, open_store
from newsdesk.store.accounts import DuplicateUser

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def article(n: int, section: str | None = None) -> Article:
    return Article(title=f"Article {n}", text=f"Body {n}.", url=f"https://news.example/{n}",
                   guid=f"g-{n}", content_hash=f"h-{n}", source="Example",
                   published=NOW - timedelta(hours=n), section=section)


_numbers = itertools.count()


def fill(store: Store, count: int, section: str | None = "world") -> list[int]:
    """`count` new articles, each older than the one before."""
    ids = []
    for _ in range(count):
        put = store.put_article(article(next(_numbers), section))
        assert put.id is not None
        ids.append(put.id)
    return ids


@pytest.fixture
def reopen(any_url: str) -> Iterator[Callable[[], Store]]:
    opened: list[Store] = []

    def open_more() -> Store:
        opened.append(open_store(any_url))
        return opened[-1]

    yield open_more
    for s in opened:
        s.close()


def test_users_add_find_change_delete(any_store: Store) -> None:
    ana = any_store.add_user("ana", "scrypt$hash-a", is_admin=True)
    bo = any_store.add_user("bo", "scrypt$hash-b")
    assert ana.is_admin and not bo.is_admin and ana.id != bo.id
    with pytest.raises(DuplicateUser):
        any_store.add_user("ana", "other")
    assert [u.name for u in any_store.users()] == ["ana", "bo"]
    found = any_store.user_by_name("bo")
    assert found is not None and found.password_hash == "scrypt$hash-b"
    epoch = found.session_epoch
    assert any_store.set_password(bo.id, "scrypt$new")
    changed = any_store.user(bo.id)
    assert changed is not None and changed.password_hash == "scrypt$new"
    assert changed.session_epoch == epoch + 1
    assert any_store.end_sessions(bo.id)
    again = any_store.user(bo.id)
    assert again is not None and again.session_epoch == epoch + 2
    assert any_store.set_api_password(bo.id, "scrypt$api", "ABCDEF0123")
    by_key = any_store.user_by_fever_key("abcdef0123")
    assert by_key is not None and by_key.id == bo.id and by_key.api_password_hash == "scrypt$api"
    assert any_store.set_user_settings(bo.id, {"language": "es", "time_zone": "Europe/Madrid"})
    with_settings = any_store.user(bo.id)
    assert with_settings is not None
    assert with_settings.settings == {"language": "es", "time_zone": "Europe/Madrid"}
    assert any_store.delete_user(bo.id)
    assert not any_store.delete_user(bo.id)
    assert any_store.user_by_name("bo") is None and any_store.user(bo.id) is None
    assert not any_store.set_password(bo.id, "x")


def test_api_tokens_by_hash(any_store: Store) -> None:
    ana = any_store.add_user("ana", "h")
    any_store.add_api_token(ana.id, "sha-of-token-1")
    any_store.add_api_token(ana.id, "sha-of-token-2")
    found = any_store.user_by_token("sha-of-token-2")
    assert found is not None and found.name == "ana"
    assert any_store.user_by_token("sha-of-something-else") is None
    assert any_store.revoke_api_tokens(ana.id) == 2
    assert any_store.user_by_token("sha-of-token-1") is None


def test_deleting_a_user_takes_their_tokens_and_state(any_store: Store) -> None:
    ids = fill(any_store, 3)
    ana = any_store.add_user("ana", "h")
    any_store.add_api_token(ana.id, "tok")
    any_store.mark_read(ana.id, ids[:1])
    any_store.set_saved(ana.id, ids[1:2])
    assert any_store.delete_user(ana.id)
    assert any_store.user_by_token("tok") is None
    again = any_store.add_user("ana", "h")
    assert any_store.unread_counts(again.id).total == 3
    assert any_store.unread_counts(again.id).saved == 0


def test_login_failures_seen_by_other_processes(any_store: Store,
                                                reopen: Callable[[], Store]) -> None:
    other = reopen()
    for _ in range(3):
        any_store.record_login_failure("ana", "10.0.0.1", NOW)
    other.record_login_failure("bo", "10.0.0.1", NOW)
    other.record_login_failure("ana", "10.0.0.2", NOW - timedelta(hours=1))
    assert other.login_failures("ana", "10.0.0.1", NOW - timedelta(minutes=15)) == (3, 4)
    assert any_store.login_failures("ana", "10.0.0.2", NOW - timedelta(hours=2)) == (4, 1)
    any_store.clear_login_failures("ana")
    assert other.login_failures("ana", "10.0.0.1", NOW - timedelta(hours=2)) == (0, 1)


def test_shared_secret_is_decided_once(any_store: Store, reopen: Callable[[], Store]) -> None:
    first = any_store.shared_secret("session", "secret-one")
    assert first == "secret-one"
    assert reopen().shared_secret("session", "secret-two") == "secret-one"


def test_read_unread_and_counts(any_store: Store) -> None:
    world = fill(any_store, 4, "world")
    sport = fill(any_store, 3, "sport")
    ana = any_store.add_user("ana", "h")
    bo = any_store.add_user("bo", "h")
    counts = any_store.unread_counts(ana.id)
    assert (counts.total, counts.by_section) == (7, {"world": 4, "sport": 3})
    version = any_store.user(ana.id).state_version  # type: ignore[union-attr]
    assert any_store.mark_read(ana.id, [world[0], sport[0], 999_999]) == 2
    assert any_store.user(ana.id).state_version > version  # type: ignore[union-attr]
    counts = any_store.unread_counts(ana.id)
    assert (counts.total, counts.by_section) == (5, {"world": 3, "sport": 2})
    assert any_store.unread_counts(bo.id).total == 7  # another user's state is their own
    states = any_store.article_states(ana.id, [world[0], world[1]])
    assert states[world[0]].read and states[world[0]].read_at is not None
    assert not states[world[1]].read
    any_store.mark_read(ana.id, [world[0]], read=False)
    assert not any_store.article_states(ana.id, [world[0]])[world[0]].read
    assert any_store.unread_counts(ana.id).total == 6


def test_mark_everything_read_is_a_watermark(any_store: Store) -> None:
    old = fill(any_store, 5, "world")
    ana = any_store.add_user("ana", "h")
    any_store.set_saved(ana.id, [old[0]])
    any_store.mark_all_read(ana.id, through_id=max(old))
    newer = fill(any_store, 2, "sport")  # arrived after the reader's page
    counts = any_store.unread_counts(ana.id)
    assert (counts.total, counts.by_section, counts.saved) == (2, {"sport": 2}, 1)
    states = any_store.article_states(ana.id, [*old, *newer])
    assert all(states[i].read for i in old) and not any(states[i].read for i in newer)
    assert states[old[0]].saved
    # one old article unread again, below the watermark
    any_store.mark_read(ana.id, [old[2]], read=False)
    counts = any_store.unread_counts(ana.id)
    assert (counts.total, counts.by_section) == (3, {"sport": 2, "world": 1})
    unread = [a.id for a, _ in any_store.reading_list(ana.id, view="unread")]
    assert sorted(unread) == sorted([old[2], *newer])
    any_store.mark_all_read(ana.id)
    assert any_store.unread_counts(ana.id).total == 0
    assert any_store.reading_list(ana.id, view="unread") == []
    assert [a.id for a, _ in any_store.reading_list(ana.id, view="saved")] == [old[0]]


def test_mark_a_section_or_a_story_read(any_store: Store) -> None:
    world = fill(any_store, 3, "world")
    sport = fill(any_store, 2, "sport")
    ana = any_store.add_user("ana", "h")
    any_store.mark_read(ana.id, [world[0]], read=True)
    any_store.mark_all_read(ana.id, section="world")
    counts = any_store.unread_counts(ana.id)
    assert (counts.total, counts.by_section) == (2, {"sport": 2})
    later = fill(any_store, 1, "world")  # arrived after: unread
    counts = any_store.unread_counts(ana.id)
    assert (counts.total, counts.by_section) == (3, {"sport": 2, "world": 1})
    unread = any_store.reading_list(ana.id, view="unread", section="world")
    assert [a.id for a, _ in unread] == later
    states = any_store.article_states(ana.id, [*world, *later])
    assert [states[i].read for i in [*world, *later]] == [True, True, True, False]
    any_store.mark_read(ana.id, [world[1]], read=False)  # unread again under the section mark
    assert any_store.unread_counts(ana.id).by_section == {"sport": 2, "world": 2}
    any_store.mark_all_read(ana.id, section="world")
    assert any_store.unread_counts(ana.id).by_section == {"sport": 2}
    story_id = any_store.link(sport[0], [], keep=5, new_story_title="A story")
    assert story_id is not None
    any_store.link(sport[1], [], keep=5, story_id=story_id)
    any_store.link(world[0], [], keep=5, story_id=story_id)
    any_store.mark_read(ana.id, [world[0]], read=False)
    assert any_store.story_unread_counts(ana.id, [story_id]) == {story_id: 3}
    any_store.mark_read(ana.id, [sport[0]])
    assert any_store.story_unread_counts(ana.id, [story_id]) == {story_id: 2}
    any_store.mark_all_read(ana.id, story_id=story_id)
    assert any_store.story_unread_counts(ana.id, [story_id]) == {story_id: 0}
    assert any_store.unread_counts(ana.id).total == 0


def test_saved_and_reading_list_views(any_store: Store) -> None:
    ids = fill(any_store, 6, "world")
    ana = any_store.add_user("ana", "h")
    assert any_store.set_saved(ana.id, [ids[4], ids[1]]) == 2
    listed = any_store.reading_list(ana.id, view="all", limit=3)
    assert [a.id for a, _ in listed] == ids[:3]  # latest first (article 0 is newest)
    assert [s.saved for _, s in listed] == [False, True, False]
    saved = [a.id for a, _ in any_store.reading_list(ana.id, view="saved")]
    assert sorted(saved) == sorted([ids[1], ids[4]])
    any_store.mark_read(ana.id, [ids[0], ids[1]])
    unread = any_store.reading_list(ana.id, view="unread", section="world", limit=2, offset=1)
    assert [a.id for a, _ in unread] == ids[3:5]
    assert all(not s.read for _, s in unread)
    assert any_store.set_saved(ana.id, [ids[1]], saved=False) == 1
    assert [a.id for a, _ in any_store.reading_list(ana.id, view="saved")] == [ids[4]]
    assert any_store.article_states(ana.id, [ids[1]])[ids[1]].read  # unsaving keeps it read
    full = any_store.reading_list(ana.id, limit=1, brief=False)
    assert full[0][0].id == ids[0] and full[0][0].text.startswith("Body ")


def test_follow_stories(any_store: Store) -> None:
    ids = fill(any_store, 2)
    story_id = any_store.link(ids[0], [], keep=5, new_story_title="Story")
    assert story_id is not None
    ana = any_store.add_user("ana", "h")
    assert any_store.follow_story(ana.id, story_id)
    assert not any_store.follow_story(ana.id, story_id)  # already followed
    assert not any_store.follow_story(ana.id, 987_654)  # no such story
    assert any_store.followed_stories(ana.id) == [story_id]
    assert any_store.follow_story(ana.id, story_id, follow=False)
    assert any_store.followed_stories(ana.id) == []


def test_a_followed_story_merged_away_stays_followed(any_store: Store) -> None:
    ids = fill(any_store, 3)
    first = any_store.link(ids[0], [], keep=5, new_story_title="First")
    second = any_store.link(ids[1], [], keep=5, new_story_title="Second")
    assert first is not None and second is not None
    ana = any_store.add_user("ana", "h")
    any_store.follow_story(ana.id, first)
    [kept] = any_store.regroup([([ids[0], ids[1]], second, "Merged")])
    assert kept == second and any_store.story_redirect(first) == second
    assert any_store.followed_stories(ana.id) == [second]


def test_deleted_article_leaves_no_state(any_store: Store) -> None:
    ids = fill(any_store, 3)
    ana = any_store.add_user("ana", "h")
    any_store.mark_read(ana.id, [ids[0]])
    any_store.set_saved(ana.id, [ids[0]])
    assert any_store.delete_article(ids[0])
    counts = any_store.unread_counts(ana.id)
    assert (counts.total, counts.saved) == (2, 0)
