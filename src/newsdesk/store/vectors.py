"""An in-memory matrix of article embeddings for exact cosine search, kept by an engine.

The SQLite engine brings it up to date from the database's `vector_log` before every search,
so additions and deletions made by other processes are seen; it is a cache of the database,
never a source of truth, and nothing outside store/ holds one. Exact search over 512 floats
costs ~1 ms per 10,000 articles, so no approximate index is needed at this scale.
"""

from __future__ import annotations

import numpy as np


class VectorCache:
    """Rows of unit vectors by article id; add, replace, remove, search."""

    def __init__(self) -> None:
        self.seq = 0  # the last vector_log entry applied
        self._rows: dict[int, int] = {}  # article id -> row
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)

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

    def search(self, vector: np.ndarray, k: int,
               exclude: int | None = None) -> list[tuple[int, float]]:
        """(id, cosine similarity) pairs, best first; ties by lower id."""
        n = len(self._rows)
        if n == 0 or k <= 0:
            return []
        vec = np.asarray(vector, dtype=np.float32).ravel()
        if vec.shape[0] != self._matrix.shape[1]:
            return []
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
