"""Section classifier: accuracy, macro-F1 and coverage, beside TF-IDF + linear SVM in one run.

    .venv/bin/python bench/sections.py [--data ../shared/data] [--cache /tmp/newsdesk-sections-v2]

- BBC (bbc-dev.jsonl) and AG News (agnews/test.csv): 5-fold cross-validation each, stratified,
  identical texts kept in one fold, seed 0 (BBC also with fold seeds 1 and 2: ``--bbc-seeds``).
  Per fold, ours is trained with the shipped recipe
  (``scripts/train_sections.py``: the other folds of that set, all of the other set, our own
  ``train`` articles) and answers among all nine slugs, so a BBC tech article called science
  is wrong; the per-language lexical weights, temperatures and thresholds are the shipped
  model's. TF-IDF + LinearSVC (scikit-learn defaults, sublinear tf, title + text) is trained
  on the other folds of that set only, with that set's own labels. AG has no science label:
  science counts as right for Sci/Tech. Macro-F1 is over the set's own classes.
- Our own held-out articles (tests/data/sections-es, ``split`` = test: 45 Spanish, 9 English
  for science/health/environment), with the shipped model.
- "at threshold": the share of articles that get a section (confidence >= the head's
  threshold) and the accuracy among those; the rest stay unsectioned.
- "lexical only": the head used for vectors from another encoder (e.g. ``hash``).

USE vectors are cached under --cache; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_sections as ts  # noqa: E402

from newsdesk.enrich import sections  # noqa: E402

Item = dict[str, str]


def scores(preds: list[str | None], items: list[Item]) -> tuple[float, float]:
    """Accuracy and macro-F1 over the gold classes (``None`` counts as wrong)."""
    golds = [it["gold"] for it in items]
    eff = [it["gold"] if p in ts.accepted(it) else p for p, it in zip(preds, items, strict=True)]
    acc = float(np.mean([e == g for e, g in zip(eff, golds, strict=True)]))
    f1s = []
    for c in sorted(set(golds)):
        tp = sum(e == c and g == c for e, g in zip(eff, golds, strict=True))
        fp = sum(e == c and g != c for e, g in zip(eff, golds, strict=True))
        fn = sum(e != c and g == c for e, g in zip(eff, golds, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return acc, float(np.mean(f1s))


def predict(model: sections.Model, items: list[Item], E: np.ndarray | None
            ) -> tuple[list[str], np.ndarray, float]:
    """Best slug, its confidence and the head's threshold, through the runtime code."""
    preds, conf, threshold = [], [], 0.0
    for i, it in enumerate(items):
        emb = E[i] if E is not None else None
        probs, head = sections.probabilities(model, it["title"], it["text"], emb, it["lang"])
        best = max(probs, key=lambda s: probs[s])
        preds.append(best)
        conf.append(probs[best])
        threshold = head.threshold
    return preds, np.asarray(conf), threshold


def svm_predict(train: list[Item], test: list[Item]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(sublinear_tf=True)
    X = vec.fit_transform([it["title"] + "\n" + it["text"] for it in train])
    clf = LinearSVC().fit(X, [it["gold"] for it in train])
    return [str(p) for p in clf.predict(vec.transform([it["title"] + "\n" + it["text"]
                                                       for it in test]))]


def line(name: str, preds: list[str], conf: np.ndarray | None, threshold: float,
         items: list[Item]) -> str:
    acc, f1 = scores(list(preds), items)
    out = f"  {name:<34} accuracy {acc:.3f}  macro-F1 {f1:.3f}"
    if conf is not None:
        kept = conf >= threshold
        right = np.asarray([p in ts.accepted(it) for p, it in zip(preds, items, strict=True)])
        covered = f"{right[kept].mean():.3f}" if kept.any() else "-"
        out += (f"   at threshold {threshold:.2f}: coverage {kept.mean():.3f}, "
                f"accuracy {covered}")
    return out


def cross_validate(name: str, sets: dict[str, list[Item]], cache: ts.EmbeddingCache,
                   calibration: dict[str, Any], seed: int = 0) -> tuple[float, float]:
    """Print the 5-fold figures of ours and the SVM; return both accuracies."""
    from sklearn.model_selection import StratifiedGroupKFold

    items = sets[name]
    others = [it for other, rows in sets.items() if other not in (name, "own") for it in rows]
    others += [it for it in sets.get("own", []) if it["split"] == "train"]
    E, E_others = cache.embed_items(items), cache.embed_items(others)
    y = [ts.weak_label(it) for it in items]
    folds = StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(
        E, y, [ts.group_key(it) for it in items])
    n = len(items)
    ours, lex, svm = [""] * n, [""] * n, [""] * n
    conf, conf_lex = np.zeros(n), np.zeros(n)
    thresholds = (0.0, 0.0)
    started = time.time()
    for train, test in folds:
        train_items = [items[i] for i in train] + others
        doc = ts.fit_model(train_items, np.vstack([E[train], E_others]), ts.PARAMS, calibration)
        model = sections.model_from_dict(doc)
        test_items = [items[i] for i in test]
        p, c, t1 = predict(model, test_items, E[test])
        q, d, t2 = predict(model, test_items, None)
        s = svm_predict([items[i] for i in train], test_items)
        for k, i in enumerate(test):
            ours[i], conf[i], lex[i], conf_lex[i], svm[i] = p[k], c[k], q[k], d[k], s[k]
        thresholds = (t1, t2)
    print(f"{name}: {n} items, 5-fold, fold seed {seed} ({time.time() - started:.0f}s)")
    print(line("ours (lexical + USE)", ours, conf, thresholds[0], items))
    print(line("ours, lexical only (other encoder)", lex, conf_lex, thresholds[1], items))
    print(line("TF-IDF + LinearSVC", svm, None, 0.0, items))
    misses = Counter((it["gold"], p) for p, it in zip(ours, items, strict=True)
                     if p not in ts.accepted(it))
    print(f"  ours, most common misses (gold, predicted): {misses.most_common(5)}")
    return scores(ours, items)[0], scores(svm, items)[0]


def held_out_own(sets: dict[str, list[Item]], cache: ts.EmbeddingCache) -> None:
    model = sections.load_model()
    test = [it for it in sets["own"] if it["split"] == "test"]
    for lang in ("es", "en"):
        items = [it for it in test if it["lang"] == lang]
        E = cache.embed_items(items)
        p, c, t1 = predict(model, items, E)
        q, d, t2 = predict(model, items, None)
        print(f"own held-out {lang}: {len(items)} articles, shipped model")
        print(line("ours (lexical + USE)", p, c, t1, items))
        print(line("ours, lexical only (other encoder)", q, d, t2, items))
        misses = [(it["gold"], pr) for pr, it in zip(p, items, strict=True) if pr != it["gold"]]
        print(f"  misses (gold, predicted): {misses}")


def timing(sets: dict[str, list[Item]], cache: ts.EmbeddingCache) -> None:
    items = sets["own"] + sets.get("bbc", [])[:200]
    E = cache.embed_items(items)
    sections.classify(E[0], items[0]["title"], items[0]["text"], "es", encoder="use")
    started = time.perf_counter()
    for vec, it in zip(E, items, strict=True):
        sections.classify(vec, it["title"], it["text"], it["lang"], encoder="use")
    per = (time.perf_counter() - started) / len(items) * 1000
    print(f"classify with the embedding given: {per:.2f} ms per article ({len(items)} articles)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ts.DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=ts.DEFAULT_CACHE)
    parser.add_argument("--bbc-seeds", default="0,1,2",
                        help="fold seeds for BBC (other splits of the same 5-fold scheme)")
    args = parser.parse_args()
    print("command: .venv/bin/python bench/sections.py")
    sets = ts.load_sets(args.data)
    cache = ts.EmbeddingCache(args.cache)
    shipped = json.loads(sections.MODEL_PATH.read_text(encoding="utf-8"))
    calibration = {"lexical_weight": shipped["lexical_weight"]}
    for head in ("with_embedding", "lexical_only"):
        calibration[head] = {k: shipped["heads"][head][k] for k in ("temperature", "threshold")}
    print(f"shipped model: {sections.MODEL_PATH.stat().st_size / 1e6:.2f} MB; "
          f"lexical weights {calibration['lexical_weight']}; thresholds "
          f"{calibration['with_embedding']['threshold']} (with USE), "
          f"{calibration['lexical_only']['threshold']} (lexical only)")
    for name in ("bbc", "agnews"):
        if name in sets:
            seeds = [int(x) for x in args.bbc_seeds.split(",")] if name == "bbc" else [0]
            runs = [cross_validate(name, sets, cache, calibration, seed) for seed in seeds]
            if len(runs) > 1:
                print(f"{name}, mean over fold seeds {seeds}: ours "
                      f"{np.mean([r[0] for r in runs]):.3f}, TF-IDF + LinearSVC "
                      f"{np.mean([r[1] for r in runs]):.3f}")
        else:
            print(f"{name}: no data under {args.data}; skipped")
    held_out_own(sets, cache)
    timing(sets, cache)


if __name__ == "__main__":
    main()
