"""Refresh throughput: 1, 2 and 3 workers on PostgreSQL beside one process on SQLite.

    .venv/bin/python bench/workers.py [--feeds 200] [--entries 20] [--workers 1,2,3]

A news site on 127.0.0.1 (bench/feedsite.py, in its own process) serves `feeds` RSS feeds of
`entries` teaser entries each; every entry's page holds the whole article, so each entry costs a
page fetch, an extraction and an enrichment (the bundled USE embedder). Texts are ECB+ articles
from ../shared/data when present (made distinct per entry), else a placeholder text.

For each configuration, a fresh database gets the feeds, then:
  sqlite        the refresh in this process (tasks.refresh_due), timed stage by stage
  pg xN         N `newsdesk worker --once` processes on one PostgreSQL database (pgserver)
Entries per second = entries stored and enriched / wall time until every process is done.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from feedsite import FeedSite

from newsdesk.config import Config
from newsdesk.model import Feed
from newsdesk.pipeline import Pipeline
from newsdesk.store import Store, open_store
from newsdesk.tasks import refresh_due

ECB = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories" / "ecbplus-dev.jsonl"
ENV = {"NEWSDESK_ALLOW_PRIVATE": "1", "NEWSDESK_PER_HOST_DELAY": "0", "NEWSDESK_EMBEDDER": "use"}


def texts() -> list[tuple[str, str]]:
    if not ECB.is_file():
        return []
    out, seen = [], set()
    with open(ECB, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            text = rec["text"].replace("{", "(").replace("}", ")")
            if len(text) >= 800 and text not in seen:  # ECB+ repeats some texts
                seen.add(text)
                out.append((rec["title"], text))
    return out


def _serve(feeds: int, entries: int, conn: Any) -> None:
    site = FeedSite(feeds=feeds, entries=entries, teaser=True, texts=texts())
    with site.serve() as base:
        conn.send(base)
        conn.recv()  # until told to stop


def subscribe(store: Store, base: str, feeds: int) -> None:
    for n in range(feeds):
        store.add_feed(Feed(url=f"{base}/feed/{n}.xml"))


def check(store: Store, expected: int) -> str:
    stored, todo = store.count_articles(), store.count_unenriched()
    return "ok" if (stored, todo) == (expected, 0) else f"MISMATCH stored {stored}, todo {todo}"


def run_sqlite(base: str, feeds: int, expected: int, folder: Path) -> dict[str, Any]:
    for key, value in ENV.items():
        os.environ[key] = value
    store = open_store(folder / "bench.db")
    subscribe(store, base, feeds)
    pipeline = Pipeline(store, Config())
    pipeline.embedder.embed(["warm up the encoder"])
    start = time.perf_counter()
    refresh_due(pipeline)
    wall = time.perf_counter() - start
    stages = dict(pipeline.timings.seconds)
    stages["fetch, parse, other"] = wall - sum(stages.values())
    status = check(store, expected)
    store.close()
    return {"wall": wall, "stages": stages, "status": status}


def run_pg(base: str, feeds: int, expected: int, url: str, workers: int) -> dict[str, Any]:
    store = open_store(url)
    subscribe(store, base, feeds)
    env = {**os.environ, **ENV}
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "newsdesk", "--db", url, "worker", "--once"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True) for _ in range(workers)]
    errors = [p.communicate()[1] for p in procs]
    wall = time.perf_counter() - start
    failed = [e[-500:] for p, e in zip(procs, errors, strict=True) if p.returncode != 0]
    status = check(store, expected) + (f"; worker failed: {failed}" if failed else "")
    store.close()
    return {"wall": wall, "status": status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--workers", default="1,2,3")
    args = parser.parse_args()
    expected = args.feeds * args.entries
    counts = [int(n) for n in args.workers.split(",") if n.strip()]

    import pgserver
    import psycopg

    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    folder = Path(tempfile.mkdtemp(prefix="newsdesk-bench-workers-"))
    server = pgserver.get_server(folder / "pg", cleanup_mode="stop")
    admin = server.get_uri()

    parent, child = mp.Pipe()
    site = mp.Process(target=_serve, args=(args.feeds, args.entries, child), daemon=True)
    site.start()
    base = parent.recv()
    print(f"{args.feeds} feeds x {args.entries} entries = {expected} entries, pages from {base}; "
          f"texts: {'ECB+' if ECB.is_file() else 'placeholder'}; {os.cpu_count()} CPUs")

    rows = []
    for n in counts:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE bench_{n}")
        url = admin.replace("/postgres?", f"/bench_{n}?")
        got = run_pg(base, args.feeds, expected, url, n)
        rows.append((f"PostgreSQL, {n} worker{'s' if n > 1 else ''}", got))
        print(f"  pg x{n}: {got['wall']:.1f} s, {expected / got['wall']:.1f} entries/s, "
              f"{got['status']}", flush=True)
    sqlite = run_sqlite(base, args.feeds, expected, folder)
    rows.append(("SQLite, one process", sqlite))
    print(f"  sqlite: {sqlite['wall']:.1f} s, {expected / sqlite['wall']:.1f} entries/s, "
          f"{sqlite['status']}", flush=True)
    parent.send("stop")
    site.join(timeout=10)
    server.cleanup()

    one = next((g["wall"] for name, g in rows if name.startswith("PostgreSQL, 1 ")), None)
    print("\n| configuration | wall (s) | entries/s | vs 1 PostgreSQL worker | check |")
    print("|---|---|---|---|---|")
    for name, got in rows:
        ratio = f"{one / got['wall']:.2f}x" if one else "-"
        print(f"| {name} | {got['wall']:.1f} | {expected / got['wall']:.1f} | {ratio} | "
              f"{got['status']} |")
    print("\nSQLite run, cost per entry by stage (ms):")
    for stage, seconds in sorted(sqlite["stages"].items(), key=lambda kv: -kv[1]):
        print(f"  {stage:22s} {1000 * seconds / expected:7.1f}")


if __name__ == "__main__":
    main()
