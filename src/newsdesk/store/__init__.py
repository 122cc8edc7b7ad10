"""Storage: `open(url)` gives a Store. All SQL lives in this package.

A plain path (or `sqlite:///path`) opens SQLite, the embedded default.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .sqlite import SQLiteStore

Store = SQLiteStore


def open_store(url: str | Path) -> Store:
    """Open (creating and migrating as needed) the store at `url`."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"{text}: the PostgreSQL backend is not available yet; use a SQLite path")
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    if text != ":memory:":
        parent = Path(text).expanduser().resolve().parent
        if not parent.is_dir():
            raise ConfigError(f"{text}: folder {parent} does not exist")
    return SQLiteStore(text)


__all__ = ["Store", "SQLiteStore", "open_store"]
