"""The stories most recently active, found by walking the latest articles: both engines.

Grouping every article by story to find each story's last activity reads every row (all
100,000 for each front page). Instead the latest articles are read from the "latest first"
index (articles_latest) in batches: a story's first appearance in that walk is its last
activity, so the walk stops once `limit` stories are found and the next article is older than
the last of them (an article of the same moment may still bring a story that sorts first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (offset, count) -> [(story id or None, moment)], latest first
Batch = Callable[[int, int], list[tuple[int | None, Any]]]
# story ids -> their number of articles
Sizes = Callable[[list[int]], dict[int, int]]


def latest_stories(batch: Batch, sizes: Sizes, min_articles: int, limit: int) -> list[int]:
    """Ids of the `limit` stories with at least `min_articles` articles, most recently active
    first; ties (the same last moment) the higher story id first."""
    found: list[tuple[Any, int]] = []  # (last activity, story id), in walk order
    seen: set[int] = set()
    offset, size = 0, max(200, 4 * limit)
    while limit > 0:
        rows = batch(offset, size)
        fresh: dict[int, Any] = {}
        for sid, moment in rows:
            if sid is not None and sid not in seen and sid not in fresh:
                fresh[int(sid)] = moment
        seen.update(fresh)
        if fresh and min_articles > 1:
            counts = sizes(list(fresh))
            fresh = {i: d for i, d in fresh.items() if counts.get(i, 0) >= min_articles}
        found.extend((d, i) for i, d in fresh.items())
        if len(rows) < size:
            break
        if len(found) >= limit and rows[-1][1] < sorted(found, reverse=True)[limit - 1][0]:
            break
        offset += size
    found.sort(reverse=True)
    return [sid for _, sid in found[:limit]]
