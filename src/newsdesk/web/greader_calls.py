"""How a Google Reader API call is served (greader.py, greader_edit.py): the Auth and action
tokens, the parameters, who is asking, and the answers' shapes.

ClientLogin's Auth token is "<user id>/<HMAC>": an HMAC-SHA256, under the desk's signing key
(accounts.secret_key), of the user's id, session epoch and API password hash. Nothing is
stored; it survives restarts and is the same at every login (Reeder relies on that); it stops
working when the API password or the password changes, or on `newsdesk user logout`, since
each of those changes what the HMAC covers. Calls carry `Authorization: GoogleLogin
auth=TOKEN`; a POST without it may carry the token as `T` (Miniflux's way). The action token
`T` (GET token) is another HMAC; a write with the header accepts a missing, empty or "x" T (as
FeedMe, Reeder and Fluent Reader send) and refuses only a wrong one (401 with
X-Reader-Google-Bad-Token, on which NetNewsWire fetches a new one).

Parameters come from the query and an urlencoded body alike, every name a list (i, s, a, r,
xt and it repeat); the body is bounded (MAX_BODY). Bad input answers 400 with a one-line
reason, an unknown feed or label 404, a reader changing sources 403, no or a bad token 401.
Answers are marked private and never go through the page cache.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ..store import Store
from ..store.accounts import User
from . import app_items, auth
from . import greader_streams as gs

API = "/reader/api/0"
MAX_BODY = 1024 * 1024
MAX_IDS_N = 10_000      # stream/items/ids: Reeder and ReadYou ask for 10000
MAX_CONTENTS_N = 1000   # stream/contents: Google's cap
MAX_CONTENTS_IDS = 1000  # stream/items/contents by i=: NetNewsWire sends 150, ReadYou 100
MAX_EDIT_IDS = 10_000   # edit-tag: NetNewsWire sends up to 1000
_HEADER = re.compile(r"^\s*GoogleLogin\s+auth=(\S+)\s*$", re.IGNORECASE)
PRIVATE = {"Cache-Control": "private, no-cache"}

Params = dict[str, list[str]]


class Problem(Exception):
    """An answer other than success: status, a one-line text, headers."""

    def __init__(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(text)
        self.status, self.text, self.headers = status, text, headers or {}

    def response(self) -> Response:
        return PlainTextResponse(self.text + "\n", status_code=self.status,
                                 headers={**PRIVATE, **self.headers})


def unauthorised(reason: str) -> Problem:
    return Problem(401, f"Unauthorized: {reason}", {"X-Reader-Google-Bad-Token": "true"})


@dataclass
class Call:
    """One API call: who, with what parameters, against which store."""

    request: Request
    store: Store
    user: User
    params: Params

    def one(self, name: str, default: str = "") -> str:
        values = self.params.get(name)
        return values[-1] if values else default

    def many(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def desk(self) -> gs.Desk:
        config = self.request.app.state.config
        return gs.Desk.load(self.store, self.user.id, str(config.site_name),
                            app_items.site_address(self.request))

    def admin(self) -> None:
        if not self.user.is_admin:
            raise Problem(403, "Forbidden: only an admin may change the desk's sources")


# -- tokens ------------------------------------------------------------------------------------

def _digest(key: bytes, purpose: str, user: User) -> str:
    text = f"{purpose}|{user.id}|{user.session_epoch}|{user.api_password_hash}"
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def auth_token(key: bytes, user: User) -> str:
    return f"{user.id}/{_digest(key, 'greader-auth', user)}"


def action_token(key: bytes, user: User) -> str:
    return _digest(key, "greader-action", user)[:57]


def user_for_token(store: Store, key: bytes, token: str) -> User | None:
    user_id, _, digest = token.partition("/")
    if not user_id.isdigit() or len(token) > 200:
        return None
    user = store.user(int(user_id))
    if user is None or not user.api_password_hash:
        return None
    return user if hmac.compare_digest(auth_token(key, user), token) else None


def authenticate(request: Request, params: Params, write: bool) -> User:
    store: Store = request.app.state.store
    key = auth.signing_key(request.app)
    header = request.headers.get("authorization", "")
    t = params["T"][-1].strip() if params.get("T") else None
    if header:
        found = _HEADER.match(header)
        user = user_for_token(store, key, found.group(1)) if found else None
        if user is None:
            raise unauthorised("the Authorization header is not a valid GoogleLogin token")
        if write and t not in (None, "", "x") and t not in (action_token(key, user),
                                                             auth_token(key, user)):
            raise unauthorised("the T token is not valid")
        return user
    if write and t:  # some apps authenticate a POST by T alone (Miniflux's way)
        user = user_for_token(store, key, t)
        if user is not None:
            return user
    raise unauthorised("send Authorization: GoogleLogin auth=TOKEN (from ClientLogin)")


# -- plumbing ----------------------------------------------------------------------------------

def enabled(request: Request) -> None:
    if not request.app.state.config.greader_api:
        raise HTTPException(404, "the Google Reader API is off (setting greader_api)")


async def params_of(request: Request) -> Params:
    """Query and urlencoded body merged, each name a list of values."""
    params: Params = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    if request.method == "POST" and "multipart/" not in request.headers.get("content-type", ""):
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise Problem(413, f"Request Entity Too Large: at most {MAX_BODY} bytes")
        for name, values in parse_qs(body.decode("utf-8", "replace"),
                                     keep_blank_values=True).items():
            params.setdefault(name, []).extend(values)
    return params


async def serve(request: Request, handler: Callable[[Call], Response],
                 write: bool = False) -> Response:
    enabled(request)
    try:
        params = await params_of(request)
        user = await run_in_threadpool(authenticate, request, params, write)
        return await run_in_threadpool(handler, Call(request, request.app.state.store, user,
                                                     params))
    except Problem as problem:
        return problem.response()
    except gs.BadInput as exc:
        return Problem(400, f"Bad Request: {exc}").response()
    except gs.UnknownStream as exc:
        return Problem(404, f"Not Found: {exc}").response()


def json_answer(data: Any) -> Response:
    return JSONResponse(data, headers=PRIVATE)


def ok() -> Response:
    return PlainTextResponse("OK", headers=PRIVATE)


def both(router: APIRouter, path: str, methods: list[str]) -> Callable[[Any], Any]:
    """Register on `router` under /reader/api/0 and /api/greader.php/reader/api/0."""
    def register(fn: Any) -> Any:
        router.api_route(API + path, methods=methods)(fn)
        router.api_route("/api/greader.php" + API + path, methods=methods)(fn)
        return fn
    return register


def count(call: Call, name: str, default: int, cap: int) -> int:
    raw = call.one(name, str(default)).strip() or str(default)
    if not raw.isdigit():
        raise gs.BadInput(f"{name}={raw[:40]!r} is not a number")
    return max(1, min(int(raw), cap))
