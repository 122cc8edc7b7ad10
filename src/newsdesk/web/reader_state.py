"""A signed-in reader's state for the pages: counts, an article's or a story's state, and
marking an article read when its page is opened. Jinja globals (`install`), each reading the
store once per request at most; all give None or nothing for anonymous visitors, whose pages
stay the same for everyone.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from markupsafe import Markup

from ..model import Article
from ..store import Store
from ..store.accounts import ArticleState, UnreadCounts
from . import auth
from .locale import gettext, number


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def reading_counts(request: Request) -> UnreadCounts | None:
    """The signed-in reader's unread and saved counts (None for anonymous visitors)."""
    user = auth.current_user(request)
    if user is None:
        return None
    counts: UnreadCounts | None = getattr(request.state, "reading_counts", None)
    if counts is None:
        counts = request.state.reading_counts = _store(request).unread_counts(user.id)
    return counts


def section_unread(request: Request, slug: str) -> Markup:
    """The unread count shown beside a section's name in the nav ('' when none)."""
    counts = reading_counts(request)
    count = counts.by_section.get(slug, 0) if counts else 0
    if not count:
        return Markup("")
    return Markup(' <span class="unread-count" data-section-unread="{}">'
                  '<span class="visually-hidden">{} </span>{}</span>').format(
        slug, gettext("unread:"), number(count))


def article_state(request: Request, article_id: int | None) -> ArticleState | None:
    user = auth.current_user(request)
    if user is None or article_id is None:
        return None
    return _store(request).article_states(user.id, [article_id]).get(article_id)


def story_state(request: Request, story_id: int | None) -> dict[str, Any] | None:
    """{"unread": n, "followed": bool} for the signed-in reader."""
    user = auth.current_user(request)
    if user is None or story_id is None:
        return None
    store = _store(request)
    return {"unread": store.story_unread_counts(user.id, [story_id]).get(story_id, 0),
            "followed": story_id in store.followed_stories(user.id)}


def opened(request: Request, article: Article) -> None:
    """An article page was opened: read, for a signed-in reader (written only when it was
    not read yet, so the reader's kept pages stay valid)."""
    user = auth.current_user(request)
    if user is None or article.id is None:
        return
    store = _store(request)
    state = store.article_states(user.id, [article.id]).get(article.id)
    if state is not None and not state.read:
        store.mark_read(user.id, [article.id])
        request.state.reading_counts = None


def install(env: Any) -> None:
    env.globals.update(csrf_input=auth.csrf_input, current_user=auth.current_user,
                       reading_counts=reading_counts, section_unread=section_unread,
                       article_state=article_state, story_state=story_state)
