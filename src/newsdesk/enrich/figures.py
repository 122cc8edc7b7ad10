"""Figures an article reports: a value, its unit, what it counts and the sentence it is in.

Two layers. `extract_figures(text)` finds the spans (money, percent, date, number) by regular
expression; the entity finder (entities.py) reports them as entities too. `find_figures(text,
lang)` keeps the counts, amounts and percentages, reads their value (thousands separators by
language: "1.800" is 1,800 in Spanish, 1.8 in English) and the words that say what each counts:

- English puts the modifiers first and stops at the noun: "330,000 undocumented migrants",
  "103 days", "1,800 people were stranded" -> "people";
- Spanish puts the noun first and may add a participle or a demonym: "1.800 personas
  varadas", "2.000 soldados bolivianos"; a linking verb before the participle is skipped
  ("1.800 personas permanecen varadas" -> "personas varadas"), other verbs end the phrase;
- "30 millones de litros" and "40% of voters" read through the "de"/"of";
- a percentage or an amount with nothing after it takes the noun before it, skipping the verb
  ("unemployment rose to 7.5%" -> "unemployment", "el desempleo subió al 7,5%" -> "desempleo").

Years, dates and ages are not figures, nor is a bare number with nothing it counts. Story pages
group figures that count the same thing across outlets and mark the groups whose values differ
(stories/digest.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon
from .sentences import split_sentences

MAX_FIGURES = 40  # per article: a results table is not what a story's figures table is for

# -- spans --------------------------------------------------------------------------------------

_D = r"[-‑–]"  # hyphen, non-breaking hyphen, en dash
_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_SCALE_EN = r"million|billion|trillion|thousand|hundred|bn|mn|m|k|tn"
_SCALE_WORDS = r"million|billion|trillion|thousand|bn|mn"
_SCALE_ES = r"mil\s+millones|millones|millón|billones|mil"
_CURRENCY_WORDS = (
    r"dollars?|dólares|euros?|pounds?|libras(?:\s+esterlinas)?|pesos|soles|bolivianos|yen|yuan|"
    r"rupees|reais|francs|USD|EUR|GBP"
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
            # a month alone; an abbreviation only with its full stop ("Mar" starts "María")
            rf"|\b(?:(?:{_MONTHS_EN})\b|(?:{_MONTHS_EN_ABBR})\.)(?!\s+\d)"
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
class Span:
    """A figure as found in the text: character offsets, text as written, kind."""

    start: int
    end: int
    text: str
    type: str  # money, percent, date or number


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


def extract_figures(text: str) -> list[Span]:
    """Money, percent, date and number spans, non-overlapping, in text order."""
    taken: list[Span] = []
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
                taken.append(Span(s, e, value, kind))
    taken.sort(key=lambda sp: sp.start)
    return taken


# -- figures ------------------------------------------------------------------------------------

_SCALES = {
    "thousand": 1e3, "mil": 1e3, "k": 1e3, "million": 1e6, "millón": 1e6, "millones": 1e6,
    "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "mil millones": 1e9, "billones": 1e12,
    "trillion": 1e12, "tn": 1e12, "hundred": 1e2,
}
_CURRENCIES = {"$": "$", "us$": "$", "usd": "$", "€": "€", "eur": "€", "£": "£", "gbp": "£",
               "¥": "¥", "dollars": "$", "dólares": "$", "euros": "€", "pesos": "pesos",
               "soles": "soles", "bolivianos": "bolivianos", "pounds": "£", "libras": "£"}
# words that end the "what it counts" phrase (function words, verbs that usually follow)
_STOP = lexicon.STOP | frozenset(re.findall(r"\S+", (
    "than whom whose is are was were be been being has have had do does did will would could "
    "should may might can said says say told per about around nearly more less over under up "
    "down out into onto during until them him us also just only other another same such either "
    "neither any much several own que quien quienes cuyo se es son fue fueron era eran ser "
    "sido está están estaba estaban ha han había habían cerca más menos ya solo cada otro "
    "otra otros otras mismo misma todos todas muchos muchas como le les aquel dijo dice "
    "informó cent ciento percent")))
# Spanish linking verbs skipped between a noun and its participle ("personas siguen varadas")
_LINKING_ES = frozenset(re.findall(r"\S+", (
    "permanecen permanecían permanecieron siguen seguían siguieron continúan continuaban quedan "
    "quedaron quedaban están estaban estuvieron resultaron resultan fueron son eran")))
# English plurals without an -s, and words that end a count phrase like a plural does
_PLURAL_EN = frozenset(re.findall(r"\S+", (
    "people children men women police staff personnel cattle livestock sheep fish feet teeth "
    "mice data media crew")))
# verbs that sit between a noun and a percentage or an amount ("exports fell by 12%")
_VERBS_BEFORE = frozenset(re.findall(r"\S+", (
    "rose fell grew dropped climbed jumped slipped gained lost reached hit totalled totaled "
    "stood stands cost costs paid raised lent borrowed spent earned won sold bought received "
    "increased decreased declined fined worth to by of at al a en de del el la subió bajó cayó "
    "creció aumentó disminuyó alcanzó llegó se situó ubicó costó pagó recibió")))
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_YEARISH = re.compile(r"^(1[5-9]|20)\d{2}$")
_ADJ_ES = re.compile(r"(?:ad[oa]s?|id[oa]s?|[ae]n[oa]s|eñ[oa]s|enses|eses|ian[oa]s)$")
_OF = re.compile(r"\s*(?:of|de|del)\s+(?:(?:the|los|las|la|el)\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """One reported figure. `value` is the number in plain units (4.5 million -> 4500000)."""

    value: float
    text: str  # as written: "1,800", "$4.5 million", "7.5%"
    unit: str  # "%", "$", "€", … or "" for a count
    counts: str  # what it counts, lower case: "undocumented migrants", "personas varadas"
    sentence: str


def parse_value(text: str, lang: str | None = None) -> float | None:
    """The number in a figure's text, scaled ("4.5 million" -> 4500000.0), or None."""
    low = text.lower().replace("\u00a0", " ")
    m = re.search(r"\d[\d.,]*", low)
    if not m:
        return None
    digits = m.group(0).rstrip(".,")
    spanish = (lang or "").startswith("es")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", digits) and (spanish or digits.count(".") > 1):
        digits = digits.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", digits):
        digits = digits.replace(",", "")
    elif re.fullmatch(r"\d+,\d+", digits):
        digits = digits.replace(",", ".")  # a decimal comma: "7,5 %"
    try:
        value = float(digits)
    except ValueError:
        return None
    rest = low[m.end():]
    for word, factor in sorted(_SCALES.items(), key=lambda kv: -len(kv[0])):
        if re.match(rf"\s*{re.escape(word)}\b", rest):
            return value * factor
    return value


def _unit(text: str, kind: str, after: str) -> str:
    low = text.lower()
    if kind == "percent" or "%" in low or "per cent" in low or "por ciento" in low:
        return "%"
    for word, unit in _CURRENCIES.items():
        if word in low:
            return unit
    first = after.split()[0].lower() if after.split() else ""
    return _CURRENCIES.get(first.strip(".,;:"), "")


def _counts(after: str, unit: str, spanish: bool) -> str:
    """What the figure counts, from the words right after it (see the module docstring)."""
    words: list[str] = []
    tokens = after.split()[:6]
    i = 0
    while i < len(tokens) and len(words) < 2:
        match = _WORD.match(tokens[i])
        if not match:
            break
        w = match.group(0).lower()
        if spanish and words and w in _LINKING_ES and i + 1 < len(tokens):
            i += 1  # "personas permanecen varadas": try the participle after the verb
            continue
        if w in _STOP or (unit and w in _CURRENCIES):
            break
        if spanish and words and not _ADJ_ES.search(w):
            break  # a Spanish noun takes a participle or demonym after it, not a verb
        words.append(w)
        if match.end() < len(tokens[i]):
            break  # punctuation right after the word ends the phrase
        if not spanish and (w in _PLURAL_EN or (w.endswith("s") and not w.endswith("ss"))):
            break  # an English count ends at its (plural) noun
        i += 1
    return " ".join(words)


def _noun_before(before: str) -> str:
    """The noun a percentage or amount belongs to: "unemployment rose to" -> "unemployment"."""
    words = [w.lower() for w in _WORD.findall(before)][-5:]
    while words and (words[-1] in _VERBS_BEFORE or words[-1] in _STOP
                     or words[-1].endswith(("ó", "ed"))):  # "prestó", "approved"
        words.pop()
    return words[-1] if words else ""


def find_figures(text: str, lang: str | None = None) -> list[Figure]:
    """The counts, amounts and percentages in `text`, in order, with what each counts.

    A number is a figure only when it has a unit or something it counts: a bare "3" or a
    year is not."""
    out: list[Figure] = []
    spanish = (lang or "").startswith("es")
    for sentence in split_sentences(text, lang):
        previous_end = 0
        for span in extract_figures(sentence):
            start, previous_end = previous_end, span.end
            if span.type == "date" or "old" in span.text:  # a date or an age
                continue
            after = sentence[span.end:]
            unit = _unit(span.text, span.type, after)
            value = parse_value(span.text, lang)
            if value is None:
                continue
            of = _OF.match(after)
            if of and (unit == "%" or re.search(r"mil|ill|bn|mn", span.text.lower())):
                after = after[of.end():]  # "30 millones de litros", "40% of voters"
            counts = _counts(after, unit, spanish)
            if not counts and unit:  # "unemployment rose to 7.5%": the words before say it
                counts = _noun_before(sentence[start:span.start])
            if span.type == "number" and (not counts or _YEARISH.match(span.text.strip())):
                continue
            out.append(Figure(value, span.text.strip(), unit, counts, sentence.strip()))
            if len(out) >= MAX_FIGURES:
                return out
    return out


def same_value(a: float, b: float) -> bool:
    """Equal within rounding (1.8 million and 1,800,000; 1,200 and 1,200)."""
    if a == b:
        return True
    big = max(abs(a), abs(b))
    return big > 0 and abs(a - b) / big < 0.005
