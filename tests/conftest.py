"""Shared fixtures: a real SQLite store in a temp dir, paths to ../shared when present."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.store import SQLiteStore, open_store

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
