"""The Fever API (version 3), for the apps that speak it (Reeder, ReadKit, FeedMe, Unread,
Fiery Feeds, ReadYou, Fluent Reader): at /fever/, /fever and FreshRSS's /api/fever.php, when
the `fever_api` setting is on (404 when off). docs/fever-api.md describes the protocol and how
newsdesk answers it; fever_map.py turns newsdesk's data into Fever's.

Every call is one GET or POST with flags in the query (`?api&items&since_id=12`) and fields in
the query or the body (urlencoded or multipart; body fields win, at most MAX_BODY bytes). The
key is `api_key` = md5("user name:API password"), never the login password. Every answer is
JSON with api_version 3 and auth 0 or 1; a wrong key answers auth 0 and counts against the
address (with failed logins: accounts.py), and an address with too many failures gets 429
(auth 0) until they age out, whatever key it sends. A right key does not clear the address's
failures: one user's key must not buy guesses at another's.

Writes (`mark`) run before reads, so one call can mark and read. A write names what it marks
(`mark`, `as`, an integer `id`): anything else answers 400 with `error`, a one-line reason.
Read flags and numbers that do not parse are ignored, as Fever servers do (a bad `since_id`
counts as none). Unknown ids are no error: nothing to mark. Answers are never kept in the
page cache, nor by anyone else (Cache-Control: no-store).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import accounts
from ..model import Feed
from ..store import Store
from ..store.accounts import ItemQuery, ItemRef, User, View
from . import app_items, auth, fever_map
from .fever_map import LOOSE_FEED_ID
from .locale import N_, gettext, ui_for, using
from .pages import get_store

router = APIRouter(include_in_schema=False)

API_VERSION = 3
MAX_BODY = 64 * 1024
MAX_ITEMS = 50           # per `items` answer, and ids taken from `with_ids`
MAX_NUMBER = 2**62       # larger ids and times are read as this (an app's "everything")
MAX_TIME = 253402300799  # 9999-12-31: a later `before` is read as this
# login_attempts' account for failed keys: no user can have this name (a space in it)
FAILURE_ACCOUNT = "(fever api)"
_KEY = re.compile(r"[0-9a-f]{32}")


class BadRequest(Exception):
    """A write that cannot be done: the reason is told to the app."""


# -- the request's fields ------------------------------------------------------------------

async def _body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413)
    return body


def _form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of an urlencoded or multipart body (first value of each)."""
    if not body:
        return {}
    if content_type.lower().startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        fields: dict[str, str] = {}
        for part in message.iter_parts() if message.is_multipart() else []:
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes) and name not in fields:
                fields[name] = payload.decode("utf-8", "replace")
        return fields
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def _number(value: str | None) -> int | None:
    """An integer field, or None when absent, empty or not a number; huge ones clamped."""
    text = (value or "").strip()
    if not re.fullmatch(r"-?\d{1,40}", text):
        return None
    return max(-MAX_NUMBER, min(int(text), MAX_NUMBER))


def _id_list(value: str) -> tuple[int, ...]:
    """`with_ids`: the first MAX_ITEMS distinct positive ids; other members ignored."""
    ids: list[int] = []
    for part in value.split(",", 4 * MAX_ITEMS)[: 4 * MAX_ITEMS]:
        number = _number(part)
        if number is not None and number > 0 and number not in ids:
            ids.append(number)
            if len(ids) == MAX_ITEMS:
                break
    return tuple(ids)


# -- answers -------------------------------------------------------------------------------

def _json(data: dict[str, Any], status: int = 200, **headers: str) -> JSONResponse:
    return JSONResponse(data, status_code=status, media_type="application/json; charset=UTF-8",
                        headers={"Cache-Control": "no-store", **headers})


def _refused(status: int = 200, error: str = "", **headers: str) -> JSONResponse:
    data: dict[str, Any] = {"api_version": API_VERSION, "auth": 0}
    if error:
        data["error"] = error
    return _json(data, status, **headers)


def _who(store: Store, fields: dict[str, str], address: str) -> User | JSONResponse:
    """The key's user, or the answer refusing it (auth 0; 429 while the address is locked)."""
    now = datetime.now(UTC)
    _, by_address = store.login_failures(FAILURE_ACCOUNT, address, now - accounts.LOCK_WINDOW)
    if by_address >= accounts.ADDRESS_FAILURES:
        retry = int(accounts.LOCK_WINDOW.total_seconds())
        return _refused(429, f"too many failed keys from this address: try again in "
                             f"{retry // 60} minutes", **{"Retry-After": str(retry)})
    key = fields.get("api_key", "").strip().lower()
    if not key:
        return _refused()  # asked without a key: no guess to count
    user = store.user_by_fever_key(key) if _KEY.fullmatch(key) else None
    if user is None:
        store.record_login_failure(FAILURE_ACCOUNT, address, now)
        return _refused()
    return user


class Desk:
    """One call's view of the desk for one user: feeds and groups read once, when needed."""

    def __init__(self, request: Request, store: Store, user: User) -> None:
        self.request, self.store, self.user = request, store, user
        self._feeds: list[Feed] | None = None
        self._groups: fever_map.Groups | None = None
        self._loose: list[ItemRef] | None = None  # the newest article with no feed, if any

    @property
    def feeds(self) -> list[Feed]:
        if self._feeds is None:
            self._feeds = self.store.feeds()
        return self._feeds

    @property
    def loose(self) -> list[ItemRef]:
        """The newest article with no feed, if any (then the loose feed is listed)."""
        if self._loose is None:
            self._loose = self.store.item_refs(self.user.id, ItemQuery(no_feed=True, limit=1))
        return self._loose

    @property
    def groups(self) -> fever_map.Groups:
        if self._groups is None:
            self.request.state.user_language = str(self.user.settings.get("language") or "")
            with using(ui_for(self.request)):
                title = gettext(N_("No category"))
            self._groups = fever_map.groups(self.feeds, bool(self.loose), title)
        return self._groups

    def last_refreshed(self) -> int:
        checked = [f.last_checked for f in self.feeds if f.last_checked is not None]
        return fever_map.unix(max(checked)) if checked else int(datetime.now(UTC).timestamp())

    def feed_list(self) -> list[dict[str, Any]]:
        newest = self.store.feed_article_counts()
        out = [fever_map.feed_entry(f, newest.get(int(f.id or 0), (0, None))[1])
               for f in self.feeds]
        if self.loose:
            out.append(fever_map.loose_feed_entry(
                str(self.request.app.state.config.site_name), app_items.site_address(self.request),
                self.loose[0].fetched))
        return out

    def ids(self, view: View) -> str:
        return fever_map.id_string(self.store.item_ids(self.user.id,
                                                       ItemQuery(view=view, limit=None)))

    def items(self, fields: dict[str, str]) -> list[dict[str, Any]]:
        """`items`: by with_ids, else below max_id (newest first), else above since_id."""
        if "with_ids" in fields:
            query = ItemQuery(ids=_id_list(fields["with_ids"]), limit=MAX_ITEMS)
        elif "max_id" in fields:
            below = _number(fields["max_id"])
            query = ItemQuery(before_id=below if below and below > 0 else None,
                              limit=MAX_ITEMS)
        else:
            since = _number(fields.get("since_id"))
            query = ItemQuery(after_id=max(since or 0, 0), oldest_first=True, limit=MAX_ITEMS)
        site = app_items.site_address(self.request)
        out = []
        for article, state in self.store.items(self.user.id, query):
            html = app_items.body(self.request, site, article)
            out.append(fever_map.item_entry(article, state, html))
        return out

    # -- writes --------------------------------------------------------------------------

    def mark(self, fields: dict[str, str]) -> str:
        """Do the write `fields` ask for; which id list the answer then carries."""
        kind, state = fields.get("mark", "").strip(), fields.get("as", "").strip()
        target = _number(fields.get("id"))
        if kind not in ("item", "feed", "group"):
            raise BadRequest(f"mark={kind[:20]!r}: mark takes item, feed or group")
        if target is None:
            raise BadRequest(f"id={fields.get('id', '')[:20]!r}: mark={kind} needs an "
                             "integer id")
        uid = self.user.id
        if kind == "item":
            if state in ("read", "unread"):
                self.store.mark_read(uid, [target], state == "read")
                return "unread_item_ids"
            if state in ("saved", "unsaved"):
                self.store.set_saved(uid, [target], state == "saved")
                return "saved_item_ids"
            raise BadRequest(f"as={state[:20]!r}: mark=item takes read, unread, saved or "
                             "unsaved")
        if state != "read":
            raise BadRequest(f"as={state[:20]!r}: mark={kind} takes read only")
        before = self._before(fields.get("before"))
        if kind == "group" and target == 0:  # Kindling: everything
            self.store.mark_read_where(uid, ItemQuery(fetched_before=before, limit=None))
            return "unread_item_ids"
        if kind == "group":
            feed_ids = self.groups.feed_ids.get(target, []) if target > 0 else []
        else:
            feed_ids = [target]
        real = tuple(i for i in feed_ids if i != LOOSE_FEED_ID)
        if real:
            self.store.mark_read_where(uid, ItemQuery(feed_ids=real, fetched_before=before,
                                                      limit=None))
        if LOOSE_FEED_ID in feed_ids:
            self.store.mark_read_where(uid, ItemQuery(no_feed=True, fetched_before=before,
                                                      limit=None))
        return "unread_item_ids"

    @staticmethod
    def _before(value: str | None) -> datetime:
        """What `before` reaches: articles the desk stored up to that second (fetched), so
        what arrived after the app's last sync stays unread. Absent or 0: now."""
        seconds = _number(value)
        if seconds is None or seconds <= 0:
            return datetime.now(UTC) + timedelta(seconds=1)
        return datetime.fromtimestamp(min(seconds, MAX_TIME), UTC) + timedelta(seconds=1)


def _answer(request: Request, fields: dict[str, str]) -> JSONResponse:
    store = get_store(request)
    who = _who(store, fields, auth.client_address(request))
    if isinstance(who, JSONResponse):
        return who
    desk = Desk(request, store, who)
    data: dict[str, Any] = {"api_version": API_VERSION, "auth": 1}
    if "mark" in fields:
        try:
            data[desk.mark(fields)] = ""  # filled below, after the write
        except BadRequest as exc:
            data.update(last_refreshed_on_time=desk.last_refreshed(), error=str(exc))
            return _json(data, 400)
    data["last_refreshed_on_time"] = desk.last_refreshed()
    if "groups" in fields:
        data["groups"] = desk.groups.listed()
    if "feeds" in fields:
        data["feeds"] = desk.feed_list()
    if "groups" in fields or "feeds" in fields:
        data["feeds_groups"] = desk.groups.members()
    if "favicons" in fields:
        data["favicons"] = fever_map.favicons()
    if "items" in fields:
        data["total_items"] = store.count_articles()
        data["items"] = desk.items(fields)
    if "links" in fields:
        data["links"] = []  # no hot links here
    if "unread_item_ids" in fields or "unread_item_ids" in data:
        data["unread_item_ids"] = desk.ids("unread")
    if "saved_item_ids" in fields or "saved_item_ids" in data:
        data["saved_item_ids"] = desk.ids("saved")
    return _json(data)


async def fever(request: Request) -> Response:
    if not request.app.state.config.fever_api:
        raise HTTPException(404)
    try:
        body = await _body(request)
    except HTTPException:
        return _refused(413, f"the request body is larger than {MAX_BODY} bytes")
    fields = {k: v for k, v in request.query_params.items()}
    fields.update(_form_fields(request.headers.get("content-type", ""), body))
    return await run_in_threadpool(_answer, request, fields)


for _path in ("/fever/", "/fever", "/api/fever.php"):
    router.add_api_route(_path, fever, methods=["GET", "POST"])
