"""Schema migrations for the SQLite store, as an ordered list of functions.

Each migration runs inside one transaction together with the row that records it in the
`migrations` table: a failure leaves neither the change nor the record. Append new migrations
at the end; never edit or reorder applied ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

Migration = Callable[[sqlite3.Connection], None]


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run a script statement by statement (executescript would commit half-way)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement.strip()[:60]}")


def m001_initial(db: sqlite3.Connection) -> None:
    run_script(db,
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


_FTS_TRIGGERS = """
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


def m002_ids_leases_feed_state(db: sqlite3.Connection) -> None:
    """Ids never reused (AUTOINCREMENT), enrichment leases, feed scheduling, a vector log.

    `enriched` now means done: enriched and linked. The articles table is rebuilt (SQLite
    cannot add AUTOINCREMENT in place); foreign keys are off while this runs (see apply).
    """
    run_script(db, """
        CREATE TABLE articles_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
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
            enriched INTEGER NOT NULL DEFAULT 0,
            lease_until TEXT,
            lease_owner TEXT
        );
        INSERT INTO articles_new (id, external_id, url, guid, content_hash, feed_id, story_id,
            source, title, byline, published, fetched, lang, section, publisher_section,
            description, text, html, headings, summary, key_facts, entities, embedding, enriched)
        SELECT id, external_id, url, guid, content_hash, feed_id, story_id, source, title,
            byline, published, fetched, lang, section, publisher_section, description, text,
            html, headings, summary, key_facts, entities, embedding,
            CASE WHEN enriched = 1 AND embedding IS NOT NULL AND story_id IS NOT NULL
                 THEN 1 ELSE 0 END
        FROM articles;
        DROP TABLE articles;
        ALTER TABLE articles_new RENAME TO articles;
        CREATE UNIQUE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
        CREATE INDEX articles_guid ON articles(guid) WHERE guid IS NOT NULL;
        CREATE INDEX articles_hash ON articles(content_hash);
        CREATE INDEX articles_external ON articles(external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX articles_section_date ON articles(section, published);
        CREATE INDEX articles_date ON articles(published);
        CREATE INDEX articles_story ON articles(story_id);
        CREATE INDEX articles_todo ON articles(enriched) WHERE enriched = 0;

        CREATE TABLE stories_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL,
            created TEXT NOT NULL
        );
        INSERT INTO stories_new SELECT id, title, created FROM stories;
        DROP TABLE stories;
        ALTER TABLE stories_new RENAME TO stories;

        ALTER TABLE tombstones ADD COLUMN article_id INTEGER;
        CREATE INDEX tombstones_external ON tombstones(external_id);
        ALTER TABLE feeds ADD COLUMN next_check TEXT;
        ALTER TABLE feeds ADD COLUMN retry_at TEXT;
        ALTER TABLE feeds ADD COLUMN claimed_until TEXT;
        ALTER TABLE feeds ADD COLUMN claimed_by TEXT;

        -- every change of an embedding (saved or deleted), so each process can bring its
        -- in-memory copy of the vectors up to date with what the others did
        CREATE TABLE vector_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL
        );
        INSERT INTO vector_log(article_id) SELECT id FROM articles WHERE embedding IS NOT NULL;
    """)
    run_script(db, _FTS_TRIGGERS)
    run_script(db, "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');")


def m003_host_holds(db: sqlite3.Connection) -> None:
    """Retry-After per host, so every process's fetcher honours what a host asked."""
    run_script(db, "CREATE TABLE host_holds (host TEXT PRIMARY KEY, until TEXT NOT NULL);")


def m004_story_redirects(db: sqlite3.Connection) -> None:
    """Where the id of a story merged into another now leads."""
    run_script(db, "CREATE TABLE story_redirects (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);")


def m005_story_date_index(db: sqlite3.Connection) -> None:
    """A story's members by date from the index alone: story pages, clustering's latest members
    (ORDER BY date DESC LIMIT), the stories list. Without it each read sorted every member's
    row, text and all (bench/scale.py)."""
    run_script(db, "CREATE INDEX articles_story_date ON articles(story_id, "
                   "COALESCE(published, fetched));")


def m006_fts_prefix_indexes(db: sqlite3.Connection) -> None:
    """Prefix indexes for 1-3 letter prefixes: the last word of a query is a prefix, and one
    of one or two letters ("in", the "s" of "boy's") made FTS5 merge the lists of thousands
    of words, 0.1-0.6 s at 100,000 articles, 5-40 times faster with these (same results). An
    FTS5 table cannot be altered: it is made again and rebuilt (16 s at 100,000 articles)."""
    run_script(db, """
        DROP TRIGGER articles_ai;
        DROP TRIGGER articles_ad;
        DROP TRIGGER articles_au;
        DROP TABLE articles_fts;
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, summary, text,
            content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
        );
    """)
    run_script(db, _FTS_TRIGGERS)
    run_script(db, "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');")


def m007_feed_status(db: sqlite3.Connection) -> None:
    """What `newsdesk feeds` shows of each feed's last check: its status and the last time a
    check succeeded."""
    run_script(db, """
        ALTER TABLE feeds ADD COLUMN last_status TEXT;
        ALTER TABLE feeds ADD COLUMN last_ok TEXT;
        UPDATE feeds SET last_status = CASE WHEN error_count > 0 THEN 'error' ELSE 'ok' END,
                         last_ok = CASE WHEN error_count = 0 THEN last_checked END
            WHERE last_checked IS NOT NULL;
    """)


def m008_latest_order_indexes(db: sqlite3.Connection) -> None:
    """The pages' "latest first" order, ORDER BY COALESCE(published, fetched) DESC, id DESC,
    read from an index, for all articles and per section: without them the front page, the
    feeds and /api/articles sorted all 100,000 rows (0.5-3 s; bench/serve.py). The new
    section index starts with `section`, so it replaces articles_section_date. (Numbered 008:
    007 is left to the feed-state migration of the same issue.)"""
    run_script(db, """
        CREATE INDEX articles_latest ON articles(COALESCE(published, fetched), id);
        CREATE INDEX articles_section_latest ON articles(section, COALESCE(published, fetched),
                                                         id);
        DROP INDEX articles_section_date;
    """)


def m009_image_and_coverage(db: sqlite3.Connection) -> None:
    """The page's own lead image (og:image, twitter:image, JSON-LD image), read when the
    article was extracted from its page: what the article page shows first. And a story's
    coverage (articles, outlets, languages: every list that shows a story) counted from an
    index alone instead of reading each member's row; it starts with story_id, so it
    replaces articles_story."""
    run_script(db, """
        ALTER TABLE articles ADD COLUMN image_url TEXT;
        CREATE INDEX articles_story_coverage ON articles(story_id, source, lang);
        DROP INDEX articles_story;
    """)


# What a page shows, and so what the web's page cache (web/cache.py) must see change. Not the
# lease columns: claiming work for enrichment rewrites them and no page shows them.
CONTENT_COLUMNS = (
    "external_id", "url", "guid", "content_hash", "feed_id", "story_id", "source", "title",
    "byline", "published", "fetched", "lang", "section", "publisher_section", "description",
    "text", "html", "headings", "summary", "key_facts", "entities", "embedding", "enriched",
    "image_url",
)


def m010_content_version(db: sqlite3.Connection) -> None:
    """A counter that moves only when what the pages show changes (articles but their leases,
    stories, similar links, story redirects), for the page cache: the database's own change
    counter also moves with feed checks, host holds and leases, and dropped every kept page
    each time a worker recorded one. One row, bumped by a trigger per row written: a write
    to a page the import already has dirty."""
    bump = "BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;"
    script = """
        CREATE TABLE content_version (id INTEGER PRIMARY KEY CHECK (id = 1),
                                      version INTEGER NOT NULL);
        INSERT INTO content_version(id, version) VALUES (1, 0);
    """
    for table in ("articles", "stories", "similar", "story_redirects"):
        script += f"CREATE TRIGGER {table}_cv_insert AFTER INSERT ON {table} {bump}\n"
        script += f"CREATE TRIGGER {table}_cv_delete AFTER DELETE ON {table} {bump}\n"
        columns = ", ".join(CONTENT_COLUMNS) if table == "articles" else ""
        of = f" OF {columns}" if columns else ""
        script += f"CREATE TRIGGER {table}_cv_update AFTER UPDATE{of} ON {table} {bump}\n"
    run_script(db, script)


def m011_accounts_and_reading_state(db: sqlite3.Connection) -> None:
    """Users, API tokens, failed logins, shared secrets, per-user article state (read
    watermarks, overall and per section, plus exceptions: see store/accounts.py) and followed
    stories."""
    run_script(db, """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            is_admin INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL,
            session_epoch INTEGER NOT NULL DEFAULT 1,
            api_password_hash TEXT,
            fever_key TEXT UNIQUE,
            settings TEXT NOT NULL DEFAULT '{}',
            read_through INTEGER NOT NULL DEFAULT 0,
            state_version INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE api_tokens (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created TEXT NOT NULL
        );
        CREATE INDEX api_tokens_user ON api_tokens(user_id);
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            address TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX login_attempts_account ON login_attempts(account, at);
        CREATE INDEX login_attempts_address ON login_attempts(address, at);
        CREATE INDEX login_attempts_at ON login_attempts(at);
        CREATE TABLE app_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE section_marks (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            section TEXT NOT NULL,
            through INTEGER NOT NULL,
            PRIMARY KEY (user_id, section)
        ) WITHOUT ROWID;
        CREATE TABLE article_state (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            read INTEGER,
            read_at TEXT,
            saved_at TEXT,
            PRIMARY KEY (user_id, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX article_state_article ON article_state(article_id);
        CREATE INDEX article_state_saved ON article_state(user_id, saved_at)
            WHERE saved_at IS NOT NULL;
        CREATE TABLE followed_stories (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            since TEXT NOT NULL,
            PRIMARY KEY (user_id, story_id)
        ) WITHOUT ROWID;
        CREATE INDEX followed_stories_story ON followed_stories(story_id);
    """)


def m012_host_turns(db: sqlite3.Connection) -> None:
    """Each host's next free turn, so the per-host delay holds across processes."""
    run_script(db, "CREATE TABLE host_turns (host TEXT PRIMARY KEY, next_turn TEXT NOT NULL);")


def m013_feed_names_and_categories(db: sqlite3.Connection) -> None:
    """The reader's own name and category for each feed, and a feed's articles by id (what
    the apps' per-feed streams and unread counts read)."""
    run_script(db, """
        ALTER TABLE feeds ADD COLUMN name TEXT;
        ALTER TABLE feeds ADD COLUMN category TEXT;
        CREATE INDEX feeds_category ON feeds(category) WHERE category IS NOT NULL;
        CREATE INDEX articles_feed ON articles(feed_id, id);
    """)


def m014_feed_unread_index(db: sqlite3.Connection) -> None:
    """Unread counts per feed from an index alone (store/items.py, unread_by_feed)."""
    run_script(db, "CREATE INDEX articles_feed_unread ON articles(feed_id, section, fetched);")


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", m001_initial),
    ("002_ids_leases_feed_state", m002_ids_leases_feed_state),
    ("003_host_holds", m003_host_holds),
    ("004_story_redirects", m004_story_redirects),
    ("005_story_date_index", m005_story_date_index),
    ("006_fts_prefix_indexes", m006_fts_prefix_indexes),
    ("007_feed_status", m007_feed_status),
    ("008_latest_order_indexes", m008_latest_order_indexes),
    ("009_image_and_coverage", m009_image_and_coverage),
    ("010_content_version", m010_content_version),
    ("011_accounts_and_reading_state", m011_accounts_and_reading_state),
    ("012_host_turns", m012_host_turns),
    ("013_feed_names_and_categories", m013_feed_names_and_categories),
    ("014_feed_unread_index", m014_feed_unread_index),
]


def apply(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names.

    `db` must be in autocommit mode (isolation_level=None). BEGIN IMMEDIATE takes the write
    lock before reading what is applied, so two processes opening a new database at once
    do not both run a migration.
    """
    applied = []
    db.execute("PRAGMA foreign_keys=OFF")  # a table rebuild must not cascade; no-op in a txn
    try:
        for name, fn in MIGRATIONS:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("CREATE TABLE IF NOT EXISTS migrations "
                           "(name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
                if db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                    db.execute("COMMIT")
                    continue
                fn(db)
                problems = db.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise sqlite3.IntegrityError(f"migration {name} broke {len(problems)} "
                                                 "foreign keys")
                db.execute("INSERT INTO migrations(name, applied) VALUES (?, ?)",
                           (name, datetime.now(UTC).isoformat()))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            applied.append(name)
    finally:
        db.execute("PRAGMA foreign_keys=ON")
    return applied
