"""Entities benchmark: person / org / place precision and recall, and the enrichment cost.

Run from the project root:  .venv/bin/python bench/entities.py [--baseline DIR]

Data: tests/data/entities/dev.jsonl (tuned on) and heldout.jsonl (measured only): 60 sentences
written and annotated for this project, half English, half Spanish (conventions in the README
beside them). Scoring is exact match per sentence on (case-folded text with dashes unified,
type), for the three types person / org / place; anything else the finder returns (dates,
figures, misc) is ignored. Precision, recall and F1 are micro-averaged over the sentences.

`--baseline DIR` (default /tmp/entities-baseline) names a folder holding a copy of an earlier
entities.py and lexicon.py; when present, that version is scored beside the current one, both
on the rules path (no spaCy).

Cost: the rules path (extract_entities_rules + find_figures) on a 600-word English article (the
seed page's text when ../shared is present, else our sentences) and a 600-word Spanish text
made of our Spanish sentences; then the whole pure enrichment of `enrich.prepare` per article
(language, section, summary, entities, key facts) with a zero-vector stand-in for the embedder,
so the encoder's time is left out. CPU milliseconds, best of 7 and median of 30 runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import newsdesk.enrich as enrich_pkg  # noqa: E402
from newsdesk.enrich import entities, figures, sentences  # noqa: E402
from newsdesk.enrich.prepare import prepare_articles  # noqa: E402
from newsdesk.model import Article, Entity  # noqa: E402

DATA = ROOT / "tests" / "data" / "entities"
SEED = ROOT.parent / "shared" / "seed" / "000_2bfdbc58c4ed5f0f.txt"
TYPES = ("person", "org", "place")
Extractor = Callable[[str, str], list[Entity]]


def load(name: str) -> list[dict[str, object]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(extract: Extractor, rows: list[dict[str, object]]) -> dict[str, tuple[float, ...]]:
    """{type: (precision, recall, f1, tp, fp, fn)} for each type and "all"."""
    counts = {t: [0, 0, 0] for t in (*TYPES, "all")}
    for row in rows:
        text, lang = str(row["text"]), str(row["lang"])
        gold = {(entities.normalise_key(t), ty) for t, ty in row["entities"]}  # type: ignore[attr-defined]
        found = {(entities.normalise_key(e.text), e.type) for e in extract(text, lang)
                 if e.type in TYPES}
        for ty in TYPES:
            g = {k for k in gold if k[1] == ty}
            p = {k for k in found if k[1] == ty}
            for key in (ty, "all"):
                counts[key][0] += len(g & p)
                counts[key][1] += len(p - g)
                counts[key][2] += len(g - p)
    out: dict[str, tuple[float, ...]] = {}
    for key, (tp, fp, fn) in counts.items():
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[key] = (prec, rec, f1, tp, fp, fn)
    return out


def load_baseline(folder: Path) -> ModuleType | None:
    """The entities module of an earlier version, with its own lexicon."""
    ent, lex = folder / "entities.py", folder / "lexicon.py"
    if not ent.exists() or not lex.exists():
        return None
    lex_spec = importlib.util.spec_from_file_location("baseline_lexicon", lex)
    ent_spec = importlib.util.spec_from_file_location("baseline_entities", ent)
    assert lex_spec and lex_spec.loader and ent_spec and ent_spec.loader
    old_lex = importlib.util.module_from_spec(lex_spec)
    lex_spec.loader.exec_module(old_lex)
    module = importlib.util.module_from_spec(ent_spec)
    sys.modules["baseline_entities"] = module  # dataclasses look their module up there
    # `from newsdesk.enrich import lexicon` inside the copy must find the copy's lexicon
    current = enrich_pkg.lexicon
    saved = sys.modules["newsdesk.enrich.lexicon"]
    enrich_pkg.lexicon = old_lex  # type: ignore[attr-defined]
    sys.modules["newsdesk.enrich.lexicon"] = old_lex
    try:
        ent_spec.loader.exec_module(module)
    finally:
        enrich_pkg.lexicon = current  # type: ignore[attr-defined]
        sys.modules["newsdesk.enrich.lexicon"] = saved
    return module


def print_scores(label: str, result: dict[str, tuple[float, ...]]) -> None:
    for key in (*TYPES, "all"):
        p, r, f, tp, fp, fn = result[key]
        print(f"  {label:<10}{key:<8}P {p:.2f}  R {r:.2f}  F1 {f:.2f}   "
              f"(tp {tp:.0f}, fp {fp:.0f}, fn {fn:.0f})")


def words_600(text: str) -> str:
    words = text.split(" ")
    while len(" ".join(words).split()) < 600:
        words = words + words
    out, n = [], 0
    for w in words:
        out.append(w)
        n += len(w.split())
        if n >= 600:
            break
    return " ".join(out)


def cpu_ms(fn: Callable[[], object], runs: int = 30) -> tuple[float, float]:
    fn()  # warm caches of compiled patterns and word lists
    samples = []
    for _ in range(runs):
        sentences._split_paragraph.cache_clear()
        c0 = time.process_time()
        fn()
        samples.append((time.process_time() - c0) * 1000)
    return min(samples[:7]), statistics.median(samples)


class ZeroEmbedder:
    """Stands in for the encoder so only the pure enrichment is timed."""

    name = "zero"
    dim = 512

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        out[:, 0] = 1.0
        return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="/tmp/entities-baseline")
    args = ap.parse_args()
    splits = {"dev": load("dev.jsonl"), "held-out": load("heldout.jsonl")}
    baseline = load_baseline(Path(args.baseline))
    systems: list[tuple[str, Extractor]] = []
    if baseline is not None:
        systems.append(("baseline", baseline.extract_entities_rules))
    else:
        print(f"(no baseline copy in {args.baseline}: current rules only)")
    systems.append(("current", entities.extract_entities_rules))
    for split, rows in splits.items():
        n_en = sum(1 for r in rows if r["lang"] == "en")
        print(f"{split}: {len(rows)} sentences ({n_en} English, {len(rows) - n_en} Spanish), "
              f"{sum(len(r['entities']) for r in rows)} gold entities")  # type: ignore[arg-type]
        for label, fn in systems:
            print_scores(label, score(fn, rows))
        for lang in ("en", "es"):
            part = [r for r in rows if r["lang"] == lang]
            cells = "  ".join(f"{label} F1 {score(fn, part)['all'][2]:.2f}"
                              for label, fn in systems)
            print(f"  by language {lang}: {cells}")

    all_rows = splits["dev"] + splits["held-out"]
    english = SEED.read_text(encoding="utf-8") if SEED.exists() else " ".join(
        str(r["text"]) for r in all_rows if r["lang"] == "en")
    spanish = " ".join(str(r["text"]) for r in all_rows if r["lang"] == "es")
    print("cost per 600-word article (CPU ms; best of 7 / median of 30):")
    for lang, body in (("en", words_600(english)), ("es", words_600(spanish))):
        for label, fn in systems:
            best, med = cpu_ms(lambda fn=fn, body=body, lang=lang: fn(body, lang))
            print(f"  {lang} entities ({label} rules):{'':<4}{best:6.2f} / {med:6.2f}")
        best, med = cpu_ms(lambda body=body, lang=lang: figures.find_figures(body, lang))
        print(f"  {lang} figures (find_figures):      {best:6.2f} / {med:6.2f}")
        best, med = cpu_ms(lambda body=body, lang=lang: (
            entities.extract_entities_rules(body, lang), figures.find_figures(body, lang)))
        print(f"  {lang} entities + figures:          {best:6.2f} / {med:6.2f}")

        def prepare(body: str = body, lang: str = lang) -> None:
            art = Article(title="Border talks", text=body, lang=lang)
            prepare_articles([art], ZeroEmbedder())
            figures.find_figures(art.text, art.lang)

        best, med = cpu_ms(prepare)
        print(f"  {lang} prepare (no encoder) + figures: {best:6.2f} / {med:6.2f}")
    loadavg = Path("/proc/loadavg")
    load_now = " ".join(loadavg.read_text().split()[:3]) if loadavg.exists() else "?"
    print(f"(load average {load_now}; rules path, spaCy not used)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
