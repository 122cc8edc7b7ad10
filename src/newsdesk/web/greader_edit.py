"""Google Reader API writes (greader.py serves the reads): edit-tag and mark-all-as-read
(a reader's own state), and subscription/edit, subscription/quickadd, rename-tag and
disable-tag, which change the desk's shared sources and so are for admins only (403 for a
reader).

A subscription fetches the feed and subscribes in a worker thread, then imports its entries
in the background (adding.py, as `newsdesk add-feed` does), answering when they are in or after
`source_add_wait` seconds, whichever is first: the app's next subscription/list finds it.
Unsubscribing keeps the feed's articles (they move to feed/0, the
articles of no feed). A feed is in one folder (its category): `a` puts it in the last label
added, `r` alone takes it out of its folder; disable-tag empties a folder, its feeds stay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..model import ImportResult
from ..pipeline import Pipeline
from . import adding
from . import greader_calls as calls
from . import greader_streams as gs

router = APIRouter(include_in_schema=False)


def _both(path: str, methods: list[str]) -> Callable[[Any], Any]:
    return calls.both(router, path, methods)


def _subscribe(call: calls.Call, url: str, title: str = "", folder: str = "") -> tuple[int, str]:
    """Subscribe through the pipeline (fetch, import, enrich): (feed id, title). BadInput
    with the pipeline's reason when it refuses."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > 2000:
        raise gs.BadInput(f"{url[:200]!r} is not an http(s) address")
    app = call.request.app
    pipeline = Pipeline(call.store, app.state.config)
    result = ImportResult()
    subscribed = pipeline.subscribe(url, result)
    if subscribed is None:
        pipeline.close()
        reason = result.refused[0][1] if result.refused else "it could not be subscribed"
        raise gs.BadInput(f"{url[:200]}: {reason}")
    # its entries are imported in the background (adding.py); a quick feed's are in
    # before the answer, so the app's next stream call finds them
    adding.finished(adding.start_import(app, pipeline, subscribed, result),
                    float(app.state.config.source_add_wait))
    assert result.feed_id is not None  # subscribe sets it
    if title.strip():
        call.store.rename_feed(result.feed_id, title.strip()[:200])
    if folder:
        call.store.set_feed_category(result.feed_id, folder)
    feed = call.store.feed(result.feed_id)
    return result.feed_id, feed.label if feed else url


def _folder(tag: str) -> str:
    """The folder (category) a label names; not one that would read as a section or story."""
    tag = gs.normalise(tag)
    name = tag[len(gs.LABEL):].strip()[:200] if tag.startswith(gs.LABEL) else ""
    if not name:
        raise gs.BadInput(f"{tag[:200]!r} is not a label (user/-/label/NAME)")
    if name.startswith(gs.SECTION_PREFIX) or gs.STORY_LABEL.match(name):
        raise gs.BadInput(f"{name!r} names a section or a story, not a folder")
    return name


@_both("/subscription/edit", ["POST"])
async def subscription_edit(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        action = call.one("ac").strip()
        if action not in ("subscribe", "unsubscribe", "edit"):
            raise gs.BadInput(f"ac={action[:40]!r}: use subscribe, unsubscribe or edit")
        streams = call.many("s")
        if not streams:
            raise gs.BadInput("s (the feed) is missing")
        call.admin()
        adds = [_folder(a) for a in call.many("a")]
        removes = [_folder(r) for r in call.many("r")]
        title = call.one("t")
        if action == "subscribe":
            for stream in streams:
                stream = stream.strip()
                _subscribe(call, stream[5:] if stream.startswith("feed/") else stream,
                           title, adds[-1] if adds else "")
            return calls.ok()
        desk = call.desk()
        feed_ids = [gs.feed_id_of(gs.normalise(s), desk, call.store) for s in streams]
        if 0 in feed_ids:
            raise gs.BadInput("feed/0 holds the articles of no feed: it cannot be changed")
        for feed_id in feed_ids:
            if action == "unsubscribe":
                call.store.delete_feed(feed_id)
                continue
            if title.strip():
                call.store.rename_feed(feed_id, title.strip()[:200])
            if adds:  # a feed is in one folder: the last one added
                call.store.set_feed_category(feed_id, adds[-1])
            elif gs.category_of(desk.feeds[feed_id]) in removes:
                call.store.set_feed_category(feed_id, None)
        return calls.ok()
    return await calls.serve(request, answer, write=True)


@_both("/subscription/quickadd", ["POST"])
async def quickadd(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        url = call.one("quickadd").strip()
        url = url[5:] if url.startswith("feed/") else url
        if not url:
            raise gs.BadInput("quickadd (the feed or page address) is missing")
        call.admin()
        try:
            feed_id, title = _subscribe(call, url)
        except gs.BadInput as exc:
            return calls.json_answer({"numResults": 0, "query": url, "error": str(exc)})
        feed = call.store.feed(feed_id)
        return calls.json_answer({"numResults": 1, "query": feed.url if feed else url,
                                  "streamId": f"feed/{feed_id}", "streamName": title})
    return await calls.serve(request, answer, write=True)


def _feeds_in(call: calls.Call, label: str) -> list[int]:
    desk = call.desk()
    found = [fid for fid, f in desk.feeds.items()
             if (gs.category_of(f) or "").casefold() == label.casefold()]
    if not found:
        raise gs.UnknownStream(f"no folder {label!r}")
    return found


@_both("/rename-tag", ["POST"])
async def rename_tag(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        old, new = _folder(call.one("s") or call.one("t")), _folder(call.one("dest"))
        call.admin()
        for feed_id in _feeds_in(call, old):
            call.store.set_feed_category(feed_id, new)
        return calls.ok()
    return await calls.serve(request, answer, write=True)


@_both("/disable-tag", ["POST"])
async def disable_tag(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        labels = [_folder(s) for s in call.many("s") + call.many("t")]
        if not labels:
            raise gs.BadInput("s (the label) is missing")
        call.admin()
        for label in labels:  # the folder goes, its feeds stay, in no folder
            for feed_id in _feeds_in(call, label):
                call.store.set_feed_category(feed_id, None)
        return calls.ok()
    return await calls.serve(request, answer, write=True)


# -- marking -----------------------------------------------------------------------------------

@_both("/edit-tag", ["POST"])
async def edit_tag(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        wanted = call.many("i")
        if not wanted:
            raise gs.BadInput("i (the items) is missing")
        if len(wanted) > calls.MAX_EDIT_IDS:
            raise gs.BadInput(f"at most {calls.MAX_EDIT_IDS} ids (i) a call")
        ids = gs.parse_item_ids(wanted)
        adds = {gs.normalise(a) for a in call.many("a")}
        removes = {gs.normalise(r) for r in call.many("r")}
        if adds & removes:
            raise gs.BadInput(f"{sorted(adds & removes)[0]!r} both added and removed")
        if not ids:  # none of ours: nothing to change
            return calls.ok()
        store, uid = call.store, call.user.id
        for tag, on in [(t, True) for t in adds] + [(t, False) for t in removes]:
            if tag == gs.READ:
                store.mark_read(uid, ids, on)
            elif tag == gs.KEPT_UNREAD:
                store.mark_read(uid, ids, not on)
            elif tag == gs.STARRED:
                store.set_saved(uid, ids, on)
            # labels, broadcast, like, tracking-...: nothing of ours to change
        return calls.ok()
    return await calls.serve(request, answer, write=True)


@_both("/mark-all-as-read", ["POST"])
async def mark_all_as_read(request: Request) -> Response:
    def answer(call: calls.Call) -> Response:
        stream = call.one("s").strip()
        if not stream:
            raise gs.BadInput("s (the stream) is missing")
        query = gs.stream_query(stream, call.desk(), call.store)
        ts = call.one("ts").strip()
        if ts:  # up to ts inclusive: what the app had seen
            query = replace(query, fetched_before=gs.parse_usec(ts) + timedelta(microseconds=1))
        call.store.mark_read_where(call.user.id, replace(query, limit=None))
        return calls.ok()
    return await calls.serve(request, answer, write=True)
