"""How much work a piece of HTML may cost, measured before anything parses it.

The HTML parsers below us are not linear in every dimension: nh3 (and feedparser's own
sanitiser) grow with the square of the nesting depth, libxml2 with the square of the number
of attributes on one element (it checks each new attribute against the ones before). A feed
item of 100,000 nested ``<div>`` took 22.8 s to sanitise; a page with one 100,000-attribute
element took minutes to extract. So every piece of HTML is measured first, in one linear
scan of its tags, against:

    MAX_DEPTH       elements open at once (void elements and the ones HTML closes by
                    itself, such as <p> and <li>, do not count; an unclosed tag does, so the
                    measure can only over-estimate)
    MAX_ATTRIBUTES  attributes on one element

`html_over_bounds(html)` returns the first bound exceeded, as a reason for a one-line message,
or None. What exceeds them is refused (a page to extract) or flattened to plain paragraphs (HTML
to sanitise: its text is kept, its markup dropped; see sanitize.py). Real pages stay far below
both: on the 1,033 pages of the trafilatura evaluation set the deepest measures 42 and the
most attributes on one element are 38. libxml2 (lxml) stops building its tree at 256 levels
anyway, so nothing deeper could be extracted.
"""

from __future__ import annotations

import re

__all__ = ["MAX_DEPTH", "MAX_ATTRIBUTES", "html_over_bounds", "markup_shape"]

MAX_DEPTH = 256
MAX_ATTRIBUTES = 512

_TOKEN = re.compile(r"<!--|<(/?)([A-Za-z][A-Za-z0-9:_-]*)")
# a tag's inside up to its ">": a value quoted after "=" (which may hold ">") is taken whole,
# a quote anywhere else is an ordinary character, as in the HTML tokenizer; one character at a
# time in the loop, so no nested repetition can backtrack
_TAG_BODY = re.compile(r"""(?:[^>=]|=\s*"[^"]*"|=\s*'[^']*'|=)*""")
_ATTRIBUTE = re.compile(r"[^\s\"'=<>/]+\s*(?:=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
# elements that never hold others, or that the HTML parser closes by itself when the next one
# starts: they add no depth
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "thead", "tbody", "tfoot", "rt", "rp", "colgroup", "caption",
})  # fmt: skip
_RAW = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext"})


def markup_shape(html: str) -> tuple[int, int]:
    """(deepest nesting, most attributes on one element) of `html`, in one linear pass: each
    search starts where the last one ended, and an unclosed comment, tag or raw text element
    ends the scan."""
    if html.count("<") < 2:
        return (0, 0)
    lower = html.lower()
    depth = deepest = most = pos = 0
    while (match := _TOKEN.search(html, pos)) is not None:
        if match.group(0) == "<!--":
            end = html.find("-->", match.end())
            if end == -1:
                break
            pos = end + 3
            continue
        closing, name = match.group(1), match.group(2).lower()
        end = _TAG_BODY.match(html, match.end()).end()  # type: ignore[union-attr]
        if end < len(html) and html[end] != ">":  # an unclosed quote: end at the next ">"
            end = html.find(">", end)
        if end == -1 or end >= len(html):
            break
        if end - match.end() > 2 * MAX_ATTRIBUTES:  # fewer attributes fit in less
            count = sum(1 for _ in _ATTRIBUTE.finditer(html, match.end(), end))
            most = max(most, count)
        pos = end + 1
        if name in _FLAT or html[end - 1] == "/":
            continue
        if closing:
            depth = max(0, depth - 1)
            continue
        depth += 1
        deepest = max(deepest, depth)
        if name in _RAW:
            close = lower.find(f"</{name}", pos)
            if close == -1:
                break
            pos = close
    return deepest, most


def html_over_bounds(html: str) -> str | None:
    """Why `html` is too costly to parse (a short reason), or None when it is within bounds."""
    if html.count("<") <= MAX_DEPTH and len(html) <= 2 * MAX_ATTRIBUTES:
        return None
    deepest, most = markup_shape(html)
    if deepest > MAX_DEPTH:
        return f"HTML nested deeper than {MAX_DEPTH} levels ({deepest:,})"
    if most > MAX_ATTRIBUTES:
        return f"an HTML element with more than {MAX_ATTRIBUTES} attributes ({most:,})"
    return None
