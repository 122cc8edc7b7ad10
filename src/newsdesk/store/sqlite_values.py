"""How the SQLite engine writes and reads values: times as ISO 8601 text in UTC with
microseconds (one width, so they sort as text), and placeholders for a list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def now() -> datetime:
    return datetime.now(UTC)


def marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)
