"""Pair similarity against human judgements: SemEval-2022 Task 8, en-en, es-es and es-en.

    .venv/bin/python bench/similarity.py [--fit]

Reads ../shared/data/similarity/semeval2022-task8/{training,testing}_set.csv (columns text1,
text2, lang1, lang2, Overall: 1 = same story ... 4 = unrelated), keeps the pairs whose two
languages are English or Spanish, embeds each distinct text once with the multilingual USE
embedder (first 1,000 characters, as `embedding_text` does; kept in memory only), and prints
per language pair and file the Pearson correlation with -Overall of:

- plain USE cosine;
- newsdesk's `relatedness` (stories/relatedness.py) with weights fitted on the *other* file
  (both directions: fit on training, score testing; fit on testing, score training);
- the same with the shipped constants (WEIGHTS, BIAS), which were fitted on training_set.csv:
  their testing_set.csv figures are the held-out ones.

Then, for MIN_RELATED and a few other cut-offs, the share of human-"unrelated" pairs
(Overall >= 3.5) and of human-"same or similar" pairs (Overall <= 2) scoring at least the cut.
With --fit, it also prints the weights fitted on training_set.csv in the form pasted into
relatedness.py. The fit: logistic regression on the soft target (4 - Overall) / 3 (Newton's
method on the cross-entropy, a tiny ridge for stability), all kept pairs of one file together.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

from newsdesk.enrich.embed import EMBED_CHARS, get_embedder
from newsdesk.stories.relatedness import (
    BIAS,
    MIN_RELATED,
    WEIGHTS,
    PairFeatures,
    pair_features,
    score_features,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "similarity" / "semeval2022-task8"
FILES = ("training_set.csv", "testing_set.csv")
PAIRS = ("en-en", "es-es", "es-en")
LANGS = {"en", "es"}
CUTS = (0.3, 0.35, 0.4, 0.45, 0.5)


def language_pair(lang1: str, lang2: str) -> str:
    return "-".join(sorted((lang1, lang2), reverse=True))  # es-en whichever order


def load(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if {row["lang1"], row["lang2"]} <= LANGS]


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


def fit(features: np.ndarray, overall: np.ndarray, ridge: float = 1e-3,
        steps: int = 50) -> tuple[list[float], float]:
    """Logistic regression of (4 - Overall) / 3 on `features`: (weights, bias)."""
    target = (4.0 - overall) / 3.0
    x = np.column_stack([features, np.ones(len(features))])
    w = np.zeros(x.shape[1])
    penalty = ridge * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - target) + penalty @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return [float(v) for v in w[:-1]], float(w[-1])


class Pairs:
    """One file's kept pairs: language pair, Overall, features."""

    def __init__(self, rows: list[dict[str, str]], vectors: dict[str, np.ndarray]) -> None:
        self.lp = np.array([language_pair(r["lang1"], r["lang2"]) for r in rows])
        self.overall = np.array([float(r["Overall"]) for r in rows])
        self.features: list[PairFeatures] = []
        for r in rows:
            a, b = r["text1"][:EMBED_CHARS], r["text2"][:EMBED_CHARS]
            cosine = float(vectors[a] @ vectors[b])
            self.features.append(pair_features(a, b, cosine, r["lang1"], r["lang2"]))
        self.matrix = np.array([f.as_tuple() for f in self.features])

    def scores(self, weights: list[float] | tuple[float, ...], bias: float) -> np.ndarray:
        return np.array([score_features(f, weights, bias) for f in self.features])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="print weights fitted on training")
    args = parser.parse_args(argv)
    if not all((DATA / name).is_file() for name in FILES):
        print(f"skipped: {DATA} not found")
        return 0
    rows = {name: load(DATA / name) for name in FILES}
    texts = sorted({r[k][:EMBED_CHARS] for rs in rows.values() for r in rs
                    for k in ("text1", "text2")})
    started = time.perf_counter()
    matrix = get_embedder("use").embed(texts)
    print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.1f} s")
    vectors = dict(zip(texts, matrix, strict=True))
    data = {name: Pairs(rows[name], vectors) for name in FILES}
    fitted = {name: fit(data[name].matrix, data[name].overall) for name in FILES}

    print("\nPearson with -Overall (higher is better)")
    print(f"{'file':18} {'pair':6} {'n':>4} {'cosine':>7} {'fit other':>10} {'shipped':>8}")
    for name in FILES:
        other = FILES[1 - FILES.index(name)]
        d = data[name]
        held = d.scores(*fitted[other])
        shipped = d.scores(WEIGHTS, BIAS)
        for lp in PAIRS:
            m = d.lp == lp
            y = -d.overall[m]
            print(f"{name:18} {lp:6} {int(m.sum()):4d} {pearson(d.matrix[m, 0], y):7.3f} "
                  f"{pearson(held[m], y):10.3f} {pearson(shipped[m], y):8.3f}")
    print("'fit other': weights fitted on the other file; 'shipped': relatedness.py's "
          "constants (fitted on training_set.csv)")

    print(f"\nShare passing a cut (shipped weights; MIN_RELATED = {MIN_RELATED})")
    print(f"{'file':18} {'cut':>5} {'unrelated >=3.5':>16} {'between':>13} {'similar <=2':>13}")
    for name in FILES:
        d = data[name]
        s = d.scores(WEIGHTS, BIAS)
        unrelated, similar = d.overall >= 3.5, d.overall <= 2.0
        between = ~unrelated & ~similar
        for cut in sorted({*CUTS, MIN_RELATED}):
            mark = " <" if cut == MIN_RELATED else ""
            print(f"{name:18} {cut:5.2f} {np.mean(s[unrelated] >= cut):9.3f} "
                  f"({int(unrelated.sum())}) {np.mean(s[between] >= cut):6.3f} "
                  f"({int(between.sum())}) {np.mean(s[similar] >= cut):6.3f} "
                  f"({int(similar.sum())}){mark}")

    print("\nAblation: Pearson of the logistic model fitted on the other file, by features")
    names = ("cosine", "head_words", "head_names")
    print(f"{'features':34} " + " ".join(f"{f[:4] + ':' + lp:>11}" for f in FILES for lp in PAIRS))
    for columns in ((0,), (0, 1), (0, 2), (0, 1, 2)):
        cells = []
        for name in FILES:
            other = FILES[1 - FILES.index(name)]
            w, b = fit(data[other].matrix[:, columns], data[other].overall)
            score = 1.0 / (1.0 + np.exp(-(data[name].matrix[:, columns] @ np.array(w) + b)))
            for lp in PAIRS:
                m = data[name].lp == lp
                cells.append(pearson(score[m], -data[name].overall[m]))
        label = " + ".join(names[c] for c in columns)
        print(f"{label:34} " + " ".join(f"{c:11.3f}" for c in cells))

    if args.fit:
        print("\nFitted (order: cosine, head_words, head_names):")
        for name in FILES:
            weights, bias = fitted[name]
            print(f"  {name}: WEIGHTS = ({', '.join(f'{w:.2f}' for w in weights)})  "
                  f"BIAS = {bias:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
