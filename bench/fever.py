"""The Fever API's calls at scale: each as an app makes it, through the app (in process, no
network), on a copy of a big database.

    PYTHONPATH=src .venv/bin/python bench/fever.py --db /tmp/fever-100k.db

Works on the file given (it adds a user "fever-bench" with an API password, and marks
articles: use a copy). Prints the median of `--repeat` runs of each call, in milliseconds, and
the size of the answer, with nothing read, then with every article read but 2,000.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from typing import Any

from fastapi.testclient import TestClient

from newsdesk import accounts
from newsdesk.config import Config
from newsdesk.store import open_store
from newsdesk.store.accounts import ItemQuery
from newsdesk.web.app import create_app

NAME, API_PASSWORD = "fever-bench", "bench api password"


def run(client: TestClient, key: str, query: str, repeat: int, **body: Any) -> tuple[float, int]:
    runs, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.post(f"/fever/?api{query}", data={"api_key": key, **body})
        runs.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200 and answer.json()["auth"] == 1, answer.text[:200]
        size = len(answer.content)
    return statistics.median(runs), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = open_store(args.db)
    user = store.user_by_name(NAME) or accounts.create_user(store, NAME, API_PASSWORD)
    accounts.set_api_password(store, user, API_PASSWORD)
    key = hashlib.md5(f"{NAME}:{API_PASSWORD}".encode(), usedforsecurity=False).hexdigest()
    app = create_app(store, Config(db=args.db, fever_api=True, page_max_stale=0))
    latest = store.latest_article_id()
    calls = [("auth", "", {}), ("groups+feeds", "&groups&feeds", {}),
             ("items since_id=0", "&items&since_id=", {}),
             ("items max_id=top", "&items&max_id=9007199254740991", {}),
             ("items with_ids (50)", "&items&with_ids="
              + ",".join(str(latest - i) for i in range(50)), {}),
             ("unread_item_ids", "&unread_item_ids", {}),
             ("saved_item_ids", "&saved_item_ids", {}),
             ("mark item read", "", {"mark": "item", "as": "read", "id": str(latest)})]
    with TestClient(app) as client:
        for label in ("nothing read", "all read but 2,000"):
            if label != "nothing read":
                store.mark_read_where(user.id, ItemQuery(limit=None))
                store.mark_read(user.id, list(range(latest - 3999, latest + 1, 2)), False)
            print(f"-- {label}")
            for name, query, body in calls:
                ms, size = run(client, key, query, args.repeat, **body)
                print(f"{name:24} {ms:9.1f} ms {size:10,} bytes")
            store.mark_read(user.id, [latest], False)
    store.close()


if __name__ == "__main__":
    main()
