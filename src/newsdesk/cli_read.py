"""Commands that read the desk: `search`, `similar`, `stories` (and one story in full).

Registered on the main app by cli.py. As there, each command imports the models and
search it needs inside itself, so the others start without them.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .cli_base import MAX_ID, MAX_LIMIT, NotFoundError, emit, iso, open_desk, say, settings
from .export import resolve_id
from .ingest.dates import parse_date
from .store import Store

app = typer.Typer()


@app.command()
def search(
    query: str,
    limit: Annotated[int, typer.Option(help="How many hits.", min=1, max=MAX_LIMIT)] = 10,
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
    lang: Annotated[str | None, typer.Option(help="Only articles in this language.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    section: Annotated[str | None, typer.Option(help="Only this section.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after DATE.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before DATE.")] = None,
    sort: Annotated[str, typer.Option(help="relevance or date.")] = "relevance",
    mode: Annotated[str, typer.Option(help="hybrid, keyword or vector.")] = "hybrid",
) -> None:
    """Search by keywords and by meaning, across English and Spanish ("frontera" finds border)."""
    from .enrich.embed import get_embedder
    from .search import Filters
    from .search import search as hybrid_search

    if sort not in ("relevance", "date"):
        raise typer.BadParameter("choose relevance or date", param_hint="--sort")
    if mode not in ("hybrid", "keyword", "vector"):
        raise typer.BadParameter("choose hybrid, keyword or vector", param_hint="--mode")
    dates = {}
    for name, raw in (("since", since), ("until", until)):
        if raw:
            dates[name] = parse_date(raw)
            if dates[name] is None:
                raise typer.BadParameter(f"{raw!r} is not a date", param_hint=f"--{name}")
    filters = Filters(lang=lang, source=source, section=section, **dates)
    store = open_desk()
    embedder = get_embedder(settings().embedder) if mode != "keyword" else None
    hits = hybrid_search(store, embedder, query, limit=limit, mode=mode, filters=filters,
                         sort=sort)
    if not hits and format != "jsonl":
        say(f"nothing found for {query!r}: try other or fewer words")
    names = store.public_ids([a.id for a, _ in hits if a.id is not None])
    for article, score in hits:
        record = {"id": names.get(article.id or 0), "newsdesk_id": article.id,
                  "title": article.title, "score": round(score, 4), "source": article.source,
                  "section": article.section, "lang": article.lang, "url": article.url,
                  "story": article.story_id,
                  "published": article.published.isoformat() if article.published else None}
        if format == "jsonl":
            emit(record)
        else:
            sys.stdout.write(f"{record['id']}\t{score:.3f}\t{article.lang or ''}\t"
                             f"{article.title}\n")


@app.command()
def similar(
    ident: Annotated[str, typer.Argument(metavar="ID", help="External id or newsdesk number.")],
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
    limit: Annotated[int, typer.Option(help="How many.", min=1, max=MAX_LIMIT)] = 10,
) -> None:
    """Articles most similar to one article, best first: its story's, then related ones."""
    from .stories.related import ranked_similar

    store = open_desk()
    article_id = resolve_id(store, ident)
    article = store.get_article(article_id) if article_id is not None else None
    if article is None:
        raise NotFoundError(f"no article with id {ident!r}")
    links = ranked_similar(store, article, limit)
    names = store.public_ids([a.id for a, _ in links if a.id is not None])
    for other, score in links:
        record = {"id": names.get(other.id or 0), "newsdesk_id": other.id, "title": other.title,
                  "score": round(score, 4), "source": other.source, "lang": other.lang,
                  "story": other.story_id}
        if format == "jsonl":
            emit(record)
        else:
            sys.stdout.write(f"{record['id']}\t{score:.2f}\t{other.source or ''}\t{other.title}\n")


@app.command()
def stories(
    story_id: Annotated[int | None, typer.Argument(
        metavar="[STORY_ID]", help="Show one story in full: summary, timeline, key facts, "
                                   "figures, entities, coverage.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
    limit: Annotated[int, typer.Option(help="How many stories.", min=1, max=MAX_LIMIT)] = 50,
) -> None:
    """Stories covered by two or more articles, most recent first (or one story in full)."""
    from .stories.digest import central_order

    store = open_desk()
    if story_id is not None:
        _story_detail(store, story_id, format)
        return
    for story in store.stories(min_articles=2, limit=limit):
        articles = store.get_articles(story.article_ids)
        names = store.public_ids(story.article_ids)
        langs = sorted({a.lang or "" for a in articles})
        lead = next(iter(central_order(articles)), None)
        record = {
            "id": story.id, "title": story.title,
            "headline": lead.title if lead else story.title,
            "summary": (lead.summary if lead else "") or "",
            "articles": [names[i] for i in story.article_ids],
            "sources": sorted({a.source or "" for a in articles}),
            "langs": langs,
            "first_published": story.first_published.isoformat() if story.first_published else None,
            "last_published": story.last_published.isoformat() if story.last_published else None,
        }
        if format == "jsonl":
            emit(record)
        else:
            sys.stdout.write(f"{story.id}\t{len(articles)} articles\t"
                             f"{', '.join(langs)}\t{record['headline']}\n")


def _story_detail(store: Store, story_id: int, format: str) -> None:
    from .enrich.embed import get_embedder
    from .stories.digest import digest

    story = store.story(story_id) if 0 < story_id <= MAX_ID else None
    if story is None or not story.article_ids:
        merged = store.story_redirect(story_id) if 0 < story_id <= MAX_ID else None
        hint = f" (merged into story {merged})" if merged else ""
        raise NotFoundError(f"no story {story_id}{hint}")
    articles = store.get_articles(story.article_ids)
    names = store.public_ids(story.article_ids)
    d = digest(articles, get_embedder(settings().embedder), key=story.id)
    record: dict[str, Any] = {
        "id": story.id, "headline": d.headline, "summary": d.summary,
        "timeline": [{"id": names.get(f.article.id or 0), "published": iso(f.article.published),
                      "source": f.article.source, "lang": f.article.lang,
                      "title": f.article.title,
                      "copies": [names.get(c.id or 0) for c in f.copies]} for f in d.timeline],
        "key_facts": [{"text": f.text, "outlets": f.outlets} for f in d.facts],
        "figures": [{"counts": g.counts, "disagree": g.disagree,
                     "values": [{"text": r.figure.text, "value": r.figure.value,
                                 "outlet": r.outlet, "published": iso(r.published)}
                                for r in g.rows]} for g in d.figures],
        "entities": {k: [n for n, _ in v] for k, v in d.entities.items()},
        "outlets": dict(d.outlets), "langs": dict(d.langs),
    }
    if format == "jsonl":
        emit(record)
        return
    out = [d.headline, "", d.summary, "", "Timeline:"]
    out += [f"  {t['published'] or '':25} {t['source'] or '':22} {t['lang'] or '':3} "
            f"{t['title']}" + (f"  (also: {len(t['copies'])} copies)" if t["copies"] else "")
            for t in record["timeline"]]
    if d.facts:
        out += ["", "Key facts:"] + [f"  - {f.text} [{', '.join(f.outlets)}]" for f in d.facts]
    if d.figures:
        out += ["", "Figures:"]
        for g in d.figures:
            mark = "  (outlets differ)" if g.disagree else ""
            out.append(f"  {g.counts}{mark}")
            out += [f"    {r.figure.text:>12}  {r.outlet}  {iso(r.published) or ''}"
                    for r in g.rows]
    out += ["", "Coverage: " + ", ".join(f"{n} {c}" for n, c in d.outlets)]
    sys.stdout.write("\n".join(out) + "\n")


def register(main: typer.Typer) -> None:
    main.registered_commands.extend(app.registered_commands)
