"""Full-text completion across hosts: `refresh` of teaser feeds on several hosts, one host at a
time (fetch_hosts=1, the old behaviour) against several at once (the default, 8).

    PYTHONPATH=src .venv/bin/python bench/fulltext.py [--hosts 8] [--entries 10] [--delay 0.5]

Each host is a news site on its own 127.0.0.1 port (bench/feedsite.py) with a feed of
`entries` teaser entries whose pages carry the whole article, so every entry costs a page
fetch. The hosts' feeds are subscribed in a fresh SQLite database and refreshed once
(tasks.refresh_due, what `newsdesk refresh` runs); `delay` is per_host_delay. The embedder is
`hash` so that the figure is about fetching, not the model. Prints the wall time of each run and
checks that both stored every entry with its page's text.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from feedsite import FeedSite

from newsdesk.config import Config
from newsdesk.model import Feed
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store
from newsdesk.tasks import refresh_due


def run(bases: list[str], sites: list[FeedSite], fetch_hosts: int, delay: float,
        folder: Path) -> tuple[float, int, int]:
    store = open_store(folder / f"hosts-{fetch_hosts}.db")
    for n, base in enumerate(bases):  # host n serves feed n: its entries are its own
        store.add_feed(Feed(url=base + sites[n].feed_path(n)))
    pipeline = Pipeline(store, Config(allow_private=True, per_host_delay=delay,
                                      fetch_hosts=fetch_hosts, embedder="hash"))
    start = time.perf_counter()
    result = refresh_due(pipeline, every=True)
    seconds = time.perf_counter() - start
    pipeline.close()
    full = sum(1 for a in store.articles(limit=100_000) if "Part 1 of the report" in a.text)
    store.close()
    assert not result.refused, result.refused
    return seconds, result.imported, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.5)
    args = parser.parse_args()
    sites = [FeedSite(feeds=n + 1, entries=args.entries, teaser=True) for n in range(args.hosts)]
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        bases = [stack.enter_context(site.serve()) for site in sites]
        print(f"{args.hosts} hosts x {args.entries} teaser entries, per_host_delay "
              f"{args.delay:g} s")
        for fetch_hosts in (1, 8):
            seconds, imported, full = run(bases, sites, fetch_hosts, args.delay, Path(tmp))
            print(f"fetch_hosts={fetch_hosts}: {seconds:6.1f} s, {imported} entries stored, "
                  f"{full} with their page's full text")


if __name__ == "__main__":
    main()
