"""Security headers on every response, and HEAD on every GET route.

`SecurityHeaders` is a plain ASGI middleware around the whole app, so pages, /api, feeds,
/static, /docs, 404s and error pages all leave with:

    Content-Security-Policy   pages: scripts (the keyboard shortcuts, /static/keys.js), styles
                              and images from us only, never inline, never eval (publishers'
                              images too when `remote_images` is on); /docs and /redoc:
                              scripts from our own address only, never inline; any
                              other response (JSON, XML, CSS, images): nothing may load, sandboxed
    X-Content-Type-Options    nosniff
    X-Frame-Options           DENY (and frame-ancestors 'none' in every policy)
    Referrer-Policy           same-origin: publishers never learn what was read here

A response that already carries a Content-Security-Policy keeps it (the docs pages set theirs).
A HEAD request is answered as the GET would be, without the body; FastAPI's routes otherwise
answer HEAD with 405.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_COMMON = "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
# what the API and the other non-HTML responses get: a document opened from one runs nothing
OTHER_CSP = f"default-src 'none'; {_COMMON}; sandbox"
# Swagger UI and Redoc from our own /docs-assets, their start-up code in /static: no inline
# script. Both set inline styles from script (React's style attributes, Redoc's styled
# components), which 'unsafe-inline' for styles allows; it never allows script.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            f"worker-src 'self' blob:; form-action 'none'; {_COMMON}")
STATIC_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def page_csp(remote_images: bool) -> str:
    """The HTML pages' policy: script only from our own files (no inline script, no eval: a
    script smuggled into stored HTML never runs); images from us, or also from publishers over
    https when the reader allowed remote images."""
    images = "'self' data: https:" if remote_images else "'self' data:"
    return (f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; "
            f"form-action 'self'; {_COMMON}")


def headers_for(content_type: str, remote_images: bool) -> dict[str, str]:
    """The headers a response of `content_type` gets (lowercase names)."""
    is_html = content_type.split(";")[0].strip().lower() == "text/html"
    csp = page_csp(remote_images) if is_html else OTHER_CSP
    return {"content-security-policy": csp, **STATIC_HEADERS}


def secure(response: Response, remote_images: bool) -> Response:
    """Add the headers to a response made outside the middleware (the crash handler's)."""
    for name, value in headers_for(response.headers.get("content-type", ""),
                                   remote_images).items():
        response.headers.setdefault(name, value)
    return response


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response; HEAD served as GET."""

    def __init__(self, app: ASGIApp, remote_images: bool = False) -> None:
        self.app = app
        self.remote_images = remote_images

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in headers_for(headers.get("content-type", ""),
                                               self.remote_images).items():
                    if name not in headers:
                        headers[name] = value
            elif head and message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"",
                           "more_body": message.get("more_body", False)}
            await send(message)

        await self.app(scope, receive, send_secured)
