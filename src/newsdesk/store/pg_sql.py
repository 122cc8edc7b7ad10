"""Pieces of the PostgreSQL engine that hold no connection: rows to and from the model,
the full-text document and query, advisory-lock keys, and the URL as shown to people.

Search folds accents here, in Python, both when a document is written and when a query is
read ("Migración" and "migracion" meet): the `unaccent` extension is not on every server
(pgserver's build lacks it). Folding before stemming keeps the two sides consistent; the
Spanish stemmer then takes "migraciones" and "migracion" to one stem. Each text is indexed
stemmed (by its language; English and Spanish when unknown) and unstemmed ('simple'), so a
stop word or a proper name still matches as written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import numpy as np
from psycopg.types.json import Jsonb

from ..errors import StoreError
from ..model import Article, Entity, Feed
from .base import BRIEF_TEXT

Row = dict[str, Any]

WRITTEN = (
    "external_id", "url", "guid", "content_hash", "feed_id", "story_id", "source", "title",
    "byline", "published", "fetched", "lang", "section", "publisher_section", "description",
    "text", "html", "headings", "summary", "key_facts", "entities", "embedding", "image_url",
)
COLUMNS = ", ".join(("id", *WRITTEN))  # never `search`: it is large and only for matching
# what a brief article (base.BRIEF_TEXT) reads: no html, JSON lists or embedding
BRIEF_COLUMNS = (
    "id, external_id, url, guid, content_hash, feed_id, story_id, source, title, byline, "
    "published, fetched, lang, section, publisher_section, description, summary, image_url, "
    f"left(text, {BRIEF_TEXT}) AS text"
)
DEDUPE_KEYS = ("url", "guid", "external_id", "content_hash")
_INDEXED_TEXT = 500_000  # characters of body indexed: a tsvector is capped at 1 MB
_STEMMERS = {"en": ("english",), "es": ("spanish",)}
_ALL_STEMMERS = ("english", "spanish")


def fold(text: str) -> str:
    """Lower case without accents: "Migración" -> "migracion"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_vector(lang: str | None, title: str, summary: str, text: str) -> tuple[str, list[Any]]:
    """SQL and parameters for the document vector: title A, summary B, body C."""
    stemmers = _STEMMERS.get((lang or "")[:2], () if lang else _ALL_STEMMERS)
    parts, params = [], []  # type: list[str], list[Any]
    for weight, field in (("A", title), ("B", summary), ("C", text[:_INDEXED_TEXT])):
        folded = fold(field)
        for config in (*stemmers, "simple"):
            parts.append(f"setweight(to_tsvector(%s::regconfig, %s), '{weight}')")
            params += [config, folded]
    return " || ".join(parts), params


def search_query(query: str, any_word: bool = False) -> tuple[str, list[Any]]:
    """SQL and parameters for a tsquery in which every word must match (stemmed by either
    language or as written) and the last word may be a prefix, or with `any_word` any word;
    ("", []) without words."""
    words = re.findall(r"\w+", fold(query))
    configs = (*_ALL_STEMMERS, "simple")
    parts, params = [], []  # type: list[str], list[Any]
    for i, word in enumerate(words):
        term = f"{word}:*" if i == len(words) - 1 and not any_word else word
        parts.append("(" + " || ".join("to_tsquery(%s::regconfig, %s)" for _ in configs) + ")")
        for config in configs:
            params += [config, term]
    return (" || " if any_word else " && ").join(parts), params


def lock_key(kind: str, value: str) -> int:
    """A bigint for pg_advisory_xact_lock; a collision only makes two writers wait."""
    digest = hashlib.blake2b(f"newsdesk:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def aware(value: datetime | None) -> datetime | None:
    """Naive times are UTC, as in the SQLite engine."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def as_vector(vec: Any) -> np.ndarray | None:
    return None if vec is None else np.asarray(vec, dtype=np.float32).ravel()


def from_vector(value: Any) -> np.ndarray | None:
    """pgvector gives a Vector object (newer) or a numpy array (older releases)."""
    if value is None:
        return None
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value, dtype=np.float32)


def hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def where(url: str) -> str:
    """"db@host" for messages; the host may sit in the query string (a socket folder)."""
    parts = urlsplit(url)
    host = parts.hostname or parse_qs(parts.query).get("host", ["localhost"])[0]
    return f"{parts.path.lstrip('/') or 'postgres'}@{host}"


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def article_values(a: Article) -> list[Any]:
    """Parameters for WRITTEN, in order."""
    return [
        a.external_id, a.url, a.guid, a.content_hash, a.feed_id, a.story_id, a.source,
        a.title, a.byline, aware(a.published), aware(a.fetched) or datetime.now(UTC),
        a.lang, a.section, a.publisher_section, a.description, a.text, a.html,
        Jsonb(a.headings), a.summary, Jsonb(a.key_facts),
        Jsonb([e.as_dict() for e in a.entities]), as_vector(a.embedding), a.image_url,
    ]


def one(row: Row | None) -> Row:
    """The row of a statement that always returns one."""
    if row is None:
        raise StoreError("PostgreSQL returned no row where one was expected")
    return row


def to_article(row: Row) -> Article:
    """A whole row: the brief fields plus html, headings, facts, entities and the embedding."""
    article = to_brief(row)
    article.html = row["html"]
    article.headings = list(row["headings"])
    article.key_facts = list(row["key_facts"])
    article.entities = [Entity(e["text"], e["type"]) for e in row["entities"]]
    article.embedding = from_vector(row["embedding"])
    return article


def to_brief(row: Row) -> Article:
    """A row of BRIEF_COLUMNS."""
    return Article(
        id=int(row["id"]), external_id=row["external_id"], url=row["url"], guid=row["guid"],
        content_hash=row["content_hash"], feed_id=row["feed_id"], story_id=row["story_id"],
        source=row["source"], title=row["title"], byline=row["byline"],
        published=row["published"], fetched=row["fetched"], lang=row["lang"],
        section=row["section"], publisher_section=row["publisher_section"],
        description=row["description"], text=row["text"], summary=row["summary"],
        image_url=row["image_url"],
    )


def to_feed(row: Row) -> Feed:
    return Feed(id=int(row["id"]), url=row["url"], title=row["title"],
                site_url=row["site_url"], etag=row["etag"],
                last_modified=row["last_modified"], last_checked=row["last_checked"],
                last_error=row["last_error"], error_count=int(row["error_count"]),
                next_check=row["next_check"], retry_at=row["retry_at"],
                status=row["last_status"], last_ok=row["last_ok"], name=row["name"],
                category=row["category"])
