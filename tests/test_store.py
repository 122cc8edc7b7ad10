"""The SQLite store on a real database file: migrations, dedupe keys, tombstones, search."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from newsdesk.errors import ConfigError, StoreError
from newsdesk.model import Article, Entity, Feed
from newsdesk.store import SQLiteStore, open_store


def _article(n: int, **kw: object) -> Article:
    base = dict(title=f"Headline {n}", text=f"Body of article {n} about harbour cranes.",
                url=f"https://paper.example/{n}", content_hash=f"h{n}",
                published=datetime(2026, 11, n, tzinfo=UTC))
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_wal_mode_and_migrations_recorded(store: SQLiteStore) -> None:
    mode = store._q("PRAGMA journal_mode")[0][0]
    assert mode == "wal"
    assert store.applied_migrations() == ["001_initial"]


def test_reopen_keeps_data_and_does_not_rerun_migrations(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    s = open_store(path)
    s.insert_article(_article(1))
    s.close()
    s = open_store(path)
    assert s.count_articles() == 1
    assert s.applied_migrations() == ["001_initial"]
    s.close()


def test_round_trip_keeps_every_field(store: SQLiteStore) -> None:
    a = _article(2, external_id="ext-2", guid="g2", source="Paper", byline="A. Writer",
                 lang="en", section="business", headings=["Cranes"], summary="S.",
                 key_facts=["F one."], entities=[Entity("Rotterdam", "place")],
                 html="<p>x</p>", embedding=np.ones(4, dtype=np.float32) / 2)
    store.insert_article(a)
    assert a.id is not None
    got = store.get_article(a.id)
    assert got is not None
    for name in ("external_id", "guid", "source", "byline", "lang", "section", "headings",
                 "summary", "key_facts", "entities", "html", "title", "text", "url", "published"):
        assert getattr(got, name) == getattr(a, name), name
    assert np.allclose(got.embedding, a.embedding)


@pytest.mark.parametrize("key", ["url", "guid", "external_id", "content_hash"])
def test_find_duplicate_by_each_key(store: SQLiteStore, key: str) -> None:
    store.insert_article(_article(3, guid="g3", external_id="e3"))
    probe = Article(title="x", text="y")
    setattr(probe, key, {"url": "https://paper.example/3", "guid": "g3", "external_id": "e3",
                         "content_hash": "h3"}[key])
    assert store.find_duplicate(probe) is not None
    assert store.find_duplicate(Article(title="x", text="y", url="https://other.example/")) is None


def test_unique_url_is_enforced(store: SQLiteStore) -> None:
    store.insert_article(_article(4))
    with pytest.raises(StoreError):
        store.insert_article(_article(4, content_hash="other"))


def test_delete_leaves_tombstone(store: SQLiteStore) -> None:
    a = _article(5)
    store.insert_article(a)
    assert a.id is not None
    assert store.delete_article(a.id)
    assert store.get_article(a.id) is None
    assert store.is_tombstoned(_article(5))
    assert not store.delete_article(a.id)


def test_search_ranks_and_survives_fts_syntax(store: SQLiteStore) -> None:
    store.insert_article(_article(6, title="Port strike halts cranes", text="Dockers strike."))
    store.insert_article(_article(7, title="Glacier study", text="Ice melts; no strike here."))
    hits = store.search("strike")
    assert [a.title for a, _ in hits][0] == "Port strike halts cranes"
    # FTS syntax typed by a user is treated as words, never an SQL error
    assert [a.title for a, _ in store.search('"port (strike')] == ["Port strike halts cranes"]
    assert store.search("") == []
    # accents are folded: "migración" matches "migracion"
    store.insert_article(_article(8, title="La migración crece", text="Texto."))
    assert store.search("migracion")


def test_articles_latest_first_and_by_section(store: SQLiteStore) -> None:
    for n, section in ((1, "sport"), (2, "sport"), (3, "world")):
        store.insert_article(_article(n, section=section))
    assert [a.title for a in store.articles(section="sport")] == ["Headline 2", "Headline 1"]
    assert store.section_counts() == {"sport": 2, "world": 1}


def test_similar_and_stories(store: SQLiteStore) -> None:
    ids = []
    for n in (1, 2, 3):
        a = _article(n)
        store.insert_article(a)
        ids.append(a.id)
    store.set_similar(ids[0], [(ids[2], 0.9), (ids[1], 0.5)])
    assert [a.id for a, _ in store.similar(ids[0])] == [ids[2], ids[1]]
    sid = store.create_story("Cranes")
    store.set_story(ids[0], sid)
    store.set_story(ids[1], sid)
    assert [s.id for s in store.stories(min_articles=2)] == [sid]
    assert store.story(sid).article_ids == ids[:2]  # type: ignore[union-attr]


def test_feeds_are_unique_and_keep_http_state(store: SQLiteStore) -> None:
    feed = Feed(url="https://paper.example/rss", title="Paper")
    fid, created = store.add_feed(feed)
    assert created
    assert store.add_feed(Feed(url="https://paper.example/rss")) == (fid, False)
    feed.etag, feed.last_modified = '"abc"', "Tue, 03 Nov 2026 10:00:00 GMT"
    store.update_feed(feed)
    got = store.get_feed("https://paper.example/rss")
    assert got is not None and got.etag == '"abc"' and got.last_modified.startswith("Tue")


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="bad.db"):
        open_store(bad)


def test_missing_folder_and_postgres_url_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        open_store(tmp_path / "nope" / "x.db")
    with pytest.raises(ConfigError):
        open_store("postgresql://localhost/db")


def test_sqlite_integrity_after_many_writes(store: SQLiteStore) -> None:
    for n in range(1, 29):
        store.insert_article(_article(n))
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
