"""OPML subscription lists -> Feeds.

Outlines may nest to any depth (folders); every outline carrying a feed URL becomes one Feed,
in document order, each URL once. Attribute names are matched without regard to case, since
exporters disagree (`xmlUrl`, `xmlurl`, `XMLURL`). An outline's `title` is the reader's own
name for the feed (Feed.name; our export writes it only for a feed the reader renamed), its
`text` the feed's title (else the `title`); the site is `htmlUrl`. The feed's category is the
folder it sits in (the innermost enclosing outline without a feed URL: its `title`, else its
`text`), else the first entry of its own `category` attribute (OPML 2.0: "/a/b, /c" -> "b").
Outlines whose feed URL is not http(s) are skipped. A document whose root is not <opml>, or
whose XML is invalid or unsafe, raises ParseError.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from ..errors import ParseError
from ..model import Feed
from .urls import is_http_url
from .xmlsafe import local_name, parse_xml


def _attrs(element: ET.Element) -> dict[str, str]:
    return {local_name(k).lower(): " ".join(v.split()) for k, v in element.attrib.items()}


def _outlines(element: ET.Element, folder: str | None
              ) -> Iterator[tuple[dict[str, str], str | None]]:
    """Each outline under `element` in document order, with the folder it sits in."""
    for child in element:
        if local_name(child.tag).lower() != "outline":
            yield from _outlines(child, folder)
            continue
        attrs = _attrs(child)
        yield attrs, folder
        inner = folder if attrs.get("xmlurl") else (attrs.get("title") or attrs.get("text")
                                                    or folder)
        yield from _outlines(child, inner)


def _category_attr(value: str) -> str | None:
    first = value.split(",")[0].strip().strip("/")
    return first.rsplit("/", 1)[-1].strip() or None


def parse_opml(data: bytes, name: str) -> list[Feed]:
    """The feeds listed in an OPML document. Raises ParseError for non-OPML input."""
    root = parse_xml(data, name)
    if local_name(root.tag).lower() != "opml":
        raise ParseError(name, f"not an OPML document (root element is <{local_name(root.tag)}>)")
    feeds: list[Feed] = []
    seen: set[str] = set()
    for attrs, folder in _outlines(root, None):
        url = attrs.get("xmlurl", "")
        if not is_http_url(url) or url in seen:
            continue
        seen.add(url)
        site = attrs.get("htmlurl") or None
        title = attrs.get("text") or attrs.get("title") or None
        feeds.append(Feed(
            url=url, title=None if title == url else title,  # a feed without a title
            name=attrs.get("title") or None,
            site_url=site if is_http_url(site) else None,
            category=folder or _category_attr(attrs.get("category", ""))))
    return feeds
