"""The pipeline, one function per step, each taking a Store:

    ingest (files / feeds / URLs) -> normalise -> store (dedupe) -> enrich -> link (similar, story)

`import_paths`, `add_feed` and `fetch_url` gather articles; `store_articles` dedupes and stores
them (Store.put_article, one transaction each); `enrich_articles` fills language, embedding,
section, summary, entities and key facts, then links similar articles and the story
(Store.link). An article is "done" only once linked: `finish_interrupted` takes over articles a
crashed or killed run left half-done (their lease ran out) and finishes them. Feed refreshes
are tasks (tasks.py). Refusals are collected, never raised, so one bad input never stops a
batch.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from .config import Config
from .enrich.embed import get_embedder
from .enrich.llm import LLMWriter
from .enrich.prepare import is_prepared, prepare_articles
from .enrich.sections import map_publisher_section
from .errors import ExtractionError, FetchError, InputError, NewsdeskError, ParseError
from .extract.batch import ExtractFiles, worker_count
from .extract.html import extract_html
from .ingest import files
from .ingest.feeds import parse_feed
from .ingest.fetch import Fetcher
from .ingest.hostpool import fetch_by_host
from .ingest.jsonfeed import NOT_A_JSON_FEED
from .ingest.normalise import normalise
from .ingest.opml import parse_opml
from .ingest.sitemaps import parse_sitemap
from .ingest.urls import canonical_url, is_http_url
from .model import Article, Feed, ImportResult
from .store import FeedOutcome, Store
from .stories.cluster import choose_story
from .stories.regroup import Item, assign_ids, regroup
from .stories.related import CANDIDATES

log = logging.getLogger(__name__)

BATCH = 100  # articles stored and enriched together
LEASE_SECONDS = 600.0  # an article stored but not done is left to its process this long
RECLUSTER_LIMIT = 2_000  # re-clustering looks at this many most recent articles
MAX_CHILD_SITEMAPS = 50  # child sitemaps of one sitemap index that are read
MAX_SITEMAP_URLS = 1_000  # pages fetched from one sitemap and its children
FULL_TEXT_BELOW = 600  # characters: a feed entry shorter than this is a summary, not the article
Progress = Callable[[int], None]  # called with how many inputs were just handled
NO_FEED_LINKED = "page links no RSS, Atom or JSON feed"  # add_feed's refusal of such a page


@dataclass
class Subscribed:
    """A feed just subscribed to by `Pipeline.subscribe`, its entries not yet imported."""

    feed_id: int
    etag: str | None
    last_modified: str | None
    title: str | None
    site_url: str | None
    entries: list[Article]


@dataclass
class Timings:
    """Seconds spent per stage, for benchmarks."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, start: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


class Pipeline:
    """Holds what the steps share: the store, settings and the embedder (no other state)."""

    def __init__(self, store: Store, config: Config | None = None, *,
                 fetcher: Fetcher | None = None) -> None:

        self.store = store
        self.config = config or Config()
        self.embedder = get_embedder(self.config.embedder)
        self.llm = (LLMWriter(self.config.llm_url, self.config.llm_model, self.config.llm_timeout)
                    if self.config.llm_url else None)
        # one Fetcher per pipeline spaces requests per host and caches robots.txt (a caller
        # may pass its own, e.g. one with another resolver)
        self._fetch: Fetcher | None = fetcher
        self.timings = Timings()

    def close(self) -> None:
        if self._fetch is not None:
            self._fetch.close()
            self._fetch = None

    # -- ingest: local files ----------------------------------------------------------------

    def import_paths(self, paths: list[str], progress: Progress | None = None) -> ImportResult:
        """Import files and folders; see ingest/files.py for what is recognised.

        HTML files are extracted in worker processes (extract/batch.py) while this process
        stores and enriches the other inputs, then what the workers return, in batches.
        """

        result = ImportResult()
        inputs = list(files.expand(paths))
        named = {Path(p) for p in paths}
        html = [p for p in inputs if isinstance(p, Path) and p.suffix.lower() in files.HTML_EXT]
        pending: list[Article] = []
        # the pool starts on the HTML files now; everything else is handled meanwhile
        with ExtractFiles(html, self.config.max_file_bytes, worker_count(self.config.workers),
                          self.config.embedder) as extracted:
            for item in [i for i in inputs if i not in html] + html:
                if isinstance(item, InputError):
                    result.refused.append((item.name, item.reason))
                elif item in html:
                    pending.extend(self._take_extracted(next(extracted), item, result))
                else:
                    # a JSON file met in a folder that is not a feed is data beside the
                    # articles (the demo's events.json): skipped, not refused
                    pending.extend(self._read_file(item, result,
                                                   skip_other_json=item not in named))
                # a batch at a time, and let go of it: a feed of 10,000 entries must not
                # keep 10,000 enriched articles in memory
                while len(pending) >= BATCH:
                    batch, pending = pending[:BATCH], pending[BATCH:]
                    self.store_and_enrich(batch, result)
                if progress:
                    progress(1)
        self.store_and_enrich(pending, result)
        self.finish_interrupted(result)
        if result.imported or result.updated:
            self.recluster()
        return result

    def _take_extracted(self, got: tuple[str, Any, dict[str, float]], path: Path,
                        result: ImportResult) -> list[Article]:
        kind, value, seconds = got
        for stage, spent in seconds.items():
            self.timings.seconds[stage] = self.timings.seconds.get(stage, 0.0) + spent
        if kind == "article":
            return [value]
        if kind == "refused":
            result.refused.append(value)
            return []
        return self._read_file(path, result)

    def _read_file(self, path: Path, result: ImportResult, skip_other_json: bool = False
                   ) -> list[Article]:

        name = str(path)
        try:
            data = files.read_bytes(path, self.config.max_file_bytes)
            kind = files.sniff(path, data)
            if kind == "jsonl":
                out = []
                for item in files.parse_jsonl(data, name):
                    if isinstance(item, InputError):
                        result.refused.append((item.name, item.reason))
                    else:
                        out.append(item)
                return out
            if kind == "html":
                return [self._extract(data, None, name)]
            if kind == "opml":
                return self._subscribe_opml(data, name, result)
            if kind == "sitemap":
                return self._sitemap_articles(data, name, result, path)
            return self.feed_entries(data, name, None)
        except ParseError as exc:
            if skip_other_json and exc.reason.startswith(NOT_A_JSON_FEED):
                log.warning("%s: skipped: JSON, but not a feed or articles", name)
            else:
                result.refused.append((exc.name, exc.reason))
        except InputError as exc:
            result.refused.append((exc.name, exc.reason))
        except NewsdeskError as exc:
            result.refused.append((name, str(exc)))
        return []

    def _extract(self, data: bytes, url: str | None, name: str) -> Article:

        start = time.perf_counter()
        try:
            article = extract_html(data, url=url)
        except ExtractionError as exc:
            raise InputError(name, str(exc)) from exc
        finally:
            self.timings.add("extract", start)
        return article

    def feed_entries(self, data: bytes, name: str, base_url: str | None) -> list[Article]:

        parsed = parse_feed(data, name, base_url=base_url)
        # (a broken document without entries is refused by parse_feed; the problems left
        # are warnings)
        for problem in parsed.problems:
            log.warning("%s: %s", name, problem)
        return parsed.entries

    def _subscribe_opml(self, data: bytes, name: str, result: ImportResult) -> list[Article]:

        for feed in parse_opml(data, name):
            feed_id, created = self.store.add_feed(feed)
            result.subscribed += int(created)
            if created and feed.name:  # a feed already subscribed keeps the reader's choices
                self.store.rename_feed(feed_id, feed.name)
            if created and feed.category:
                self.store.set_feed_category(feed_id, feed.category)
        return []

    def _sitemap_articles(self, data: bytes, name: str, result: ImportResult,
                          where: Path | str) -> list[Article]:
        """The pages a sitemap lists, fetched and extracted. A sitemap index is followed one
        level down (MAX_CHILD_SITEMAPS children, MAX_SITEMAP_URLS pages in all): children at
        http(s) URLs are fetched, references without a scheme are resolved against `where`
        (the index's URL, or its local file, whose folder they must stay in). A Google News
        entry whose page cannot be had is kept as a title-only article. An index that yields
        no article is refused, saying so."""

        sitemap = parse_sitemap(data, name)
        for problem in sitemap.problems:
            log.warning("%s: %s", name, problem)
        urls, news = list(sitemap.urls), dict(sitemap.news)
        children = sitemap.sitemaps[:MAX_CHILD_SITEMAPS]
        if len(sitemap.sitemaps) > len(children):
            log.warning("%s: %d child sitemaps past the first %d not followed", name,
                        len(sitemap.sitemaps) - len(children), MAX_CHILD_SITEMAPS)
        for loc in children:
            if len(urls) >= MAX_SITEMAP_URLS:
                break
            try:
                child = parse_sitemap(self._sitemap_child(loc, where), loc)
            except InputError as exc:
                result.refused.append((loc, exc.reason))
                continue
            if child.sitemaps:
                log.warning("%s: a sitemap index inside a sitemap index is not followed", loc)
            urls.extend(child.urls)
            news.update(child.news)
        if len(urls) > MAX_SITEMAP_URLS:
            log.warning("%s: %d pages past the first %d not fetched", name,
                        len(urls) - MAX_SITEMAP_URLS, MAX_SITEMAP_URLS)
        out = []
        for url, lastmod in urls[:MAX_SITEMAP_URLS]:
            info = news.get(url)
            try:
                article = self.fetch_article(url)
            except InputError as exc:
                if info is None or not info.title:
                    result.refused.append((exc.name, exc.reason))
                    continue
                log.warning("%s: page not fetched (%s): kept as a title-only article", url,
                            exc.reason)
                article = Article(title=info.title, url=url, source=info.publication,
                                  lang=info.language)
            article.published = article.published or lastmod
            out.append(article)
        if sitemap.sitemaps and not out:
            result.refused.append((name, f"sitemap index: no article imported from its "
                                         f"{len(children)} child sitemap(s)"))
        return out

    def _sitemap_child(self, loc: str, where: Path | str) -> bytes:
        """The bytes of a child sitemap named in an index read from `where`."""
        if isinstance(where, str):
            loc = urljoin(where, loc)
        if is_http_url(loc):
            try:
                return self.fetcher().fetch(loc).body
            except FetchError as exc:
                raise InputError(loc, exc.reason) from exc
        if not isinstance(where, Path):
            raise InputError(loc, "not an http(s) URL")
        folder = where.parent.resolve()
        target = (folder / loc.lstrip("/")).resolve()
        if not target.is_relative_to(folder):
            raise InputError(loc, f"outside the folder of {where}")
        return files.read_bytes(target, self.config.max_file_bytes)

    # -- ingest: over HTTP ------------------------------------------------------------------

    def fetcher(self) -> Fetcher:

        if self._fetch is None:
            self._fetch = Fetcher(self.config, holds=self.store)
        return self._fetch

    def fetch_article(self, url: str) -> Article:
        """Fetch one article page and extract it (robots.txt honoured)."""

        try:
            got = self.fetcher().fetch(url, check_robots=True)
        except FetchError as exc:
            raise InputError(url, exc.reason) from exc
        return self._extract(got.body, got.url, url)

    def fetch_url(self, url: str) -> ImportResult:
        result = ImportResult()
        try:
            article = self.fetch_article(url)
        except InputError as exc:
            result.refused.append((exc.name, exc.reason))
            return result
        self.store_and_enrich([article], result)
        self.finish_interrupted(result)
        return result

    def add_feed(self, url: str) -> ImportResult:
        """Subscribe to a feed URL (or a page that links one) and import its entries."""
        result = ImportResult()
        subscribed = self.subscribe(url, result)
        if subscribed is not None:
            self.import_entries(subscribed, result)
        return result

    def subscribe(self, url: str, result: ImportResult) -> Subscribed | None:
        """Fetch the feed at `url` (or the one its page links), subscribe to it and record
        the check, without its validators (see import_entries); None, with the refusal in
        `result`, when it is no feed. Sets result.feed_id and result.subscribed."""
        fetcher = self.fetcher()
        try:
            got = fetcher.fetch(url)
            if _looks_html(got.body):
                found = _discover_feed(got.body, got.url)
                if found is None:
                    raise InputError(url, NO_FEED_LINKED)
                got = fetcher.fetch(found)
            parsed = parse_feed(got.body, url, base_url=got.url)
        except FetchError as exc:
            result.refused.append((url, exc.reason))
            return None
        except InputError as exc:
            result.refused.append((exc.name, exc.reason))
            return None
        feed = Feed(url=canonical_url(got.url), title=parsed.title, site_url=parsed.site_url)
        feed_id, created = self.store.add_feed(feed)
        result.feed_id = feed_id
        result.subscribed += int(created)
        subscribed = Subscribed(feed_id, got.etag, got.last_modified, parsed.title,
                                parsed.site_url, parsed.entries)
        # no ETag or Last-Modified until every entry is stored: if this process is killed
        # while the pages are fetched, the next refresh reads the whole feed (not a 304)
        # and stores what was left
        self._checked(subscribed, validators=False)
        return subscribed

    def import_entries(self, subscribed: Subscribed, result: ImportResult) -> None:
        """Store and enrich a subscribed feed's entries, each completed with its page when
        it wants one (in batches, while the next pages are fetched); then keep the feed's
        validators for the next refresh's conditional GET."""
        for entry in subscribed.entries:
            entry.feed_id = subscribed.feed_id
        batch: list[Article] = []
        for entry in self.iter_completed(subscribed.entries):
            batch.append(entry)
            if len(batch) >= BATCH:
                self.store_and_enrich(batch, result)
                batch = []
        self.store_and_enrich(batch, result)
        self._checked(subscribed, validators=True)

    def _checked(self, subscribed: Subscribed, validators: bool) -> None:
        now = datetime.now(UTC)
        self.store.record_feed_outcome(subscribed.feed_id, FeedOutcome(
            checked=now, next_check=now + timedelta(minutes=self.config.refresh_minutes),
            etag=subscribed.etag if validators else None,
            last_modified=subscribed.last_modified if validators else None,
            title=subscribed.title, site_url=subscribed.site_url))

    def wants_page(self, entry: Article) -> bool:
        """A new entry (not stored, not deleted) whose feed carries only a summary, when full
        text is wanted."""
        if not self.config.fetch_full_text or not entry.url:
            return False
        feed_text = entry.text or re.sub(r"<[^>]+>", " ", entry.html or "")
        return (len(feed_text.strip()) < FULL_TEXT_BELOW
                and self.store.find_duplicate(entry) is None
                and not self.store.is_tombstoned(entry))

    def complete_entries(self, entries: list[Article]) -> list[Article]:
        """Each entry that wants its page, completed with it (see iter_completed), in the
        order given."""
        done = sorted(self._completed(entries), key=lambda pair: pair[0])
        return [entry for _, entry in done]

    def iter_completed(self, entries: Iterable[Article]) -> Iterator[Article]:
        """Each entry, completed with its page when it wants one (wants_page): those that
        need no page at once, the others as their pages arrive. Pages are fetched politely
        (robots.txt, per-host delay, Retry-After) and several hosts at once
        (ingest/hostpool.py); when a page cannot be fetched or extracted, the feed's text
        stays."""
        for _, entry in self._completed(entries):
            yield entry

    def _completed(self, entries: Iterable[Article]) -> Iterator[tuple[int, Article]]:
        waiting: list[tuple[int, Article]] = []
        for n, entry in enumerate(entries):
            if self.wants_page(entry):
                waiting.append((n, entry))
            else:
                yield n, entry
        urls = [entry.url or "" for _, entry in waiting]
        for i, got in fetch_by_host(self.fetcher(), urls, max(1, int(self.config.fetch_hosts))):
            n, entry = waiting[i]
            try:
                if isinstance(got, FetchError):
                    raise InputError(urls[i], got.reason)
                yield n, with_page(entry, self._extract(got.body, got.url, urls[i]))
            except InputError as exc:
                log.warning("full text of %s not fetched: %s", entry.url, exc.reason)
                yield n, entry

    # -- store ------------------------------------------------------------------------------

    def store_and_enrich(self, articles: list[Article], result: ImportResult) -> None:
        """Store and enrich `articles` BATCH at a time, so that a feed of 10,000 entries
        holds the enrichment of only one batch in memory at once."""
        for start in range(0, len(articles), BATCH):
            to_enrich = self.store_articles(articles[start:start + BATCH], result)
            self.enrich_articles(to_enrich)

    def store_articles(self, articles: Iterable[Article], result: ImportResult) -> list[Article]:
        """Normalise, dedupe and store; returns the articles this process must now enrich."""
        start = time.perf_counter()
        out: dict[int, Article] = {}  # by id: a page merged into its feed entry is enriched once
        for article in articles:
            name = article.url or article.external_id or article.title or "article"
            for warning in article.warnings:
                log.warning("%s", warning)
            try:
                normalise(article)
            except InputError as exc:
                result.refused.append((name if exc.name == "article" else exc.name, exc.reason))
                continue
            put = self.store.put_article(article, lease_seconds=LEASE_SECONDS)
            if put.outcome in ("duplicate", "tombstoned"):
                result.duplicates += 1
                continue
            assert put.id is not None and put.article is not None
            if put.outcome == "updated":
                result.updated += 1
            else:
                result.imported += 1
                result.article_ids.append(put.id)
            out[put.id] = put.article
        self.timings.add("store", start)
        return list(out.values())

    # -- enrich, link -----------------------------------------------------------------------

    def enrich_articles(self, articles: list[Article]) -> int:
        """Prepare what is not prepared yet (enrich/prepare.py), save it, then link each
        article (similar list and story) in arrival order. Returns how many were finished;
        an article deleted meanwhile by another process is skipped."""

        if not articles:
            return 0
        todo = [a for a in articles if not is_prepared(a)]
        for stage, seconds in prepare_articles(todo, self.embedder).items():
            self.timings.seconds[stage] = self.timings.seconds.get(stage, 0.0) + seconds
        rewritten = self.rewrite_with_llm(articles)

        start = time.perf_counter()
        # articles prepared in worker processes were stored with their enrichment already
        fresh = {id(a) for a in todo} | rewritten
        alive = [a for a in articles if id(a) not in fresh or self.store.save_enrichment(a)]
        self.timings.add("store", start)

        start = time.perf_counter()
        done = sum(1 for a in sorted(alive, key=_date_key) if self.link_article(a))
        self.timings.add("index", start)
        return done

    def rewrite_with_llm(self, articles: list[Article]) -> set[int]:
        """With `llm_url` set, let the local model write the key facts and standfirst we
        picked ourselves (never the publisher's); what fails its checks keeps ours. Returns
        the ids (id()) of the articles changed."""
        if self.llm is None:
            return set()
        changed = set()
        start = time.perf_counter()
        for a in articles:
            if a.written_by.get("key_facts") == "picked":
                facts = self.llm.key_facts(a)
                if facts:
                    a.key_facts, a.written_by["key_facts"] = facts, "llm"
                    changed.add(id(a))
            if a.written_by.get("summary") == "picked":
                standfirst = self.llm.standfirst(a)
                if standfirst:
                    a.summary, a.written_by["summary"] = standfirst, "llm"
                    changed.add(id(a))
        self.timings.add("llm", start)
        return changed

    def link_article(self, article: Article) -> bool:
        """Its similar list and story, written in one unit of work; False if it is gone."""

        assert article.id is not None and article.embedding is not None
        # more neighbours than a list shows: pages keep only those above the minimum
        # relatedness outside the article's story (stories/related.py)
        k = max(self.config.similar_count, CANDIDATES)
        hits = self.store.nearest(article.embedding, k, exclude=article.id)
        story = choose_story(self.store, article, self.config.story_threshold)
        story_id = self.store.link(article.id, hits, k, story_id=story,
                                   new_story_title=article.title)
        article.story_id = story_id
        return story_id is not None

    def recluster(self, limit: int = RECLUSTER_LIMIT) -> int:
        """Re-cluster the `limit` most recent articles (stories/regroup.py) and write the
        groups whose story changed; how many articles moved."""

        articles = [a for a in self.store.articles(limit=limit)
                    if a.id is not None and a.embedding is not None]
        by_id = {a.id: a for a in articles if a.id is not None}
        items = [Item(a.id, f"{a.title}\n{a.text}", a.embedding, a.published or a.fetched,
                      a.story_id, a.lang) for a in articles if a.id is not None]
        groups = regroup(items)
        ids = assign_ids(items, groups)
        members: dict[int, list[Item]] = {}
        for item, group in zip(items, groups, strict=True):
            members.setdefault(group, []).append(item)
        changes = []
        for group, its in members.items():
            keep = ids[group]
            moved = [i.id for i in its if keep is None or i.story_id != keep]
            if moved:
                first = min(its, key=lambda i: (i.published is None, i.published or 0, i.id))
                headline = first.text.split("\n", 1)[0][:300]  # Item.text is headline + body
                changes.append((moved if keep is not None else [i.id for i in its], keep,
                                headline))
        if changes:
            got = self.store.regroup(changes)
            for story_id, (moved, _, _) in zip(got, changes, strict=True):
                for article_id in moved:
                    by_id[article_id].story_id = story_id
        self.align_sections(articles)
        return sum(len(ids_) for ids_, _, _ in changes)

    def align_sections(self, articles: list[Article]) -> int:
        """One story's articles in one section unless a publisher said otherwise: an article
        whose section came from our classifier takes its story's majority section (when half
        of the story or more is in it). Returns how many changed."""
        stories: dict[int, list[Article]] = {}
        for a in articles:
            if a.story_id is not None:
                stories.setdefault(a.story_id, []).append(a)
        changed = 0
        for members in stories.values():
            votes = Counter(a.section for a in members if a.section)
            if len(members) < 2 or not votes:
                continue
            section, n = votes.most_common(1)[0]
            if n * 2 < len(members):
                continue
            for a in members:
                if a.section != section and map_publisher_section(a.publisher_section) is None:
                    a.section = section
                    changed += int(self.store.save_enrichment(a))
        return changed

    def finish_interrupted(self, result: ImportResult | None = None, limit: int = 0) -> int:
        """Enrich and link articles left not done by a crash, a kill or a model error (their
        lease has run out), in batches; `limit` > 0 stops after about that many."""
        finished = 0
        while not limit or finished < limit:
            batch = self.store.claim_unenriched(BATCH, lease_seconds=LEASE_SECONDS)
            if not batch:
                break
            finished += self.enrich_articles(batch)
        if result is not None:
            result.finished += finished
        return finished


# -- helpers ---------------------------------------------------------------------------------

def with_page(entry: Article, page: Article) -> Article:
    """A feed entry completed with its page's text, keeping the feed's ids and dates."""
    page.url = entry.url or page.url
    page.guid, page.feed_id, page.external_id = entry.guid, entry.feed_id, entry.external_id
    page.published = page.published or entry.published
    page.publisher_section = page.publisher_section or entry.publisher_section
    page.source = page.source or entry.source
    page.byline = page.byline or entry.byline
    page.description = page.description or entry.description
    page.title = page.title or entry.title
    return page


def _date_key(article: Article) -> tuple[float, int]:
    when = article.published or article.fetched
    return (when.timestamp() if when else 0.0, article.id or 0)


def _looks_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head


def _discover_feed(body: bytes, base: str) -> str | None:

    text = body[:200_000].decode("utf-8", "replace")
    for tag in re.findall(r"<link\b[^>]*>", text, flags=re.I):
        if not re.search(r"rel=[\"']?alternate", tag, flags=re.I):
            continue
        if not re.search(r"type=[\"']?application/(rss|atom|feed)\+(xml|json)", tag, flags=re.I):
            continue
        href = re.search(r"href=[\"']([^\"']+)", tag, flags=re.I)
        if href:
            return urljoin(base, href.group(1))
    return None
