"""The newsdesk command line: thin commands over the library (Typer + rich).

Exit codes: 0 done; 1 some inputs refused (each named on stderr with the reason), or what was
asked for does not exist, or something unexpected failed; 2 bad usage.

Never a traceback: our own errors are one line each; anything unexpected is caught last, in
`main`, and shown as one line naming the command (the traceback with `--debug` or
NEWSDESK_DEBUG=1).

Commands import what only they need (the web app, the worker, the models, the pipeline)
inside themselves: `newsdesk --help` or `newsdesk feeds` should not pay for loading them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import __version__, cli_accounts, cli_read, cli_sources
from .cli_base import (
    NotFoundError,
    State,
    emit,
    finish,
    iso,
    open_desk,
    pipeline_for,
    progress,
    say,
    settings,
)
from .errors import ConfigError, NewsdeskError
from .export import export_records, extract_record, resolve_id
from .ingest.dates import parse_date
from .ingest.urls import is_http_url
from .sources import feed_status
from .store import Store, open_store

if TYPE_CHECKING:
    pass

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="newsdesk: a self-hosted news desk.", pretty_exceptions_enable=False)
DEMO_DIR = Path(__file__).parent / "demo"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"newsdesk {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[str | None, typer.Option(
        "--db", help="SQLite file or postgresql:// URL (default ./newsdesk.db; NEWSDESK_DB "
        "also works).")] = None,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the traceback of an unexpected error (NEWSDESK_DEBUG=1 also "
        "works).")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
        = False,
) -> None:
    """newsdesk: ingest, extract, enrich, link and serve news."""
    State.db = db
    State.debug = State.debug or debug
    # warnings (a feed's repaired bytes, a sitemap's limits, a skipped file) as lines on stderr
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")


@app.command()
def init() -> None:
    """Create (or upgrade) the database."""
    store = open_desk()
    say(f"database ready: {store.describe()} ({', '.join(store.applied_migrations())})")


@app.command("import")
def import_(paths: Annotated[list[str], typer.Argument(
        help=".jsonl, .html/.htm, feed files (.xml .rss .atom .json), .opml, folders")]) -> None:
    """Import local files and folders."""
    from .ingest.files import expand

    store = open_desk()
    pipeline = pipeline_for(store)
    total = sum(1 for _ in expand(paths))
    with progress("importing", total) as advance:
        result = pipeline.import_paths(paths, progress=advance)
    finish(result)


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve",
                                              help="Serve the reader afterwards.")] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=1,
                                             max=65535)] = None,
) -> None:
    """Import the bundled demo corpus (through `import`) and serve the reader."""
    store = open_desk()
    pipeline = pipeline_for(store)
    with progress("importing demo", len(list(DEMO_DIR.rglob("*.*")))) as advance:
        result = pipeline.import_paths([str(DEMO_DIR / "feeds"), str(DEMO_DIR / "pages")],
                                       progress=advance)
    say(f"demo corpus: imported {result.imported}, updated {result.updated} (article pages "
         f"completing their feed entries), duplicates {result.duplicates}, refused "
         f"{len(result.refused)}; {store.count_articles()} articles in {store.describe()}")
    for name, reason in result.refused:
        say(f"refused: {name}: {reason}")
    if serve_after:
        _serve(store, host, port)


def _serve(store: Store, host: str | None, port: int | None) -> None:
    import uvicorn

    from .web.app import create_app

    config = settings(host=host, port=port)
    say(f"serving {config.site_name} on http://{config.host}:{config.port}")
    uvicorn.run(create_app(store, config), host=config.host, port=config.port, log_level="warning")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=1,
                                             max=65535)] = None,
    workers: Annotated[int | None, typer.Option(
        min=0, help="Server processes (0: one per CPU; default: the serve_workers setting).")
    ] = None,
) -> None:
    """Serve the web reader, JSON API (/api) and OpenAPI docs (/docs)."""
    from .web.app import serve as serve_web
    from .web.app import worker_count

    store = open_desk()  # creates or upgrades the database before any worker opens it
    config = settings(host=host, port=port, serve_workers=workers)
    say(f"serving {config.site_name} on http://{config.host}:{config.port} "
         f"({worker_count(config)} processes)")
    serve_web(config, store)


WORKER_HELP = (
    "Refresh due feeds, fetch pages, enrich articles: the background work.\n\n"
    "On SQLite, one process does it all in rounds. On PostgreSQL, start as many workers as you "
    "like, on one machine or several, each with `newsdesk --db postgresql://... worker` "
    "(one per CPU core): they share the work through a task queue (Procrastinate) in the same "
    "database; feeds are scheduled every minute, failed tasks retried, a killed worker's tasks "
    "taken over by the others. With --once, a worker queues what is due, works with the others "
    "until nothing is left, and exits."
)


@app.command(help=WORKER_HELP)
def worker(
    once: Annotated[bool, typer.Option(help="Do what is due once and exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds (SQLite).",
                                            min=0.0)] = 60.0,
) -> None:
    from .worker import run_worker

    run_worker(open_desk(), settings(), once=once, interval=interval, say=say)


@app.command("add-feed")
def add_feed(url: str) -> None:
    """Subscribe to a feed (or a page that links one) and import its entries."""
    finish(pipeline_for(open_desk()).add_feed(url))


@app.command()
def refresh(all_: Annotated[bool, typer.Option("--all", help="Refresh every feed, due or not "
                                               "(a host's Retry-After still holds).")]
            = False) -> None:
    """Fetch subscribed feeds that are due, with conditional GET.

    A feed is due `refresh_minutes` after its last check; after failures in a row the wait
    doubles each time (up to a day), and a host's Retry-After is always honoured.
    `newsdesk feeds` shows when each feed is next due."""
    from .tasks import refresh_due

    store = open_desk()
    total = len(store.feeds())
    checked = 0

    with progress("refreshing", total) as advance:
        def count(n: int) -> None:
            nonlocal checked
            checked += n
            advance(n)

        result = refresh_due(pipeline_for(store), every=all_, progress=count)
    if checked < total:
        say(f"feeds checked {checked} of {total}; the others are not due yet or their host "
             "asked us to wait (`newsdesk feeds` shows until when)")
    finish(result)


@app.command("feeds")
def feeds_(
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
) -> None:
    """Subscribed feeds: status, last check, next check, errors in a row and the last error.

    Text: one feed a line, tab-separated: id, status, last check, next check, errors in a
    row, name (your own, else its title, else its URL), last error. Times are UTC. Status:
    new (never checked), ok, not modified, error, waiting (the host asked us to wait:
    Retry-After)."""
    if format not in ("text", "jsonl"):
        raise typer.BadParameter("choose text or jsonl", param_hint="--format")
    store = open_desk()
    now = datetime.now(UTC)
    listed = store.feeds()
    if not listed and format == "text":
        say("no feeds: subscribe with `newsdesk add-feed URL` or import an OPML file")
    for feed in listed:
        status = feed_status(feed, now)
        if format == "jsonl":
            emit({"id": feed.id, "url": feed.url, "title": feed.title, "name": feed.name,
                   "category": feed.category, "status": status,
                   "last_checked": iso(feed.last_checked), "last_ok": iso(feed.last_ok),
                   "next_check": iso(feed.next_check), "retry_at": iso(feed.retry_at),
                   "errors": feed.error_count, "error": feed.last_error})
            continue
        due = feed.next_check if feed.next_check and feed.next_check > now else None
        if feed.retry_at and feed.retry_at > now:
            due = max(due or feed.retry_at, feed.retry_at)
        sys.stdout.write("\t".join([
            str(feed.id), status, _when(feed.last_checked, "never"), _when(due, "due"),
            str(feed.error_count), " ".join(feed.label.split()),
            " ".join((feed.last_error or "").split())]) + "\n")


def _when(value: datetime | None, none: str) -> str:
    if value is None:
        return none
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


@app.command()
def fetch(url: str) -> None:
    """Fetch one article page, extract, enrich and store it."""
    finish(pipeline_for(open_desk()).fetch_url(url))


@app.command()
def extract(
    inputs: Annotated[list[str], typer.Argument(help="HTML files or http(s) URLs.")],
    format: Annotated[str, typer.Option("--format", help="json, jsonl or text.")] = "json",
) -> None:
    """Extract article text and metadata without storing anything."""
    from .extract.html import extract_html
    from .ingest.files import read_bytes

    if format not in ("json", "jsonl", "text"):
        raise typer.BadParameter("choose json, jsonl or text", param_hint="--format")
    config = settings()
    refused = 0
    records = []
    for item in inputs:
        key = "url" if is_http_url(item) else "path"
        try:
            if key == "url":
                from .pipeline import Pipeline

                article = Pipeline(open_store(":memory:"), config).fetch_article(item)
            else:
                article = extract_html(read_bytes(Path(item), config.max_file_bytes), url=None)
        except NewsdeskError as exc:
            say(f"refused: {exc}")
            refused += 1
            continue
        record = extract_record(article, item, key)
        if format == "jsonl":
            emit(record)
        elif format == "text":
            sys.stdout.write(f"{article.title}\n\n{article.text}\n\n")
        else:
            records.append(record)
    if format == "json" and records:
        out = records[0] if len(records) == 1 else records
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    if refused:
        raise typer.Exit(1)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="jsonl")] = "jsonl",
    since: Annotated[str | None, typer.Option(help="Only articles published since DATE.")] = None,
) -> None:
    """Write every article as one JSON object a line."""

    if format != "jsonl":
        raise typer.BadParameter("only jsonl is supported", param_hint="--format")
    when: datetime | None = None
    if since:
        when = parse_date(since)
        if when is None:
            raise typer.BadParameter(f"{since!r} is not a date", param_hint="--since")
    store = open_desk()
    for record in export_records(store, since=when, similar_count=settings().similar_count):
        emit(record)


@app.command()
def delete(ident: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Delete an article; a tombstone keeps refreshes from bringing it back."""

    store = open_desk()
    article_id = resolve_id(store, ident)
    if article_id is None or not store.delete_article(article_id):
        raise NotFoundError(f"no article with id {ident!r}")
    say(f"deleted {ident}")


# the other modules' commands, listed in --help after these
cli_read.register(app)  # search, similar, stories
cli_accounts.register(app)  # user, mark-read, mark-all-read, save, unread, saved
cli_sources.register(app)  # export-opml, feed rename|category|remove


def _command(argv: list[str]) -> str:
    """The command named on the command line ("newsdesk" when there is none)."""
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in
             app.registered_commands} | {g.name or "" for g in app.registered_groups}
    return next((f"newsdesk {a}" for a in argv if a in names), "newsdesk")


def main() -> None:
    """Entry point: run the app, turning every error into one clear line and an exit code."""
    State.debug = os.environ.get("NEWSDESK_DEBUG", "").strip().lower() in ("1", "true", "yes")
    command = _command(sys.argv[1:])
    try:
        app()
    except ConfigError as exc:
        say(f"{command}: {exc}")
        sys.exit(2)
    except NewsdeskError as exc:
        say(f"{command}: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # the reader of our output went away (`newsdesk export | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # the last resort: whatever we did not foresee, in one line
        if State.debug:
            traceback.print_exc()
        detail = " ".join(str(exc).split())[:300] or "no detail"
        hint = "" if State.debug else " (run with --debug for the traceback)"
        say(f"{command}: unexpected error: {type(exc).__name__}: {detail}{hint}")
        sys.exit(1)
