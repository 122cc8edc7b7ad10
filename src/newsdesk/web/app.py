"""The web application: `create_app(store, config)` wires pages, API, feeds and static files.

Screens and endpoints live in three routers, each reading top to bottom, one handler per screen:

    pages.py   /  /section/{slug}  /article/{id}  /stories  /story/{id}  /search   HTML
    feeds.py   /feed.xml  /section/{slug}/feed.xml                        RSS 2.0
    api.py     /api/...                                                   JSON, described at /docs

Handlers find the store, the settings and the templates on `app.state`. Errors under /api answer
JSON (FastAPI's shape, `{"detail": ...}`); everywhere else they answer a friendly HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..config import Config
from ..store import Store
from . import api, feeds, pages

log = logging.getLogger(__name__)

HERE = Path(__file__).parent

_ERROR_TEXT = {
    400: ("Bad request", "Something in that address could not be understood."),
    404: ("Page not found", "We could not find that page. It may have been removed, "
                            "or the address may be mistyped."),
    500: ("Something went wrong", "The news desk hit a problem showing this page. "
                                  "Please try again in a moment."),
}


def _templates(config: Config) -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(site_name=config.site_name, sections=pages.SECTIONS)
    env.filters.update(
        human_date=pages.human_date, human_datetime=pages.human_datetime,
        iso=pages.iso, lang_name=pages.lang_name, section_name=pages.section_name,
        safe_url=pages.safe_url, byline=pages.byline,
    )
    return Jinja2Templates(env=env)


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _error_page(request: Request, status: int) -> Response:
    title, message = _ERROR_TEXT.get(status, (f"Error {status}", "That did not work."))
    return pages.render(request, "error.html", {"title": title, "message": message,
                                                "status": status}, status=status)


def create_app(store: Store, config: Config,
               sanitize: Callable[[str], str] | None = None) -> FastAPI:
    """Build the app over `store`. `sanitize` overrides the HTML sanitiser (default: nh3 via
    `newsdesk.extract.sanitize.sanitize_html`, imported when first needed)."""
    app = FastAPI(
        title="newsdesk",
        description="A self-hosted news desk: articles, sections, stories and search as JSON.",
        version="0.1.0",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.store = store
    app.state.config = config
    app.state.sanitize = sanitize
    app.state.templates = _templates(config)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(api.router)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return await http_exception_handler(request, exc)
        return _error_page(request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def on_bad_params(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        # /article/abc is a page that does not exist; /section/x?page=abc is a bad request.
        in_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
        return _error_page(request, 404 if in_path else 400)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path, exc_info=exc)
        if _is_api(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return _error_page(request, 500)

    return app

