"""One article made ready to store: text from HTML when needed, clean whitespace, subheadings,
a title, a canonical URL, a content hash.

An article with a title but no text is kept as a title-only article (feeds often carry only a
headline and a link; the page is fetched when fetching is allowed): its content hash is taken
from its title, link, ids, byline and date, so that two different headlines are not duplicates
of each other.
An article with neither text nor title is refused.

Shared by the import in this process (pipeline.py) and the worker processes (extract/batch.py).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from ..errors import InputError
from ..extract.sanitize import blocks_to_text, html_to_blocks
from ..model import Article
from .urls import canonical_url, is_http_url

_WS = re.compile(r"[ \t\u00a0]+")


def normalise(article: Article) -> None:
    """Text from HTML when needed, clean whitespace, a title, a content hash; refuse empties."""
    # article.html is sanitised where it is made (extract, feed parsers, JSONL); pages
    # sanitise again when they render it
    if article.html and not article.text.strip():
        article.text, article.headings = blocks_to_text(html_to_blocks(article.html))
    paragraphs = [_WS.sub(" ", p).strip() for p in article.text.split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    if not article.headings:
        article.headings = [p for i, p in enumerate(paragraphs) if i and _looks_heading(p)]
    article.text = "\n\n".join(paragraphs)
    article.title = _WS.sub(" ", article.title).strip()
    if not article.text and not article.title:
        raise InputError(article.url or "article", "article has no text and no title")
    if not article.title:
        first = paragraphs[0]
        article.title = first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "…"
    if article.url and is_http_url(article.url):
        article.url = canonical_url(article.url)
    body = re.sub(r"\W+", " ", article.text.lower()).strip()
    if not body:  # title-only: whatever identifies it
        when = article.published.isoformat() if article.published else ""
        body = "\n".join(("title only", article.title, article.url or "", article.guid or "",
                          article.external_id or "", article.byline or "", when))
    article.content_hash = hashlib.sha256(body.encode()).hexdigest()[:32]
    if article.fetched is None:
        article.fetched = datetime.now(UTC)


def _looks_heading(paragraph: str) -> bool:
    return (len(paragraph) <= 80 and paragraph[-1] not in ".!?:;,\"”’)…"
            and len(paragraph.split()) <= 10 and paragraph[0].isupper())
