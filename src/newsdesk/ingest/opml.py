"""OPML subscription lists -> Feeds.

Outlines may nest to any depth (folders); every outline carrying a feed URL becomes one Feed,
in document order, each URL once. Attribute names are matched without regard to case, since
exporters disagree (`xmlUrl`, `xmlurl`, `XMLURL`). The title is `title`, else `text`; the site
is `htmlUrl`. Outlines whose feed URL is not http(s) are skipped. A document whose root is not
<opml>, or whose XML is invalid or unsafe, raises ParseError.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..errors import ParseError
from ..model import Feed
from .urls import is_http_url
from .xmlsafe import local_name, parse_xml


def _attrs(element: ET.Element) -> dict[str, str]:
    return {local_name(k).lower(): v.strip() for k, v in element.attrib.items()}


def parse_opml(data: bytes, name: str) -> list[Feed]:
    """The feeds listed in an OPML document. Raises ParseError for non-OPML input."""
    root = parse_xml(data, name)
    if local_name(root.tag).lower() != "opml":
        raise ParseError(name, f"not an OPML document (root element is <{local_name(root.tag)}>)")
    feeds: list[Feed] = []
    seen: set[str] = set()
    for outline in root.iter():
        if local_name(outline.tag).lower() != "outline":
            continue
        attrs = _attrs(outline)
        url = attrs.get("xmlurl", "")
        if not is_http_url(url) or url in seen:
            continue
        seen.add(url)
        title = attrs.get("title") or attrs.get("text") or None
        site = attrs.get("htmlurl") or None
        feeds.append(Feed(url=url, title=title, site_url=site if is_http_url(site) else None))
    return feeds
