"""Ingest throughput: 1,000 articles from ../shared/data through `import`, stage by stage.

Inputs: 500 real web pages from trafilatura's evaluation set (HTML, so extraction runs) and
500 ECB+ news articles (JSONL). Prints end-to-end articles/second, the seconds each stage took
inside the full run, and the same stages run alone, one after another in one process, on the
same articles (the sum of those is what a strictly sequential import would cost).

    .venv/bin/python bench/ingest.py [--n 1000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from newsdesk.config import Config
from newsdesk.enrich.embed import embedding_text, get_embedder
from newsdesk.errors import ExtractionError
from newsdesk.model import Article, ImportResult
from newsdesk.pipeline import Pipeline, normalise
from newsdesk.store import open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def prepare(folder: Path, n: int) -> tuple[list[Path], Path]:
    pages_dir = DATA / "extraction" / "trafilatura-eval" / "pages"
    pages = sorted(pages_dir.glob("*.htm*"))[: n // 2]
    html_dir = folder / "pages"
    html_dir.mkdir()
    copied = []
    for p in pages:
        dest = html_dir / (p.stem + ".html")
        shutil.copy(p, dest)
        copied.append(dest)
    jsonl = folder / "ecbplus.jsonl"
    with open(DATA / "stories" / "ecbplus-dev.jsonl", encoding="utf-8") as src, \
            open(jsonl, "w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i >= n - len(copied):
                break
            rec = json.loads(line)
            out.write(json.dumps({"id": rec["id"], "title": rec["title"], "text": rec["text"]})
                      + "\n")
    return copied, jsonl


def run_alone(pages: list[Path], jsonl: Path, folder: Path) -> dict[str, float]:
    from newsdesk.enrich.entities import extract_entities
    from newsdesk.enrich.facts import key_facts
    from newsdesk.enrich.lang import detect_language
    from newsdesk.enrich.sections import classify
    from newsdesk.enrich.summary import lead_summary
    from newsdesk.extract.html import extract_html
    from newsdesk.ingest.files import parse_jsonl

    alone: dict[str, float] = {}
    articles: list[Article] = []
    start = time.perf_counter()
    for p in pages:
        try:
            articles.append(extract_html(p.read_bytes()))
        except ExtractionError:
            continue  # refused pages are part of the workload, as in the full run
    alone["extract"] = time.perf_counter() - start
    articles += [a for a in parse_jsonl(jsonl.read_bytes(), "x") if isinstance(a, Article)]
    for a in articles:
        normalise(a)

    embedder = get_embedder("use")
    embedder.embed(["warm up"])
    start = time.perf_counter()
    vectors = embedder.embed([embedding_text(a) for a in articles])
    alone["embed"] = time.perf_counter() - start
    for a, v in zip(articles, vectors, strict=True):
        a.embedding = v

    start = time.perf_counter()
    for a in articles:
        a.lang = detect_language(a.text[:2000])
        a.section, _ = classify(a.embedding, a.title, a.text, a.lang)
        a.summary = lead_summary(a)
        a.entities = extract_entities(a.text, a.lang)
        a.key_facts = key_facts(a, a.entities)
    alone["enrich"] = time.perf_counter() - start

    store = open_store(folder / "alone.db")
    start = time.perf_counter()
    stored = []
    for a in articles:
        a.id = None
        if store.put_article(a).outcome == "inserted":  # the same lookups the full run makes
            stored.append(a)
    alone["store"] = time.perf_counter() - start
    articles = stored

    start = time.perf_counter()
    for a in articles:
        assert a.id is not None
        store.link(a.id, store.nearest(a.embedding, 10, exclude=a.id), 10,
                   new_story_title=a.title)
    alone["index"] = time.perf_counter() - start
    store.close()
    return alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="full runs; the median is shown")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit("../shared/data is absent: nothing to benchmark")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages, jsonl = prepare(folder, args.n)
        get_embedder("use").embed(["warm up"])  # model load is not per-article work
        def full_run(name: str, workers: int) -> tuple[float, ImportResult, dict[str, float]]:
            store = open_store(folder / f"{name}.db")
            pipeline = Pipeline(store, Config(embedder="use", workers=workers))
            start = time.perf_counter()
            result = pipeline.import_paths([str(folder / "pages"), str(jsonl)])
            wall = time.perf_counter() - start
            store.close()
            return wall, result, dict(pipeline.timings.seconds)

        runs = [full_run(f"full{r}", 0) for r in range(args.repeat)]
        sequential_wall = full_run("sequential", 1)[0]  # the baseline: no worker processes
        wall, result, stages = sorted(runs, key=lambda x: x[0])[len(runs) // 2]
        handled = result.imported + result.duplicates + len(result.refused)
        alone = run_alone(pages, jsonl, folder)

    print(f"inputs: {len(pages)} HTML pages + {args.n - len(pages)} JSONL articles "
          f"(imported {result.imported}, duplicates {result.duplicates}, "
          f"refused {len(result.refused)})")
    walls = [w for w, _, _ in runs]
    print(f"end to end: {wall:.1f} s, {handled / wall:.1f} inputs/s, "
          f"{result.imported / wall:.1f} stored articles/s "
          f"(median of {len(runs)} runs; all: {', '.join(f'{w:.1f}' for w in walls)} s)")
    print("stage seconds in the full run are summed over the processes that ran them (HTML is")
    print("extracted and prepared in worker processes beside the main one), so they add up to")
    print("more than the wall time; 'alone' runs each stage by itself in this process.")
    print(f"baseline, same import with workers=1 (no worker processes): {sequential_wall:.1f} s, "
          f"{handled / sequential_wall:.1f} inputs/s; parallel/sequential speed "
          f"{sequential_wall / wall:.2f}x")
    print(f"{'stage':<10}{'in full run s':>15}{'art/s':>10}{'alone s':>10}{'art/s':>10}")
    for stage in ("extract", "enrich", "embed", "index", "store"):
        full_s = stages.get(stage, 0.0)
        alone_s = alone.get(stage, 0.0)
        count = len(pages) if stage == "extract" else result.imported
        print(f"{stage:<10}{full_s:>15.2f}{count / full_s if full_s else 0:>10.0f}"
              f"{alone_s:>10.2f}{count / alone_s if alone_s else 0:>10.0f}")
    print(f"{'sum':<10}{sum(stages.values()):>15.2f}{'':>10}{sum(alone.values()):>10.2f}")


if __name__ == "__main__":
    main()
