"""Plain data for newsdesk: sources, feeds, articles, entities, stories. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

ENTITY_TYPES = ("person", "org", "place", "number", "date", "money", "percent", "misc")


@dataclass
class Entity:
    """A name or figure found in an article. `type` is one of ENTITY_TYPES."""

    text: str
    type: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "type": self.type}


@dataclass
class Feed:
    """A subscribed feed and its HTTP cache state (for conditional GET)."""

    url: str
    id: int | None = None
    title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_checked: datetime | None = None
    last_error: str | None = None
    error_count: int = 0
    next_check: datetime | None = None  # due again at this time (None: due now)
    retry_at: datetime | None = None  # the host asked us (Retry-After) to wait until then
    status: str | None = None  # of the last check: FEED_STATUSES; None: never checked
    last_ok: datetime | None = None  # the last check that succeeded (new or not modified)
    name: str | None = None  # the reader's own name for it, shown before the feed's title
    category: str | None = None  # a folder of the reader's (apps: a label/group)

    @property
    def label(self) -> str:
        """What lists call the feed: the reader's name, else its title, else its URL."""
        return self.name or self.title or self.url


FEED_STATUSES = ("ok", "not modified", "error", "waiting")


@dataclass
class Article:
    """One article, from whatever source, as it moves through the pipeline.

    `text` holds paragraphs separated by blank lines; each subheading is a paragraph of its own
    and is also listed in `headings` so pages can render it as a heading.
    `html` is sanitised body HTML (nh3) or empty; it is never rendered unsanitised.
    """

    title: str = ""
    text: str = ""
    html: str = ""
    headings: list[str] = field(default_factory=list)
    url: str | None = None
    external_id: str | None = None
    guid: str | None = None
    source: str | None = None
    byline: str | None = None
    published: datetime | None = None
    fetched: datetime | None = None
    lang: str | None = None
    section: str | None = None
    publisher_section: str | None = None
    description: str | None = None
    image_url: str | None = None  # the page's own lead image (og:image, twitter:image, JSON-LD)
    summary: str = ""
    key_facts: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    embedding: Any = field(default=None, repr=False)  # numpy float32 vector, L2-normalised
    content_hash: str | None = None
    feed_id: int | None = None
    story_id: int | None = None
    id: int | None = None
    warnings: list[str] = field(default_factory=list)
    # who wrote the summary and key facts: "publisher", "picked" (our extractive rules) or
    # "llm"; set by enrichment, not stored
    written_by: dict[str, str] = field(default_factory=dict)

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]

    def blocks(self) -> list[tuple[str, str]]:
        """Body as ("h", text) and ("p", text) blocks, in order."""
        heads = set(self.headings)
        return [("h" if p in heads else "p", p) for p in self.paragraphs()]


@dataclass
class Story:
    """Articles about one event, possibly from several outlets and languages."""

    id: int
    title: str
    article_ids: list[int] = field(default_factory=list)
    first_published: datetime | None = None
    last_published: datetime | None = None


@dataclass
class ImportResult:
    """Counts and refusals of one import or refresh run."""

    imported: int = 0
    duplicates: int = 0
    updated: int = 0  # stored articles replaced by a fuller version (a page after its feed entry)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (input name, reason)
    subscribed: int = 0
    article_ids: list[int] = field(default_factory=list)
    finished: int = 0  # articles an earlier, interrupted run left not enriched, finished now
    feed_id: int | None = None  # the feed add_feed subscribed (or found subscribed already)

    def merge(self, other: ImportResult) -> None:
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.updated += other.updated
        self.refused.extend(other.refused)
        self.subscribed += other.subscribed
        self.finished += other.finished
        self.article_ids.extend(other.article_ids)


_PLAIN_FIELDS = ("title", "text", "html", "headings", "url", "external_id", "guid", "source",
                 "byline", "lang", "section", "publisher_section", "description", "image_url",
                 "feed_id", "key_facts")
_DATE_FIELDS = ("published", "fetched")


def article_to_dict(article: Article) -> dict[str, Any]:
    """What a task needs to carry an article not yet stored, as JSON-safe values (no
    enrichment, no ids of the store)."""
    out: dict[str, Any] = {name: getattr(article, name) for name in _PLAIN_FIELDS}
    for name in _DATE_FIELDS:
        value = getattr(article, name)
        out[name] = value.isoformat() if value else None
    return out


def article_from_dict(data: dict[str, Any]) -> Article:
    known = {f.name for f in fields(Article)}
    values = {k: v for k, v in data.items() if k in known and k not in _DATE_FIELDS}
    article = Article(**values)
    for name in _DATE_FIELDS:
        if data.get(name):
            setattr(article, name, datetime.fromisoformat(data[name]))
    return article
