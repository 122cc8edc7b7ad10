"""An in-memory matrix of article embeddings for cosine search, kept by an engine.

The SQLite engine brings it up to date from the database's `vector_log` before every search,
so additions and deletions made by other processes are seen; it is a cache of the database,
never a source of truth, and nothing outside store/ holds one.

Up to GRAPH_FROM vectors the search is exact: one matrix product, ~2 ms per 10,000 articles.
Past it (~20 ms a search at 100,000, and linking an article searches twice) candidates come
from an HNSW graph (usearch, half-precision) built over the matrix on first need and then kept
up to date: 2k + 1 of them, re-scored exactly from the matrix and ordered as the exact search
orders. At 100,000 news-like vectors that takes ~1 ms and finds 0.98 of the exact top 10;
building the graph costs ~10 s on 2 cores (more on a busy machine), once per process
(bench/scale.py). So that no request waits for it, the graph is built in a background thread
from a copy of the matrix while searches stay exact; changes made meanwhile are applied when
it is handed over. Without usearch installed the search stays exact.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

try:
    from usearch.index import Index
except ImportError:  # an optional speed-up: exact search works without it
    Index = None  # type: ignore[assignment,misc]

GRAPH_FROM = 20_000
EXPANSION = 128  # HNSW search breadth: candidates asked for never exceed it


class VectorCache:
    """Rows of unit vectors by article id; add, replace, remove, search."""

    def __init__(self, graph_from: int = GRAPH_FROM, threads: int = 0,
                 background: bool = True) -> None:
        self.seq = 0  # the last vector_log entry applied
        self._rows: dict[int, int] = {}  # article id -> row
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._graph_from = graph_from
        self._threads = threads  # building the graph: 0 is every core, 1 is reproducible
        self._graph: Any = None  # usearch Index of the same vectors, keyed by article id
        self._stale: set[int] = set()  # ids whose vector the graph does not have yet
        self._gone: set[int] = set()  # ids removed while the graph was being built
        self._background = background
        self._builder: threading.Thread | None = None
        self._built: Any = None

    def __len__(self) -> int:
        return len(self._rows)

    def put(self, article_id: int, vector: np.ndarray) -> None:
        vec = np.asarray(vector, dtype=np.float32).ravel()
        if self._matrix.shape[1] != vec.shape[0]:
            if self._rows:
                return  # a vector of another dimension (the embedder changed): not comparable
            self._matrix = np.zeros((64, vec.shape[0]), dtype=np.float32)
            self._ids = np.zeros(64, dtype=np.int64)
        row = self._rows.get(article_id)
        if row is None:
            row = len(self._rows)
            if row == len(self._ids):
                self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
                self._ids = np.concatenate([self._ids, np.zeros_like(self._ids)])
            self._rows[article_id] = row
            self._ids[row] = article_id
        self._matrix[row] = vec
        if self._graph is not None or self._builder is not None:
            self._stale.add(article_id)

    def remove(self, article_id: int) -> None:
        row = self._rows.pop(article_id, None)
        if row is None:
            return
        last = len(self._rows)
        if row != last:  # move the last row into the hole
            moved = int(self._ids[last])
            self._matrix[row] = self._matrix[last]
            self._ids[row] = moved
            self._rows[moved] = row
        self._stale.discard(article_id)
        if self._builder is not None:
            self._gone.add(article_id)
        if self._graph is not None and article_id in self._graph:
            self._graph.remove(article_id)

    def _new_graph(self, ids: np.ndarray, matrix: np.ndarray) -> Any:
        graph = Index(ndim=matrix.shape[1], metric="cos", dtype="f16", connectivity=16,
                      expansion_add=64, expansion_search=EXPANSION)
        graph.add(ids, matrix, threads=self._threads)
        return graph

    def _update_graph(self) -> bool:
        """Start building the graph once there are enough vectors, take it over once built,
        then add the changes since; False while the search should stay exact."""
        if Index is None or len(self._rows) < self._graph_from:
            return False
        if self._graph is None:
            if self._builder is None:
                n = len(self._rows)
                ids, matrix = self._ids[:n].copy(), self._matrix[:n].copy()
                self._stale.clear()
                self._gone.clear()
                if not self._background:
                    self._graph = self._new_graph(ids, matrix)
                    return True

                def build() -> None:
                    self._built = self._new_graph(ids, matrix)

                self._builder = threading.Thread(target=build, name="vector-graph",
                                                 daemon=True)
                self._builder.start()
                return False
            if self._builder.is_alive():
                return False
            self._builder, self._graph, self._built = None, self._built, None
            if self._graph is None:
                return False  # the build failed: stay exact
            for article_id in self._gone:
                if article_id in self._graph:
                    self._graph.remove(article_id)
            self._gone.clear()
        if self._stale:
            ids = np.array(sorted(self._stale), dtype=np.int64)
            for article_id in ids:  # a replaced vector: the graph holds the old one
                if article_id in self._graph:
                    self._graph.remove(int(article_id))
            rows = [self._rows[int(i)] for i in ids]
            self._graph.add(ids, self._matrix[rows], threads=self._threads)
            self._stale.clear()
        return True

    def wait_for_graph(self, timeout: float | None = None) -> bool:
        """Block until a graph being built is ready (tests, benchmarks); True if one is."""
        if self._builder is not None:
            self._builder.join(timeout)
        return self._update_graph()

    def search(self, vector: np.ndarray, k: int,
               exclude: int | None = None) -> list[tuple[int, float]]:
        """(id, cosine similarity) pairs, best first; ties by lower id."""
        n = len(self._rows)
        if n == 0 or k <= 0:
            return []
        vec = np.asarray(vector, dtype=np.float32).ravel()
        if vec.shape[0] != self._matrix.shape[1]:
            return []
        want = 2 * k + 1
        if want <= EXPANSION and self._update_graph():
            found = np.asarray(self._graph.search(vec, want).keys, dtype=np.int64)
            ids = np.array([i for i in found.tolist() if i != exclude and i in self._rows],
                           dtype=np.int64)
            scores = self._matrix[[self._rows[i] for i in ids.tolist()]] @ vec
        else:
            scores = self._matrix[:n] @ vec
            ids = self._ids[:n]
            if exclude is not None:
                keep = ids != exclude
                scores, ids = scores[keep], ids[keep]
        take = min(k, len(ids))
        if take == 0:
            return []
        top = np.argpartition(-scores, take - 1)[:take]
        order = sorted(top.tolist(), key=lambda i: (-float(scores[i]), int(ids[i])))
        return [(int(ids[i]), float(scores[i])) for i in order]
