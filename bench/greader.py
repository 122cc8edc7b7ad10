"""The Google Reader API's calls at scale: each as an app makes it, through the app (in process,
no network), on a copy of a big SQLite database.

    PYTHONPATH=src .venv/bin/python bench/greader.py --db /tmp/greader-100k.db

Works on the file given: use a copy. It adds a user "greader-bench" with an API password and,
when the desk has no feeds, 50 feeds (10 of them in 5 folders) and spreads the articles over
them (SQL on the copy, since the Store never moves an article between feeds). Prints the median
of `--repeat` runs of each call, in milliseconds, and the size of the answer, with nothing
read, then with every article read but 2,000.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from typing import Any

from fastapi.testclient import TestClient

from newsdesk import accounts
from newsdesk.config import Config
from newsdesk.model import Feed
from newsdesk.store import Store, open_store
from newsdesk.store.accounts import ItemQuery
from newsdesk.web.app import create_app

NAME, API_PASSWORD = "greader-bench", "bench api password"
API = "/reader/api/0"
READ = "user/-/state/com.google/read"
READING_LIST = "user/-/state/com.google/reading-list"


def add_feeds(store: Store, path: str) -> None:
    ids = [store.add_feed(Feed(url=f"https://bench{n}.example/rss", title=f"Bench {n}"))[0]
           for n in range(50)]
    for n, feed_id in enumerate(ids[:10]):
        store.set_feed_category(feed_id, f"Folder {n % 5}")
    db = sqlite3.connect(path)
    with db:
        db.execute(f"UPDATE articles SET feed_id = {ids[0]} + (id % 50)")
    db.close()


def timed(client: TestClient, method: str, path: str, repeat: int,
          **kw: Any) -> tuple[float, int]:
    runs, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.request(method, path, **kw)
        runs.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.text[:200]
        size = len(answer.content)
    return statistics.median(runs), size


def calls(client: TestClient, store: Store, user_id: int, repeat: int, label: str) -> None:
    newest = [r.id for r in store.item_refs(user_id, ItemQuery(limit=1000))]
    feed = store.feeds()[0].id
    figures = {
        "subscription/list": timed(client, "GET", f"{API}/subscription/list", repeat),
        "tag/list": timed(client, "GET", f"{API}/tag/list", repeat),
        "unread-count": timed(client, "GET", f"{API}/unread-count", repeat),
        "items/ids unread n=1000": timed(client, "GET", f"{API}/stream/items/ids", repeat,
                                         params={"s": READING_LIST, "xt": READ, "n": "1000"}),
        "items/ids unread n=10000": timed(client, "GET", f"{API}/stream/items/ids", repeat,
                                          params={"s": READING_LIST, "xt": READ,
                                                  "n": "10000"}),
        "items/ids all n=1000, page 5": timed(
            client, "GET", f"{API}/stream/items/ids", repeat,
            params={"s": READING_LIST, "n": "1000", "c": str(newest[-1] - 4000)}),
        "items/ids a feed, unread": timed(client, "GET", f"{API}/stream/items/ids", repeat,
                                          params={"s": f"feed/{feed}", "xt": READ}),
        "items/ids a folder": timed(client, "GET", f"{API}/stream/items/ids", repeat,
                                    params={"s": "user/-/label/Folder 1", "n": "1000"}),
        "items/ids read, ot a month": timed(
            client, "GET", f"{API}/stream/items/ids", repeat,
            params={"s": READ, "n": "10000", "ot": str(int(time.time()) - 30 * 86400)}),
        "items/contents 150 ids": timed(client, "POST", f"{API}/stream/items/contents",
                                        repeat, data={"i": [str(i) for i in newest[:150]]}),
        "stream/contents n=20": timed(client, "GET", f"{API}/stream/contents/{READING_LIST}",
                                      repeat, params={"n": "20"}),
        "stream/contents n=125 unread": timed(client, "GET", f"{API}/stream/contents",
                                              repeat, params={"n": "125", "xt": READ}),
    }
    unread = store.unread_counts(user_id).total
    print(f"-- {label}: {unread} unread")
    for name, (ms, size) in figures.items():
        print(f"   {name:32s} {ms:8.1f} ms {size:>10,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = open_store(args.db)
    print(f"{store.count_articles()} articles in {args.db}")
    if not store.feeds():
        add_feeds(store, args.db)
    user = store.user_by_name(NAME) or accounts.create_user(store, NAME, API_PASSWORD)
    accounts.set_api_password(store, user, API_PASSWORD)
    app = create_app(store, Config(db=args.db, greader_api=True, embedder="hash"))
    with TestClient(app) as client:
        login = client.post("/accounts/ClientLogin",
                            data={"Email": NAME, "Passwd": API_PASSWORD})
        token = login.text.split("Auth=")[1].strip()
        client.headers["Authorization"] = f"GoogleLogin auth={token}"
        store.mark_read_where(user.id, ItemQuery(), read=False)
        calls(client, store, user.id, args.repeat, "nothing read")
        store.mark_read_where(user.id, ItemQuery())
        newest = [r.id for r in store.item_refs(user.id, ItemQuery(limit=2000))]
        store.mark_read(user.id, newest, read=False)
        calls(client, store, user.id, args.repeat, "everything read but 2,000")
        ids = [str(i) for i in newest[:1000]]
        ms, _ = timed(client, "POST", f"{API}/edit-tag", 1, data={"i": ids, "a": READ})
        print(f"   {'edit-tag 1000 ids read':32s} {ms:8.1f} ms")
        ms, _ = timed(client, "POST", f"{API}/mark-all-as-read", 1,
                      data={"s": READING_LIST})
        print(f"   {'mark-all-as-read reading-list':32s} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
