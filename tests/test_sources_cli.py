"""Issue 9, item 3: `newsdesk export-opml` and `newsdesk feed rename|category|remove`, run as
real processes; and the OPML round trip (export -> `newsdesk import` into a fresh database ->
the same feeds, names and categories) on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.model import Feed
from newsdesk.sources import export_opml
from newsdesk.store import Store, open_store

NOON = datetime(2026, 11, 30, 12, tzinfo=UTC)


def run(db: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NEWSDESK_EMBEDDER": "hash"})


def subscriptions(store: Store) -> list[tuple[str, str | None, str | None, str | None, str]]:
    """What a round trip must keep: url, name, category, site, and the label lists show."""
    return sorted((f.url, f.name, f.category, f.site_url, f.label) for f in store.feeds())


def fill(store: Store) -> None:
    """Feeds of every kind: renamed or not, in a category or not, without a title, with
    characters XML must escape, in two categories one of which nests nothing."""
    plain, _ = store.add_feed(Feed(url="https://a.example/rss", title="A Times",
                                   site_url="https://a.example/"))
    renamed, _ = store.add_feed(Feed(url="https://b.example/atom?x=1&y=2",
                                     title='B <"Daily"> & co'))
    store.rename_feed(renamed, "Bee & Co <mine>")
    store.set_feed_category(renamed, "Tech & science")
    untitled, _ = store.add_feed(Feed(url="https://c.example/feed.json"))
    store.set_feed_category(untitled, "Tech & science")
    spanish, _ = store.add_feed(Feed(url="https://d.example/rss", title="Diario del Litoral",
                                     site_url="https://d.example/"))
    store.set_feed_category(spanish, "Política")
    store.rename_feed(spanish, "El Litoral")
    del plain


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two fresh databases of one engine: the original and the copy."""
    if request.param == "sqlite":
        yield str(tmp_path / "original.db"), str(tmp_path / "copy.db")
        return
    server = request.getfixturevalue("pg_server")
    urls = (server.new_database(), server.new_database())
    yield urls
    for url in urls:
        server.drop_database(url)


def test_opml_round_trip_on_both_engines(two_databases: tuple[str, str],
                                         tmp_path: Path) -> None:
    original_url, copy_url = two_databases
    original = open_store(original_url)
    fill(original)
    opml = tmp_path / "subs.opml"
    opml.write_bytes(export_opml(original.feeds(), "Desk: subscriptions"))
    out = run(copy_url, "import", str(opml))
    assert out.returncode == 0, out.stderr
    assert "feeds subscribed 4" in out.stderr
    copy = open_store(copy_url)
    try:
        assert subscriptions(copy) == subscriptions(original)
        # and the copy's export is the original's (in the same order)
        def again(store: Store) -> bytes:
            return export_opml(sorted(store.feeds(), key=lambda f: f.url), "x", now=NOON)
        assert again(copy) == again(original)
        # importing it once more changes nothing
        assert run(copy_url, "import", str(opml)).returncode == 0
        assert subscriptions(copy) == subscriptions(original)
    finally:
        copy.close()
        original.close()


def test_cli_round_trip_and_commands(tmp_path: Path) -> None:
    db, fresh = tmp_path / "n.db", tmp_path / "fresh.db"
    store = open_store(db)
    fill(store)
    ids = {f.url: f.id for f in store.feeds()}
    store.close()
    out = run(db, "export-opml")
    assert out.returncode == 0 and out.stdout.startswith("<?xml version='1.0' encoding='utf-8'?>")
    assert '<outline text="Tech &amp; science" title="Tech &amp; science">' in out.stdout
    written = tmp_path / "subs.opml"
    to_file = run(db, "export-opml", str(written))
    assert to_file.returncode == 0 and to_file.stderr.strip() == f"exported 4 feeds to {written}"
    assert written.read_text().split("<body>")[1] == out.stdout.split("<body>")[1]
    assert run(fresh, "import", str(written)).returncode == 0
    a, b = open_store(db), open_store(fresh)
    assert subscriptions(a) == subscriptions(b)
    a.close()
    b.close()

    a_id = ids["https://a.example/rss"]
    renamed = run(db, "feed", "rename", str(a_id), "  Ay   Times ")
    assert renamed.returncode == 0 and renamed.stderr.strip() == (
        f"feed {a_id} is now called 'Ay Times'")
    assert run(db, "feed", "category", str(a_id), "World").returncode == 0
    listed = run(db, "feeds").stdout.splitlines()
    assert any(line.startswith(f"{a_id}\t") and "\tAy Times\t" in line for line in listed)
    store = open_store(db)
    feed = store.feed(a_id)
    assert feed is not None and (feed.name, feed.category) == ("Ay Times", "World")
    store.close()
    assert run(db, "feed", "rename", str(a_id), "--none").returncode == 0
    assert run(db, "feed", "category", str(a_id), "--none").returncode == 0
    store = open_store(db)
    feed = store.feed(a_id)
    assert feed is not None and (feed.name, feed.category, feed.label) == (None, None, "A Times")
    store.close()

    removed = run(db, "feed", "remove", str(a_id))
    assert removed.returncode == 0
    assert removed.stderr.strip() == f"removed feed {a_id} (A Times); its 0 articles stay"
    store = open_store(db)
    assert a_id not in {f.id for f in store.feeds()} and len(store.feeds()) == 3
    store.close()


@pytest.mark.parametrize("args, message", [
    (("feed", "rename", "999", "X"), "no feed with id '999'"),
    (("feed", "rename", "abc", "X"), "no feed with id 'abc'"),
    (("feed", "category", "99999999999999999999999", "X"), "no feed with id"),
    (("feed", "remove", "0"), "no feed with id '0'"),
    (("feed", "rename", "1"), "give a name or --none, not both and not neither"),
    (("feed", "rename", "1", "X", "--none"), "give a name or --none, not both"),
    (("feed", "category", "1", "   "), "empty: give a category, or --none to clear it"),
    (("feed", "rename", "1", "x" * 201), "a name has at most 200 characters"),
    (("export-opml", "/no/such/folder/subs.opml"), "no folder '/no/such/folder'"),
])
def test_bad_input_is_one_line_and_exit_1(tmp_path: Path, args: tuple[str, ...],
                                          message: str) -> None:
    db = tmp_path / "n.db"
    store = open_store(db)
    store.add_feed(Feed(url="https://a.example/rss", title="A Times"))
    store.close()
    out = run(db, *args)
    assert out.returncode == 1, (args, out.stderr)
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    store = open_store(db)
    assert [(f.name, f.category) for f in store.feeds()] == [(None, None)]  # unchanged
    store.close()
