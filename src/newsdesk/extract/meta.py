"""Our own read of a page's metadata, beside trafilatura's.

`read_meta(tree, url)` collects what publishers state about the page: ``og:site_name``,
``og:title``, ``<title>``, the first ``<h1>``, ``article:section``, ``article:published_time``
(and the usual alternatives: ``og:``/``dc.``/``itemprop`` dates, JSON-LD ``datePublished``,
``<time datetime>``), author meta, ``<link rel=canonical>``, ``<html lang>``, the meta
description and the page's lead image (``og:image``, else ``twitter:image``, else JSON-LD
``image``; made absolute, http(s) only). Values are raw strings; `parse_date`
(newsdesk.ingest.dates, re-exported here) and `clean_title` turn them into what an Article
holds. JSON-LD is read from the first Article-like object (``@graph`` included).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..ingest.dates import parse_date  # the project's one date parser, re-exported
from .sanitize import normalise_space

__all__ = ["PageMeta", "read_meta", "parse_date", "clean_title", "primary_lang"]

_DATE_KEYS = ("article:published_time", "og:published_time", "datepublished",
              "article.published", "pubdate", "publishdate", "dc.date.issued", "dc.date",
              "dcterms.created", "sailthru.date", "date", "parsely-pub-date")
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl", "parsely-author",
                "sailthru.author")
_SITE_KEYS = ("og:site_name", "application-name", "twitter:site")
_IMAGE_KEYS = ("og:image:secure_url", "og:image", "og:image:url", "twitter:image",
               "twitter:image:src")
_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "opinionnewsarticle", "report", "webpage"}
_SEPARATORS = re.compile(r"\s+[|\-–—:·•»~/]\s+|\s+[|–—·•»]|[|–—·•»]\s+")


@dataclass
class PageMeta:
    """Raw metadata strings found on a page (empty string when absent)."""

    title: str = ""
    og_title: str = ""
    h1: str = ""
    site_name: str = ""
    section: str = ""
    published: str = ""
    author: str = ""
    canonical: str = ""
    lang: str = ""
    description: str = ""
    og_type: str = ""
    ld_headline: str = ""
    has_password: bool = False
    image: str = ""


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return normalise_space(" ".join(el.itertext())).replace("\n", " ")


def _ld_objects(tree: etree._Element) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack and len(out) < 50:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            out.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(graph)
    return out


def _name(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and value:
        return ", ".join(n for n in (_name(v) for v in value[:5]) if n)
    if isinstance(value, dict):
        return _name(value.get("name"))
    return ""


def _image(value: object) -> str:
    """A JSON-LD image: an address, an ImageObject ({"url": ...}) or a list of either."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and value:
        return _image(value[0])
    if isinstance(value, dict):
        return _image(value.get("url") or value.get("contentUrl"))
    return ""


def _read_ld(tree: etree._Element, meta: PageMeta) -> None:
    for obj in _ld_objects(tree):
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            continue
        meta.published = meta.published or _name(obj.get("datePublished"))
        meta.author = meta.author or _name(obj.get("author"))
        meta.ld_headline = meta.ld_headline or _name(obj.get("headline"))
        meta.section = meta.section or _name(obj.get("articleSection"))
        meta.site_name = meta.site_name or _name(obj.get("publisher"))
        meta.image = meta.image or _image(obj.get("image"))


def read_meta(tree: etree._Element, url: str | None = None) -> PageMeta:
    """Collect the page's own statements about itself. Never raises on odd markup."""
    meta = PageMeta()
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop")
               or el.get("http-equiv") or "").strip().lower()
        content = normalise_space(el.get("content") or "").replace("\n", " ")
        if key and content and key not in found:
            found[key] = content
    first = next((v for k in _SITE_KEYS if (v := found.get(k, ""))), "")
    meta.site_name = first.lstrip("@") if first.startswith("@") else first
    meta.og_title = found.get("og:title", "") or found.get("twitter:title", "")
    meta.section = found.get("article:section", "")
    meta.published = next((found[k] for k in _DATE_KEYS if found.get(k)), "")
    author = next((found[k] for k in _AUTHOR_KEYS if found.get(k)), "")
    meta.author = "" if author.startswith(("http://", "https://")) else author
    meta.description = found.get("description", "") or found.get("og:description", "")
    meta.og_type = found.get("og:type", "").lower()
    meta.title = _text(tree.find(".//title"))
    meta.h1 = _text(tree.find(".//h1"))
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            meta.canonical = _absolute(link.get("href", ""), url)
            break
    if not meta.canonical and found.get("og:url"):
        meta.canonical = _absolute(found["og:url"], url)
    root = tree.getroottree().getroot()
    meta.lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
                 or found.get("content-language", "") or found.get("og:locale", ""))
    meta.has_password = tree.find(".//input[@type='password']") is not None
    meta.image = next((v for k in _IMAGE_KEYS if (v := found.get(k, ""))), "")
    _read_ld(tree, meta)
    meta.image = _absolute(meta.image, url) if meta.image else ""
    if not meta.published:
        time_el = tree.find(".//article//time[@datetime]")
        if time_el is None:
            time_el = tree.find(".//time[@datetime]")
        meta.published = "" if time_el is None else (time_el.get("datetime") or "")
    return meta


def _absolute(href: str, base: str | None) -> str:
    href = href.strip()
    try:
        full = urljoin(base, href) if base else href
        parts = urlsplit(full)
    except ValueError:
        return ""
    return full if parts.scheme in ("http", "https") and parts.netloc else ""


def primary_lang(value: str) -> str | None:
    """``en-GB`` / ``es_ES`` -> ``en`` / ``es``; None when it is not a language tag."""
    sub = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return sub if re.fullmatch(r"[a-z]{2,3}", sub) else None


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _is_site(part: str, site: str, host: str) -> bool:
    key = _key(part)
    if not key:
        return False
    if site and (key == _key(site) or (len(key) > 3 and key in _key(site))
                 or _key(site) in key and len(key) <= len(_key(site)) + 12):
        return True
    return bool(host) and key in host and len(key) > 3


def clean_title(candidates: list[str], site: str = "", url: str | None = None,
                h1: str = "") -> str:
    """The headline once and clean: first non-empty candidate, site-name affixes removed."""
    host = ""
    if url:
        try:
            host = _key(urlsplit(url).hostname or "")
        except ValueError:
            host = ""
    for raw in candidates:
        title = normalise_space(raw).replace("\n", " ")
        if not title:
            continue
        parts = [p for p in _SEPARATORS.split(title) if p.strip()]
        if len(parts) > 1:
            if h1 and any(_key(p) == _key(h1) for p in parts):
                return h1
            while len(parts) > 1 and _is_site(parts[-1], site, host):
                parts.pop()
            while len(parts) > 1 and _is_site(parts[0], site, ""):
                parts.pop(0)
            if len(parts) < len(_SEPARATORS.split(title)):
                title = _rejoin(title, parts)
        return title.strip()
    return ""


def _rejoin(title: str, parts: list[str]) -> str:
    """The span of `title` from the first kept part to the last (keeps inner separators)."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end] if 0 <= start < end else " ".join(parts)
