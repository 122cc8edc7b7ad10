"""Standfirst: the publisher's own when it has one, else 2–3 sentences chosen to summarise.

`publisher_summary(article)` returns the publisher's standfirst (meta description or feed
summary) whole, up to ``MAX_STANDFIRST_SENTENCES`` (5) sentences, when it is a real one: at
least two sentences, in the article's language, about the article (most of its words occur in
the body) and not merely the body's opening again. Otherwise "".

`lead_summary(article, max_sentences=3)` picks sentences from the body (`enrich/extractive.py`
scores them: lexical centrality, headline overlap, a position prior and a length prior, with
MMR against redundancy) and returns them in article order, joined by spaces, normally within
``MAX_CHARS``. On BBC dev's held-out fold it scores ROUGE-1 0.578 at three sentences against
0.431 for Lead-3 and 0.557 for a TF-IDF centroid picker (0.467 / 0.343 / 0.426 at two);
5-fold cross-validated 0.574 (`bench/summary.py`; figures in bench/RESULTS.md).

What is never used:

- Paragraphs that are not prose (`is_prose_paragraph`): subheadings (listed in
  `article.headings`, or short lines without final punctuation), the headline repeated, bylines
  ("By …", "Por …"), datelines and timestamps ("Updated 14 Dec 2025"), photo captions and
  credits ("Photo: …", "(Getty Images)", "Image caption"), page furniture ("Key facts:",
  "Similar Articles", "Read more", "Advertisement"), and very short fragments.
- Sentences that are page furniture even inside a paragraph (`is_noise_sentence`): credits,
  "Read more"/"Lea también" links, subscription and newsletter prompts, wire tails ("Reporting
  by …"), web or mail addresses, and sentences under ``MIN_WORDS`` words.
- A leading wire dateline ("LONDON (Reuters) -", "LIMA, Nov 12 (Reuters) -", "MADRID, 3 dic.
  (EFE).-") is trimmed from any sentence.
- A sentence that opens with a pronoun or connective pointing back ("He said…", "This…",
  "However,…", "Él…", "Además…") is taken only when the sentence before it is taken too, so the
  summary never starts with one (`is_dangling`).

Length: the best-scored sentence is always kept (cut at a word boundary with "…" only if it
alone runs past ``HARD_CAP`` characters); others are added while the total stays within
``MAX_CHARS``, and a second one still up to ``SOFT_CAP`` when otherwise the summary would be a
single sentence.
"""

from __future__ import annotations

import re

from newsdesk.enrich.extractive import DEFAULT_WEIGHTS, Graph, Weights, build_graph, select
from newsdesk.enrich.sentences import split_sentences
from newsdesk.model import Article

__all__ = [
    "MAX_STANDFIRST_SENTENCES", "body_sentences", "candidate_sentences", "is_dangling",
    "is_noise_sentence", "is_prose_paragraph", "lead_summary", "pick_sentences",
    "publisher_summary", "standfirst", "strip_dateline",
]

# 600: three typical news sentences, and about the length of a publisher's standfirst (the
# seed's is 560); at 450 most three-sentence picks would stop at two.
MAX_CHARS = 600
SOFT_CAP = 700
HARD_CAP = 600
MIN_WORDS = 6
MAX_STANDFIRST_SENTENCES = 5
MAX_STANDFIRST_CHARS = 1200

_BYLINE = re.compile(
    r"^(?:by|por|written by|reporting by|escrito por|redacción)\s+"
    r"[\w.'’ ,&-]{2,80}$",
    re.IGNORECASE,
)
_DATELINE_ONLY = re.compile(
    r"^(?:(?:updated|published|posted|last updated|actualizado|publicado)\b.{0,60}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}.{0,40}"
    r"|(?:mon|tue|wed|thu|fri|sat|sun|lun|mar|mié|jue|vie|sáb|dom)\w*,?\s+\d.{0,40})$",
    re.IGNORECASE,
)
_FURNITURE = re.compile(
    r"^(?:key facts|similar articles|related articles|read more|more on this story|"
    r"advertisement|image caption|image source|media caption|share this|follow us|"
    r"sign up|subscribe|lea también|te puede interesar|publicidad|datos clave|"
    r"(?:photo|foto|picture|imagen|getty images|reuters|ap photo|afp|efe|copyright|©)"
    r"\s*(?:[:|/]|$))",
    re.IGNORECASE,
)
_CAPTION_TAIL = re.compile(
    r"\((?:[^()]*(?:photo|foto|getty|reuters|afp|ap|epa|efe|images?|file)[^()]*)\)\s*$",
    re.IGNORECASE,
)
_LEAD_DATELINE = re.compile(
    r"^(?:[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'’-]{2,40}(?:,\s*[A-Z][\w .'’-]{1,30}){0,2}"
    r"\s*(?:\([\w .&/-]{1,30}\))?\s*\.?[-–—:]\s+"
    r"|[A-ZÁÉÍÓÚÑ][\w .'’-]{2,30}(?:,\s*[\w .'’-]{1,30})?\s*"
    r"\((?:Reuters|AP|AFP|EFE|Europa Press|EP|dpa|Bloomberg|Xinhua|ANSA|Efe)\)"
    r"\s*\.?[-–—:]?\s+)"
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOISE_START = re.compile(
    r"\(?(?:reporting|writing|editing|additional reporting|compiled) by\b"
    r"|(?:read more|read also|see also|related|more|watch|listen|lea también|lee también|"
    r"leer más|ver también|vea también|mira|más información|te puede interesar)\s*[:|»>]"
    r"|(?:read more|lea también|lee también|leer más|click here|haga clic|haz clic)\b",
    re.IGNORECASE,
)
# searched anywhere, so every branch starts with a literal word (a leading \S+ backtracks)
_NOISE_ANYWHERE = re.compile(
    r"\b(?:subscri(?:be|ption|ber)|sign up|newsletter|suscr[ií]b|suscripci[oó]n|"
    r"reg[ií]strate|bolet[ií]n|getty images|all rights reserved|todos los derechos|"
    r"copyright|https?://|www\.)"
    r"|\b(?:photo|picture|image|video|foto|imagen)s?\s*(?:credit|by|courtesy|:|/|de archivo)"
    r"|©|[\w.-]@[\w-]+\.[a-z]",
    re.IGNORECASE,
)
# substrings one of which _NOISE_ANYWHERE needs: a plain `in` test spares most sentences the
# regex scan (about 0.1 ms each on our machine)
_NOISE_HINTS = (
    "subscri", "sign up", "newsletter", "suscr", "regístr", "registr", "bolet", "getty",
    "rights reserved", "derechos", "copyright", "http", "www.", "photo", "picture", "image",
    "video", "foto", "imagen", "©", "@",
)
_DANGLING = _wordset(
    "he she it they him them his her its their this that these those however but and also "
    "meanwhile moreover furthermore besides still yet so then thus hence therefore instead "
    "nevertheless nonetheless otherwise such both later there's "
    "él ella ellos ellas ello esto eso este esta estos estas ese esa esos esas aquel aquella "
    "su sus además también pero y asimismo entonces así allí ahí dicho dicha tampoco incluso "
    "luego"
)
_DANGLING_PAIRS = frozenset({
    "in addition", "on the", "at the", "as a", "even so", "in fact", "by contrast",
    "sin embargo", "por eso", "por ello", "no obstante", "por otra", "por otro", "por lo",
    "de hecho", "en cambio", "a su", "en ese", "en esa", "de ahí",
})
# "This week", "Este lunes": a time, not a reference back
_TIME_WORDS = _wordset(
    "week weekend month year morning afternoon evening night season summer winter spring "
    "autumn time century decade monday tuesday wednesday thursday friday saturday sunday "
    "semana mes año mañana tarde noche temporada verano invierno primavera otoño vez siglo "
    "lunes martes miércoles jueves viernes sábado domingo fin"
)
_STRIP = "\"'“”‘’«»¿¡(—–- "
_EN_FUNCTION = _wordset("the of and to in is that for was with on as are by at from")
_ES_FUNCTION = _wordset("el la de que y en los las del se por con una para es al")


def strip_dateline(sentence: str) -> str:
    """Drop a leading wire dateline ("LONDON (Reuters) -", "SANTIAGO, Chile —")."""
    m = _LEAD_DATELINE.match(sentence)
    if m and len(sentence) - m.end() > 20:
        rest = sentence[m.end():]
        return rest[:1].upper() + rest[1:]
    return sentence


def is_prose_paragraph(paragraph: str, article: Article | None = None) -> bool:
    """True when `paragraph` is body prose (not a heading, byline, caption or page furniture)."""
    p = paragraph.strip()
    if not p:
        return False
    if article is not None:
        if p in article.headings:
            return False
        if article.title and p.casefold() == article.title.strip().casefold():
            return False
    if _FURNITURE.match(p) or _BYLINE.match(p) or _DATELINE_ONLY.match(p):
        return False
    words = p.split()
    if len(words) < MIN_WORDS:
        return False
    if p[-1] not in ".!?…\"'”’»)" and len(words) < 15:
        return False  # a heading or label, not a sentence
    return not (_CAPTION_TAIL.search(p) and len(words) < 40)


def body_sentences(article: Article) -> list[tuple[int, str]]:
    """(paragraph index, sentence) for the body's prose sentences, in order."""
    out: list[tuple[int, str]] = []
    for i, para in enumerate(article.paragraphs()):
        if not is_prose_paragraph(para, article):
            continue
        for s in split_sentences(para, article.lang):
            out.append((i, s))
    return out


def is_noise_sentence(sentence: str) -> bool:
    """A byline, credit, link, prompt or fragment: never part of a summary."""
    s = sentence.strip()
    low = s.lower()
    return (
        len(s.split()) < MIN_WORDS
        or bool(_FURNITURE.match(s) or _BYLINE.match(s) or _DATELINE_ONLY.match(s))
        or bool(_NOISE_START.match(s))
        or (any(h in low for h in _NOISE_HINTS) and bool(_NOISE_ANYWHERE.search(s)))
        or bool(_CAPTION_TAIL.search(s))
    )


def is_dangling(sentence: str) -> bool:
    """True when `sentence` opens by pointing back ("He said", "However,", "Además")."""
    words = sentence.lstrip(_STRIP).split(None, 2)
    if not words:
        return False
    first = words[0].strip(",;:").casefold()
    second = words[1].strip(",;:.").casefold() if len(words) > 1 else ""
    if f"{first} {second}" in _DANGLING_PAIRS:
        return True
    if first not in _DANGLING:
        return False
    return second not in _TIME_WORDS


def candidate_sentences(article: Article) -> list[str]:
    """The body's prose sentences that may go into a summary, datelines trimmed, in order."""
    out = []
    for _, sentence in body_sentences(article):
        sentence = strip_dateline(sentence)
        if not is_noise_sentence(sentence) and _whole_quotes(sentence):
            out.append(sentence)
    return out


def _whole_quotes(sentence: str) -> bool:
    """False for a piece of a quotation the sentence splitter cut (an opening « or “ without
    its close, or the reverse): half a quote never goes into a standfirst."""
    return (sentence.count("«") == sentence.count("»")
            and sentence.count("“") == sentence.count("”")
            and sentence.count('"') % 2 == 0)


def _cut(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    for sep in ("; ", ", ", " — ", " – ", " "):
        i = cut.rfind(sep)
        if i > limit * 0.6:
            return cut[:i].rstrip(" ,;:—–-") + "…"
    return cut.rstrip() + "…"


def pick_sentences(
    sentences: list[str],
    title: str = "",
    max_sentences: int = 3,
    weights: Weights = DEFAULT_WEIGHTS,
    graph: Graph | None = None,
) -> list[int]:
    """Indices (ascending) of the candidate `sentences` to summarise with: dangling openers only
    after the sentence before them, within the length budget. `graph` may be passed when the
    caller has it already (the benchmark scores many weightings on one graph)."""
    if not sentences:
        return []
    graph = graph or build_graph(sentences, title)
    dangling = [is_dangling(s) for s in sentences]
    sizes = [len(s) for s in sentences]
    fits_alone = any(n <= HARD_CAP for n in sizes)

    def allowed(i: int, taken: list[int]) -> bool:
        if dangling[i] and (i - 1) not in taken:
            return False
        if not taken:
            return sizes[i] <= HARD_CAP or not fits_alone
        total = sum(sizes[j] + 1 for j in taken) + sizes[i]
        return total <= MAX_CHARS or (len(taken) == 1 and total <= SOFT_CAP)

    picked = select(graph, max_sentences, weights, allowed)
    if not picked:  # every sentence points back: take the best one regardless
        picked = select(graph, 1, weights)
    return sorted(picked)


def lead_summary(
    article: Article, max_sentences: int = 3, weights: Weights = DEFAULT_WEIGHTS
) -> str:
    """2–3 body sentences chosen to summarise, in article order (see the module docstring)."""
    sentences = candidate_sentences(article)
    if not sentences:
        if article.description:
            return _cut(" ".join(article.description.split()), MAX_CHARS)
        return ""
    picked = pick_sentences(sentences, article.title, max_sentences, weights)
    if len(picked) == 1:
        return _cut(sentences[picked[0]], HARD_CAP)
    return " ".join(sentences[i] for i in picked)


_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def _other_language(text: str, lang: str | None) -> bool:
    """True when `text` is plainly English while `lang` is Spanish, or the other way round."""
    if lang not in ("en", "es"):
        return False
    words = [w.lower() for w in _TOKEN.findall(text)]
    en = sum(1 for w in words if w in _EN_FUNCTION)
    es = sum(1 for w in words if w in _ES_FUNCTION)
    return (es > 2 * en + 1) if lang == "en" else (en > 2 * es + 1)


def publisher_summary(article: Article, max_sentences: int = MAX_STANDFIRST_SENTENCES) -> str:
    """The publisher's standfirst (meta description / feed summary), whole, when it is one.

    Used as the standfirst so the page does not repeat its first paragraph. It must have two to
    `max_sentences` sentences (a longer "description" is the article itself, not a standfirst),
    be in the article's language, differ from the body's opening, and be about the article:
    most of its words appear in the body (which rules out a site-wide blurb). Otherwise "".
    """
    description = strip_dateline(" ".join((article.description or "").split()))
    if len(description) < 120 or len(description) > MAX_STANDFIRST_CHARS or not article.text:
        return ""
    sentences = split_sentences(description, article.lang)
    if not 2 <= len(sentences) <= max_sentences:
        return ""
    if _other_language(description, article.lang):
        return ""
    body = article.text.lower()
    words = {w.lower() for w in _WORD.findall(description)}
    if not words or sum(1 for w in words if w in body) < 0.6 * len(words):
        return ""
    if body.startswith(description.lower()[:200]):
        return ""  # just the first paragraph again: the extractive summary does better
    return description


def standfirst(article: Article) -> str:
    """The publisher's standfirst when it has one, else the extractive summary."""
    return publisher_summary(article) or lead_summary(article)
