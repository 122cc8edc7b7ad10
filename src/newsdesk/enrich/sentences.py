"""Sentence splitting for English and Spanish news text, by rules.

`split_sentences(text, lang=None)` returns the sentences of `text` in order, stripped.

How a boundary is decided:

- Blank lines (paragraph breaks) always end a sentence. A single newline ends one when the line
  before it ends in terminal punctuation or looks like a heading (short, no final punctuation,
  and the next line does not continue in lower case).
- Inside a paragraph, a candidate boundary is a run of ``. ! ? …`` (plus closing quotes or
  brackets) followed by whitespace. It is accepted when the next word starts a sentence: an
  upper-case letter, a digit, an opening quote or bracket, or Spanish ``¿ ¡``. In text that is
  almost entirely lower case (tokenised corpora) a lower-case start is accepted too.
- A full stop right after a known abbreviation is not a boundary: titles (Mr., Dr., Sr., Sra.,
  Gen., Gov.), month and weekday abbreviations (Dec., Sept.), and the like. Abbreviations that
  also end sentences (U.S., EE.UU., Inc., a.m.) split only before a typical sentence opener
  ("The", "He", "El", "Pero"…). Single initials (J. K.) never split; nor does "No. 5" or "p. 12".
- Decimals and thousands (3.5, 330,000, 1.200,50) contain no whitespace, so they never split.
- An ellipsis splits only before an upper-case word.

Paragraph results are memoised (LRU, 2,048 paragraphs): summary and key facts split the same
body one after the other.
"""

from __future__ import annotations

import functools
import re

__all__ = ["split_sentences"]

# Abbreviations that are (almost) never the end of a sentence. Lower-case, without the final dot.
_NEVER_END = {
    # titles and honorifics (en / es)
    "mr", "mrs", "ms", "dr", "prof", "sr", "sra", "srta", "dra", "lic", "ing", "st", "mt", "ft",
    "gen", "col", "lt", "capt", "cmdr", "adm", "sgt", "maj", "gov", "sen", "rep", "pres", "rev",
    "hon", "fr", "sto", "sta", "ud", "uds", "vd", "vds", "dña", "dn", "excmo", "ilmo",
    # months and weekdays
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "ene", "abr", "ago", "dic", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat",
    "sun",
    # references and numbers
    "no", "nos", "nº", "núm", "num", "vol", "vols", "p", "pp", "pág", "págs", "art", "cap",
    "fig", "ed", "eds", "approx", "aprox", "est", "vs", "v", "cf", "al", "op", "cit",
    "av", "avda", "c", "ca", "tel",
    # Latin/English abbreviations mid-sentence
    "e.g", "i.e", "etc.,", "a.k.a", "aka",
}
# Abbreviations that may also end a sentence: split only before a sentence opener.
_MAY_END = {
    "u.s", "u.k", "u.n", "e.u", "ee.uu", "uu", "a.m", "p.m", "inc", "ltd", "co", "corp", "jr",
    "sr.a", "etc", "bros", "plc", "s.a", "s.l", "ltda", "d.c", "n.y", "l.a",
}
_OPENERS = {
    # English
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that", "these",
    "those", "but", "and", "in", "on", "at", "for", "his", "her", "its", "their", "our", "there",
    "as", "after", "before", "when", "while", "if", "however", "meanwhile", "some", "many",
    "most", "both", "officials", "police", "what", "who", "why", "how", "still", "yet", "so",
    "since", "last", "earlier", "later", "one", "two", "three", "no", "not", "by", "from",
    # Spanish
    "el", "la", "los", "las", "un", "una", "unos", "unas", "en", "pero", "y", "sin", "con", "por",
    "para", "según", "este", "esta", "estos", "estas", "ese", "esa", "eso", "esto", "su", "sus",
    "además", "también", "así", "tras", "durante", "cuando", "si", "aunque", "mientras", "hoy",
    "ayer", "ello", "ella", "ellos", "ellas", "nosotros", "lo", "al", "del", "de",
}

_BOUNDARY = re.compile(r"(?:\.{2,}|…|[.!?]+)[\"'”’»)\]]*(?=\s)")
_NEXT_WORD = re.compile(r"\s+([\"'“‘«(\[¿¡]*)(\S*)")
_UPPER_START = re.compile(r"[A-ZÁÉÍÓÚÑÜÀÈÌÒÙÂÊÎÔÛÇ]")
_PARA_SPLIT = re.compile(r"\n[ \t]*\n+")
_TERMINAL = ".!?…:\"'”’»)"
_UPPER = re.compile(r"[A-ZÁÉÍÓÚÑÜ]")


def _mostly_lower(text: str) -> bool:
    """Tokenised lower-case corpora: almost no capitals at all."""
    sample = text[:3000]
    if len(sample) < 50:
        return False
    return len(_UPPER.findall(sample)) < len(sample) * 0.004


def _split_lines(paragraph: str) -> list[str]:
    """Join single-newline-wrapped lines, but keep heading-like lines apart."""
    lines = [ln.strip() for ln in paragraph.split("\n")]
    lines = [ln for ln in lines if ln]
    chunks: list[str] = []
    current = ""
    for line in lines:
        if not current:
            current = line
            continue
        ends = current[-1] in _TERMINAL
        heading_like = len(current) < 90 and not ends and not line[:1].islower()
        if ends or heading_like:
            chunks.append(current)
            current = line
        else:
            current = f"{current} {line}"
    if current:
        chunks.append(current)
    return chunks


def _is_boundary(chunk: str, start: int, end: int, lower_ok: bool) -> bool:
    punct = chunk[start:end]
    nxt = _NEXT_WORD.match(chunk, end)
    if not nxt:
        return True
    opener, word = nxt.group(1), nxt.group(2)
    if not word and not opener:
        return True
    first = (word[:1] or opener[:1])
    upper = bool(_UPPER_START.match(first)) or first.isdigit() or bool(opener)
    if "…" in punct or ".." in punct:
        return bool(_UPPER_START.match(first)) or bool(opener and word[:1].isupper())
    if not upper and not (lower_ok and word[:1].isalpha()):
        return False
    if not punct.startswith(".") or punct.startswith(".."):
        return True  # ! or ? followed by a sentence start
    if punct.rstrip("\"'”’»)]") != ".":
        return True
    space = max(chunk.rfind(" ", 0, start), chunk.rfind("\n", 0, start))
    token = chunk[space + 1 : start].lstrip("\"'“‘«(¿¡[")
    if not token:
        return True
    key = token.lower()
    core = word.strip("\"'“‘«(¿¡,;:").lower()
    if len(token) == 1 and token.isalpha() and token.isupper():
        return False  # an initial: "J. K. Rowling"
    if key in _NEVER_END:
        return bool(core in _OPENERS and not first.isdigit() and key not in _TITLES)
    if key in _MAY_END or re.fullmatch(r"(?:[a-záéíóú]{1,2}\.)+[a-záéíóú]{1,2}", key):
        return core in _OPENERS
    return True


_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "sra", "srta", "dra", "gen", "col", "lt", "capt", "gov",
    "sen", "rep", "rev", "hon", "st", "nº", "p", "pp", "vs", "v", "e.g", "i.e", "lic", "ing",
}


def _split_chunk(chunk: str, lower_ok: bool) -> list[str]:
    out: list[str] = []
    last = 0
    for m in _BOUNDARY.finditer(chunk):
        if _is_boundary(chunk, m.start(), m.end(), lower_ok):
            piece = chunk[last : m.end()].strip()
            if piece:
                out.append(piece)
            last = m.end()
    tail = chunk[last:].strip()
    if tail:
        out.append(tail)
    return out


@functools.lru_cache(maxsize=2048)
def _split_paragraph(para: str, lower_ok: bool) -> tuple[str, ...]:
    out: list[str] = []
    for chunk in _split_lines(para):
        out.extend(_split_chunk(" ".join(chunk.split()), lower_ok))
    return tuple(out)


def split_sentences(text: str, lang: str | None = None) -> list[str]:
    """Split `text` into sentences (English and Spanish rules; `lang` is advisory)."""
    if not text or not text.strip():
        return []
    lower_ok = _mostly_lower(text)
    sentences: list[str] = []
    for para in _PARA_SPLIT.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        sentences.extend(_split_paragraph(para, lower_ok))
    return sentences
