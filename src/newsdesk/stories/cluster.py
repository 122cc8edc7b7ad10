"""Streaming story clustering.

Each new article looks at its nearest neighbours in the vector index. Candidate stories are
those of neighbours above the threshold and published within a time window; the article joins
the candidate whose members it matches best on average, if that average is within
AVERAGE_MARGIN of the threshold (average link keeps two similar but different events apart
better than single link), or else starts a story of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from ..model import Article
from ..store import Store

WINDOW = timedelta(days=7)
NEIGHBOURS = 15
MAX_MEMBERS = 30
AVERAGE_MARGIN = 0.05  # average link may sit this far below the pair threshold (ECB+ tuned)


def _close_in_time(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= WINDOW


def choose_story(store: Store, article: Article, threshold: float) -> int | None:
    """The story `article` (with an embedding) should join, or None to start its own.

    Reads only; `Store.link` writes the choice together with the similar list."""
    assert article.id is not None and article.embedding is not None
    vec = np.asarray(article.embedding, dtype=np.float32)
    hits = [i for i, s in store.nearest(vec, NEIGHBOURS, exclude=article.id) if s >= threshold]
    briefs = store.story_briefs(hits)
    candidates = {
        story for story, published in briefs.values()
        if story is not None and story != article.story_id
        and _close_in_time(article.published, published)
    }
    best_story, best_score = None, threshold - AVERAGE_MARGIN
    for story_id in sorted(candidates):
        members = [v for i, v in store.story_vectors(story_id, MAX_MEMBERS) if i != article.id]
        if not members:
            continue
        score = float(np.mean(np.vstack(members) @ vec))
        if score >= best_score:
            best_story, best_score = story_id, score
    return best_story if best_story is not None else article.story_id
