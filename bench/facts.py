"""Key facts benchmark: share of human fact units (SCUs) covered, on REALSumm (CNN/DailyMail).

Run from the project root:  .venv/bin/python bench/facts.py

Data: ../shared/data/summaries/realsumm/documents.txt (100 articles, one per line, lower-cased
and tokenised) and SCUs.txt (the human Summary Content Units of each article's reference summary,
tab-separated). Skips cleanly when absent.

Matching rule (ours, simpler than the paper's): an SCU counts as covered when at least 60% of
its content words (lower-cased, stop words dropped, crude plural folding, numbers kept; see
`newsdesk.enrich.facts.content_words`) appear in ONE of the system's items (a fact, or a
sentence for the baselines). The REALSumm/Lite2-3Pyramid figure (best system 0.56) comes from
human or NLI judgements of whole summaries, so the numbers here are comparable with each other,
not with 0.56.

Systems, side by side:
  key_facts        newsdesk.enrich.facts.key_facts (3–6 facts)
  lead-3           first three sentences
  lead-words       the article's first W words, split into sentences, where W is the number of
                   words our key facts used on that article (same length budget)
  summary+facts    lead_summary's sentences plus the key facts: what the article page shows
                   (key facts avoid repeating the summary's first sentence by design)
  all-sentences    every sentence of the article (the ceiling of any extractive item set)
Printed: mean and median coverage per article, and words used.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.enrich.entities import extract_entities  # noqa: E402
from newsdesk.enrich.facts import content_words, key_facts  # noqa: E402
from newsdesk.enrich.sentences import split_sentences  # noqa: E402
from newsdesk.enrich.summary import lead_summary  # noqa: E402
from newsdesk.model import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "summaries" / "realsumm"
THRESHOLD = 0.6


def covered(scu: str, items: list[set[str]]) -> bool:
    words = content_words(scu)
    if not words:
        return False
    return any(len(words & item) >= THRESHOLD * len(words) for item in items)


def coverage(scus: list[str], items: list[str]) -> float:
    sets = [content_words(i) for i in items]
    return sum(covered(s, sets) for s in scus) / len(scus)


def lead_words(sentences: list[str], budget: int) -> list[str]:
    out: list[str] = []
    used = 0
    for s in sentences:
        words = s.split()
        if used + len(words) > budget:
            if budget - used > 0:
                out.append(" ".join(words[: budget - used]))
            break
        out.append(s)
        used += len(words)
    return out


def main() -> int:
    docs_path, scus_path = DATA / "documents.txt", DATA / "SCUs.txt"
    if not docs_path.exists() or not scus_path.exists():
        print(f"skip: {DATA} not found")
        return 0
    docs = docs_path.read_text(encoding="utf-8").splitlines()
    scus_all = [line.split("\t") for line in scus_path.read_text(encoding="utf-8").splitlines()]
    results: dict[str, list[float]] = {
        "key_facts": [], "lead-3": [], "lead-words": [], "summary+facts": [],
        "all-sentences": []}
    words_used: dict[str, list[int]] = {k: [] for k in results}
    n_facts: list[int] = []
    elapsed = 0.0
    for doc, scus in zip(docs, scus_all, strict=True):
        scus = [s.strip() for s in scus if s.strip()]
        if not scus:
            continue
        art = Article(text=doc, lang="en")
        t0 = time.perf_counter()
        facts = key_facts(art, extract_entities(doc, "en"))
        elapsed += time.perf_counter() - t0
        sents = split_sentences(doc, "en")
        budget = sum(len(f.split()) for f in facts)
        systems = {
            "key_facts": facts,
            "lead-3": sents[:3],
            "lead-words": lead_words(sents, budget),
            "summary+facts": split_sentences(lead_summary(art), "en") + facts,
            "all-sentences": sents,
        }
        n_facts.append(len(facts))
        for name, items in systems.items():
            results[name].append(coverage(scus, items))
            words_used[name].append(sum(len(i.split()) for i in items))
    print(f"REALSumm articles: {len(n_facts)}; SCUs per article median "
          f"{statistics.median(len(s) for s in scus_all):.0f}; facts per article median "
          f"{statistics.median(n_facts):.0f}; rule: >= {THRESHOLD:.0%} of an SCU's content words "
          f"in one item")
    print(f"{'system':<15}{'cover mean':>11}{'cover med':>10}{'words med':>10}")
    for name, vals in results.items():
        print(f"{name:<15}{statistics.mean(vals):>11.3f}{statistics.median(vals):>10.3f}"
              f"{statistics.median(words_used[name]):>10.0f}")
    kf, l3, lw = (statistics.mean(results[k]) for k in ("key_facts", "lead-3", "lead-words"))
    print(f"key_facts / lead-3: {kf / l3:.2f}   key_facts / lead-words (same words): "
          f"{kf / lw:.2f}")
    print(f"entities+key_facts: {elapsed / len(n_facts) * 1000:.2f} ms/article (wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
