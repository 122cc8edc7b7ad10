"""An article as the apps' APIs (Google Reader, Fever) give it: its body as HTML, sanitised
again (relative links resolved against the article's address), its headline not repeated, and
images as the reader's pages show them: the lead image only (images.py), through the desk's
/image/ID unless `remote_images` allows the publisher's https address.

The /image/ID address an app gets is signed (`?k=`, an HMAC of the id with the desk's signing
key): an app has no session cookie, and with `public_reading` off the proxy would send it to
the login page; a signed address opens that one image, and nothing else (auth.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from html import unescape
from typing import Any

from fastapi import Request
from markupsafe import Markup, escape

from ..config import public_base_url
from ..extract.sanitize import sanitize_html
from ..model import Article
from .auth import image_token, signing_key
from .images import page_first, split_lead_image
from .pages import safe_url

_LEADING_HEADING = re.compile(r"^\s*<h[1-3][^>]*>(.*?)</h[1-3]>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def site_address(request: Request) -> str:
    """The desk's address for an app, ending in /: the `base_url` setting, else the one the
    app used (an app on a phone reaches the desk by the address it was given, not by the
    listening one). These answers are the app's own, never kept in the page cache."""
    configured = str(request.app.state.config.base_url).strip()
    return public_base_url(request.app.state.config) if configured else str(request.base_url)


def sanitizer(request: Request, url: str | None) -> Callable[[str], str]:
    """The app's sanitiser (a test may set its own), given the article's address so that
    relative links resolve against it, as on the article's page."""
    configured: Callable[[str], str] | None = request.app.state.sanitize
    if configured is not None:
        return configured
    return functools.partial(sanitize_html, base_url=safe_url(url) or None)


def image_address(app: Any, site: str, article_id: int, url: str) -> str:
    """Where an app loads an article's lead image: the publisher's https address when
    `remote_images` allows, else the desk's proxy at `site` (ending in /), signed."""
    if app.state.config.remote_images and url.startswith("https://"):
        return url
    return f"{site}image/{article_id}?k={image_token(signing_key(app), article_id)}"


def body(request: Request, site: str, article: Article) -> str:
    """The article's body for an app (item_html with the images above)."""
    assert article.id is not None
    article_id = article.id
    return item_html(article, sanitizer(request, article.url),
                     lambda url: image_address(request.app, site, article_id, url))


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def without_headline(html: str, title: str) -> str:
    """`html` without a leading copy of the headline (apps show the title above it)."""
    lead = _LEADING_HEADING.match(html)
    if lead and _same(unescape(_TAGS.sub("", lead.group(1))), title):
        return html[lead.end():].lstrip()
    return html


def text_html(article: Article) -> str:
    """An article's text as HTML: escaped paragraphs, its subheadings as h2 (a first
    paragraph that only repeats the headline left out)."""
    blocks = article.blocks()
    if blocks and _same(blocks[0][1], article.title):
        blocks = blocks[1:]
    return "\n".join(str(Markup("<{0}>{1}</{0}>").format("h2" if kind == "h" else "p", text))
                     for kind, text in blocks)


def item_html(article: Article, sanitize: Callable[[str], str],
              image_src: Callable[[str], str]) -> str:
    """The article's body for an app, with images as the reader's pages show them: the lead
    image only (the page's own, else the body's first when nothing comes before it), at the
    address `image_src` gives for its URL; every other image (tracking pixels, adverts) is
    dropped (images.py)."""
    found = None
    if article.html.strip():
        found, body = split_lead_image(sanitize(article.html))
        body = without_headline(body, article.title)
    else:
        body = text_html(article) or str(escape(article.summary or ""))
    lead = page_first(article.image_url, found)
    if lead is None:
        return body
    return str(Markup('<p><img src="{}" alt="{}"></p>\n').format(image_src(lead.url),
                                                                   lead.alt)) + body
