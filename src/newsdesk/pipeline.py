"""The pipeline, one function per step, each taking a Store:

    ingest (files / feeds / URLs) -> normalise -> store (dedupe) -> enrich -> index -> stories

`import_paths`, `add_feed`, `refresh` and `fetch_url` gather articles; `store_articles` dedupes
and stores them; `enrich_articles` fills language, embedding, section, summary, entities and key
facts, links similar articles and assigns stories. Refusals are collected, never raised, so one
bad input never stops a batch.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import Config
from .errors import ExtractionError, InputError, NewsdeskError, ParseError
from .index.vectors import VectorIndex
from .model import Article, Feed, ImportResult
from .store import Store

if TYPE_CHECKING:
    from .ingest.fetch import Fetcher

log = logging.getLogger(__name__)

BATCH = 100  # articles stored and enriched together
FULL_TEXT_BELOW = 600  # characters: a feed entry shorter than this is a summary, not the article
Progress = Callable[[int], None]  # called with how many inputs were just handled


@dataclass
class Timings:
    """Seconds spent per stage, for benchmarks."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, start: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


class Pipeline:
    """Holds what the steps share: the store, settings, the embedder and the vector index."""

    def __init__(self, store: Store, config: Config | None = None) -> None:
        from .enrich.embed import get_embedder

        self.store = store
        self.config = config or Config()
        self.embedder = get_embedder(self.config.embedder)
        self._index: VectorIndex | None = None
        # one Fetcher per pipeline keeps per-host delays, robots.txt and Retry-After state
        self._fetch: Fetcher | None = None
        self.timings = Timings()

    def close(self) -> None:
        if self._fetch is not None:
            self._fetch.close()
            self._fetch = None

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            ids, matrix = self.store.embeddings()
            self._index = VectorIndex.from_store_embeddings(ids, matrix, self.embedder.dim)
        return self._index

    # -- ingest: local files ----------------------------------------------------------------

    def import_paths(self, paths: list[str], progress: Progress | None = None) -> ImportResult:
        """Import files and folders; see ingest/files.py for what is recognised.

        HTML files are extracted in worker processes (extract/batch.py) while this process
        stores and enriches the other inputs, then what the workers return, in batches.
        """
        from .extract.batch import ExtractFiles, worker_count
        from .ingest import files

        result = ImportResult()
        inputs = list(files.expand(paths))
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
                    pending.extend(self._read_file(item, result))
                if len(pending) >= BATCH:
                    self._store_and_enrich(pending, result)
                    pending = []
                if progress:
                    progress(1)
        self._store_and_enrich(pending, result)
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

    def _read_file(self, path: Path, result: ImportResult) -> list[Article]:
        from .ingest import files

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
                return self._sitemap_articles(data, name, result)
            return self._feed_entries(data, name, None)
        except InputError as exc:
            result.refused.append((exc.name, exc.reason))
        except NewsdeskError as exc:
            result.refused.append((name, str(exc)))
        return []

    def _extract(self, data: bytes, url: str | None, name: str) -> Article:
        from .extract.html import extract_html

        start = time.perf_counter()
        try:
            article = extract_html(data, url=url)
        except ExtractionError as exc:
            raise InputError(name, str(exc)) from exc
        finally:
            self.timings.add("extract", start)
        return article

    def _feed_entries(self, data: bytes, name: str, base_url: str | None) -> list[Article]:
        from .ingest.feeds import parse_feed

        parsed = parse_feed(data, name, base_url=base_url)
        if not parsed.entries and parsed.problems:
            raise ParseError(name, f"no articles recovered ({'; '.join(parsed.problems)})")
        for problem in parsed.problems:
            log.warning("%s: %s", name, problem)
        return parsed.entries

    def _subscribe_opml(self, data: bytes, name: str, result: ImportResult) -> list[Article]:
        from .ingest.opml import parse_opml

        for feed in parse_opml(data, name):
            _, created = self.store.add_feed(feed)
            result.subscribed += int(created)
        return []

    def _sitemap_articles(self, data: bytes, name: str, result: ImportResult) -> list[Article]:
        from .ingest.sitemaps import parse_sitemap

        sitemap = parse_sitemap(data, name)
        out = []
        for url, _lastmod in sitemap.urls:
            try:
                out.append(self.fetch_article(url))
            except InputError as exc:
                result.refused.append((exc.name, exc.reason))
        return out

    # -- ingest: over HTTP ------------------------------------------------------------------

    def _fetcher(self) -> Fetcher:
        from .ingest.fetch import Fetcher

        if self._fetch is None:
            self._fetch = Fetcher(self.config)
        return self._fetch

    def fetch_article(self, url: str) -> Article:
        """Fetch one article page and extract it (robots.txt honoured)."""
        from .errors import FetchError

        try:
            got = self._fetcher().fetch(url, check_robots=True)
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
        self._store_and_enrich([article], result)
        return result

    def add_feed(self, url: str) -> ImportResult:
        """Subscribe to a feed URL (or a page that links one) and import its entries."""
        from .errors import FetchError
        from .ingest.feeds import parse_feed
        from .ingest.urls import canonical_url

        result = ImportResult()
        fetcher = self._fetcher()
        try:
            got = fetcher.fetch(url)
            if _looks_html(got.body):
                found = _discover_feed(got.body, got.url)
                if found is None:
                    raise InputError(url, "page links no RSS, Atom or JSON feed")
                got = fetcher.fetch(found)
            parsed = parse_feed(got.body, url, base_url=got.url)
        except FetchError as exc:
            result.refused.append((url, exc.reason))
            return result
        except InputError as exc:
            result.refused.append((exc.name, exc.reason))
            return result
        feed = Feed(url=canonical_url(got.url), title=parsed.title, site_url=parsed.site_url,
                    etag=got.etag, last_modified=got.last_modified,
                    last_checked=datetime.now(UTC))
        _, created = self.store.add_feed(feed)
        self.store.update_feed(feed)
        result.subscribed += int(created)
        for entry in parsed.entries:
            entry.feed_id = feed.id
        self._store_and_enrich(self.complete_entries(parsed.entries, result), result)
        return result

    def complete_entries(self, entries: list[Article], result: ImportResult) -> list[Article]:
        """Fetch the page of each new entry whose feed carries only a summary.

        Only entries not already stored (nor deleted) are fetched, politely (robots.txt,
        per-host delay). When the page cannot be fetched or extracted, the feed's text stays.
        """
        if not self.config.fetch_full_text:
            return entries
        out = []
        for entry in entries:
            feed_text = entry.text or re.sub(r"<[^>]+>", " ", entry.html or "")
            if (entry.url and len(feed_text.strip()) < FULL_TEXT_BELOW
                    and self.store.find_duplicate(entry) is None
                    and not self.store.is_tombstoned(entry)):
                try:
                    page = self.fetch_article(entry.url)
                except InputError as exc:
                    log.warning("full text of %s not fetched: %s", entry.url, exc.reason)
                else:
                    entry = _with_page(entry, page)
            out.append(entry)
        return out

    def refresh(self, all_feeds: bool = False, progress: Progress | None = None) -> ImportResult:
        """Fetch subscribed feeds that are due (all with `all_feeds`) with conditional GET."""
        from .errors import FetchError

        result = ImportResult()
        now = datetime.now(UTC)
        due_after = self.config.refresh_minutes * 60
        fetcher = self._fetcher()
        for feed in self.store.feeds():
            if progress:
                progress(1)
            if not all_feeds and feed.last_checked is not None and (
                    now - feed.last_checked).total_seconds() < due_after:
                continue
            feed.last_checked = now
            try:
                got = fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
                if not got.not_modified:
                    entries = self._feed_entries(got.body, feed.url, got.url)
                    for entry in entries:
                        entry.feed_id = feed.id
                    self._store_and_enrich(self.complete_entries(entries, result), result)
                    feed.etag, feed.last_modified = got.etag, got.last_modified
                feed.last_error, feed.error_count = None, 0
            except (FetchError, InputError) as exc:
                reason = getattr(exc, "reason", str(exc))
                feed.last_error, feed.error_count = reason, feed.error_count + 1
                result.refused.append((feed.url, reason))
            self.store.update_feed(feed)
        return result

    # -- store ------------------------------------------------------------------------------

    def _store_and_enrich(self, articles: list[Article], result: ImportResult) -> None:
        if not articles:
            return
        to_enrich = self.store_articles(articles, result)
        self.enrich_articles(to_enrich)

    def store_articles(self, articles: Iterable[Article], result: ImportResult) -> list[Article]:
        """Normalise, dedupe and store; returns the articles that need enriching."""
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
            if self.store.is_tombstoned(article):
                result.duplicates += 1
                continue
            existing_id = self.store.find_duplicate(article)
            if existing_id is not None:
                existing = self.store.get_article(existing_id)
                if existing is not None and _richer(article, existing):
                    merged = _merge(existing, article)
                    self.store.update_article(merged)
                    assert merged.id is not None
                    out[merged.id] = merged
                    result.updated += 1
                else:
                    result.duplicates += 1
                continue
            self.store.insert_article(article)
            result.imported += 1
            assert article.id is not None
            result.article_ids.append(article.id)
            out[article.id] = article
        self.timings.add("store", start)
        return list(out.values())

    # -- enrich, index, link ----------------------------------------------------------------

    def enrich_articles(self, articles: list[Article]) -> None:
        """Prepare what is not prepared yet (enrich/prepare.py), then store, link and cluster."""
        from .enrich.prepare import is_prepared, prepare_articles
        from .stories.cluster import assign_story

        if not articles:
            return
        todo = [a for a in articles if not is_prepared(a)]
        for stage, seconds in prepare_articles(todo, self.embedder).items():
            self.timings.seconds[stage] = self.timings.seconds.get(stage, 0.0) + seconds

        start = time.perf_counter()
        for a in todo:  # the others were stored already prepared
            self.store.update_article(a)
        self.timings.add("store", start)

        start = time.perf_counter()
        ids = [a.id for a in articles if a.id is not None]
        self.index.add(ids, np.vstack([a.embedding for a in articles]))
        self._link_similar(articles)
        for a in sorted(articles, key=_date_key):
            assign_story(self.store, self.index, a, self.config.story_threshold)
        self.timings.add("index", start)

    def _link_similar(self, articles: list[Article]) -> None:
        k = self.config.similar_count
        batch = {a.id for a in articles}
        touched: dict[int, list[tuple[int, float]]] = {}
        for a in articles:
            assert a.id is not None
            hits = self.index.search(a.embedding, k, exclude=a.id)
            self.store.set_similar(a.id, hits)
            # an older article may now have `a` among its nearest: merge it into its list
            for other_id, score in hits:
                if other_id in batch:
                    continue
                links = touched.get(other_id) or self.store.similar_ids(other_id, k)
                if len(links) < k or score > links[-1][1]:
                    links = sorted([*[(i, s) for i, s in links if i != a.id], (a.id, score)],
                                   key=lambda pair: -pair[1])[:k]
                touched[other_id] = links
        for other_id, links in touched.items():
            self.store.set_similar(other_id, links)


# -- helpers ---------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\u00a0]+")


def normalise(article: Article) -> None:
    """Text from HTML when needed, clean whitespace, a title, a content hash; refuse empties."""
    from .extract.sanitize import blocks_to_text, html_to_blocks
    from .ingest.urls import canonical_url, is_http_url

    # article.html is sanitised where it is made (extract, feed parsers, JSONL); pages
    # sanitise again when they render it
    if article.html and not article.text.strip():
        article.text, article.headings = blocks_to_text(html_to_blocks(article.html))
    paragraphs = [_WS.sub(" ", p).strip() for p in article.text.split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    if not article.headings:
        article.headings = [p for i, p in enumerate(paragraphs) if i and _looks_heading(p)]
    article.text = "\n\n".join(paragraphs)
    article.title = _WS.sub(" ", article.title).strip()
    if not article.text:
        raise InputError(article.url or article.title or "article", "article has no text")
    if not article.title:
        first = paragraphs[0]
        article.title = first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "…"
    if article.url and is_http_url(article.url):
        article.url = canonical_url(article.url)
    body = re.sub(r"\W+", " ", article.text.lower()).strip()
    article.content_hash = hashlib.sha256(body.encode()).hexdigest()[:32]
    if article.fetched is None:
        article.fetched = datetime.now(UTC)


def _looks_heading(paragraph: str) -> bool:
    return (len(paragraph) <= 80 and paragraph[-1] not in ".!?:;,\"”’)…"
            and len(paragraph.split()) <= 10 and paragraph[0].isupper())


def _with_page(entry: Article, page: Article) -> Article:
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


def _richer(new: Article, old: Article) -> bool:
    """A full page arriving after its feed summary (or the reverse) keeps the longer text."""
    return len(new.text) > 1.3 * len(old.text) + 200


def _merge(old: Article, new: Article) -> Article:
    for name in ("text", "html", "headings", "byline", "published", "publisher_section",
                 "description", "source", "url", "lang"):
        value = getattr(new, name)
        if value and (name in ("text", "html", "headings") or not getattr(old, name)):
            setattr(old, name, value)
    if new.title and len(new.title) >= 8:
        old.title = new.title
    old.content_hash = new.content_hash
    old.embedding, old.summary = None, ""  # new text: prepare it again
    return old


def _date_key(article: Article) -> tuple[float, int]:
    when = article.published or article.fetched
    return (when.timestamp() if when else 0.0, article.id or 0)


def _looks_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head


def _discover_feed(body: bytes, base: str) -> str | None:
    from urllib.parse import urljoin

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
