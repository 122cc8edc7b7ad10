"""The publisher's own key facts, read from the page before its boxes are dropped.

Publishers give them as a line ("Key facts: A; B; C", "Claves: …"), or as a list under a
heading ("Key figures", "What we know", "Lo que sabemos", "Datos clave"), often in a box
(`<aside class="key-facts">`) that the body extraction removes with the other boxes. What a
publisher wrote is better than anything we pick (issue 7), so it is read first and kept as the
article's key facts; `parse_facts_line` also serves text imports that carry such a line.
"""

from __future__ import annotations

import re

from lxml import etree

MAX_ITEMS = 8
MAX_ITEM_WORDS = 40

_LABELS = (r"key facts|key points|key figures|the facts|what we know|what you need to know|"
           r"at a glance|in numbers|datos clave|claves|puntos clave|lo que sabemos|en cifras|"
           r"cifras clave|lo que hay que saber|en resumen")
_LINE = re.compile(rf"^\s*(?:{_LABELS})\s*[:：—–-]\s*(?P<items>.+)$", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(rf"^\s*(?:{_LABELS})\s*[:：]?\s*$", re.IGNORECASE)
_BOX_CLASS = re.compile(r"key-?facts|key-?points|keyfacts|what-?we-?know|datos-?clave",
                        re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:;|•|·|\|)\s*")


def _text(el: etree._Element) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _tidy(item: str) -> str:
    item = item.strip(" .;:-–—•·")
    return item[:1].upper() + item[1:] if item else ""


def _usable(items: list[str]) -> list[str]:
    out = [i for i in (_tidy(x) for x in items) if i and len(i.split()) <= MAX_ITEM_WORDS]
    return out[:MAX_ITEMS] if len(out) >= 2 else []


def parse_facts_line(text: str) -> list[str]:
    """The items of a "Key facts: A; B; C" line (two or more), else []."""
    m = _LINE.match(text)
    if not m:
        return []
    return _usable(_SEPARATORS.split(m.group("items")))


def publisher_facts(tree: etree._Element) -> list[str]:
    """The page's own key facts (see the module docstring), or []."""
    for el in tree.iter("p", "li", "div"):
        if len(el) <= 3:  # a paragraph, not a container of the whole page
            found = parse_facts_line(_text(el))
            if found:
                return found
    for heading in tree.iter("h2", "h3", "h4", "strong", "b"):
        if not _HEADING.match(_text(heading)):
            continue
        following = heading.getnext()
        if following is None and heading.getparent() is not None:
            following = heading.getparent().getnext()  # <p><strong>Key figures</strong></p>
        if following is not None and following.tag in ("ul", "ol"):
            found = _usable([_text(li) for li in following.iter("li")])
            if found:
                return found
    for box in tree.iter("aside", "div", "section"):
        marks = f"{box.get('class', '')} {box.get('id', '')}"
        if _BOX_CLASS.search(marks):
            found = _usable([_text(li) for li in box.iter("li")])
            if found:
                return found
    return []
