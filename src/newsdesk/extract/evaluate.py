"""Scoring an extractor on a labelled page set, the way trafilatura's evaluation does.

The set is a directory with ``evaldata.json`` (URL -> ``{"file", "with", "without"}``) and
``pages/``. For each page the extractor's text is compared, whitespace-normalised, with the
snippets: a "with" snippet found is a true positive, missing a false negative; a "without"
snippet found is a false positive, absent a true negative. An extractor that returns None or
raises scores as empty text. Used by tests/test_extract_quality.py and bench/extract.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EvalPage", "Score", "load_evalset", "score_text", "evaluate"]


@dataclass
class EvalPage:
    url: str
    path: Path
    with_: list[str]
    without: list[str]


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    pages: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _norm(text: str) -> str:
    return " ".join(text.split())


def load_evalset(root: Path) -> list[EvalPage]:
    """Pages of the set whose file exists, in the order of evaldata.json."""
    data = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, item in data.items():
        path = root / "pages" / item["file"]
        if path.exists():
            pages.append(EvalPage(url, path, list(item.get("with", [])),
                                  list(item.get("without", []))))
    return pages


def score_text(text: str | None, page: EvalPage, score: Score) -> None:
    """Add one page's counts to `score`."""
    found = _norm(text or "")
    for snippet in page.with_:
        if _norm(snippet) in found:
            score.tp += 1
        else:
            score.fn += 1
    for snippet in page.without:
        if _norm(snippet) in found:
            score.fp += 1
        else:
            score.tn += 1


def evaluate(extractor: Callable[[bytes, str], str | None], pages: Iterable[EvalPage]) -> Score:
    """Run `extractor(page bytes, url)` over `pages` and score it (timing the extractor only)."""
    score = Score()
    for page in pages:
        data = page.path.read_bytes()
        start = time.perf_counter()
        try:
            text = extractor(data, page.url)
        except Exception:  # noqa: BLE001 - a refusal or a crash scores as empty text
            text = None
            score.failed += 1
        score.seconds += time.perf_counter() - start
        score.pages += 1
        score_text(text, page, score)
    return score
