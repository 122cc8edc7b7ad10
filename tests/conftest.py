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
