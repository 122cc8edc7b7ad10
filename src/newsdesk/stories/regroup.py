"""Re-clustering a window of recent articles into stories, undoing early mistakes.

    similarity   per pair in one language, the word 1-2-gram TF-IDF cosine over the window
                 (what tells two earthquakes apart: names, places, numbers); per pair in two
                 languages, where words are not shared, the multilingual embedding cosine
                 above CROSS_FLOOR, scaled to the same range; pairs published further apart
                 than WINDOW never join
    sharpening   a pair keeps its similarity only when each article is among the other's
                 NEIGHBOURS most similar; otherwise it is halved (a hub article similar to
                 everything stops chaining two events together)
    linkage      average-linkage agglomerative clustering, cut at THRESHOLD

`regroup` only computes groups; `assign_ids` maps them onto the stories the articles had, so ids
stay stable: a story keeps its id in the group that holds most of its articles, a merge keeps the
oldest id of those that meet, a group with no claim becomes a new story.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

from ..textfold import fold_text

WINDOW = timedelta(days=7)
NEIGHBOURS = 10
UNSHARED = 0.25  # what a pair keeps of its similarity when not mutual neighbours
BLOCK = 256  # rows of the similarity matrix built at a time (bounds temporaries)
THRESHOLD = 0.03  # average sharpened similarity needed to stay together (ECB+ dev)
CROSS_FLOOR = 0.5  # an embedding cosine below this links no two languages
CROSS_SCALE = 1.0  # (cosine - floor) * scale: on the TF-IDF cosine's scale (demo corpus)
LEXICAL_CHARS = 3_000  # each article is compared on its headline and first 3,000 characters

_STOP = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had",
    "has", "have", "he", "her", "his", "i", "in", "is", "it", "its", "of", "on", "or", "our",
    "she", "that", "the", "their", "them", "they", "this", "to", "was", "were", "which", "who",
    "will", "with", "would", "said", "says", "after", "about", "over", "into", "than", "then",
    "there", "also", "more", "not", "no", "up", "out", "one", "two", "new", "el", "la", "los",
    "las", "un", "una", "unos", "unas", "y", "o", "de", "del", "al", "en", "por", "para",
    "con", "sin", "sobre", "que", "se", "su", "sus", "es", "son", "fue", "ha", "han", "como",
    "mas", "pero", "lo", "le", "les", "ya", "este", "esta", "estos", "estas", "ese", "esa",
    "dijo", "tras", "entre", "desde", "hasta",
])


@dataclass
class Item:
    """What re-clustering needs of an article."""

    id: int
    text: str  # headline and body
    embedding: np.ndarray | None
    published: datetime | None
    story_id: int | None
    lang: str | None = None


def _fold(text: str) -> str:
    return fold_text(text)


def terms(text: str) -> list[str]:
    """Words (no stop words) and word pairs of a text, lower case, accents folded."""
    words = [w for w in re.findall(r"\w{2,}", _fold(text[:LEXICAL_CHARS])) if w not in _STOP]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def tfidf(texts: Sequence[str]) -> csr_matrix:
    """L2-normalised TF-IDF rows (sublinear term frequency, smoothed idf) over `texts`."""
    counts = [Counter(terms(t)) for t in texts]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(texts)
    vocab = {t: i for i, t in enumerate(t for t, d in df.items() if d >= 1)}
    rows, cols, vals = [], [], []
    for r, c in enumerate(counts):
        weights = {vocab[t]: (1 + math.log(k)) * (math.log((1 + n) / (1 + df[t])) + 1)
                   for t, k in c.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for col, w in weights.items():
            rows.append(r)
            cols.append(col)
            vals.append(w / norm)
    return csr_matrix((vals, (rows, cols)), shape=(n, max(len(vocab), 1)), dtype=np.float64)


def similarity(items: Sequence[Item]) -> np.ndarray:
    """The pairwise similarity described in the module docstring, sharpened, diagonal 1.

    Built in place in one n x n array, BLOCK rows at a time: at the 2,000-article window each
    whole-matrix temporary costs 32 MB, and an import's peak memory is set here."""
    n = len(items)
    matrix = tfidf([i.text for i in items])
    sim = np.empty((n, n))
    langs = np.array([i.lang or "" for i in items])
    emb = None
    if all(i.embedding is not None for i in items) and len(set(langs) - {""}) > 1:
        emb = np.vstack([np.asarray(i.embedding, dtype=np.float64) for i in items])
    times = [i.published for i in items]
    stamps = (np.array([t.timestamp() if t else np.nan for t in times])
              if any(t is not None for t in times) else None)
    transposed = matrix.T.tocsc()
    for start in range(0, n, BLOCK):
        rows = slice(start, min(start + BLOCK, n))
        block = sim[rows]
        block[:] = (matrix[rows] @ transposed).toarray()
        if emb is not None:
            mine = langs[rows, None]
            cross = (mine != langs[None, :]) & (mine != "") & (langs[None, :] != "")
            semantic = emb[rows] @ emb.T
            semantic -= CROSS_FLOOR
            np.clip(semantic, 0, None, out=semantic)
            semantic *= CROSS_SCALE
            np.copyto(block, semantic, where=cross)
        if stamps is not None:
            # nan comparisons are False: undated pairs may join
            block[np.abs(stamps[rows, None] - stamps[None, :]) > WINDOW.total_seconds()] = 0.0
    np.fill_diagonal(sim, 0.0)
    k = min(NEIGHBOURS, n - 1)
    if k > 0:
        near = np.zeros((n, n), dtype=bool)
        for start in range(0, n, BLOCK):
            index = np.arange(start, min(start + BLOCK, n))
            nearest = np.argpartition(-sim[index], k - 1, axis=1)[:, :k]
            near[index[:, None], nearest] = True
        near &= near.T
        sim[~near] *= UNSHARED
    np.fill_diagonal(sim, 1.0)
    return sim


def regroup(items: Sequence[Item], threshold: float = THRESHOLD) -> list[int]:
    """A group number per item (average linkage on the sharpened similarity)."""
    n = len(items)
    if n < 2:
        return list(range(n))
    distance = similarity(items)
    np.subtract(1.0, distance, out=distance)
    np.fill_diagonal(distance, 0.0)
    np.clip(distance, 0.0, None, out=distance)
    condensed = squareform(distance, checks=False)
    del distance
    tree = linkage(condensed, method="average")
    return [int(g) for g in fcluster(tree, t=1.0 - threshold, criterion="distance")]


def assign_ids(items: Sequence[Item], groups: Sequence[int]) -> dict[int, int | None]:
    """The story id each group gets (None: a new story), keeping ids stable (module
    docstring)."""
    members: dict[int, list[Item]] = {}
    for item, group in zip(items, groups, strict=True):
        members.setdefault(group, []).append(item)
    # each old story goes to the group holding most of its articles (the larger on a tie)
    claims: dict[int, list[int]] = {}
    for story in {i.story_id for i in items if i.story_id is not None}:
        counts = Counter(g for i, g in zip(items, groups, strict=True) if i.story_id == story)
        best = max(counts, key=lambda g: (counts[g], len(members[g]), -g))
        claims.setdefault(best, []).append(story)
    return {group: min(claims[group]) if group in claims else None for group in members}
