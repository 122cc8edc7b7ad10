"""Story clustering quality on ECB+ (772 English articles, 66 gold events), one stream.

Runs the real streaming clusterer (stories/cluster.py) over the articles in file order, for
several thresholds, and prints B-cubed and pairwise precision/recall/F1 against the gold events,
beside two baselines: every article alone, and one cluster per ECB+ topic (which the clusterer
never sees; it is the "two similar events merged" failure made explicit).

    .venv/bin/python bench/stories.py [--thresholds 0.5,0.55,0.6,0.65,0.7] [--splits 20]

Then the re-clustering that import, refresh and the workers run (stories/regroup.py): the
stream arrives in 5 fixed orders into a real store, each article placed at arrival by the
streaming clusterer and the recent window re-clustered every 100 arrivals and at the end;
beside the textbook method, TF-IDF (word 1-2-grams, sublinear tf, English stop words) cosine +
average-linkage clustering with its threshold tuned on the whole set. Last, both methods
cross-validated over topics: the threshold chosen on a random half of the topics, scored on
the other half, 20 splits.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np

from newsdesk.config import Config
from newsdesk.enrich.embed import embedding_text, get_embedder
from newsdesk.model import Article
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store
from newsdesk.stories.cluster import choose_story
from newsdesk.stories.regroup import Item, regroup

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
    parser.add_argument("--splits", type=int, default=20)
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

    print("\nre-clustered stream (stories/regroup.py), 5 fixed orders:")
    f1s = []
    for seed in range(5):
        order = list(range(len(articles)))
        if seed:
            random.Random(seed).shuffle(order)
        pred = regrouped_stream(articles, vectors, order)
        show(f"regroup, order {seed}", pred)
        f1s.append((bcubed(pred, gold)[2], pairwise(pred, gold)[2]))
    print(f"spread across orders: B3 F1 {max(b for b, _ in f1s) - min(b for b, _ in f1s):.3f}, "
          f"pairwise F1 {max(p for _, p in f1s) - min(p for _, p in f1s):.3f}")
    grid = [0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2]
    texts = [f"{a.title}\n{a.text}" for a in articles]
    base = {t: textbook(texts, t) for t in grid}
    best = max(grid, key=lambda t: bcubed(base[t], gold)[2])
    show(f"textbook tf-idf, t={best:.2f}", base[best])

    print(f"\ncross-validated over topics ({args.splits} random halves; threshold chosen on "
          "one half, scored on the other):")
    items = [Item(i, texts[i], vectors[i], None, None, "en") for i in range(len(articles))]
    ours_grid = [0.02, 0.025, 0.03, 0.035, 0.04, 0.05]
    scores: dict[str, list[tuple[float, float]]] = {"regroup": [], "textbook": []}
    names = sorted(set(topics))
    for split in range(args.splits):
        rng = random.Random(1000 + split)
        train = set(rng.sample(names, len(names) // 2))
        a = [i for i, t in enumerate(topics) if t in train]
        b = [i for i, t in enumerate(topics) if t not in train]
        for method in scores:
            def run(idx: list[int], t: float, method: str = method) -> list[int]:
                if method == "regroup":
                    return regroup([items[i] for i in idx], t)
                return textbook([texts[i] for i in idx], t)
            tgrid = ours_grid if method == "regroup" else grid
            chosen = max(tgrid, key=lambda t: bcubed(run(a, t), [gold[i] for i in a])[2])
            pred = run(b, chosen)
            gb = [gold[i] for i in b]
            scores[method].append((bcubed(pred, gb)[2], pairwise(pred, gb)[2]))
    for method, got in scores.items():
        bs, ps = [x for x, _ in got], [y for _, y in got]
        print(f"  {method:<9} held-out B3 F1 {np.mean(bs):.3f} (sd {np.std(bs):.3f}), "
              f"pairwise F1 {np.mean(ps):.3f} (sd {np.std(ps):.3f})")


def regrouped_stream(articles: list[Article], vectors: np.ndarray, order: list[int],
                     every: int = 100) -> list[int]:
    """Story ids (by original position) after the stream arrives in `order` through a real
    store: streaming placement, re-clustering every `every` arrivals and at the end."""
    store = open_store(":memory:")
    pipeline = Pipeline(store, Config(embedder="hash"))
    ids: dict[int, int] = {}
    for n, i in enumerate(order, start=1):
        a = Article(title=articles[i].title, text=articles[i].text or articles[i].title,
                    embedding=vectors[i], lang="en")
        put = store.put_article(a)
        assert put.id is not None
        ids[i] = put.id
        store.link(put.id, [], 10, story_id=choose_story(store, a, 0.6),
                   new_story_title=a.title)
        if n % every == 0:
            pipeline.recluster()
    pipeline.recluster()
    by_id = {a.id: a.story_id for a in store.iter_articles()}
    store.close()
    return [by_id[ids[i]] or 0 for i in range(len(articles))]


def textbook(texts: list[str], threshold: float) -> list[int]:
    """TF-IDF cosine + average-linkage agglomerative clustering cut at `threshold`."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                             stop_words="english").fit_transform(texts)
    sim = (matrix @ matrix.T).toarray()
    dist = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    from scipy.spatial.distance import squareform
    tree = linkage(squareform(dist, checks=False), method="average")
    return [int(g) for g in fcluster(tree, t=1.0 - threshold, criterion="distance")]


if __name__ == "__main__":
    main()
