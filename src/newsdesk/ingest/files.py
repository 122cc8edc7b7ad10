"""Local inputs for `newsdesk import`: folders, JSONL, HTML pages, feed files, OPML, sitemaps.

This module only reads and classifies; turning inputs into stored articles is pipeline.py's job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError, ParseError, TooLargeError
from ..extract.sanitize import sanitize_html
from ..model import Article
from .dates import parse_date
from .feedtext import is_wide_text
from .urls import canonical_url, is_http_url

HTML_EXT = {".html", ".htm", ".xhtml"}
FEED_EXT = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}
JSONL_EXT = {".jsonl", ".ndjson"}
OPML_EXT = {".opml"}
KNOWN_EXT = HTML_EXT | FEED_EXT | JSONL_EXT | OPML_EXT


def expand(paths: list[str]) -> Iterator[Path | InputError]:
    """Files named, and files under folders named (recursively, sorted, hidden ones skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts) or not child.is_file():
                    continue
                if child.suffix.lower() in KNOWN_EXT:
                    yield child
        elif path.is_file():
            yield path
        elif path.exists():
            yield InputError(raw, "not a regular file")
        else:
            yield InputError(raw, "no such file or folder")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing empty, oversized and binary files with a clear reason."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLargeError(name, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise InputError(name, "empty file")
    if looks_binary(data):
        raise InputError(name, "binary file, not text")
    return data


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return not is_wide_text(head[:2048])  # UTF-16/32 markup without a BOM is text
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


def sniff(path: Path, data: bytes) -> str:
    """One of: jsonl, html, feed, opml, sitemap. Extension first, then content."""
    ext = path.suffix.lower()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if ext in JSONL_EXT:
        return "jsonl"
    if ext in OPML_EXT or b"<opml" in head:
        return "opml"
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if ext in HTML_EXT:
        return "html"
    if ext in FEED_EXT:
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "feed"


def parse_jsonl(data: bytes, name: str) -> Iterator[Article | InputError]:
    """One article per line; a broken line is refused with its number, the rest go on."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield ParseError(name, f"not UTF-8 text (byte {exc.start})")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ParseError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield ParseError(where, "expected a JSON object")
            continue
        body_text = record.get("text")
        body_html = record.get("html")
        if not isinstance(body_text, str | None) or not isinstance(body_html, str | None):
            yield ParseError(where, "`text` and `html` must be strings")
            continue
        url = _str(record.get("url"))
        if (not (body_text or "").strip() and not (body_html or "").strip()
                and not (_str(record.get("title")) and is_http_url(url))):
            # a title and a link make a title-only article; anything less is nothing to read
            yield InputError(where, "article has no text (and no title and URL to keep it by)")
            continue
        article = Article(
            title=_str(record.get("title")),
            text=_clean_text(body_text or ""),
            html=sanitize_html(body_html or ""),
            external_id=_str(record.get("id")) or None,
            source=_str(record.get("source")) or None,
            byline=_str(record.get("byline") or record.get("author")) or None,
            lang=(_str(record.get("lang")) or None),
            publisher_section=_str(record.get("section")) or None,
            description=_str(record.get("summary") or record.get("description")) or None,
        )
        if url and is_http_url(url):
            article.url = canonical_url(url)
        elif url:
            article.warnings.append(f"{where}: url {url!r} is not an http(s) URL; dropped")
        raw_date = record.get("published")
        if raw_date not in (None, ""):
            article.published = parse_date(str(raw_date))
            if article.published is None:
                article.warnings.append(f"{where}: published date {raw_date!r} unreadable; dropped")
        yield article


def _str(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _clean_text(text: str) -> str:
    """Paragraphs separated by blank lines (text with single newlines has one per line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\n\n" not in text:
        text = text.replace("\n", "\n\n")  # one paragraph a line
    return re.sub(r"\n{3,}", "\n\n", text).strip()
