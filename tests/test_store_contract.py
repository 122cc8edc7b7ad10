"""The storage contract (store/base.py), run unchanged on every engine through `any_store`.

Only the Store protocol is used here: no SQL, no private attributes. "Another process" is a
second Store opened on the same database (`open_store(any_url)`).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pytest

from newsdesk.errors import StoreError
from newsdesk.model import Article, Entity, Feed
from newsdesk.store import FeedOutcome, Store, open_store

DIM = 512
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def unit(seed: int) -> np.ndarray:
    """A reproducible random unit vector."""
    vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vec / np.linalg.norm(vec)


def near(vec: np.ndarray, seed: int, amount: float) -> np.ndarray:
    """A unit vector at a small angle from `vec`."""
    out = vec + amount * unit(seed)
    return (out / np.linalg.norm(out)).astype(np.float32)


def article(n: int, **overrides: object) -> Article:
    values: dict[str, object] = {
        "title": f"Article number {n}", "text": f"Body of article {n}.\n\nSecond paragraph.",
        "url": f"https://news.example/{n}", "guid": f"guid-{n}", "external_id": f"ext-{n}",
        "content_hash": f"hash-{n}", "published": NOW - timedelta(hours=n), "source": "Example",
    }
    values.update(overrides)
    return Article(**values)


@pytest.fixture
def reopen(any_url: str) -> Iterator[Callable[[], Store]]:
    """Open more Store objects on the same database, closed after the test."""
    opened: list[Store] = []

    def open_more() -> Store:
        opened.append(open_store(any_url))
        return opened[-1]

    yield open_more
    for s in opened:
        s.close()


def put(store: Store, a: Article, lease_seconds: float = 300.0) -> int:
    result = store.put_article(a, lease_seconds=lease_seconds)
    assert result.outcome == "inserted", result
    assert result.id is not None
    return result.id


def enrich(store: Store, article_id: int, vec: np.ndarray) -> Article:
    a = store.get_article(article_id)
    assert a is not None
    a.embedding, a.summary, a.lang = vec, f"Summary of {a.title}", "en"
    assert store.save_enrichment(a)
    return a


# -- plumbing ------------------------------------------------------------------------------


def test_sound_database_and_migrations(any_store: Store) -> None:
    assert any_store.check() == []
    assert any_store.applied_migrations()
    assert any_store.describe()
    assert isinstance(any_store, Store)


def test_reopening_does_not_migrate_again(any_store: Store, reopen: Callable[[], Store]) -> None:
    assert reopen().applied_migrations() == any_store.applied_migrations()


# -- put_article: round trip, dedupe, tombstones, merge, ids -------------------------------


def test_round_trip_keeps_every_field(any_store: Store) -> None:
    feed_id, _ = any_store.add_feed(Feed(url="https://news.example/feed.xml"))
    a = Article(
        title="Chile y Perú reabren la frontera", text="Primer párrafo.\n\nEl cruce\n\nFinal.",
        html="<p>Primer párrafo.</p>", headings=["El cruce"], url="https://news.example/a",
        external_id="ext-a", guid="guid-a", source="La Voz", byline="Ana Pérez",
        published=datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
        fetched=datetime(2026, 3, 1, 10, 0, tzinfo=UTC), lang="es", section="politics",
        publisher_section="Política", description="La frontera reabre.",
        summary="La frontera reabre tras dos días.", key_facts=["1.800 personas varadas"],
        entities=[Entity("Chile", "place"), Entity("1.800", "number")], embedding=unit(1),
        content_hash="hash-a", feed_id=feed_id,
    )
    stored_id = put(any_store, a)
    got = any_store.get_article(stored_id)
    assert got is not None and got.id == stored_id
    for f in fields(Article):
        if f.name in ("id", "warnings", "embedding", "story_id"):
            continue
        assert getattr(got, f.name) == getattr(a, f.name), f.name
    assert got.story_id is None
    assert np.allclose(got.embedding, a.embedding)
    assert [x.id for x in any_store.get_articles([999_999, stored_id])] == [stored_id]
    assert any_store.find_by_external_id("ext-a") == stored_id
    assert any_store.public_ids([stored_id]) == {stored_id: "ext-a"}


def test_naive_times_are_utc(any_store: Store) -> None:
    stored_id = put(any_store, article(1, published=datetime(2026, 3, 1, 9, 0)))
    got = any_store.get_article(stored_id)
    assert got is not None and got.published == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("key", ["url", "guid", "external_id", "content_hash"])
def test_duplicate_by_each_key(any_store: Store, key: str) -> None:
    first = put(any_store, article(1))
    probe = article(2)
    setattr(probe, key, getattr(article(1), key))
    result = any_store.put_article(probe)
    assert (result.outcome, result.id, result.article) == ("duplicate", first, None)
    assert any_store.find_duplicate(probe) == first
    assert any_store.count_articles() == 1


@pytest.mark.parametrize("key", ["url", "guid", "external_id", "content_hash"])
def test_deleted_article_leaves_a_tombstone(any_store: Store, key: str) -> None:
    stored_id = put(any_store, article(1))
    assert any_store.delete_article(stored_id)
    assert not any_store.delete_article(stored_id)
    assert any_store.get_article(stored_id) is None
    probe = article(2)
    setattr(probe, key, getattr(article(1), key))
    assert any_store.is_tombstoned(probe)
    assert any_store.put_article(probe).outcome == "tombstoned"
    assert not any_store.is_tombstoned(article(3))
    assert any_store.count_articles() == 0


def test_fuller_page_replaces_feed_summary(any_store: Store) -> None:
    feed_id, _ = any_store.add_feed(Feed(url="https://news.example/feed.xml"))
    short = article(1, text="A two-line feed summary.", feed_id=feed_id, byline=None)
    stored_id = put(any_store, short)
    enrich(any_store, stored_id, unit(1))
    assert any_store.link(stored_id, [], keep=10) is None
    assert any_store.count_unenriched() == 0
    page_text = "\n\n".join(f"Paragraph {i} of the full page, with more words." for i in range(20))
    page = Article(title="The full headline of the page", text=page_text,
                   url=short.url, byline="Reporter Name")
    result = any_store.put_article(page)
    assert (result.outcome, result.id) == ("updated", stored_id)
    assert result.article is not None and result.article.text == page_text
    got = any_store.get_article(stored_id)
    assert got is not None
    assert (got.text, got.title, got.byline) == (page_text, page.title, "Reporter Name")
    assert (got.feed_id, got.guid, got.published) == (feed_id, short.guid, short.published)
    assert got.summary == "" and got.embedding is None  # enrichment starts again
    assert any_store.count_unenriched() == 1
    # the same page again is a plain duplicate, and a shorter text never replaces a longer one
    assert any_store.put_article(page).outcome == "duplicate"
    assert any_store.put_article(short).outcome == "duplicate"
    assert any_store.count_articles() == 1


def test_ids_are_never_reused(any_store: Store) -> None:
    put(any_store, article(1))
    newest = put(any_store, article(2))
    assert any_store.delete_article(newest)
    assert put(any_store, article(3)) > newest


# -- enrichment work: leases, done -------------------------------------------------------


def test_put_leaves_work_leased_to_the_caller(any_store: Store,
                                              reopen: Callable[[], Store]) -> None:
    put(any_store, article(1), lease_seconds=60)
    assert any_store.count_unenriched() == 1
    assert any_store.claim_unenriched(10) == []  # still leased to whoever stored it
    assert reopen().claim_unenriched(10) == []


def test_claims_respect_leases(any_store: Store, reopen: Callable[[], Store]) -> None:
    ids = [put(any_store, article(n), lease_seconds=0) for n in range(1, 4)]
    other = reopen()
    first = any_store.claim_unenriched(2, lease_seconds=60)
    assert [a.id for a in first] == ids[:2]
    second = other.claim_unenriched(10, lease_seconds=60)
    assert [a.id for a in second] == ids[2:]
    assert any_store.claim_unenriched(10) == [] and other.claim_unenriched(10) == []
    assert any_store.count_unenriched() == 3


def test_an_expired_lease_is_claimed_again(any_store: Store,
                                           reopen: Callable[[], Store]) -> None:
    stored_id = put(any_store, article(1), lease_seconds=0)
    assert [a.id for a in any_store.claim_unenriched(5, lease_seconds=0)] == [stored_id]
    assert [a.id for a in reopen().claim_unenriched(5, lease_seconds=60)] == [stored_id]
    assert any_store.claim_unenriched(5) == []


def test_a_dead_holder_loses_its_leases_at_once(any_store: Store, any_url: str) -> None:
    """A worker killed mid-way: what it leased (articles, a feed) is taken over at once,
    not after the lease runs out."""
    any_store.add_feed(Feed(url="https://a.example/rss"))
    script = (
        "import sys\n"
        "from datetime import datetime\n"
        "from newsdesk.model import Article\n"
        "from newsdesk.store import open_store\n"
        "s = open_store(sys.argv[1])\n"
        "s.put_article(Article(title='Left behind', text='x', url='https://a.example/1'),\n"
        "              lease_seconds=3600)\n"
        "assert len(s.claim_due_feeds(datetime.fromisoformat(sys.argv[2]), 10, 3600)) == 1\n"
        "s.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, any_url, NOW.isoformat()], check=True,
                   timeout=120)
    assert any_store.count_unenriched() == 1
    assert [a.title for a in any_store.claim_unenriched(10, lease_seconds=3600)] == ["Left behind"]
    assert any_store.claim_unenriched(10) == []  # now ours, and we are alive
    assert len(any_store.claim_due_feeds(NOW, 10)) == 1


def test_enrichment_and_link_mark_done(any_store: Store) -> None:
    stored_id = put(any_store, article(1), lease_seconds=0)
    a = enrich(any_store, stored_id, unit(1))
    a.section, a.key_facts, a.entities = "world", ["A fact."], [Entity("Lima", "place")]
    assert any_store.save_enrichment(a)
    assert any_store.count_unenriched() == 1  # enriched but not linked: not done yet
    story_id = any_store.link(stored_id, [], keep=10, new_story_title="A story")
    assert story_id is not None
    assert any_store.count_unenriched() == 0
    assert any_store.claim_unenriched(10, lease_seconds=0) == []
    got = any_store.get_article(stored_id)
    assert got is not None
    assert (got.section, got.key_facts, got.entities, got.story_id) == (
        "world", ["A fact."], [Entity("Lima", "place")], story_id)
    assert got.summary == a.summary and got.lang == "en"


def test_vanished_articles(any_store: Store) -> None:
    keep_id = put(any_store, article(1))
    gone_id = put(any_store, article(2))
    gone = any_store.get_article(gone_id)
    assert gone is not None
    assert any_store.delete_article(gone_id)
    gone.summary = "too late"
    assert any_store.save_enrichment(gone) is False
    assert any_store.link(gone_id, [(keep_id, 0.9)], keep=10, new_story_title="x") is None
    assert any_store.stories(min_articles=1) == []
    any_store.link(keep_id, [(gone_id, 0.95), (keep_id, 1.0)], keep=10)
    assert any_store.similar_ids(keep_id) == []


# -- vectors, similar lists, stories --------------------------------------------------------


def test_nearest_sees_other_processes(any_store: Store, reopen: Callable[[], Store]) -> None:
    other = reopen()
    base = unit(7)
    a = put(any_store, article(1))
    enrich(any_store, a, base)
    assert other.nearest(base, 5) and other.nearest(base, 5)[0][0] == a
    b = put(other, article(2))
    enrich(other, b, near(base, 8, 0.2))
    c = put(other, article(3))
    enrich(other, c, unit(99))
    hits = any_store.nearest(base, 5)
    assert [i for i, _ in hits[:2]] == [a, b]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert hits[0][1] > hits[1][1] > hits[2][1]
    assert [i for i, _ in any_store.nearest(base, 1, exclude=a)] == [b]
    assert any_store.delete_article(b)
    assert b not in [i for i, _ in other.nearest(base, 5)]
    assert b not in [i for i, _ in any_store.nearest(base, 5)]
    assert any_store.nearest(base, 0) == []


def test_similar_lists_reverse_links_and_trimming(any_store: Store) -> None:
    ids = [put(any_store, article(n)) for n in range(1, 6)]
    a1, a2, a3, a4, a5 = ids
    assert any_store.link(a1, [(a2, 0.9), (a3, 0.8)], keep=2) is None
    assert any_store.similar_ids(a1) == [(a2, pytest.approx(0.9)), (a3, pytest.approx(0.8))]
    assert any_store.similar_ids(a2) == [(a1, pytest.approx(0.9))]
    any_store.link(a4, [(a2, 0.95)], keep=2)
    any_store.link(a5, [(a2, 0.5)], keep=2)  # ranks below a2's two best: trimmed away
    assert [i for i, _ in any_store.similar_ids(a2)] == [a4, a1]
    assert [i for i, _ in any_store.similar_ids(a5)] == [a2]
    assert [(x.id, s) for x, s in any_store.similar(a1, limit=1)] == [(a2, pytest.approx(0.9))]
    any_store.link(a1, [(a3, 0.7)], keep=2)  # linking again replaces the list
    assert [i for i, _ in any_store.similar_ids(a1)] == [a3]
    assert any_store.delete_article(a3)
    assert any_store.similar_ids(a1) == []


def test_stories(any_store: Store) -> None:
    base = unit(3)
    ids = [put(any_store, article(n)) for n in range(1, 4)]
    for n, i in enumerate(ids):
        enrich(any_store, i, near(base, 10 + n, 0.1))
    story_id = any_store.link(ids[0], [], keep=10, new_story_title="Border reopens")
    assert story_id is not None
    assert any_store.link(ids[1], [(ids[0], 0.9)], keep=10, story_id=story_id) == story_id
    lone = any_store.link(ids[2], [], keep=10, new_story_title="Something else")
    assert lone not in (None, story_id)
    story = any_store.story(story_id)
    assert story is not None and story.title == "Border reopens"
    assert story.article_ids == [ids[1], ids[0]]  # oldest first
    assert story.first_published == NOW - timedelta(hours=2)
    assert story.last_published == NOW - timedelta(hours=1)
    assert [s.id for s in any_store.stories(min_articles=2)] == [story_id]
    assert {s.id for s in any_store.stories(min_articles=1)} == {story_id, lone}
    assert any_store.story(987_654) is None
    briefs = any_store.story_briefs([ids[0], ids[2]])
    assert briefs == {ids[0]: (story_id, NOW - timedelta(hours=1)),
                      ids[2]: (lone, NOW - timedelta(hours=3))}
    vectors = any_store.story_vectors(story_id, limit=1)
    assert [i for i, _ in vectors] == [ids[0]]  # the latest member
    assert np.allclose(vectors[0][1], near(base, 10, 0.1), atol=1e-6)


# -- reads ----------------------------------------------------------------------------------


def test_listing_and_counts(any_store: Store) -> None:
    ids = [put(any_store, article(n, section="world" if n % 2 else "sport",
                                  lang="en" if n < 3 else "es")) for n in range(1, 5)]
    assert [a.id for a in any_store.articles()] == ids  # newest (hour 1) first
    assert [a.id for a in any_store.articles(section="world")] == [ids[0], ids[2]]
    assert [a.id for a in any_store.articles(lang="es", limit=1, offset=1)] == [ids[3]]
    assert [a.id for a in any_store.articles(since=NOW - timedelta(hours=2))] == ids[:2]
    assert [a.id for a in any_store.iter_articles(batch=3)] == ids
    assert [a.id for a in any_store.iter_articles(since=NOW - timedelta(hours=1))] == ids[:1]
    assert any_store.count_articles() == 4 and any_store.count_articles("sport") == 2
    assert any_store.section_counts() == {"world": 2, "sport": 2}


def test_search_english_and_spanish(any_store: Store) -> None:
    es = put(any_store, article(1, title="Caos en la frontera", lang="es",
                                text="La migración por el paso de Desaguadero sigue detenida."))
    en = put(any_store, article(2, title="Travellers stranded at the border", lang="en",
                                text="Hundreds of travellers waited at the crossing."))
    body = put(any_store, article(3, title="Weather", lang="en",
                                  text="Snow fell on the border towns overnight."))
    assert [a.id for a, _ in any_store.search("frontera")] == [es]
    assert [a.id for a, _ in any_store.search("migracion")] == [es]
    assert [a.id for a, _ in any_store.search("MIGRACIÓN desaguadero")] == [es]
    assert [a.id for a, _ in any_store.search("travellers stranded")] == [en]
    assert [a.id for a, _ in any_store.search("fronte")] == [es]  # the last word is a prefix
    assert any_store.search("frontera zanahoria") == []  # every word must match
    assert any_store.search("  ¿? ") == []
    hits = any_store.search("border")
    assert [a.id for a, _ in hits] == [en, body]  # a title match ranks above a body match
    assert all(score > 0 for _, score in hits) and hits[0][1] > hits[1][1]
    a = any_store.get_article(body)
    assert a is not None
    a.summary = "Avalanche warning"
    any_store.save_enrichment(a)
    assert [x.id for x, _ in any_store.search("avalanche")] == [body]


# -- feeds ---------------------------------------------------------------------------------


def test_add_feed_once(any_store: Store) -> None:
    feed_id, created = any_store.add_feed(Feed(url="https://a.example/rss", title="A"))
    assert created
    assert any_store.add_feed(Feed(url="https://a.example/rss")) == (feed_id, False)
    got = any_store.feed(feed_id)
    assert got is not None and (got.url, got.title, got.error_count) == (
        "https://a.example/rss", "A", 0)
    assert any_store.get_feed("https://a.example/rss") == got
    assert any_store.get_feed("https://b.example/rss") is None
    assert [f.id for f in any_store.feeds()] == [feed_id]


def test_claim_due_feeds_hands_each_feed_once(any_store: Store,
                                              reopen: Callable[[], Store]) -> None:
    for n in range(12):
        any_store.add_feed(Feed(url=f"https://f{n}.example/rss"))
    stores = [any_store, reopen(), reopen()]
    claimed: list[list[int]] = [[] for _ in stores]
    barrier = threading.Barrier(len(stores))

    def claim(i: int) -> None:
        barrier.wait()
        for _ in range(4):
            claimed[i] += [f.id or 0 for f in stores[i].claim_due_feeds(NOW, limit=2)]

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in claimed for i in ids]
    assert sorted(every) == sorted({f.id for f in any_store.feeds()})  # each exactly once


def test_claim_due_feeds_schedule(any_store: Store) -> None:
    due, _ = any_store.add_feed(Feed(url="https://due.example/rss"))
    later, _ = any_store.add_feed(Feed(url="https://later.example/rss"))
    held, _ = any_store.add_feed(Feed(url="https://held.example/rss"))
    any_store.record_feed_outcome(later, FeedOutcome(checked=NOW, next_check=NOW + timedelta(1)))
    any_store.record_feed_outcome(held, FeedOutcome(checked=NOW, next_check=NOW,
                                                    retry_at=NOW + timedelta(hours=1)))
    assert [f.id for f in any_store.claim_due_feeds(NOW, 10, lease_seconds=60)] == [due]
    # a forced refresh takes the not-yet-due feed, never one the host told us to leave alone
    assert [f.id for f in any_store.claim_due_feeds(NOW, 10, every=True)] == [later]
    assert any_store.claim_due_feeds(NOW + timedelta(seconds=30), 10, every=True) == []
    # leases run out; so does Retry-After
    assert [f.id for f in any_store.claim_due_feeds(NOW + timedelta(seconds=61), 10)] == [due]
    soon = NOW + timedelta(hours=2)
    assert [f.id for f in any_store.claim_due_feeds(soon, 10)] == [due, held]


def test_record_feed_outcome(any_store: Store) -> None:
    feed_id, _ = any_store.add_feed(Feed(url="https://a.example/rss"))
    assert [f.id for f in any_store.claim_due_feeds(NOW, 10)] == [feed_id]
    nxt = NOW + timedelta(minutes=30)
    any_store.record_feed_outcome(feed_id, FeedOutcome(
        checked=NOW, next_check=nxt, etag='"v1"', last_modified="Mon, 02 Mar 2026 12:00:00 GMT",
        title="A feed", site_url="https://a.example/"))
    f = any_store.feed(feed_id)
    assert f is not None
    assert (f.etag, f.last_modified, f.title, f.site_url) == (
        '"v1"', "Mon, 02 Mar 2026 12:00:00 GMT", "A feed", "https://a.example/")
    assert (f.last_checked, f.next_check, f.retry_at, f.last_error, f.error_count) == (
        NOW, nxt, None, None, 0)
    assert (f.status, f.last_ok) == ("ok", NOW)
    assert any_store.claim_due_feeds(NOW + timedelta(minutes=1), 10) == []
    assert [x.id for x in any_store.claim_due_feeds(nxt, 10)] == [feed_id]  # lease released
    for n in (1, 2):
        any_store.record_feed_outcome(feed_id, FeedOutcome(
            checked=NOW + timedelta(hours=n), next_check=NOW + timedelta(hours=n + 1),
            error="HTTP 503", retry_at=NOW + timedelta(hours=n, minutes=5)))
    f = any_store.feed(feed_id)
    assert f is not None
    assert (f.error_count, f.last_error, f.etag, f.title) == (2, "HTTP 503", '"v1"', "A feed")
    assert f.retry_at == NOW + timedelta(hours=2, minutes=5)
    # a failure is "error" unless told otherwise; the last success is kept through failures
    assert (f.status, f.last_ok, f.last_checked) == ("error", NOW, NOW + timedelta(hours=2))
    any_store.record_feed_outcome(feed_id, FeedOutcome(
        checked=NOW + timedelta(hours=3), next_check=NOW + timedelta(hours=4), error="HTTP 429",
        status="waiting"))
    f = any_store.feed(feed_id)
    assert f is not None and (f.status, f.error_count, f.last_ok) == ("waiting", 3, NOW)
    any_store.record_feed_outcome(feed_id, FeedOutcome(
        checked=NOW + timedelta(hours=4), next_check=NOW + timedelta(hours=5), etag='"v2"',
        status="not modified"))
    f = any_store.feed(feed_id)
    assert f is not None
    assert (f.error_count, f.last_error, f.etag, f.retry_at) == (0, None, '"v2"', None)
    assert (f.status, f.last_ok) == ("not modified", NOW + timedelta(hours=4))


def test_a_new_feed_has_no_status(any_store: Store) -> None:
    feed_id, _ = any_store.add_feed(Feed(url="https://new.example/rss"))
    f = any_store.feed(feed_id)
    assert f is not None and (f.status, f.last_ok, f.last_checked) == (None, None, None)


# -- several writers at once ---------------------------------------------------------------


def test_concurrent_puts_store_each_article_once(any_store: Store,
                                                 reopen: Callable[[], Store]) -> None:
    batch = [article(n) for n in range(50)]
    stores = [reopen() for _ in range(4)]
    outcomes: list[list[str]] = [[] for _ in stores]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def work(i: int) -> None:
        try:
            barrier.wait()
            order = batch if i % 2 else batch[::-1]
            for a in order:
                copy = Article(**{f.name: getattr(a, f.name) for f in fields(Article)})
                outcomes[i].append(stores[i].put_article(copy).outcome)
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert any_store.count_articles() == 50
    every = [o for out in outcomes for o in out]
    assert every.count("inserted") == 50 and every.count("duplicate") == 150
    assert any_store.check() == []


# -- PostgreSQL only: refusals in one line -------------------------------------------------


def test_unreachable_postgres_is_one_clear_line() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://newsdesk:secret@127.0.0.1:9/news")
    message = str(caught.value)
    assert message.startswith("cannot connect to PostgreSQL at news@127.0.0.1: ")
    assert "\n" not in message and "secret" not in message


def test_password_is_hidden(pg_url: str) -> None:
    parts = urlsplit(pg_url)
    if parts.password:
        pytest.skip("the test server needs its own password")
    netloc = f"{parts.username or 'postgres'}:hunter2@{parts.netloc.rpartition('@')[2]}"
    store = open_store(urlunsplit(parts._replace(netloc=netloc)))  # trust auth ignores it
    try:
        assert "hunter2" not in store.url and "hunter2" not in store.describe()
        assert store.url.startswith("postgresql://") and "***" in store.url
    finally:
        store.close()


def test_host_holds(any_store: Store, reopen: Callable[[], Store]) -> None:
    host = "https://paper.example:443"
    assert any_store.host_hold(host, NOW) is None
    any_store.hold_host(host, NOW + timedelta(minutes=10))
    any_store.hold_host(host, NOW + timedelta(minutes=5))  # a shorter hold does not shorten it
    other = reopen()
    assert other.host_hold(host, NOW) == NOW + timedelta(minutes=10)
    assert other.host_hold(host, NOW + timedelta(minutes=11)) is None
    assert other.host_hold("https://other.example:443", NOW) is None


def test_regroup_moves_articles_and_keeps_or_makes_stories(any_store: Store) -> None:
    a1, a2, a3 = (put(any_store, article(n)) for n in (1, 2, 3))
    s1 = any_store.link(a1, [], keep=10, new_story_title="First")
    s2 = any_store.link(a2, [], keep=10, new_story_title="Second")
    assert s1 is not None and s2 is not None and s1 != s2
    got = any_store.regroup([([a1, a2], s1, "ignored"), ([a3], None, "Third"), ([a3 + 99], 999,
                                                                              "Made anew")])
    assert got[0] == s1 and got[1] not in (s1, s2) and got[2] not in (s1, s2, got[1])
    story = any_store.story(s1)
    assert story is not None and sorted(story.article_ids) == sorted([a1, a2])
    third = any_store.story(got[1])
    assert third is not None and third.title == "Third" and third.article_ids == [a3]
    old = any_store.story(s2)
    assert old is None or old.article_ids == []  # emptied by the merge


def test_a_merged_story_redirects_to_the_one_that_took_it(any_store: Store) -> None:
    a1, a2, a3 = (put(any_store, article(n)) for n in (1, 2, 3))
    s1, s2, s3 = (any_store.link(a, [], keep=10, new_story_title=f"S{a}") for a in (a1, a2, a3))
    assert s1 and s2 and s3
    assert any_store.story_redirect(s2) is None
    any_store.regroup([([a2], s1, "x")])  # s2 merged into s1
    assert any_store.story_redirect(s2) == s1
    any_store.regroup([([a1, a2], s3, "x")])  # and s1 into s3: the old link follows
    assert any_store.story_redirect(s1) == s3 and any_store.story_redirect(s2) == s3
    assert any_store.story_redirect(s3) is None


def test_story_coverage_counts_articles_outlets_and_languages(any_store: Store) -> None:
    a1 = put(any_store, article(1, source="Andes Herald", lang="en"))
    a2 = put(any_store, article(2, source="El Altiplano", lang="es"))
    a3 = put(any_store, article(3, source="Andes Herald", lang="en"))
    a4 = put(any_store, article(4, source="Lone Post", lang=None))
    s1 = any_store.link(a1, [], keep=10, new_story_title="Border")
    assert s1 is not None
    any_store.link(a2, [], keep=10, story_id=s1)
    any_store.link(a3, [], keep=10, story_id=s1)
    s2 = any_store.link(a4, [], keep=10, new_story_title="Alone")
    assert s2 is not None
    got = any_store.story_coverage([s1, s2, 999_999])
    assert got[s1] == (3, 2, ["en", "es"])
    assert got[s2] == (1, 1, [])
    assert 999_999 not in got and any_store.story_coverage([]) == {}


# -- what pages read: brief articles, a story's latest members and version, lead images ----

def test_brief_reads_carry_what_lists_show_and_no_more(any_store: Store) -> None:
    long_text = "\n\n".join(f"Paragraph {n} of a long report." for n in range(400))
    first = put(any_store, article(1, text=long_text, html="<p>Body</p>", headings=["Head"],
                                   key_facts=["A fact."], image_url="https://img.example/1.jpg",
                                   entities=[Entity("Ana Ruiz", "person")]))
    second = put(any_store, article(2, section="world", lang="es"))
    enrich(any_store, first, unit(1))
    full = any_store.get_article(first)
    assert full is not None
    [brief] = any_store.get_articles([first], brief=True)
    # every plain field as stored, the text cut to its opening, nothing heavy
    for name in ("id", "title", "url", "guid", "external_id", "content_hash", "source",
                 "published", "fetched", "lang", "section", "summary", "image_url", "story_id"):
        assert getattr(brief, name) == getattr(full, name), name
    from newsdesk.store.base import BRIEF_TEXT
    assert len(full.text) > BRIEF_TEXT and brief.text == full.text[:BRIEF_TEXT]
    assert (brief.html, brief.headings, brief.key_facts, brief.entities) == ("", [], [], [])
    assert brief.embedding is None and full.embedding is not None
    assert [a.id for a in any_store.articles(limit=5, brief=True)] == [first, second]
    assert [a.id for a in any_store.articles(section="world", brief=True)] == [second]
    found = any_store.search("Paragraph report", brief=True)
    assert [a.id for a, _ in found] == [first] and found[0][0].embedding is None


def test_lead_image_is_stored_and_a_fuller_version_keeps_or_brings_it(any_store: Store) -> None:
    teaser = put(any_store, article(1, text="Short teaser."))
    assert any_store.get_article(teaser).image_url is None  # type: ignore[union-attr]
    page = article(1, text="The whole page. " * 60, image_url="https://img.example/lead.jpg")
    assert any_store.put_article(page).outcome == "updated"
    stored = any_store.get_article(teaser)
    assert stored is not None and stored.image_url == "https://img.example/lead.jpg"


def test_story_latest_ids_and_version(any_store: Store, reopen: Callable[[], Store]) -> None:
    ids = [put(any_store, article(n)) for n in range(1, 4)]  # article 1 is the latest
    for i in ids:
        enrich(any_store, i, unit(i))
    story_id = any_store.link(ids[2], [], keep=10, new_story_title="Border reopens")
    assert story_id is not None
    any_store.link(ids[1], [], keep=10, story_id=story_id)
    assert any_store.story_latest_ids(story_id, 5) == [ids[1], ids[2]]
    assert any_store.story_latest_ids(story_id, 1) == [ids[1]]
    before = any_store.story_version(story_id)
    assert any_store.story_version(story_id) == before  # stable while nothing changes
    # an article of no story stored or enriched by another process: the story is unchanged
    other = reopen()
    put(other, article(9))
    enrich(other, ids[0], unit(7))
    assert any_store.story_version(story_id) == before
    # the story gains an article: another version
    any_store.link(ids[0], [], keep=10, story_id=story_id)
    grown = any_store.story_version(story_id)
    assert grown != before
    assert any_store.story_latest_ids(story_id, 5) == [ids[0], ids[1], ids[2]]
    # a member gets a fuller text (left to enrich again): another version, and again when done
    fuller = article(2, text="A much fuller version of the second report. " * 30,
                     content_hash="hash-2-full")  # a new text has a new content hash
    assert other.put_article(fuller).outcome == "updated"
    changed = any_store.story_version(story_id)
    assert changed != grown
    any_store.link(ids[1], [], keep=10, story_id=story_id)
    assert any_store.story_version(story_id) not in (grown, changed)


def test_content_version_moves_with_what_pages_show_only(any_store: Store,
                                                         reopen: Callable[[], Store]) -> None:
    """What the page cache is keyed on: an article, story, similar-link or redirect write, by
    this process or another, moves it; feed checks, host holds and leases do not."""
    start = any_store.content_version()
    assert any_store.content_version() == start  # stable while nothing changes
    other = reopen()
    first = put(other, article(1), lease_seconds=0)  # another process stores an article
    stored = any_store.content_version()
    assert stored != start
    second = put(any_store, article(2), lease_seconds=0)  # and this one
    assert any_store.content_version() != stored

    def unchanged_by(write: Callable[[Store], object]) -> None:
        for store in (any_store, other):  # done here and by another process
            before = any_store.content_version()
            write(store)
            assert any_store.content_version() == before, write

    feed_id, _ = any_store.add_feed(Feed(url="https://news.example/feed.xml"))
    unchanged_by(lambda s: s.hold_host("https://news.example:443", NOW + timedelta(hours=1)))
    unchanged_by(lambda s: s.claim_due_feeds(NOW + timedelta(days=1), 10, lease_seconds=0))
    unchanged_by(lambda s: s.record_feed_outcome(feed_id, FeedOutcome(
        checked=NOW, next_check=NOW + timedelta(minutes=30), error="HTTP 503")))
    unchanged_by(lambda s: s.claim_unenriched(10, lease_seconds=0))  # a lease write
    assert any_store.count_unenriched() == 2

    def moved_by(write: Callable[[], object]) -> None:
        before = any_store.content_version()
        write()
        assert any_store.content_version() != before, write

    moved_by(lambda: enrich(other, first, unit(1)))
    moved_by(lambda: any_store.link(first, [], keep=10, new_story_title="Border"))
    moved_by(lambda: other.link(second, [(first, 0.9)], keep=10, new_story_title="Other"))
    story = any_store.story_briefs([second])[second][0]
    assert story is not None
    moved_by(lambda: other.regroup([([first, second], story, "Merged")]))  # a redirect too
    moved_by(lambda: any_store.delete_article(first))


def test_host_turns_are_shared_and_spaced(any_store: Store, reopen: Callable[[], Store]) -> None:
    """Fetchers in several processes take one host's turns from the database: each turn is
    `delay` after the last one given, or now when the host has been quiet that long."""
    host = "https://paper.example:443"
    assert any_store.take_host_turn(host, NOW, 2.0) == NOW
    other = reopen()  # as another process would
    assert other.take_host_turn(host, NOW, 2.0) == NOW + timedelta(seconds=2)
    assert any_store.take_host_turn(host, NOW + timedelta(seconds=1), 2.0) == NOW + timedelta(
        seconds=4)
    later = NOW + timedelta(minutes=5)  # quiet since: its turn is at once
    assert other.take_host_turn(host, later, 2.0) == later
    assert other.take_host_turn("https://other.example:443", NOW, 2.0) == NOW
