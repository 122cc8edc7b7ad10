"""How related two articles are: the score behind "Similar articles", calibrated to SemEval.

`relatedness(a, b, cosine=None)` returns a score in [0, 1] meant as the expected human
judgement of the pair on the SemEval-2022 Task 8 scale, mapped linearly: 1 = the same story
(`Overall` 1), 0 = unrelated (`Overall` 4); i.e. score = (4 - predicted Overall) / 3.

The method: a logistic model, score = sigmoid(bias + w · features), on three features of the
text each article is embedded from (`embedding_text`: headline and start of the body, 1,000
characters), with its four weights fitted by `bench/similarity.py --fit` on the training half
of SemEval-2022 Task 8 (en-en, es-es, es-en pairs) and pasted here as constants:

1. `cosine` of the two stored multilingual USE embeddings (crosses languages). The logistic
   link matters: unrelated pairs pile up at Overall 4 whatever their cosine; the S-shape alone
   took testing-file Pearson from 0.781 / 0.786 / 0.787 (en-en / es-es / es-en) to
   0.797 / 0.793 / 0.818.
2. `head_words`: within one language, the set cosine of the content words of the first
   HEAD_CHARS characters (the headline, in practice), accent-folded, stop words dropped, each
   cut to its first STEM_CHARS letters (a cheap stemmer: "crashes"/"crashed",
   "presidente"/"presidentes"). The embedding of 1,000 characters dilutes the headline with
   boilerplate (paywall notices, bylines); its words are what readers judge by. 0 across
   languages. Held out, it added 0.010-0.020 Pearson on same-language pairs. A corpus IDF
   is not available at run time; on headlines, where words rarely repeat, stop words and the
   prefix cut do most of its work.
3. `head_names`: names and numbers in the same span (capitalised words not opening a
   sentence; numbers with thousands separators removed), accent-folded, as the overlap
   coefficient |A ∩ B| / min(|A|, |B|). It crosses languages. On SemEval its effect is small
   and mixed (held out, es-es +0.01 to +0.03, es-en -0.02 to +0.01 beside cosine alone; the
   embedding already sees most names); it is kept, with its small fitted weight, so that a
   shared name counts for pairs in two languages too.

Measured (Pearson with -Overall; plain USE cosine in brackets; bench/RESULTS.md has the
table). Shipped weights, fitted on training_set.csv, scored on testing_set.csv: en-en 0.812
(0.781), es-es 0.810 (0.786), es-en 0.823 (0.787). The other way round (fitted on testing,
scored on training): en-en 0.833 (0.807), es-es 0.784 (0.742), es-en 0.748 (0.751): the
training file's Spanish pairs are harder for every feature tried, and es-en gains nothing there.

Recency (production only; SemEval pairs carry no dates, so it is not measured): when both
articles have a publication date, the score is multiplied by a factor falling linearly from 1
(same day) to 1 - RECENCY_WEIGHT (RECENCY_DAYS or more apart). It is mild on purpose: it
reorders near-ties and can push a borderline pair under MIN_RELATED, nothing more.

Weights assume the `use` embedder; with the `hash` embedder cosines run lower and the score
ranks but is no longer calibrated. Cost per pair: two short regex passes over 100 characters
and a dot product (about 70 µs), fine for ~30 candidates per view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from ..enrich import lexicon
from ..enrich.embed import embedding_text
from ..model import Article
from ..textfold import strip_accents

__all__ = [
    "MIN_RELATED", "WEIGHTS", "BIAS", "PairFeatures", "pair_features", "pair_score",
    "recency_factor", "relatedness", "score_features",
]

HEAD_CHARS = 100  # of the embedded text: the headline and a little of the lead
STEM_CHARS = 5

# Fitted by `bench/similarity.py --fit` on training_set.csv (en-en, es-es, es-en; 318 pairs).
# Order: cosine, head_words, head_names.
WEIGHTS = (6.94, 1.52, 0.26)
BIAS = -3.90

# Least score listed as related: predicted Overall <= 2.65, between "somewhat similar" (2) and
# "somewhat dissimilar" (3). On testing_set.csv (not used for the fit) it lets through 6% of the
# pairs humans call unrelated (Overall >= 3.5; 8 of 132) and 88% of those they call the same
# or similar (Overall <= 2); at 0.30 the unrelated share was 15%, at 0.50 similar fell to 83%.
MIN_RELATED = 0.45

RECENCY_DAYS = 90.0
RECENCY_WEIGHT = 0.1

_EXTRA_STOP = (
    "is are was were be been being has have had do does did will would can could should may "
    "might must said says say about into over more than just like only up out them him its "
    "es son fue fueron ser ha han había hay que se le les me nos mi ya muy más como lo uno "
    "sido está están todo todos cada otro otra otros otras porque puede pueden dijo así donde"
)


def _fold(text: str) -> str:
    return strip_accents(text)


_STOP = frozenset(_fold(w) for w in lexicon.STOP | set(_EXTRA_STOP.split()))
_WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"[.,](?=\d{3}(?!\d))")
_OPENERS = ".!?\n"
_QUOTES = "\"'“‘«¿¡([-–—"


@dataclass(frozen=True)
class PairFeatures:
    """The model's inputs for one pair (see the module docstring)."""

    cosine: float
    head_words: float
    head_names: float

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.cosine, self.head_words, self.head_names)


def _number(token: str) -> str:
    return _THOUSANDS.sub("", token).replace(",", ".")


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and (text[i].isspace() or text[i] in _QUOTES):
        i -= 1
    return i < 0 or text[i] in _OPENERS


def _head_terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(stemmed content words, names and numbers) of the head of `text`."""
    head = text.strip()[:HEAD_CHARS]
    words: set[str] = set()
    names: set[str] = set()
    for m in _WORD.finditer(head):
        token = m.group()
        if token[0].isdigit():
            value = _number(token)
            words.add(value)
            names.add(value)
            continue
        folded = _fold(token.lower())
        if folded in _STOP or len(folded) < 3:
            continue
        words.add(folded[:STEM_CHARS])
        if token[0].isupper() and not _sentence_start(head, m.start()):
            names.add(folded)
    return frozenset(words), frozenset(names)


def _set_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _same_language(lang_a: str | None, lang_b: str | None) -> bool:
    # unknown counts as the same: across languages the word overlap is small anyway
    return lang_a is None or lang_b is None or lang_a.split("-")[0] == lang_b.split("-")[0]


def pair_features(text_a: str, text_b: str, cosine: float, lang_a: str | None = None,
                  lang_b: str | None = None) -> PairFeatures:
    """Features of two embedded texts (`embedding_text` of each article) and their cosine."""
    words_a, names_a = _head_terms(text_a)
    words_b, names_b = _head_terms(text_b)
    head_words = _set_cosine(words_a, words_b) if _same_language(lang_a, lang_b) else 0.0
    return PairFeatures(float(cosine), head_words, _overlap(names_a, names_b))


def score_features(features: PairFeatures, weights: Sequence[float] = WEIGHTS,
                   bias: float = BIAS) -> float:
    """The logistic model: predicted (4 - Overall) / 3, in (0, 1)."""
    z = bias + sum(w * x for w, x in zip(weights, features.as_tuple(), strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def pair_score(text_a: str, text_b: str, cosine: float, lang_a: str | None = None,
               lang_b: str | None = None) -> float:
    """`relatedness` on plain texts, without dates."""
    return score_features(pair_features(text_a, text_b, cosine, lang_a, lang_b))


def _naive_utc(moment: datetime) -> datetime:
    # stored dates may be naive (taken as UTC) or aware; the two cannot be subtracted
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def recency_factor(a: datetime | None, b: datetime | None) -> float:
    """1 for articles published together, falling to 1 - RECENCY_WEIGHT RECENCY_DAYS apart."""
    if a is None or b is None:
        return 1.0
    a, b = _naive_utc(a), _naive_utc(b)
    days = abs((a - b).total_seconds()) / 86400.0
    return 1.0 - RECENCY_WEIGHT * min(days / RECENCY_DAYS, 1.0)


def _cosine(a: Article, b: Article) -> float:
    if a.embedding is None or b.embedding is None:
        return 0.0
    return float(np.dot(np.asarray(a.embedding, dtype=np.float32),
                        np.asarray(b.embedding, dtype=np.float32)))


def relatedness(a: Article, b: Article, cosine: float | None = None) -> float:
    """How related `a` and `b` are, 0 (unrelated) to 1 (same story); symmetric.

    `cosine` is the two embeddings' cosine when the caller has it (the vector index does);
    otherwise it is computed from `Article.embedding` (0 when either is missing)."""
    if cosine is None:
        cosine = _cosine(a, b)
    score = pair_score(embedding_text(a), embedding_text(b), cosine, a.lang, b.lang)
    return min(1.0, max(0.0, score * recency_factor(a.published, b.published)))
