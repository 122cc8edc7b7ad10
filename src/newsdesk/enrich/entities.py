"""Named entities and figures: spaCy when available, else cheap rules (English and Spanish).

`extract_entities(text, lang=None)` returns `Entity(text, type)` items ordered by first
appearance, de-duplicated, with types from `newsdesk.model.ENTITY_TYPES`.

spaCy path: used when spaCy imports and a small pipeline for the language is installed
(``en_core_web_sm`` / ``es_core_news_sm``; the ``ner`` extra). Its labels are mapped onto our
types, and rule figures it missed are added. Set ``NEWSDESK_NER=rules`` to force the rules.

Rules path (`extract_entities_rules`), in order:

1. Figures by regular expression, earlier kinds winning overlaps: money ($11.1bn, £600m,
   3 millones de dólares), percent (8%, 2 per cent, 5 por ciento), dates (Dec. 14, March 11,
   14 de diciembre de 2025, 2026, weekdays, ISO and d/m/y dates), numbers (330,000; 1.2 million;
   59-year-old; 3.5).
2. Names: runs of capitalised words, joined by name connectors (de, del, de la, of, van, von…)
   and by hyphens or en dashes ("Chacalluta–Santa Rosa"). A possessive ('s) ends a run; leading
   function words ("The", "El") are dropped; a run's first word at the start of a sentence is
   dropped when it is a common word (it is a function word, or occurs in lower case elsewhere in
   the text, or is a lone word never capitalised mid-sentence and unknown to the gazetteer).
   Title-case headline paragraphs are skipped.
3. Types by cues: a title word (Minister, President, ministro, Mr.) before the name makes the rest
   a person; org words (Ministry, Council, Bank, Ministerio, Universidad…) or an all-capitals
   acronym make an org; the gazetteer of countries, regions and cities, a preposition before it
   ("in", "at", "en", "from"…), or a place noun after it ("crossing", "border") make a place;
   a known first name, a role word before it ("candidate", "contender", "candidata"), a speech
   verb after it ("said", "dijo"), or being two to four plain capitalised words make a person;
   demonyms and other lone words are misc.
4. De-duplication: a lone word that is part of an earlier or later multi-word person name
   ("Kast" after "José Antonio Kast") maps to that name; texts are compared case-insensitively
   with dashes and quotes normalised; the first appearance fixes the order.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any

from newsdesk.enrich import lexicon
from newsdesk.model import Entity

__all__ = ["extract_entities", "extract_entities_rules", "extract_figures", "normalise_key"]

_D = r"[-‑–]"  # hyphen, non-breaking hyphen, en dash
_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_SCALE_EN = r"million|billion|trillion|thousand|hundred|bn|mn|m|k|tn"
_SCALE_WORDS = r"million|billion|trillion|thousand|bn|mn"
_SCALE_ES = r"mil\s+millones|millones|millón|billones|mil"
_CURRENCY_WORDS = (
    r"dollars?|dólares|euros?|pounds?|libras(?:\s+esterlinas)?|pesos|soles|yen|yuan|rupees|"
    r"reais|francs|USD|EUR|GBP"
)
_MONTHS_EN = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_MONTHS_EN_ABBR = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
_MONTHS_ES = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|"
    "diciembre"
)
_WEEKDAYS = (
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"[Ll]unes|[Mm]artes|[Mm]iércoles|[Jj]ueves|[Vv]iernes|[Ss]ábado|[Dd]omingo"
)
_MONTH_ANY = rf"(?:{_MONTHS_EN})|(?:{_MONTHS_EN_ABBR})\.?"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:1[5-9]|20)\d{2}"

_FIGURE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "money",
        re.compile(
            rf"(?:(?:US|A|C|NZ|HK|R)?[$£€¥]|\b(?:USD|EUR|GBP)\s?)\s?(?:{_NUM})"
            rf"(?:\s?(?:{_SCALE_EN})\b|\s(?:{_SCALE_ES})\b)?"
            rf"|\b(?:{_NUM})(?:\s?(?:{_SCALE_EN})|\s(?:{_SCALE_ES}))?\s(?:de\s)?(?:{_CURRENCY_WORDS})\b"
        ),
    ),
    (
        "percent",
        re.compile(
            rf"(?<![\w.,])(?:{_NUM})\s?(?:%|per\s?cent\b|percent\b|por\s+ciento\b)"
        ),
    ),
    (
        "date",
        re.compile(
            rf"\b(?:{_MONTH_ANY})\s\d{{1,2}}{_ORD}\b(?:,?\s{_YEAR}\b)?"
            rf"|\b\d{{1,2}}{_ORD}\s(?:of\s)?(?:{_MONTHS_EN})(?:,?\s{_YEAR})?\b"
            rf"|\b\d{{1,2}}\sde\s(?:{_MONTHS_ES})(?:\s(?:de|del)\s{_YEAR})?\b"
            rf"|\b(?:{_MONTHS_ES}|{_MONTHS_EN})\s(?:de\s)?{_YEAR}\b"
            rf"|\b(?:{_MONTHS_EN}|{_MONTHS_EN_ABBR}\.)(?!\s+\d)"
            rf"|\b(?:{_WEEKDAYS})\b"
            rf"|\b{_YEAR}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/{_YEAR}\b"
            rf"|(?<![\d,.$£€])\b{_YEAR}\b(?![.,]\d)(?!\s?%)"
        ),
    ),
    (
        "number",
        re.compile(
            rf"(?<![\w.,])(?:{_NUM}){_D}(?:year|month|week|day|hour|minute){_D}old\b"
            rf"|(?<![\w.,])(?:{_NUM})(?:\s(?:{_SCALE_WORDS}|{_SCALE_ES})\b)?(?![\w]|[.,]\d)"
        ),
    ),
]
_MAY_WORD = re.compile(r"^May\.?$")  # "May" alone is usually the verb


@dataclass
class _Span:
    start: int
    end: int
    text: str
    type: str


# Figures need a digit, a currency sign, or a month/weekday word; the full patterns run only in
# windows around such triggers (Python's re is slow on long alternations scanned everywhere).
_TRIGGER_CHARS = re.compile(r"[\d$£€¥]+")
_TRIGGER_WORDS = re.compile(rf"{_MONTHS_EN}|{_MONTHS_EN_ABBR}|{_MONTHS_ES}|{_WEEKDAYS}")


def _windows(text: str) -> list[tuple[int, int]]:
    n = len(text)
    hits = sorted(
        [(m.start(), m.end()) for m in _TRIGGER_CHARS.finditer(text)]
        + [(m.start(), m.end()) for m in _TRIGGER_WORDS.finditer(text)]
    )
    out: list[tuple[int, int]] = []
    for start, end in hits:
        if out and start <= out[-1][1] - 45:
            continue  # inside the current window already
        s = text.rfind(" ", 0, max(0, start - 25))
        s = 0 if s < 0 else s
        e = text.find(" ", min(n, end + 45))
        e = n if e < 0 else e
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def extract_figures(text: str) -> list[_Span]:
    """Money, percent, date and number spans, non-overlapping, in text order."""
    taken: list[_Span] = []
    mask = bytearray(len(text))
    windows = _windows(text)
    for kind, pattern in _FIGURE_PATTERNS:
        for ws, we in windows:
            for m in pattern.finditer(text, ws, we):
                s, e = m.start(), m.end()
                value = m.group(0).strip()
                if not value or _MAY_WORD.match(value) or 1 in mask[s:e]:
                    continue
                mask[s:e] = b"\x01" * (e - s)
                taken.append(_Span(s, e, value, kind))
    taken.sort(key=lambda sp: sp.start)
    return taken



_UP = "A-ZÁÉÍÓÚÑÜÀÈÌÒÙÂÊÎÔÛÇ"
_CAPW = rf"[{_UP}][\w'’]*(?:[.\-‑–][\w'’]+)*\.?"
_CONN_RE = "|".join(sorted(lexicon.CONNECTORS, key=len, reverse=True))
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
                    runs.append(cur)
                cur = []
                continue
            cur.append(_Tok(word, s, e))
            if ends_sentence or _POSSESSIVE.search(word):
                runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
    return runs


def _strip_possessive(tok: _Tok) -> _Tok:
    if _POSSESSIVE.search(tok.text):
        return _Tok(tok.text[:-2], tok.start, tok.end - 2)
    return tok


_WORD_RE = re.compile(r"[\w'’]+|,")


def _prev_words(text: str, pos: int, n: int = 2) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text, max(0, pos - 40), pos)[-n:]]


def _next_words(text: str, pos: int, n: int = 2) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text, pos, pos + 40)[:n]]


def _type_of(cand: _Cand, text: str, title_before: bool) -> str:
    words = [w.text for w in cand.words]
    lower = [w.lower().rstrip(".") for w in words]
    name = cand.text
    if any(w in lexicon.ORG_WORDS for w in lower):
        return "org"
    if name in lexicon.ACRONYM_PLACES or name.lower() in lexicon.GAZ_LOWER:
        return "place"
    if title_before:
        return "person"
    if len(words) == 1 and lower[0] in lexicon.DEMONYMS:
        return "misc"
    prev = _prev_words(text, cand.start)
    nxt = _next_words(text, cand.end)
    if len(words) == 1 and words[0].isupper() and len(words[0].replace(".", "")) >= 2:
        return "org"
    if prev and prev[-1] in lexicon.ROLE_BEFORE:
        return "person"
    if lower[0] in lexicon.FIRST_NAMES and len(words) >= 2:
        return "person"
    if prev and (prev[-1] in lexicon.PLACE_BEFORE or (
        len(prev) == 2 and prev[-1] in lexicon.DETERMINERS and prev[0] in lexicon.PLACE_BEFORE
    )):
        return "place"
    if nxt and nxt[0] in lexicon.PLACE_AFTER:
        return "place"
    if nxt and nxt[0] in lexicon.SPEECH_AFTER:
        return "person"
    if 2 <= len(words) <= 4 and all(_CAP.match(w) for w in words):
        return "person"
    return "misc"


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
        # drop leading function words and the sentence-initial common word
        while words and words[0].text.lower() in lexicon.STOP:
            words = words[1:]
        if words and ini:
            first = words[0].text
            low = first.lower()
            known = (low in lexicon.GAZ_LOWER or low in lexicon.FIRST_NAMES
                     or low in lexicon.DEMONYMS or first in lexicon.ACRONYM_PLACES)
            common = low in lexicon.STOP or low in lower_words
            lone_unknown = len(words) == 1 and first not in mid_caps and not known
            if not known and (common or lone_unknown):
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
        while words and words[0].text.lower() in lexicon.CONNECTORS:
            words = words[1:]
        while words and words[-1].text.lower() in lexicon.CONNECTORS:
            words = words[:-1]
        if not words:
            continue
        cand = _Cand(words, words[0].start, words[-1].end)
        # "Chile–Peru": split a dashed pair of known places
        if len(words) == 1 and _DASH.search(words[0].text):
            parts = _DASH.split(words[0].text)
            if all(p.lower() in lexicon.GAZ_LOWER for p in parts):
                pos = words[0].start
                for p in parts:
                    out.append(_Cand([_Tok(p, pos, pos + len(p))], pos, pos + len(p), "place"))
                    pos += len(p) + 1
                continue
        if len(cand.text) < 2 or cand.text.lower() in lexicon.STOP:
            continue
        cand.type = _type_of(cand, text, title_before)
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
