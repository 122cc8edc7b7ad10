"""Schema migrations for the PostgreSQL store, as an ordered list of functions.

The same mechanism as the SQLite engine (migrations.py): each migration runs in one
transaction together with the row that records it in `migrations`, so a failure leaves
neither. A transaction-scoped advisory lock makes a second process that starts at the same
moment wait, then find the migration recorded and skip it. Append new migrations at the end;
never edit or reorder applied ones.

The tables mirror SQLite's; what differs is PostgreSQL's own machinery: identity ids (never
reused), timestamptz, jsonb, a pgvector column with an HNSW index for `nearest`, and a
tsvector column written with each article (see pg_sql.py) with a GIN index for `search`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from procrastinate.schema import SchemaManager
from psycopg.rows import tuple_row

from ..errors import ConfigError
from .migrations import CONTENT_COLUMNS

Conn = psycopg.Connection[Any]
Migration = Callable[[Conn], None]

# the indexed size: every embedder in enrich/embed.py gives 512 floats. The column takes any
# size (a user may switch embedders, as in SQLite); other sizes are searched exactly, unindexed
DIMENSIONS = 512
MIGRATION_LOCK = 0x6E657773_64657331  # pg_advisory_xact_lock key shared by every newsdesk process


def m001_initial(conn: Conn) -> None:
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    conn.execute(f"""
        CREATE TABLE feeds (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            site_url TEXT,
            etag TEXT,
            last_modified TEXT,
            last_checked TIMESTAMPTZ,
            last_error TEXT,
            error_count INTEGER NOT NULL DEFAULT 0,
            next_check TIMESTAMPTZ,
            retry_at TIMESTAMPTZ,
            claimed_until TIMESTAMPTZ,
            claimed_by TEXT,
            created TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE stories (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            title TEXT NOT NULL,
            created TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE articles (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            external_id TEXT,
            url TEXT UNIQUE,
            guid TEXT,
            content_hash TEXT,
            feed_id BIGINT REFERENCES feeds(id) ON DELETE SET NULL,
            story_id BIGINT REFERENCES stories(id) ON DELETE SET NULL,
            source TEXT,
            title TEXT NOT NULL DEFAULT '',
            byline TEXT,
            published TIMESTAMPTZ,
            fetched TIMESTAMPTZ NOT NULL DEFAULT now(),
            lang TEXT,
            section TEXT,
            publisher_section TEXT,
            description TEXT,
            text TEXT NOT NULL DEFAULT '',
            html TEXT NOT NULL DEFAULT '',
            headings JSONB NOT NULL DEFAULT '[]',
            summary TEXT NOT NULL DEFAULT '',
            key_facts JSONB NOT NULL DEFAULT '[]',
            entities JSONB NOT NULL DEFAULT '[]',
            embedding vector,
            enriched BOOLEAN NOT NULL DEFAULT false,
            lease_until TIMESTAMPTZ,
            lease_owner TEXT,
            search TSVECTOR NOT NULL DEFAULT ''
        );
        CREATE INDEX articles_guid ON articles(guid) WHERE guid IS NOT NULL;
        CREATE INDEX articles_hash ON articles(content_hash) WHERE content_hash IS NOT NULL;
        CREATE INDEX articles_external ON articles(external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX articles_section_date ON articles(section, (COALESCE(published, fetched)));
        CREATE INDEX articles_date ON articles((COALESCE(published, fetched)));
        CREATE INDEX articles_story ON articles(story_id);
        CREATE INDEX articles_todo ON articles(id) WHERE NOT enriched;
        CREATE INDEX articles_search ON articles USING gin(search);
        CREATE INDEX articles_embedding ON articles
            USING hnsw ((embedding::vector({DIMENSIONS})) vector_cosine_ops)
            WHERE vector_dims(embedding) = {DIMENSIONS};
        CREATE TABLE similar_links (
            article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            other_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            score DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (article_id, other_id)
        );
        CREATE INDEX similar_other ON similar_links(other_id);
        CREATE TABLE tombstones (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            url TEXT,
            guid TEXT,
            content_hash TEXT,
            external_id TEXT,
            article_id BIGINT,
            deleted TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX tombstones_url ON tombstones(url);
        CREATE INDEX tombstones_guid ON tombstones(guid);
        CREATE INDEX tombstones_hash ON tombstones(content_hash);
        CREATE INDEX tombstones_external ON tombstones(external_id);
    """)


def m002_procrastinate(conn: Conn) -> None:
    """The task queue `newsdesk worker` runs on (worker.py) lives in the same database."""
    conn.execute(SchemaManager.get_schema())


def m003_host_holds(conn: Conn) -> None:
    """Retry-After per host, so every process's fetcher honours what a host asked."""
    conn.execute("CREATE TABLE host_holds (host TEXT PRIMARY KEY, until TIMESTAMPTZ NOT NULL)")


def m004_story_redirects(conn: Conn) -> None:
    """Where the id of a story merged into another now leads."""
    conn.execute("CREATE TABLE story_redirects (old BIGINT PRIMARY KEY, new BIGINT NOT NULL)")


def m005_feed_status(conn: Conn) -> None:
    """What `newsdesk feeds` shows of each feed's last check: its status and the last time a
    check succeeded."""
    conn.execute("""
        ALTER TABLE feeds ADD COLUMN last_status TEXT, ADD COLUMN last_ok TIMESTAMPTZ;
        UPDATE feeds SET last_status = CASE WHEN error_count > 0 THEN 'error' ELSE 'ok' END,
                         last_ok = CASE WHEN error_count = 0 THEN last_checked END
            WHERE last_checked IS NOT NULL;
    """)


def m006_latest_order_indexes(conn: Conn) -> None:
    """The pages' "latest first" order (COALESCE(published, fetched) DESC, id DESC) from an
    index that holds the id too, so no sort step is left (numbered 006: 005 is left to the
    feed-state migration of the same issue)."""
    conn.execute("""
        CREATE INDEX articles_latest ON articles((COALESCE(published, fetched)), id);
        CREATE INDEX articles_section_latest ON articles(section, (COALESCE(published, fetched)),
                                                         id);
        DROP INDEX articles_section_date;
        DROP INDEX articles_date;
    """)


def m007_image_and_coverage(conn: Conn) -> None:
    """The page's own lead image (og:image, twitter:image, JSON-LD image), read when the
    article was extracted from its page: what the article page shows first. And a story's
    coverage (articles, outlets, languages) counted from an index alone (an index-only scan)
    instead of reading each member's row; it starts with story_id, so it replaces
    articles_story."""
    conn.execute("""
        ALTER TABLE articles ADD COLUMN image_url TEXT;
        CREATE INDEX articles_story_coverage ON articles(story_id, source, lang);
        DROP INDEX articles_story;
    """)


def m008_content_version(conn: Conn) -> None:
    """A counter that moves only when what the pages show changes (articles but their leases,
    stories, similar links, story redirects), for the page cache: the write-ahead log's
    position also moved with feed checks, host holds, leases, job rows and the server's own
    upkeep.

    The bump runs at commit (deferred constraint triggers) and once per transaction (a
    transaction-local flag): the counter's row is then locked only for the moment of the
    commit, and always last, so writers never deadlock on it; and it becomes visible with
    the data it stands for, never before (a page built in between would be kept as new)."""
    columns = ", ".join(CONTENT_COLUMNS)
    script = """
        CREATE TABLE content_version (id INTEGER PRIMARY KEY CHECK (id = 1),
                                      version BIGINT NOT NULL);
        INSERT INTO content_version(id, version) VALUES (1, 0);
        CREATE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('newsdesk.content_bumped', true) = 'yes' THEN
                RETURN NULL;
            END IF;
            PERFORM set_config('newsdesk.content_bumped', 'yes', true);
            UPDATE content_version SET version = version + 1 WHERE id = 1;
            RETURN NULL;
        END $$;
    """
    for table in ("articles", "stories", "similar_links", "story_redirects"):
        update = f"UPDATE OF {columns}" if table == "articles" else "UPDATE"
        script += (f"CREATE CONSTRAINT TRIGGER {table}_content_version AFTER INSERT OR "
                   f"{update} OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED "
                   "FOR EACH ROW EXECUTE FUNCTION bump_content_version();\n")
    conn.execute(script)


def m009_accounts_and_reading_state(conn: Conn) -> None:
    """Users, API tokens, failed logins, shared secrets, per-user article state (read
    watermarks, overall and per section, plus exceptions: see accounts.py) and followed
    stories, as in SQLite's 011."""
    conn.execute("""
        CREATE TABLE users (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            is_admin BOOLEAN NOT NULL DEFAULT false,
            created TIMESTAMPTZ NOT NULL DEFAULT now(),
            session_epoch BIGINT NOT NULL DEFAULT 1,
            api_password_hash TEXT,
            fever_key TEXT UNIQUE,
            settings JSONB NOT NULL DEFAULT '{}',
            read_through BIGINT NOT NULL DEFAULT 0,
            state_version BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE api_tokens (
            token_hash TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX api_tokens_user ON api_tokens(user_id);
        CREATE TABLE login_attempts (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            account TEXT NOT NULL,
            address TEXT NOT NULL,
            at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX login_attempts_account ON login_attempts(account, at);
        CREATE INDEX login_attempts_address ON login_attempts(address, at);
        CREATE INDEX login_attempts_at ON login_attempts(at);
        CREATE TABLE app_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE section_marks (
            user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            section TEXT NOT NULL,
            through BIGINT NOT NULL,
            PRIMARY KEY (user_id, section)
        );
        CREATE TABLE article_state (
            user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            read BOOLEAN,
            read_at TIMESTAMPTZ,
            saved_at TIMESTAMPTZ,
            PRIMARY KEY (user_id, article_id)
        );
        CREATE INDEX article_state_article ON article_state(article_id);
        CREATE INDEX article_state_saved ON article_state(user_id, saved_at)
            WHERE saved_at IS NOT NULL;
        CREATE TABLE followed_stories (
            user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            story_id BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            since TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (user_id, story_id)
        );
        CREATE INDEX followed_stories_story ON followed_stories(story_id);
    """)


def m010_host_turns(conn: Conn) -> None:
    """Each host's next free turn, so the per-host delay holds across processes."""
    conn.execute("CREATE TABLE host_turns (host TEXT PRIMARY KEY, "
                 "next_turn TIMESTAMPTZ NOT NULL)")


def m011_feed_names_and_categories(conn: Conn) -> None:
    """The reader's own name and category for each feed, as in SQLite's 013."""
    conn.execute("""
        ALTER TABLE feeds ADD COLUMN name TEXT;
        ALTER TABLE feeds ADD COLUMN category TEXT;
        CREATE INDEX feeds_category ON feeds(category) WHERE category IS NOT NULL;
        CREATE INDEX articles_feed ON articles(feed_id, id);
    """)


def m012_feed_unread_index(conn: Conn) -> None:
    """Unread counts per feed from an index alone, as in SQLite's 014."""
    conn.execute("CREATE INDEX articles_feed_unread ON articles(feed_id, section, fetched)")


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", m001_initial),
    ("002_procrastinate", m002_procrastinate),
    ("003_host_holds", m003_host_holds),
    ("004_story_redirects", m004_story_redirects),
    ("005_feed_status", m005_feed_status),
    ("006_latest_order_indexes", m006_latest_order_indexes),
    ("007_image_and_coverage", m007_image_and_coverage),
    ("008_content_version", m008_content_version),
    ("009_accounts_and_reading_state", m009_accounts_and_reading_state),
    ("010_host_turns", m010_host_turns),
    ("011_feed_names_and_categories", m011_feed_names_and_categories),
    ("012_feed_unread_index", m012_feed_unread_index),
]


def _recorded(conn: Conn) -> set[str]:
    cur = conn.cursor(row_factory=tuple_row)  # whatever rows the caller's connection makes
    if cur.execute("SELECT to_regclass('migrations')").fetchone() == (None,):
        return set()
    return {str(r[0]) for r in cur.execute("SELECT name FROM migrations")}


def ensure_pgvector(conn: Conn, where: str) -> None:
    """Refuse clearly when the server cannot give us the `vector` extension."""
    row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone()
    if row is None:
        raise ConfigError(f"{where}: pgvector is not installed on this server "
                          "(the 'vector' extension is not available)")


def apply(conn: Conn, where: str) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names.

    `conn` must be in autocommit mode so that each `transaction()` block is a real one."""
    if {name for name, _ in MIGRATIONS} <= _recorded(conn):
        return []
    ensure_pgvector(conn, where)
    applied = []
    for name, fn in MIGRATIONS:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS migrations "
                         "(name TEXT PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now())")
            if name in _recorded(conn):
                continue
            fn(conn)
            conn.execute("INSERT INTO migrations(name) VALUES (%s)", (name,))
        applied.append(name)
    return applied


def missing(conn: Conn) -> list[str]:
    """Names of migrations this code knows that the database has not recorded."""
    done = _recorded(conn)
    return [name for name, _ in MIGRATIONS if name not in done]


def problems(conn: Conn) -> list[str]:
    """What `Store.check` reports: migrations not applied, pgvector gone, broken indexes
    (an index build that failed half-way is left invalid)."""
    found = [f"migration not applied: {name}" for name in missing(conn)]
    cur = conn.cursor(row_factory=tuple_row)
    if cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone() is None:
        found.append("the vector extension is not installed in this database")
    found += [f"invalid index: {r[0]}" for r in cur.execute(
        "SELECT i.indexrelid::regclass::text FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)")]
    return found
