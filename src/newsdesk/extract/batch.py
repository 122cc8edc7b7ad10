"""Extract and prepare many local HTML files, in worker processes when there are enough.

Extraction and the store-free enrichment (enrich/prepare.py: language, embedding, section,
summary, entities, key facts) are most of the CPU an article costs and need no database, so
`import` hands HTML files to a process pool while the main process handles the other inputs,
then stores, links and clusters what the workers return. Results come back in input order;
each says what happened to one file, with the seconds spent per stage:

    ("article", Article, seconds)   extracted and prepared
    ("refused", (name, reason), seconds)
    ("other", None, {})             not an HTML page after all: the caller reads it itself

Workers start with "forkserver" (a clean process, so no BLAS threads are inherited by fork).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..enrich.embed import get_embedder
from ..enrich.prepare import prepare_articles
from ..errors import ExtractionError, InputError
from ..ingest import files
from ..ingest.normalise import normalise
from ..model import Article
from .html import extract_html

MIN_FOR_POOL = 16  # below this, starting worker processes costs more than it saves
CHUNK = 8  # files a worker extracts before embedding them in one batch

Result = tuple[str, Any, dict[str, float]]


def extract_file(path: Path, max_bytes: int) -> Result:
    """Read and extract one file; never raises for bad input."""

    start = time.perf_counter()
    try:
        data = files.read_bytes(path, max_bytes)
        if files.sniff(path, data) != "html":
            return ("other", None, {})
        article = extract_html(data)
    except ExtractionError as exc:
        return ("refused", (str(path), str(exc)), {"extract": time.perf_counter() - start})
    except InputError as exc:
        return ("refused", (exc.name, exc.reason), {"extract": time.perf_counter() - start})
    return ("article", article, {"extract": time.perf_counter() - start})


def extract_and_prepare(paths: list[Path], max_bytes: int, embedder: str) -> list[Result]:
    """Extract a few files, then prepare their articles together (one embedding batch)."""

    results = [extract_file(p, max_bytes) for p in paths]
    ready: list[tuple[int, Article]] = []
    for i, (kind, value, _seconds) in enumerate(results):
        if kind != "article":
            continue
        try:
            normalise(value)
        except InputError as exc:
            results[i] = ("refused", (str(paths[i]), exc.reason), results[i][2])
            continue
        ready.append((i, value))
    spent = prepare_articles([a for _, a in ready], get_embedder(embedder))
    for i, _article in ready[:1]:  # the batch's seconds, booked once
        results[i][2].update(spent)
    return results


def _chunk(args: tuple[list[Path], int, str]) -> list[Result]:
    return extract_and_prepare(*args)


def worker_count(setting: int) -> int:
    return setting if setting > 0 else max(1, os.cpu_count() or 1)


class ExtractFiles:
    """Results for `paths`, in order, as an iterator; the work starts as soon as it is made.

    With `workers` > 1 and enough files, a process pool extracts in the background, so the
    caller can do other work before it asks for the first result. Use it as a context manager
    so the pool is shut down even when the caller stops early.
    """

    def __init__(self, paths: list[Path], max_bytes: int, workers: int,
                 embedder: str | None = None) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._results: Iterator[Result]
        if workers <= 1 or len(paths) < MIN_FOR_POOL:
            # in process: extract only; the pipeline prepares whole batches (faster embedding)
            self._results = (extract_file(p, max_bytes) for p in paths)
        else:
            methods = multiprocessing.get_all_start_methods()
            method = "forkserver" if "forkserver" in methods else "spawn"
            self._pool = ProcessPoolExecutor(max_workers=workers,
                                             mp_context=multiprocessing.get_context(method))
            jobs = [(paths[i:i + CHUNK], max_bytes, embedder or "use")
                    for i in range(0, len(paths), CHUNK)]
            self._results = (r for chunk in self._pool.map(_chunk, jobs) for r in chunk)

    def __iter__(self) -> Iterator[Result]:
        return self

    def __next__(self) -> Result:
        return next(self._results)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ExtractFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
