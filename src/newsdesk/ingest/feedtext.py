"""Feed bytes -> text, read the way an XML reader should, before feedparser sees them.

feedparser guesses encodings on its own, but one wrong byte in a feed declared UTF-8 makes it
read the whole document as windows-1252, and every accented letter becomes mojibake ("Ã©").
So feeds are decoded here, and feedparser is handed clean UTF-8 with a matching declaration.

Order of evidence, strongest first:

1. a byte-order mark (UTF-32, UTF-8, UTF-16);
2. without one, the XML autodetection of UTF-32 / UTF-16 from where the NUL bytes fall
   around the first "<";
3. bytes that are valid UTF-8 are UTF-8, whatever the document declares (a Latin-1 text that
   happens to be valid UTF-8 is vanishingly rare; a wrong declaration is common);
4. the encoding declared in ``<?xml ... encoding="..."?>`` (ISO-8859-1 and ASCII read as
   windows-1252, as browsers do), bytes it cannot decode replaced with U+FFFD;
5. declared UTF-8 (or nothing) but not valid UTF-8: a document with at least ten valid
   multi-byte UTF-8 characters per invalid byte is UTF-8 with stray bytes, replaced with U+FFFD;
   any other is a single-byte text and is read as windows-1252. (Legacy multi-byte encodings
   such as Big5 or Shift_JIS are read right only when declared: nothing guesses them.)

Every guess that overrides a declaration, and every replacement, is reported as a problem.
Characters XML forbids (C0 controls other than tab and newlines) are removed.
"""

from __future__ import annotations

import codecs
import re

from ..extract.decode import BOMS

__all__ = ["decode_feed", "as_utf8_xml", "is_wide_text", "UTF8_DECLARATION"]

_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*?\?>", re.IGNORECASE)
_DECLARED = re.compile(rb"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)[\"']",
                       re.IGNORECASE)
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii",
              "cp819", "iso_8859-1", "windows-1252", "cp1252"}
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _wide(head: bytes) -> str | None:
    """UTF-32 / UTF-16 without a BOM, from the NUL bytes around the first "<"."""
    patterns = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
                (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"))
    start = head.find(b"<")
    for pattern, name in patterns:
        at = head.find(pattern)
        if at != -1 and (start == -1 or at <= start + 1):
            return name
    return None


def is_wide_text(head: bytes) -> bool:
    """True when bytes with NULs in them are UTF-16 or UTF-32 markup (with or without a BOM),
    not binary data."""
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"):
        try:
            text = head[: len(head) - len(head) % 4].decode(encoding)
        except UnicodeDecodeError:
            continue
        if "<" in text[:200] and "\x00" not in text:
            return True
    return False


def _declared(data: bytes) -> str | None:
    match = _DECLARED.match(data[:1024])
    return match.group(1).decode("ascii").lower() if match else None


def _decode(data: bytes, encoding: str, problems: list[str], why: str = "") -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, "replace")
        bad = text.count("\ufffd")
        problems.append(f"{bad} invalid {encoding} byte sequence{'s' if bad != 1 else ''}"
                        f" replaced with U+FFFD{why}")
        return text


def decode_feed(data: bytes) -> tuple[str, list[str]]:
    """Decode feed bytes; returns ``(text without an XML declaration, problems)``."""
    problems: list[str] = []
    text = None
    for bom, name in BOMS:
        if data.startswith(bom):
            text = _decode(data[len(bom):], name, problems)
            break
    if text is None and b"\x00" in data[:64]:
        wide = _wide(data[:64])
        if wide:
            text = _decode(data, wide, problems)
    if text is None:
        text = _decode_ascii_compatible(data, problems)
    cleaned = _FORBIDDEN.sub("", text)
    if len(cleaned) != len(text):
        problems.append(f"{len(text) - len(cleaned)} characters XML does not allow removed")
    return _DECLARATION.sub("", cleaned, count=1).lstrip(), problems


def _decode_ascii_compatible(data: bytes, problems: list[str]) -> str:
    declared = _declared(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared and not text.isascii() and not declared.replace("_", "-").startswith(
                ("utf-8", "utf8")):
            problems.append(f"declared {declared}, but the bytes are UTF-8: read as UTF-8")
        return text
    if declared and not declared.replace("_", "-").startswith(("utf-8", "utf8")):
        name = "cp1252" if declared in _AS_CP1252 else declared
        try:
            codecs.lookup(name)
        except LookupError:
            problems.append(f"unknown encoding {declared!r} declared")
        else:
            if not name.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
                return _decode(data, name, problems)
            problems.append(f"declared {declared}, but the bytes are not {declared}")
    lenient = data.decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    multibyte = len(lenient) - len(lenient.encode("ascii", "ignore")) - bad
    if multibyte < 10 * bad:
        problems.append(f"{_said(declared)}, but the bytes are not "
                        "UTF-8: read as windows-1252")
        return _decode(data, "cp1252", problems)
    problems.append(f"{bad} invalid UTF-8 byte sequence{'s' if bad != 1 else ''} replaced "
                    "with U+FFFD")
    return lenient


def _said(declared: str | None) -> str:
    return f"declared {declared}" if declared else "no encoding declared"


UTF8_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def as_utf8_xml(text: str) -> bytes:
    """`text` (without its own declaration) as UTF-8 bytes that start with UTF8_DECLARATION."""
    return UTF8_DECLARATION + text.encode("utf-8")
