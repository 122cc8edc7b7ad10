"""One HTML page in, one Article out: the extraction cascade.

`extract_html(html, url=None) -> Article`, and `extract_html_with_confidence(...) ->
(Article, confidence)` for callers that want the judge's score. Nothing is added to the model:
the confidence is only returned by the second function (extract_html calls it and drops it).
Each step hands the next what it found:

1. **Decode.** Bytes are decoded by `decode.decode_html`: byte-order mark, then (mostly) valid
   UTF-8, then the declared ``<meta charset>``, then windows-1252. Control characters go. A page
   over the bounds of bounds.py (nesting depth, attributes on one element) is refused before
   any parser sees it. The text is parsed once (``trafilatura.load_html``); later steps work on
   that tree or copies of it.
2. **Metadata.** Our own read first (`meta.read_meta`): ``og:site_name``, ``og:title``,
   ``article:section``, ``article:published_time`` (or JSON-LD ``datePublished``, ``<time
   datetime>``...), author meta, ``<link rel=canonical>``, ``<html lang>``, meta description.
   trafilatura's metadata extraction (``extract_metadata``) runs only when ours lacks a site
   name or title, and fills just the gaps (author too) (it is slow: ~30 ms a page); when only
   the date is missing, htmldate alone looks for it (about a third of that). The
   title is cleaned of a " | Site", " - Site", " — Site" affix naming the site (or the host).
3. **Body.** Small publisher boxes are removed first (key facts, related, most read, newsletter,
   share, social, promo: `_BOX_TOKEN`, under `BOX_SHARE` of the page's text). Then
   ``trafilatura.bare_extraction`` with ``include_comments=False``, tables kept and its default
   balance of precision and recall (`TRAFILATURA_OPTIONS`; measured best F1 on the evaluation
   pages, see bench/RESULTS.md). Its ``fast=True`` (no readability/jusText comparison) was
   measured and rejected: 1.09x faster on the full page set for 0.005 less F1. Its body tree
   marks headings as ``<head>``; they become heading blocks. Lists give one paragraph per
   item, tables one per row (cells joined by " | ").
4. **Fallback.** When trafilatura finds nothing, fails, or finds fewer than `FALLBACK_WORDS`
   words, the paragraphs of the largest ``<article>`` / ``<main>`` / ``[itemprop=articleBody]``
   (boxes, nav, header, footer, aside and forms removed) and ``trafilatura.baseline`` are tried;
   the candidate with the most words in sentences wins if it beats trafilatura's. A warning on
   the article names the fallback used.
5. **Clean and judge.** Short "Related / Share / Newsletter / Key facts" lines and lines without
   a letter or digit are dropped, the headline is dropped when the page repeats it in its first
   blocks, and the result is judged: ExtractionError("no article text found") when nothing is
   left; ("page is not an article: …") when fewer than `MIN_WORDS` words remain, when the page is
   a login form with little prose, when no line reads as a sentence (and under 300 words), or
   when most of the text is the text of links (an index page). Otherwise the confidence in
   [0, 1] is ``0.1 + 0.5 * min(1, words / 300) + 0.3 * (share of words in sentences) + 0.1 *
   (article metadata present)``, times 0.8 when a fallback supplied the body.

Words are runs of letters and digits, or single CJK characters. Any failure of the libraries on
hostile input surfaces as ExtractionError, never as another exception.
"""

from __future__ import annotations

import contextlib
import re
from copy import deepcopy

import trafilatura
from htmldate import find_date
from lxml import etree
from trafilatura.settings import Document

from ..errors import ExtractionError
from ..model import Article
from .bounds import html_over_bounds
from .decode import clean_text_input, decode_html
from .facts_box import publisher_facts
from .meta import PageMeta, clean_title, parse_date, primary_lang, read_meta
from .sanitize import Block, blocks_to_html, blocks_to_text, element_to_blocks, sanitize_html

__all__ = ["extract_html", "extract_html_with_confidence", "MIN_WORDS", "BOX_SHARE",
           "TRAFILATURA_OPTIONS"]

MIN_WORDS = 25
FALLBACK_WORDS = 60
# Measured on the trafilatura evaluation pages (bench/extract.py --favor): the default balance
# scores the best F1; favor_precision trades more recall than it gains in precision.
TRAFILATURA_OPTIONS: dict[str, bool] = {"favor_precision": False, "favor_recall": False,
                                        "fast": False}

# Publisher boxes removed before trafilatura runs: an element whose class or id has a token
# such as "key-facts", "related-posts", "share", "newsletter-box" (parts split on - and _),
# holding under BOX_SHARE of the page's text (and at most BOX_MAX_CHARS characters) and fewer
# than two paragraphs of 20+ words.
# The size and paragraph tests keep wrappers and bodies that reuse the words ("no-share").
_BOX_TOKEN = re.compile(
    r"^(?!no[-_]|has[-_]|with[-_])(?:.*[-_])?(key[-_]?facts?|most[-_]?(?:read|popular|viewed)"
    r"|newsletter|related|share|sharing|social|promo|recommended|recommendations)(?:[-_].*)?$",
    re.IGNORECASE)
_BOX_XPATH = "//*[" + " or ".join(
    f"contains(@class, '{w}') or contains(@id, '{w}')"
    for w in ("facts", "most", "newsletter", "related", "shar", "social", "promo", "recommend")
) + "]"  # a cheap prefilter run in C; _BOX_TOKEN decides
BOX_SHARE = 0.25
BOX_MAX_CHARS = 2000
# Wider patterns for our own <article>/<main> fallback, where little is at stake.
_BOX_RE = re.compile(r"key-?facts|most-?read|newsletter|related|share|sharing|social|promo"
                     r"|recommend|comment|sidebar", re.IGNORECASE)
_BOX_LINE = re.compile(
    r"^(key facts|related( articles| stories| news| content)?|similar articles|most (read|popular"
    r"|viewed)|read more|more on this|share (this|on|via)|share|sign up|subscribe|advertisement"
    r"|newsletter)\b", re.IGNORECASE)
_CREDIT_LINE = re.compile(
    r"^\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|research|graphics)\s+by\b"
    r"|^our standards\b|\beditorial principles\.?$|^(?:con )?información de\b"
    r"|^(?:redacción|edición|texto|fotos?)\s*:|^(?:with reporting from|reporting from)\b"
    r"|^(?:©|copyright\b|all rights reserved)", re.IGNORECASE)
# "We will update this story as …" closing a paragraph: a note to readers, not the article
_UPDATE_NOTE = re.compile(r"\s*(?:we will|we'll|this (?:story|article) will be|"
                          r"actualizaremos)\s+[^.]{0,60}?\b(?:update|actualiz)\w*[^.]*\.\s*$",
                          re.IGNORECASE)
_NOT_CONTENT = {"nav", "header", "footer", "aside", "form", "script", "style", "noscript",
                "iframe", "svg", "template", "button"}
_TEI_TO_HTML = {"head": "h2", "list": "ul", "item": "li", "quote": "blockquote", "row": "tr",
                "cell": "td", "lb": "br", "hi": "span", "ref": "span",
                "del": "span"}
_SENTENCE = re.compile(r"\w[.!?…]+(?:[\"”’»)\]]|\s|$)|[。！？।॥؟۔]")
# A word is a run of letters/digits, or one CJK ideograph or kana (those scripts use no spaces).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")


def extract_html(html: str | bytes, url: str | None = None) -> Article:
    """Extract the article of an HTML page (see the module docstring for the cascade)."""
    return extract_html_with_confidence(html, url)[0]


def extract_html_with_confidence(html: str | bytes, url: str | None = None
                                 ) -> tuple[Article, float]:
    """Like `extract_html`, and also the judge's confidence in [0, 1]."""
    try:
        return _extract(html, url)
    except ExtractionError:
        raise
    except Exception as exc:  # noqa: BLE001 - hostile input may break any library below
        raise ExtractionError(f"page could not be read ({type(exc).__name__})") from exc


def _extract(html: str | bytes, url: str | None) -> tuple[Article, float]:
    warnings: list[str] = []
    # 1. decode and parse
    if isinstance(html, bytes | bytearray):
        text, _encoding = decode_html(bytes(html))
    else:
        text = clean_text_input(html)
    if not text.strip():
        raise ExtractionError("no article text found")
    too_costly = html_over_bounds(text)
    if too_costly:
        raise ExtractionError(f"page not read: {too_costly}")
    tree = trafilatura.load_html(text)
    if tree is None:
        raise ExtractionError("no article text found")
    # 2. metadata (ours; trafilatura's fills what ours lacks)
    meta = read_meta(tree, url)
    extra = Document()
    if _lacking(meta):
        extra = _trafilatura_meta(tree, url)
    elif not meta.published:
        extra.date = _find_date(tree, url)
    # 3. body (the publisher's key facts are read before their box goes)
    facts = publisher_facts(tree)
    _drop_boxes(tree)
    blocks = _trafilatura_blocks(tree, url)
    # 4. fallback
    if _words(blocks) < FALLBACK_WORDS:
        name, fallback = _best_fallback(tree)
        fallback = [b for b in fallback if b[0] == "h" or _WORD.search(b[1]) and (
            len(_WORD.findall(b[1])) >= 4 or _SENTENCE.search(b[1]))]
        if _prose_words(fallback) > _prose_words(blocks):
            blocks = fallback
            warnings.append(f"body from fallback ({name})")
    # 5. clean and judge
    site = meta.site_name or extra.sitename or ""
    title = clean_title([meta.og_title, meta.ld_headline, meta.title, extra.title or "", meta.h1],
                        site=site, url=meta.canonical or url, h1=meta.h1)
    blocks = _clean_blocks(blocks, [title, meta.h1, meta.og_title, meta.title])
    confidence = _judge(blocks, tree, meta, fallback=bool(warnings))
    body_text, headings = blocks_to_text(blocks)
    article = Article(
        title=title,
        text=body_text,
        html=sanitize_html(blocks_to_html(blocks)),
        headings=headings,
        url=meta.canonical or url,
        source=site or None,
        byline=meta.author or extra.author or None,
        published=parse_date(meta.published) or parse_date(extra.date),
        lang=primary_lang(meta.lang) if meta.lang else None,
        publisher_section=meta.section or None,
        description=meta.description or extra.description or None,
        image_url=meta.image or None,
        key_facts=facts,
        warnings=warnings,
    )
    return article, confidence


def _lacking(meta: PageMeta) -> bool:
    return not (meta.site_name and (meta.og_title or meta.title))


def _find_date(tree: etree._Element, url: str | None) -> str | None:
    """The page's date by htmldate alone: a third of the cost of full metadata extraction."""
    try:
        found = find_date(tree, url=url, extensive_search=False)
    except Exception:  # noqa: BLE001 - a date is optional
        return None
    return found if isinstance(found, str) else None


def _trafilatura_meta(tree: etree._Element, url: str | None) -> Document:
    try:
        return trafilatura.extract_metadata(deepcopy(tree), default_url=url)
    except Exception:  # noqa: BLE001 - metadata is optional; ours stands alone
        return Document()


def _trafilatura_blocks(tree: etree._Element, url: str | None) -> list[Block]:
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url, include_comments=False, include_tables=True,
            favor_precision=TRAFILATURA_OPTIONS["favor_precision"],
            favor_recall=TRAFILATURA_OPTIONS["favor_recall"],
            fast=TRAFILATURA_OPTIONS["fast"],
        )
    except Exception:  # noqa: BLE001 - trafilatura can trip on odd trees; the fallback decides
        return []
    if not isinstance(doc, Document) or doc.body is None:
        return []
    return _body_blocks(doc.body)


def _text_size(el: etree._Element) -> int:
    # computed by libxml2: whitespace-normalised text length, no Python walk over the tree
    return int(el.xpath("string-length(normalize-space())"))


def _is_box(el: etree._Element) -> bool:
    marks = f"{el.get('class', '')} {el.get('id', '')}".split()
    return any(_BOX_TOKEN.match(token) for token in marks)


def _drop_boxes(tree: etree._Element) -> None:
    """Remove small publisher boxes (key facts, related, most read, newsletter, share...)."""
    candidates = [el for el in tree.xpath(_BOX_XPATH)
                  if el.tag not in ("html", "body") and el.getparent() is not None
                  and _is_box(el)]
    if not candidates:
        return
    body = tree.find(".//body")
    total = _text_size(body if body is not None else tree)
    for el in candidates:
        if el.getparent() is None:
            continue  # inside a box dropped already
        size = _text_size(el)
        if size > BOX_SHARE * total or size > BOX_MAX_CHARS or el.xpath(".//article|.//h1"):
            continue
        long_paragraphs = sum(1 for p in el.iter("p") if len(_WORD.findall(_text(p))) >= 20)
        if long_paragraphs < 2:
            _drop(el)


def _text(el: etree._Element) -> str:
    return " ".join(el.itertext())


def _body_blocks(body: etree._Element) -> list[Block]:
    """Blocks of trafilatura's body tree (its XML vocabulary mapped onto HTML first)."""
    body = deepcopy(body)
    for el in list(body.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag == "graphic":
            _drop(el)
        elif el.tag == "code":  # inline unless it stands alone or spans lines
            parent = el.getparent()
            inline = parent is not None and parent.tag != "body" and "\n" not in (el.text or "")
            el.tag = "span" if inline else "pre"
        elif el.tag in _TEI_TO_HTML:
            el.tag = _TEI_TO_HTML[el.tag]
    return element_to_blocks(body)


def _drop(el: etree._Element) -> None:
    """Remove `el` but keep its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _best_fallback(tree: etree._Element) -> tuple[str, list[Block]]:
    """The better of our <article>/<main> paragraphs and trafilatura's baseline."""
    candidates: list[tuple[str, list[Block]]] = []
    with contextlib.suppress(ValueError, RecursionError):
        candidates.append(("article/main paragraphs", _container_blocks(deepcopy(tree))))
    try:
        postbody, _text, _length = trafilatura.baseline(deepcopy(tree))
        candidates.append(("trafilatura baseline", element_to_blocks(postbody)))
    except Exception:  # noqa: BLE001 - a fallback that fails is simply not a candidate
        pass
    if not candidates:
        return "none", []
    return max(candidates, key=lambda c: _prose_words(c[1]))


def _container_blocks(tree: etree._Element) -> list[Block]:
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if el.tag.lower() in _NOT_CONTENT or (marks.strip() and _BOX_RE.search(marks)):
            _drop(el)
    found = tree.xpath("//article|//main|//*[@role='main']|//*[@itemprop='articleBody']")
    best: etree._Element | None = None
    best_len = 0
    for el in found:
        size = len(" ".join(el.itertext()))
        if size > best_len:
            best, best_len = el, size
    if best is None:
        best = tree.find(".//body")
    return element_to_blocks(best) if best is not None else []


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _clean_blocks(blocks: list[Block], titles: list[str]) -> list[Block]:
    keys = {_key(t) for t in titles if t and _key(t)}
    out: list[Block] = []
    for i, (kind, raw) in enumerate(blocks):
        text = "\n".join(line for line in raw.split("\n") if _WORD.search(line))
        if not text:
            continue
        if i < 3 and _key(text) in keys and all(len(t.split()) <= 4 for _, t in out):
            out = []  # the headline repeated, with any section label or kicker above it
            continue
        if (len(text) < 600 and text.lower().startswith("key facts")) or (
                len(text.split()) <= 8 and _BOX_LINE.match(text)) or (
                len(text.split()) <= 30 and _CREDIT_LINE.search(text)):
            continue  # boxes, credit lines and standards footers are not the article
        text = _UPDATE_NOTE.sub("", text).strip() or text
        if out and out[-1] == (kind, text):
            continue
        out.append((kind, text))
    return out


def _words(blocks: list[Block]) -> int:
    return sum(len(_WORD.findall(t)) for kind, t in blocks if kind != "h")


def _prose_words(blocks: list[Block]) -> int:
    """Words in lines that read as sentences (8+ words with a full stop, ! or ? in them)."""
    total = 0
    for kind, text in blocks:
        if kind != "p":
            continue
        for line in text.split("\n"):
            words = len(_WORD.findall(line))
            if words >= 8 and _SENTENCE.search(line):
                total += words
    return total


def _link_words(blocks: list[Block], tree: etree._Element) -> int:
    """Words of lines that are, in full, the text of one link on the page."""
    anchors = set()
    for a in tree.iter("a"):
        key = _key(" ".join(a.itertext()))
        if len(key) >= 12:
            anchors.add(key)
    return sum(len(_WORD.findall(line)) for kind, text in blocks if kind != "h"
               for line in text.split("\n") if _key(line) in anchors)


def _judge(blocks: list[Block], tree: etree._Element, meta: PageMeta, fallback: bool) -> float:
    words = _words(blocks)
    if words == 0:
        raise ExtractionError("no article text found")
    if words < MIN_WORDS:
        raise ExtractionError(f"page is not an article: only {words} words of text")
    prose = _prose_words(blocks)
    if meta.has_password and prose < 40:
        raise ExtractionError("page is not an article: a login form")
    if prose == 0 and words < 300:
        raise ExtractionError("page is not an article: no sentences, only short lines")
    if _link_words(blocks, tree) > 0.5 * words:
        raise ExtractionError("page is not an article: mostly links (an index page?)")
    article_like = bool(meta.published or meta.author or meta.og_type == "article"
                        or meta.section)
    score = 0.1 + 0.5 * min(1.0, words / 300) + 0.3 * (prose / words) + 0.1 * article_like
    if fallback:
        score *= 0.8
    return round(max(0.0, min(1.0, score)), 3)
