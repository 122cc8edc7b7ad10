"""HTML we show to readers, and HTML turned into text blocks.

`sanitize_html(html, base_url=None)` runs nh3 (ammonia) with a strict allow-list: paragraphs,
h2-h4 (h1 becomes h2, h5/h6 become h4), lists, blockquote, em/strong/b/i, links (http, https and
mailto only; ``rel="nofollow noopener"`` added), figure/figcaption, images (``src`` http(s) only,
``alt``), br, and basic tables. Script, style, iframe, object, embed, svg, math, form, template and
noscript go with their content; every other tag is stripped and its text kept; every attribute not
listed (``on*``, ``style``, ``class``...) is dropped. Relative URLs are resolved against `base_url`
when given, else removed. HTML that exceeds the bounds of bounds.py (nesting depth, attributes
on one element), which would make nh3 or lxml take quadratic time, is flattened instead: its
text kept as escaped paragraphs, its markup dropped (`flatten_html`).

`html_to_blocks(html)` reads (feed or page) HTML into ``("h" | "p", text)`` blocks: headings
become "h" blocks, block elements and ``<br><br>`` end paragraphs, a single ``<br>`` is a line
break inside one. `blocks_to_text` and `blocks_to_html` turn blocks into an Article's text +
headings and into escaped h2/p HTML.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

import lxml.html
import nh3
from lxml import etree

from .bounds import html_over_bounds

__all__ = ["sanitize_html", "flatten_html", "html_to_blocks", "element_to_blocks", "blocks_to_text",
           "blocks_to_html", "normalise_space", "Block"]

Block = tuple[str, str]

_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "em", "strong", "b", "i", "a",
    "figure", "figcaption", "img", "br", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "caption",
}
_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"},
               "th": {"colspan", "rowspan"}}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "form",
                      "template", "noscript", "textarea", "select", "button", "head", "title"}
_RENAME = re.compile(r"<(/?)\s*h([1-6])\b", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(div|section|article|header|footer|main|aside|nav)\s*>", re.IGNORECASE)


_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _filter(tag: str, attr: str, value: str) -> str | None:
    """Images: http(s) or relative (then resolved or removed by the cleaner) only."""
    if tag == "img" and attr == "src":
        scheme = _SCHEME.match(value)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            return None
    return value


@lru_cache(maxsize=32)
def _cleaner(base_url: str | None) -> nh3.Cleaner:
    if base_url and base_url.lower().startswith(("http://", "https://")):
        return _make_cleaner(("rewrite_with_base", base_url))
    return _make_cleaner("deny")


def _make_cleaner(relative: Literal["deny"] | tuple[Literal["rewrite_with_base"], str]
                  ) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        attribute_filter=_filter,
        link_rel="nofollow noopener",
        url_schemes={"http", "https", "mailto"},
        url_relative=relative,
        strip_comments=True,
    )


def _rename_heading(match: re.Match[str]) -> str:
    level = min(max(int(match.group(2)), 2), 4)
    return f"<{match.group(1)}h{level}"


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Sanitise `html` with the allow-list above. Safe to render; never raises on bad markup."""
    if not html or not html.strip():
        return ""
    if html_over_bounds(html):
        return flatten_html(html)
    html = _BLOCK_END.sub(lambda m: m.group(0) + "\n", _RENAME.sub(_rename_heading, html))
    try:
        cleaner = _cleaner(base_url)
    except ValueError:  # an unusable base URL
        cleaner = _cleaner(None)
    return cleaner.clean(html).strip()


_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)?[^>]*>?")
_BREAKING = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                       "blockquote", "section", "article", "table", "ul", "ol", "pre"})


def flatten_html(html: str) -> str:
    """The text of `html` as escaped <p> paragraphs, in linear time whatever its shape: tags
    are dropped (block tags end a paragraph), entities decoded."""
    def tag(match: re.Match[str]) -> str:
        return "\n\n" if (match.group(2) or "").lower() in _BREAKING else " "

    text = htmllib.unescape(_ANY_TAG.sub(tag, html))
    paragraphs = (normalise_space(p).replace("\n", " ") for p in re.split(r"\n\s*\n", text))
    return "\n".join(f"<p>{htmllib.escape(p)}</p>" for p in paragraphs if p)


# ---------------------------------------------------------------- HTML -> blocks

_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width space, BOM
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = _DROP_WITH_CONTENT | {"nav", "footer", "aside", "input", "label", "option", "rt", "rp"}
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "blockquote", "ul", "ol", "li", "dl",
    "dt", "dd", "pre", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr",
    "caption", "address", "center", "details", "summary", "hr", "body", "html",
}
_CELLS = {"td", "th"}
_DOCUMENT = re.compile(r"<(html|body|head)[\s>]", re.IGNORECASE)


def normalise_space(text: str) -> str:
    """NFC; collapse runs of spaces inside each line; drop soft hyphens and empty lines."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    lines = (_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class _Walker:
    """Collects blocks while walking an element tree in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.breaks = 0

    def flush(self, kind: str = "p") -> None:
        text = normalise_space("".join(self.buf))
        self.buf = []
        self.breaks = 0
        if text and not (self.blocks and self.blocks[-1] == (kind, text)):
            self.blocks.append((kind, text))

    def add(self, text: str | None) -> None:
        if text:
            if text.strip():
                self.breaks = 0
            self.buf.append(text)

    def walk(self, el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP:  # comments, processing instructions, dropped elements
            return
        if tag in _HEADINGS:
            self.flush()
            text = normalise_space(" ".join(el.itertext())).replace("\n", " ")
            if text:
                self.blocks.append(("h", text))
        elif tag == "li":  # a list item stays one ("ul" or "ol") so lists stay lists
            parent = el.getparent()
            kind = "ol" if parent is not None and parent.tag == "ol" else "ul"
            self.flush()
            self._children(el)
            self.flush(kind)
        elif tag == "br":
            self.breaks += 1
            if self.breaks >= 2:
                self.flush()
            else:
                self.buf.append("\n")
        elif tag in _CELLS:
            self.add(" ")
            self._children(el)
            self.add(" | " if el.getnext() is not None else " ")
        else:
            block = tag in _BLOCKS
            if block:
                self.flush()
            self._children(el)
            if block:
                self.flush()

    def _children(self, el: etree._Element) -> None:
        self.add(el.text)
        for child in el:
            self.walk(child)
            self.add(child.tail)


def element_to_blocks(el: etree._Element) -> list[Block]:
    """Blocks of an lxml element (headings, paragraphs, list items, table rows)."""
    walker = _Walker()
    walker.walk(el)
    walker.flush()
    return walker.blocks


def html_to_blocks(html: str) -> list[Block]:
    """Turn an HTML fragment or document (or plain text) into ("h"|"p"|"ul"|"ol", text)
    blocks ("ul"/"ol": one list item)."""
    if not html or not html.strip():
        return []
    if "<" not in html:  # plain text: blank lines separate paragraphs
        paras = (normalise_space(p) for p in re.split(r"\n\s*\n", htmllib.unescape(html)))
        return [("p", p) for p in paras if p]
    if html_over_bounds(html):
        html = flatten_html(html)
    try:
        if _DOCUMENT.search(html[:2048]):
            root = lxml.html.document_fromstring(html)
            root = root.find("body") if root.find("body") is not None else root
        else:
            root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    return element_to_blocks(root)


def blocks_to_text(blocks: Iterable[Block]) -> tuple[str, list[str]]:
    """Article text (blocks separated by blank lines) and its list of headings."""
    items = [(kind, text.strip()) for kind, text in blocks if text and text.strip()]
    return "\n\n".join(t for _, t in items), [t for kind, t in items if kind == "h"]


def blocks_to_html(blocks: Iterable[Block]) -> str:
    """Escaped HTML: ``<h2>`` for headings, ``<ul>``/``<ol>`` around runs of list items,
    ``<p>`` (with ``<br>`` for line breaks) otherwise."""
    out = []
    open_list = ""
    for kind, text in blocks:
        text = text.strip()
        if not text:
            continue
        if open_list and kind != open_list:
            out.append(f"</{open_list}>")
            open_list = ""
        lines = "<br>".join(htmllib.escape(t) for t in text.split("\n"))
        if kind == "h":
            out.append(f"<h2>{htmllib.escape(text.replace(chr(10), ' '))}</h2>")
        elif kind in ("ul", "ol"):
            if not open_list:
                out.append(f"<{kind}>")
                open_list = kind
            out.append(f"<li>{lines}</li>")
        else:
            out.append(f"<p>{lines}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return "\n".join(out)
