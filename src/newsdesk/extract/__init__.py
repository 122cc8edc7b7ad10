"""Extraction: HTML pages to Articles (text with subheadings, metadata, confidence).

`extract_html(html, url=None)` runs the cascade documented in `newsdesk.extract.html`;
`extract_html_with_confidence` also returns the judge's score in [0, 1]. `sanitize_html` is the
one HTML sanitiser (nh3) used for anything shown to readers; `html_to_blocks`, `blocks_to_text`
and `blocks_to_html` convert between HTML and an Article's blocks.
"""

from __future__ import annotations

from .html import extract_html, extract_html_with_confidence
from .sanitize import blocks_to_html, blocks_to_text, html_to_blocks, sanitize_html

__all__ = ["extract_html", "extract_html_with_confidence", "sanitize_html", "html_to_blocks",
           "blocks_to_text", "blocks_to_html"]
