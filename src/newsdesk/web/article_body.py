"""An article page's body: sanitised HTML (or text blocks), its lead image split off, the
headline shown once, and no sentence the standfirst already shows.

The only HTML that reaches a page unescaped is what the configured sanitiser (nh3, in
newsdesk.extract.sanitize) returned.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Callable
from html import unescape

from fastapi import Request
from markupsafe import Markup

from ..enrich.sentences import split_sentences
from ..model import Article
from .images import LeadImage, page_first, split_lead_image


def _http_url(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


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


def article_body(request: Request, article: Article
                 ) -> tuple[Markup | None, list[tuple[str, str]], LeadImage | None]:
    """(sanitised HTML without images, [], lead image) when there is HTML and a sanitiser,
    else (None, text blocks, lead image). The lead image is the page's own (image_url) when
    known, else the body's (images.py).

    The headline is shown once, in the page's h1: a leading copy of it in the body is dropped,
    and any h1 left in the body becomes an h2.
    """
    sanitize = _sanitizer(request, _http_url(article.url)) if article.html.strip() else None
    if sanitize is not None:
        found, html = split_lead_image(_H1.sub(r"<\1h2", sanitize(article.html)))
        lead = _LEADING_HEADING.match(html)
        if lead and _same(_TAGS.sub("", lead.group(1)), article.title):
            html = html[lead.end():]
        return (Markup(_without_standfirst_html(html, article.summary)), [],
                page_first(article.image_url, found))
    blocks = article.blocks()
    if blocks and _same(blocks[0][1], article.title):
        blocks = blocks[1:]
    return (None, _without_standfirst_blocks(blocks, article.summary),
            page_first(article.image_url, None))


# One rule for every page: a body sentence the standfirst already shows is not shown again.
# A paragraph left with nothing is dropped; one left with some sentences keeps those.
_P = re.compile(r"<p\b[^>]*>(.*?)</p>", re.IGNORECASE | re.DOTALL)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _sentence_key(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.casefold()).strip()


def _shown_keys(summary: str) -> set[str]:
    return {_sentence_key(s) for s in split_sentences(summary) if _sentence_key(s)}


def _unshown(text: str, shown: set[str]) -> tuple[str, bool]:
    """`text` without the sentences in `shown`, and whether anything was taken out."""
    sentences = split_sentences(text)
    kept = [s for s in sentences if _sentence_key(s) not in shown]
    return " ".join(kept), len(kept) != len(sentences)


def _without_standfirst_html(html: str, summary: str) -> str:
    shown = _shown_keys(summary)
    if not shown:
        return html

    def paragraph(m: re.Match[str]) -> str:
        text = _squash(unescape(_TAGS.sub("", m.group(1))))
        rest, changed = _unshown(text, shown)
        if not changed:
            return m.group(0)
        return str(Markup("<p>{}</p>").format(rest)) if rest else ""

    out = _P.sub(paragraph, html)
    return out if _TAGS.sub("", out).strip() else html  # never an empty body


def _without_standfirst_blocks(blocks: list[tuple[str, str]],
                               summary: str) -> list[tuple[str, str]]:
    shown = _shown_keys(summary)
    out = []
    for kind, text in blocks:
        if kind == "p" and shown:
            text, _ = _unshown(text, shown)
            if not text:
                continue
        out.append((kind, text))
    return out if any(kind == "p" for kind, _ in out) else blocks


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
