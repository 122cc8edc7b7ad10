"""What every feed format adapts into: ParsedFeed, plus the text helpers the adapters share.

feeds.py (RSS/Atom through feedparser) and jsonfeed.py both build a ParsedFeed of Articles, so
everything downstream sees one shape whatever the source format (miniflux's habit).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..extract.sanitize import sanitize_html as allow_listed
from ..model import Article

FEED_KINDS = ("rss", "atom", "rdf", "jsonfeed")


@dataclass
class ParsedFeed:
    """A parsed feed. `problems` records what was wrong but survivable (feedparser's bozo)."""

    kind: str  # one of FEED_KINDS
    title: str | None = None
    site_url: str | None = None
    feed_url: str | None = None
    entries: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    version: str = ""  # the exact format version, e.g. "rss20", "atom10", "jsonfeed11"


_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs separated by
    blank lines, runs of spaces collapsed. Never raises."""
    if not markup:
        return ""
    if "<" not in markup:
        text = html.unescape(markup)
    else:
        collector = _TextCollector()
        try:
            collector.feed(markup)
            collector.close()
        except Exception:  # HTMLParser is tolerant; this is only a last resort
            return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", markup)).split())
        text = "".join(collector.parts)
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        line = _SPACES.sub(" ", " ".join(block.split("\n"))).strip()
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def one_line(markup: str | None) -> str:
    """Plain text of HTML on one line (titles, names given as HTML)."""
    return " ".join(html_to_text(markup).split())


def plain_line(text: str | None) -> str:
    """Plain text (not HTML) on one line: entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(text).split()) if text else ""


def sanitize_html(markup: str | None, base_url: str | None = None) -> str:
    """Feed HTML made safe to show readers, with the same allow-list as extracted pages;
    relative links resolved against `base_url` when given, else removed."""
    return allow_listed(markup or "", base_url)


def text_to_html(text: str | None) -> str:
    """Plain text -> escaped <p> paragraphs (blank lines separate paragraphs)."""
    if not text or not text.strip():
        return ""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
