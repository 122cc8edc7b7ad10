"""The units of background work, one body of code each, run two ways (worker.py):

    refresh_feed(feed_id)     fetch one feed with conditional GET, store its entries, defer a
                              fetch_page for each new entry that carries only a summary, record
                              the outcome (ETag, error backoff, Retry-After, next check)
    fetch_page(entry)         fetch an entry's page, store the entry completed with its text
                              (or, if the page fails, as the feed gave it) and enrich it
    fetch_pages(entries)      the same for many entries, several hosts at once (each host's
                              pages one after another: ingest/hostpool.py)
    enrich_articles(ids)      enrich and link stored articles that are not done yet
    finish_interrupted()      take over articles a dead or stalled process left not done
    recluster()               re-cluster the most recent articles (stories/regroup.py): undo
                              early mistakes, join stories two workers started at once

On SQLite they run in this process (`InlineQueue`: deferred tasks run right after the task
that deferred them, except that the fetch_page tasks of a whole refresh round are gathered and
run as one fetch_pages, so the pages of every feed's hosts are fetched side by side); on
PostgreSQL they are Procrastinate jobs shared by any number of `newsdesk worker` processes
(one fetch_page job per entry, so the entries are spread over the workers). A task never
holds state between runs: what it needs to know (when a feed is due, what the host asked) is
in the store.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import FetchError, InputError
from .ingest.fetch import RetryLaterError
from .model import Article, Feed, ImportResult, article_from_dict, article_to_dict
from .pipeline import BATCH, Pipeline
from .store import FeedOutcome

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
Defer = Callable[..., None]  # defer(task_name, **kwargs)


@dataclass
class Context:
    """What a task runs with: the pipeline (store, settings, embedder, fetcher) and a way to
    queue more work."""

    pipeline: Pipeline
    defer: Defer
    result: ImportResult = field(default_factory=ImportResult)
    # whether deferred tasks outlive this process (Procrastinate jobs in PostgreSQL: yes; the
    # in-process queue: no)
    durable: bool = True


def next_check_after(feed: Feed, now: datetime, refresh_minutes: float, failed: bool,
                     retry_at: datetime | None = None) -> datetime:
    """When to look at a feed again: the refresh interval, doubled after each failure in a
    row (up to a day), and never before the time its host asked for."""
    delay = timedelta(minutes=refresh_minutes)
    if failed:
        delay = min(delay * 2 ** min(feed.error_count, 10), MAX_BACKOFF)
    when = now + delay
    return max(when, retry_at) if retry_at else when


def refresh_feed(ctx: Context, feed_id: int) -> ImportResult:
    pipe, store = ctx.pipeline, ctx.pipeline.store
    result = ImportResult()
    feed = store.feed(feed_id)
    if feed is None:
        return result  # unsubscribed meanwhile
    now = datetime.now(UTC)
    minutes = pipe.config.refresh_minutes
    try:
        got = pipe.fetcher().fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        deferred = 0
        if not got.not_modified:
            entries = pipe.feed_entries(got.body, feed.url, got.url)
            complete = []
            for entry in entries:
                entry.feed_id = feed.id
                if pipe.wants_page(entry):
                    ctx.defer("fetch_page", entry=article_to_dict(entry))
                    deferred += 1
                else:
                    complete.append(entry)
            stored = pipe.store_articles(complete, result)
            if stored:
                ctx.defer("enrich_articles", ids=[a.id for a in stored])
    except RetryLaterError as exc:
        result.refused.append((feed.url, exc.reason))
        store.record_feed_outcome(feed_id, FeedOutcome(
            checked=now, error=exc.reason, retry_at=exc.retry_at, status="waiting",
            next_check=next_check_after(feed, now, minutes, True, exc.retry_at)))
    except (FetchError, InputError) as exc:
        reason = getattr(exc, "reason", str(exc))
        result.refused.append((feed.url, reason))
        store.record_feed_outcome(feed_id, FeedOutcome(
            checked=now, error=reason, next_check=next_check_after(feed, now, minutes, True)))
    else:
        etag, modified = got.etag, got.last_modified
        if deferred and not ctx.durable:
            # Entries waiting for their pages live only in this process. Were it killed before
            # storing them, a conditional GET would then answer 304 and they would be lost; so
            # the next check asks for the whole feed, and any entry not stored by then is
            # deferred again (the stored ones are duplicates and are not).
            etag, modified = None, None
        store.record_feed_outcome(feed_id, FeedOutcome(
            checked=now, etag=etag, last_modified=modified,
            status="not modified" if got.not_modified else "ok",
            next_check=next_check_after(feed, now, minutes, False)))
    ctx.result.merge(result)
    return result


def fetch_page(ctx: Context, entry: dict[str, Any]) -> ImportResult:
    return fetch_pages(ctx, [entry])


def fetch_pages(ctx: Context, entries: list[dict[str, Any]]) -> ImportResult:
    """Complete the entries with their pages (Pipeline.iter_completed: several hosts at once)
    and store and enrich them in batches as they come."""
    pipe = ctx.pipeline
    result = ImportResult()
    batch: list[Article] = []
    for article in pipe.iter_completed(article_from_dict(e) for e in entries):
        batch.append(article)
        if len(batch) >= BATCH:
            pipe.store_and_enrich(batch, result)
            batch = []
    pipe.store_and_enrich(batch, result)
    ctx.result.merge(result)
    return result


def enrich_articles(ctx: Context, ids: list[int]) -> ImportResult:
    pipe = ctx.pipeline
    # an article already linked has a story; the others are enriched and linked (one
    # deleted meanwhile is simply not there)
    done = pipe.enrich_articles([a for a in pipe.store.get_articles(ids) if a.story_id is None])
    log.info("enriched %d of %d articles", done, len(ids))
    return ImportResult()


def finish_interrupted(ctx: Context) -> ImportResult:
    result = ImportResult()
    ctx.pipeline.finish_interrupted(result)
    ctx.result.merge(result)
    return result


def recluster(ctx: Context) -> ImportResult:
    """Re-cluster the recent window (stories/regroup.py) so early mistakes are undone."""
    moved = ctx.pipeline.recluster()
    if moved:
        log.info("recluster: %d articles changed story", moved)
    return ImportResult()


TASKS: dict[str, Callable[..., ImportResult]] = {
    "refresh_feed": refresh_feed,
    "fetch_page": fetch_page,
    "fetch_pages": fetch_pages,
    "enrich_articles": enrich_articles,
    "finish_interrupted": finish_interrupted,
    "recluster": recluster,
}


class InlineQueue:
    """Runs tasks in this process, each deferred task right after the ones before it.

    With `gather_pages`, fetch_page tasks are kept aside until `run_pages`, which runs them
    all as one fetch_pages; without it, the fetch_page tasks waiting together run as one."""

    def __init__(self, pipeline: Pipeline, gather_pages: bool = False) -> None:
        self._todo: deque[tuple[str, dict[str, Any]]] = deque()
        self._pages: list[dict[str, Any]] = []
        self._gather = gather_pages
        self.context = Context(pipeline, self.defer, durable=False)

    def defer(self, task: str, **kwargs: Any) -> None:
        if task == "fetch_page":
            self._pages.append(kwargs["entry"])
        elif task == "fetch_pages":
            self._pages.extend(kwargs["entries"])
        else:
            self._todo.append((task, kwargs))

    def run(self, task: str, **kwargs: Any) -> ImportResult:
        """Run `task` and everything it defers; the summed result."""
        self.context.result = ImportResult()
        self.defer(task, **kwargs)
        while self._todo or (self._pages and not self._gather):
            if self._todo:
                name, args = self._todo.popleft()
                TASKS[name](self.context, **args)
            else:
                self._run_pages()
        return self.context.result

    def run_pages(self) -> ImportResult:
        """Run the gathered fetch_page tasks (and what they defer); the summed result."""
        self.context.result = ImportResult()
        self._run_pages()
        while self._todo:
            name, args = self._todo.popleft()
            TASKS[name](self.context, **args)
        return self.context.result

    def _run_pages(self) -> None:
        pages, self._pages = self._pages, []
        if pages:
            fetch_pages(self.context, pages)


def refresh_due(pipeline: Pipeline, every: bool = False,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Refresh, in this process, the feeds that are due (every feed with `every`, except
    those whose host asked us to wait), claiming each so no other process takes it too; then
    fetch the pages their new teaser entries need, the hosts of every feed side by side."""
    queue = InlineQueue(pipeline, gather_pages=True)
    total = ImportResult()
    for feed in pipeline.store.claim_due_feeds(datetime.now(UTC), limit=100_000, every=every):
        assert feed.id is not None
        total.merge(queue.run("refresh_feed", feed_id=feed.id))
        if progress:
            progress(1)
    # the pages of every feed's new teaser entries, all hosts side by side
    total.merge(queue.run_pages())
    total.merge(queue.run("finish_interrupted"))
    queue.run("recluster")
    return total
