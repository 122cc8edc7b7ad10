"""Nearest-neighbour search over article embeddings (cosine), backed by usearch.

The index is rebuilt from the store's embeddings when a process first needs it and then kept
up to date as articles are added; it is a cache, the store is the truth.
"""

from __future__ import annotations

import numpy as np
from usearch.index import Index


class VectorIndex:
    """Cosine k-NN over integer ids."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index = Index(ndim=dim, metric="cos", dtype="f32")

    def __len__(self) -> int:
        return len(self._index)

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        keys = np.asarray(ids, dtype=np.uint64)
        present = [k for k in ids if k in self._index]
        if present:
            self._index.remove(np.asarray(present, dtype=np.uint64))
        self._index.add(keys, np.asarray(vectors, dtype=np.float32))

    def remove(self, article_id: int) -> None:
        if article_id in self._index:
            self._index.remove(article_id)

    def search(self, vector: np.ndarray, k: int,
               exclude: int | None = None) -> list[tuple[int, float]]:
        """(id, cosine similarity) pairs, best first."""
        if len(self._index) == 0 or k <= 0:
            return []
        want = min(k + 1, len(self._index))
        exact = len(self._index) <= 50_000
        matches = self._index.search(np.asarray(vector, dtype=np.float32), want, exact=exact)
        out = []
        for key, dist in zip(matches.keys, matches.distances, strict=False):
            if exclude is not None and int(key) == exclude:
                continue
            out.append((int(key), float(1.0 - dist)))
        return out[:k]

    @classmethod
    def from_store_embeddings(cls, ids: list[int], matrix: np.ndarray, dim: int) -> VectorIndex:
        index = cls(dim)
        if ids:
            index.add(ids, matrix)
        return index
