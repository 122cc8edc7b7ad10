"""What an article links to: "More on this story" and "Similar articles".

- **More on this story**: the other articles of its story (same event, other outlets and
  languages), in time order, wire copies folded under the first. When the story has more,
  the MORE_ON_STORY most related to this article are shown (and the page links the whole
  story): on ECB+ the 5 most related members are in the same gold event 96% of the time, 8
  of them 95%, all members 87% (bench/similar.py).
- **Similar articles**: related coverage of *other* events: the stored nearest neighbours
  outside the story, scored by `relatedness` (embedding, shared words, shared names, recency:
  stories/relatedness.py) and listed only above its minimum, best first. Fewer items rather
  than unrelated filler.
- `ranked_similar`: one list for the export, the CLI and the API's `similar` field: the story's
  articles first (closest first), then the similar articles.
"""

from __future__ import annotations

import numpy as np

from ..model import Article
from ..store import Store
from .duplicates import Folded, fold
from .relatedness import MIN_RELATED, relatedness

MORE_ON_STORY = 5
SIMILAR_SHOWN = 5
CANDIDATES = 20  # stored neighbours looked at for "Similar articles"
PRESELECT = 3  # in a big story, this many times the shown members are scored in full
MAX_SCANNED = 500  # and they are chosen among its latest MAX_SCANNED


def _when(a: Article) -> tuple[bool, float, int]:
    moment = a.published or a.fetched
    return (moment is None, moment.timestamp() if moment else 0.0, a.id or 0)


def story_members(store: Store, article: Article, limit: int = MORE_ON_STORY) -> list[Article]:
    """The other articles of `article`'s story, the `limit` most related to it, oldest first.

    In a big story only the PRESELECT x limit closest by embedding (read without their text)
    are loaded and scored. Members are read brief (what the lists show, the opening the
    score reads), each with its embedding from the story's vectors."""
    if article.story_id is None:
        return []
    story = store.story(article.story_id)
    if story is None:
        return []
    ids = [i for i in story.article_ids if i != article.id]
    if not ids:
        return []
    vectors = dict(store.story_vectors(article.story_id, MAX_SCANNED))
    if len(ids) > PRESELECT * limit and article.embedding is not None:
        vec = np.asarray(article.embedding, dtype=np.float32)
        scored = [(float(np.dot(v, vec)), i) for i, v in vectors.items() if i != article.id]
        ids = [i for _, i in sorted(scored, reverse=True)[:PRESELECT * limit]]
    others = store.get_articles(ids, brief=True)
    for other in others:
        other.embedding = vectors.get(other.id or 0)
    if len(others) > limit:
        others = sorted(others, key=lambda o: -relatedness(article, o))[:limit]
    return sorted(others, key=_when)


def more_on_story(store: Store, article: Article, limit: int = MORE_ON_STORY) -> list[Folded]:
    return fold(story_members(store, article, limit))


def similar_articles(store: Store, article: Article, limit: int = SIMILAR_SHOWN,
                     exclude: set[int] | None = None,
                     candidates: list[tuple[Article, float]] | None = None,
                     ) -> list[tuple[Article, float]]:
    """Related articles about other events, best first, each at least MIN_RELATED.

    `candidates` are the stored nearest neighbours with their cosine, when already read;
    else they are read brief (the score needs only their opening, language and date, and
    the stored cosine stands for their embeddings)."""
    assert article.id is not None
    if candidates is None:
        links = store.similar_ids(article.id, CANDIDATES)
        found = {a.id: a for a in store.get_articles([i for i, _ in links], brief=True)}
        candidates = [(found[i], cosine) for i, cosine in links if i in found]
    skip = set(exclude or ()) | {article.id}
    scored = []
    for other, cosine in candidates:
        same_story = article.story_id is not None and other.story_id == article.story_id
        if other.id in skip or same_story:
            continue
        score = relatedness(article, other, cosine)
        if score >= MIN_RELATED:
            scored.append((other, score))
    scored.sort(key=lambda pair: -pair[1])
    folded = fold([o for o, _ in scored])  # one wire story published twice is listed once
    heads = {id(f.article) for f in folded}
    return [(o, s) for o, s in scored if id(o) in heads][:limit]


def ranked_similar(store: Store, article: Article, limit: int = 10) -> list[tuple[Article, float]]:
    """The story's articles, most related first, then similar articles, up to `limit`; each
    with its relatedness (computed from the stored cosine when there is one)."""
    assert article.id is not None
    candidates = store.similar(article.id, CANDIDATES)
    stored = {o.id: score for o, score in candidates}
    members = story_members(store, article, limit)
    out = sorted(((o, relatedness(article, o, stored.get(o.id))) for o in members),
                 key=lambda pair: -pair[1])
    if len(out) < limit:
        out += similar_articles(store, article, limit - len(out),
                                exclude={o.id for o, _ in out if o.id is not None},
                                candidates=candidates)
    return out[:limit]
