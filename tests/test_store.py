"""The SQLite engine on real database files: WAL, atomic migrations, the upgrade from the first
schema, clear errors, FTS syntax. What every engine must do is in test_store_contract.py."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.errors import ConfigError, StoreError
from newsdesk.model import Article
from newsdesk.store import SQLiteStore, migrations, open_store


def _article(n: int, **kw: object) -> Article:
    base = dict(title=f"Headline {n}", text=f"Body of article {n} about harbour cranes.",
                url=f"https://paper.example/{n}", content_hash=f"h{n}",
                published=datetime(2026, 11, n, tzinfo=UTC))
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_wal_mode_and_migrations_recorded(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.db")
    assert store.applied_migrations() == [name for name, _ in migrations.MIGRATIONS]
    store.close()
    con = sqlite3.connect(tmp_path / "w.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_reopen_keeps_data_and_does_not_rerun_migrations(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    s = open_store(path)
    s.put_article(_article(1))
    s.close()
    s = open_store(path)
    assert s.count_articles() == 1
    assert s.applied_migrations() == [name for name, _ in migrations.MIGRATIONS]
    s.close()


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (issue 5): a failure used to leave a table created but unrecorded."""
    path = tmp_path / "m.db"
    open_store(path).close()

    def broken(db: sqlite3.Connection) -> None:
        migrations.run_script(db, "CREATE TABLE half_done (x INTEGER);")
        raise sqlite3.OperationalError("injected failure")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, ("999_broken", broken)])
    with pytest.raises(StoreError, match="injected failure"):
        open_store(path)
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    recorded = {r[0] for r in con.execute("SELECT name FROM migrations")}
    con.close()
    assert "half_done" not in tables and "999_broken" not in recorded
    monkeypatch.undo()
    store = open_store(path)  # and the next run works
    assert store.count_articles() == 0
    store.close()


def test_upgrade_from_the_first_schema_keeps_articles_and_never_reuses_ids(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
    open_store(path).close()
    con = sqlite3.connect(path)
    for n in (1, 2, 3):
        con.execute("INSERT INTO articles(id, title, text, url, fetched, enriched, summary) "
                    "VALUES (?, ?, 'Body.', ?, '2026-11-01T00:00:00+00:00', 1, 'S.')",
                    (n, f"Old {n}", f"https://old.example/{n}"))
    con.commit()
    con.close()
    monkeypatch.undo()
    store = open_store(path)
    assert store.count_articles() == 3
    assert store.get_article(2).title == "Old 2"  # type: ignore[union-attr]
    # the old rows had no embedding or story: they are not done and will be finished
    assert store.count_unenriched() == 3
    assert store.delete_article(3)
    put = store.put_article(_article(9))
    assert put.id == 4  # 3 was deleted: its id is not given to another article
    assert store.search("Old")
    assert store.check() == []
    store.close()


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="bad.db"):
        open_store(bad)


def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        open_store(tmp_path / "nope" / "x.db")


def test_search_survives_fts_syntax(store: SQLiteStore) -> None:
    store.put_article(_article(6, title="Port strike halts cranes", text="Dockers strike."))
    # FTS syntax typed by a user is treated as words, never an SQL error
    assert [a.title for a, _ in store.search('"port (strike')] == ["Port strike halts cranes"]
    assert store.search("") == []


def test_integrity_after_many_writes(store: SQLiteStore) -> None:
    for n in range(1, 29):
        store.put_article(_article(n))
    for n in range(1, 29, 3):
        store.delete_article(n)
    assert store.check() == []


def test_reading_threads_use_their_own_connections_and_see_every_commit(tmp_path: Path) -> None:
    """Reads run on one connection per thread (so pages do not queue behind each other's
    queries); each must see what any connection committed before it, and the store's own
    write transactions read their own writes."""
    store = open_store(tmp_path / "t.db")
    ids = [store.put_article(_article(n)).id for n in range(1, 6)]
    seen: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def reader(n: int) -> None:
        try:
            start.wait()
            seen[n] = [store.count_articles() for _ in range(50)]
        except BaseException as exc:  # a failed read must fail the test, not vanish
            errors.append(exc)

    def writer() -> None:
        start.wait()
        for n in range(6, 26):
            store.put_article(_article(n % 28 + 1, url=f"https://paper.example/w{n}",
                                       content_hash=f"w{n}"))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(5)]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for counts in seen.values():  # every reader only ever saw whole commits, never fewer
        assert counts == sorted(counts) and counts[0] >= 5 and counts[-1] <= 25
    assert store.count_articles() == 25  # a read right after the last commit sees it
    assert store.get_article(ids[0]) is not None
    store.close()
    with pytest.raises(StoreError):  # after close a read is a clear error, not a crash
        store.count_articles()
