"""Figures an article reports: a value, its unit, what it counts and the sentence it is in.

"Some 1,800 people were stranded" gives (1800, "", "people stranded"); "1.800 personas
varadas" gives the same value with "personas varadas"; "$4.5 million" gives (4500000, "$",
"…"). The spans come from the rule-based figure finder in entities.py; this module reads
their value (thousands separators by language: "1.800" is 1,800 in Spanish, 1.8 in English)
and the few words after a count that say what it counts. Years, dates and bare ordinals are
not figures. Story pages group figures that count the same thing across outlets and mark
the groups whose values differ (stories/digest.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon
from .entities import extract_figures
from .sentences import split_sentences

MAX_FIGURES = 40  # per article: a results table is not what a story's figures table is for

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
    "informó")))
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_YEARISH = re.compile(r"^(1[5-9]|20)\d{2}$")


@dataclass(frozen=True)
class Figure:
    """One reported figure. `value` is the number in plain units (4.5 million -> 4500000)."""

    value: float
    text: str  # as written: "1,800", "$4.5 million", "7.5%"
    unit: str  # "%", "$", "€", … or "" for a count
    counts: str  # what it counts, lower case: "people stranded", "personas varadas"
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


def _counts(after: str, unit: str) -> str:
    """Up to two content words right after the figure, stopping at punctuation or a
    function word ("people", "undocumented migrants", "personas varadas")."""
    words: list[str] = []
    for token in after.split()[:6]:
        word = _WORD.match(token)
        if not word or word.group(0).lower() in _STOP:
            break
        w = word.group(0).lower()
        if not (unit and w in _CURRENCIES):
            words.append(w)
        if word.end() < len(token) or len(words) == 2:
            break  # punctuation right after the word ends the phrase
    return " ".join(words)


def find_figures(text: str, lang: str | None = None) -> list[Figure]:
    """The counts, amounts and percentages in `text`, in order, with what each counts.

    A number is a figure only when it has a unit or something it counts: a bare "3" or a
    year is not."""
    out: list[Figure] = []
    for sentence in split_sentences(text, lang):
        for span in extract_figures(sentence):
            if span.type == "date" or "old" in span.text:  # a date or an age
                continue
            after = sentence[span.end:]
            unit = _unit(span.text, span.type, after)
            value = parse_value(span.text, lang)
            if value is None:
                continue
            counts = _counts(after, unit)
            if not counts and unit:  # "unemployment rose to 7.5%": the words before say it
                before = [w.lower() for w in _WORD.findall(sentence[:span.start])]
                counts = " ".join([w for w in before if w not in _STOP][-2:])
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
