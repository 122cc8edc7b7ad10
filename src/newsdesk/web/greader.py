"""The Google Reader API, as FreshRSS and Miniflux answer it, for NetNewsWire, Reeder, ReadYou,
FeedMe, Fluent Reader and the like (docs/greader-api.md): login and the reading calls here, the
writes in greader_edit.py, tokens and plumbing in greader_calls.py, ids and streams in
greader_streams.py.

Served only when the `greader_api` setting is on (else 404), at both the generic paths and
FreshRSS's, so an app set up for either server works:

    /accounts/ClientLogin                      /api/greader.php/accounts/ClientLogin
    /reader/api/0/...                          /api/greader.php/reader/api/0/...

ClientLogin takes `Email` (the user name) and `Passwd`, the user's API password (never the
login password), from the form or the query; failures count against the same limits as web
logins (accounts.authenticate). Read calls:

    token  user-info  subscription/list  tag/list  unread-count
    stream/items/ids  stream/contents[/<stream>]  stream/items/contents

Lists page by id: the continuation is the last id given, so items marked read between pages
are neither skipped nor repeated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import accounts
from ..store import Store
from ..store.accounts import ItemQuery
from . import app_items, auth, greader_edit
from . import greader_calls as calls
from . import greader_streams as gs
from .pages import SECTIONS

router = APIRouter(include_in_schema=False)


def _both(path: str, methods: list[str]) -> Callable[[Any], Any]:
    return calls.both(router, path, methods)


# -- login -------------------------------------------------------------------------------------

async def client_login(request: Request) -> Response:
    calls.enabled(request)
    try:
        params = await calls.params_of(request)
    except calls.Problem as problem:
        return problem.response()
    name = (params.get("Email") or [""])[-1].strip()
    password = (params.get("Passwd") or [""])[-1]
    if not name or not password:
        return calls.Problem(400, "Bad Request: send Email (the user name) and Passwd "
                                  "(the API password)").response()
    try:
        user = await run_in_threadpool(accounts.authenticate, request.app.state.store, name,
                                       password, auth.client_address(request),
                                       datetime.now(UTC), True)
    except accounts.LoginLocked as exc:
        return calls.Problem(429, f"Too Many Requests: {exc}",
                             {"Retry-After": str(exc.retry_after)}).response()
    if user is None:
        return calls.Problem(401, "Unauthorized: wrong user name or API password").response()
    token = calls.auth_token(await run_in_threadpool(auth.signing_key, request.app), user)
    if (params.get("output") or [""])[-1] == "json":
        return calls.json_answer({"SID": token, "LSID": "null", "Auth": token})
    return PlainTextResponse(f"SID={token}\nLSID=null\nAuth={token}\n", headers=calls.PRIVATE)


for _prefix in ("", "/api/greader.php"):
    router.api_route(_prefix + "/accounts/ClientLogin", methods=["GET", "POST"])(client_login)


@router.get("/api/greader.php")
@router.get("/api/greader.php/")
def greader_root(request: Request) -> Response:
    calls.enabled(request)
    return PlainTextResponse("OK", headers=calls.PRIVATE)


# -- account -----------------------------------------------------------------------------------

@_both("/token", ["GET", "POST"])
async def token(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        key = auth.signing_key(call.request.app)
        return PlainTextResponse(calls.action_token(key, call.user) + "\n",
                                 headers=calls.PRIVATE)
    return await calls.serve(request, answer)


@_both("/user-info", ["GET", "POST"])
async def user_info(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        uid = str(call.user.id)
        return calls.json_answer({"userId": uid, "userName": call.user.name,
                                  "userProfileId": uid, "userEmail": call.user.name})
    return await calls.serve(request, answer)


# -- subscriptions and tags --------------------------------------------------------------------

def _subscription(feed_id: int, title: str, category: str | None, url: str,
                  html_url: str) -> dict[str, Any]:
    return {"id": f"feed/{feed_id}", "title": title, "url": url, "htmlUrl": html_url,
            "categories": [{"id": gs.LABEL + category, "label": category}] if category else []}


@_both("/subscription/list", ["GET", "POST"])
async def subscription_list(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        desk = call.desk()
        subs = [_subscription(fid, feed.label, gs.category_of(feed), feed.url,
                              feed.site_url or "")
                for fid, feed in sorted(desk.feeds.items(),
                                        key=lambda kv: kv[1].label.casefold())]
        # articles of no feed (pages, sitemaps, unsubscribed feeds) as one subscription
        if call.store.item_refs(call.user.id, ItemQuery(no_feed=True, limit=1)):
            subs.append(_subscription(0, desk.site_name, None, desk.base_url, desk.base_url))
        return calls.json_answer({"subscriptions": subs})
    return await calls.serve(request, answer)


@_both("/tag/list", ["GET", "POST"])
async def tag_list(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        desk = call.desk()
        counts = call.store.unread_counts(call.user.id)
        tags: list[dict[str, Any]] = [{"id": gs.STARRED}]
        tags += [{"id": gs.LABEL + c, "label": c, "type": "folder"} for c in desk.categories()]
        tags += [{"id": gs.LABEL + gs.section_label(slug), "label": gs.section_label(slug),
                  "type": "tag", "unread_count": counts.by_section.get(slug, 0)}
                 for slug in SECTIONS]
        story_unread = call.store.story_unread_counts(call.user.id, list(desk.followed))
        tags += [{"id": gs.LABEL + gs.story_label(sid, title),
                  "label": gs.story_label(sid, title), "type": "tag",
                  "unread_count": story_unread.get(sid, 0)}
                 for sid, title in desk.followed.items()]
        return calls.json_answer({"tags": tags})
    return await calls.serve(request, answer)


# -- counts ------------------------------------------------------------------------------------

def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(a, b) if a and b else a or b


def _newest_unread(store: Store, user_id: int, query: ItemQuery) -> datetime | None:
    found = store.item_refs(user_id, replace(query, view="unread", limit=1))
    return found[0].fetched if found else None


@_both("/unread-count", ["GET", "POST"])
async def unread_count(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        desk, store, uid = call.desk(), call.store, call.user.id
        counts: dict[str, tuple[int, datetime | None]] = {}

        def add(stream: str, count: int, newest: datetime | None) -> None:
            had, when = counts.get(stream, (0, None))  # feed/0 may gather several feeds
            counts[stream] = (had + count, _later(when, newest))

        per_feed = store.feed_unread_counts(uid)
        for feed_id, unread in per_feed.items():
            known = feed_id if feed_id in desk.feeds else 0
            add(f"feed/{known}", unread.count, unread.newest)
            category = gs.category_of(desk.feeds[known]) if known else None
            if category:
                add(gs.LABEL + category, unread.count, unread.newest)
        for slug, count in store.unread_counts(uid).by_section.items():
            if count and slug in SECTIONS:
                # the section's latest article, read or not: its newest unread one costs a
                # scan of the section (~40 ms each at 100,000 articles), this an index step
                latest = store.articles(section=slug, limit=1, brief=True)
                add(gs.LABEL + gs.section_label(slug), count,
                    latest[0].fetched if latest else None)
        for sid, count in store.story_unread_counts(uid, list(desk.followed)).items():
            if count:
                add(gs.LABEL + gs.story_label(sid, desk.followed[sid]), count,
                    _newest_unread(store, uid, ItemQuery(story_id=sid)))
        for unread in per_feed.values():
            add(gs.READING_LIST, unread.count, unread.newest)
        return calls.json_answer({"max": calls.MAX_CONTENTS_N, "unreadcounts": [
            {"id": k, "count": n, "newestItemTimestampUsec": str(gs.usec(newest))}
            for k, (n, newest) in counts.items()]})
    return await calls.serve(request, answer)


# -- streams -----------------------------------------------------------------------------------

def _stream(call: calls.Call, stream: str, cap: int, default_n: int
            ) -> tuple[ItemQuery, int, gs.Desk]:
    """The query a stream call asks for (n + 1 rows: one more tells whether more follow)."""
    desk = call.desk()
    query = gs.narrowed(gs.stream_query(stream, desk, call.store), call.many("xt"),
                        call.many("it"))
    n = calls.count(call, "n", default_n, cap)
    oldest_first = call.one("r").strip() == "o"
    changes: dict[str, Any] = {"oldest_first": oldest_first, "limit": n + 1}
    if call.one("ot").strip():
        changes["fetched_since"] = gs.parse_time(call.one("ot"), "ot")
    if call.one("nt").strip():
        changes["fetched_before"] = gs.parse_time(call.one("nt"), "nt")
    cont = call.one("c").strip()
    if cont:
        if not cont.isdigit() or len(cont) > 19:
            raise gs.BadInput(f"c={cont[:40]!r} is not a continuation from this server")
        changes["after_id" if oldest_first else "before_id"] = int(cont)
    return replace(query, **changes), n, desk


def _page(ids: list[int], n: int) -> tuple[list[int], dict[str, str]]:
    """The first n ids and, when more follow, the continuation (the last id given)."""
    if len(ids) > n:
        return ids[:n], {"continuation": str(ids[n - 1])}
    return ids, {}


@_both("/stream/items/ids", ["GET", "POST"])
async def item_ids(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        if not call.many("s"):
            raise gs.BadInput("s (the stream) is missing")
        query, n, _ = _stream(call, call.one("s"), calls.MAX_IDS_N, 1000)
        ids, more = _page([r.id for r in call.store.item_refs(call.user.id, query)], n)
        return calls.json_answer({"itemRefs": [{"id": str(i)} for i in ids], **more})
    return await calls.serve(request, answer)


def _contents(call: calls.Call, stream: str, rows: list[Any], desk: gs.Desk,
              extra: dict[str, str]) -> Response:
    items = [gs.item_json(article, state, desk,
                          app_items.body(call.request, desk.base_url, article))
             for article, state in rows]
    return calls.json_answer({"id": gs.normalise(stream) or gs.READING_LIST,
                              "updated": int(datetime.now(UTC).timestamp()),
                              "items": items, **extra})


def _stream_contents(request: Request, stream: str) -> Callable[[calls.Call], Response]:
    def answer(call: calls.Call) -> Response:
        chosen = stream or call.one("s") or gs.READING_LIST
        if chosen == "reading-list":
            chosen = gs.READING_LIST
        query, n, desk = _stream(call, chosen, calls.MAX_CONTENTS_N, 20)
        rows = call.store.items(call.user.id, query)
        page, more = _page([a.id or 0 for a, _ in rows], n)
        return _contents(call, chosen, rows[:len(page)], desk, more)
    return answer


@_both("/stream/contents", ["GET", "POST"])
async def stream_contents_query(request: Request) -> Response:
    return await calls.serve(request, _stream_contents(request, ""))


@_both("/stream/contents/{stream:path}", ["GET", "POST"])
async def stream_contents(request: Request, stream: str) -> Response:
    return await calls.serve(request, _stream_contents(request, stream))


@_both("/stream/items/contents", ["GET", "POST"])
async def items_contents(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        wanted = call.many("i")
        if len(wanted) > calls.MAX_CONTENTS_IDS:
            raise gs.BadInput(f"at most {calls.MAX_CONTENTS_IDS} ids (i) a call")
        ids = gs.parse_item_ids(wanted)
        rows = call.store.items(call.user.id, ItemQuery(ids=tuple(ids), limit=len(ids))) \
            if ids else []
        by_id = {a.id: (a, s) for a, s in rows}
        ordered = [by_id[i] for i in ids if i in by_id]  # in the order asked; unknown skipped
        if call.one("r").strip() == "o":
            ordered.sort(key=lambda row: row[0].id or 0)
        return _contents(call, gs.READING_LIST, ordered, call.desk(), {})
    return await calls.serve(request, answer, write=request.method == "POST")


router.include_router(greader_edit.router)
