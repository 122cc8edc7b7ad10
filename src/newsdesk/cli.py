"""The newsdesk command line: thin commands over the library (Typer + rich).

Exit codes: 0 done; 1 some inputs refused (each named on stderr with the reason), or what was
asked for does not exist, or something unexpected failed; 2 bad usage.

Never a traceback: our own errors are one line each; anything unexpected is caught last, in
`main`, and shown as one line naming the command (the traceback with `--debug` or
NEWSDESK_DEBUG=1).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__, cli_accounts, cli_sources
from .config import Config
from .errors import ConfigError, NewsdeskError
from .export import export_records, extract_record, resolve_id
from .ingest.dates import parse_date
from .ingest.urls import is_http_url
from .model import ImportResult
from .sources import feed_status
from .store import Store, open_store

if TYPE_CHECKING:
    from .pipeline import Pipeline

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="newsdesk: a self-hosted news desk.", pretty_exceptions_enable=False)
cli_accounts.register(app)  # user, mark-read, mark-all-read, save, unread, saved
cli_sources.register(app)  # export-opml, feed rename|category|remove
err = Console(stderr=True, highlight=False)
DEMO_DIR = Path(__file__).parent / "demo"
MAX_ID = 2**63 - 1  # ids are 64-bit integers in both engines: a larger number names nothing
MAX_LIMIT = 100_000  # the most hits, similar articles or stories one command lists


class State:
    db: str | None = None
    debug: bool = False


class NotFoundError(NewsdeskError):
    """What a command was asked to show or change does not exist (exit 1)."""


def _config(**overrides: Any) -> Config:
    return Config(db=State.db, **overrides)


def _open() -> Store:

    return open_store(_config().db)


def _pipeline(store: Store) -> Pipeline:
    from .pipeline import Pipeline

    return Pipeline(store, _config())


def _say(message: str) -> None:
    """One line on stderr, never wrapped (scripts grep these lines)."""
    sys.stderr.write(message + "\n")


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    if not sys.stderr.isatty() or total <= 1:
        yield lambda n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _finish(result: ImportResult) -> None:
    for name, reason in result.refused:
        _say(f"refused: {name}: {reason}")
    parts = [f"imported {result.imported}", f"duplicates {result.duplicates}",
             f"refused {len(result.refused)}"]
    if result.updated:
        parts.append(f"updated {result.updated}")
    if result.finished:
        parts.append(f"finished {result.finished} left unenriched by an earlier run")
    if result.subscribed:
        parts.append(f"feeds subscribed {result.subscribed}")
    _say(", ".join(parts))
    if result.refused:
        raise typer.Exit(1)


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
    store = _open()
    _say(f"database ready: {store.describe()} ({', '.join(store.applied_migrations())})")


@app.command("import")
def import_(paths: Annotated[list[str], typer.Argument(
        help=".jsonl, .html/.htm, feed files (.xml .rss .atom .json), .opml, folders")]) -> None:
    """Import local files and folders."""
    from .ingest.files import expand

    store = _open()
    pipeline = _pipeline(store)
    total = sum(1 for _ in expand(paths))
    with _progress("importing", total) as advance:
        result = pipeline.import_paths(paths, progress=advance)
    _finish(result)


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve",
                                              help="Serve the reader afterwards.")] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=1,
                                             max=65535)] = None,
) -> None:
    """Import the bundled demo corpus (through `import`) and serve the reader."""
    store = _open()
    pipeline = _pipeline(store)
    with _progress("importing demo", len(list(DEMO_DIR.rglob("*.*")))) as advance:
        result = pipeline.import_paths([str(DEMO_DIR / "feeds"), str(DEMO_DIR / "pages")],
                                       progress=advance)
    _say(f"demo corpus: imported {result.imported}, updated {result.updated} (article pages "
         f"completing their feed entries), duplicates {result.duplicates}, refused "
         f"{len(result.refused)}; {store.count_articles()} articles in {store.describe()}")
    for name, reason in result.refused:
        _say(f"refused: {name}: {reason}")
    if serve_after:
        _serve(store, host, port)


def _serve(store: Store, host: str | None, port: int | None) -> None:
    import uvicorn

    from .web.app import create_app

    config = _config(host=host, port=port)
    _say(f"serving {config.site_name} on http://{config.host}:{config.port}")
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

    store = _open()  # creates or upgrades the database before any worker opens it
    config = _config(host=host, port=port, serve_workers=workers)
    _say(f"serving {config.site_name} on http://{config.host}:{config.port} "
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

    run_worker(_open(), _config(), once=once, interval=interval, say=_say)


@app.command("add-feed")
def add_feed(url: str) -> None:
    """Subscribe to a feed (or a page that links one) and import its entries."""
    _finish(_pipeline(_open()).add_feed(url))


@app.command()
def refresh(all_: Annotated[bool, typer.Option("--all", help="Refresh every feed, due or not "
                                               "(a host's Retry-After still holds).")]
            = False) -> None:
    """Fetch subscribed feeds that are due, with conditional GET.

    A feed is due `refresh_minutes` after its last check; after failures in a row the wait
    doubles each time (up to a day), and a host's Retry-After is always honoured.
    `newsdesk feeds` shows when each feed is next due."""
    from .tasks import refresh_due

    store = _open()
    total = len(store.feeds())
    checked = 0

    with _progress("refreshing", total) as advance:
        def count(n: int) -> None:
            nonlocal checked
            checked += n
            advance(n)

        result = refresh_due(_pipeline(store), every=all_, progress=count)
    if checked < total:
        _say(f"feeds checked {checked} of {total}; the others are not due yet or their host "
             "asked us to wait (`newsdesk feeds` shows until when)")
    _finish(result)


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
    store = _open()
    now = datetime.now(UTC)
    listed = store.feeds()
    if not listed and format == "text":
        _say("no feeds: subscribe with `newsdesk add-feed URL` or import an OPML file")
    for feed in listed:
        status = feed_status(feed, now)
        if format == "jsonl":
            _emit({"id": feed.id, "url": feed.url, "title": feed.title, "name": feed.name,
                   "category": feed.category, "status": status,
                   "last_checked": _iso(feed.last_checked), "last_ok": _iso(feed.last_ok),
                   "next_check": _iso(feed.next_check), "retry_at": _iso(feed.retry_at),
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
    _finish(_pipeline(_open()).fetch_url(url))


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
    config = _config()
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
            _say(f"refused: {exc}")
            refused += 1
            continue
        record = extract_record(article, item, key)
        if format == "jsonl":
            _emit(record)
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
    store = _open()
    for record in export_records(store, since=when, similar_count=_config().similar_count):
        _emit(record)


@app.command()
def search(
    query: str,
    limit: Annotated[int, typer.Option(help="How many hits.", min=1, max=MAX_LIMIT)] = 10,
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
    lang: Annotated[str | None, typer.Option(help="Only articles in this language.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    section: Annotated[str | None, typer.Option(help="Only this section.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after DATE.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before DATE.")] = None,
    sort: Annotated[str, typer.Option(help="relevance or date.")] = "relevance",
    mode: Annotated[str, typer.Option(help="hybrid, keyword or vector.")] = "hybrid",
) -> None:
    """Search by keywords and by meaning, across English and Spanish ("frontera" finds border)."""
    from .enrich.embed import get_embedder
    from .search import Filters
    from .search import search as hybrid_search

    if sort not in ("relevance", "date"):
        raise typer.BadParameter("choose relevance or date", param_hint="--sort")
    if mode not in ("hybrid", "keyword", "vector"):
        raise typer.BadParameter("choose hybrid, keyword or vector", param_hint="--mode")
    dates = {}
    for name, raw in (("since", since), ("until", until)):
        if raw:
            dates[name] = parse_date(raw)
            if dates[name] is None:
                raise typer.BadParameter(f"{raw!r} is not a date", param_hint=f"--{name}")
    filters = Filters(lang=lang, source=source, section=section, **dates)
    store = _open()
    embedder = get_embedder(_config().embedder) if mode != "keyword" else None
    hits = hybrid_search(store, embedder, query, limit=limit, mode=mode, filters=filters,
                         sort=sort)
    if not hits and format != "jsonl":
        _say(f"nothing found for {query!r}: try other or fewer words")
    names = store.public_ids([a.id for a, _ in hits if a.id is not None])
    for article, score in hits:
        record = {"id": names.get(article.id or 0), "newsdesk_id": article.id,
                  "title": article.title, "score": round(score, 4), "source": article.source,
                  "section": article.section, "lang": article.lang, "url": article.url,
                  "story": article.story_id,
                  "published": article.published.isoformat() if article.published else None}
        if format == "jsonl":
            _emit(record)
        else:
            sys.stdout.write(f"{record['id']}\t{score:.3f}\t{article.lang or ''}\t"
                             f"{article.title}\n")


@app.command()
def similar(
    ident: Annotated[str, typer.Argument(metavar="ID", help="External id or newsdesk number.")],
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
    limit: Annotated[int, typer.Option(help="How many.", min=1, max=MAX_LIMIT)] = 10,
) -> None:
    """Articles most similar to one article, best first: its story's, then related ones."""
    from .stories.related import ranked_similar

    store = _open()
    article_id = resolve_id(store, ident)
    article = store.get_article(article_id) if article_id is not None else None
    if article is None:
        raise NotFoundError(f"no article with id {ident!r}")
    links = ranked_similar(store, article, limit)
    names = store.public_ids([a.id for a, _ in links if a.id is not None])
    for other, score in links:
        record = {"id": names.get(other.id or 0), "newsdesk_id": other.id, "title": other.title,
                  "score": round(score, 4), "source": other.source, "lang": other.lang,
                  "story": other.story_id}
        if format == "jsonl":
            _emit(record)
        else:
            sys.stdout.write(f"{record['id']}\t{score:.2f}\t{other.source or ''}\t{other.title}\n")


@app.command()
def stories(
    story_id: Annotated[int | None, typer.Argument(
        metavar="[STORY_ID]", help="Show one story in full: summary, timeline, key facts, "
                                   "figures, entities, coverage.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
    limit: Annotated[int, typer.Option(help="How many stories.", min=1, max=MAX_LIMIT)] = 50,
) -> None:
    """Stories covered by two or more articles, most recent first (or one story in full)."""
    from .stories.digest import central_order

    store = _open()
    if story_id is not None:
        _story_detail(store, story_id, format)
        return
    for story in store.stories(min_articles=2, limit=limit):
        articles = store.get_articles(story.article_ids)
        names = store.public_ids(story.article_ids)
        langs = sorted({a.lang or "" for a in articles})
        lead = next(iter(central_order(articles)), None)
        record = {
            "id": story.id, "title": story.title,
            "headline": lead.title if lead else story.title,
            "summary": (lead.summary if lead else "") or "",
            "articles": [names[i] for i in story.article_ids],
            "sources": sorted({a.source or "" for a in articles}),
            "langs": langs,
            "first_published": story.first_published.isoformat() if story.first_published else None,
            "last_published": story.last_published.isoformat() if story.last_published else None,
        }
        if format == "jsonl":
            _emit(record)
        else:
            sys.stdout.write(f"{story.id}\t{len(articles)} articles\t"
                             f"{', '.join(langs)}\t{record['headline']}\n")


def _story_detail(store: Store, story_id: int, format: str) -> None:
    from .enrich.embed import get_embedder
    from .stories.digest import digest

    story = store.story(story_id) if 0 < story_id <= MAX_ID else None
    if story is None or not story.article_ids:
        merged = store.story_redirect(story_id) if 0 < story_id <= MAX_ID else None
        hint = f" (merged into story {merged})" if merged else ""
        raise NotFoundError(f"no story {story_id}{hint}")
    articles = store.get_articles(story.article_ids)
    names = store.public_ids(story.article_ids)
    d = digest(articles, get_embedder(_config().embedder), key=story.id)
    record: dict[str, Any] = {
        "id": story.id, "headline": d.headline, "summary": d.summary,
        "timeline": [{"id": names.get(f.article.id or 0), "published": _iso(f.article.published),
                      "source": f.article.source, "lang": f.article.lang,
                      "title": f.article.title,
                      "copies": [names.get(c.id or 0) for c in f.copies]} for f in d.timeline],
        "key_facts": [{"text": f.text, "outlets": f.outlets} for f in d.facts],
        "figures": [{"counts": g.counts, "disagree": g.disagree,
                     "values": [{"text": r.figure.text, "value": r.figure.value,
                                 "outlet": r.outlet, "published": _iso(r.published)}
                                for r in g.rows]} for g in d.figures],
        "entities": {k: [n for n, _ in v] for k, v in d.entities.items()},
        "outlets": dict(d.outlets), "langs": dict(d.langs),
    }
    if format == "jsonl":
        _emit(record)
        return
    out = [d.headline, "", d.summary, "", "Timeline:"]
    out += [f"  {t['published'] or '':25} {t['source'] or '':22} {t['lang'] or '':3} "
            f"{t['title']}" + (f"  (also: {len(t['copies'])} copies)" if t["copies"] else "")
            for t in record["timeline"]]
    if d.facts:
        out += ["", "Key facts:"] + [f"  - {f.text} [{', '.join(f.outlets)}]" for f in d.facts]
    if d.figures:
        out += ["", "Figures:"]
        for g in d.figures:
            mark = "  (outlets differ)" if g.disagree else ""
            out.append(f"  {g.counts}{mark}")
            out += [f"    {r.figure.text:>12}  {r.outlet}  {_iso(r.published) or ''}"
                    for r in g.rows]
    out += ["", "Coverage: " + ", ".join(f"{n} {c}" for n, c in d.outlets)]
    sys.stdout.write("\n".join(out) + "\n")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@app.command()
def delete(ident: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Delete an article; a tombstone keeps refreshes from bringing it back."""

    store = _open()
    article_id = resolve_id(store, ident)
    if article_id is None or not store.delete_article(article_id):
        raise NotFoundError(f"no article with id {ident!r}")
    _say(f"deleted {ident}")


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
        _say(f"{command}: {exc}")
        sys.exit(2)
    except NewsdeskError as exc:
        _say(f"{command}: {exc}")
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
        _say(f"{command}: unexpected error: {type(exc).__name__}: {detail}{hint}")
        sys.exit(1)
