"""Sitemaps -> URLs with dates.

Reads the sitemaps.org protocol in its three shapes: a <urlset> (pages, each with an optional
<lastmod>), a <sitemapindex> (child sitemaps to fetch in turn: http(s) URLs, or references
without a scheme that the reader resolves against the index's own location), and the
plain-text form (one URL per line). Following an index, within limits, is the pipeline's job
(Pipeline._sitemap_articles). Bodies compressed with gzip (sitemap.xml.gz) are recognised by
their magic bytes and inflated up to MAX_SITEMAP_BYTES, the protocol's own limit, which also
stops gzip bombs.

Google News sitemaps add <news:news> to each <url>: its <news:publication_date> is the date
reported for the URL when there is no <lastmod>, and its title, publication date, publication
name and language are kept in `Sitemap.news`. Namespaces are matched by local name only, since
real sitemaps often get them wrong.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import ParseError, TooLargeError
from .dates import parse_date
from .urls import is_http_url
from .xmlsafe import child_text, local_name, parse_xml

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # uncompressed size limit set by sitemaps.org
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass
class NewsInfo:
    """The Google News part of one sitemap <url>."""

    title: str | None = None
    published: datetime | None = None
    publication: str | None = None
    language: str | None = None


@dataclass
class Sitemap:
    """One parsed sitemap: page URLs with their date, and child sitemaps of an index."""

    urls: list[tuple[str, datetime | None]] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    news: dict[str, NewsInfo] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _is_relative(loc: str) -> bool:
    """A reference without a scheme ("sitemap-2.xml", "/news/sitemap.xml"), which the reader
    resolves against where the index came from."""
    return not _SCHEME.match(loc) and not loc.startswith("//") and "\x00" not in loc


def _gunzip(data: bytes, name: str) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_SITEMAP_BYTES + 1)
    except zlib.error as exc:
        raise ParseError(name, f"corrupt gzip data: {exc}") from None
    if len(out) <= MAX_SITEMAP_BYTES and not inflater.eof:
        raise ParseError(name, "corrupt or truncated gzip data")
    if len(out) > MAX_SITEMAP_BYTES:
        raise TooLargeError(name, f"sitemap over {MAX_SITEMAP_BYTES} bytes once decompressed")
    return out


def _plain_text(text: str, name: str) -> Sitemap:
    result = Sitemap()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if not is_http_url(line):
            raise ParseError(name, f"not a sitemap: line {number} is not a URL")
        result.urls.append((line, None))
    if not result.urls:
        raise ParseError(name, "empty sitemap")
    return result


def _news(url_element: ET.Element) -> NewsInfo | None:
    for child in url_element:
        if local_name(child.tag) != "news":
            continue
        publication = None
        language = None
        for sub in child:
            if local_name(sub.tag) == "publication":
                publication = child_text(sub, "name")
                language = child_text(sub, "language")
        return NewsInfo(
            title=child_text(child, "title"),
            published=parse_date(child_text(child, "publication_date")),
            publication=publication,
            language=language,
        )
    return None


def parse_sitemap(data: bytes, name: str) -> Sitemap:
    """Parse a sitemap, sitemap index or plain-text sitemap (gzip or not). Raises ParseError."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, name)
    if len(data) > MAX_SITEMAP_BYTES:
        raise TooLargeError(name, f"sitemap over {MAX_SITEMAP_BYTES} bytes")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ParseError(name, "empty document")
    if not head.startswith(b"<"):
        try:
            return _plain_text(head.decode("utf-8"), name)
        except UnicodeDecodeError:
            raise ParseError(name, "not a sitemap: binary data") from None
    root = parse_xml(data, name)
    kind = local_name(root.tag)
    result = Sitemap()
    if kind == "sitemapindex":
        for child in root:
            if local_name(child.tag) != "sitemap":
                continue
            loc = child_text(child, "loc")
            if loc and (is_http_url(loc) or _is_relative(loc)):
                result.sitemaps.append(loc)
            else:
                result.problems.append(f"sitemap entry without a usable <loc>: {loc!r}")
        return result
    if kind != "urlset":
        raise ParseError(name, f"not a sitemap (root element is <{kind}>)")
    for child in root:
        if local_name(child.tag) != "url":
            continue
        loc = child_text(child, "loc")
        if not loc or not is_http_url(loc):
            result.problems.append(f"url entry without a usable <loc>: {loc!r}")
            continue
        lastmod_text = child_text(child, "lastmod")
        lastmod = parse_date(lastmod_text)
        if lastmod_text and lastmod is None:
            result.problems.append(f"{loc}: unreadable <lastmod> {lastmod_text!r}")
        news = _news(child)
        if news is not None:
            result.news[loc] = news
            if lastmod is None:
                lastmod = news.published
        result.urls.append((loc, lastmod))
    return result
