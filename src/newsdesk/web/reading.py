"""A signed-in reader's state in the pages: unread and saved views, and the buttons.

    /unread  /unread?section=S   unread articles, latest first   (also /?view=unread and
    /saved                       saved ones, latest saved first   /section/S?view=unread)
    /following                   followed stories, with their unread counts
    POST /article/{id}/read      read=1|0          POST /article/{id}/save    saved=1|0
    POST /story/{id}/follow      follow=1|0        POST /mark-read            scope=all|
                                                   section|story, section, story, through

Opening an article page marks it read (`opened`, called by pages.article). Every POST is a
plain form with a CSRF field and a `next` address to go back to, so it all works without
JavaScript; forms and counts carry stable ids, classes and data-* attributes (data-action,
data-article, data-unread...) for the keyboard script. The template helpers below read the
state once per request (request.state) and are Jinja globals (reader_state.py).
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..store.accounts import User, View
from . import auth
from .account import local_target, read_form
from .cache import cached_page
from .pages import MAX_ID, PAGE_SIZE, SECTIONS, get_store, render, snippet
from .reader_state import reading_counts

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)


# -- views ----------------------------------------------------------------------------------

def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}", status_code=303)


def reading_page(request: Request, view: View, section: str | None = None,
                 page: int = 1) -> Response:
    """The unread or saved list of the signed-in reader (anonymous visitors: to /login)."""
    user = auth.current_user(request)
    if user is None:
        return _login_redirect(request)
    if section is not None and section not in SECTIONS:
        raise HTTPException(404, f"no section {section!r}")
    store = get_store(request)
    counts = reading_counts(request)
    assert counts is not None
    if view == "saved":
        total = counts.saved
    else:
        total = counts.by_section.get(section, 0) if section else counts.total
    pages = max(1, math.ceil(total / PAGE_SIZE))
    rows = store.reading_list(user.id, view=view, section=section, limit=PAGE_SIZE,
                              offset=(page - 1) * PAGE_SIZE)
    base = "/saved" if view == "saved" else "/unread"
    query = f"section={section}&" if section else ""
    return render(request, "reading.html", {
        "view": view, "rows": rows, "section": section, "total": total, "page": page,
        "pages": pages, "snippet": snippet, "base": base, "query": query,
        "current_section": section, "through": store.latest_article_id(),
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    })


@router.get("/unread")
@cached_page
def unread(request: Request, section: Annotated[str | None, Query(max_length=20)] = None,
           page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    return reading_page(request, "unread", section or None, page)


@router.get("/saved")
@cached_page
def saved(request: Request, page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    return reading_page(request, "saved", None, page)


@router.get("/following")
@cached_page
def following(request: Request) -> Response:
    """The stories the reader follows, each with its unread count."""
    user = auth.current_user(request)
    if user is None:
        return _login_redirect(request)
    store = get_store(request)
    ids = store.followed_stories(user.id)
    unread_by_story = store.story_unread_counts(user.id, ids)
    rows = [(found, unread_by_story.get(found.id, 0))
            for found in (store.story(i) for i in ids) if found is not None]
    return render(request, "following.html", {"rows": rows, "here": "/following"})


# -- actions --------------------------------------------------------------------------------

async def _form_of(request: Request) -> tuple[User, dict[str, str]]:
    """The signed-in reader and the form they posted, its CSRF token checked."""
    form = await read_form(request)
    user = auth.require_user(request)
    await run_in_threadpool(auth.check_csrf, request, form.get("csrf", ""))
    return user, form


def _back(form: dict[str, str], default: str) -> Response:
    return RedirectResponse(local_target(form.get("next"), default), status_code=303)


def _flag(form: dict[str, str], name: str) -> bool:
    return form.get(name, "1") not in ("0", "false", "")


@router.post("/article/{article_id}/read")
async def set_read(request: Request,
                   article_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user, form = await _form_of(request)
    done = await run_in_threadpool(get_store(request).mark_read, user.id, [article_id],
                                   _flag(form, "read"))
    if not done:
        raise HTTPException(404, f"no article {article_id}")
    return _back(form, f"/article/{article_id}")


@router.post("/article/{article_id}/save")
async def set_saved(request: Request,
                    article_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user, form = await _form_of(request)
    store = get_store(request)
    if await run_in_threadpool(store.get_articles, [article_id], True) == []:
        raise HTTPException(404, f"no article {article_id}")
    await run_in_threadpool(store.set_saved, user.id, [article_id], _flag(form, "saved"))
    return _back(form, f"/article/{article_id}")


@router.post("/story/{story_id}/follow")
async def follow(request: Request, story_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user, form = await _form_of(request)
    store = get_store(request)
    if await run_in_threadpool(store.story, story_id) is None:
        raise HTTPException(404, f"no story {story_id}")
    await run_in_threadpool(store.follow_story, user.id, story_id, _flag(form, "follow"))
    return _back(form, f"/story/{story_id}")


@router.post("/mark-read")
async def mark_read(request: Request) -> Response:
    """Everything, a section or a story read, up to `through` (the newest article id the
    page showed) so what arrived since stays unread."""
    user, form = await _form_of(request)
    scope = form.get("scope", "all")
    through = min(int(form["through"]), MAX_ID) if form.get("through", "").isdigit() else None
    section = story_id = None
    if scope == "section":
        section = form.get("section", "")
        if section not in SECTIONS:
            raise HTTPException(400, "no such section")
    elif scope == "story":
        if not form.get("story", "").isdigit():
            raise HTTPException(400, "no story given")
        story_id = int(form["story"])
    elif scope != "all":
        raise HTTPException(400, "scope is all, section or story")
    await run_in_threadpool(get_store(request).mark_all_read, user.id, through, section,
                            story_id)
    return _back(form, "/unread")
