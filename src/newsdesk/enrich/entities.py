"""Named entities and figures: spaCy when available, else cheap rules (English and Spanish).

`extract_entities(text, lang=None)` returns `Entity(text, type)` items ordered by first
appearance, de-duplicated, with types from `newsdesk.model.ENTITY_TYPES`.

spaCy path: used when spaCy imports and a small pipeline for the language is installed
(``en_core_web_sm`` / ``es_core_news_sm``; the ``ner`` extra). Its labels are mapped onto our
types, and rule figures it missed are added. Set ``NEWSDESK_NER=rules`` to force the rules.

Rules path (`extract_entities_rules`), in order:

1. Figures by regular expression (enrich/figures.py `extract_figures`): money, percent, dates
   (Dec. 14, 14 de diciembre de 2025, weekdays, years), numbers (330,000; 1.2 million).
2. Names: runs of capitalised words, joined by name connectors (de, del, de la, of, van…) and
   by hyphens or en dashes. "and/y/e" and "for/para" join only inside an organisation's name
   ("International Organization for Migration", "National Meteorology and Hydrology Service",
   not "Reuters y Pacific Wire"). A possessive ('s) ends a run. Leading function words are
   dropped, except a capitalised Spanish article, which mid-sentence is part of the name ("en
   El Alto", "el diario El Deber") and at a sentence start is kept when the whole name is known
   ("La Paz"). A run's first word at the start of a sentence is dropped when it is a common
   word (a function word, seen in lower case elsewhere, a lone unknown word, or followed by
   of/de: "Shares of Petrobras"), unless it is known or a name head ("Lake Poopó").
   A dashed chain of known places is split ("Cusco–Puno–La Paz"). Title-case headline
   paragraphs are skipped.
3. Types, first match wins: a name ending in a document word is misc ("… Editorial
   Principles"); known outlets and agencies are orgs; the gazetteer gives places; the head word
   decides next, first word for Spanish and last word before of/de for English ("Ministerio de
   …", "Aduana Nacional", "University of Chile", "Development Bank" are orgs; "Lago Titicaca",
   "Río de la Plata", "Desaguadero River", "Lake Titicaca" are places); then any org word; a
   title before the name (Minister, ministro, Mr.) makes a person; a capitalised run right after
   "ministro de"/"minister of" is a portfolio (misc; "Relaciones Exteriores de Chile" keeps
   Chile as a place); an acronym is an org; cue words before it: "diario", "agency", "shares
   of" (org), "candidate", "portavoz" (person), "in", "en", "el río", "la ciudad de", "viajó a"
   (place); a place noun after it ("crossing", "border"); a speech verb after it ("said",
   "dijo") makes a person; Spanish landform words inside it (Cerro, Sierra) make a place; two
   to four plain capitalised words make a person; demonyms and other lone words are misc.
   Spanish writes months, weekdays and nationalities in lower case, so they never start a run.
4. De-duplication: a lone word that is part of an earlier or later multi-word person name
   ("Kast" after "José Antonio Kast") maps to that name; texts are compared case-insensitively
   with dashes and quotes normalised; the first appearance fixes the order.

Measured on 60 sentences written for this (tests/data/entities, bench/entities.py): person /
org / place F1 0.69 -> 0.89 on the held-out half against the rules before issue 7.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any

from newsdesk.enrich import lexicon
from newsdesk.enrich.figures import extract_figures
from newsdesk.model import Entity

__all__ = ["extract_entities", "extract_entities_rules", "extract_figures", "normalise_key"]

_UP = "A-ZÁÉÍÓÚÑÜÀÈÌÒÙÂÊÎÔÛÇ"
_CAPW = rf"[{_UP}][\w'’]*(?:[.\-‑–][\w'’]+)*\.?"
# joiners link two capitalised parts only inside an organisation's name (see _split_joined)
_JOINERS = frozenset({"and", "for", "on", "y", "e", "para", "&"})
_ALL_CONNECTORS = lexicon.CONNECTORS | _JOINERS
_OF = frozenset({"of", "de", "del"})
_CONN_RE = "|".join(re.escape(c) for c in sorted(_ALL_CONNECTORS, key=len, reverse=True))
_RUN = re.compile(rf"{_CAPW}(?:[ \t]+(?:(?:{_CONN_RE})[ \t]+){{0,2}}{_CAPW})*")
_SPACE_TOKEN = re.compile(r"\S+")
_CAP = re.compile(rf"^[{_UP}]")
_POSSESSIVE = re.compile(r"['’]s$")
_DASH = re.compile(r"[-‑–—]")
_SENT_END = set(".!?…:;\n")
_OPENING = set("\"'“‘«(¿¡[")
_PUNCT = "\"'“”‘’«»()[]¿?¡!.,;:…—-"


def normalise_key(text: str) -> str:
    """Comparison key: case-folded, dashes and quotes unified, spaces collapsed."""
    text = _DASH.sub("-", text)
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(text.casefold().split())


@dataclass
class _Tok:
    text: str
    start: int
    end: int


def _sentence_initial(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and ((text[i].isspace() and text[i] != "\n") or text[i] in _OPENING):
        i -= 1
    return i < 0 or text[i] in _SENT_END


def _headline_like(paragraph: str) -> bool:
    words = [w.strip(_PUNCT) for w in paragraph.split()]
    words = [w for w in words if w[:1].isalpha()]
    if len(words) < 4 or paragraph.rstrip()[-1:] in ".!?":
        return False
    caps = sum(1 for w in words if _CAP.match(w))
    return caps >= 0.7 * len(words)


@dataclass
class _Cand:
    words: list[_Tok]
    start: int
    end: int
    type: str = ""

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _joins(left: list[_Tok], joiner: str, right: list[_Tok]) -> bool:
    """Whether "left joiner right" is one name: "International Organization for Migration",
    "National Meteorology and Hydrology Service", "Servicio Nacional de Meteorología e
    Hidrología"; not "Reuters y Pacific Wire" or "Cochabamba y Sucre"."""
    low_left = [t.text.lower() for t in left]
    org_left = any(w in lexicon.ORG_WORDS for w in low_left)
    if joiner in {"for", "para", "on"}:
        return org_left
    if low_left[0] in lexicon.ORG_WORDS and len(left) >= 2:
        return True
    plain_left = not org_left and low_left[0] not in lexicon.FIRST_NAMES and not _known(
        " ".join(t.text for t in left))
    return plain_left and right[-1].text.lower() in lexicon.ORG_WORDS


def _split_joined(tokens: list[_Tok]) -> list[list[_Tok]]:
    parts: list[list[_Tok]] = [[]]
    joiners: list[_Tok] = []
    for tok in tokens:
        if tok.text.lower() in _JOINERS and parts[-1]:
            joiners.append(tok)
            parts.append([])
        else:
            parts[-1].append(tok)
    out = [parts[0]]
    for joiner, part in zip(joiners, parts[1:], strict=True):
        if part and _joins(out[-1], joiner.text.lower(), part):
            out[-1] = out[-1] + [joiner] + part
        else:
            out.append(part)
    return [p for p in out if p]


def _runs(text: str, mask: bytearray) -> list[list[_Tok]]:
    """Runs of capitalised words (with inner connectors), cut at possessives and figures."""
    runs: list[list[_Tok]] = []
    for m in _RUN.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "'’"):
            continue  # "iPhone", "l'Equipe": not a name start here
        cur: list[_Tok] = []
        for t in _SPACE_TOKEN.finditer(m.group(0)):
            word, s = t.group(0), m.start() + t.start()
            e = s + len(word)
            ends_sentence = False
            if word.endswith(".") and len(word) > 1:
                core = word[:-1]
                if "." not in core and core.lower() not in lexicon.TITLES:
                    word, e, ends_sentence = core, e - 1, True
            if 1 in mask[s:e]:
                if cur:
                    runs.extend(_split_joined(cur))
                cur = []
                continue
            cur.append(_Tok(word, s, e))
            if ends_sentence or _POSSESSIVE.search(word):
                runs.extend(_split_joined(cur))
                cur = []
        if cur:
            runs.extend(_split_joined(cur))
    return runs


def _strip_possessive(tok: _Tok) -> _Tok:
    if _POSSESSIVE.search(tok.text):
        return _Tok(tok.text[:-2], tok.start, tok.end - 2)
    return tok


_WORD_RE = re.compile(r"[\w'’]+|,")


_CLAUSE_END = re.compile(r"[.!?;:\n]\s")


def _prev_words(text: str, pos: int, n: int = 2) -> list[str]:
    """The n words before pos in the same sentence ("news agency. Ed Silliere": none)."""
    start = max(0, pos - 40)
    ends = list(_CLAUSE_END.finditer(text, start, pos))
    if ends:
        start = ends[-1].end()
    return [w.lower() for w in _WORD_RE.findall(text, start, pos)[-n:]]


def _next_words(text: str, pos: int, n: int = 2) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text, pos, pos + 40)[:n]]


def _is_acronym(word: str) -> bool:
    return word.isupper() and len(word.replace(".", "")) >= 2


def _head_words(lower: list[str]) -> tuple[str, str]:
    """(first word, last word before the first connector): the Spanish and English heads
    ("Ministerio de Salud" -> ministerio; "University of Chile" -> university)."""
    cut = next((i for i, w in enumerate(lower) if i and w in _ALL_CONNECTORS), len(lower))
    return lower[0], lower[cut - 1]


def _type_of(cand: _Cand, text: str, title_before: bool) -> str:
    words = [w.text for w in cand.words]
    lower = [w.lower().rstrip(".") for w in words]
    name = cand.text
    low_name = name.lower()
    first, last_head = _head_words(lower)
    if len(words) >= 2 and lower[-1] in lexicon.DOC_WORDS:
        return "misc"  # "Pacific Wire Editorial Principles"
    if low_name in lexicon.KNOWN_ORGS:
        return "org"
    if name in lexicon.ACRONYM_PLACES or low_name in lexicon.GAZ_LOWER:
        return "place"
    if first in lexicon.ORG_WORDS or last_head in lexicon.ORG_WORDS:
        return "org"
    if len(words) >= 2 and (first in lexicon.PLACE_HEAD_FIRST
                            or last_head in lexicon.PLACE_HEAD_LAST):
        return "place"
    if any(w in lexicon.ORG_WORDS for w in lower):
        return "org"
    if title_before:
        return "person"
    prev = _prev_words(text, cand.start)
    nxt = _next_words(text, cand.end)
    if len(prev) == 2 and prev[1] in _OF and prev[0] in lexicon.PORTFOLIO_TITLES:
        return "portfolio"  # "ministro de Economía": a portfolio, not a person
    if len(words) == 1 and lower[0] in lexicon.DEMONYMS:
        return "misc"
    if _is_acronym(words[0]) and (len(words) == 1 or not _CAP.match(words[-1][-1:])):
        return "org"  # "YPFB", "BBC Mundo"
    if prev and prev[-1] in lexicon.ORG_BEFORE or (
            len(prev) == 2 and prev[1] in _OF and prev[0] in lexicon.ORG_OF):
        return "org"
    if prev and prev[-1] in lexicon.ROLE_BEFORE:
        return "person"
    if lower[0] in lexicon.FIRST_NAMES and len(words) >= 2:
        return "person"
    if prev and (prev[-1] in lexicon.PLACE_BEFORE or prev[-1] in lexicon.PLACE_NOUN_BEFORE or (
        len(prev) == 2 and prev[-1] in lexicon.DETERMINERS and prev[0] in lexicon.PLACE_BEFORE
    )):
        return "place"
    if len(prev) == 2 and prev[1] in _OF and prev[0] in lexicon.PLACE_NOUN_OF:
        return "place"  # "la ciudad de Colonia", "the city of Arica"
    if len(prev) == 2 and prev[1] in {"to", "a"} and prev[0] in lexicon.MOTION:
        return "place"  # "viajó a Juliaca"
    if nxt and nxt[0] in lexicon.PLACE_AFTER:
        return "place"
    if nxt and nxt[0] in lexicon.SPEECH_AFTER:
        return "person"
    if any(w in lexicon.PLACE_WORDS_ANY for w in lower):
        return "place"
    if 2 <= len(words) <= 4 and all(_CAP.match(w) for w in words):
        return "person"
    return "misc"


def _known(name: str) -> bool:
    low = name.lower()
    return low in lexicon.GAZ_LOWER or low in lexicon.KNOWN_ORGS or name in lexicon.ACRONYM_PLACES


def _keeps_article(words: list[_Tok], at_start: bool) -> bool:
    """A capitalised Spanish article belongs to the name ("en El Alto", "el diario El Deber"):
    mid-sentence always, at the start of a sentence when the whole name is known ("La Paz")."""
    w0 = words[0].text
    if len(words) < 2 or not w0[:1].isupper() or w0.lower() not in lexicon.SPANISH_ARTICLES:
        return False
    return not at_start or _known(" ".join(w.text for w in words))


def _sentence_common(words: list[_Tok], lower_words: set[str], mid_caps: set[str]) -> bool:
    """Whether the first word of a sentence-initial run is an ordinary word, not a name."""
    first = words[0].text
    low = first.lower()
    name = " ".join(w.text for w in words)
    head_like = len(words) >= 2 and (
        low in lexicon.ORG_WORDS or low in lexicon.PLACE_HEAD_FIRST
        or words[-1].text.lower() in lexicon.PLACE_HEAD_LAST
        or words[-1].text.lower() in lexicon.ORG_WORDS)
    known = (low in lexicon.GAZ_LOWER or low in lexicon.FIRST_NAMES or low in lexicon.DEMONYMS
             or low in lexicon.KNOWN_ORGS or first in lexicon.ACRONYM_PLACES or _known(name)
             or head_like)
    if known:
        return False
    common = low in lexicon.STOP or low in lower_words
    lone_unknown = len(words) == 1 and first not in mid_caps
    of_next = len(words) > 1 and words[1].text.lower() in _OF  # "Shares of Petrobras"
    return common or lone_unknown or of_next


def _split_dashed(cand: _Cand, text: str) -> list[_Cand] | None:
    """"Chile–Peru", "Cusco–Puno–La Paz": a dashed chain of known places is its places."""
    raw = text[cand.start:cand.end]
    if not _DASH.search(raw):
        return None
    out: list[_Cand] = []
    pos = cand.start
    for part in _DASH.split(raw):
        name = " ".join(part.split())
        if name.lower() not in lexicon.GAZ_LOWER:
            return None
        s = pos + (len(part) - len(part.lstrip()))
        out.append(_Cand([_Tok(name, s, s + len(name))], s, s + len(name), "place"))
        pos += len(part) + 1
    return out


def _portfolio(cand: _Cand) -> list[_Cand]:
    """"Relaciones Exteriores de Chile" after "ministro de": misc, with its country a place."""
    words = cand.words
    for i in range(len(words) - 2, 0, -1):
        tail = words[i + 1:]
        if words[i].text.lower() in _OF and _known(" ".join(w.text for w in tail)):
            head = words[:i]
            return [_Cand(head, head[0].start, head[-1].end, "misc"),
                    _Cand(tail, tail[0].start, tail[-1].end, "place")]
    return [_Cand(words, cand.start, cand.end, "misc")]


def _names_in(text: str, mask: bytearray) -> list[_Cand]:
    lower_words = {
        w.strip(_PUNCT) for w in text.split() if w[:1].islower() or w[:1] in _OPENING
    }
    lower_words = {w for w in lower_words if w[:1].islower()}
    runs = _runs(text, mask)
    initial = [_sentence_initial(text, run[0].start) for run in runs]
    mid_caps = {
        _strip_possessive(t).text
        for run, ini in zip(runs, initial, strict=True)
        for t in (run[1:] if ini else run)
    }
    out: list[_Cand] = []
    for run, ini in zip(runs, initial, strict=True):
        words = [_strip_possessive(t) for t in run]
        title_before = False
        kept_article = False
        # drop leading function words and the sentence-initial common word
        while words and words[0].text.lower() in lexicon.STOP:
            if _keeps_article(words, ini and words[0].start == run[0].start):
                kept_article = True
                break
            words = words[1:]
        if words and ini and not kept_article and _sentence_common(words, lower_words, mid_caps):
            words = words[1:]
        # a title word makes the rest a person: "Security Minister Luis Cordero"
        for i in range(len(words) - 1, -1, -1):
            if words[i].text.lower().rstrip(".") in lexicon.TITLES:
                if i + 1 < len(words):
                    words = words[i + 1:]
                    title_before = True
                else:
                    words = []
                break
        while words and words[0].text.lower() in _ALL_CONNECTORS and not kept_article:
            words = words[1:]
        while words and words[-1].text.lower() in _ALL_CONNECTORS:
            words = words[:-1]
        if not words:
            continue
        cand = _Cand(words, words[0].start, words[-1].end)
        parts = _split_dashed(cand, text)
        if parts is not None:
            out.extend(parts)
            continue
        if len(cand.text) < 2 or cand.text.lower() in lexicon.STOP:
            continue
        cand.type = _type_of(cand, text, title_before)
        if cand.type == "portfolio":
            out.extend(_portfolio(cand))
        else:
            out.append(cand)
    return out


def _dedupe(items: list[tuple[int, str, str]]) -> list[Entity]:
    """items: (position, text, type). Map lone surnames onto full names, keep first appearance."""
    persons = [(t, ty) for _, t, ty in items if ty == "person" and len(t.split()) >= 2]
    first_pos: dict[str, int] = {}
    chosen: dict[str, tuple[str, str]] = {}
    for pos, text, typ in items:
        target = (text, typ)
        if len(text.split()) == 1 and typ in {"person", "misc", "org"}:
            for full, _ in persons:
                parts = full.split()
                if text in parts[1:]:
                    target = (full, "person")
                    break
        key = normalise_key(target[0])
        if key not in first_pos or pos < first_pos[key]:
            first_pos[key] = pos
        if key not in chosen or (chosen[key][1] == "misc" and target[1] != "misc"):
            chosen[key] = target
    order = sorted(first_pos, key=lambda k: first_pos[k])
    return [Entity(chosen[k][0], chosen[k][1]) for k in order]


def _rule_items(text: str) -> list[tuple[int, str, str]]:
    figures = extract_figures(text)
    items = [(f.start, f.text, f.type) for f in figures]
    mask = bytearray(len(text))
    for f in figures:
        mask[f.start:f.end] = b"\x01" * (f.end - f.start)
    offset = 0
    for para in re.split(r"(\n\s*\n)", text):
        if para.strip() and _headline_like(para):
            mask[offset:offset + len(para)] = b"\x01" * len(para)
        offset += len(para)
    items.extend((c.start, c.text, c.type) for c in _names_in(text, mask))
    items.sort(key=lambda it: it[0])
    return items


def extract_entities_rules(text: str, lang: str | None = None) -> list[Entity]:
    """Entities by the rules described in the module docstring (no spaCy)."""
    if not text or not text.strip():
        return []
    return _dedupe(_rule_items(text))


_SPACY_MODELS = {"en": ("en_core_web_sm",), "es": ("es_core_news_sm",)}
_SPACY_TYPES = {
    "PERSON": "person", "PER": "person", "ORG": "org", "GPE": "place", "LOC": "place",
    "FAC": "place", "DATE": "date", "TIME": "date", "MONEY": "money", "PERCENT": "percent",
    "CARDINAL": "number", "QUANTITY": "number",
}


@functools.lru_cache(maxsize=4)
def _spacy_pipeline(lang: str) -> Any:
    if os.environ.get("NEWSDESK_NER", "").lower() == "rules":
        return None
    try:
        import spacy
    except Exception:
        return None
    for name in _SPACY_MODELS.get(lang, ()):
        try:
            return spacy.load(name, exclude=["lemmatizer", "parser", "tagger"])
        except Exception:
            continue
    return None


def _spacy_items(nlp: Any, text: str) -> list[tuple[int, str, str]]:
    doc = nlp(text)
    items: list[tuple[int, str, str]] = []
    spans: list[tuple[int, int]] = []
    for ent in doc.ents:
        value = ent.text.strip()
        if not value:
            continue
        items.append((ent.start_char, value, _SPACY_TYPES.get(ent.label_, "misc")))
        spans.append((ent.start_char, ent.end_char))
    for f in extract_figures(text):  # figures spaCy missed
        if not any(s < f.end and f.start < e for s, e in spans):
            items.append((f.start, f.text, f.type))
    items.sort(key=lambda it: it[0])
    return items


def extract_entities(text: str, lang: str | None = None) -> list[Entity]:
    """People, organisations, places, figures and dates in `text`, by first appearance."""
    if not text or not text.strip():
        return []
    if lang is None:
        from newsdesk.enrich.lang import detect_language

        lang = detect_language(text)
    nlp = _spacy_pipeline(lang) if lang in _SPACY_MODELS else None
    if nlp is not None:
        try:
            return _dedupe(_spacy_items(nlp, text))
        except Exception:
            pass
    return _dedupe(_rule_items(text))
