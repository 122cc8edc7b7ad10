"""Key facts: 3–6 short statements of what the article reports, each carrying who, what,
where, when or a figure.

`key_facts(article, entities=None, min_facts=3, max_facts=6)` compresses the opening sentences
of the body (and of a publisher standfirst, which leads the article) with enrich/compress.py:
attributions, openers, asides and subordinate tails go, nothing is added but the subject of a
reporting clause in place of its pronoun. Every result is a complete statement of at most 20
words. `is_grounded(fact, article_text)` checks the promise that matters most for a fact box:
every number, date word and capitalised name in the fact is in the article; facts that fail it
are dropped. (The publisher's own key facts, when the page has them, are used instead:
extract/facts_box.py, enrich/prepare.py.)

Scoring of a candidate statement:
  figures (money, percent, number, date) found in it, capped at 2, weight W_FIGURE;
  a date, W_WHEN more; names (people, organisations, places; a surname counts for its full
    name), capped at 3, W_NAME;
  centrality: mean document frequency of its content words, scaled to 0..1, W_CENTRAL;
  position: up to +W_POSITION for the first sentence, fading quadratically to 0 at the end
    (REALSumm's human fact units lean heavily on the lead);
  length: W_LENGTH per word past SHORT_WORDS; mostly a quotation: -0.6.
Selection is greedy and diversity-aware: one statement per sentence clause; a candidate whose
similarity with a chosen fact (the larger of content-word Jaccard and 0.65 x overlap
coefficient) reaches DUP_JACCARD is skipped, each pick loses 1.2 x its largest similarity with
the chosen facts and 0.3 when its paragraph already gave one. Past `min_facts`, a fact is
added only when it scores MIN_SCORE, or reports a figure the box lacks, or is short
(MIN_FIGURE_SCORE). A statement repeating a standfirst sentence is never a fact. Facts come
back in article order.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from newsdesk.enrich.compress import compressions
from newsdesk.enrich.entities import extract_entities
from newsdesk.enrich.sentences import split_sentences
from newsdesk.enrich.summary import body_sentences, lead_summary, strip_dateline
from newsdesk.model import Article, Entity

__all__ = ["key_facts", "is_grounded", "is_extractive", "content_words"]

MAX_SENTENCES = 16
MIN_FACT_WORDS = 4
DUP_JACCARD = 0.5
REPEAT_JACCARD = 0.8  # a candidate this close to a standfirst sentence repeats it
MIN_SCORE = 3.5  # after min_facts, stop when the best remaining scores below this ...
MIN_FIGURE_SCORE = 2.5  # ... unless it reports a figure the facts lack and scores this
# weights of the score (see the module docstring); position was tuned on REALSumm (lead-heavy)
W_FIGURE, W_NAME, W_CENTRAL, W_POSITION = 1.0, 0.7, 1.5, 3.0
W_WHEN = 0.8  # a date on top: a fact box should say when
W_LENGTH, SHORT_WORDS = 0.15, 8  # a fact longer than SHORT_WORDS loses W_LENGTH per word
# MIN_SCORE and W_LENGTH were chosen by units covered per word on one random half of REALSumm
# and checked on the other (bench/RESULTS.md): more facts than 3 only when they carry as much

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


@dataclass(frozen=True)
class _Source:
    """What grounding looks up in an article, computed once per article."""

    text: str
    numbers: frozenset[str]
    words: frozenset[str]
    lower: frozenset[str]


@functools.lru_cache(maxsize=64)
def _source(article_text: str) -> _Source:
    a = _norm(article_text)
    words = set(re.findall(r"[\w']+", a))
    words |= {w[:-2] for w in words if w.endswith("'s")}
    return _Source(a, frozenset(_NUMBER.findall(a)), frozenset(words),
                   frozenset(w.lower() for w in words))


def is_grounded(fact: str, article_text: str) -> bool:
    """True when every number, date word and capitalised name in `fact` occurs in the article."""
    f, src = _norm(fact), _source(article_text)
    if any(n not in src.numbers for n in _NUMBER.findall(f)):
        return False
    for i, m in enumerate(_CAPWORD.finditer(f)):
        word = re.sub(r"'s$", "", m.group(0))
        if word in src.words or word.rstrip("'") in src.words:
            continue
        if m.start() > 0 and f[m.start() - 1].isalnum() and word in src.text:
            continue  # inside a token: "777-200LR", "10K"
        if i == 0 and word.lower() in src.lower:  # sentence-initial capital
            continue
        return False
    return all(d.lower() in src.lower for d in _DATE_WORDS.findall(f))


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
    figures: frozenset[str] = frozenset()


def _balanced(text: str) -> bool:
    return (
        text.count('"') % 2 == 0
        and text.count("“") == text.count("”")
        and text.count("«") == text.count("»")
        and text.count("(") == text.count(")")
    )


def _mentions(text: str, names: list[tuple[str, list[str]]]) -> int:
    found = 0
    for full, parts in names:
        if full in text or any(p in text for p in parts):
            found += 1
    return found


def _candidates(article: Article, entities: list[Entity],
                standfirst: list[str] | None = None) -> list[_Cand]:
    """Compressed statements of the body's sentences and of a publisher standfirst's (which
    counts as the article's lead)."""
    # facts come from the opening: past it they rarely score (position weighs most), and
    # compressing every sentence of a long article would cost more than the rest of enrichment
    sents = ([(-1, s) for s in standfirst or []] + body_sentences(article))[:MAX_SENTENCES]
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
    date_texts = [e.text for e in entities if e.type == "date"]
    cands: list[_Cand] = []
    for order, (para, sentence) in enumerate(sents):
        if order == 0:
            sentence = strip_dateline(sentence)
        for piece, clause in compressions(sentence, article.lang):
            words = content_words(piece)
            n_words = len(piece.split())
            if n_words < MIN_FACT_WORDS or not words:
                continue
            figures = sum(1 for f in figure_texts if f in piece)
            n_names = _mentions(piece, names)
            central = sum(doc_freq[w] for w in words) / (len(words) * top)
            score = (
                W_FIGURE * min(figures, 2)
                + W_NAME * min(n_names, 3)
                + W_CENTRAL * min(1.0, central * 2.5)
                + W_POSITION * (1 - max(order, 0) / n_sents) ** 2
                + W_WHEN * any(d in piece for d in date_texts)
                - W_LENGTH * max(0, n_words - SHORT_WORDS)
            )
            quoted = sum(len(q) for q in _QUOTED.findall(piece))
            if quoted > 0.3 * len(piece):
                score -= 0.6
            cands.append(_Cand(piece, para, order * 10 + clause, words, score,
                               frozenset(f for f in figure_texts if f in piece)))
    return cands


def _select(
    cands: list[_Cand], avoid: set[str], k: int, min_k: int, dup: float
) -> list[_Cand]:
    chosen: list[_Cand] = []
    # largest overlap with anything chosen so far (or with the summary's first sentence)
    top_sim = [_similar(c.words, avoid) if avoid else 0.0 for c in cands]
    paras: set[int] = set()
    alive = [True] * len(cands)
    covered: set[str] = set()
    while len(chosen) < k:
        best, best_val = -1, float("-inf")
        # the best candidate reporting a figure not yet in, or saying something in few words
        adds, adds_val = -1, float("-inf")
        for i, c in enumerate(cands):
            if not alive[i]:
                continue
            if top_sim[i] >= dup:
                alive[i] = False
                continue
            val = c.score - 1.2 * top_sim[i] - 0.3 * (c.para in paras)
            if val > best_val:
                best, best_val = i, val
            short = len(c.text.split()) <= SHORT_WORDS
            if (c.figures - covered or short) and val > adds_val:
                adds, adds_val = i, val
        if best >= 0 and len(chosen) >= min_k and best_val < MIN_SCORE:
            # past the minimum, only what scores high, a figure still missing or a short fact
            best, best_val = (adds, adds_val) if adds_val >= MIN_FIGURE_SCORE else (-1, 0.0)
        if best < 0:
            break
        pick = cands[best]
        covered |= pick.figures
        chosen.append(pick)
        paras.add(pick.para)
        alive[best] = False
        for i, c in enumerate(cands):
            if alive[i]:
                if c.order == pick.order:  # one statement per sentence
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
    summary = article.summary or ""
    body = _norm(article.text)
    own = [s for s in split_sentences(summary, article.lang) if _norm(s) not in body]
    cands = _candidates(article, entities, own)
    if not cands:
        return []
    summary = article.summary or lead_summary(article)
    shown = [content_words(s) for s in split_sentences(summary, article.lang)]
    # a fact box repeating a standfirst sentence word for word adds nothing
    cands = [c for c in cands if all(_jaccard(c.words, s) < REPEAT_JACCARD for s in shown)]
    chosen = _select(cands, set(), max_facts, min_facts, DUP_JACCARD)
    if len(chosen) < min_facts:  # short article: relax the near-duplicate rules
        chosen = _select(cands, set(), max(min_facts, len(chosen)), min_facts, 0.8)
    chosen.sort(key=lambda c: (c.order, c.text))
    source = f"{summary}\n{article.text}"
    return [c.text for c in chosen if is_grounded(c.text, source)]
