"""Similar-article lists on ECB+ (772 English articles, 66 gold events), one stream.

The articles arrive in 5 fixed orders through a real store and the pipeline's own linking
(Pipeline.link_article: nearest neighbours, streaming story choice; re-clustering every 100
arrivals and at the end, as import does). Then, for every article, what its page and the
export show (stories/related.py):

- "More on this story": share of its links whose article is in the same gold event (floor
  0.96), and how many articles have any;
- "Similar articles": how many items, the lowest score shown (never below MIN_RELATED), and the
  share of items from the same gold *topic* (related coverage: ECB+ topics pair two similar
  events) and from the same event;
- the export's `similar` list (story first, then similar): share of the top 5 in the same gold
  event, beside the textbook method on the same articles, TF-IDF (word 1-2-grams, sublinear tf,
  English stop words) cosine nearest neighbours, and plain USE cosine neighbours.

    .venv/bin/python bench/similar.py [--orders 5]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stories import DATA, embed_cached, load  # noqa: E402  (bench/stories.py)

from newsdesk.config import Config  # noqa: E402
from newsdesk.model import Article  # noqa: E402
from newsdesk.pipeline import Pipeline  # noqa: E402
from newsdesk.store import open_store  # noqa: E402
from newsdesk.stories.related import MIN_RELATED, more_on_story, ranked_similar, similar_articles  # noqa: E402,E501


def stream(articles: list[Article], vectors: np.ndarray, gold: list[str], topics: list[str],
           order: list[int]) -> dict[str, float]:
    store = open_store(":memory:")
    pipeline = Pipeline(store, Config(embedder="hash"))
    event: dict[int, str] = {}
    topic: dict[int, str] = {}
    for n, i in enumerate(order, start=1):
        a = Article(title=articles[i].title, text=articles[i].text or articles[i].title,
                    embedding=vectors[i], lang="en", source=f"outlet {i % 7}")
        put = store.put_article(a)
        assert put.id is not None
        event[put.id], topic[put.id] = gold[i], topics[i]
        a.id = put.id
        pipeline.link_article(a)
        if n % 100 == 0:
            pipeline.recluster()
    pipeline.recluster()

    more_links = more_same = with_more = 0
    sim_items = sim_topic = sim_event = with_sim = 0
    lowest = 1.0
    top5 = top5_same = 0
    for article in store.iter_articles():
        assert article.id is not None
        more = [f.article for f in more_on_story(store, article)]
        more_links += len(more)
        more_same += sum(event[o.id] == event[article.id] for o in more if o.id)
        with_more += bool(more)
        sims = similar_articles(store, article)
        with_sim += bool(sims)
        for other, score in sims:
            assert other.id is not None
            sim_items += 1
            sim_topic += topic[other.id] == topic[article.id]
            sim_event += event[other.id] == event[article.id]
            lowest = min(lowest, score)
        ranked = ranked_similar(store, article, 10)[:5]
        top5 += len(ranked)
        top5_same += sum(event[o.id] == event[article.id] for o, _ in ranked if o.id)
    store.close()
    n = len(order)
    return {
        "more: same event": more_same / max(more_links, 1),
        "more: links/article": more_links / n,
        "more: articles with any": with_more / n,
        "similar: items/article": sim_items / n,
        "similar: same topic": sim_topic / max(sim_items, 1),
        "similar: same event": sim_event / max(sim_items, 1),
        "similar: lowest score": lowest if sim_items else float("nan"),
        "export top5: same event": top5_same / max(top5, 1),
        "export top5: links/article": top5 / n,
    }


def neighbours_top5(sim: np.ndarray, gold: list[str]) -> float:
    np.fill_diagonal(sim, -np.inf)
    same = total = 0
    for i in range(len(gold)):
        for j in np.argsort(-sim[i])[:5]:
            total += 1
            same += gold[j] == gold[i]
    return same / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=5)
    args = parser.parse_args()
    if not DATA.is_file():
        sys.exit("../shared/data is absent: nothing to benchmark")
    articles, gold, topics = load()
    vectors = embed_cached(articles)
    print(f"{len(articles)} articles, {len(set(gold))} gold events; MIN_RELATED {MIN_RELATED}")
    rows = []
    for seed in range(args.orders):
        order = list(range(len(articles)))
        if seed:
            random.Random(seed).shuffle(order)
        got = stream(articles, vectors, gold, topics, order)
        rows.append(got)
        print(f"order {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in got.items()))
    print("\nmedian over orders:")
    for key in rows[0]:
        print(f"  {key:<28}{float(np.median([r[key] for r in rows])):.3f}")

    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{a.title}\n{a.text}" for a in articles]
    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                             stop_words="english").fit_transform(texts)
    print("\nbaselines, share of the top 5 neighbours in the same gold event:")
    tfidf = neighbours_top5((matrix @ matrix.T).toarray(), gold)
    print(f"  textbook TF-IDF cosine      {tfidf:.3f}")
    print(f"  plain USE cosine            {neighbours_top5(vectors @ vectors.T, gold):.3f}")


if __name__ == "__main__":
    main()
