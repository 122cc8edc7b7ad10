"""HTML screens: home, section, article, story and search, one handler each, top to bottom.

Templates are Jinja2 with autoescape on, so every stored string is escaped. The only markup we
pass through unescaped is article HTML after the nh3 sanitiser has cleaned it; without a
sanitiser we fall back to the article's plain-text blocks. Of the article's images only its
lead image is shown (images.py), from /image/{id} unless `remote_images` is on. Pages need no
JavaScript: security.py gives every response a policy that forbids it. Pages are kept until the
data changes (cache.py). Pages are rendered in the reader's language and time zone (locale.py):
their words are gettext messages, translated when the template is rendered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from ..enrich.embed import get_embedder
from ..enrich.sections import SECTIONS as SECTION_SLUGS
from ..model import Article, Story
from ..search import Filters
from ..search import search as hybrid_search
from ..store import Store
from ..stories.digest import story_digest
from ..stories.duplicates import fold
from ..stories.related import more_on_story, similar_articles
from ..textfold import fold_text
from .article_body import article_body
from .auth import current_user
from .cache import cached_page
from .locale import N_, gettext, primary, ui_for, using
from .read_marks import ReadMarks, articles_in
from .reader_state import opened

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)

# Section names in English (the feeds and the API use them as they are; pages translate them)
SECTION_NAMES = {
    "politics": N_("Politics"), "world": N_("World"), "business": N_("Business"),
    "technology": N_("Technology"), "science": N_("Science"), "health": N_("Health"),
    "sport": N_("Sport"), "culture": N_("Culture"), "environment": N_("Environment"),
}
SECTIONS: dict[str, str] = {slug: SECTION_NAMES.get(slug, slug.capitalize())
                            for slug in SECTION_SLUGS}
ENTITY_GROUPS = (("person", N_("People")), ("org", N_("Organisations")),
                 ("place", N_("Places")))
PAGE_SIZE = 20
STORIES_PAGE = 100
HOME_PER_SECTION = 4  # groups (a story's articles count once) per section on the front page
HOME_LEAD_STORIES = 3
LEAD_WINDOW_DAYS = 14  # lead stories are active within this many days of the newest story
LEAD_HALF_LIFE_DAYS = 7.0  # a story's weight as a lead halves for each week it has been quiet
CENTRAL_OF = 30  # a story is told by the most central of its latest CENTRAL_OF articles
MAX_ID = 2**63 - 1


# -- helpers shared with api.py, feeds.py and the templates ---------------------------------

def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def run_search(request: Request, query: str, limit: int, filters: Filters | None = None,
               sort: str = "relevance", mode: str = "hybrid") -> list[tuple[Article, float]]:
    """The hybrid search (search.py) with the encoder the articles were embedded with."""
    embedder = get_embedder(request.app.state.config.embedder)
    return hybrid_search(get_store(request), embedder, query, limit=limit, filters=filters,
                         sort=sort, mode=mode)


def section_name(slug: str | None) -> str:
    """A section's name in the page's language."""
    name = SECTIONS.get(slug or "")
    return gettext(name) if name else (slug or "").capitalize()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str:
    return _utc(value).isoformat() if value else ""


def safe_url(url: str | None) -> str:
    """`url` if it is http(s), else '' (never link a javascript: or data: address)."""
    return url if url and url.lower().startswith(("http://", "https://")) else ""


_BY = ("by ", "por ")


def byline(text: str | None) -> str:
    """'By Ana Ruiz' ('Por Ana Ruiz' in Spanish) for 'Ana Ruiz', 'by Ana Ruiz' or 'Por Ana
    Ruiz'."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    for word in _BY:
        if text.lower().startswith(word):
            text = text[len(word):].strip()
            break
    return gettext("By %(name)s") % {"name": text}


def snippet(article: Article, length: int = 220) -> str:
    """A plain-text teaser: the summary, else the description, else the first paragraph."""
    text = article.summary or article.description or next(
        (p for kind, p in article.blocks() if kind == "p"), "")
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


_ACCENTS = {"a": "aáàâäã", "e": "eéèêë", "i": "iíìîï", "o": "oóòôöõ", "u": "uúùûü",
            "n": "nñ", "c": "cç"}


def _term_pattern(word: str) -> str:
    """A regex for `word` that also matches it written with or without accents."""
    folded = fold_text(word)
    return "".join(f"[{_ACCENTS[c]}]" if c in _ACCENTS else re.escape(c) for c in folded)


def highlighter(query: str) -> Callable[[Article | str], Markup]:
    """A function marking the query's words (three letters or more) in an article's snippet()
    or in a given text (a headline), HTML-escaped."""
    words = sorted({w for w in re.findall(r"\w{3,}", query)}, key=len, reverse=True)[:12]
    pattern = (re.compile(r"\b(" + "|".join(_term_pattern(w) for w in words) + r")\w*",
                          re.IGNORECASE) if words else None)

    def marked(item: Article | str) -> Markup:
        text = item if isinstance(item, str) else snippet(item)
        if pattern is None:
            return Markup.escape(text)
        out, last = [], 0
        for match in pattern.finditer(text):
            out.append(Markup.escape(text[last:match.start()]))
            out.append(Markup("<mark>{}</mark>").format(match.group(0)))
            last = match.end()
        out.append(Markup.escape(text[last:]))
        return Markup("").join(out)

    return marked


def render(request: Request, name: str, context: dict[str, Any],
           status: int = 200) -> HTMLResponse:
    """The page from template `name`, in the reader's language and time zone (locale.py)."""
    templates = request.app.state.templates
    ui = ui_for(request)
    user = current_user(request)
    if user is not None and "read_of" not in context:
        context = {**context, "read_of": ReadMarks(get_store(request), user.id,
                                                   articles_in(context))}
    with using(ui):
        response: HTMLResponse = templates.TemplateResponse(
            request, name, {**context, "ui_lang": ui.lang}, status_code=status)
    response.headers["Content-Language"] = ui.lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


Coverage = dict[int, tuple[int, int, list[str]]]


def group_by_story(store: Store, articles: list[Article], limit: int | None = None,
                   shown: set[int] | None = None,
                   coverage: Coverage | None = None) -> list[dict[str, Any]]:
    """`articles` (a list in its own order, brief articles will do) with the later articles
    of one story grouped under the first, wire copies folded away; each group knows its
    story's size. Stories in `shown` (already on the page) are left out. `coverage` is
    store.story_coverage for the list's stories, when already read."""
    groups: list[dict[str, Any]] = []
    by_story: dict[int, dict[str, Any]] = {}
    for a in articles:
        sid = a.story_id
        if sid is not None and shown is not None and sid in shown:
            continue
        if sid is not None and sid in by_story:
            by_story[sid]["members"].append(a)
            continue
        group: dict[str, Any] = {"article": a, "members": [], "story_id": None, "count": 1,
                                 "outlets": 1}
        groups.append(group)
        if sid is not None:
            by_story[sid] = group
    groups = groups[:limit] if limit else groups
    if coverage is None:
        coverage = store.story_coverage([g["article"].story_id for g in groups
                                         if g["article"].story_id is not None])
    older: dict[int, list[int]] = {}  # group index -> ids of its story's latest others
    for n, group in enumerate(groups):
        sid = group["article"].story_id
        count, outlets, _ = coverage.get(sid, (1, 1, [])) if sid is not None else (1, 1, [])
        group["more"] = []
        if count < 2:
            continue
        group.update(story_id=sid, count=count, outlets=outlets)
        if group["members"]:
            others = [f.article for f in fold([group["article"], *group["members"]])][1:]
            group["more"] = others[:3]
        if not group["more"]:  # the story's other articles are older than this list
            latest = [i for i in store.story_latest_ids(sid, 3) if i != group["article"].id]
            older[n] = latest[:2][::-1]
    if older:
        found = {a.id: a for a in store.get_articles(
            [i for ids in older.values() for i in ids], brief=True)}
        for n, ids in older.items():
            groups[n]["more"] = [found[i] for i in ids if i in found]
    return groups


def _central_member(store: Store, story: Story) -> Article | None:
    """The story's most central recent article (the embeddings only are read for all)."""
    members = store.story_vectors(story.id, CENTRAL_OF)
    if not members:
        ids = story.article_ids[-1:]
    else:
        matrix = np.vstack([v for _, v in members])
        ids = [members[int(np.argmax((matrix @ matrix.T).mean(axis=1)))][0]]
    found = store.get_articles(ids, brief=True)
    return found[0] if found else None


def lead_stories(store: Store, count: int = HOME_LEAD_STORIES,
                 found: list[Story] | None = None) -> list[dict[str, Any]]:
    """The biggest developing stories: active within LEAD_WINDOW_DAYS of the most recent
    story, by outlets covering it, weighted down as it goes quiet; each told by its most
    central article (looked for only in the stories shown). `found` is
    store.stories(min_articles=2, limit=40), when already read."""
    stories_ = found if found is not None else store.stories(min_articles=2, limit=40)
    if not stories_:
        return []
    newest = max((s.last_published for s in stories_ if s.last_published), default=None)
    cards = []
    coverage = store.story_coverage([s.id for s in stories_])
    for s in stories_:
        if newest and s.last_published and (newest - s.last_published).days > LEAD_WINDOW_DAYS:
            continue
        size, outlets, langs = coverage.get(s.id, (len(s.article_ids), 1, []))
        quiet = ((newest - s.last_published).total_seconds() / 86400
                 if newest and s.last_published else 0.0)
        cards.append({"story": s, "count": size, "outlets": outlets,
                      "langs": sorted({primary(code) for code in langs}),
                      "weight": ((outlets + size / 10)
                                 * 0.5 ** (quiet / LEAD_HALF_LIFE_DAYS))})
    cards.sort(key=lambda c: -c["weight"])  # stable: ties keep the stories' order
    shown = []
    for card in cards:
        card["lead"] = _central_member(store, card["story"])
        if card["lead"] is not None:
            shown.append(card)
            if len(shown) == count:
                break
    return shown


# -- screens --------------------------------------------------------------------------------

@router.get("/")
@cached_page
def home(request: Request, view: Annotated[str, Query(max_length=10)] = "") -> Response:
    """Lead stories as cards, then the latest and each section with a story's articles
    grouped under one headline. ?view=unread and ?view=saved: a reader's lists (reading.py)."""
    if view in ("unread", "saved"):
        return RedirectResponse(f"/{view}", status_code=303)
    store = get_store(request)
    active = store.stories(min_articles=2, limit=40)
    cards = lead_stories(store, found=active)
    shown = {c["story"].id for c in cards}
    newest = store.articles(limit=20, brief=True)
    lists = {slug: store.articles(section=slug, limit=16, brief=True) for slug in SECTIONS}
    coverage = store.story_coverage(list({a.story_id for arts in (newest, *lists.values())
                                          for a in arts if a.story_id is not None}))
    latest = group_by_story(store, newest, limit=6, shown=shown, coverage=coverage)
    by_section = []
    for slug, arts in lists.items():
        groups = group_by_story(store, arts, limit=HOME_PER_SECTION, coverage=coverage)
        if groups:
            by_section.append((slug, groups))
    more_stories = [s for s in active[:8] if s.id not in shown][:5]
    return render(request, "home.html", {
        "cards": cards, "latest": latest, "by_section": by_section, "stories": more_stories,
        "snippet": snippet, "empty": not newest,
    })


@router.get("/section/{slug}")
@cached_page
def section(request: Request, slug: str,
            page: Annotated[int, Query(ge=1, le=100_000)] = 1,
            view: Annotated[str, Query(max_length=10)] = "") -> Response:
    if slug not in SECTIONS:
        raise HTTPException(404, f"no section {slug!r}")
    if view == "unread":
        return RedirectResponse(f"/unread?section={slug}", status_code=303)
    store = get_store(request)
    total = store.count_articles(section=slug)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:
        raise HTTPException(404, "no such page")
    articles = store.articles(section=slug, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                              brief=True)
    return render(request, "section.html", {
        "slug": slug, "name": SECTIONS[slug], "groups": group_by_story(store, articles),
        "page": page,
        "pages": pages, "total": total, "snippet": snippet,
        "feed_url": f"/section/{slug}/feed.xml",
    })


@router.get("/article/{article_id}")
@cached_page
def article(request: Request,
            article_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> HTMLResponse:
    store = get_store(request)
    art = store.get_article(article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}")
    opened(request, art)  # read, for a signed-in reader
    story = store.story(art.story_id) if art.story_id else None
    story_info = None
    if story is not None and len(story.article_ids) >= 2:
        count, outlets, _ = store.story_coverage([story.id]).get(story.id, (0, 0, []))
        story_info = {"id": story.id, "title": story.title, "count": count,
                      "outlets": outlets}
    more = more_on_story(store, art)
    others = similar_articles(store, art,
                              exclude={c.id for f in more for c in (f.article, *f.copies)
                                       if c.id is not None})
    entities = [(label, sorted({e.text for e in art.entities if e.type == kind}))
                for kind, label in ENTITY_GROUPS]
    body_html, blocks, image = article_body(request, art)
    image_src = None
    if image is not None:  # from the publisher only when allowed, and over https (see CSP)
        remote = request.app.state.config.remote_images and image.url.startswith("https://")
        image_src = image.url if remote else f"/image/{art.id}"
    return render(request, "article.html", {
        "a": art, "body_html": body_html, "blocks": blocks, "story": story_info,
        "image": image, "image_src": image_src,
        "more": more, "others": others,
        "entities": [(label, names) for label, names in entities if names],
        "standfirst": art.summary or art.description or "",
    })


@router.get("/image/{article_id}")
def lead_image(request: Request,
               article_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    """The article's lead image, fetched by us once (images.ImageProxy) and served from here."""
    art = get_store(request).get_article(article_id)
    image = article_body(request, art)[2] if art is not None else None
    found = request.app.state.images.get(image.url) if image is not None else None
    if found is None:
        raise HTTPException(404, f"no image for article {article_id}")
    return Response(found.body, media_type=found.media_type,
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/stories")
@cached_page
def stories(request: Request) -> HTMLResponse:
    """Stories covered by two or more articles: the most recently active first; among those
    active on the same day, the most covered first."""
    store = get_store(request)
    rows: list[dict[str, Any]] = []
    found = store.stories(min_articles=2, limit=STORIES_PAGE)
    coverage = store.story_coverage([s.id for s in found])
    for story in found:
        count, outlets, langs = coverage.get(story.id, (len(story.article_ids), 1, []))
        rows.append({"story": story, "count": count, "outlets": outlets,
                     "langs": sorted({primary(code) for code in langs})})
    def activity(row: dict[str, Any]) -> tuple[Any, int]:
        last = row["story"].last_published or datetime.min.replace(tzinfo=UTC)
        return last.date(), row["count"]

    rows.sort(key=activity, reverse=True)
    return render(request, "stories.html", {"rows": rows, "snippet": snippet})


@router.get("/story/{story_id}")
@cached_page
def story(request: Request,
          story_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    store = get_store(request)
    found = store.story(story_id)
    if found is None or not found.article_ids:
        merged_into = store.story_redirect(story_id)  # a merge keeps old links working
        if merged_into is not None:
            return RedirectResponse(f"/story/{merged_into}", status_code=301)
        raise HTTPException(404, f"no story {story_id}")
    kept = story_digest(store, found, get_embedder(request.app.state.config.embedder))
    made = kept.digest
    return render(request, "story.html", {
        "story": found, "d": made, "articles": kept.articles, "outlets": kept.outlets,
        "langs": [code for code, _ in made.langs if code != "und"],
        "snippet": snippet, "entity_groups": ENTITY_GROUPS,
    })


SEARCH_HINT = N_("Nothing matched. Try other or fewer words; a search in English or Spanish "
                 "finds articles in both.")


def group_hits(hits: list[Article]) -> list[dict[str, Any]]:
    """Search hits with the later hits of one story listed under its best hit."""
    groups: list[dict[str, Any]] = []
    by_story: dict[int, dict[str, Any]] = {}
    for a in hits:
        if a.story_id is not None and a.story_id in by_story:
            by_story[a.story_id]["more"].append(a)
            continue
        group: dict[str, Any] = {"article": a, "more": [], "story_id": a.story_id}
        groups.append(group)
        if a.story_id is not None:
            by_story[a.story_id] = group
    return groups


def _day(value: str, zone: tzinfo = UTC, end: bool = False) -> datetime | None:
    """A date from a form's date field (YYYY-MM-DD), a day in the reader's `zone`; None when
    empty or not a date."""
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=zone)
    except ValueError:
        return None
    return day.replace(hour=23, minute=59, second=59) if end else day


@router.get("/search")
@cached_page
def search(request: Request, q: Annotated[str, Query(max_length=500)] = "",
           lang: Annotated[str, Query(max_length=8)] = "",
           source: Annotated[str, Query(max_length=200)] = "",
           section: Annotated[str, Query(max_length=20)] = "",
           since: Annotated[str, Query(max_length=10)] = "",
           until: Annotated[str, Query(max_length=10)] = "",
           sort: Annotated[str, Query(max_length=12)] = "relevance") -> HTMLResponse:
    query = q.strip()
    zone = ui_for(request).zone
    filters = Filters(lang=lang or None, source=source.strip() or None,
                      section=section if section in SECTIONS else None,
                      since=_day(since, zone), until=_day(until, zone, end=True))
    hits = [a for a, _ in run_search(request, query, 30, filters, sort)] if query else []
    return render(request, "search.html", {
        "q": query, "hits": hits, "groups": group_hits(hits), "snippet": highlighter(query),
        "lang": lang, "source": source.strip(), "section": filters.section or "",
        "since": since if filters.since else "", "until": until if filters.until else "",
        "sort": "date" if sort == "date" else "relevance", "hint": SEARCH_HINT,
    })
