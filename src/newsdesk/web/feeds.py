"""Feeds out: RSS 2.0 of the latest articles, for the whole desk and for each section.

Built with xml.etree, so every title and summary is escaped; characters XML 1.0 forbids
(control characters that sometimes ride along in scraped text) are removed first. Absolute
links start with the `base_url` setting (config.public_base_url), never with the request's Host
header, which any client can set: a feed cached by a proxy would otherwise point readers at
whatever host the first client named.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ..config import public_base_url
from ..model import Article
from .cache import cached_page
from .pages import SECTIONS, get_store, snippet

router = APIRouter(include_in_schema=False)

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _rfc822(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return format_datetime(value, usegmt=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = _clean(text)
    return el


def rss(articles: list[Article], *, title: str, description: str, site_url: str,
        self_url: str) -> bytes:
    """An RSS 2.0 document; item links point at our article pages, guids are stable."""
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", site_url)
    _sub(channel, "description", description)
    _sub(channel, f"{{{ATOM_NS}}}link", href=self_url, rel="self", type="application/rss+xml")
    _sub(channel, "generator", "newsdesk")
    dates = [a.published for a in articles if a.published]
    if dates:
        _sub(channel, "lastBuildDate", _rfc822(max(dates, key=lambda d: d.timestamp())))
    for a in articles:
        item = _sub(channel, "item")
        page = f"{site_url}article/{a.id}"
        _sub(item, "title", a.title or "Untitled")
        _sub(item, "link", page)
        _sub(item, "guid", page, isPermaLink="true")
        text = snippet(a, length=600)
        if text:
            _sub(item, "description", text)
        if a.published:
            _sub(item, "pubDate", _rfc822(a.published))
        if a.section:
            _sub(item, "category", SECTIONS.get(a.section, a.section))
        if a.byline:
            _sub(item, f"{{{DC_NS}}}creator", a.byline)
        if a.source:
            _sub(item, f"{{{DC_NS}}}publisher", a.source)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _response(body: bytes) -> Response:
    return Response(body, media_type="application/rss+xml; charset=utf-8")


@router.get("/feed.xml")
@cached_page
def latest_feed(request: Request) -> Response:
    site = request.app.state.config.site_name
    base = public_base_url(request.app.state.config)
    arts = get_store(request).articles(limit=FEED_SIZE)
    return _response(rss(arts, title=site, description=f"Latest articles on {site}",
                         site_url=base, self_url=f"{base}feed.xml"))


@router.get("/section/{slug}/feed.xml")
@cached_page
def section_feed(request: Request, slug: str) -> Response:
    if slug not in SECTIONS:
        raise HTTPException(404, f"no section {slug!r}")
    site = request.app.state.config.site_name
    base = public_base_url(request.app.state.config)
    arts = get_store(request).articles(section=slug, limit=FEED_SIZE)
    return _response(rss(arts, title=f"{site}: {SECTIONS[slug]}",
                         description=f"Latest {SECTIONS[slug]} articles on {site}",
                         site_url=base, self_url=f"{base}section/{slug}/feed.xml"))
