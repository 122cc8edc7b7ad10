"""Story clustering quality on ECB+ (772 English articles, 66 gold events), one stream.

Runs the real streaming clusterer (stories/cluster.py) over the articles in file order, for
several thresholds, and prints B-cubed and pairwise precision/recall/F1 against the gold events,
beside two baselines: every article alone, and one cluster per ECB+ topic (which the clusterer
never sees; it is the "two similar events merged" failure made explicit).

    .venv/bin/python bench/stories.py [--thresholds 0.5,0.55,0.6,0.65,0.7]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np

from newsdesk.enrich.embed import embedding_text, get_embedder
from newsdesk.model import Article
from newsdesk.store import open_store
from newsdesk.stories.cluster import choose_story

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories" / "ecbplus-dev.jsonl"


def bcubed(pred: list[int], gold: list[str]) -> tuple[float, float, float]:
    by_pred: dict[int, list[int]] = defaultdict(list)
    by_gold: dict[str, list[int]] = defaultdict(list)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].append(i)
        by_gold[g].append(i)
    prec = rec = 0.0
    for i in range(len(pred)):
        same_p = by_pred[pred[i]]
        same_g = set(by_gold[gold[i]])
        both = sum(1 for j in same_p if j in same_g)
        prec += both / len(same_p)
        rec += both / len(same_g)
    p, r = prec / len(pred), rec / len(pred)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def pairwise(pred: list[int], gold: list[str]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for i, j in combinations(range(len(pred)), 2):
        sp, sg = pred[i] == pred[j], gold[i] == gold[j]
        tp += sp and sg
        fp += sp and not sg
        fn += sg and not sp
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def load(limit: int | None = None) -> tuple[list[Article], list[str], list[str]]:
    arts, gold, topics = [], [], []
    with open(DATA, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            text = "\n\n".join(p for p in rec["text"].split("\n") if p.strip())
            arts.append(Article(title=rec["title"], text=text, external_id=rec["id"]))
            gold.append(rec["event"])
            topics.append(str(rec["topic"]))
            if limit and len(arts) >= limit:
                break
    return arts, gold, topics


def cluster(articles: list[Article], vectors: np.ndarray, threshold: float) -> list[int]:
    store = open_store(":memory:")
    out = []
    for a, v in zip(articles, vectors, strict=True):
        a = Article(title=a.title, text=a.text, embedding=v)
        put = store.put_article(a)
        assert put.id is not None
        story = store.link(put.id, [], 10, story_id=choose_story(store, a, threshold),
                           new_story_title=a.title)
        assert story is not None
        out.append(story)
    store.close()
    return out


def embed_cached(articles: list[Article]) -> np.ndarray:
    cache = Path("/tmp/newsdesk-ecbplus-use.npy")
    if cache.is_file():
        vectors = np.load(cache)
        if len(vectors) == len(articles):
            return vectors
    vectors = get_embedder("use").embed([embedding_text(a) for a in articles])
    np.save(cache, vectors)
    return vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--thresholds", default="0.5,0.55,0.6,0.65,0.7")
    args = parser.parse_args()
    if not DATA.is_file():
        sys.exit("../shared/data is absent: nothing to benchmark")
    articles, gold, topics = load()
    vectors = embed_cached(articles)
    print(f"{len(articles)} articles, {len(set(gold))} gold events, {len(set(topics))} topics")
    print(f"{'clustering':<24}{'clusters':>9}{'B3 P':>7}{'B3 R':>7}{'B3 F1':>7}"
          f"{'pair P':>8}{'pair R':>8}{'pair F1':>8}")

    def show(name: str, pred: list) -> None:
        b, p = bcubed(pred, gold), pairwise(pred, gold)
        print(f"{name:<24}{len(set(pred)):>9}{b[0]:>7.3f}{b[1]:>7.3f}{b[2]:>7.3f}"
              f"{p[0]:>8.3f}{p[1]:>8.3f}{p[2]:>8.3f}")

    show("baseline: singletons", list(range(len(gold))))
    show("baseline: ECB+ topic", topics)
    for t in (float(x) for x in args.thresholds.split(",")):
        show(f"streaming, t={t:.2f}", cluster(articles, vectors, t))


if __name__ == "__main__":
    main()
