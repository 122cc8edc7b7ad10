"""A safe XML reader for OPML and sitemaps, and the entity check feeds pass before feedparser.

defusedxml is not a dependency, so this drives expat directly and builds an ElementTree:

- any entity declaration (`<!ENTITY ...>`, internal or external) is refused, which rules out
  "billion laughs" expansion and external entity (XXE) file or network reads;
- a DOCTYPE without an internal subset is tolerated (old OPML exporters write one), but no
  external DTD is ever loaded;
- element and attribute names are in ElementTree's "{namespace}local" form.

Any failure is a ParseError naming the input, with expat's line and column.

Feeds go through feedparser, which is lenient by design; `refuse_entity_declarations` reads
only their prolog (up to the root element) with the same rules, so a feed that declares
entities is refused in one line as OPML and sitemaps are.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from ..errors import ParseError

_SEP = "\x01"


def _name(raw: str) -> str:
    if _SEP in raw:
        uri, local = raw.split(_SEP, 1)
        return f"{{{uri}}}{local}"
    return raw


class _Refused(Exception):
    pass


class _RootReached(Exception):
    pass



def parse_xml(data: bytes, name: str) -> ET.Element:
    """Parse `data` into an Element tree, refusing entity declarations. Raises ParseError."""
    if not data.strip():
        raise ParseError(name, "empty document")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True

    def start(tag: str, attrs: dict[str, str]) -> None:
        builder.start(_name(tag), {_name(k): v for k, v in attrs.items()})

    def end(tag: str) -> None:
        builder.end(_name(tag))

    def entity_decl(*_args: object) -> None:
        raise _Refused("entity declarations are not allowed")

    def doctype(_name: str, _sysid: str | None, _pubid: str | None, internal: int) -> None:
        if internal:
            raise _Refused("DOCTYPE with an internal subset is not allowed")

    def external_ref(*_args: object) -> int:
        raise _Refused("external entities are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = entity_decl
    parser.UnparsedEntityDeclHandler = entity_decl
    parser.StartDoctypeDeclHandler = doctype
    parser.ExternalEntityRefHandler = external_ref
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ParseError(name, f"unsafe XML: {exc}") from None
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise ParseError(
            name, f"invalid XML at line {exc.lineno}, column {exc.offset + 1}: {reason}"
        ) from None
    except (ValueError, LookupError) as exc:  # unknown encoding declarations and the like
        raise ParseError(name, f"invalid XML: {exc}") from None
    root = builder.close()
    return root


def refuse_entity_declarations(data: bytes, name: str) -> None:
    """Raise ParseError when the document's prolog declares entities or references external
    ones. Only the prolog is read: parsing stops at the root element's start tag."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise _Refused("entity declarations are not allowed")

    def external_ref(*_args: object) -> int:
        raise _Refused("external entities are not allowed")

    def root(*_args: object) -> None:
        raise _RootReached

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = external_ref
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except _RootReached:
        return
    except _Refused as exc:
        raise ParseError(name, f"unsafe XML: {exc}") from None
    except (expat.ExpatError, ValueError, LookupError):
        # a prolog expat cannot read is left to feedparser's lenient reading, but an entity
        # declaration in it is refused all the same
        if _declares_entities(data[:65536]):
            raise ParseError(name, "unsafe XML: entity declarations are not allowed") from None


def _declares_entities(head: bytes) -> bool:
    """A DOCTYPE whose internal subset (up to its "]>") has an <!ENTITY, read without expat."""
    upper = head.upper()
    start = upper.find(b"<!DOCTYPE")
    if start == -1:
        return False
    end = upper.find(b"]>", start)
    return b"<!ENTITY" in upper[start: end if end != -1 else len(upper)]


def local_name(tag: str) -> str:
    """"{ns}loc" -> "loc"; plain names unchanged."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def child_text(element: ET.Element, local: str) -> str | None:
    """Stripped text of the first direct child with this local name (any namespace)."""
    for child in element:
        if local_name(child.tag) == local:
            text = "".join(child.itertext()).strip()
            return text or None
    return None
