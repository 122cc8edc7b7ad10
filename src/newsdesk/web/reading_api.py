"""A reader's state in the JSON API, for scripts and apps: `Authorization: Bearer TOKEN`.

    GET    /api/me                          the user, unread counts (total, per section), saved
    GET    /api/reading?view=unread|saved|all&section=&limit=&offset=   articles with state
    PUT    /api/articles/{id}/read          read        DELETE  ... unread
    PUT    /api/articles/{id}/saved         saved       DELETE  ... unsaved
    PUT    /api/stories/{id}/follow         followed    DELETE  ... unfollowed
    GET    /api/following                   followed stories with their unread counts
    POST   /api/mark-read                   {"section"?, "story"?, "through"?}: all read

Only an API token authorises these (a session cookie does not: a browser would send it with a
forged cross-site request, and these endpoints take no CSRF token). No token or a bad one:
401. Tokens come from `newsdesk user token NAME` or the account page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from ..store.accounts import User
from .api import ArticleBrief, SectionSlug, _brief
from .pages import MAX_ID, get_store

router = APIRouter(prefix="/api", tags=["reading"])


class Counts(BaseModel):
    unread: int
    unread_by_section: dict[str, int]
    saved: int


class Me(BaseModel):
    name: str
    admin: bool
    counts: Counts


class ArticleWithState(ArticleBrief):
    read: bool
    saved: bool


class ReadingList(BaseModel):
    view: str
    limit: int
    offset: int
    articles: list[ArticleWithState]


class Done(BaseModel):
    ok: bool = True
    changed: int = Field(description="How many things changed (0: it already was so)")


class FollowedStory(BaseModel):
    id: int
    title: str
    article_count: int
    unread: int


class MarkRead(BaseModel):
    section: SectionSlug | None = None
    story: int | None = Field(default=None, ge=1, le=MAX_ID)
    through: int | None = Field(default=None, ge=0, le=MAX_ID,
                                description="Only articles up to this id (the newest you saw)")


def token_user(request: Request) -> User:
    """The user of the request's API token; 401 without one."""
    user: User | None = getattr(request.state, "user", None)
    if user is None or getattr(request.state, "auth_via", None) != "token":
        raise HTTPException(401, "send an API token: Authorization: Bearer TOKEN",
                            headers={"WWW-Authenticate": 'Bearer realm="newsdesk"'})
    return user


@router.get("/me", response_model=Me, summary="The token's user and their counts")
def me(request: Request) -> Me:
    user = token_user(request)
    counts = get_store(request).unread_counts(user.id)
    return Me(name=user.name, admin=user.is_admin,
              counts=Counts(unread=counts.total, unread_by_section=counts.by_section,
                            saved=counts.saved))


@router.get("/reading", response_model=ReadingList,
            summary="Articles with the user's state: unread, saved or all")
def reading(request: Request, view: Annotated[str, Query(pattern="^(unread|saved|all)$")]
            = "unread", section: SectionSlug | None = None,
            limit: Annotated[int, Query(ge=1, le=200)] = 20,
            offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> ReadingList:
    user = token_user(request)
    rows = get_store(request).reading_list(
        user.id, view="unread" if view == "unread" else "saved" if view == "saved" else "all",
        section=section.value if section else None, limit=limit, offset=offset)
    return ReadingList(view=view, limit=limit, offset=offset, articles=[
        ArticleWithState(**_brief(a).model_dump(), read=s.read, saved=s.saved)
        for a, s in rows])


def _article_change(request: Request, article_id: int, read: bool | None = None,
                    saved: bool | None = None) -> Done:
    user = token_user(request)
    store = get_store(request)
    if read is not None:
        changed = store.mark_read(user.id, [article_id], read)
    else:
        if not store.get_articles([article_id], brief=True):
            changed = 0
        else:
            changed = max(1, store.set_saved(user.id, [article_id], bool(saved)))
    if not changed:
        raise HTTPException(404, f"no article {article_id}")
    return Done(changed=changed)


ArticleId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.put("/articles/{article_id}/read", response_model=Done, summary="Mark read")
def put_read(request: Request, article_id: ArticleId) -> Done:
    return _article_change(request, article_id, read=True)


@router.delete("/articles/{article_id}/read", response_model=Done, summary="Mark unread")
def delete_read(request: Request, article_id: ArticleId) -> Done:
    return _article_change(request, article_id, read=False)


@router.put("/articles/{article_id}/saved", response_model=Done, summary="Save (star)")
def put_saved(request: Request, article_id: ArticleId) -> Done:
    return _article_change(request, article_id, saved=True)


@router.delete("/articles/{article_id}/saved", response_model=Done, summary="Unsave")
def delete_saved(request: Request, article_id: ArticleId) -> Done:
    return _article_change(request, article_id, saved=False)


@router.get("/following", response_model=list[FollowedStory],
            summary="The stories the user follows, latest followed first, with unread counts")
def following(request: Request) -> list[FollowedStory]:
    user = token_user(request)
    store = get_store(request)
    ids = store.followed_stories(user.id)
    unread = store.story_unread_counts(user.id, ids)
    return [FollowedStory(id=s.id, title=s.title, article_count=len(s.article_ids),
                          unread=unread.get(s.id, 0))
            for s in (store.story(i) for i in ids) if s is not None]


def _follow(request: Request, story_id: int, follow: bool) -> Done:
    user = token_user(request)
    store = get_store(request)
    if store.story(story_id) is None:
        raise HTTPException(404, f"no story {story_id}")
    return Done(changed=int(store.follow_story(user.id, story_id, follow)))


@router.put("/stories/{story_id}/follow", response_model=Done, summary="Follow a story")
def put_follow(request: Request, story_id: ArticleId) -> Done:
    return _follow(request, story_id, True)


@router.delete("/stories/{story_id}/follow", response_model=Done, summary="Unfollow a story")
def delete_follow(request: Request, story_id: ArticleId) -> Done:
    return _follow(request, story_id, False)


@router.post("/mark-read", response_model=Done,
             summary="Mark everything, a section or a story read")
def mark_read(request: Request, body: MarkRead) -> Done:
    user = token_user(request)
    get_store(request).mark_all_read(user.id, through_id=body.through,
                                     section=body.section.value if body.section else None,
                                     story_id=body.story)
    return Done(changed=1)
