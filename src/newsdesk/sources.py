"""Managing sources: what the sources page, the OPML export and `newsdesk feed ...` share.

    check_url(url)               an address the sources page may fetch, or why not
    check_name(text, what)       a name or category as stored (None: cleared), or why not
    feed_status(feed, now)       new, ok, not modified, error or waiting
    export_opml(feeds, title)    OPML 2.0: categories as folders, each feed's label as its
                                 text, xmlUrl, htmlUrl; `title` only for a renamed feed, so
                                 ingest/opml.py reads back the same names and categories

Light to import (no pipeline): the command line uses it too. Adding a source is
web/sources.py's `add_source`, over the pipeline.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime

from .errors import InputError
from .ingest.urls import is_http_url
from .model import Feed

MAX_URL = 2000
MAX_NAME = 200  # characters in a feed's name or a category
# XML 1.0 has no place for these: a feed title carrying one would make the export unreadable
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def check_url(url: str) -> str:
    """`url` stripped, or InputError: an http(s) address of at most MAX_URL characters."""
    url = url.strip()
    if not url:
        raise InputError("URL", "empty: give a feed's or a page's address")
    if len(url) > MAX_URL:
        raise InputError(url[:80] + "…", f"longer than {MAX_URL} characters")
    if not is_http_url(url):
        raise InputError(url, "not an http(s) URL")
    return url


def check_name(text: str, what: str = "name") -> str | None:
    """A feed's name or category as it is stored: whitespace collapsed, None when empty (the
    name or category is cleared). InputError when longer than MAX_NAME."""
    text = " ".join(_NOT_XML.sub(" ", text).split())
    if len(text) > MAX_NAME:
        raise InputError(text[:40] + "…", f"a {what} has at most {MAX_NAME} characters")
    return text or None


def feed_status(feed: Feed, now: datetime) -> str:
    """new, ok, not modified, error, or waiting (a Retry-After still running)."""
    if feed.retry_at is not None and feed.retry_at > now:
        return "waiting"
    if feed.last_checked is None:
        return "new"
    return feed.status or ("error" if feed.error_count else "ok")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _outline(parent: ET.Element, feed: Feed) -> None:
    attrs = {"type": "rss", "text": _clean(feed.label)}
    if feed.name:
        attrs["title"] = _clean(feed.name)
    attrs["xmlUrl"] = _clean(feed.url)
    if feed.site_url:
        attrs["htmlUrl"] = _clean(feed.site_url)
    ET.SubElement(parent, "outline", attrs)


def export_opml(feeds: list[Feed], title: str, now: datetime | None = None) -> bytes:
    """An OPML 2.0 document of `feeds`: those without a category first, then one folder per
    category (by name), each in the order given."""
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = ET.SubElement(root, "body")
    folders: dict[str, list[Feed]] = {}
    for feed in feeds:
        if feed.category:
            folders.setdefault(feed.category, []).append(feed)
        else:
            _outline(body, feed)
    for name in sorted(folders, key=str.casefold):
        folder = ET.SubElement(body, "outline", {"text": _clean(name), "title": _clean(name)})
        for feed in folders[name]:
            _outline(folder, feed)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
