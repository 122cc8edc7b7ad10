"""Lead summary benchmark: ROUGE-1 F against BBC extractive reference summaries, and enrich speed.

Run from the project root:  .venv/bin/python bench/summary.py [--limit N]

Data: ../shared/data/sections/bbc-dev.jsonl (1,114 BBC articles with an extractive reference
`summary`). Skips cleanly when the file is absent.

Compared side by side in the same run:
  lead_summary   newsdesk.enrich.summary.lead_summary (2–3 sentences, ~450 characters)
  lead-3         the first three sentences of the text, nothing skipped, no length cap
ROUGE-1 here is our own small implementation: lower-cased alphanumeric tokens, no stemming, no
stop-word removal, clipped unigram overlap; F = 2PR/(P+R). Means and medians are printed.

Also times the whole enrich step per article (language + summary + entities + key facts, rules
path, no spaCy): wall and CPU median / p95 per article and per 600 words, and the best of five
runs on each 500-700-word article (least disturbed by other load on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.enrich import sentences  # noqa: E402
from newsdesk.enrich.entities import extract_entities  # noqa: E402
from newsdesk.enrich.facts import key_facts  # noqa: E402
from newsdesk.enrich.lang import detect_language  # noqa: E402
from newsdesk.enrich.sentences import split_sentences  # noqa: E402
from newsdesk.enrich.summary import lead_summary  # noqa: E402
from newsdesk.model import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sections" / "bbc-dev.jsonl"
_TOKEN = re.compile(r"[a-z0-9]+")


def rouge1(candidate: str, reference: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of clipped unigram overlap."""
    c = Counter(_TOKEN.findall(candidate.lower()))
    r = Counter(_TOKEN.findall(reference.lower()))
    if not c or not r:
        return 0.0, 0.0, 0.0
    overlap = sum((c & r).values())
    p, rec = overlap / sum(c.values()), overlap / sum(r.values())
    return p, rec, (2 * p * rec / (p + rec) if overlap else 0.0)


def lead3(text: str) -> str:
    return " ".join(split_sentences(text)[:3])


def enrich(article: Article) -> None:
    article.lang = detect_language(article.text)
    article.summary = lead_summary(article)
    article.entities = extract_entities(article.text, article.lang)
    article.key_facts = key_facts(article, article.entities)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"skip: {DATA} not found")
        return 0
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    systems: dict[str, list[tuple[float, float, float]]] = {"lead_summary": [], "lead-3": []}
    lengths: dict[str, list[int]] = {"lead_summary": [], "lead-3": [], "reference": []}
    times: list[float] = []
    cpu: list[float] = []
    words: list[int] = []
    enrich(Article(title="warm up", text=rows[0]["text"]))
    for row in rows:
        art = Article(title=row["title"], text=row["text"])
        t0, c0 = time.perf_counter(), time.process_time()
        enrich(art)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        words.append(len(row["text"].split()))
        ref = row["summary"]
        for name, summ in (("lead_summary", art.summary), ("lead-3", lead3(row["text"]))):
            systems[name].append(rouge1(summ, ref))
            lengths[name].append(len(summ.split()))
        lengths["reference"].append(len(ref.split()))
    print(f"BBC dev articles: {len(rows)}  (reference summaries: median "
          f"{statistics.median(lengths['reference']):.0f} words)")
    print(f"{'system':<14}{'R1-F mean':>10}{'R1-F med':>10}{'P mean':>8}{'R mean':>8}{'words':>7}")
    for name, scores in systems.items():
        f = [s[2] for s in scores]
        print(f"{name:<14}{statistics.mean(f):>10.3f}{statistics.median(f):>10.3f}"
              f"{statistics.mean(s[0] for s in scores):>8.3f}"
              f"{statistics.mean(s[1] for s in scores):>8.3f}"
              f"{statistics.median(lengths[name]):>7.0f}")
    ratio = statistics.mean(s[2] for s in systems["lead_summary"]) / statistics.mean(
        s[2] for s in systems["lead-3"])
    print(f"lead_summary / lead-3 (mean R1-F): {ratio:.2f}")
    for label, series in (("wall", times), ("cpu", cpu)):
        per600 = [t * 600 / max(w, 1) for t, w in zip(series, words, strict=True)]
        ordered = sorted(series)
        print(f"enrich {label:<4} (lang+summary+entities+facts, rules): median "
              f"{statistics.median(series):.2f} ms/article, p95 "
              f"{ordered[int(0.95 * (len(series) - 1))]:.2f} ms, median "
              f"{statistics.median(per600):.2f} ms per 600 words")
    # Best-of-5 per article on 500-700-word articles: the least disturbed estimate on a shared
    # machine (the medians above include waiting for the CPU).
    typical = [r for r in rows if 500 <= len(r["text"].split()) <= 700][:60]
    best: list[float] = []
    for row in typical:
        runs = []
        for _ in range(5):
            art = Article(title=row["title"], text=row["text"])
            sentences._split_paragraph.cache_clear()  # no help from the previous run
            c0 = time.process_time()
            enrich(art)
            runs.append((time.process_time() - c0) * 1000)
        best.append(min(runs))
    if best:
        print(f"enrich best-of-5 cpu on {len(best)} articles of 500-700 words: median "
              f"{statistics.median(best):.2f} ms, max {max(best):.2f} ms")
    loadavg = Path("/proc/loadavg")
    load = " ".join(loadavg.read_text().split()[:3]) if loadavg.exists() else "?"
    print(f"(median article {statistics.median(words):.0f} words; load average {load})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
