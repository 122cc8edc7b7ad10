"""Reading state at scale: unread counts, unread lists and marking, on a copy of a big database.

    PYTHONPATH=src .venv/bin/python bench/reading.py --db /tmp/accounts-100k.db

Works on the file given (it adds a user "bench-reader" and their state: use a copy). Prints the
median of `--repeat` runs of each read, in milliseconds, in four states of the reader: nothing
read, 2,000 articles read one by one, everything read but 50 marked unread again, and a whole
section read on top of a fresh watermark.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsdesk.store import Store, open_store


def timed(fn: Callable[[], Any], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def reads(store: Store, user_id: int, repeat: int, label: str) -> None:
    latest = [a.id for a in store.articles(limit=20, brief=True) if a.id is not None]
    stories = [s.id for s in store.stories(min_articles=2, limit=40)]
    figures = {
        "unread_counts": timed(lambda: store.unread_counts(user_id), repeat),
        "reading_list unread p1": timed(
            lambda: store.reading_list(user_id, view="unread", limit=20), repeat),
        "reading_list unread p1 section": timed(
            lambda: store.reading_list(user_id, view="unread", section="world", limit=20),
            repeat),
        "reading_list all p1": timed(lambda: store.reading_list(user_id, limit=20), repeat),
        "article_states x20": timed(lambda: store.article_states(user_id, latest), repeat),
        "story_unread_counts x40": timed(
            lambda: store.story_unread_counts(user_id, stories), repeat),
    }
    counts = store.unread_counts(user_id)
    print(f"-- {label}: {counts.total} unread")
    for name, ms in figures.items():
        print(f"   {name:34s} {ms:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = open_store(args.db)
    print(f"{store.count_articles()} articles in {args.db}")
    found = store.user_by_name("bench-reader")
    if found is not None:
        store.delete_user(found.id)
    user = store.add_user("bench-reader", "not-a-real-hash")
    reads(store, user.id, args.repeat, "nothing read")
    ids = [a.id for a in store.articles(limit=2000, brief=True) if a.id is not None]
    start = time.perf_counter()
    for chunk in range(0, len(ids), 100):
        store.mark_read(user.id, ids[chunk:chunk + 100])
    print(f"   mark_read 2,000 in 20 calls         {(time.perf_counter() - start) * 1000:8.1f} ms")
    reads(store, user.id, args.repeat, "2,000 read")
    start = time.perf_counter()
    store.mark_all_read(user.id)
    print(f"   mark_all_read                      {(time.perf_counter() - start) * 1000:8.1f} ms")
    store.mark_read(user.id, ids[:50], read=False)
    reads(store, user.id, args.repeat, "all read but 50")
    store.mark_all_read(user.id)
    store.mark_read(user.id, ids[:1], read=False)
    newest_ids = store.latest_article_id()
    start = time.perf_counter()
    store.mark_all_read(user.id, section="world", through_id=newest_ids)
    print(f"   mark section read (after all)      {(time.perf_counter() - start) * 1000:8.1f} ms")
    fresh = store.add_user("bench-reader-2", "not-a-real-hash")
    start = time.perf_counter()
    store.mark_all_read(fresh.id, section="world")
    print(f"   mark section world read (fresh)    {(time.perf_counter() - start) * 1000:8.1f} ms")
    reads(store, fresh.id, args.repeat, "section world read, rest unread")
    store.delete_user(fresh.id)
    store.delete_user(user.id)
    store.close()


if __name__ == "__main__":
    main()
