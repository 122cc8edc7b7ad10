"""Shared fixtures: a real SQLite store in a temp dir, paths to ../shared when present, and a
real PostgreSQL (pgserver, or NEWSDESK_TEST_PG) with a fresh database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pgtools
from newsdesk.store import SQLiteStore, Store, open_store
from webtools import launch_chromium

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
SEED_HTML = SHARED / "seed" / "chile-peru-border.html"
DEMO_DIR = ROOT / "src" / "newsdesk" / "demo"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = open_store(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def seed_html() -> Path:
    if not SEED_HTML.is_file():
        pytest.skip("../shared/seed is absent")
    return SEED_HTML


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus imported once through the real pipeline; treat it as read-only."""
    from newsdesk.config import Config
    from newsdesk.pipeline import Pipeline

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(path)
    result = Pipeline(store, Config(embedder="use")).import_paths(
        [str(DEMO_DIR / "feeds"), str(DEMO_DIR / "pages")])
    store.close()
    assert not result.refused, result.refused
    return path


# -- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgtools.PgServer]:
    """One server for the session; every test that needs it is skipped when it cannot start,
    or fails when NEWSDESK_REQUIRE_PG is set (CI: the PostgreSQL tests must really run)."""
    server, reason = pgtools.start()
    if server is None:
        if os.environ.get("NEWSDESK_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required (NEWSDESK_REQUIRE_PG) but {reason}")
        pytest.skip(reason)
    yield server
    server.close()


@pytest.fixture
def pg_url(pg_server: pgtools.PgServer) -> Iterator[str]:
    """A fresh, empty database of its own for one test."""
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh store of each engine lives: open a second Store on it to play another
    process."""
    if request.param == "sqlite":
        return str(tmp_path / "contract.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_store(any_url: str) -> Iterator[Store]:
    """An open Store of each engine, on a fresh database."""
    s = open_store(any_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright, one per test module (skips without either)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()
