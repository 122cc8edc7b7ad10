"""Adding a feed from the web (the sources page, the Google Reader API's subscribe calls):
subscribe at once, import in the background.

Subscribing fetches the feed (or the page that links it) and records the subscription, so the
answer can say whether it worked. Importing its entries may take long: a feed of teasers has
a page per entry to fetch, `per_host_delay` apart. So the import runs in one thread per server
process that outlives the request, one feed after another; the caller waits for it up to
`source_add_wait` seconds and then answers either way. The feed keeps no validators until
its import is whole (Pipeline.subscribe), so a server killed meanwhile loses nothing: the next
refresh reads the whole feed again.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from ..model import ImportResult
from ..pipeline import Pipeline, Subscribed

log = logging.getLogger(__name__)


def importer(app: Any) -> ThreadPoolExecutor:
    """The process's import thread (made on first use)."""
    pool: ThreadPoolExecutor | None = getattr(app.state, "feed_importer", None)
    if pool is None:
        pool = app.state.feed_importer = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="import-feed")
    return pool


def start_import(app: Any, pipeline: Pipeline, subscribed: Subscribed,
                 result: ImportResult) -> Future[ImportResult]:
    """Import the entries of a feed just subscribed, in the background; the pipeline is
    closed when it is done. Its refusals go to the log."""
    def work() -> ImportResult:
        try:
            pipeline.import_entries(subscribed, result)
            return result
        finally:
            pipeline.close()

    def logged(future: Future[ImportResult]) -> None:
        error = future.exception()
        if error is not None:
            log.error("importing feed %s failed: %s", subscribed.feed_id, error)
            return
        for name, reason in result.refused:
            log.warning("importing feed %s: entry refused: %s: %s", subscribed.feed_id, name,
                        reason)

    future = importer(app).submit(work)
    future.add_done_callback(logged)
    return future


def finished(future: Future[ImportResult], seconds: float) -> bool:
    """Wait (blocking: call it from a worker thread) up to `seconds` for the import."""
    try:
        future.result(timeout=max(0.0, seconds))
    except FutureTimeout:
        return False
    return True
