"""Articles as plain records, for `export`, `similar`, `search` and `extract` output."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .model import Article
from .store import Store
from .stories.related import ranked_similar


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def article_record(store: Store, article: Article, similar_count: int = 10) -> dict[str, Any]:
    """The export record the CLI contract promises (ids are external ids where known)."""
    assert article.id is not None
    links = [(o.id, score) for o, score in ranked_similar(store, article, similar_count)
             if o.id is not None]
    names = store.public_ids([article.id, *[i for i, _ in links]])
    return {
        "id": names.get(article.id, str(article.id)),
        "newsdesk_id": article.id,
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "byline": article.byline,
        "published": _date(article.published),
        "fetched": _date(article.fetched),
        "lang": article.lang,
        "section": article.section,
        "summary": article.summary,
        "key_facts": list(article.key_facts),
        "entities": [e.as_dict() for e in article.entities],
        "story": article.story_id,
        "similar": [names[i] for i, _ in links if i in names],
        "headings": list(article.headings),
        "text": article.text,
    }


def export_records(store: Store, since: datetime | None = None,
                   similar_count: int = 10) -> Iterator[dict[str, Any]]:
    for article in store.iter_articles(since=since):
        yield article_record(store, article, similar_count)


def extract_record(article: Article, where: str, key: str = "path") -> dict[str, Any]:
    """What `newsdesk extract` prints for one input."""
    return {
        key: where,
        "title": article.title,
        "text": article.text,
        "headings": list(article.headings),
        "byline": article.byline,
        "published": _date(article.published),
        "lang": article.lang,
        "source": article.source,
        "section": article.publisher_section,
        "url": article.url,
        "description": article.description,
    }


def resolve_id(store: Store, ident: str) -> int | None:
    """An article's number from an external id or its own number."""
    found = store.find_by_external_id(ident)
    if found is not None:
        return found
    # ids are 64-bit in both engines: a longer number names no article (and would overflow)
    if ident.isascii() and ident.isdigit() and int(ident) < 2**63 \
            and store.get_article(int(ident)) is not None:
        return int(ident)
    return None
