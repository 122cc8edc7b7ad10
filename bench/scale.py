"""Cost at 100,000 stored articles on SQLite: assigning a story, similar articles, search.

    .venv/bin/python bench/scale.py [--db /tmp/newsdesk-scale.db] [--articles 100000]
                                    [--samples 300] [--before SRC] [--rebuild]

Issue 6's targets: assigning one article to a story <= 5 ms median (embedding excluded),
similar articles p95 <= 10 ms, search p95 <= 50 ms. Prints median and p95 (ms) of each.

The store. `--db` is built once (6-13 minutes here) and reused; each run works on a fresh copy
(`PATH.run`), so the measurements never pile onto the cache. It is made like this:

1. Real texts, really enriched: 772 ECB+ articles, 1,114 BBC articles, 1,600 AG News items
   (title + description: the short, feed-teaser kind of article) and the Spanish texts of the
   SemEval-2022 task 8 pairs (613), all read from ../shared/data. Each goes through
   `prepare_articles` with the USE embedder (language, embedding, section, summary, entities,
   key facts): 4,099 real articles, cached in /tmp (under a minute the first time).
2. Events. Story sizes are drawn from a Zipf law (a = 2, capped at 300): about 60% of stories
   have one article, the biggest a few hundred, ~4 articles each on average. An event is one
   real base article b, a "twist" article t of the same section and language, and a random
   article u: its centre is norm(b + 0.6 (t - u) + gaussian noise of norm 0.4).
3. Articles. A member of an event gets the vector norm(centre + 0.45 (r1 - r2) + noise of
   norm 0.35) for random real vectors r1, r2 (same-event cosine: mean 0.68, 10th percentile
   0.64; other events 0.05; ECB+'s real figures 0.72 and 0.24), and a text made from b's
   (first paragraph kept, the others shuffled, each dropped with p=0.2, t's first paragraph
   inserted, a dateline with the day and outlet in front), b's title (one word swapped for
   one of t's with p=0.5, " - Outlet" added with p=0.3), b's summary, key facts and entities
   (plus t's first three), one of 200 outlets, a unique URL and id. Event starts are uniform
   over 60 days; members follow at exponential delays (mean 18 h, at most 7 days).
4. Storing, in publish order, through the store contract as the pipeline does:
   `put_article`, `save_enrichment`, `link`. The similar list passed to `link` is the exact top
   10 by cosine among the articles stored before it (what `nearest` would return then; `link`
   adds the reverse links), and the story is the event's (the first article starts it). The
   clustering itself is not replayed: with 100,000 articles that alone would take an hour.

The measurements (each over `--samples` samples, same seeds for every run):
  open       open_store on the copy (twice: the first applies the migrations it lacks), then
             the first `nearest` (loads the vector cache, builds the graph past 20,000)
  assign     Pipeline.link_article on new articles already stored and enriched (half join an
             event active in the last 7 days, half start their own): nearest, choose_story
             (threshold 0.6), link; then its parts timed again on the same articles.
             Embedding excluded, as the issue says.
  similar    the article page's list, store.similar(id, 10), for random articles; nearest
             (k=10) alone for the same articles; the page's "Similar articles" list
             (stories/related.py similar_articles: stored links scored by relatedness), its
             "More on this story" list (more_on_story) and story box (story + coverage).
  search     newsdesk.search.search as the search page calls it (hybrid, limit 30), query
             embedding included; keyword-only; the query embedding alone. Queries: 1-4 words,
             half hand-written (English and Spanish), half cut from random English titles.

`--before SRC` first runs the same measurements in a child process with SRC (for instance
an unpacked `git archive HEAD src`) first on PYTHONPATH, then prints both side by side.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

import newsdesk
from newsdesk.config import Config
from newsdesk.enrich.embed import get_embedder
from newsdesk.enrich.prepare import prepare_articles
from newsdesk.ingest.normalise import normalise
from newsdesk.model import Article, Entity
from newsdesk.pipeline import Pipeline
from newsdesk.search import search
from newsdesk.store import Store, open_store
from newsdesk.stories.cluster import choose_story
from newsdesk.stories.related import more_on_story, similar_articles

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BASES = Path("/tmp/newsdesk-scale-bases.pkl")
START = datetime(2024, 3, 1, tzinfo=UTC)
DAYS = 60
KEEP = 10  # similar_count's default
THRESHOLD = 0.6  # story_threshold's default
OUTLETS = [f"Outlet {i}" for i in range(200)]
AG_LABELS = {"1": "world", "2": "sport", "3": "business", "4": "technology"}

ENGLISH = [
    "oil prices", "Google", "iPod", "Iraq election", "Tony Blair", "Chelsea", "interest rates",
    "earthquake", "Lindsay Lohan rehab", "Microsoft", "stock market", "World Cup", "Olympics",
    "hurricane", "Arsenal Wenger", "budget deficit", "mobile phones", "Oscar nominations",
    "tsunami aid", "strike", "Apple", "broadband", "Yukos", "euro dollar", "coronavirus vaccine",
    "police shooting", "plane crash", "Nokia", "Sony PlayStation", "Champions League",
    "terror attack", "Iran nuclear talks", "China economy", "jobs report", "music downloads",
    "box office", "Labour election campaign", "immigration", "rugby", "Six Nations",
    "bank merger", "layoffs", "Boeing", "space station", "NASA Mars", "Intel chips", "hackers",
    "Darfur", "Arafat", "Red Sox", "Tiger Woods", "Formula One", "murder trial",
]
SPANISH = [
    "precio del petróleo", "elecciones", "terremoto", "frontera", "vacuna coronavirus",
    "tipos de interés", "bolsa", "fútbol", "Copa del Mundo", "huracán", "accidente de avión",
    "ataque terrorista", "economía china", "desempleo", "inmigración", "policía detenido",
    "incendio forestal", "huelga", "banco central", "teléfonos móviles", "premios Oscar",
    "Juegos Olímpicos", "guerra en Irak", "acuerdo nuclear con Irán", "pandemia", "hospital",
    "cambio climático", "impuestos", "presupuesto del gobierno", "Trump", "México", "Venezuela",
    "Real Madrid", "tenis", "piratas informáticos", "fusión bancaria", "despidos", "aerolínea",
    "estación espacial", "homicidio", "juicio", "tribunal supremo", "protestas", "sanidad",
    "presidente electo", "lluvias inundaciones", "cine", "música", "empresa tecnológica",
]


# -- the real bases ---------------------------------------------------------------------------

def _read_bases() -> list[Article]:
    out = []
    with open(DATA / "stories" / "ecbplus-dev.jsonl", encoding="utf-8") as fh:
        for rec in map(json.loads, fh):
            out.append(Article(title=rec["title"], text=rec["text"] or rec["title"], lang="en"))
    with open(DATA / "sections" / "bbc-dev.jsonl", encoding="utf-8") as fh:
        for rec in map(json.loads, fh):
            out.append(Article(title=rec["title"], text=rec["text"], lang="en",
                               publisher_section=rec["section"]))
    with open(DATA / "sections" / "agnews" / "test.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for rec in rows[::4][:1600]:
        out.append(Article(title=rec["title"], text=rec["description"].replace("\\", " "),
                           lang="en", publisher_section=AG_LABELS[rec["label"]]))
    csv.field_size_limit(10**8)
    spanish: set[str] = set()
    for name in ("training_set.csv", "testing_set.csv"):
        with open(DATA / "similarity" / "semeval2022-task8" / name, encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                for lang, text in ((rec["lang1"], rec["text1"]), (rec["lang2"], rec["text2"])):
                    if lang == "es" and len(text) > 300:
                        spanish.add(text.strip())
    for text in sorted(spanish):
        words = text.split()
        title, body = " ".join(words[:12]), " ".join(words[12:])
        # the texts are one block: cut it into paragraphs of about four sentences
        sentences = body.replace(". ", ".\n").split("\n")
        paras = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
        out.append(Article(title=title, text="\n\n".join(paras), lang="es"))
    for a in out:
        normalise(a)
    return out


def load_bases() -> list[Article]:
    if BASES.is_file():
        with open(BASES, "rb") as fh:
            cached: list[Article] = pickle.load(fh)
            return cached
    bases = _read_bases()
    embedder = get_embedder("use")
    started = time.perf_counter()
    for i in range(0, len(bases), 64):
        prepare_articles(bases[i:i + 64], embedder)
        print(f"  prepared {min(i + 64, len(bases))}/{len(bases)} real articles "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    with open(BASES, "wb") as fh:
        pickle.dump(bases, fh)
    return bases


# -- the synthetic corpus ---------------------------------------------------------------------

def _unit(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=-1, keepdims=True)).astype(np.float32)


def _gauss(rng: np.random.Generator, n: int, dim: int, norm: float) -> np.ndarray:
    return rng.standard_normal((n, dim)).astype(np.float32) * (norm / np.sqrt(dim))


class Corpus:
    """Events and articles made from the real bases (see the module docstring)."""

    def __init__(self, bases: list[Article], seed: int = 6) -> None:
        self.bases = bases
        self.matrix = np.vstack([b.embedding for b in bases]).astype(np.float32)
        self.rng = np.random.default_rng(seed)
        self.groups: dict[tuple[str, str], list[int]] = {}
        for i, b in enumerate(bases):
            self.groups.setdefault((b.lang or "en", b.section or ""), []).append(i)

    def events(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(base, twist) indices and centres of n new events."""
        base = self.rng.integers(0, len(self.bases), n)
        twist = np.array([self.rng.choice(self.groups[(self.bases[b].lang or "en",
                                                        self.bases[b].section or "")])
                          for b in base])
        other = self.rng.integers(0, len(self.bases), n)
        centre = _unit(self.matrix[base] + 0.6 * (self.matrix[twist] - self.matrix[other])
                       + _gauss(self.rng, n, self.matrix.shape[1], 0.4))
        return base, twist, centre

    def members(self, centres: np.ndarray) -> np.ndarray:
        n = len(centres)
        r1 = self.matrix[self.rng.integers(0, len(self.bases), n)]
        r2 = self.matrix[self.rng.integers(0, len(self.bases), n)]
        return _unit(centres + 0.45 * (r1 - r2) + _gauss(self.rng, n, centres.shape[1], 0.35))

    def article(self, n: int, base: int, twist: int, published: datetime,
                vector: np.ndarray) -> Article:
        rng = random.Random(n)
        b, t = self.bases[base], self.bases[twist]
        paras = b.paragraphs()
        rest = [p for p in paras[1:] if rng.random() > 0.2]
        rng.shuffle(rest)
        extra = t.paragraphs()[:1]
        rest[rng.randint(0, len(rest)):rng.randint(0, len(rest))] = extra
        title = b.title
        words = title.split()
        if words and rng.random() < 0.5 and t.title.split():
            words[rng.randrange(len(words))] = rng.choice(t.title.split())
            title = " ".join(words)
        source = OUTLETS[rng.randrange(len(OUTLETS))]
        if rng.random() < 0.3:
            title += f" - {source}"
        slug = hashlib.blake2b(f"{n}".encode(), digest_size=6).hexdigest()
        dateline = f"{published:%B} {published.day} ({source}) - "
        a = Article(
            title=title, text=dateline + "\n\n".join(paras[:1] + rest),
            external_id=f"scale-{n}",
            url=f"https://{source.replace(' ', '').lower()}.example/{published:%Y/%m/%d}/{slug}",
            source=source, published=published,
            fetched=published + timedelta(minutes=rng.randint(1, 90)), lang=b.lang,
            publisher_section=b.publisher_section)
        normalise(a)
        a.section, a.summary, a.key_facts = b.section, b.summary, list(b.key_facts)
        a.entities = list(b.entities) + [Entity(e.text, e.type) for e in t.entities[:3]]
        a.embedding = vector
        return a

    def plan(self, total: int) -> dict[str, np.ndarray]:
        """Events with Zipf sizes until `total` articles, in publish order."""
        sizes: list[int] = []
        while sum(sizes) < total:
            sizes.append(int(min(300, self.rng.zipf(2.0))))
        sizes[-1] -= sum(sizes) - total
        base, twist, centre = self.events(len(sizes))
        event = np.repeat(np.arange(len(sizes)), sizes)
        start = self.rng.uniform(0, DAYS * 86400, len(sizes))
        delay = np.minimum(self.rng.exponential(18 * 3600, total), 7 * 86400)
        first = np.r_[0, np.cumsum(sizes)[:-1]]
        delay[first] = 0
        when = start[event] + delay
        late = when >= DAYS * 86400  # past the 60 days: somewhere between its start and the end
        when[late] = start[event[late]] + self.rng.uniform(0, 1, late.sum()) * (
            DAYS * 86400 - start[event[late]])
        order = np.argsort(when, kind="stable")
        event = event[order]
        return {"event": event, "when": when[order], "base": base, "twist": twist,
                "centre": centre, "vectors": self.members(centre[event])}


def earlier_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the k rows before it with the highest cosine (index -1 when fewer)."""
    n = len(vectors)
    idx = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    block = 1024
    for s in range(0, n, block):
        e = min(n, s + block)
        scores = vectors[s:e] @ vectors[:e].T
        scores[np.arange(e - s)[:, None] <= np.arange(e)[None, :] - s] = -np.inf
        take = min(k, e)
        top = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        part = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-part, axis=1, kind="stable")
        idx[s:e, :take] = np.take_along_axis(top, order, axis=1)
        sims[s:e, :take] = np.take_along_axis(part, order, axis=1)
    idx[~np.isfinite(sims)] = -1
    return idx, sims


def build(db: Path, corpus: Corpus, total: int) -> None:
    started = time.perf_counter()
    plan = corpus.plan(total)
    idx, sims = earlier_neighbours(plan["vectors"], KEEP)
    print(f"  plan and exact earlier neighbours: {time.perf_counter() - started:.0f} s",
          flush=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(db)
    stories: dict[int, int] = {}
    ids = np.zeros(total, dtype=np.int64)
    for n in range(total):
        ev = int(plan["event"][n])
        published = START + timedelta(seconds=float(plan["when"][n]))
        a = corpus.article(n, int(plan["base"][ev]), int(plan["twist"][ev]), published,
                           plan["vectors"][n])
        vector, a.embedding = a.embedding, None
        put = store.put_article(a)
        if put.outcome == "duplicate":  # same text, outlet and day: a later edition
            a.text += f"\n\n(Corrected version {n}.)"
            normalise(a)
            put = store.put_article(a)
        assert put.outcome == "inserted" and put.id is not None, put
        a.embedding = vector
        store.save_enrichment(a)
        ids[n] = put.id
        similar = [(int(ids[j]), float(s)) for j, s in zip(idx[n], sims[n], strict=True)
                   if j >= 0]
        story = store.link(put.id, similar, KEEP, story_id=stories.get(ev),
                           new_story_title=a.title)
        assert story is not None
        stories.setdefault(ev, story)
        if (n + 1) % 10000 == 0:
            print(f"  stored {n + 1} articles ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    store.close()
    np.savez(f"{db}.plan.npz", ids=ids, **plan)
    print(f"built {db}: {total} articles, {len(stories)} stories in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


# -- measuring --------------------------------------------------------------------------------

def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, out


def story_box(store: Store, art: Article) -> None:
    """What the article page reads for its "N outlets cover this story" box."""
    story = store.story(art.story_id) if art.story_id else None
    if story is not None and len(story.article_ids) >= 2:
        store.story_coverage([story.id])


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p95": float(np.percentile(values, 95)),
            "n": len(values)}


def queries(corpus: Corpus, count: int) -> list[str]:
    rng = random.Random(7)
    out = []
    english = [b for b in corpus.bases if b.lang == "en"]
    for i in range(count):
        if i % 2 == 0:
            out.append(rng.choice(ENGLISH if i % 4 == 0 else SPANISH))
            continue
        words = [w.strip(".,:;'\"()?!") for w in rng.choice(english).title.split()]
        words = [w for w in words if w]
        size = rng.randint(1, min(4, len(words)))
        start = rng.randint(0, len(words) - size)
        out.append(" ".join(words[start:start + size]))
    return out


def measure(db: Path, corpus: Corpus, samples: int) -> dict[str, dict[str, float]]:
    plan = dict(np.load(f"{db}.plan.npz"))
    work = Path(f"{db}.run")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, work)
    corpus.rng = np.random.default_rng(12)  # the same samples whether or not we just built
    out: dict[str, dict[str, float]] = {}
    t_migrate, store = timed(open_store, work)  # applies the migrations the copy lacks
    store.close()
    t_open, store = timed(open_store, work)
    probe = plan["vectors"][0]
    t_load, _ = timed(lambda: store.nearest(probe, KEEP))
    out["open_store, first time (migrations)"] = summary([t_migrate])
    out["open_store"] = summary([t_open])
    out["first nearest (vector cache load)"] = summary([t_load])
    # the graph is built in a background thread (searches are exact meanwhile): measure
    # the steady state, after it is ready
    cache = getattr(store, "_vectors", None)
    t_graph, _ = timed(lambda: cache.wait_for_graph() if hasattr(cache, "wait_for_graph")
                       else None)
    out["graph build, after the first nearest"] = summary([t_graph])
    print(f"open {t_open:.0f} ms, first nearest {t_load:.0f} ms, graph ready "
          f"{t_graph:.0f} ms later ({store.count_articles()} articles)", flush=True)

    rng = np.random.default_rng(11)
    total = len(plan["ids"])
    end = START + timedelta(days=DAYS)
    # new articles: half join an event with an article in the last 7 days, half are new
    recent = np.nonzero(plan["when"] >= (DAYS - 7) * 86400)[0]
    joining = plan["event"][rng.choice(recent, samples // 2)]
    base, twist, centre = corpus.events(samples - len(joining))
    bases = np.r_[plan["base"][joining], base]
    twists = np.r_[plan["twist"][joining], twist]
    vectors = corpus.members(np.vstack([plan["centre"][joining], centre]))
    fresh = []
    for i in range(samples):
        a = corpus.article(total + i, int(bases[i]), int(twists[i]),
                           end + timedelta(minutes=i), vectors[i])
        vector, a.embedding = a.embedding, None
        put = store.put_article(a)
        assert put.id is not None
        a.embedding = vector
        store.save_enrichment(a)
        fresh.append(a)
    pipeline = Pipeline(store, Config(embedder="use", similar_count=KEEP,
                                      story_threshold=THRESHOLD))
    t_assign = [timed(pipeline.link_article, a)[0] for a in fresh]
    # its parts, timed again on the same articles (now linked): reads and one more link
    t_near, t_choose, t_link = [], [], []
    for a in fresh:
        assert a.id is not None
        t1, hits = timed(store.nearest, a.embedding, KEEP, exclude=a.id)
        t2, story = timed(choose_story, store, a, THRESHOLD)
        t3, _ = timed(store.link, a.id, hits, KEEP, story_id=story,
                        new_story_title=a.title)
        t_near.append(t1)
        t_choose.append(t2)
        t_link.append(t3)
    out["assign: Pipeline.link_article"] = summary(t_assign)
    out["  nearest (k=10)"] = summary(t_near)
    out["  choose_story"] = summary(t_choose)
    out["  link"] = summary(t_link)

    picks = [int(plan["ids"][i]) for i in rng.choice(total, samples, replace=False)]
    t_similar, t_nearest, t_story, t_more, t_related = [], [], [], [], []
    found: list[float] = []  # share of the exact top 10 that nearest returned
    everything = np.vstack([plan["vectors"], vectors])
    every_id = np.r_[plan["ids"], [a.id for a in fresh]]
    for article_id in picks:
        t_similar.append(timed(store.similar, article_id, KEEP)[0])
        art = store.get_article(article_id)
        assert art is not None and art.story_id is not None
        took, near = timed(store.nearest, art.embedding, KEEP, exclude=art.id)
        t_nearest.append(took)
        scores = everything @ art.embedding
        scores[every_id == art.id] = -np.inf
        exact = set(every_id[np.argpartition(-scores, KEEP)[:KEEP]].tolist())
        found.append(len(exact & {i for i, _ in near}) / KEEP)

        t_story.append(timed(story_box, store, art)[0])
        took, more = timed(more_on_story, store, art)
        t_more.append(took)
        shown = {f.article.id for f in more if f.article.id}
        t_related.append(timed(similar_articles, store, art, exclude=shown)[0])
    out["similar: similar_articles, the page's list"] = summary(t_related)
    out["  store.similar(id, 10), the stored links it scores"] = summary(t_similar)
    out["  nearest alone (k=10)"] = summary(t_nearest)
    out["recall"] = {"mean": statistics.mean(found), "min": min(found)}
    out["  more_on_story, the page's other list"] = summary(t_more)
    out["  the page's story box (story + coverage)"] = summary(t_story)

    embedder = get_embedder("use")
    embedder.embed(["warm up"])
    t_hybrid, t_keyword, t_embed = [], [], []
    for q in queries(corpus, samples):
        t_embed.append(timed(embedder.embed, [q])[0])
        t_keyword.append(timed(search, store, None, q, limit=30, mode="keyword")[0])
        t_hybrid.append(timed(search, store, embedder, q, limit=30)[0])
    out["search: hybrid, limit 30"] = summary(t_hybrid)
    out["  keyword only"] = summary(t_keyword)
    out["  query embedding alone"] = summary(t_embed)
    store.close()
    return out


def table(runs: dict[str, dict[str, dict[str, float]]]) -> str:
    names = list(runs)
    head = "| ms | " + " | ".join(f"{n} median | {n} p95" for n in names) + " |"
    lines = [head, "|---" * (1 + 2 * len(names)) + "|"]
    for key in runs[names[-1]]:
        if key == "recall":
            continue
        cells = []
        for n in names:
            s = runs[n].get(key)
            cells += [f"{s['median']:.1f}", f"{s['p95']:.1f}"] if s else ["", ""]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines.append("nearest's share of the exact top 10 (mean, worst): " + ", ".join(
        f"{n} {runs[n]['recall']['mean']:.3f}, {runs[n]['recall']['min']:.1f}" for n in names))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/newsdesk-scale.db"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--before", type=Path, help="another src/ to measure first")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (DATA / "stories" / "ecbplus-dev.jsonl").is_file():
        sys.exit(f"{DATA} is absent")
    corpus = Corpus(load_bases())
    if args.rebuild or not args.db.is_file() or not Path(f"{args.db}.plan.npz").is_file():
        build(args.db, corpus, args.articles)
        # measure in a fresh process: after the big matrix products of the build, numpy's
        # BLAS threads made every later nearest() 30 times slower in this one
        os.execv(sys.executable, [sys.executable, __file__,
                                  *[a for a in sys.argv[1:] if a != "--rebuild"]])
    runs = {}
    if args.before:
        out = Path(f"{args.db}.before.json")
        env = dict(os.environ, PYTHONPATH=f"{args.before}{os.pathsep}"
                   f"{os.environ.get('PYTHONPATH', '')}")
        subprocess.run([sys.executable, __file__, "--db", str(args.db), "--samples",
                        str(args.samples), "--json", str(out)], env=env, check=True)
        runs["before"] = json.loads(out.read_text())
    print(f"measuring with {Path(newsdesk.__file__).parent}", flush=True)
    runs["after" if args.before else "now"] = measure(args.db, corpus, args.samples)
    if args.json:
        args.json.write_text(json.dumps(runs["now"]))
    print(table(runs))


if __name__ == "__main__":
    main()
