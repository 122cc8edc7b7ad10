"""Streaming story clustering.

Each new article looks at its nearest neighbours in the vector index. Candidate stories are
those of neighbours above the threshold and published within a time window; the article joins
the candidate whose members it matches best on average, if that average is within
AVERAGE_MARGIN of the threshold (average link keeps two similar but different events apart
better than single link), or else starts a story of its own.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ..index.vectors import VectorIndex
from ..model import Article
from ..store import Store

WINDOW = timedelta(days=7)
NEIGHBOURS = 15
MAX_MEMBERS = 30
AVERAGE_MARGIN = 0.05  # average link may sit this far below the pair threshold (ECB+ tuned)


def _close_in_time(a: Article, b: Article) -> bool:
    if a.published is None or b.published is None:
        return True
    return abs(a.published - b.published) <= WINDOW


def assign_story(store: Store, index: VectorIndex, article: Article, threshold: float) -> int:
    """Put `article` (stored, with an embedding) into a story; return the story id."""
    assert article.id is not None and article.embedding is not None
    vec = np.asarray(article.embedding, dtype=np.float32)
    hits = [(i, s) for i, s in index.search(vec, NEIGHBOURS, exclude=article.id) if s >= threshold]
    neighbours = store.get_articles([i for i, _ in hits])
    candidates = {
        n.story_id for n in neighbours
        if n.story_id is not None and n.story_id != article.story_id and _close_in_time(article, n)
    }
    best_story, best_score = None, threshold - AVERAGE_MARGIN
    for story_id in candidates:
        story = store.story(story_id)
        if story is None:
            continue
        members = [m for m in store.get_articles(story.article_ids[-MAX_MEMBERS:])
                   if m.embedding is not None and m.id != article.id]
        if not members:
            continue
        score = float(np.mean(np.vstack([m.embedding for m in members]) @ vec))
        if score >= best_score:
            best_story, best_score = story_id, score
    if best_story is None:
        best_story = article.story_id or store.create_story(article.title)
    store.set_story(article.id, best_story)
    article.story_id = best_story
    return best_story
