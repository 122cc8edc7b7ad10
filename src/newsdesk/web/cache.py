"""Rendered pages kept until the database changes.

A page is a function of the stored data, its address and the reader's language and time zone
(locale.py: from the Accept-Language header, the language cookie or the user's setting), so
an anonymous visitor's page is kept under (language, zone, path, query) and served again while
`store.content_version()` is what it was: any committed change to what pages show (articles,
stories, similar links, story redirects), by any process, makes every kept page stale; feed
checks, host holds, leases and jobs do not.
Each server process keeps its own, at most `page_cache` pages (least recently used dropped
first); 0 turns it off. Answers other than 200, and bodies over MAX_BODY, are never kept.
A signed-in reader's pages (their counts, buttons and form tokens) are kept apart, under the
address plus their session and their state version (auth.cache_part): they never reach
another visitor, and marking anything read or saved makes that reader's pages stale.

A desk that ingests all the time changes the version every few seconds, and would build
every page again for nearly every request; so a kept page is still served for `page_max_stale`
seconds (default 5) after it was made, whatever changed since: each page is then built at most
once per that many seconds, and a new article shows up on the pages at most that late.

After a change, the first request for a page builds it again; requests for the same page that
arrive while it is being built are answered with the page kept from before the change (at most
one build old) instead of each building it too: on a desk that ingests all the time, 16
readers of the front page would otherwise build it 16 times after every new article.

    @router.get("/section/{slug}")
    @cached_page
    def section(request: Request, slug: str) -> HTMLResponse: ...

At 100,000 articles the front page takes ~15 ms of one core to build and well under 1 ms to
answer from here (bench/serve.py; bench/RESULTS.md).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .auth import cache_part
from .locale import ui_for

MAX_BODY = 2_000_000
# Pages built at once by one process. A build is Python with many short SQLite calls, each
# giving up the GIL and waiting up to a switch interval to get it back while other builds run:
# at 100,000 articles 8 front pages built side by side came out at ~60% of the rate of one
# at a time. Two keep a slow page (a story's first digest) from holding up every other.
BUILDS_AT_ONCE = 2

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Kept:
    version: str
    body: bytes
    media_type: str | None
    headers: tuple[tuple[str, str], ...]
    made: float = field(default_factory=time.monotonic)


class PageCache:
    """An LRU of rendered bodies, each tagged with the data version it was made from."""

    def __init__(self, size: int, max_stale: float = 0.0) -> None:
        self.size = max(0, size)
        self.max_stale = max(0.0, max_stale)
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._building: set[str] = set()
        self._lock = threading.Lock()

    def get(self, key: str, version: str) -> Kept | None:
        """The page kept for `key` if it was made from `version`, or made less than
        `max_stale` seconds ago (the data changed since, but it may be that late)."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if kept.version != version and time.monotonic() - kept.made >= self.max_stale:
                return None
            self._kept.move_to_end(key)
            return kept

    def begin(self, key: str) -> Kept | None:
        """On a miss: None when the caller is to build the page (call `done` after), else
        the page kept from an earlier version, to serve while another caller builds it."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and key in self._building:
                return kept
            self._building.add(key)
            return None

    def done(self, key: str, kept: Kept | None) -> None:
        """The build of `key` is over: keep its page, or with None (not a 200 answer) drop
        the page kept from before, so it is not served again."""
        with self._lock:
            self._building.discard(key)
            if kept is None:
                self._kept.pop(key, None)
        if kept is not None:
            self.put(key, kept)

    def put(self, key: str, kept: Kept) -> None:
        if self.size == 0 or len(kept.body) > MAX_BODY:
            return
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


def builders(request: Request) -> anyio.CapacityLimiter:
    """How many pages one server process builds at once: BUILDS_AT_ONCE, made on first use
    (a limiter belongs to the running event loop)."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "page_builders", None)
    if limiter is None:
        limiter = request.app.state.page_builders = anyio.CapacityLimiter(BUILDS_AT_ONCE)
    return limiter


def cached_page(handler: F) -> F:
    """Serve `handler`'s 200 answers from the app's PageCache while the data is unchanged.

    The wrapper runs on the event loop: a kept page is answered there, without the hop to
    the thread pool (which costs more than the answer), and only a page to build goes to a
    worker thread. The store's version is read on the loop when the store says that is
    cheap (SQLite: a pragma on a connection of its own), else in a thread too."""

    def build(request: Request, args: Any, kwargs: Any) -> Any:
        return anyio.to_thread.run_sync(functools.partial(handler, *args, **kwargs),
                                        limiter=builders(request))

    @functools.wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        request: Request = kwargs["request"]
        cache: PageCache = request.app.state.page_cache
        if cache.size == 0:
            return await build(request, args, kwargs)
        key = (f"{ui_for(request).key}|{request.scope['path']}?"
               f"{request.scope['query_string'].decode('latin-1')}{cache_part(request)}")
        store = request.app.state.store
        version = (store.content_version() if store.cheap_content_version
                   else await run_in_threadpool(store.content_version))
        kept = cache.get(key, version) or cache.begin(key)
        if kept is not None:
            return Response(kept.body, media_type=kept.media_type, headers=dict(kept.headers))
        made = None
        try:
            response = await build(request, args, kwargs)
            if isinstance(response, Response) and response.status_code == 200:
                headers = tuple((k, v) for k, v in response.headers.items()
                                if k not in ("content-length", "content-type"))
                made = Kept(version, bytes(response.body), response.media_type, headers)
        finally:
            cache.done(key, made)
        return response

    return wrapper  # type: ignore[return-value]
