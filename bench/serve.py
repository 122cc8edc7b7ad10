"""Pages under load at 100,000 stored articles: p50, p95 and requests/s per page.

    PYTHONPATH=src .venv/bin/python bench/serve.py [--db /tmp/newsdesk-serve.db]
        [--workers 2] [--clients 16] [--seconds 10] [--warmup 2] [--no-cache] [--pages ...]
        [--writes 0] [--article-writes 0] [--settle 0]

Issue 8's target: home, section, article, story and search pages with 16 concurrent clients
on this 2-core machine: p95 <= 100 ms and >= 150 requests/s, and >= 50% of what the same load
gets from a trivial endpoint (/health: the framework's own ceiling) in the same run.

The database is the one bench/scale.py builds (100,000 articles made from real, enriched texts,
with stories and similar links; see its docstring): a copy of /tmp/newsdesk-scale.db when that
exists, else built here with scale.build (6-13 minutes, needs ../shared/data). The copy is kept
at --db and reused; opening it applies the migrations it lacks.

`newsdesk serve --workers N` runs in a child process on a free port. The load comes from this
process: --clients keep-alive HTTP/1.1 connections (asyncio, no HTTP library: the client must
cost the 2 cores as little as possible), each sending its next request as soon as the last
answer is read, for --seconds per page. Each page cycles through many addresses: 300
articles, 150 stories (two or more articles), 9 sections x up to 3 pages, 96 searches
(English and Spanish, as bench/scale.py); each connection starts at its own place in the
list. Before measuring, --warmup passes (unmeasured): new connections each pass, every
connection requests every address of the page once, so each server process has built each
page once, as an audience reading the same news would make it. Every answer must be 200.
--no-cache serves with page_cache = 0: every request builds its page, the cost of a first
view (or of a database that changes between any two requests). What only changes with the
data it comes from is still kept in each process (a story's digest by the story's version,
a query's vector, a text's shingles): a warm-up builds those, --warmup 0 measures them being
built. --writes N commits N small writes a second from another connection while measuring (a
desk whose workers record feed checks and host holds all the time), a row of host_holds for
the host "bench-writer", which no page shows: the page cache must outlive them.
--article-writes N stores N new articles a second through the store (a desk that ingests all
the time): each one is on the front page and makes every kept page stale, though a kept page
is still served for --max-stale seconds after it was made (the page_max_stale setting, 5 by
default; 0 shows every change on the next request, so every page is built again after each
new article). --settle S waits S
seconds after the server answers before the first request: each process builds its vector
graph in the background after start (store/vectors.py; 1-2 minutes of both cores at 100,000
articles on this machine under load), which otherwise runs during the first pages measured.

The machine is shared: absolute figures move with the load of others, the ratio to the trivial
endpoint in the same run much less.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

from newsdesk.model import Article
from newsdesk.store import open_store

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SCALE_DB = Path("/tmp/newsdesk-scale.db")
PAGES = ("trivial", "home", "section", "article", "story", "search")
SECTIONS = ("politics", "world", "business", "technology", "science", "health", "sport",
            "culture", "environment")


def ensure_db(db: Path, articles: int) -> None:
    """A 100,000-article database at `db`: copied from bench/scale.py's, or built by it."""
    if db.is_file():
        return
    if not SCALE_DB.is_file():
        sys.path.insert(0, str(BENCH))
        import scale  # bench/scale.py: heavy imports, only when building

        print(f"building {SCALE_DB} with bench/scale.py ({articles} articles)...", flush=True)
        scale.build(SCALE_DB, scale.Corpus(scale.load_bases()), articles)
    print(f"copying {SCALE_DB} to {db}", flush=True)
    shutil.copyfile(SCALE_DB, db)


def addresses(db: Path, seed: int = 8) -> dict[str, list[str]]:
    """The addresses each page cycles through (read straight from the file, read-only)."""
    sys.path.insert(0, str(BENCH))
    from scale import ENGLISH, SPANISH  # the search queries bench/scale.py times

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rng = random.Random(seed)
    top = con.execute("SELECT MAX(id) FROM articles").fetchone()[0]
    picks = ",".join(str(rng.randint(1, top)) for _ in range(400))
    ids = [i for (i,) in con.execute(f"SELECT id FROM articles WHERE id IN ({picks})")][:300]
    sizes = dict(con.execute("SELECT section, COUNT(*) FROM articles GROUP BY section"))
    stories = [s for (s,) in con.execute(
        "SELECT story_id FROM articles WHERE story_id IS NOT NULL GROUP BY story_id "
        "HAVING COUNT(*) >= 2 ORDER BY story_id")]
    con.close()
    queries = list(ENGLISH[:48]) + list(SPANISH[:48])
    rng.shuffle(ids)
    rng.shuffle(queries)
    return {
        "trivial": ["/health"],
        "home": ["/"],
        "section": [f"/section/{s}?page={p}" if p > 1 else f"/section/{s}"
                    for s in SECTIONS for p in (1, 2, 3) if p == 1 or sizes.get(s, 0) > 20 * p],
        "article": [f"/article/{i}" for i in ids],
        "story": [f"/story/{s}" for s in rng.sample(stories, min(150, len(stories)))],
        "search": [f"/search?q={quote_plus(q)}" for q in queries],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int, workers: int, cache: bool,
                 max_stale: float = 5.0) -> subprocess.Popen[bytes]:
    path = f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    env = dict(os.environ, PYTHONPATH=path, NEWSDESK_PAGE_CACHE="2000" if cache else "0",
               NEWSDESK_PAGE_MAX_STALE=str(max_stale))
    proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "--db", str(db), "serve",
                             "--port", str(port), "--workers", str(workers)], env=env)
    deadline = time.monotonic() + 300  # the first open may apply migrations (16 s for FTS)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"newsdesk serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("newsdesk serve did not answer in 300 s")


# -- the load ---------------------------------------------------------------------------------

async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                   if line.lower().startswith("content-length:")), None)
    if length is None:
        raise RuntimeError(f"no Content-Length in {lines[0]!r}")
    await reader.readexactly(length)
    return status


async def _client(port: int, urls: list[str], start: int, until: float, count: int | None,
                  times: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = start
    try:
        while time.perf_counter() < until and (count is None or n < start + count):
            url = urls[n % len(urls)]
            n += 1
            began = time.perf_counter()
            writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            status = await _read_response(reader)
            times.append(time.perf_counter() - began)
            if status != 200:
                errors.append(f"{url}: {status}")
    finally:
        writer.close()


async def load(port: int, urls: list[str], clients: int, seconds: float,
               count: int | None = None) -> tuple[list[float], list[str], float]:
    """`clients` connections for `seconds` (or until each made `count` requests), each
    starting at its own place in `urls`."""
    times: list[float] = []
    errors: list[str] = []
    began = time.perf_counter()
    until = began + seconds
    await asyncio.gather(*(_client(port, urls, i * max(1, len(urls) // clients), until,
                                   count, times, errors) for i in range(clients)))
    return times, errors, time.perf_counter() - began


def measure(port: int, name: str, urls: list[str], clients: int,
            seconds: float) -> dict[str, float]:
    times, errors, took = asyncio.run(load(port, urls, clients, seconds))
    if errors:
        raise SystemExit(f"{name}: {len(errors)} answers were not 200, e.g. {errors[:3]}")
    times.sort()
    out = {"n": len(times), "rps": len(times) / took, "p50": statistics.median(times) * 1000,
           "p95": times[int(0.95 * (len(times) - 1))] * 1000}
    print(f"  {name:8s} {out['rps']:7.1f} req/s  p50 {out['p50']:6.1f} ms  "
          f"p95 {out['p95']:6.1f} ms  ({len(times)} requests)", flush=True)
    return out


def run(port: int, pages: dict[str, list[str]], clients: int, seconds: float,
        warmup: int) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    """Each page measured right after /health (the ceiling of that moment: the machine is
    shared, and its load moves within a run)."""
    out = []
    for name, urls in pages.items():
        if name == "trivial":
            continue
        for _ in range(warmup):  # every connection goes through every address; new
            # connections each pass, so every server process gets some
            asyncio.run(load(port, urls, clients, 3600.0, count=len(urls)))
        ceiling = measure(port, "trivial", pages["trivial"], clients, seconds)
        out.append((name, measure(port, name, urls, clients, seconds), ceiling))
    return out


def writer(db: Path, per_second: float, stop: threading.Event) -> None:
    """Commit `per_second` host-hold writes a second until `stop` is set."""
    con = sqlite3.connect(db, timeout=60, isolation_level=None)
    n = 0
    while not stop.wait(1.0 / per_second):
        n += 1
        con.execute("INSERT INTO host_holds(host, until) VALUES ('bench-writer', ?) "
                    "ON CONFLICT(host) DO UPDATE SET until = excluded.until", (str(n),))
    con.close()


def article_writer(db: Path, per_second: float, stop: threading.Event) -> None:
    """Store `per_second` new articles a second through the store until `stop` is set."""
    store = open_store(db)
    run = time.time_ns()
    n = 0
    while not stop.wait(1.0 / per_second):
        n += 1
        store.put_article(Article(
            title=f"Bench writer report {n}", section="world", source="Bench Writer",
            text=f"Report {n} of the bench writer.\n\nIt arrived while pages were served.",
            url=f"https://bench-writer.example/{run}/{n}", published=datetime.now(UTC)))
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/newsdesk-serve.db"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=int, default=2,
                        help="unmeasured passes of each connection over a page's addresses")
    parser.add_argument("--no-cache", action="store_true", help="serve with page_cache = 0")
    parser.add_argument("--pages", nargs="*", choices=PAGES, default=list(PAGES))
    parser.add_argument("--writes", type=float, default=0.0,
                        help="commits a second from another connection during the run")
    parser.add_argument("--article-writes", type=float, default=0.0,
                        help="new articles a second stored from another connection")
    parser.add_argument("--max-stale", type=float, default=5.0,
                        help="the page_max_stale setting (0: a change shows at once)")
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds to wait after start (vector graphs being built)")
    args = parser.parse_args()

    ensure_db(args.db, args.articles)
    urls = addresses(args.db)
    pages = {name: urls[name] for name in PAGES if name in args.pages or name == "trivial"}
    port = free_port()
    print(f"newsdesk serve --workers {args.workers} on {args.db} (page cache "
          f"{'off' if args.no_cache else 'on'}); {args.clients} clients, {args.seconds:g} s "
          f"per page after {args.warmup} warm-up pass(es)"
          + (f"; {args.writes:g} host-hold writes/s" if args.writes else "")
          + (f"; {args.article_writes:g} article writes/s" if args.article_writes else "")
          + (f"; page_max_stale {args.max_stale:g} s" if not args.no_cache else ""),
          flush=True)
    server = start_server(args.db, port, args.workers, cache=not args.no_cache,
                          max_stale=args.max_stale)
    time.sleep(args.settle)
    stop = threading.Event()
    if args.writes:
        threading.Thread(target=writer, args=(args.db, args.writes, stop), daemon=True).start()
    if args.article_writes:
        threading.Thread(target=article_writer, args=(args.db, args.article_writes, stop),
                         daemon=True).start()
    try:
        results = run(port, pages, args.clients, args.seconds, args.warmup)
    finally:
        stop.set()
        server.terminate()
        server.wait(30)
    print("\n| page | req/s | p50 ms | p95 ms | /health just before: req/s, p50, p95 "
          "| share of /health's req/s |")
    print("|---|---|---|---|---|---|")
    for name, r, t in results:
        print(f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{t['rps']:.0f}, {t['p50']:.1f}, {t['p95']:.1f} | {r['rps'] / t['rps']:.0%} |")


if __name__ == "__main__":
    main()
