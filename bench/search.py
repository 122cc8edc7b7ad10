"""Search precision: keyword-only vs vector-only vs hybrid, Spanish queries for English news.

    .venv/bin/python bench/search.py

The 772 ECB+ dev articles (../shared/data/stories/ecbplus-dev.jsonl) are imported through the
pipeline into a SQLite file (cached in /tmp between runs); each query of search_queries.py
targets one gold event; precision at 5 is the share of the first five results in that event
(a query with fewer than five results scores what it found out of five). Also printed: how many
results the nonsense queries get (should be none), the cosine of each query to its best article
of the target event and to its best other article (what MIN_VECTOR_SCORE is set from), and
search time per query.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from search_queries import ENGLISH, NONSENSE, QUERIES, SPANISH

from newsdesk.config import Config
from newsdesk.enrich.embed import get_embedder
from newsdesk.pipeline import Pipeline
from newsdesk.search import search
from newsdesk.store import Store, open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories" / "ecbplus-dev.jsonl"
DB = Path("/tmp/newsdesk-bench-search-v2.db")


def load() -> tuple[Store, dict[str, str]]:
    """The store (built once) and the gold event of each article's external id."""
    events = {}
    lines = []
    with open(DATA, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            events[rec["id"]] = rec["event"]
            # 51 ECB+ articles carry their only sentence in `title` and no text
            lines.append(json.dumps({"id": rec["id"], "title": rec["title"],
                                     "text": rec["text"] or rec["title"], "lang": "en"}))
    fresh = not DB.exists()
    store = open_store(DB)
    if fresh:
        src = DB.with_suffix(".jsonl")
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        Pipeline(store, Config(embedder="use")).import_paths([str(src)])
    return store, events


def main() -> None:
    if not DATA.is_file():
        sys.exit(f"{DATA} is absent")
    store, events = load()
    embedder = get_embedder("use")
    embedder.embed(["warm up"])
    print(f"{store.count_articles()} articles, {len(QUERIES)} queries ({len(SPANISH)} in "
          f"Spanish, {len(ENGLISH)} in English)")
    rows = []
    for mode in ("all words", "keyword", "vector", "hybrid"):
        precisions, seconds = [], []
        for query, event in QUERIES:
            start = time.perf_counter()
            if mode == "all words":  # the keyword index alone, as before hybrid search
                hits = store.search(query, limit=5)
            else:
                hits = search(store, embedder, query, limit=5, mode=mode)
            seconds.append(time.perf_counter() - start)
            right = sum(1 for a, _ in hits if events.get(a.external_id or "") == event)
            precisions.append(right / 5)
        nonsense = [len(store.search(q, limit=5) if mode == "all words" else
                        search(store, embedder, q, limit=5, mode=mode)) for q in NONSENSE]
        rows.append((mode, statistics.mean(precisions), sum(p == 1.0 for p in precisions),
                     sum(p == 0 for p in precisions), nonsense,
                     1000 * statistics.median(seconds)))
        if mode == "hybrid":
            misses = [(q, e, p) for (q, e), p in zip(QUERIES, precisions, strict=True) if p < 0.6]
    print("\n| mode | P@5 | queries at 1.0 | at 0 | results for nonsense queries | ms (median) |")
    print("|---|---|---|---|---|---|")
    for mode, p, full, zero, nonsense, ms in rows:
        print(f"| {mode} | {p:.3f} | {full} | {zero} | {nonsense} | {ms:.1f} |")
    print("\nhybrid queries under 0.6:")
    for q, e, p in misses:
        print(f"  {p:.1f}  {e:12s} {q}")

    # the cosine a relevant article reaches, against the best unrelated one
    by_event: dict[str, list[int]] = {}
    for a in store.iter_articles():
        by_event.setdefault(events.get(a.external_id or "", ""), []).append(a.id or 0)
    best_right, best_wrong = [], []
    for query, event in QUERIES:
        vec = embedder.embed([query])[0]
        hits = store.nearest(vec, 60)
        right = [s for i, s in hits if i in set(by_event.get(event, []))]
        wrong = [s for i, s in hits if i not in set(by_event.get(event, []))]
        best_right.append(max(right, default=0.0))
        best_wrong.append(max(wrong, default=0.0))
    nonsense_best = [max((s for _, s in store.nearest(embedder.embed([q])[0], 5)), default=0.0)
                     for q in NONSENSE]
    print(f"\ncosine, query to its best target article: median {statistics.median(best_right):.3f}"
          f", min {min(best_right):.3f}; to its best other article: median "
          f"{statistics.median(best_wrong):.3f}; nonsense queries' best: "
          f"{', '.join(f'{s:.3f}' for s in nonsense_best)}")


if __name__ == "__main__":
    main()
