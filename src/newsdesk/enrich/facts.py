"""Key facts: 3–6 short sentences or clauses taken from the article, each carrying who, what,
where or a figure.

`key_facts(article, entities=None, min_facts=3, max_facts=6)` is extractive: every fact is a
body sentence, or a clause of one cut at a clause boundary (a prefix ending before "; ", " — ",
", which", ", who", " that ", ", while", ", but", " because", ", after"…), or the clause after a
semicolon or dash. No word is added or changed. `is_grounded(fact, article_text)` checks the
promise that matters most for a fact box: every number, date word and capitalised name in the
fact is present in the article.

Scoring of a candidate (a sentence, trimmed when it runs past ``LONG_WORDS`` words):
  figures (money, percent, number, date) found in it, capped at 2, weight 1.0;
  names (people, organisations, places; a surname counts for its full name), capped at 3, 0.7;
  centrality: mean document frequency of its content words, scaled to 0..1, weight 1.5;
  position: up to +3.0 for the first sentence, fading quadratically to 0 at the end (tuned on
    REALSumm, whose reference facts lean heavily on the lead);
  penalties: mostly a quotation (-0.6), very short (-1) or still long (-0.3).
Selection is greedy and diversity-aware. Similarity (`_similar`) is the larger of content-word
Jaccard and 0.65 x overlap coefficient. A candidate whose similarity with a chosen fact, or with
the summary's first sentence, reaches ``DUP_JACCARD`` is skipped; each pick loses 1.2 x its
largest similarity with the chosen facts, and 0.3 when its paragraph already gave a fact, so
facts spread through the article. Facts come back in article order. When fewer than `min_facts`
pass, the duplicate rule is relaxed (never below distinct sentences).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from newsdesk.enrich.entities import extract_entities
from newsdesk.enrich.sentences import split_sentences
from newsdesk.enrich.summary import body_sentences, lead_summary, strip_dateline
from newsdesk.model import Article, Entity

__all__ = ["key_facts", "is_grounded", "is_extractive", "content_words"]

LONG_WORDS = 26
MAX_FACT_CHARS = 180
MIN_FACT_WORDS = 6
DUP_JACCARD = 0.5
MIN_SCORE = 0.9  # after min_facts, stop when the best remaining scores below this
# weights of the score (see the module docstring); position was tuned on REALSumm (lead-heavy)
W_FIGURE, W_NAME, W_CENTRAL, W_POSITION = 1.0, 0.7, 1.5, 3.0

_STOPWORD_TEXT = """a an the and or but if of to in on at by for with from as into about
    over after before than then that this these those there their they them he she it its
    his her him we our us
    you your i me my is are was were be been being has have had do does did will would can could
    should may might must shall not no so such also just more most very said says say told
    who whom whose which what when where why how while all any both each few other some own same
    up out off again further once here only too s t don now one two new
    el la los las un una unos unas lo al del de en con por para según sin sobre tras y o u e pero
    que se su sus es son fue fueron ha han había ser está están como más muy ya le les no si
    este esta estos estas ese esa esos esas ni cuando donde quien dijo"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_NAME_TYPES = {"person", "org", "place", "misc"}
_FIGURE_TYPES = {"number", "money", "percent", "date"}
_QUOTED = re.compile(r"[\"“«][^\"“”«»]*[\"”»]")
_CUTS = re.compile(
    r"; | — | – | -- |, which |, who |, where |, while |, whereas |, but |, although |, though |"
    r", as |, after |, before |, because | because | that |, according to |, adding |, saying |"
    r", y |, pero |, que |, quien |, donde |, mientras | que | porque "
)
# a prefix ending in one of these ("X said", "Y informó") has its content after the cut
_REPORTING_TEXT = """said says say told tells reported reports warned warns announced
    announces added adds
    explained explains confirmed confirms stated states noted notes insisted insists claimed
    claims argued argues believes believe thinks think hopes hope knows know acknowledged
    admitted estimated estimates suggested suggests showed shows found dijo dice dicen
    informó informa señaló señala explicó explica afirmó afirma aseguró asegura indicó
    indica advirtió advierte anunció anuncia confirmó confirma añadió agregó sostuvo declaró
    reconoció denunció recordó precisó detalló destacó subrayó consideró estimó cree creen
    sabe saben espera esperan reveló revela mostró muestra"""
_REPORTING = frozenset(_REPORTING_TEXT.split())
_OPEN_CLAUSE = re.compile(r" (?:who|whom|that|which|whose|que|quien|quienes|cuyo|cuya) ")
_SPLIT_AFTER = {"; ", " — ", " – ", " -- "}


_STRIP = "\"'“”‘’«»()[]¿?¡!.,;:…—–-`*"


def content_words(text: str) -> set[str]:
    """Lower-case content words (no stop words, at least 3 characters, or any number)."""
    out = set()
    for w in text.lower().split():
        w = w.strip(_STRIP)
        if w.endswith("'s") or w.endswith("’s"):
            w = w[:-2]
        if not w or (len(w) < 3 and not w[0].isdigit()) or w in _STOPWORDS:
            continue
        if len(w) > 4 and w[-1] == "s" and w[-2] != "s":
            w = w[:-1]
        out.add(w)
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _similar(a: set[str], b: set[str]) -> float:
    """Near-duplicate measure: the larger of Jaccard and 0.65 x overlap coefficient (so a
    clause three-quarters contained in another sentence counts as a near-duplicate of it)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return max(inter / len(a | b), 0.65 * inter / min(len(a), len(b)))


# --- grounding -------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPWORD = re.compile(r"[A-ZÁÉÍÓÚÑÜÀÈÌÒÙÂÊÎÔÛÇ][\w'’]*")
_DATE_WORDS = re.compile(
    r"\b(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    r"noviembre|diciembre|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b",
    re.IGNORECASE,
)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def is_grounded(fact: str, article_text: str) -> bool:
    """True when every number, date word and capitalised name in `fact` occurs in the article."""
    f, a = _norm(fact), _norm(article_text)
    numbers = set(_NUMBER.findall(a))
    for n in _NUMBER.findall(f):
        if n not in numbers:
            return False
    a_words = set(re.findall(r"[\w']+", a))
    a_words |= {w[:-2] for w in a_words if w.endswith("'s")}
    a_lower = {w.lower() for w in a_words}
    for i, m in enumerate(_CAPWORD.finditer(f)):
        word = re.sub(r"'s$", "", m.group(0))
        if word in a_words or word.rstrip("'") in a_words:
            continue
        if i == 0 and word.lower() in a_lower:  # sentence-initial capital
            continue
        return False
    return all(d.lower() in a_lower for d in _DATE_WORDS.findall(f))


def is_extractive(fact: str, article_text: str) -> bool:
    """True when `fact` occurs verbatim in the article (modulo spacing, dashes and quotes)."""
    return _norm(fact).strip() in _norm(article_text)


# --- candidates ------------------------------------------------------------------------------


@dataclass
class _Cand:
    text: str
    para: int
    order: int
    words: set[str]
    score: float = 0.0


def _balanced(text: str) -> bool:
    return (
        text.count('"') % 2 == 0
        and text.count("“") == text.count("”")
        and text.count("«") == text.count("»")
        and text.count("(") == text.count(")")
    )


def _trim(sentence: str) -> list[str]:
    """The sentence, or when long its informative clause-level pieces (prefixes and segments)."""
    n_words = len(sentence.split())
    if n_words <= LONG_WORDS and len(sentence) <= MAX_FACT_CHARS:
        return [sentence]
    pieces: list[str] = []
    for m in _CUTS.finditer(sentence):
        if not _balanced(sentence[: m.start()]):
            continue  # never cut inside a quotation or parenthesis
        prefix = sentence[: m.start()].rstrip(" ,;:")
        if _OPEN_CLAUSE.search(prefix):
            continue  # "Migrants who say they are leaving": the main verb is still to come
        last = prefix.split()[-1].lower().strip(".,;:") if prefix.split() else ""
        if last in _REPORTING:
            prefix = ""  # "The minister said": what was said comes after the cut
        if prefix and 8 <= len(prefix.split()) <= LONG_WORDS and len(prefix) <= MAX_FACT_CHARS:
            pieces.append(prefix)
        if m.group(0) in _SPLIT_AFTER:
            rest = sentence[m.end():].strip()
            if 8 <= len(rest.split()) <= LONG_WORDS and len(rest) <= MAX_FACT_CHARS:
                pieces.append(rest)
    return pieces or [sentence]


def _mentions(text: str, names: list[tuple[str, list[str]]]) -> int:
    found = 0
    for full, parts in names:
        if full in text or any(p in text for p in parts):
            found += 1
    return found


def _candidates(article: Article, entities: list[Entity]) -> list[_Cand]:
    sents = body_sentences(article)
    if not sents:
        return []
    n_sents = len(sents)
    doc_freq: Counter[str] = Counter()
    sent_words = []
    for _, s in sents:
        w = content_words(s)
        sent_words.append(w)
        doc_freq.update(w)
    top = max(doc_freq.values()) if doc_freq else 1
    names = []
    for e in entities:
        if e.type in _NAME_TYPES:
            parts = [p for p in e.text.split() if len(p) > 3 and p[0].isupper()]
            names.append((e.text, parts[1:] if e.type == "person" else []))
    figure_texts = [e.text for e in entities if e.type in _FIGURE_TYPES]
    cands: list[_Cand] = []
    for order, (para, sentence) in enumerate(sents):
        if order == 0:
            sentence = strip_dateline(sentence)
        for piece in _trim(sentence):
            words = sent_words[order] if piece == sentence else content_words(piece)
            n_words = len(piece.split())
            if n_words < MIN_FACT_WORDS or not words or not _balanced(piece):
                continue  # too short, or half of a quotation the splitter cut in two
            figures = sum(1 for f in figure_texts if f in piece)
            n_names = _mentions(piece, names)
            central = sum(doc_freq[w] for w in words) / (len(words) * top)
            score = (
                W_FIGURE * min(figures, 2)
                + W_NAME * min(n_names, 3)
                + W_CENTRAL * min(1.0, central * 2.5)
                + W_POSITION * (1 - order / n_sents) ** 2
            )
            quoted = sum(len(q) for q in _QUOTED.findall(piece))
            if quoted > 0.5 * len(piece):
                score -= 0.6
            if n_words < 8:
                score -= 1.0
            if n_words > LONG_WORDS:
                score -= 0.3
            cands.append(_Cand(piece, para, order, words, score))
    return cands


def _select(
    cands: list[_Cand], avoid: set[str], k: int, min_k: int, dup: float
) -> list[_Cand]:
    chosen: list[_Cand] = []
    # largest overlap with anything chosen so far (or with the summary's first sentence)
    top_sim = [_similar(c.words, avoid) if avoid else 0.0 for c in cands]
    paras: set[int] = set()
    alive = [True] * len(cands)
    while len(chosen) < k:
        best, best_val = -1, float("-inf")
        for i, c in enumerate(cands):
            if not alive[i]:
                continue
            if top_sim[i] >= dup:
                alive[i] = False
                continue
            val = c.score - 1.2 * top_sim[i] - 0.3 * (c.para in paras)
            if val > best_val:
                best, best_val = i, val
        if best < 0 or (len(chosen) >= min_k and best_val < MIN_SCORE):
            break
        pick = cands[best]
        chosen.append(pick)
        paras.add(pick.para)
        alive[best] = False
        for i, c in enumerate(cands):
            if alive[i]:
                if c.order == pick.order and (c.text in pick.text or pick.text in c.text):
                    alive[i] = False
                else:
                    top_sim[i] = max(top_sim[i], _similar(c.words, pick.words))
    return chosen


def key_facts(
    article: Article,
    entities: list[Entity] | None = None,
    min_facts: int = 3,
    max_facts: int = 6,
) -> list[str]:
    """3–6 facts taken from the article (see the module docstring for how they are chosen)."""
    if entities is None:
        entities = extract_entities(article.text, article.lang)
    cands = _candidates(article, entities)
    if not cands:
        return []
    summary = article.summary or lead_summary(article)
    first = split_sentences(summary, article.lang)[:1]
    avoid = content_words(first[0]) if first else set()
    chosen = _select(cands, avoid, max_facts, min_facts, DUP_JACCARD)
    if len(chosen) < min_facts:  # short article: relax the near-duplicate rules
        chosen = _select(cands, set(), max(min_facts, len(chosen)), min_facts, 0.8)
    chosen.sort(key=lambda c: (c.order, c.text))
    return [c.text for c in chosen]
