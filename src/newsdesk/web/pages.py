"""HTML screens: home, section, article, story and search, one handler each, top to bottom.

Templates are Jinja2 with autoescape on, so every stored string is escaped. The only markup we
pass through unescaped is article HTML after the nh3 sanitiser has cleaned it; without a
sanitiser we fall back to the article's plain-text blocks. Pages carry a strict
Content-Security-Policy: they need no JavaScript at all.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from ..enrich.embed import get_embedder
from ..enrich.sections import SECTIONS as SECTION_SLUGS
from ..model import Article, Story
from ..search import Filters
from ..search import search as hybrid_search
from ..store import Store

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)

SECTIONS: dict[str, str] = {slug: slug.capitalize() for slug in SECTION_SLUGS}
LANG_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "ca": "Catalan", "pl": "Polish", "ru": "Russian",
    "uk": "Ukrainian", "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "tr": "Turkish", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish",
    "el": "Greek", "hi": "Hindi", "id": "Indonesian", "ro": "Romanian", "cs": "Czech",
}
ENTITY_GROUPS = (("person", "People"), ("org", "Organisations"), ("place", "Places"))
PAGE_SIZE = 20
STORIES_PAGE = 100
HOME_PER_SECTION = 4
MAX_ID = 2**63 - 1
CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' https: data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


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
    return SECTIONS.get(slug or "", (slug or "").capitalize())


def lang_name(code: str | None) -> str:
    if not code:
        return ""
    return LANG_NAMES.get(code.split("-")[0].lower(), code)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str:
    return _utc(value).isoformat() if value else ""


def human_date(value: datetime | None) -> str:
    """'3 December 2025'."""
    if value is None:
        return ""
    value = _utc(value)
    return f"{value.day} {value:%B %Y}"


def human_datetime(value: datetime | None) -> str:
    """'3 December 2025, 14:05 UTC'."""
    if value is None:
        return ""
    return f"{human_date(value)}, {_utc(value):%H:%M} UTC"


def safe_url(url: str | None) -> str:
    """`url` if it is http(s), else '' (never link a javascript: or data: address)."""
    return url if url and url.lower().startswith(("http://", "https://")) else ""


def byline(text: str | None) -> str:
    """'By Ana Ruiz' for 'Ana Ruiz' or 'by Ana Ruiz'."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    return text if text.lower().startswith("by ") else f"By {text}"


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
    folded = "".join(c for c in unicodedata.normalize("NFKD", word.lower())
                     if not unicodedata.combining(c))
    return "".join(f"[{_ACCENTS[c]}]" if c in _ACCENTS else re.escape(c) for c in folded)


def highlighter(query: str) -> Callable[[Article], Markup]:
    """snippet() with the query's words (three letters or more) marked, HTML-escaped."""
    words = sorted({w for w in re.findall(r"\w{3,}", query)}, key=len, reverse=True)[:12]
    pattern = (re.compile(r"\b(" + "|".join(_term_pattern(w) for w in words) + r")\w*",
                          re.IGNORECASE) if words else None)

    def marked(article: Article) -> Markup:
        text = snippet(article)
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
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, name, context, status_code=status,
        headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                 "Referrer-Policy": "strict-origin-when-cross-origin"})
    return response


def _sanitizer(request: Request, base_url: str | None) -> Callable[[str], str] | None:
    """The configured sanitiser, else `newsdesk.extract.sanitize.sanitize_html` if present
    (given the article's address so relative links and images resolve against it)."""
    if request.app.state.sanitize is not None:
        fn: Callable[[str], str] = request.app.state.sanitize
        return fn
    try:
        module = importlib.import_module("newsdesk.extract.sanitize")
    except ImportError:
        return None
    found: Callable[..., str] | None = getattr(module, "sanitize_html", None)
    if found is None:
        return None
    if base_url and "base_url" in inspect.signature(found).parameters:
        return functools.partial(found, base_url=base_url)
    return found


_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_LEADING_HEADING = re.compile(r"^\s*<h[12][^>]*>(.*?)</h[12]>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def article_body(request: Request, article: Article) -> tuple[Markup | None, list[tuple[str, str]]]:
    """(sanitised HTML, []) when there is HTML and a sanitiser, else (None, text blocks).

    The headline is shown once, in the page's h1: a leading copy of it in the body is dropped,
    and any h1 left in the body becomes an h2.
    """
    sanitize = _sanitizer(request, safe_url(article.url)) if article.html.strip() else None
    if sanitize is not None:
        html = _H1.sub(r"<\1h2", sanitize(article.html))
        lead = _LEADING_HEADING.match(html)
        if lead and _same(_TAGS.sub("", lead.group(1)), article.title):
            html = html[lead.end():]
        return Markup(_without_standfirst_html(html, article.summary)), []
    blocks = article.blocks()
    if blocks and _same(blocks[0][1], article.title):
        blocks = blocks[1:]
    return None, _without_standfirst_blocks(blocks, article.summary)


# used with .match(html, pos), so no "^": that would only match at the start of the string
_LEADING_P = re.compile(r"\s*<p\b[^>]*>(.*?)</p>", re.IGNORECASE | re.DOTALL)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _without_standfirst_html(html: str, summary: str) -> str:
    """Drop the opening paragraphs when the standfirst is exactly those paragraphs (the
    extractive lead), so the page does not print them twice; otherwise change nothing."""
    rest, cut = _squash(summary), 0
    while rest:
        m = _LEADING_P.match(html, cut)
        text = _squash(unescape(_TAGS.sub("", m.group(1)))) if m else ""
        if not m or not text or not rest.startswith(text):
            return html
        rest, cut = rest[len(text):].strip(), m.end()
    return html[cut:] if cut and html[cut:].strip() else html


def _without_standfirst_blocks(blocks: list[tuple[str, str]],
                               summary: str) -> list[tuple[str, str]]:
    rest, n = _squash(summary), 0
    while rest and n < len(blocks):
        kind, text = blocks[n]
        text = _squash(text)
        if kind != "p" or not text or not rest.startswith(text):
            return blocks
        rest, n = rest[len(text):].strip(), n + 1
    return blocks[n:] if n and not rest and blocks[n:] else blocks


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _outlets(articles: list[Article]) -> int:
    return len({a.source for a in articles if a.source})


def _story_articles(store: Store, story: Story) -> list[Article]:
    """The story's articles, oldest first (the store lists a story's ids by date)."""
    return store.get_articles(story.article_ids)


# -- screens --------------------------------------------------------------------------------

@router.get("/")
def home(request: Request) -> HTMLResponse:
    store = get_store(request)
    counts = store.section_counts()
    latest = store.articles(limit=6)
    by_section = [(slug, store.articles(section=slug, limit=HOME_PER_SECTION))
                  for slug in SECTIONS if counts.get(slug)]
    stories = [(s, len(s.article_ids)) for s in store.stories(min_articles=2, limit=5)]
    return render(request, "home.html", {
        "latest": latest, "by_section": by_section, "stories": stories, "snippet": snippet,
        "empty": not latest,
    })


@router.get("/section/{slug}")
def section(request: Request, slug: str,
            page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    if slug not in SECTIONS:
        raise HTTPException(404, f"no section {slug!r}")
    store = get_store(request)
    total = store.count_articles(section=slug)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:
        raise HTTPException(404, "no such page")
    articles = store.articles(section=slug, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(request, "section.html", {
        "slug": slug, "name": SECTIONS[slug], "articles": articles, "page": page,
        "pages": pages, "total": total, "snippet": snippet,
        "feed_url": f"/section/{slug}/feed.xml",
    })


@router.get("/article/{article_id}")
def article(request: Request,
            article_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> HTMLResponse:
    store = get_store(request)
    art = store.get_article(article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}")
    story = store.story(art.story_id) if art.story_id else None
    story_info = None
    if story is not None and len(story.article_ids) >= 2:
        members = store.get_articles(story.article_ids)
        outlets = _outlets(members)
        label = (f"{outlets} outlets cover this story" if outlets >= 2
                 else f"{len(members)} articles cover this story")
        story_info = {"id": story.id, "title": story.title, "label": label}
    limit = int(getattr(request.app.state.config, "similar_count", 10) or 10)
    similar = store.similar(article_id, limit)
    same_story = [(a, s) for a, s in similar if art.story_id and a.story_id == art.story_id]
    others = [(a, s) for a, s in similar if not (art.story_id and a.story_id == art.story_id)]
    entities = [(label, sorted({e.text for e in art.entities if e.type == kind}))
                for kind, label in ENTITY_GROUPS]
    body_html, blocks = article_body(request, art)
    return render(request, "article.html", {
        "a": art, "body_html": body_html, "blocks": blocks, "story": story_info,
        "same_story": same_story, "others": others,
        "entities": [(label, names) for label, names in entities if names],
        "standfirst": art.summary or art.description or "",
    })


@router.get("/stories")
def stories(request: Request) -> HTMLResponse:
    """Stories covered by two or more articles: the most recently active first; among those
    active on the same day, the most covered first."""
    store = get_store(request)
    rows: list[dict[str, Any]] = []
    for story in store.stories(min_articles=2, limit=STORIES_PAGE):
        articles = _story_articles(store, story)
        rows.append({"story": story, "count": len(articles), "outlets": _outlets(articles),
                     "langs": sorted({lang_name(a.lang) for a in articles if a.lang}),
                     "lead": articles[0] if articles else None})
    def activity(row: dict[str, Any]) -> tuple[Any, int]:
        last = row["story"].last_published or datetime.min.replace(tzinfo=UTC)
        return last.date(), row["count"]

    rows.sort(key=activity, reverse=True)
    return render(request, "stories.html", {"rows": rows, "snippet": snippet})


@router.get("/story/{story_id}")
def story(request: Request,
          story_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    store = get_store(request)
    found = store.story(story_id)
    if found is None or not found.article_ids:
        merged_into = store.story_redirect(story_id)  # a merge keeps old links working
        if merged_into is not None:
            return RedirectResponse(f"/story/{merged_into}", status_code=301)
        raise HTTPException(404, f"no story {story_id}")
    articles = _story_articles(store, found)
    langs = sorted({lang_name(a.lang) for a in articles if a.lang})
    return render(request, "story.html", {
        "story": found, "articles": articles, "outlets": _outlets(articles), "langs": langs,
        "snippet": snippet,
    })


@router.get("/search")
def search(request: Request, q: Annotated[str, Query(max_length=500)] = "",
           lang: Annotated[str, Query(max_length=8)] = "",
           sort: Annotated[str, Query(max_length=12)] = "relevance") -> HTMLResponse:
    query = q.strip()
    filters = Filters(lang=lang or None)
    hits = run_search(request, query, 30, filters, sort) if query else []
    return render(request, "search.html", {
        "q": query, "hits": [a for a, _ in hits], "snippet": highlighter(query), "lang": lang,
        "sort": "date" if sort == "date" else "relevance",
    })
