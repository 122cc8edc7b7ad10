"""Everything about an article that needs no database, in one step that worker processes run.

    language -> embedding -> section -> summary -> entities -> key facts

`prepare_articles` embeds a batch at once (the encoder is faster on batches) and returns the
seconds spent per stage, so the pipeline and the benchmarks can report them wherever it ran.
"""

from __future__ import annotations

import dataclasses
import time

from ..extract.facts_box import parse_facts_line
from ..extract.meta import primary_lang
from ..model import Article
from .embed import Embedder, embedding_text
from .entities import extract_entities
from .facts import key_facts
from .lang import detect_language
from .sections import classify, map_publisher_section
from .summary import lead_summary, publisher_summary

ANALYSE_CHARS = 12_000  # entities and key facts read this much of a very long page


def _head(article: Article) -> Article:
    """The article cut at a paragraph boundary near ANALYSE_CHARS (a forum thread or a
    live blog can run to 50,000 characters; its facts and names are in its first part)."""
    if len(article.text) <= ANALYSE_CHARS:
        return article
    cut = article.text.rfind("\n\n", 0, ANALYSE_CHARS)
    return dataclasses.replace(article, text=article.text[: cut if cut > 0 else ANALYSE_CHARS])


def prepare_articles(articles: list[Article], embedder: Embedder) -> dict[str, float]:
    """Fill lang, embedding, section, summary, entities and key facts in place."""

    seconds = {"enrich": 0.0, "embed": 0.0}
    if not articles:
        return seconds
    start = time.perf_counter()
    for a in articles:
        given = primary_lang(a.lang) if a.lang else None
        a.lang = given or detect_language(f"{a.title}\n{a.text[:2000]}")
    seconds["enrich"] += time.perf_counter() - start

    start = time.perf_counter()
    vectors = embedder.embed([embedding_text(a) for a in articles])
    for a, vec in zip(articles, vectors, strict=True):
        a.embedding = vec
    seconds["embed"] += time.perf_counter() - start

    start = time.perf_counter()
    for a in articles:
        section = map_publisher_section(a.publisher_section)
        if section is None:
            section, _confidence = classify(a.embedding, a.title, a.text, a.lang,
                                            encoder=embedder.name)
        a.section = section
        own_summary = publisher_summary(a)
        a.summary = own_summary or lead_summary(a)
        head = _head(a)
        a.entities = extract_entities(head.text, a.lang)
        # the publisher's own (read by extraction, or a "Key facts:" line in the text) first
        own_facts = a.key_facts or publisher_facts_in_text(a.text)
        a.key_facts = own_facts or key_facts(head, a.entities)
        a.written_by = {"summary": "publisher" if own_summary else "picked",
                        "key_facts": "publisher" if own_facts else "picked"}
    seconds["enrich"] += time.perf_counter() - start
    return seconds


def publisher_facts_in_text(text: str) -> list[str]:
    """The items of a "Key facts: …" paragraph in the body, if there is one."""
    for paragraph in text.split("\n\n"):
        found = parse_facts_line(paragraph)
        if found:
            return found
    return []


def is_prepared(article: Article) -> bool:
    return article.embedding is not None and bool(article.summary)
