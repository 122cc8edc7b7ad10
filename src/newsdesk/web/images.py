"""Images in articles: only the article's own lead image is shown, and by default from us.

An article extracted from its page knows the page's own lead image (Article.image_url: its
og:image, twitter:image or JSON-LD image); `page_first(image_url, found)` prefers it to the
one found in the body.

`split_lead_image(html)` takes sanitised body HTML (nh3: double-quoted, escaped attributes) and
returns the lead image and the body with every image taken out. The lead image is the body's
first image when no text comes before it (where publishers put the picture of the story);
images further down, inside or after the text, are where tracking pixels and adverts sit, and
are dropped, as are any after the lead. Only http(s) addresses count.

`ImageProxy` fetches a lead image for readers, so their browsers load it from our address and
no third party sees who reads what (the `remote_images` setting lets browsers load it from the
publisher instead). It fetches through ingest's Fetcher (address checks on every redirect, size
cap, timeout), keeps only what really is a JPEG, PNG, GIF, WebP or AVIF image (by its first
bytes, whatever the server said: never SVG, which can carry script), and remembers images (up
to KEEP_BYTES per process) and failures (FAILURE_SECONDS) so a page view costs the publisher
at most one request.
"""

from __future__ import annotations

import html as htmllib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from ..config import Config
from ..errors import FetchError
from ..ingest.fetch import Fetcher

MAX_IMAGE_BYTES = 5_000_000
KEEP_BYTES = 64_000_000
FAILURE_SECONDS = 300.0

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'\b(src|alt)="([^"]*)"', re.IGNORECASE)
_FIGURE = re.compile(r"<figure\b[^>]*>.*?</figure>", re.IGNORECASE | re.DOTALL)
_CAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_EMPTY = re.compile(r"<(p|figure|a|li|ul|ol)\b[^>]*>(?:\s|<br>)*</\1>", re.IGNORECASE)


@dataclass(frozen=True)
class LeadImage:
    url: str
    alt: str = ""
    caption: str = ""


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(_TAGS.sub(" ", fragment)).split())


def split_lead_image(html: str) -> tuple[LeadImage | None, str]:
    """(the lead image or None, `html` without any image); see the module docstring."""
    first = _IMG.search(html)
    if first is None:
        return None, html
    lead = None
    attrs = {k.lower(): htmllib.unescape(v) for k, v in _ATTR.findall(first.group(0))}
    src = attrs.get("src", "").strip()
    if not _text(html[:first.start()]) and src.lower().startswith(("http://", "https://")):
        caption = ""
        start = html.rfind("<figure", 0, first.start())
        figure = _FIGURE.match(html, start) if start >= 0 else None
        if figure and first.start() < figure.end():
            found = _CAPTION.search(figure.group(0))
            caption = _text(found.group(1)) if found else ""
            html = html[:figure.start()] + html[figure.end():]
        lead = LeadImage(src, attrs.get("alt", "").strip(), caption)
    html = _IMG.sub("", html)
    while True:  # a paragraph or figure that held only an image goes with it
        html, emptied = _EMPTY.subn("", html)
        if not emptied:
            return lead, html.strip()


def page_first(image_url: str | None, found: LeadImage | None,
               alt: str = "") -> LeadImage | None:
    """The page's own lead image (`image_url`, when http(s)) before the one `found` in the body
    (split_lead_image); the body's caption and alt text stay when both are the same image."""
    url = (image_url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        return found
    if found is not None and found.url == url:
        return found
    return LeadImage(url, alt)


def image_type(body: bytes) -> str | None:
    """The media type of an image we pass on, from its first bytes; None for anything else."""
    if body.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if body.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    if body[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


@dataclass(frozen=True)
class Image:
    body: bytes
    media_type: str


class ImageProxy:
    """Lead images fetched once and kept (see the module docstring). Thread-safe."""

    def __init__(self, config: Config) -> None:
        limits = {"max_body_bytes": min(int(config.max_body_bytes), MAX_IMAGE_BYTES)}
        self._config = Config(**{**config.as_dict(), **limits})
        self._fetcher: Fetcher | None = None
        self._kept: OrderedDict[str, Image] = OrderedDict()
        self._kept_bytes = 0
        self._failed: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Image | None:
        with self._lock:
            if url in self._kept:
                self._kept.move_to_end(url)
                return self._kept[url]
            if time.monotonic() - self._failed.get(url, -FAILURE_SECONDS) < FAILURE_SECONDS:
                return None
            if self._fetcher is None:
                self._fetcher = Fetcher(self._config)
            fetcher = self._fetcher
        image = None
        try:
            got = fetcher.fetch(url)
            kind = image_type(got.body)
            image = Image(got.body, kind) if kind else None
        except FetchError:
            pass
        with self._lock:
            if image is None:
                if len(self._failed) > 10_000:
                    self._failed.clear()
                self._failed[url] = time.monotonic()
                return None
            self._kept[url] = image
            self._kept_bytes += len(image.body)
            while self._kept_bytes > KEEP_BYTES and len(self._kept) > 1:
                _, dropped = self._kept.popitem(last=False)
                self._kept_bytes -= len(dropped.body)
        return image

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
