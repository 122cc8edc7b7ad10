"""What a story page shows about a story, built from its articles.

- **Headline and summary**: the most central article's (the one closest on average to the
  others in the embedding space), so the story is told by its most typical report.
- **Timeline**: every article oldest first, copies of one wire story folded under the first
  (stories/duplicates.py).
- **Key facts across articles**: the articles' key facts, the same fact reported by several
  outlets (in any language) grouped into one item that names them all; facts reported by the
  most outlets first.
- **Figures**: what each article counts (enrich/figures.py), grouped by what is counted
  ("people", "personas" and "travellers" alike) with one row per article, time and outlet;
  a group whose values differ is marked as a disagreement.
- **Entities** and **coverage** by outlet and by language, every outlet counted (copies too).

Grouping facts and figures across languages uses the multilingual encoder the articles were
embedded with; without one (or with the monolingual `hash` embedder) it falls back to shared
words, numbers and names. Digests are cached per story and version of its articles.

`story_digest(store, story, embedder)` is what pages and the API call: it keeps each story's
digest (and its articles) by the story's id and `store.story_version` (its members, their
texts and enrichment), so a story is digested again only when it changed, not when any other
article is stored; a kept digest costs one small read (CACHE_SIZE stories per process).
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from ..enrich.embed import Embedder
from ..enrich.figures import Figure, find_figures, same_value
from ..enrich.sentences import split_sentences
from ..model import Article, Story
from ..store import Store
from ..textfold import fold_text
from .duplicates import Folded, fold

MAX_FACT_ARTICLES = 12  # key facts are gathered from this many articles, most central first
MAX_FACTS = 8
MAX_FIGURE_GROUPS = 8
FACT_SAME = 0.72  # cosine above which two key facts say the same thing (multilingual USE)
FIGURE_SAME = 0.6  # cosine above which two "what it counts" phrases count the same thing
MAGNITUDE_BONUS = 0.15  # added to two figures' similarity when within a factor of 2
MAGNITUDE_PENALTY = 0.3  # taken per decade apart otherwise
CACHE_SIZE = 256


@dataclass
class FactItem:
    text: str  # as the first (most central) article reporting it puts it
    lang: str | None
    outlets: list[str]
    article_ids: list[int]


@dataclass
class FigureRow:
    figure: Figure
    article_id: int
    outlet: str
    lang: str | None
    published: datetime | None


@dataclass
class FigureGroup:
    counts: str  # what is counted, as the first row says it
    rows: list[FigureRow]

    @property
    def disagree(self) -> bool:
        """True when outlets report different values for it."""
        values = [r.figure.value for r in self.rows]
        return any(not same_value(values[0], v) for v in values[1:])


@dataclass
class Digest:
    headline: str
    summary: str
    lang: str | None
    lead_id: int | None
    timeline: list[Folded]
    facts: list[FactItem] = field(default_factory=list)
    figures: list[FigureGroup] = field(default_factory=list)
    entities: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    outlets: list[tuple[str, int]] = field(default_factory=list)
    langs: list[tuple[str, int]] = field(default_factory=list)
    copies: int = 0  # articles folded under an earlier copy


def central_order(articles: list[Article]) -> list[Article]:
    """Articles by average cosine to the others, highest first (the medoid leads)."""
    with_vec = [a for a in articles if a.embedding is not None]
    if len(with_vec) < 2:
        return list(with_vec) + [a for a in articles if a.embedding is None]
    matrix = np.vstack([np.asarray(a.embedding, dtype=np.float32) for a in with_vec])
    mean = (matrix @ matrix.T).mean(axis=1)
    order = [with_vec[i] for i in np.argsort(-mean, kind="stable")]
    return order + [a for a in articles if a.embedding is None]


def _fold_text(text: str) -> str:
    return fold_text(text)


_TOKEN = re.compile(r"\w{3,}|\d+", re.UNICODE)


def _tokens(text: str) -> set[str]:
    return {t.rstrip("s") for t in _TOKEN.findall(_fold_text(text))}


class _Similarity:
    """Cosine between short texts with the multilingual encoder, else token overlap."""

    def __init__(self, embedder: Embedder | None) -> None:
        self.embedder = embedder if embedder is not None and embedder.name != "hash" else None

    def matrix(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if self.embedder is not None:
            vectors = _embed_cached(self.embedder, texts)
            return np.asarray(vectors @ vectors.T)
        sets = [_tokens(t) for t in texts]
        out = np.zeros((len(texts), len(texts)), dtype=np.float32)
        for i, a in enumerate(sets):
            for j, b in enumerate(sets):
                out[i, j] = len(a & b) / len(a | b) if a and b else float(i == j)
        return out


_PHRASES: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def _embed_cached(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Vectors for short texts; the same phrases recur on every view of a story."""
    missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in _PHRASES]
    if missing:
        for text, vec in zip(missing, embedder.embed(missing), strict=True):
            _PHRASES[(embedder.name, text)] = vec
        while len(_PHRASES) > 20_000:
            _PHRASES.popitem(last=False)
    return np.vstack([_PHRASES[(embedder.name, t)] for t in texts])


def _groups(sim: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage groups of items whose mean similarity is at least `threshold`, each
    group in input order, groups ordered by their first item."""
    n = sim.shape[0]
    if n < 2:
        return [[i] for i in range(n)]
    dist = np.clip(1.0 - (sim + sim.T) / 2.0, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    labels = fcluster(linkage(squareform(dist, checks=False), method="average"),
                      t=1.0 - threshold, criterion="distance")
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(int(label), []).append(i)
    return sorted(by_label.values(), key=lambda members: members[0])


def _facts(central: list[Article], sim: _Similarity) -> list[FactItem]:
    owners: list[Article] = []
    texts: list[str] = []
    for article in central[:MAX_FACT_ARTICLES]:
        for fact in article.key_facts:
            owners.append(article)
            texts.append(fact)
    out: list[FactItem] = []
    for members in _groups(sim.matrix(texts), FACT_SAME):
        first = owners[members[0]]
        outlets = list(dict.fromkeys(owners[i].source or "unknown outlet" for i in members))
        ids = list(dict.fromkeys(i for i in (owners[m].id for m in members) if i is not None))
        out.append(FactItem(texts[members[0]], first.lang, outlets, ids))
    # most outlets first; then one fact per article in turn, most central article first, so
    # one long report does not fill the box
    turn: Counter[int] = Counter()
    rank = {}
    for n, item in enumerate(out):
        owner = item.article_ids[0] if item.article_ids else -1
        rank[id(item)] = (-len(item.outlets), turn[owner], n)
        turn[owner] += 1
    out.sort(key=lambda f: rank[id(f)])
    return out[:MAX_FACTS]


def _figures(articles: list[Article], sim: _Similarity) -> list[FigureGroup]:
    rows: list[FigureRow] = []
    for article in articles:
        if article.id is None:
            continue
        for figure in find_figures(article.text, article.lang):
            if not figure.counts:
                continue
            rows.append(FigureRow(figure, article.id, article.source or "unknown outlet",
                                  article.lang, article.published or article.fetched))
    phrases = [f"{r.figure.unit} {r.figure.counts}".strip() for r in rows]
    # what is counted decides, and the size agrees: reports of one count differ by a little
    # ("1,200 travellers", "1,800 people"), not by a factor of forty ("40 people")
    values = np.log10(np.maximum([abs(r.figure.value) for r in rows], 1e-9))
    apart = np.abs(values[:, None] - values[None, :]) if rows else np.zeros((0, 0))
    close = np.where(apart <= np.log10(2.0), MAGNITUDE_BONUS,
                     -MAGNITUDE_PENALTY * np.minimum(apart, 2.0))
    groups: list[FigureGroup] = []
    for members in _groups(sim.matrix(phrases) + close, FIGURE_SAME):
        chosen: list[FigureRow] = []
        seen: set[int] = set()
        unit = rows[members[0]].figure.unit
        for i in members:  # the first figure of each article for this thing
            if rows[i].article_id not in seen and rows[i].figure.unit == unit:
                seen.add(rows[i].article_id)
                chosen.append(rows[i])
        chosen.sort(key=lambda r: (r.published is None, r.published or datetime.min, r.article_id))
        said = Counter(r.figure.counts for r in chosen)  # the words most outlets use
        label = min(said, key=lambda c: (-said[c], len(c), c))
        groups.append(FigureGroup(label, chosen))
    many = len({a.source for a in articles}) >= 2 or len(articles) >= 2
    if many:  # a figures table compares reports: keep what two or more articles give
        groups = [g for g in groups if len(g.rows) >= 2]
    groups.sort(key=lambda g: (-len(g.rows), not g.disagree))
    return groups[:MAX_FIGURE_GROUPS]


def _entities(articles: list[Article]) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for kind in ("person", "org", "place"):
        counts: Counter[str] = Counter()
        for article in articles:
            counts.update({e.text for e in article.entities if e.type == kind})
        out[kind] = [(name, n) for name, n in counts.most_common(12)]
    return out


def _summary(article: Article) -> str:
    """The article's standfirst, else its description, else its first two sentences."""
    if article.summary or article.description:
        return article.summary or article.description or ""
    return " ".join(split_sentences(article.text, article.lang)[:2])


_CACHE: OrderedDict[tuple[object, ...], Digest] = OrderedDict()


def digest(articles: list[Article], embedder: Embedder | None = None,
           key: object | None = None) -> Digest:
    """The story page's content for `articles` (oldest first). `key` (e.g. the story id)
    enables the cache, which is keyed by it and by the articles' ids and content hashes."""
    version = (key, embedder.name if embedder else None,
               tuple((a.id, a.content_hash, a.summary[:40]) for a in articles))
    if key is not None and version in _CACHE:
        _CACHE.move_to_end(version)
        return _CACHE[version]
    central = central_order(articles)
    lead = central[0] if central else None
    sim = _Similarity(embedder)
    timeline = fold(articles)
    made = Digest(
        headline=lead.title if lead else "",
        summary=_summary(lead) if lead else "",
        lang=lead.lang if lead else None,
        lead_id=lead.id if lead else None,
        timeline=timeline,
        facts=_facts(central, sim),
        figures=_figures(articles, sim),
        entities=_entities(articles),
        outlets=Counter(a.source or "unknown outlet" for a in articles).most_common(),
        langs=Counter(a.lang or "und" for a in articles).most_common(),
        copies=sum(len(f.copies) for f in timeline),
    )
    if key is not None:
        _CACHE[version] = made
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return made


@dataclass
class StoryDigest:
    """A story's digest and its articles, oldest first."""

    digest: Digest
    articles: list[Article]

    @property
    def outlets(self) -> int:
        return len({a.source for a in self.articles if a.source})


_STORIES: OrderedDict[tuple[int, str, str | None], StoryDigest] = OrderedDict()
_STORIES_LOCK = threading.Lock()


def story_digest(store: Store, story: Story, embedder: Embedder | None = None) -> StoryDigest:
    """`story`'s digest, kept until the story changes (see the module docstring)."""
    key = (story.id, store.story_version(story.id), embedder.name if embedder else None)
    with _STORIES_LOCK:
        kept = _STORIES.get(key)
        if kept is not None:
            _STORIES.move_to_end(key)
            return kept
    # the members read after the version: a change in between makes the next view digest
    # again, never keeps an old digest under a new version
    now = store.story(story.id)
    articles = store.get_articles(now.article_ids if now is not None else story.article_ids)
    made = StoryDigest(digest(articles, embedder), articles)
    with _STORIES_LOCK:
        _STORIES[key] = made
        while len(_STORIES) > CACHE_SIZE:
            _STORIES.popitem(last=False)
    return made
