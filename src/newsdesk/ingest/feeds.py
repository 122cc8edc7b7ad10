"""RSS and Atom feeds (through feedparser) and JSON Feed (through jsonfeed.py) -> ParsedFeed.

How a document is read:

1. Empty input, and input that is plainly binary (NUL bytes that are not UTF-16/32 text),
   raise ParseError at once.
2. Input whose first character is "{" or "[" is JSON: it goes to jsonfeed.py.
3. Everything else is decoded by feedtext.py (byte-order mark, UTF-16/32 autodetection, valid
   UTF-8, the declared encoding, windows-1252; wrong declarations and invalid bytes noted in
   `problems`, invalid bytes replaced with U+FFFD, never read as mojibake) and handed to
   feedparser as UTF-8.
4. A document whose prolog declares entities (billion laughs, XXE) is refused, as OPML and
   sitemaps are (xmlsafe.py).
5. feedparser detects RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 and recovers what it can from broken
   XML (its loose parser); its bozo message, when there is one, is recorded in `problems`.
   Its own HTML sanitiser and link resolver are off: entry HTML is measured against the
   bounds of extract/bounds.py (over them it is flattened to text, with a note in
   `problems`), then sanitised with nh3, relative links resolved against the entry's
   xml:base or `base_url`.
6. A result with no recognised feed version and no entries is not a feed: ParseError, with a
   reason that says what it looked like instead (an HTML page, broken XML, ...). Likewise
   broken XML from which no entry could be recovered.

Each entry becomes an Article:

    title             plain text, entities decoded
    url               canonical_url of the entry link, resolved against base_url
    guid              entry id (RSS guid / Atom id)
    published         parse_date of published, else updated (feedparser's own reading as a
                      last resort)
    byline            author
    publisher_section first category/tag term
    source            the feed title
    html              the richest content (content:encoded / Atom content), else the summary;
                      sanitised with nh3, as every adapter does
    description       the summary as plain text

Every entry is kept, as other readers keep them: an entry with a title and a link but no text
is a title-only article (its page is fetched when fetching is allowed); an entry with no title
and no text is titled with its link, and one with neither (only an author, a date, an id...)
is titled UNTITLED and counted in `problems` (from broken XML, where such an entry is debris
of the repair, an entry with no title, text, link or id is skipped).
"""

from __future__ import annotations

import calendar
import contextlib
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from ..errors import ParseError
from ..extract.bounds import html_over_bounds
from ..extract.sanitize import flatten_html
from ..model import Article
from .dates import parse_date
from .feedtext import UTF8_DECLARATION, as_utf8_xml, decode_feed, is_wide_text
from .jsonfeed import parse_jsonfeed
from .parsed import ParsedFeed, html_to_text, one_line, sanitize_html, text_to_html
from .urls import canonical_url, is_http_url
from .xmlsafe import refuse_entity_declarations

__all__ = ["ParsedFeed", "parse_feed", "feed_kind", "UNTITLED"]

UNTITLED = "Untitled entry"  # the title of an entry with no title, text or link

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# bozo exceptions that say nothing about the document being broken
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def feed_kind(version: str) -> str:
    """feedparser's version string -> "rss" | "atom" | "rdf"."""
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10"):
        return "rdf"
    return "rss"


def _looks_binary(data: bytes) -> bool:
    head = data[:2048]
    return b"\x00" in head and not is_wide_text(head)


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _not_a_feed_reason(data: bytes, bozo: Exception | None) -> str:
    head = _strip_bom(data[:4096]).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:1024]:
        return ("an HTML page, not a feed (the page may link its feed with "
                "<link rel=\"alternate\">)")
    if not head.startswith(b"<"):
        return "not a feed: the document is not XML"
    if bozo is not None and not isinstance(bozo, _BENIGN_BOZO):
        return f"invalid XML and no entries could be recovered ({_bozo_message(bozo)})"
    return "not a feed: no RSS, RDF or Atom root element"


def _bozo_message(exc: BaseException) -> str:
    getline = getattr(exc, "getLineNumber", None)
    getcol = getattr(exc, "getColumnNumber", None)
    getmessage = getattr(exc, "getMessage", None)
    if callable(getline) and callable(getcol) and callable(getmessage):
        with contextlib.suppress(Exception):
            return f"{getmessage()} at line {getline()}, column {getcol()}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _get(obj: Any, key: str) -> Any:
    try:
        return obj.get(key)
    except Exception:
        return None


def _date(entry: Any) -> datetime | None:
    for key in ("published", "updated", "created"):
        found = parse_date(_get(entry, key) if isinstance(_get(entry, key), str) else None)
        if found is not None:
            return found
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = _get(entry, key)
        if parsed:
            try:
                found = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
            if 1800 <= found.year <= 2200:
                return found
    return None


def _as_html(detail: Any, base_url: str | None, notes: list[str]) -> str:
    """A feedparser text construct (value + type) as sanitised HTML, its relative links
    resolved against the xml:base in effect (feedparser's `base`) or the feed's URL."""
    value = _get(detail, "value") or ""
    if not isinstance(value, str) or not value.strip():
        return ""
    kind = _get(detail, "type") or "text/html"
    if kind in _HTML_TYPES or "html" in kind:
        too_costly = html_over_bounds(value)
        if too_costly:
            notes.append(f"{too_costly}: flattened to text")
            return flatten_html(value)
        base = _get(detail, "base")
        return sanitize_html(value, base if isinstance(base, str) and base else base_url)
    return text_to_html(value)


def _best_content(entry: Any, base_url: str | None, notes: list[str]) -> str:
    contents = _get(entry, "content") or []
    best = ""
    for detail in contents:
        candidate = _as_html(detail, base_url, notes)
        if len(candidate) > len(best):
            best = candidate
    if best:
        return best
    summary = _get(entry, "summary_detail")
    if summary:
        return _as_html(summary, base_url, notes)
    return sanitize_html(_get(entry, "summary") or "", base_url)


def _text(detail: Any, fallback: Any) -> str:
    if detail and isinstance(_get(detail, "value"), str):
        kind = _get(detail, "type") or ""
        value = detail["value"]
        return one_line(value) if "html" in kind else " ".join(value.split())
    return one_line(fallback) if isinstance(fallback, str) else ""


def _first_term(entry: Any) -> str | None:
    for tag in _get(entry, "tags") or []:
        term = _get(tag, "term") or _get(tag, "label")
        if isinstance(term, str) and term.strip():
            return one_line(term) or None
    return None


def _link(entry: Any, base_url: str | None) -> str | None:
    candidates: list[str] = []
    link = _get(entry, "link")
    if isinstance(link, str):
        candidates.append(link)
    for item in _get(entry, "links") or []:
        if _get(item, "rel") in (None, "alternate") and isinstance(_get(item, "href"), str):
            candidates.append(item["href"])
    guid = _get(entry, "id")
    if _get(entry, "guidislink") and isinstance(guid, str):
        candidates.append(guid)
    for raw in candidates:
        raw = raw.strip()
        if base_url:
            try:
                raw = urljoin(base_url, raw)
            except ValueError:
                continue
        if is_http_url(raw):
            return canonical_url(raw)
    return None


def _title(entry: Any, body: str, url: str | None) -> str:
    """The entry's title; for an entry without one or text to take one from (normalise
    does), its link, else UNTITLED."""
    title = _text(_get(entry, "title_detail"), _get(entry, "title"))
    if title or (body and html_to_text(body)):
        return title
    if url:
        return url.split("://", 1)[-1]
    return UNTITLED


def _article(entry: Any, source: str | None, base_url: str | None, notes: list[str]
             ) -> Article:
    summary_detail = _get(entry, "summary_detail")
    description = html_to_text(_get(summary_detail, "value") if summary_detail
                               else _get(entry, "summary"))
    author = _get(entry, "author")
    guid = _get(entry, "id")
    body = _best_content(entry, base_url, notes)
    url = _link(entry, base_url)
    return Article(
        title=_title(entry, body, url),
        html=body,
        url=url,
        guid=guid.strip() or None if isinstance(guid, str) else None,
        source=source,
        byline=one_line(author) or None if isinstance(author, str) else None,
        published=_date(entry),
        publisher_section=_first_term(entry),
        description=" ".join(description.split()) or None,
    )


def _feed_url(feed: Any, base_url: str | None) -> str | None:
    for item in _get(feed, "links") or []:
        href = _get(item, "href")
        if _get(item, "rel") == "self" and isinstance(href, str) and is_http_url(href):
            return href.strip()
    return base_url if base_url and is_http_url(base_url) else None


def parse_feed(data: bytes, name: str, base_url: str | None = None) -> ParsedFeed:
    """Parse an RSS, RDF, Atom or JSON feed. Raises ParseError when `data` is not a feed."""
    if not data or not data.strip():
        raise ParseError(name, "empty document")
    head = _strip_bom(data[:64]).lstrip()
    if head.startswith((b"{", b"[")):
        return parse_jsonfeed(data, name, base_url)
    if _looks_binary(data):
        raise ParseError(name, "binary data, not a feed")
    text, problems = decode_feed(data)
    if not text.strip():
        raise ParseError(name, "empty document")
    data = as_utf8_xml(text)
    del text
    refuse_entity_declarations(data, name)
    headers = {"content-location": base_url} if base_url else {}
    try:
        # HTML is sanitised (and its relative links resolved) by nh3 below, within bounds;
        # feedparser's own sanitiser is slow and grows with the square of the nesting depth
        result = feedparser.parse(io.BytesIO(data), response_headers=headers,
                                  sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser is tolerant; anything escaping is a broken document
        raise ParseError(name, f"not a feed: {type(exc).__name__}: {exc}") from None
    version = str(result.get("version") or "")
    raw_entries = result.get("entries") or []
    bozo = result.get("bozo_exception") if result.get("bozo") else None
    broken = bozo is not None and not isinstance(bozo, _BENIGN_BOZO)
    if (not version and not raw_entries) or (broken and not raw_entries):
        raise ParseError(name, _not_a_feed_reason(data[len(UTF8_DECLARATION):], bozo))
    # NonXMLContentType only reflects the Content-Location header we made up for base_url
    noted = bozo is not None and not isinstance(bozo, feedparser.NonXMLContentType)
    if noted and bozo is not None:
        problems.append(_bozo_message(bozo))
    feed = result.get("feed") or {}
    title = _text(_get(feed, "title_detail"), _get(feed, "title")) or None
    # each of feedparser's entries is let go of once it is an Article: the two never all
    # exist at once (a 19 MB feed of 10,000 entries)
    raw_entries.reverse()
    entries = []
    while raw_entries:
        entries.append(_article(raw_entries.pop(), title, base_url, problems))
    if broken:  # from broken XML, an entry with nothing in it is debris, not an entry
        empty = [a for a in entries if a.title == UNTITLED and not a.guid and not a.url]
        if empty and len(empty) == len(entries):
            raise ParseError(name, _not_a_feed_reason(data[len(UTF8_DECLARATION):], bozo))
        if empty:
            debris = {id(a) for a in empty}
            entries = [a for a in entries if id(a) not in debris]
            problems.append(f"{len(empty)} empty entr{'y' if len(empty) == 1 else 'ies'} "
                            "skipped")
    untitled = sum(1 for a in entries if a.title == UNTITLED)
    if untitled:
        problems.append(f"{untitled} entr{'y has' if untitled == 1 else 'ies have'} no title, "
                        "text or link")
    site = _get(feed, "link")
    return ParsedFeed(
        kind=feed_kind(version),
        title=title,
        site_url=site.strip() if isinstance(site, str) and is_http_url(site) else None,
        feed_url=_feed_url(feed, base_url),
        entries=entries,
        problems=problems,
        version=version,
    )
