"""Feed management and the apps' item queries in the storage contract, on every engine.

Only the Store protocol is used: no SQL, no private attributes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.model import Article, Feed
from newsdesk.store import Store
from newsdesk.store.accounts import ItemQuery

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def put(store: Store, n: int, feed_id: int | None, section: str = "world",
        minutes: int = 0) -> int:
    """Article n, fetched `minutes` after T0."""
    got = store.put_article(Article(
        title=f"Item {n}", text=f"Body of item {n}.", url=f"https://news.example/i/{n}",
        guid=f"i-{n}", content_hash=f"ih-{n}", source="Example", feed_id=feed_id,
        section=section, published=T0, fetched=T0 + timedelta(minutes=minutes)))
    assert got.id is not None
    return got.id


def two_feeds(store: Store) -> tuple[int, int, list[int], list[int]]:
    a, _ = store.add_feed(Feed(url="https://a.example/feed", title="A feed"))
    b, _ = store.add_feed(Feed(url="https://b.example/feed", title="B feed"))
    of_a = [put(store, n, a, minutes=n) for n in range(4)]
    of_b = [put(store, n, b, section="sport", minutes=n) for n in range(4, 7)]
    return a, b, of_a, of_b


def test_feed_names_categories_and_unsubscribing(any_store: Store) -> None:
    a, b, of_a, of_b = two_feeds(any_store)
    assert any_store.rename_feed(a, "My A")
    assert any_store.set_feed_category(a, "Tech")
    assert any_store.set_feed_category(b, "Tech")
    feed = any_store.feed(a)
    assert feed is not None
    assert (feed.name, feed.title, feed.label, feed.category) == ("My A", "A feed", "My A",
                                                                 "Tech")
    assert not any_store.rename_feed(999_999, "nothing")
    assert not any_store.set_feed_category(999_999, "x")
    assert any_store.rename_feed(a, None)
    assert any_store.feed(a).label == "A feed"  # type: ignore[union-attr]
    counts = any_store.feed_article_counts()
    assert counts[a][0] == 4 and counts[b][0] == 3
    assert counts[a][1] == T0 + timedelta(minutes=3)
    assert any_store.delete_feed(b)
    assert not any_store.delete_feed(b)
    assert [f.id for f in any_store.feeds()] == [a]
    # its articles stay, with no feed
    kept = any_store.get_article(of_b[0])
    assert kept is not None and kept.feed_id is None
    assert b not in any_store.feed_article_counts()


def test_item_queries_by_feed_category_time_and_id(any_store: Store) -> None:
    a, b, of_a, of_b = two_feeds(any_store)
    any_store.set_feed_category(b, "Sport")
    ana = any_store.add_user("ana", "h")

    def ids(**kw: object) -> list[int]:
        return [r.id for r in any_store.item_refs(ana.id, ItemQuery(**kw))]  # type: ignore[arg-type]

    everything = sorted(of_a + of_b)
    assert ids() == everything[::-1]  # newest first
    assert ids(oldest_first=True) == everything
    assert ids(feed_ids=(a,)) == of_a[::-1]
    assert ids(feed_ids=()) == []
    assert ids(category="Sport") == of_b[::-1]
    assert ids(section="sport") == of_b[::-1]
    assert ids(ids=(of_a[1], of_b[0], 999_999)) == sorted([of_a[1], of_b[0]])[::-1]
    # paging by the last id seen, both ways
    first = ids(limit=3)
    assert ids(limit=3, before_id=first[-1]) == everything[::-1][3:6]
    assert ids(oldest_first=True, after_id=everything[1], limit=2) == everything[2:4]
    # fetched times: [since, before)
    assert ids(fetched_since=T0 + timedelta(minutes=5)) == sorted(of_b[1:])[::-1]
    assert ids(fetched_before=T0 + timedelta(minutes=2)) == of_a[:2][::-1]
    refs = any_store.item_refs(ana.id, ItemQuery(ids=(of_a[2],)))
    assert (refs[0].feed_id, refs[0].fetched) == (a, T0 + timedelta(minutes=2))
    # views
    any_store.mark_read(ana.id, [of_a[0]])
    any_store.set_saved(ana.id, [of_b[0]])
    assert of_a[0] not in ids(view="unread") and len(ids(view="unread")) == 6
    assert ids(view="saved") == [of_b[0]]
    assert of_b[0] not in ids(exclude_saved=True)
    assert len(ids(limit=None)) == 7
    for query in (ItemQuery(limit=None), ItemQuery(view="unread", feed_ids=(a,)),
                  ItemQuery(view="saved"), ItemQuery(oldest_first=True, limit=3)):
        assert any_store.item_ids(ana.id, query) == [r.id for r in any_store.item_refs(
            ana.id, query)]
    assert any_store.item_ids(999_999, ItemQuery()) == []
    # whole articles with their state
    got = any_store.items(ana.id, ItemQuery(ids=(of_a[0], of_b[0])))
    by_id = {art.id: (art, state) for art, state in got}
    assert by_id[of_a[0]][1].read and not by_id[of_a[0]][1].saved
    assert by_id[of_b[0]][1].saved and by_id[of_b[0]][0].text == "Body of item 4."
    assert any_store.item_refs(999_999, ItemQuery()) == []


def test_unread_per_feed_and_marking_what_a_query_selects(any_store: Store) -> None:
    a, b, of_a, of_b = two_feeds(any_store)
    loose = put(any_store, 9, None, minutes=9)
    ana = any_store.add_user("ana", "h")
    bo = any_store.add_user("bo", "h")
    unread = any_store.feed_unread_counts(ana.id)
    assert {k: v.count for k, v in unread.items()} == {a: 4, b: 3, None: 1}
    assert unread[a].newest == T0 + timedelta(minutes=3)
    version = any_store.user(ana.id).state_version  # type: ignore[union-attr]
    # a feed's items older than a time
    assert any_store.mark_read_where(ana.id, ItemQuery(
        feed_ids=(a,), fetched_before=T0 + timedelta(minutes=2))) == 2
    assert any_store.user(ana.id).state_version > version  # type: ignore[union-attr]
    assert any_store.feed_unread_counts(ana.id)[a].count == 2
    assert any_store.mark_read_where(ana.id, ItemQuery(feed_ids=(a,))) == 2  # only the rest
    assert a not in any_store.feed_unread_counts(ana.id)
    assert any_store.unread_counts(ana.id).total == 4
    # unread again
    assert any_store.mark_read_where(ana.id, ItemQuery(ids=(of_a[0],)), read=False) == 1
    assert any_store.feed_unread_counts(ana.id)[a].count == 1
    # everything fetched before a time: a watermark plus the few above it
    any_store.mark_read_where(ana.id, ItemQuery(fetched_before=T0 + timedelta(minutes=6)))
    left = {r.id for r in any_store.item_refs(ana.id, ItemQuery(view="unread"))}
    assert left == {of_b[2], loose}
    any_store.mark_read_where(ana.id, ItemQuery())
    assert any_store.unread_counts(ana.id).total == 0
    assert any_store.feed_unread_counts(bo.id)[a].count == 4  # another user's own state


def test_articles_with_no_feed(any_store: Store) -> None:
    a, b, of_a, of_b = two_feeds(any_store)
    loose = [put(any_store, n, None, minutes=n) for n in range(7, 9)]
    ana = any_store.add_user("ana", "h")
    refs = any_store.item_refs(ana.id, ItemQuery(no_feed=True, limit=None))
    assert [r.id for r in refs] == loose[::-1] and {r.feed_id for r in refs} == {None}
    any_store.delete_feed(b)  # its articles join the feedless ones
    assert len(any_store.item_refs(ana.id, ItemQuery(no_feed=True, limit=None))) == 5
    # marking them read leaves every other article alone
    assert any_store.mark_read_where(ana.id, ItemQuery(no_feed=True)) == 5
    unread = {r.id for r in any_store.item_refs(ana.id, ItemQuery(view="unread", limit=None))}
    assert unread == set(of_a)


def test_saved_view_is_the_users_own(any_store: Store) -> None:
    a, b, of_a, of_b = two_feeds(any_store)
    ana, bob = any_store.add_user("ana", "h"), any_store.add_user("bob", "h")
    any_store.set_saved(bob.id, [of_a[0], of_b[1]])
    any_store.mark_read(ana.id, [of_a[1]])  # a row of ana's that is not saved
    saved = ItemQuery(view="saved", limit=None)
    assert any_store.item_refs(ana.id, saved) == []
    any_store.set_saved(ana.id, [of_b[1], of_a[2]])
    any_store.set_saved(ana.id, [of_a[2]], saved=False)
    assert [r.id for r in any_store.item_refs(ana.id, saved)] == [of_b[1]]
    got = any_store.items(ana.id, ItemQuery(view="saved", feed_ids=(b,)))
    assert [(art.id, state.saved) for art, state in got] == [(of_b[1], True)]
    assert {r.id for r in any_store.item_refs(bob.id, saved)} == {of_a[0], of_b[1]}


def test_read_and_saved_filters_combine_with_the_view(any_store: Store) -> None:
    a, b, of_a, of_b = two_feeds(any_store)
    ana = any_store.add_user("ana", "h")
    any_store.mark_read(ana.id, [of_a[0], of_a[1], of_b[0]])
    any_store.mark_all_read(ana.id, section="sport")  # a section mark: read without a row
    any_store.mark_read(ana.id, [of_b[1]], read=False)  # unread again below the mark
    any_store.set_saved(ana.id, [of_a[0], of_a[2], of_b[1]])

    def ids(**kw: object) -> set[int]:
        return {r.id for r in any_store.item_refs(ana.id, ItemQuery(limit=None, **kw))}  # type: ignore[arg-type]

    read = {of_a[0], of_a[1], of_b[0], of_b[2]}
    assert ids(only_read=True) == read
    assert ids(view="unread") == set(of_a + of_b) - read
    assert ids(only_read=True, only_saved=True) == {of_a[0]}
    assert ids(view="unread", only_saved=True) == {of_a[2], of_b[1]}
    assert ids(only_read=True, exclude_saved=True) == read - {of_a[0]}
    assert ids(only_read=True, feed_ids=(b,)) == {of_b[0], of_b[2]}
    # marking what such a query selects touches only it
    any_store.mark_read_where(ana.id, ItemQuery(only_saved=True))
    assert ids(view="unread") == {of_a[3]}
    # articles of no feed
    loose = put(any_store, 9, None, minutes=9)
    assert ids(no_feed=True) == {loose}
    assert any_store.mark_read_where(ana.id, ItemQuery(no_feed=True)) == 1
    assert ids(view="unread") == {of_a[3]}
    # unread again, an article read by a watermark alone (no exception row)
    any_store.mark_all_read(ana.id)
    assert any_store.mark_read_where(ana.id, ItemQuery(ids=(of_a[3],)), read=False) == 1
    assert ids(view="unread") == {of_a[3]}


def test_unread_per_feed_follows_section_marks_and_exceptions(any_store: Store) -> None:
    a, b, of_a, of_b = two_feeds(any_store)  # a's articles in "world", b's in "sport"
    ana = any_store.add_user("ana", "h")
    any_store.mark_all_read(ana.id, section="sport")
    assert {k: v.count for k, v in any_store.feed_unread_counts(ana.id).items()} == {a: 4}
    any_store.mark_read(ana.id, [of_b[1]], read=False)  # below its section's mark
    any_store.mark_read(ana.id, [of_a[0]])              # above the watermark
    unread = any_store.feed_unread_counts(ana.id)
    assert {k: v.count for k, v in unread.items()} == {a: 3, b: 1}
    assert unread[b].newest == T0 + timedelta(minutes=5)
    any_store.mark_all_read(ana.id, through_id=of_a[1])  # the watermark passes a's first two
    assert {k: v.count for k, v in any_store.feed_unread_counts(ana.id).items()} == {a: 2, b: 1}


def test_unread_items_when_few_lie_above_the_watermark(any_store: Store) -> None:
    """Read by id (what lies above the watermark, and what was marked unread below it):
    the same answer as the rule over every article."""
    a, b, of_a, of_b = two_feeds(any_store)
    ana = any_store.add_user("ana", "h")
    any_store.mark_all_read(ana.id, through_id=of_b[0])
    any_store.mark_read(ana.id, [of_a[1]], read=False)  # below the watermark
    any_store.mark_read(ana.id, [of_b[2]])              # above it, read
    any_store.mark_all_read(ana.id, section="sport", through_id=of_b[1])
    got = [r.id for r in any_store.item_refs(ana.id, ItemQuery(view="unread", limit=None))]
    assert got == [of_a[1]]
    assert any_store.item_refs(ana.id, ItemQuery(view="unread", feed_ids=(b,))) == []
    late = put(any_store, 20, a, minutes=20)
    assert [r.id for r in any_store.item_refs(ana.id, ItemQuery(view="unread"))] == [late,
                                                                                      of_a[1]]
