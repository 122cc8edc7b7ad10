"""Who is asking: session cookies and API tokens, the `public_reading` gate, CSRF, roles.

`AuthGate` (ASGI middleware, inside SecurityHeaders) finds the visitor once per request and
leaves it on `request.state.user` (None for anonymous visitors), `request.state.auth_via`
("session" or "token"), and a signed-in user's language and time zone settings on
`request.state.user_language` and `user_time_zone`, which locale.py makes their pages
follow. A request that carries neither cookie nor Authorization header costs nothing, so
anonymous pages stay as fast as before. With `public_reading` off, a visitor who is
not signed in gets the login page (303) and /api a 401, except /login, /health, /static and
/favicon.ico.

    current_user(request)      the User or None
    require_user(request)      a FastAPI dependency: the User, else 401 (pages: to /login)
    require_admin(request)     the same, and 403 for a reader: for sources, settings, users
    SignedIn, Admin            the two as annotated parameter types for handlers
    csrf_input(request)        the hidden field every POST form carries (a Jinja global)
    check_csrf(request, tok)   403 unless the token matches the visitor's session (or, before
                               login, the nonce cookie): a form posted from another site fails

Cookies are HttpOnly and SameSite=Lax, and Secure when the request came over https: the
`base_url` setting starts with https, the connection itself was https, or (`trust_proxy` on)
the proxy says so in X-Forwarded-Proto. With `trust_proxy` the visitor's address for login
rate limits is the last X-Forwarded-For entry (the one our proxy added), else the peer's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from markupsafe import Markup
from starlette.datastructures import MutableHeaders

from .. import accounts
from ..store import Store
from ..store.accounts import User

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "newsdesk_session"
NONCE_COOKIE = "newsdesk_csrf"
OPEN_PATHS = frozenset({"/login", "/health", "/favicon.ico"})
OPEN_PREFIXES = ("/static/",)
# the apps' APIs (Google Reader, Fever) check their own credentials (the user's API
# password), whatever public_reading says
_IMAGE_PATH = re.compile(r"^/image/([0-9]{1,19})$")
_LEAD_SLASHES = re.compile("^/{2,}")
_PHP_SLASHES = re.compile(r"^(/api/(?:greader|fever)\.php)/{2,}")
APP_API_PREFIXES = ("/reader/api/", "/accounts/ClientLogin", "/api/greader.php", "/fever",
                    "/api/fever.php")


def signing_key(app: Any) -> bytes:
    """The key sessions and CSRF tokens are signed with, read once per process (it may write
    the database the first time: call it from a thread, not the event loop)."""
    key: bytes | None = getattr(app.state, "signing_key", None)
    if key is None:
        key = app.state.signing_key = accounts.secret_key(app.state.config, app.state.store)
    return key


def image_token(key: bytes, article_id: int) -> str:
    """What signs an app's address for one article's lead image (app_items.py)."""
    return hmac.new(key, f"image:{article_id}".encode(), hashlib.sha256).hexdigest()[:32]


async def _signed_image(owner: Any, scope: Scope) -> bool:
    """The request is for /image/ID with that image's signature (`k`)."""
    found = _IMAGE_PATH.match(scope["path"])
    if found is None:
        return False
    given = parse_qs(scope["query_string"].decode("latin-1")).get("k", [""])[0]
    if not given:
        return False
    if hasattr(owner.state, "signing_key"):
        key = signing_key(owner)
    else:  # the first time it may write the database: not on the event loop
        key = await anyio.to_thread.run_sync(signing_key, owner)
    return hmac.compare_digest(image_token(key, int(found.group(1))), given)


def _bearer(header: str) -> str | None:
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


def _resolve(app: Any, cookie: str | None, bearer: str | None) -> tuple[User | None, str | None]:
    store: Store = app.state.store
    if bearer is not None:
        user = accounts.user_for_token(store, bearer)
        return (user, "token") if user else (None, "bad-token")
    if cookie:
        session = accounts.read_session(signing_key(app), cookie, datetime.now(UTC))
        if session is not None:
            user = store.user(session.user_id)
            if user is not None and user.session_epoch == session.epoch:
                return user, "session"
    return None, None


def is_open_path(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class AuthGate:
    """ASGI middleware: the visitor on request.state, and the public_reading gate."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("//") or "php//" in path:
            # an app given the address with a trailing slash asks for //reader/api/0/...
            # (only the leading slashes: a stream id later in the path may hold "https://")
            squeezed = _PHP_SLASHES.sub(r"\1/", _LEAD_SLASHES.sub("/", path))
            if squeezed.startswith(APP_API_PREFIXES):
                scope = {**scope, "path": squeezed, "raw_path": squeezed.encode()}
        if scope["path"].startswith(APP_API_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        owner = scope["app"]
        cookie = request.cookies.get(SESSION_COOKIE)
        bearer = _bearer(request.headers.get("authorization", ""))
        user, via = None, None
        path = scope["path"]
        # static files and /health never need the visitor: no lookup for them
        if (cookie or bearer is not None) and not path.startswith(OPEN_PREFIXES) \
                and path != "/health":
            if owner.state.store.cheap_content_version and hasattr(owner.state, "signing_key"):
                user, via = _resolve(owner, cookie, bearer)  # local reads: no thread hop
            else:
                user, via = await anyio.to_thread.run_sync(_resolve, owner, cookie, bearer)
        state = scope.setdefault("state", {})
        state["user"], state["auth_via"] = user, via
        if via == "bad-token" and is_api_path(path):
            await _unauthorised("the API token is not valid")(scope, receive, send)
            return
        if user is None and not owner.state.config.public_reading and not is_open_path(path):
            if await _signed_image(owner, scope):  # an app's signed lead-image address
                await self.app(scope, receive, send)
                return
            if is_api_path(path):
                await _unauthorised("sign in or send an API token "
                                    "(Authorization: Bearer TOKEN)")(scope, receive, send)
            else:
                target = path + (f"?{scope['query_string'].decode('latin-1')}"
                                 if scope["query_string"] else "")
                await RedirectResponse(f"/login?next={quote(target, safe='')}",
                                       status_code=303)(scope, receive, send)
            return
        if user is None:
            await self.app(scope, receive, send)
            return
        # the reader's own language and zone, which the pages follow (locale.py)
        state["user_language"] = str(user.settings.get("language") or "") or None
        state["user_time_zone"] = str(user.settings.get("time_zone") or "") or None

        async def send_private(message: Message) -> None:
            # a signed-in visitor's pages are theirs: no shared cache may keep them
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:
                    headers["cache-control"] = "private, no-cache"
                headers.append("vary", "Cookie, Authorization")
            await send(message)

        await self.app(scope, receive, send_private)


def _unauthorised(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=401,
                        headers={"WWW-Authenticate": 'Bearer realm="newsdesk"'})


# -- for handlers and templates --------------------------------------------------------------

def current_user(request: Request) -> User | None:
    user: User | None = getattr(request.state, "user", None)
    return user


def require_user(request: Request) -> User:
    """The signed-in user; else 401 (the error page offers the login)."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "sign in first")
    return user


def require_admin(request: Request) -> User:
    """The signed-in user when an admin; else 401 (not signed in) or 403 (a reader)."""
    user = require_user(request)
    if not user.is_admin:
        raise HTTPException(403, "only an admin may do this")
    return user


# for handlers: `def page(request: Request, admin: Admin)`
SignedIn = Annotated[User, Depends(require_user)]
Admin = Annotated[User, Depends(require_admin)]


def is_https(request: Request) -> bool:
    config = request.app.state.config
    if str(config.base_url).lower().startswith("https://") or request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "")
    return bool(config.trust_proxy) and forwarded.split(",")[0].strip().lower() == "https"


def client_address(request: Request) -> str:
    if request.app.state.config.trust_proxy:
        chain = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
        if chain[-1]:
            return chain[-1][:64]
    return request.client.host if request.client else "unknown"


def set_cookie(request: Request, response: Any, name: str, value: str,
               max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=is_https(request))


def _binding(request: Request) -> str:
    """What a CSRF token is bound to: the session cookie when signed in by one, else the
    anonymous nonce cookie (or the nonce just made for this response)."""
    if getattr(request.state, "auth_via", None) == "session":
        return request.cookies.get(SESSION_COOKIE, "")
    made: str | None = getattr(request.state, "new_nonce", None)
    return made or request.cookies.get(NONCE_COOKIE, "")


def ensure_nonce(request: Request) -> None:
    """Make a nonce for an anonymous form (the login page) when the visitor has none; the
    handler then sets it with `keep_nonce`."""
    if not request.cookies.get(NONCE_COOKIE) and not getattr(request.state, "new_nonce", None):
        request.state.new_nonce = accounts.new_nonce()


def keep_nonce(request: Request, response: Any) -> None:
    made = getattr(request.state, "new_nonce", None)
    if made:
        set_cookie(request, response, NONCE_COOKIE, made, max_age=None)


def csrf_token(request: Request) -> str:
    binding = _binding(request)
    return accounts.csrf_token(signing_key(request.app), binding) if binding else ""


def csrf_input(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf" value="{}">').format(csrf_token(request))


def check_csrf(request: Request, token: str) -> None:
    if not accounts.csrf_ok(signing_key(request.app), _binding(request), token):
        raise HTTPException(403, "the form has expired or did not come from this site: "
                                 "reload the page and try again")


def cache_part(request: Request) -> str:
    """What a signed-in visitor's cached pages are keyed on besides the address: their
    session (each session's forms carry its own CSRF token) and their state version (read,
    saved, followed, settings). Empty for anonymous visitors, whose pages are shared."""
    user = current_user(request)
    if user is None:
        return ""
    session = request.cookies.get(SESSION_COOKIE, "") or request.headers.get("authorization", "")
    digest = hashlib.sha256(session.encode()).hexdigest()[:16]
    return f"|u{user.id}.{user.state_version}.{digest}"
