"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org) -> ParsedFeed.

Items map onto Articles as the XML feeds do in feeds.py:

    id -> guid            url (else external_url) -> url, canonical, resolved against the feed
    title -> title        content_html (sanitised) else content_text (as <p>) else summary -> html
    summary -> description (plain text; else the start of the content's text)
    titles and names are plain text in JSON Feed: entities are decoded, tags are not parsed
    date_published -> published (date_modified as fallback)
    authors[].name (1.1) or author.name (1.0, or the feed's) -> byline
    tags[0] -> publisher_section

A document that is not JSON raises ParseError naming the line and column; JSON that is not a
JSON Feed (no jsonfeed.org version and no "items" list) raises ParseError too. Items that are
not objects, or have neither title, content nor URL, are skipped and counted in `problems`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from ..errors import ParseError
from ..model import Article
from .dates import parse_date
from .parsed import ParsedFeed, html_to_text, plain_line, sanitize_html, text_to_html
from .urls import canonical_url, is_http_url

VERSION_PREFIX = "https://jsonfeed.org/version/"
DESCRIPTION_CHARS = 500
NOT_A_JSON_FEED = "JSON document is not a JSON Feed"  # how such a refusal starts


def load_json(data: bytes, name: str) -> Any:
    """json.loads with a ParseError naming line and column on failure."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ParseError(
            name, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ParseError(name, f"invalid JSON: {exc}") from None


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _names(obj: dict[str, Any]) -> list[str]:
    people: list[Any] = []
    if isinstance(obj.get("authors"), list):
        people = obj["authors"]
    elif isinstance(obj.get("author"), dict):
        people = [obj["author"]]
    names = [plain_line(_str(p.get("name"))) for p in people if isinstance(p, dict)]
    return [n for n in names if n]


def _url(value: Any, base: str | None) -> str | None:
    raw = _str(value)
    if raw is None:
        return None
    if base:
        raw = urljoin(base, raw)
    return canonical_url(raw) if is_http_url(raw) else None


def _article(item: dict[str, Any], base: str | None, source: str | None,
             feed_authors: list[str]) -> Article:
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    summary = _str(item.get("summary"))
    if content_html:
        body = sanitize_html(content_html)
    elif content_text:
        body = text_to_html(content_text)
    else:
        body = text_to_html(summary)
    description = plain_line(summary) or plain_line(content_text) or html_to_text(body)
    tags = item.get("tags")
    first_tag = next((t.strip() for t in tags if isinstance(t, str) and t.strip()), None) \
        if isinstance(tags, list) else None
    names = _names(item) or feed_authors
    return Article(
        title=plain_line(_str(item.get("title"))),
        html=body,
        url=_url(item.get("url"), base) or _url(item.get("external_url"), base),
        guid=_str(item.get("id")),
        source=source,
        byline=", ".join(names) or None,
        published=parse_date(_str(item.get("date_published")))
        or parse_date(_str(item.get("date_modified"))),
        publisher_section=first_tag,
        description=" ".join(description.split())[:DESCRIPTION_CHARS] or None,
    )


def parse_jsonfeed_object(doc: Any, name: str, base_url: str | None = None) -> ParsedFeed:
    """Adapt an already-decoded JSON document. Raises ParseError if it is not a JSON Feed."""
    if not isinstance(doc, dict):
        raise ParseError(name, f"{NOT_A_JSON_FEED} (top level is a "
                               f"{type(doc).__name__}, not an object)")
    version = _str(doc.get("version")) or ""
    items = doc.get("items")
    problems: list[str] = []
    if not version.startswith(VERSION_PREFIX):
        if not isinstance(items, list):
            raise ParseError(name, f"{NOT_A_JSON_FEED} (no jsonfeed.org version "
                                   "and no \"items\" list)")
        problems.append(f"unknown or missing JSON Feed version {version!r}")
    if not isinstance(items, list):
        problems.append("feed has no \"items\" list")
        items = []
    feed_url = _url(doc.get("feed_url"), base_url)
    site_url = _url(doc.get("home_page_url"), base_url)
    base = base_url or feed_url or site_url
    title = plain_line(_str(doc.get("title"))) or None
    feed_authors = _names(doc)
    entries: list[Article] = []
    skipped = 0
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(f"item {number} is not an object")
            continue
        article = _article(item, base, title, feed_authors)
        if not (article.title or article.html or article.url):
            skipped += 1
            continue
        if article.guid is None:
            problems.append(f"item {number} has no id")
        entries.append(article)
    if skipped:
        problems.append(f"{skipped} item(s) skipped: no title, content or URL")
    number_version = version.removeprefix(VERSION_PREFIX).replace(".", "")
    return ParsedFeed(
        kind="jsonfeed",
        title=title,
        site_url=site_url,
        feed_url=feed_url,
        entries=entries,
        problems=problems,
        version=f"jsonfeed{number_version}" if version.startswith(VERSION_PREFIX) else "jsonfeed",
    )


def parse_jsonfeed(data: bytes, name: str, base_url: str | None = None) -> ParsedFeed:
    """Parse JSON Feed bytes. Raises ParseError for invalid JSON or a non-feed document."""
    return parse_jsonfeed_object(load_json(data, name), name, base_url)
