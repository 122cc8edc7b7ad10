"""The web application: `create_app(store, config)` wires pages, API, feeds and static files.

Screens and endpoints live in routers, each reading top to bottom, one handler per screen:

    pages.py   /  /section/{slug}  /article/{id}  /stories  /story/{id}  /search   HTML
               /image/{id}  an article's lead image, fetched by us (images.py)
    feeds.py   /feed.xml  /section/{slug}/feed.xml                        RSS 2.0
    api.py     /api/...                                                   JSON, described at /docs
    docs.py    /docs  /redoc                                              offline API docs
    locale.py  /language/{code}  the footer's language links (a cookie)   redirect
    account.py /login  /logout  /account  /account/users                  HTML (auth.py: who
    reading.py /unread  /saved  and the read/save/follow forms             is asking)
    reading_api.py  /api/me  /api/unread  ... a reader's state             JSON, token auth
    fever.py   /fever/  /fever  /api/fever.php: the Fever API for apps, when `fever_api` is on
    greader.py /accounts/ClientLogin  /reader/api/0/...  (and under /api/greader.php): the
               Google Reader API for apps, when `greader_api` is on
    sources.py /sources  /sources/{id}...  /opml  feeds: list, add, edit   HTML, OPML
               (adding.py: a feed added is imported in the background)

plus /static, /docs-assets (Swagger UI and Redoc, from the fastapi-offline package),
/favicon.ico and /health (a trivial answer: the server's own ceiling in bench/serve.py).

Handlers find the store, the settings, the templates, the page cache and the image proxy on
`app.state`. Errors under /api answer JSON (FastAPI's shape, `{"detail": ...}`); everywhere else
they answer a friendly HTML page. security.py puts its headers on every response and answers
HEAD wherever GET is answered.

`app_from_settings()` builds the app from the settings alone (NEWSDESK_* variables): what each
of `newsdesk serve --workers N`'s processes runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..config import Config, public_base_url
from ..enrich.embed import get_embedder
from ..store import Store, open_store
from . import (
    account,
    api,
    docs,
    feeds,
    fever,
    greader,
    locale,
    pages,
    reader_state,
    reading,
    reading_api,
)
from . import sources as sources_page
from .auth import AuthGate
from .cache import PageCache
from .images import ImageProxy
from .security import SecurityHeaders, secure

log = logging.getLogger(__name__)

HERE = Path(__file__).parent

N_ = locale.N_
# translated when shown (error.html)
_ERROR_TEXT = {
    400: (N_("Bad request"), N_("Something in that address could not be understood.")),
    404: (N_("Page not found"), N_("We could not find that page. It may have been removed, "
                                   "or the address may be mistyped.")),
    500: (N_("Something went wrong"), N_("The news desk hit a problem showing this page. "
                                         "Please try again in a moment.")),
    403: (N_("Not allowed"), N_("Your account may not do this, or the form had expired: "
                                "reload the page and try again.")),
    413: (N_("Too much sent"), N_("That form was larger than this desk accepts.")),
}


def _templates(config: Config) -> Jinja2Templates:
    # auto_reload off: templates are package files, and checking their times on every
    # render cost ~7% of a search page
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                      extensions=["jinja2.ext.i18n"])
    # the callables read the language of the page being rendered (locale.using)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        locale.gettext, locale.ngettext, newstyle=True)  # compiles {% trans %} newstyle
    # then the same callables without Jinja's per-message context lookups (locale.py)
    env.globals.update(_=locale.template_gettext, gettext=locale.template_gettext,
                       ngettext=locale.template_ngettext)
    env.globals.update(site_name=config.site_name, sections=pages.SECTIONS,
                       in_language=locale.in_language, labels_lang=locale.labels_lang,
                       interface_languages=locale.languages())
    env.filters.update(
        human_date=locale.human_date, human_datetime=locale.human_datetime,
        iso=pages.iso, lang_name=locale.lang_name, section_name=pages.section_name,
        safe_url=pages.safe_url, byline=pages.byline, number=locale.number,
        native_name=locale.native_name,
    )
    reader_state.install(env)  # csrf_input, current_user, reading counts and states
    return Jinja2Templates(env=env)


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _error_page(request: Request, status: int) -> Response:
    title, message = _ERROR_TEXT.get(status, (N_("Error %(status)s"),
                                              N_("That did not work.")))
    return pages.render(request, "error.html", {"title": title, "message": message,
                                                "status": status}, status=status)


def create_app(store: Store, config: Config,
               sanitize: Callable[[str], str] | None = None) -> FastAPI:
    """Build the app over `store`. `sanitize` overrides the HTML sanitiser (default: nh3 via
    `newsdesk.extract.sanitize.sanitize_html`, imported when first needed)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.images.close()

    app = FastAPI(
        title="newsdesk",
        description="A self-hosted news desk: articles, sections, stories and search as JSON.",
        version="0.1.0",
        docs_url=None,  # docs.py serves /docs and /redoc without a CDN or inline script
        redoc_url=None,
        lifespan=lifespan,
    )
    public_base_url(config)  # a bad base_url is refused now, not on the first feed request
    locale.check_settings(config)  # and a bad time_zone or interface_language too
    app.state.time_zone = locale.site_zone(config)
    app.state.store = store
    app.state.config = config
    app.state.sanitize = sanitize
    app.state.templates = _templates(config)
    app.state.page_cache = PageCache(int(config.page_cache), float(config.page_max_stale))
    app.state.images = ImageProxy(config)
    remote_images = bool(config.remote_images)
    app.add_middleware(AuthGate)  # inside SecurityHeaders: its answers get the headers too
    app.add_middleware(SecurityHeaders, remote_images=remote_images)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount(docs.ASSETS_URL, StaticFiles(directory=docs.ASSETS), name="docs-assets")
    app.include_router(pages.router)
    app.include_router(locale.router)
    app.include_router(feeds.router)
    app.include_router(api.router)
    app.include_router(docs.router)
    app.include_router(account.router)
    app.include_router(reading.router)
    app.include_router(reading_api.router)
    app.include_router(greader.router)
    app.include_router(sources_page.router)
    app.include_router(fever.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon",
                            headers={"Cache-Control": "public, max-age=604800"})

    @app.get("/health", include_in_schema=False)
    async def health() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return await http_exception_handler(request, exc)
        if exc.status_code == 401:  # a page that needs a login: the login form, then back
            return RedirectResponse(f"/login?next={quote(request.url.path, safe='')}",
                                    status_code=303)
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
        # this handler runs outside the middleware: it adds the security headers itself
        if _is_api(request):
            return secure(JSONResponse({"detail": "internal error"}, status_code=500),
                          remote_images)
        return secure(_error_page(request, 500), remote_images)

    return app


def warm_up(store: Store, config: Config) -> None:
    """Load what the first search or story page would otherwise wait for: the encoder and
    the vectors (at 100,000 articles ~20 s, the first search's wait without this)."""
    embedder = get_embedder(config.embedder)
    store.nearest(embedder.embed(["warm up"])[0], 1)


def app_from_settings() -> FastAPI:
    """The app over the database the settings name: one `serve --workers N` process, warmed
    up before it takes its first request."""
    config = Config()
    store = open_store(config.db)
    warm_up(store, config)
    return create_app(store, config)


def worker_count(config: Config) -> int:
    """Server processes for `config`: serve_workers, 0 meaning one per CPU; a database in
    memory cannot be shared, so it gets one."""
    if str(config.db) == ":memory:":
        return 1
    return int(config.serve_workers) or os.cpu_count() or 1


def serve(config: Config, store: Store) -> None:
    """Serve until stopped: in this process over `store` with one worker, else in
    `worker_count` processes that each open the database (the settings are passed to them in
    NEWSDESK_* variables; `store` has already created or upgraded it)."""
    locale.check_settings(config)  # before the encoder loads: a bad zone is told at once
    workers = worker_count(config)
    if workers == 1:
        warm_up(store, config)
        uvicorn.run(create_app(store, config), host=config.host, port=config.port,
                    log_level="warning")
        return
    store.close()
    for name, value in config.as_dict().items():
        os.environ[f"NEWSDESK_{name.upper()}"] = str(value)
    uvicorn.run("newsdesk.web.app:app_from_settings", factory=True, host=config.host,
                port=config.port, workers=workers, log_level="warning")

