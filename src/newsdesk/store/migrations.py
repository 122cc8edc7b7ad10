"""Schema migrations for the SQLite store, as an ordered list of functions.

Each migration runs once, inside a transaction, and is recorded by name in the
`migrations` table. Append new migrations at the end; never edit or reorder applied ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

Migration = Callable[[sqlite3.Connection], None]


def m001_initial(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            site_url TEXT,
            etag TEXT,
            last_modified TEXT,
            last_checked TEXT,
            last_error TEXT,
            error_count INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL
        );
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            created TEXT NOT NULL
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            external_id TEXT,
            url TEXT,
            guid TEXT,
            content_hash TEXT,
            feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
            story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,
            source TEXT,
            title TEXT NOT NULL DEFAULT '',
            byline TEXT,
            published TEXT,
            fetched TEXT NOT NULL,
            lang TEXT,
            section TEXT,
            publisher_section TEXT,
            description TEXT,
            text TEXT NOT NULL DEFAULT '',
            html TEXT NOT NULL DEFAULT '',
            headings TEXT NOT NULL DEFAULT '[]',
            summary TEXT NOT NULL DEFAULT '',
            key_facts TEXT NOT NULL DEFAULT '[]',
            entities TEXT NOT NULL DEFAULT '[]',
            embedding BLOB,
            enriched INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
        CREATE INDEX articles_guid ON articles(guid) WHERE guid IS NOT NULL;
        CREATE INDEX articles_hash ON articles(content_hash);
        CREATE INDEX articles_external ON articles(external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX articles_section_date ON articles(section, published);
        CREATE INDEX articles_date ON articles(published);
        CREATE INDEX articles_story ON articles(story_id);
        CREATE TABLE similar (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            PRIMARY KEY (article_id, other_id)
        );
        CREATE TABLE tombstones (
            id INTEGER PRIMARY KEY,
            url TEXT,
            guid TEXT,
            content_hash TEXT,
            external_id TEXT,
            deleted TEXT NOT NULL
        );
        CREATE INDEX tombstones_url ON tombstones(url);
        CREATE INDEX tombstones_guid ON tombstones(guid);
        CREATE INDEX tombstones_hash ON tombstones(content_hash);
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, summary, text,
            content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, summary, text)
            VALUES (new.id, new.title, new.summary, new.text);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
            VALUES ('delete', old.id, old.title, old.summary, old.text);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, summary, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
            VALUES ('delete', old.id, old.title, old.summary, old.text);
            INSERT INTO articles_fts(rowid, title, summary, text)
            VALUES (new.id, new.title, new.summary, new.text);
        END;
        """
    )


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", m001_initial),
]


def apply(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM migrations")}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        # executescript commits implicitly, so each migration is recorded right after it runs
        fn(db)
        db.execute(
            "INSERT INTO migrations(name, applied) VALUES (?, ?)",
            (name, datetime.now(UTC).isoformat()),
        )
        db.commit()
        applied.append(name)
    return applied
