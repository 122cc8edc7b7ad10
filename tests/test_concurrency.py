"""Concurrency and crash safety of storage (issue 5): nothing lost, doubled or left half-done.

Processes are real `newsdesk` CLI runs (`python -m newsdesk`) on one database; threads each open
their own Store on it; "another process" in-process is a second Store object. Every check goes
through the Store contract (store/base.py) or the CLI, never through SQL. The embedder is the
fast `hash` one throughout. The import and kill trials run on SQLite and, when the test session
can start one, on PostgreSQL (fewer trials there: one import of 200 articles takes several
seconds on it).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.config import Config
from newsdesk.model import Article, ImportResult
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store

N_ARTICLES = 200
KILL_SEED = 20260505
TIMEOUT = 180.0  # seconds before a hung CLI run is killed and the test fails

TOPICS = [
    ("council", ["The city council approved a new budget for schools, roads and parks.",
                 "Councillors argued for hours over the cost of repairing the old bridge.",
                 "The mayor said the plan would keep local taxes flat next year."]),
    ("storm", ["A storm brought heavy rain and strong winds to the northern coast.",
               "Emergency crews cleared fallen trees from several main roads overnight.",
               "Forecasters warned that rivers could rise further before the weekend."]),
    ("election", ["Voters queued early at polling stations across the region.",
                  "The opposition leader promised lower energy bills and more nurses.",
                  "Turnout was higher than at the last election, officials said."]),
    ("football", ["The home side scored twice in the second half to win the final.",
                  "Their captain lifted the trophy in front of a sold-out stadium.",
                  "The coach praised the defence after a tense opening hour."]),
    ("markets", ["Shares fell sharply after the central bank raised interest rates.",
                 "Investors moved money into bonds as the currency weakened.",
                 "Analysts expect inflation to ease slowly during the coming months."]),
    ("science", ["Researchers announced the discovery of a new species of deep-sea fish.",
                 "The team used a remote submarine to film the animals at night.",
                 "Their findings were published in a leading scientific journal."]),
    ("health", ["The hospital opened a new ward to shorten waiting lists for surgery.",
                "Doctors said the winter flu season had started earlier than usual.",
                "Health officials urged older people to get vaccinated soon."]),
    ("rail", ["Train drivers began a two-day strike over pay and working hours.",
              "Commuters faced long delays and crowded buses on Monday morning.",
              "The rail operator said talks with the union would resume on Friday."]),
]
PLACES = ["Springfield", "Riverton", "Lakeside", "Hillview", "Bayport", "Oakham", "Westbury",
          "Northgate", "Elmstead", "Kingsbridge", "Ashford", "Millbrook"]
OUTLETS = ["Daily Ledger", "Evening Post", "Coastal Times"]
START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def article_record(n: int, prefix: str = "c") -> dict[str, str]:
    """One JSONL record: articles on one topic read alike (so stories form), yet every text,
    URL and id is its own."""
    rng = random.Random(f"{prefix}-{n}")
    topic, sentences = TOPICS[n % len(TOPICS)]
    place = rng.choice(PLACES)
    lead = f"In {place}, report number {n} of the day: {sentences[0].lower()}"
    body = " ".join(rng.sample(sentences, len(sentences)))
    extra = (f"Residents of {place} and {rng.choice(PLACES)} spoke to our reporter about the "
             f"{topic} on day {n % 7 + 1} of the week, citing {rng.randint(2, 9000)} cases.")
    return {
        "id": f"{prefix}-{n}", "url": f"https://news.example/{prefix}/{topic}/{n}",
        "title": f"{place}: {topic} update {n}", "source": OUTLETS[n % len(OUTLETS)],
        "published": (START + timedelta(minutes=7 * n)).isoformat(),
        "text": f"{lead}\n\n{body}\n\n{extra}",
    }


def write_jsonl(path: Path, count: int, prefix: str = "c", first: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for n in range(first, first + count):
            f.write(json.dumps(article_record(n, prefix)) + "\n")
    return path


def articles(count: int, prefix: str = "t") -> list[Article]:
    """Fresh Article objects (the pipeline fills them in, so each caller needs its own)."""
    out = []
    for n in range(count):
        r = article_record(n, prefix)
        out.append(Article(title=r["title"], text=r["text"], url=r["url"], external_id=r["id"],
                           source=r["source"], published=datetime.fromisoformat(r["published"])))
    return out


# -- running the CLI -----------------------------------------------------------------------


def cli_env() -> dict[str, str]:
    # the caller's NEWSDESK_* settings (a db, a model) must not leak into these runs
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env["NEWSDESK_EMBEDDER"] = "hash"
    return env


def newsdesk(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "newsdesk", "--db", db, *args]


def start(db: str, *args: str) -> subprocess.Popen[str]:
    # a session of its own, so a kill takes the whole process group
    return subprocess.Popen(newsdesk(db, *args), env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{proc.args} still running after {TIMEOUT}s; stderr: {err[-2000:]}")
    return proc.returncode, out, err


def run(db: str, *args: str) -> tuple[int, str, str]:
    return finish(start(db, *args))


SUMMARY = re.compile(r"imported (\d+), duplicates (\d+), refused (\d+)"
                     r"(?:, updated (\d+))?(?:, finished (\d+) left unenriched by an earlier run)?")


def summary(stderr: str) -> dict[str, int]:
    """The counts of `import`'s closing line on stderr."""
    found = SUMMARY.findall(stderr)
    assert found, f"no import summary on stderr: {stderr[-2000:]}"
    names = ("imported", "duplicates", "refused", "updated", "finished")
    return {name: int(value or 0) for name, value in zip(names, found[-1], strict=True)}


def assert_clean_exit(code: int, stderr: str) -> None:
    assert code == 0, f"exit {code}; stderr: {stderr[-3000:]}"
    assert "Traceback" not in stderr, stderr[-3000:]


# -- checking a database -------------------------------------------------------------------


def assert_each_once_and_done(url: str, expected_ids: set[str]) -> None:
    """Exactly one sound, fully enriched row per expected article, and nothing else."""
    store = open_store(url)
    try:
        assert store.check() == []
        assert store.count_articles() == len(expected_ids)
        stored = list(store.iter_articles())
        ext_ids = [a.external_id for a in stored]
        urls = [a.url for a in stored]
        assert len(set(ext_ids)) == len(ext_ids), "an article is stored twice"
        assert len(set(urls)) == len(urls), "a URL is stored twice"
        assert set(ext_ids) == expected_ids
        assert store.count_unenriched() == 0
        # (no section is a legitimate outcome: below the classifier's confidence, and with
        # the `hash` embedder these tests use, an article stays unsectioned, issue 7)
        half_done = [a.external_id for a in stored
                     if not (a.lang and a.summary and a.embedding is not None
                             and a.story_id is not None)]
        assert half_done == [], f"{len(half_done)} articles lack enrichment: {half_done[:5]}"
    finally:
        store.close()


def ids(count: int, prefix: str = "c", first: int = 0) -> set[str]:
    return {f"{prefix}-{n}" for n in range(first, first + count)}


# -- fresh databases of each engine ----------------------------------------------------------


@dataclass
class Databases:
    """Makes a fresh, empty database of one engine per call (dropped after the test)."""

    engine: str
    make: Callable[[], str]


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    if request.param == "sqlite":
        counter = iter(range(1, 10_000))
        yield Databases("sqlite", lambda: str(tmp_path / f"trial-{next(counter)}.db"))
        return
    server = request.getfixturevalue("pg_server")
    made: list[str] = []

    def make() -> str:
        made.append(server.new_database())
        return made[-1]

    yield Databases("postgresql", make)
    for url in made:
        server.drop_database(url)


# -- 1. two imports of one file at once -----------------------------------------------------


@pytest.mark.slow
def test_two_imports_of_one_file_at_once(databases: Databases, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "articles.jsonl", N_ARTICLES)
    trials = 10 if databases.engine == "sqlite" else 3
    interleaved = 0
    for trial in range(trials):
        db = databases.make()
        began = time.monotonic()
        procs = [start(db, "import", str(source)), start(db, "import", str(source))]
        results = [finish(p) for p in procs]
        counts = []
        for code, _, err in results:
            assert_clean_exit(code, err)
            counts.append(summary(err))
        print(f"trial {trial}: {[(c['imported'], c['duplicates']) for c in counts]} "
              f"in {time.monotonic() - began:.1f}s")
        for c in counts:
            assert c["refused"] == 0
            assert c["imported"] + c["duplicates"] == N_ARTICLES
        assert sum(c["imported"] for c in counts) == N_ARTICLES
        interleaved += all(c["imported"] for c in counts)
        assert_each_once_and_done(db, ids(N_ARTICLES))
    # how often both processes stored some articles (their store phases overlapped)
    print(f"{interleaved} of {trials} trials interleaved their writes")


# -- 2. kill -9 at a random moment, then the same import again ------------------------------


@pytest.mark.slow
def test_import_killed_at_random_then_rerun(databases: Databases, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "articles.jsonl", N_ARTICLES)
    trials = 20 if databases.engine == "sqlite" else 5
    # an undisturbed import first: it must work, and it tells how long a kill window is
    db = databases.make()
    began = time.monotonic()
    code, _, err = run(db, "import", str(source))
    whole = time.monotonic() - began
    assert_clean_exit(code, err)
    assert_each_once_and_done(db, ids(N_ARTICLES))

    rng = random.Random(KILL_SEED)
    recovered = 0
    for trial in range(trials):
        db = databases.make()
        delay = rng.uniform(0.3, whole)
        proc = start(db, "import", str(source))
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=TIMEOUT)
        killed = proc.returncode == -signal.SIGKILL

        code, _, err = run(db, "import", str(source))
        assert_clean_exit(code, err)
        c = summary(err)
        print(f"trial {trial}: kill after {delay:.2f}s of {whole:.2f}s "
              f"({'killed' if killed else 'had finished'}); rerun {c}")
        assert c["refused"] == 0
        # what the killed run stored is a duplicate now; the rest is imported by the rerun
        assert c["imported"] + c["duplicates"] == N_ARTICLES
        assert c["finished"] <= c["duplicates"]
        if not killed:
            assert (c["imported"], c["finished"]) == (0, 0)
        recovered += c["finished"] > 0
        assert_each_once_and_done(db, ids(N_ARTICLES))
    print(f"{recovered} of {trials} reruns finished work a killed run left")
    if databases.engine == "sqlite":
        assert recovered > 0, "no kill landed between storing and enriching; widen the delays"


# -- 3. threads, each with its own Store -----------------------------------------------------


def test_threads_with_own_stores_store_and_enrich_the_same_articles(any_url: str) -> None:
    open_store(any_url).close()  # migrate once, so the threads race on articles only
    threads_n, count = 4, 100
    barrier = threading.Barrier(threads_n)
    results: list[ImportResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        store = open_store(any_url)
        try:
            pipeline = Pipeline(store, Config(embedder="hash"))
            batch, result = articles(count), ImportResult()
            barrier.wait(timeout=60)
            pipeline.store_and_enrich(batch, result)
            results.append(result)
        except BaseException as exc:  # handed to the main thread, which fails the test
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT)
    assert errors == []
    assert len(results) == threads_n
    assert sum(r.imported for r in results) == count
    assert sum(r.duplicates for r in results) == count * (threads_n - 1)
    assert_each_once_and_done(any_url, ids(count, "t"))


# -- 4. an article deleted by another process during enrichment -----------------------------


def test_article_deleted_by_another_process_while_enriching(any_url: str) -> None:
    store, other = open_store(any_url), open_store(any_url)
    try:
        pipeline = Pipeline(store, Config(embedder="hash"))
        batch = articles(40, "d")
        done_first, later = batch[:20], batch[20:]
        # the first half is enriched and linked: its vectors are known to `store`
        pipeline.store_and_enrich(done_first, ImportResult())
        to_enrich = pipeline.store_articles(later, ImportResult())
        assert len(to_enrich) == 20
        gone_done, gone_pending = done_first[0], to_enrich[0]
        assert gone_done.id is not None and gone_pending.id is not None
        assert other.delete_article(gone_done.id)
        assert other.delete_article(gone_pending.id)

        assert pipeline.enrich_articles(to_enrich) == 19

        gone = {gone_done.id, gone_pending.id}
        alive = {a.id for a in batch} - gone
        assert store.count_articles() == 38
        assert store.count_unenriched() == 0
        assert store.check() == []
        for vector in (gone_done.embedding, gone_pending.embedding):
            assert {i for i, _ in store.nearest(vector, k=100)} == alive
        for article_id in alive:
            assert not gone & {i for i, _ in store.similar_ids(article_id, limit=100)}
    finally:
        store.close()
        other.close()


# -- 5. ids are never reused -----------------------------------------------------------------


def exported(db: str) -> dict[str, int]:
    code, out, err = run(db, "export")
    assert_clean_exit(code, err)
    return {r["id"]: r["newsdesk_id"] for r in map(json.loads, out.splitlines())}


def test_ids_are_not_reused_after_deleting_the_newest(any_url: str, tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "first.jsonl", 3, "r")
    second = write_jsonl(tmp_path / "second.jsonl", 1, "r", first=3)
    code, _, err = run(any_url, "import", str(first))
    assert_clean_exit(code, err)
    before = exported(any_url)
    assert set(before) == ids(3, "r")
    newest = max(before.values())

    code, _, err = run(any_url, "delete", str(newest))
    assert_clean_exit(code, err)
    code, _, err = run(any_url, "import", str(second))
    assert_clean_exit(code, err)
    after = exported(any_url)

    assert newest not in after.values()
    assert after["r-3"] > newest
    assert {k: v for k, v in after.items() if k != "r-3"} == {
        k: v for k, v in before.items() if v != newest}
    # the tombstone keeps the deleted article from coming back with its file
    code, _, err = run(any_url, "import", str(first))
    assert_clean_exit(code, err)
    assert summary(err)["imported"] == 0
    assert exported(any_url) == after


@pytest.mark.slow
def test_serve_import_and_worker_at_once(any_url: str, tmp_path: Path) -> None:
    """The reader answers every request while an import and a worker write to its database,
    and the import's articles all arrive once and done."""
    import httpx

    from webtools import make_app, serve_app

    data = write_jsonl(tmp_path / "live.jsonl", N_ARTICLES, prefix="live")
    store = open_store(any_url)
    statuses: list[int] = []
    with serve_app(make_app(store)) as base:
        importer = start(any_url, "import", str(data))
        worker = start(any_url, "worker", "--once")
        with httpx.Client(base_url=base, timeout=30) as client:
            while importer.poll() is None or worker.poll() is None:
                for path in ("/", "/api/articles?limit=5", "/search?q=council", "/feed.xml"):
                    statuses.append(client.get(path).status_code)
        for proc in (importer, worker):
            code, _, err = finish(proc)
            assert_clean_exit(code, err)
        last = [article.id for article in store.articles(limit=1)]
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get(f"/article/{last[0]}").status_code == 200
    store.close()
    assert len(statuses) >= 4 and set(statuses) == {200}
    assert_each_once_and_done(any_url, ids(N_ARTICLES, prefix="live"))
