"""Lead summary: the article's opening sentences, extractive.

`lead_summary(article, max_sentences=3)` returns 2–3 sentences from the start of the body, joined
by spaces, normally at most ``MAX_CHARS`` (450) characters.

Body paragraphs that are not prose are skipped (`is_prose_paragraph`): subheadings (listed in
`article.headings`, or short lines without final punctuation), the headline repeated, bylines
("By …", "Por …"), datelines and timestamps ("Updated 14 Dec 2025"), photo captions and credits
("Photo: …", "(Getty Images)", "Image caption"), page furniture ("Key facts:", "Similar
Articles", "Read more", "Advertisement"), and very short fragments. A leading dateline such as
"LONDON (Reuters) -" or "SANTIAGO, Chile —" is trimmed from the first sentence.

Length: the first sentence is always kept (cut at a word boundary with "…" only if it alone runs
past ``HARD_CAP`` characters); further sentences are added while the total stays within
``MAX_CHARS``; the second is still added, up to ``SOFT_CAP``, when otherwise the summary would be a
single sentence.
"""

from __future__ import annotations

import re

from newsdesk.enrich.sentences import split_sentences
from newsdesk.model import Article

__all__ = [
    "lead_summary", "publisher_summary", "body_sentences", "is_prose_paragraph", "strip_dateline",
]

MAX_CHARS = 450
SOFT_CAP = 560
HARD_CAP = 600
MIN_WORDS = 6

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
    r"^(?:[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'’-]{2,40}(?:,\s*[A-Z][\w .'’-]{1,30})?"
    r"\s*(?:\([\w .&/-]{1,30}\))?\s*[-–—:]\s+"
    r"|[A-ZÁÉÍÓÚÑ][\w .'’-]{2,30}\s*\((?:Reuters|AP|AFP|EFE|Europa Press|dpa|Bloomberg)\)"
    r"\s*[-–—:]?\s+)"
)


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


def _usable(sentence: str) -> bool:
    return len(sentence.split()) >= MIN_WORDS and not _FURNITURE.match(sentence)


def _cut(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    for sep in ("; ", ", ", " — ", " – ", " "):
        i = cut.rfind(sep)
        if i > limit * 0.6:
            return cut[:i].rstrip(" ,;:—–-") + "…"
    return cut.rstrip() + "…"


def lead_summary(article: Article, max_sentences: int = 3) -> str:
    """The first 2–3 prose sentences of the body, about 450 characters at most."""
    picked: list[str] = []
    total = 0
    for n, (_, sentence) in enumerate(body_sentences(article)):
        if len(picked) >= max_sentences:
            break
        if n == 0:
            sentence = strip_dateline(sentence)
        if not _usable(sentence):
            continue
        if not picked:
            sentence = _cut(sentence, HARD_CAP)
            picked.append(sentence)
            total = len(sentence)
            continue
        added = total + 1 + len(sentence)
        if added <= MAX_CHARS or (len(picked) == 1 and added <= SOFT_CAP):
            picked.append(sentence)
            total = added
        else:
            break
    if not picked and article.description:
        return _cut(" ".join(article.description.split()), MAX_CHARS)
    return " ".join(picked)


_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def publisher_summary(article: Article, max_sentences: int = 3) -> str:
    """The publisher's own summary (meta description / feed summary) when it is a real one.

    Used as the standfirst so the page does not repeat its first paragraph. It must have at
    least two sentences, differ from the body's opening, and be about the article: most of its
    words appear in the body (which rules out a site-wide blurb). Otherwise "".
    """
    description = (article.description or "").strip()
    if len(description) < 120 or not article.text:
        return ""
    sentences = split_sentences(description, article.lang)
    if len(sentences) < 2:
        return ""
    body = article.text.lower()
    words = {w.lower() for w in _WORD.findall(description)}
    if not words or sum(1 for w in words if w in body) < 0.6 * len(words):
        return ""
    summary = " ".join(sentences[:max_sentences])
    if body.startswith(summary.lower()[:200]):
        return ""  # just the first paragraph again: the extractive lead does as well
    return summary
