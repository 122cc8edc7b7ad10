"""Running the tasks of tasks.py: in this process on SQLite, on a task queue on PostgreSQL.

SQLite: `newsdesk worker` refreshes the due feeds in rounds (tasks.refresh_due), finishing
any article an interrupted run left not done, then sleeps.

PostgreSQL: every `newsdesk worker` process is a Procrastinate worker on the queue kept in the
same database (its schema is one of our migrations). Jobs:

    schedule_feeds      every minute: claim the due feeds, defer refresh_feed for each, with a
                        queueing lock per feed so one feed is never queued twice
    refresh_feed        tasks.refresh_feed; it defers fetch_page for entries that need a page
    fetch_page          tasks.fetch_page (one entry: the entries of a feed spread over the workers)
    fetch_pages         tasks.fetch_pages (many entries, several hosts at once)
    enrich_articles     tasks.enrich_articles
    sweep               every minute: re-queue jobs of workers that stopped sending heartbeats
                        (killed), and finish articles whose holder died or whose lease ran out
    recluster           every five minutes: tasks.recluster

Failed jobs are retried with exponential backoff. Jobs are run one at a time per process (the
work is CPU-bound Python); run one worker per core, on as many machines as you like.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .config import Config
from .model import ImportResult
from .pipeline import Pipeline
from .store import Store, is_postgres_url
from .tasks import TASKS, Context, refresh_due

log = logging.getLogger(__name__)

Say = Callable[[str], None]
SCHEDULE_CRON = "* * * * *"  # procrastinate's periodic tasks have minute resolution
RETRY_HORIZON = timedelta(minutes=2)  # `worker --once` waits for retries due this soon


def summary(result: ImportResult) -> str:
    text = (f"imported {result.imported}, duplicates {result.duplicates}, "
            f"failed feeds {len(result.refused)}")
    if result.updated:
        text += f", updated {result.updated}"
    if result.finished:
        text += f", finished {result.finished} left unenriched by an earlier run"
    return text


def run_worker(store: Store, config: Config, *, once: bool = False, interval: float = 60.0,
               say: Say = print) -> None:
    """`newsdesk worker`: the loop on SQLite, a queue worker on PostgreSQL."""
    pipeline = Pipeline(store, config)
    if is_postgres_url(store.url):
        from .store.postgres import PostgresStore  # psycopg: only PostgreSQL users have it

        assert isinstance(store, PostgresStore)
        run_queue_worker(pipeline, store.conninfo, once=once, say=say)
        return
    while True:
        say(f"worker: {summary(refresh_due(pipeline))}")
        if once:
            return
        time.sleep(interval)


# -- PostgreSQL: Procrastinate -----------------------------------------------------------------

def make_app(pipeline: Pipeline, conninfo: str) -> Any:
    """A Procrastinate app whose jobs run the tasks of tasks.py on `pipeline`."""
    import procrastinate
    from procrastinate import utils

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))
    # retries wait 2 + 2^n s (4, 6, 10, 18… s): a refused write or a dropped connection is
    # short-lived
    retry = procrastinate.RetryStrategy(max_attempts=5, wait=2, exponential_wait=2)

    def defer(task: str, **kwargs: Any) -> None:
        defer_job(app, task, **kwargs)

    def run(task: str, **kwargs: Any) -> None:
        context = Context(pipeline, defer)
        TASKS[task](context, **kwargs)
        log.info("%s: %s", task, summary(context.result))

    @app.task(name="refresh_feed", retry=retry)
    def refresh_feed(feed_id: int) -> None:
        run("refresh_feed", feed_id=feed_id)

    @app.task(name="fetch_page", retry=retry)
    def fetch_page(entry: dict[str, Any]) -> None:
        run("fetch_page", entry=entry)

    @app.task(name="fetch_pages", retry=retry)
    def fetch_pages(entries: list[dict[str, Any]]) -> None:
        run("fetch_pages", entries=entries)

    @app.task(name="enrich_articles", retry=retry)
    def enrich_articles(ids: list[int]) -> None:
        run("enrich_articles", ids=ids)

    @app.periodic(cron=SCHEDULE_CRON, periodic_id="schedule_feeds")
    @app.task(name="schedule_feeds", queueing_lock="schedule_feeds")
    def schedule_feeds(timestamp: int) -> None:
        schedule_due_feeds(pipeline, defer)

    @app.periodic(cron="*/5 * * * *", periodic_id="recluster")
    @app.task(name="recluster", queueing_lock="recluster", lock="recluster")
    def recluster(timestamp: int) -> None:
        run("recluster")

    @app.periodic(cron=SCHEDULE_CRON, periodic_id="sweep")
    @app.task(name="sweep", queueing_lock="sweep")
    async def sweep(timestamp: int) -> None:
        await retry_stalled(app, pipeline.config.stalled_seconds)
        await utils.sync_to_async(run, "finish_interrupted")

    return app


def schedule_due_feeds(pipeline: Pipeline, defer: Callable[..., None]) -> int:
    """Claim the feeds that are due and queue a refresh for each; how many were queued."""
    feeds = pipeline.store.claim_due_feeds(datetime.now(UTC), limit=10_000)
    for feed in feeds:
        defer("refresh_feed", feed_id=feed.id)
    return len(feeds)


def defer_job(app: Any, task: str, **kwargs: Any) -> None:
    """Queue `task`. A feed's refresh is not queued twice (queueing lock), and two refreshes
    of one feed never run at once (lock)."""
    from procrastinate.exceptions import AlreadyEnqueued

    lock = f"feed:{kwargs['feed_id']}" if task == "refresh_feed" else None
    with contextlib.suppress(AlreadyEnqueued):
        app.configure_task(task, lock=lock, queueing_lock=lock).defer(**kwargs)


def run_queue_worker(pipeline: Pipeline, conninfo: str, *, once: bool = False,
                     say: Say = print) -> None:
    """One Procrastinate worker. With `once`, it queues the feeds that are due, then works
    until no job is waiting or running anywhere (so several `--once` workers share a batch)."""
    from procrastinate import utils

    app = make_app(pipeline, conninfo)

    def defer(task: str, **kwargs: Any) -> None:
        defer_job(app, task, **kwargs)

    async def main() -> None:
        stalled = pipeline.config.stalled_seconds
        options: dict[str, Any] = dict(
            concurrency=1, update_heartbeat_interval=max(stalled / 3, 0.5),
            stalled_worker_timeout=stalled, delete_jobs="successful")
        async with app.open_async():
            # sync code that defers must run where procrastinate can reach its event loop
            await utils.sync_to_async(schedule_due_feeds, pipeline, defer)
            if not once:
                await app.run_worker_async(wait=True, **options)
                return
            while True:
                await retry_stalled(app, stalled)
                await app.run_worker_async(wait=False, install_signal_handlers=False,
                                           **options)
                # articles a dead worker stored but did not finish (the periodic sweep
                # does this for long-running workers)
                finished = await utils.sync_to_async(pipeline.finish_interrupted)
                if not finished and not await _jobs_pending(app):
                    break
                await asyncio.sleep(0.5)
            await utils.sync_to_async(TASKS["recluster"], Context(pipeline, defer))

    say(f"worker: Procrastinate worker on {pipeline.store.describe()}"
        + (" (until the queue is empty)" if once else ""))
    asyncio.run(main())


async def retry_stalled(app: Any, stalled_seconds: float) -> int:
    """Put back in the queue the jobs of workers silent for `stalled_seconds` (killed)."""
    jobs = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds))
    for job in jobs:
        log.warning("job %s (%s) of a stalled worker: retrying it", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    return len(jobs)


async def _jobs_pending(app: Any) -> bool:
    """Whether any job is running, or waiting and due within RETRY_HORIZON (a retry)."""
    horizon = datetime.now(UTC) + RETRY_HORIZON
    for status in ("doing", "todo"):
        for job in await app.job_manager.list_jobs_async(status=status):
            if status == "doing" or job.scheduled_at is None or job.scheduled_at <= horizon:
                return True
    return False
