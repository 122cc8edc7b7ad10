"""Which of the articles a page lists the signed-in reader has read.

Every list (front page, sections, stories, search, an article's similar articles) dims the
titles the reader has read and says "read" to screen readers. The page's articles are found
in its template context and their states read in one query before rendering; an article
the walk missed is looked up on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model import Article
from ..store import Store

_DEPTH = 5  # how deep a context nests articles: lists of dicts of lists of (article, score)


def articles_in(value: Any, depth: int = _DEPTH) -> set[int]:
    """The ids of the articles anywhere in `value` (lists, tuples, dicts, objects' dicts)."""
    found: set[int] = set()
    _walk(value, depth, found)
    return found


def _walk(value: Any, depth: int, found: set[int]) -> None:
    if isinstance(value, Article):
        if value.id is not None:
            found.add(value.id)
        return
    if depth <= 0 or isinstance(value, (str, bytes, int, float)):
        return
    items: Iterable[Any]
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple, set)):
        items = value
    elif hasattr(value, "__dataclass_fields__"):
        items = vars(value).values()
    else:
        return
    for item in items:
        _walk(item, depth - 1, found)


class ReadMarks:
    """`marks(article_id)`: True when the reader has read it."""

    def __init__(self, store: Store, user_id: int, ids: set[int]) -> None:
        self._store, self._user = store, user_id
        self._read = {i: s.read for i, s in store.article_states(user_id, sorted(ids)).items()}

    def __call__(self, article_id: int | None) -> bool:
        if article_id is None:
            return False
        if article_id not in self._read:
            state = self._store.article_states(self._user, [article_id]).get(article_id)
            self._read[article_id] = bool(state and state.read)
        return self._read[article_id]
