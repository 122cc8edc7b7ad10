"""The JSON API under /api: articles, sections, stories and search.

Every endpoint has a Pydantic response model, so /docs and /openapi.json describe it. Unknown ids
answer 404 `{"detail": "..."}`; bad parameters answer FastAPI's 422. Handlers read top to bottom.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from ..enrich.embed import get_embedder
from ..model import Article, Story
from ..search import Filters
from ..stories.digest import story_digest
from ..stories.related import more_on_story, ranked_similar, similar_articles
from ..stories.relatedness import relatedness
from .pages import MAX_ID, SEARCH_HINT, SECTIONS, get_store, group_hits, run_search, snippet

router = APIRouter(prefix="/api", tags=["api"])



class SectionSlug(StrEnum):
    """The stable section slugs (the same as pages.SECTIONS)."""

    politics = "politics"
    world = "world"
    business = "business"
    technology = "technology"
    science = "science"
    health = "health"
    sport = "sport"
    culture = "culture"
    environment = "environment"


# -- response models ------------------------------------------------------------------------

class EntityOut(BaseModel):
    text: str
    type: str = Field(description="person, org, place, number, date, money, percent or misc")


class ArticleBrief(BaseModel):
    """An article in a list: enough to show a headline with its outlet and date."""

    id: int
    url: str | None
    source: str | None
    title: str
    byline: str | None
    published: datetime | None
    lang: str | None
    section: str | None
    summary: str
    story: int | None = Field(description="Id of the article's story, if it has one")


class SimilarOut(BaseModel):
    id: int
    title: str
    source: str | None
    published: datetime | None = None
    lang: str | None = None
    story: int | None = None
    score: float = Field(description="Relatedness, 0 (unrelated) to 1 (same story), calibrated "
                                     "on human judgements (SemEval-2022 Task 8)")


class ArticleFull(ArticleBrief):
    """One article with its enrichment: key facts, entities, similar articles and full text."""

    key_facts: list[str]
    entities: list[EntityOut]
    similar: list[SimilarOut] = Field(description="Most similar other articles, best first: "
                                      "the story's articles, then related coverage")
    more_on_story: list[SimilarOut] = Field(
        default_factory=list, description="The story's other articles, oldest first, wire "
                                          "copies folded under the first")
    similar_articles: list[SimilarOut] = Field(
        default_factory=list, description="Related articles about other events, best first, "
                                          "none below the minimum relatedness")
    text: str = Field(description="Paragraphs separated by blank lines")
    headings: list[str] = Field(description="The paragraphs of `text` that are subheadings")


class ArticleList(BaseModel):
    limit: int
    offset: int
    articles: list[ArticleBrief]


class SectionOut(BaseModel):
    slug: str
    name: str
    count: int


class StoryBrief(BaseModel):
    id: int
    title: str
    article_count: int
    article_ids: list[int] = Field(description="Oldest first")
    first_published: datetime | None
    last_published: datetime | None


class FactOut(BaseModel):
    text: str
    lang: str | None
    outlets: list[str] = Field(description="Outlets whose articles report this fact")
    article_ids: list[int]


class FigureOut(BaseModel):
    value: float
    text: str = Field(description="As written, e.g. '1,800'")
    unit: str
    counts: str = Field(description="What the figure counts, in the article's words")
    outlet: str
    lang: str | None
    published: datetime | None
    article_id: int


class FigureGroupOut(BaseModel):
    counts: str = Field(description="What is counted")
    disagree: bool = Field(description="True when the outlets' values differ")
    figures: list[FigureOut] = Field(description="One per article, oldest first")


class CountOut(BaseModel):
    name: str
    articles: int


class StoryFull(StoryBrief):
    headline: str = Field(description="The headline of the story's most central article")
    summary: str = Field(description="That article's standfirst")
    articles: list[ArticleBrief] = Field(description="The story's timeline, oldest first")
    copies: dict[int, list[int]] = Field(
        description="Wire copies: article id -> ids of later near-identical articles")
    key_facts: list[FactOut]
    figures: list[FigureGroupOut]
    entities: dict[str, list[CountOut]] = Field(description="person, org, place")
    outlets: list[CountOut]
    languages: list[CountOut]


class SearchHit(BaseModel):
    id: int
    title: str
    source: str | None
    published: datetime | None
    lang: str | None
    section: str | None
    score: float = Field(description="fused relevance (reciprocal rank of the keyword and "
                                     "vector lists), higher is better")
    snippet: str
    story: int | None = None


class SearchGroup(BaseModel):
    story: int | None
    ids: list[int] = Field(description="The results of this story, best first")


class SearchResults(BaseModel):
    query: str
    results: list[SearchHit]
    groups: list[SearchGroup] = Field(default_factory=list,
                                      description="The results grouped by story, best first")
    hint: str | None = Field(default=None, description="Why nothing was found, and what to try")


# -- conversions ----------------------------------------------------------------------------

def _brief(a: Article) -> ArticleBrief:
    return ArticleBrief(id=a.id or 0, url=a.url, source=a.source, title=a.title,
                        byline=a.byline, published=a.published, lang=a.lang, section=a.section,
                        summary=a.summary, story=a.story_id)


def _similar(a: Article, score: float) -> SimilarOut:
    return SimilarOut(id=a.id or 0, title=a.title, source=a.source, published=a.published,
                      lang=a.lang, story=a.story_id, score=round(score, 4))


def _story_brief(s: Story) -> dict[str, object]:
    return {"id": s.id, "title": s.title, "article_count": len(s.article_ids),
            "article_ids": s.article_ids, "first_published": s.first_published,
            "last_published": s.last_published}


# -- endpoints ------------------------------------------------------------------------------

@router.get("/articles", response_model=ArticleList, summary="Latest articles")
def list_articles(
    request: Request,
    section: Annotated[SectionSlug | None, Query(description="Only this section")] = None,
    lang: Annotated[str | None, Query(min_length=2, max_length=12,
                                      description="Language code, e.g. en, es")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ArticleList:
    arts = get_store(request).articles(section=section.value if section else None,
                                       lang=lang, limit=limit, offset=offset)
    return ArticleList(limit=limit, offset=offset, articles=[_brief(a) for a in arts])


@router.get("/articles/{article_id}", response_model=ArticleFull, summary="One article",
            responses={404: {"description": "No such article"}})
def get_article(request: Request,
                article_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> ArticleFull:
    store = get_store(request)
    a = store.get_article(article_id)
    if a is None:
        raise HTTPException(404, f"no article {article_id}")
    limit = int(getattr(request.app.state.config, "similar_count", 10) or 10)
    more = more_on_story(store, a)
    in_story = {c.id for f in more for c in (f.article, *f.copies)}
    return ArticleFull(
        **_brief(a).model_dump(), key_facts=a.key_facts,
        entities=[EntityOut(text=e.text, type=e.type) for e in a.entities],
        similar=[_similar(o, score) for o, score in ranked_similar(store, a, limit)],
        more_on_story=[_similar(f.article, relatedness(a, f.article)) for f in more],
        similar_articles=[_similar(o, score) for o, score in
                          similar_articles(store, a, exclude={i for i in in_story if i})],
        text=a.text, headings=a.headings,
    )


@router.get("/sections", response_model=list[SectionOut], summary="Sections and their sizes")
def list_sections(request: Request) -> list[SectionOut]:
    counts = get_store(request).section_counts()
    return [SectionOut(slug=slug, name=name, count=counts.get(slug, 0))
            for slug, name in SECTIONS.items()]


@router.get("/stories", response_model=list[StoryBrief], summary="Stories, most active first")
def list_stories(
    request: Request,
    min_articles: Annotated[int, Query(ge=1, le=1000)] = 2,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[StoryBrief]:
    stories = get_store(request).stories(min_articles=min_articles, limit=limit)
    return [StoryBrief.model_validate(_story_brief(s)) for s in stories]


@router.get("/stories/{story_id}", response_model=StoryFull, summary="One story's timeline",
            responses={404: {"description": "No such story"},
                       301: {"description": "The story was merged into another"}})
def get_story(request: Request,
              story_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Any:
    """StoryFull, or a 301 to the story a merged one went into."""
    store = get_store(request)
    s = store.story(story_id)
    if s is None or not s.article_ids:
        merged_into = store.story_redirect(story_id)
        if merged_into is not None:
            return RedirectResponse(f"/api/stories/{merged_into}", status_code=301)
        raise HTTPException(404, f"no story {story_id}")
    kept = story_digest(store, s, get_embedder(request.app.state.config.embedder))
    arts, d = kept.articles, kept.digest
    return StoryFull.model_validate({
        **_story_brief(s), "headline": d.headline or s.title, "summary": d.summary,
        "articles": [_brief(a) for a in arts],
        "copies": {f.article.id: [c.id for c in f.copies] for f in d.timeline if f.copies},
        "key_facts": [FactOut(text=f.text, lang=f.lang, outlets=f.outlets,
                              article_ids=f.article_ids) for f in d.facts],
        "figures": [FigureGroupOut(counts=g.counts, disagree=g.disagree, figures=[
            FigureOut(value=r.figure.value, text=r.figure.text, unit=r.figure.unit,
                      counts=r.figure.counts, outlet=r.outlet, lang=r.lang,
                      published=r.published, article_id=r.article_id) for r in g.rows])
            for g in d.figures],
        "entities": {kind: [CountOut(name=n, articles=c) for n, c in names]
                     for kind, names in d.entities.items()},
        "outlets": [CountOut(name=n, articles=c) for n, c in d.outlets],
        "languages": [CountOut(name=n, articles=c) for n, c in d.langs],
    })


@router.get("/search", response_model=SearchResults,
            summary="Search: keywords and meaning, across English and Spanish")
def search(
    request: Request,
    q: Annotated[str, Query(max_length=500, description="Words to look for, in any language")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    lang: Annotated[str | None, Query(max_length=8, description="Only this language")] = None,
    source: Annotated[str | None, Query(max_length=200, description="Only this outlet")] = None,
    section: SectionSlug | None = None,
    since: Annotated[datetime | None, Query(description="Published at or after")] = None,
    until: Annotated[datetime | None, Query(description="Published at or before")] = None,
    sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    mode: Annotated[str, Query(pattern="^(hybrid|keyword|vector)$")] = "hybrid",
) -> SearchResults:
    filters = Filters(lang=lang, source=source, section=section.value if section else None,
                      since=since, until=until)
    hits = run_search(request, q, limit, filters, sort, mode) if q.strip() else []
    hint = None
    if not q.strip():
        hint = "Give some words to look for."
    elif not hits:
        hint = SEARCH_HINT
    return SearchResults(query=q, results=[
        SearchHit(id=a.id or 0, title=a.title, source=a.source, published=a.published,
                  lang=a.lang, section=a.section, score=score, snippet=snippet(a),
                  story=a.story_id)
        for a, score in hits
    ], groups=[SearchGroup(story=g["story_id"], ids=[x.id or 0 for x in (g["article"], *g["more"])])
               for g in group_hits([a for a, _ in hits])], hint=hint)
