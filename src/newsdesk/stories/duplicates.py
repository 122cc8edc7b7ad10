"""Near-duplicates: wire copy republished by several outlets.

Two articles are copies when most of the word 5-grams (shingles) of the shorter one's opening
occur in the other: outlets trim a wire story, add a paragraph, change the headline or the
byline, but keep its sentences. `fold` groups a list so each copy sits under the first
published version; lists show the first once ("also published by …") while the story's
coverage still counts every outlet. Translations are not copies (no shared shingles): they
are what stories link across languages.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..model import Article
from ..textfold import fold_text

SHINGLE = 5
OPENING_WORDS = 400  # compare the first 400 words: enough to tell, cheap for long articles
MIN_CONTAINMENT = 0.6  # share of the shorter text's shingles found in the other
MIN_SHINGLES = 8  # texts shorter than this (a headline-only entry) are never called copies

_WORD = re.compile(r"\w+", re.UNICODE)


def _fold_case(text: str) -> str:
    return fold_text(text)


@functools.lru_cache(maxsize=2048)  # lists and story pages fold the same articles again
def shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(_fold_case(text))[:OPENING_WORDS]
    return frozenset(hash(tuple(words[i:i + SHINGLE])) for i in range(len(words) - SHINGLE + 1))


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller set found in the other (0 when either is too short to tell)."""
    if len(a) < MIN_SHINGLES or len(b) < MIN_SHINGLES:
        return 0.0
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & big) / len(small)


def is_copy(a: Article, b: Article) -> bool:
    return containment(shingles(a.text), shingles(b.text)) >= MIN_CONTAINMENT


@dataclass
class Folded:
    """An article and the copies of it published later (by other outlets, or re-posted)."""

    article: Article
    copies: list[Article] = field(default_factory=list)

    @property
    def outlets(self) -> list[str]:
        """The copies' outlets other than the original's, in order, once each."""
        seen = {self.article.source}
        out = []
        for copy in self.copies:
            if copy.source and copy.source not in seen:
                seen.add(copy.source)
                out.append(copy.source)
        return out


def _when(article: Article) -> tuple[bool, float, int]:
    moment = article.published or article.fetched
    return (moment is None, moment.timestamp() if moment else 0.0, article.id or 0)


def fold(articles: list[Article]) -> list[Folded]:
    """`articles` with each copy moved under the earliest version, in the list's order.

    Quadratic in the list's length; lists on pages are short (a story's timeline, a section
    page), and the opening of each text is shingled once."""
    marks = {id(a): shingles(a.text) for a in articles}
    earliest_first = sorted(articles, key=_when)
    head_of: dict[int, Article] = {}
    heads: list[Article] = []
    for article in earliest_first:
        own = marks[id(article)]
        original = next((h for h in heads if containment(own, marks[id(h)]) >= MIN_CONTAINMENT),
                        None)
        if original is None:
            heads.append(article)
        else:
            head_of[id(article)] = original
    groups = {id(h): Folded(h) for h in heads}
    for article in earliest_first:
        if id(article) in head_of:
            groups[id(head_of[id(article)])].copies.append(article)
    return [groups[id(a)] for a in articles if id(a) in groups]
