"""Bytes to text for HTML pages, before anything parses them.

Order of evidence, strongest first:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) decides;
2. bytes that are valid UTF-8 *and* contain non-ASCII are UTF-8, whatever the page declares: a
   wrong ``<meta charset>`` is common and valid multi-byte UTF-8 by chance is very rare. Pages
   with at least ten valid multi-byte characters per invalid byte are UTF-8 with stray bytes
   (replaced);
3. the declared charset (``<meta charset>``, ``http-equiv`` Content-Type, ``<?xml encoding?>``)
   within the first 4 KiB, read the WHATWG way (``iso-8859-1``/``ascii`` mean windows-1252);
4. windows-1252 with replacement characters, which never fails.

Control characters other than tab and newlines are removed afterwards (lxml refuses them).
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "clean_text_input", "BOMS"]

# byte-order marks, longest first (UTF-32 LE starts like UTF-16 LE); feeds use them too
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
# WHATWG: these labels all mean windows-1252 in a browser.
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "cp819"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _declared(head: bytes) -> str | None:
    for match in _DECLARED.finditer(head):
        label = (match.group(1) or match.group(2) or b"").decode("ascii", "ignore").lower()
        if label in _AS_CP1252:
            label = "cp1252"
        try:
            name = codecs.lookup(label).name
        except LookupError:
            continue
        # A page that says it is UTF-16 but reached us as ASCII-compatible bytes is not.
        if name.startswith(("utf-16", "utf-32")):
            continue
        return name
    return None


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, encoding used)``. Never raises."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return clean_text_input(data[len(bom):].decode(name, "replace")), name
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
        lenient = data.decode("utf-8", "replace")
        bad = lenient.count("\ufffd")
        if sum(1 for ch in lenient if ord(ch) > 127) - bad >= 10 * bad:
            return clean_text_input(lenient), "utf-8"  # UTF-8 with a few stray bytes
    else:
        if not text.isascii():
            return clean_text_input(text), "utf-8"
    declared = _declared(data[:4096])
    if declared:
        try:
            return clean_text_input(data.decode(declared)), declared
        except (UnicodeDecodeError, LookupError):
            pass
    if text:  # pure ASCII
        return clean_text_input(text), "ascii"
    return clean_text_input(data.decode("cp1252", "replace")), "cp1252"


def clean_text_input(text: str) -> str:
    """Drop control characters and a leading XML declaration (lxml refuses both in a str)."""
    return _XML_DECL.sub("", _CONTROL.sub("", text), count=1)
