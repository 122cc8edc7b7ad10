"""What every newsdesk command shares: the settings (with `--db`), opening the database,
the pipeline, one-line messages on stderr, JSON lines on stdout, a progress bar and the
summary of an import. The command modules (cli.py, cli_read.py, cli_accounts.py,
cli_sources.py) import from here, never from each other.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .config import Config
from .errors import NewsdeskError
from .model import ImportResult
from .store import Store, open_store

if TYPE_CHECKING:
    from .pipeline import Pipeline

err = Console(stderr=True, highlight=False)
MAX_ID = 2**63 - 1  # ids are 64-bit integers in both engines: a larger number names nothing
MAX_LIMIT = 100_000  # the most hits, similar articles or stories one command lists


class State:
    db: str | None = None
    debug: bool = False


class NotFoundError(NewsdeskError):
    """What a command was asked to show or change does not exist (exit 1)."""


def settings(**overrides: Any) -> Config:
    return Config(db=State.db, **overrides)


def open_desk() -> Store:
    return open_store(settings().db)


def pipeline_for(store: Store) -> Pipeline:
    from .pipeline import Pipeline  # models and all: only the commands that need it pay

    return Pipeline(store, settings())


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def say(message: str) -> None:
    """One line on stderr, never wrapped (scripts grep these lines)."""
    sys.stderr.write(message + "\n")


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    if not sys.stderr.isatty() or total <= 1:
        yield lambda n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def finish(result: ImportResult) -> None:
    for name, reason in result.refused:
        say(f"refused: {name}: {reason}")
    parts = [f"imported {result.imported}", f"duplicates {result.duplicates}",
             f"refused {len(result.refused)}"]
    if result.updated:
        parts.append(f"updated {result.updated}")
    if result.finished:
        parts.append(f"finished {result.finished} left unenriched by an earlier run")
    if result.subscribed:
        parts.append(f"feeds subscribed {result.subscribed}")
    say(", ".join(parts))
    if result.refused:
        raise typer.Exit(1)
