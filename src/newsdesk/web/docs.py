"""The API's documentation pages, /docs (Swagger UI) and /redoc, working offline.

FastAPI's own pages load Swagger UI and Redoc from a CDN (a blank page without internet) and
start them with an inline script (which our Content-Security-Policy forbids). Here the
scripts and styles come from the `fastapi-offline` package, served at /docs-assets, and each
page is started by a small script of ours in /static (docs.js, redoc.js) that reads the
OpenAPI address from the page. The pages' policy (security.DOCS_CSP) allows scripts from our
own address only.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .security import DOCS_CSP

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, {"openapi_url": request.app.openapi_url, "assets": ASSETS_URL},
        headers={"Content-Security-Policy": DOCS_CSP})
    return response


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return _page(request, "docs.html")


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return _page(request, "redoc.html")
