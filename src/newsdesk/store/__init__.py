"""Storage: `open_store(url)` gives a Store (see base.py for the contract). All SQL lives here.

A plain path (or `sqlite:///path`) opens SQLite, the embedded default; a `postgresql://` URL
opens PostgreSQL (with pgvector), the backend for several workers and machines.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .base import FeedOutcome, Put, Store
from .sqlite import SQLiteStore


def is_postgres_url(url: str | Path) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def open_store(url: str | Path) -> Store:
    """Open (creating and migrating as needed) the store at `url`."""
    text = str(url)
    if is_postgres_url(text):
        try:
            # psycopg is an optional dependency: only PostgreSQL users need it installed
            from .postgres import PostgresStore
        except ImportError as exc:
            raise ConfigError(f"{text.split('@')[-1]}: PostgreSQL needs the postgres extra "
                              f"(pip install 'newsdesk[postgres]'): {exc}") from exc
        return PostgresStore(text)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    if text != ":memory:":
        parent = Path(text).expanduser().resolve().parent
        if not parent.is_dir():
            raise ConfigError(f"{text}: folder {parent} does not exist")
    return SQLiteStore(text)


__all__ = ["FeedOutcome", "Put", "Store", "SQLiteStore", "is_postgres_url", "open_store"]
