"""Workers on PostgreSQL through the task queue, against a real news site on 127.0.0.1.

Three `newsdesk worker --once` processes share 200 feeds (teasers, so every entry's page is
fetched too): every entry is stored once and enriched, no feed is fetched twice in one cycle,
and a host's Retry-After is honoured by every process. A worker killed mid-task loses nothing:
its jobs are retried once it is found stalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.model import Feed
from newsdesk.store import FeedOutcome, open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from feedsite import FeedSite  # noqa: E402 - bench/feedsite.py

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NEWSDESK_ALLOW_PRIVATE": "1", "NEWSDESK_PER_HOST_DELAY": "0",
            "NEWSDESK_EMBEDDER": "hash", **extra}


def _workers(url: str, n: int, **env: str) -> list[subprocess.CompletedProcess[str]]:
    procs = [subprocess.Popen([sys.executable, "-m", "newsdesk", "--db", url, "worker", "--once"],
                              env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(n)]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def _subscribe(url: str, base: str, site: FeedSite) -> None:
    store = open_store(url)
    for n in range(site.feeds):
        store.add_feed(Feed(url=base + site.feed_path(n)))
    store.close()


def test_three_workers_share_200_feeds(pg_url: str) -> None:
    site = FeedSite(feeds=197, entries=3, teaser=True)
    # another host whose feeds answer 429 with Retry-After: 3600
    held = FeedSite(feeds=3, entries=3, retry_after=frozenset({0, 1, 2}))
    with site.serve() as base, held.serve() as held_base:
        _subscribe(pg_url, base, site)
        _subscribe(pg_url, held_base, held)
        runs = _workers(pg_url, 3)
        for run in runs:
            assert run.returncode == 0, run.stderr[-3000:]
            assert "Traceback" not in run.stderr
        store = open_store(pg_url)
        expected = site.feeds * site.entries
        assert store.count_articles() == expected
        articles = list(store.iter_articles())
        assert len({a.guid for a in articles}) == expected  # every entry once
        assert store.count_unenriched() == 0
        assert all(a.summary and a.story_id and a.embedding is not None for a in articles)
        assert all(a.headings for a in articles)  # each page was fetched: its subheadings
        feed_hits = [site.hits[site.feed_path(n)] for n in range(site.feeds)]
        assert set(feed_hits) == {1}, "a feed was fetched twice in one cycle"
        pages = [p for p in site.hits if p.startswith("/story/")]
        assert len(pages) == expected and all(site.hits[p] == 1 for p in pages)
        held_hits = [held.hits[held.feed_path(n)] for n in range(3)]
        # once the host said 429, a process asks it nothing more until the time it gave
        assert max(held_hits) == 1 and sum(held_hits) >= 1
        waiting = sorted(f.url for f in store.feeds() if f.retry_at is not None)
        assert waiting == sorted(held_base + held.feed_path(n) for n in range(3))

        # time passes: every feed is due again, but the held ones still carry the host's
        # Retry-After; in the second cycle no process fetches those, the others are fetched
        # once more and nothing is doubled
        now = datetime.now(UTC)
        for f in store.feeds():
            assert f.id is not None
            store.record_feed_outcome(f.id, FeedOutcome(checked=now, next_check=now,
                                                        retry_at=f.retry_at, etag=f.etag))
        runs = _workers(pg_url, 3)
        assert all(r.returncode == 0 for r in runs), [r.stderr[-2000:] for r in runs]
        assert {site.hits[site.feed_path(n)] for n in range(site.feeds)} == {2}
        assert [held.hits[held.feed_path(n)] for n in range(3)] == held_hits
        assert store.count_articles() == expected
        assert all(site.hits[p] == 1 for p in pages)  # known entries: no page fetched again
        store.close()


def test_a_killed_worker_loses_nothing(pg_url: str) -> None:
    site = FeedSite(feeds=30, entries=4, teaser=True)
    with site.serve() as base:
        _subscribe(pg_url, base, site)
        env = _env(NEWSDESK_STALLED_SECONDS="3")
        victim = subprocess.Popen([sys.executable, "-m", "newsdesk", "--db", pg_url, "worker"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        store = open_store(pg_url)
        deadline = time.monotonic() + 120
        while store.count_articles() < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        stored_at_kill = store.count_articles()
        assert 0 < stored_at_kill < 120, "the kill should land mid-run"
        runs = _workers(pg_url, 1, NEWSDESK_STALLED_SECONDS="3")
        assert runs[0].returncode == 0, runs[0].stderr[-3000:]
        assert store.count_articles() == 120
        assert len({a.guid for a in store.iter_articles()}) == 120
        assert store.count_unenriched() == 0
        assert store.check() == []
        store.close()
