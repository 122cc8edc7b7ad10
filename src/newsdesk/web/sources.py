"""The sources page and the OPML export.

    GET  /sources                    every feed by category: its name, site, address, last
                                     check, status, last error, errors in a row, next check,
                                     articles and the newest; for admins the add form too
    POST /sources/add                url, as_article: subscribe (a feed, or the feed a page
                                     links) and import its entries now (the answer waits up
                                     to `source_add_wait` seconds, then says the import goes
                                     on); a page that links no feed is imported as an article
    GET  /sources/{id}               admins: one feed, with the rename and category forms
    POST /sources/{id}/rename        name ("" gives the feed its own title back)
    POST /sources/{id}/category      category ("" puts it in none)
    GET  /sources/{id}/remove        admins: are you sure? (its articles stay)
    POST /sources/{id}/remove
    GET  /opml                       the subscriptions as OPML 2.0 (sources.export_opml)

A feed subscribed whose entries were not all imported (a broken entry) is a success that says
how many were skipped; the reasons go to the server's log.

Whoever may read the desk may read the list and the OPML (public_reading, auth.py); every
other screen and every action is for admins (403 for a reader, the login page for a visitor),
with a CSRF field. A done action redirects back with what was done in the address (`done`,
`feed`, `n`: numbers and a word from a fixed list, shown as a translated notice); a refused
one shows the page again (400) with the reason, and nothing stored has changed.

Adding fetches over the network: it runs in a thread of its own (never on the event loop),
one add at a time per server process, through the pipeline's Fetcher and its limits (timeout,
size, redirects, private addresses refused unless `allow_private` / `allow_networks`).
These pages are not kept in the page cache: feed checks and edits do not move the store's
content version, and the admin's forms carry their own CSRF token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import InputError
from ..model import Feed, ImportResult
from ..pipeline import NO_FEED_LINKED, Pipeline
from ..sources import MAX_NAME, MAX_URL, check_name, check_url, export_opml, feed_status
from . import adding, auth
from .account import read_form, say
from .locale import N_, gettext, ngettext, number, ui_for, using
from .pages import MAX_ID, get_store, render

log = logging.getLogger(__name__)
router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)
FeedId = Annotated[int, Path(ge=1, le=MAX_ID)]

# feed_status's words as the page shows them (single words would be ambiguous to translate)
STATUS_NAMES = {"new": N_("Not checked yet"), "ok": N_("Working"),
                "not modified": N_("Working, unchanged"), "error": N_("Failing"),
                "waiting": N_("Asked us to wait")}
# what a redirect's `done` may say (anything else is ignored): notice() words them
NOTICES = ("subscribed", "refreshed", "article", "page-article", "renamed", "category",
           "removed", "importing")


def notice(done: str, num: int) -> str:
    """The notice for `done` in the current language, with %(feed)s and %(num)s to fill."""
    if done == "subscribed":
        return ngettext("Subscribed to %(feed)s: %(num)s new article.",
                        "Subscribed to %(feed)s: %(num)s new articles.", num)
    if done == "refreshed":
        return ngettext("Already subscribed to %(feed)s: %(num)s new article.",
                        "Already subscribed to %(feed)s: %(num)s new articles.", num)
    if done == "removed":
        return ngettext("Removed the feed; its %(num)s article stays on the desk.",
                        "Removed the feed; its %(num)s articles stay on the desk.", num)
    return gettext(_PLAIN_NOTICES[done])


_PLAIN_NOTICES = {"article": N_("Imported the page as an article."),
                  "page-article": N_("That page links no feed: imported it as an article."),
                  "renamed": N_("Renamed %(feed)s."),
                  "category": N_("Changed the category of %(feed)s."),
                  "importing": N_("Subscribed to %(feed)s: its articles are still being "
                                  "fetched, and appear on the desk as they arrive.")}


# -- adding ---------------------------------------------------------------------------------

@dataclass
class Added:
    """What add_source did: `kind` "feed" (subscribed, or found subscribed) or "article";
    for a feed, whether its import `finished` before the answer."""

    kind: str
    result: ImportResult
    fallback: bool = False  # a feed was asked for; the page linked none: imported as an article
    finished: bool = True


def add_source(pipeline: Pipeline, url: str, as_article: bool = False,
               app: Any = None, wait: float = 0.0) -> Added:
    """Subscribe to the feed at `url` (or the feed its page links) and import its entries in
    the background (adding.py), waiting up to `wait` seconds; a page that links no feed is
    imported as an article (fetched again, robots.txt honoured); with `as_article` the page
    is an article whatever it links. Refusals are in the result, and a refused add stores
    nothing. The pipeline is the import's to close once one is started."""
    kind = "article" if as_article else "feed"
    try:
        url = check_url(url)
    except InputError as exc:
        return Added(kind, ImportResult(refused=[(exc.name, exc.reason)]))
    if as_article:
        return Added(kind, pipeline.fetch_url(url))
    result = ImportResult()
    subscribed = pipeline.subscribe(url, result)
    if subscribed is not None:
        future = adding.start_import(app, pipeline, subscribed, result)
        return Added(kind, result, finished=adding.finished(future, wait))
    if result.refused == [(url, NO_FEED_LINKED)]:
        page = pipeline.fetch_url(url)
        if not page.refused:
            return Added("article", page, fallback=True)
        reason = page.refused[0][1]
        result.refused = [(url, f"{NO_FEED_LINKED}, and no article was found in it ({reason})")]
    return Added(kind, result)


def _add_now(request: Request, url: str, as_article: bool) -> Added:
    app = request.app
    pipeline = Pipeline(get_store(request), app.state.config)
    added = Added("feed", ImportResult())
    try:
        added = add_source(pipeline, url, as_article, app, float(app.state.config.source_add_wait))
        return added
    finally:
        if added.result.feed_id is None:  # no import started: the pipeline is still ours
            pipeline.close()


# -- the list -------------------------------------------------------------------------------

@dataclass
class Row:
    feed: Feed
    status: str
    articles: int
    newest: datetime | None


def _rows(request: Request) -> list[tuple[str | None, list[Row]]]:
    """The feeds by category (by name, those in none last), each by label."""
    store = get_store(request)
    counts = store.feed_article_counts()
    now = datetime.now(UTC)
    groups: dict[str | None, list[Row]] = {}
    for feed in store.feeds():
        assert feed.id is not None
        count, newest = counts.get(feed.id, (0, None))
        groups.setdefault(feed.category, []).append(Row(feed, feed_status(feed, now), count,
                                                        newest))
    order = sorted((c for c in groups if c is not None), key=str.casefold)
    return [(c, sorted(groups[c], key=lambda r: r.feed.label.casefold()))
            for c in [*order, *([None] if None in groups else [])]]


def _notice(request: Request, done: str, feed_id: int | None, num: int) -> str:
    if done not in NOTICES:
        return ""
    feed = get_store(request).feed(feed_id) if feed_id else None
    with using(ui_for(request)):
        return notice(done, num) % {"feed": feed.label if feed else "", "num": number(num)}


def _sources_page(request: Request, status: int = 200, error: str = "", url: str = "",
                  notice: str = "", article: int | None = None) -> Response:
    user = auth.current_user(request)
    groups = _rows(request)
    return render(request, "sources.html", {
        "groups": groups, "total": sum(len(rows) for _, rows in groups),
        "is_admin": bool(user and user.is_admin), "error": error, "url": url,
        "notice": notice, "article": article, "status_names": STATUS_NAMES,
        "max_url": MAX_URL}, status=status)


@router.get("/sources")
def sources(request: Request, done: Annotated[str, Query(max_length=20)] = "",
            feed: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
            n: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
            article: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
            skipped: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Response:
    text = _notice(request, done, feed, n)
    if text and skipped and done in ("subscribed", "refreshed"):
        with using(ui_for(request)):
            text += " " + ngettext("%(num)s entry could not be imported.",
                                   "%(num)s entries could not be imported.",
                                   skipped) % {"num": number(skipped)}
    return _sources_page(request, notice=text,
                         article=article if done in ("article", "page-article") else None)


@router.get("/opml")
def opml(request: Request) -> Response:
    config = request.app.state.config
    data = export_opml(get_store(request).feeds(), f"{config.site_name}: subscriptions")
    return Response(data, media_type="text/x-opml; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="subscriptions.opml"'})


# -- actions (admins) -----------------------------------------------------------------------

async def _admin_form(request: Request) -> dict[str, str]:
    """The form an admin posted, its CSRF token checked (401/403 otherwise)."""
    auth.require_admin(request)
    form = await read_form(request)
    await run_in_threadpool(auth.check_csrf, request, form.get("csrf", ""))
    return form


def _done(done: str, feed_id: int | None = None, num: int = 0,
          article: int | None = None, skipped: int = 0) -> Response:
    query = f"done={done}" + (f"&feed={feed_id}" if feed_id else "") + (f"&n={num}" if num
                                                                          else "")
    if article:
        query += f"&article={article}"
    if skipped:
        query += f"&skipped={skipped}"
    return RedirectResponse(f"/sources?{query}#notice", status_code=303)


@router.post("/sources/add")
async def add(request: Request) -> Response:
    form = await _admin_form(request)
    url = form.get("url", "").strip()
    as_article = form.get("as_article", "") not in ("", "0")
    added = await anyio.to_thread.run_sync(_add_now, request, url, as_article)
    result = added.result
    if added.kind == "feed" and result.feed_id is not None:  # subscribed; some entries may not
        for name, reason in result.refused:
            log.warning("adding %s: entry refused: %s: %s", url, name, reason)
        if not added.finished:  # the import goes on in the background (adding.py)
            return _done("importing", result.feed_id)
        return _done("subscribed" if result.subscribed else "refreshed", result.feed_id,
                     result.imported, skipped=len(result.refused))
    if result.refused:
        name, reason = result.refused[0]
        error = say(request, N_("Could not add %(url)s: %(reason)s"), url=name[:200],
                    reason=reason)
        return await run_in_threadpool(_sources_page, request, 400, error, url[:MAX_URL])
    if added.kind == "article":
        article = result.article_ids[0] if result.article_ids else None
        return _done("page-article" if added.fallback else "article", article=article)
    raise AssertionError("a feed added without its id")  # add_feed sets feed_id or refuses


def _feed_or_404(request: Request, feed_id: int) -> Feed:
    feed = get_store(request).feed(feed_id)
    if feed is None:
        raise HTTPException(404, f"no feed {feed_id}")
    return feed


def _feed_page(request: Request, feed: Feed, status: int = 200, error: str = "",
               template: str = "source.html", **extra: Any) -> Response:
    store = get_store(request)
    assert feed.id is not None
    count, newest = store.feed_article_counts().get(feed.id, (0, None))
    categories = sorted({f.category for f in store.feeds() if f.category}, key=str.casefold)
    return render(request, template, {
        "feed": feed, "status": feed_status(feed, datetime.now(UTC)), "articles": count,
        "newest": newest, "categories": categories, "error": error,
        "status_names": STATUS_NAMES, "max_name": MAX_NAME, **extra}, status=status)


@router.get("/sources/{feed_id}")
def source(request: Request, feed_id: FeedId, admin: auth.Admin) -> Response:
    return _feed_page(request, _feed_or_404(request, feed_id))


@router.get("/sources/{feed_id}/remove")
def remove_form(request: Request, feed_id: FeedId, admin: auth.Admin) -> Response:
    return _feed_page(request, _feed_or_404(request, feed_id), template="source_remove.html")


async def _change(request: Request, feed_id: int, field: str) -> Response:
    """Rename a feed (`field` "name") or set its category (`field` "category")."""
    form = await _admin_form(request)
    store = get_store(request)

    def work() -> Response:
        feed = _feed_or_404(request, feed_id)
        try:
            value = check_name(form.get(field, ""), field)
        except InputError:
            problem = (N_("A name has at most %(num)s characters.") if field == "name"
                       else N_("A category has at most %(num)s characters."))
            return _feed_page(request, feed, 400, say(request, problem, num=MAX_NAME))
        if field == "name":
            store.rename_feed(feed_id, value)
            return _done("renamed", feed_id)
        store.set_feed_category(feed_id, value)
        return _done("category", feed_id)

    return await run_in_threadpool(work)


@router.post("/sources/{feed_id}/rename")
async def rename(request: Request, feed_id: FeedId) -> Response:
    return await _change(request, feed_id, "name")


@router.post("/sources/{feed_id}/category")
async def category(request: Request, feed_id: FeedId) -> Response:
    return await _change(request, feed_id, "category")


@router.post("/sources/{feed_id}/remove")
async def remove(request: Request, feed_id: FeedId) -> Response:
    await _admin_form(request)
    store = get_store(request)

    def work() -> Response:
        _feed_or_404(request, feed_id)
        count = store.feed_article_counts().get(feed_id, (0, None))[0]
        store.delete_feed(feed_id)
        return _done("removed", num=count)

    return await run_in_threadpool(work)
