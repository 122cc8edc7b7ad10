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

import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.enrich.compress import is_complete  # noqa: E402
from newsdesk.enrich.entities import extract_entities  # noqa: E402
from newsdesk.enrich.facts import content_words, is_grounded, key_facts  # noqa: E402
from newsdesk.enrich.sentences import split_sentences  # noqa: E402
from newsdesk.model import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "summaries" / "realsumm"
BBC = ROOT.parent / "shared" / "data" / "sections" / "bbc-dev.jsonl"
PICKER_COMMIT = "01b3475"
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


def old_picker() -> Callable[[Article, list], list[str]]:
    """The sentence picker before compression (commit 01b3475), loaded from git."""
    source = subprocess.run(["git", "show", f"{PICKER_COMMIT}:src/newsdesk/enrich/facts.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "old_facts.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_facts", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_facts"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    picker: Callable[[Article, list], list[str]] = module.key_facts
    return picker


def item_stats(name: str, items_per_doc: list[list[str]], texts: list[str]) -> str:
    words = [len(i.split()) for items in items_per_doc for i in items]
    items = [(i, t) for items, t in zip(items_per_doc, texts, strict=True) for i in items]
    grounded = sum(is_grounded(i, t) for i, t in items) / max(len(items), 1)
    cut = sum(not is_complete(i.rstrip(".")) for i, _ in items) / max(len(items), 1)
    return (f"{name:<14}{len(items) / len(texts):>7.1f}{statistics.median(words):>8.0f}"
            f"{max(words):>6}{grounded:>10.3f}{cut:>10.3f}")


def realsumm(systems: dict[str, Callable[[Article], list[str]]]) -> None:
    docs_path, scus_path = DATA / "documents.txt", DATA / "SCUs.txt"
    docs = docs_path.read_text(encoding="utf-8").splitlines()
    scus_all = [line.split("\t") for line in scus_path.read_text(encoding="utf-8").splitlines()]
    got: dict[str, list[list[str]]] = {name: [] for name in systems}
    cover: dict[str, list[float]] = {name: [] for name in systems}
    units: dict[str, int] = dict.fromkeys(systems, 0)
    # the two halves MIN_SCORE, W_LENGTH and MIN_FIGURE_SCORE were chosen on and checked on
    order = list(range(len(docs)))
    random.Random(7).shuffle(order)
    half = {i: "A" if n < len(docs) // 2 else "B" for n, i in enumerate(order)}
    by_half: dict[tuple[str, str], list[int]] = {}
    texts = []
    for n, (doc, scus) in enumerate(zip(docs, scus_all, strict=True)):
        scus = [s.strip() for s in scus if s.strip()]
        if not scus:
            continue
        texts.append(doc)
        art = Article(text=doc, lang="en")
        for name, make in systems.items():
            items = make(art)
            got[name].append(items)
            share = coverage(scus, items)
            cover[name].append(share)
            units[name] += round(share * len(scus))
            tally = by_half.setdefault((name, half[n]), [0, 0])
            tally[0] += round(share * len(scus))
            tally[1] += sum(len(i.split()) for i in items)
    print(f"REALSumm: {len(texts)} articles (lower-cased, tokenised); an SCU is covered when "
          f">= {THRESHOLD:.0%} of its content words are in one item")
    print(f"{'system':<14}{'cover':>7}{'words':>7}{'units/100w':>11}{'half A':>8}{'half B':>8}")
    for name in systems:
        words = sum(len(i.split()) for items in got[name] for i in items)
        a, b = by_half[(name, "A")], by_half[(name, "B")]
        print(f"{name:<14}{statistics.mean(cover[name]):>7.3f}{words / len(texts):>7.0f}"
              f"{100 * units[name] / words:>11.2f}{100 * a[0] / a[1]:>8.2f}"
              f"{100 * b[0] / b[1]:>8.2f}")
    print(f"{'items':<14}{'n/art':>7}{'median':>8}{'max':>6}{'grounded':>10}{'cut':>10}")
    for name in systems:
        print(item_stats(name, got[name], texts))


def bbc(systems: dict[str, Callable[[Article], list[str]]]) -> None:
    rows = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows]
    print(f"\nBBC (bbc-dev.jsonl): {len(rows)} articles, as published (capitalised)")
    print(f"{'items':<14}{'n/art':>7}{'median':>8}{'max':>6}{'grounded':>10}{'cut':>10}")
    for name, make in systems.items():
        got = [make(Article(title=r.get("title", ""), text=r["text"], lang="en")) for r in rows]
        print(item_stats(name, got, texts))


def main() -> int:
    if not (DATA / "documents.txt").exists() or not BBC.exists():
        print(f"skip: {DATA} or {BBC} not found")
        return 0
    picker = old_picker()

    def ours(a: Article) -> list[str]:
        return key_facts(a, extract_entities(a.text, "en"))

    def old(a: Article) -> list[str]:
        return picker(a, extract_entities(a.text, "en"))

    def lead3(a: Article) -> list[str]:
        return split_sentences(a.text, "en")[:3]

    systems = {"key_facts": ours, "old picker": old, "lead-3": lead3}
    start = time.perf_counter()
    realsumm(systems)
    bbc(systems)
    rows = BBC.read_text(encoding="utf-8").splitlines()[:200]
    t0 = time.perf_counter()
    for line in rows:
        ours(Article(text=json.loads(line)["text"], lang="en"))
    per = (time.perf_counter() - t0) / len(rows) * 1000
    print(f"\nentities + key facts: {per:.2f} ms per BBC article; whole run "
          f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
