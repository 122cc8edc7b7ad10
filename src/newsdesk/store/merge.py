"""The one rule for a duplicate that carries more text, applied by every engine.

A full page arriving after its feed summary (or the reverse) keeps the longer text; the
stored article keeps its id, its feed, its dates and whatever the newcomer lacks.
"""

from __future__ import annotations

from ..model import Article

_TAKEN_WHEN_MISSING = ("byline", "published", "publisher_section", "description", "source",
                       "url", "lang", "image_url")


def is_richer(new: Article, old: Article) -> bool:
    """True when `new` has clearly more text than `old` (30% and 200 characters more)."""
    return len(new.text) > 1.3 * len(old.text) + 200


def merge(old: Article, new: Article) -> Article:
    """`old` with the text of `new`; enrichment cleared so it is prepared again."""
    for name in ("text", "html", "headings"):
        if getattr(new, name):
            setattr(old, name, getattr(new, name))
    for name in _TAKEN_WHEN_MISSING:
        value = getattr(new, name)
        if value and not getattr(old, name):
            setattr(old, name, value)
    if new.title and len(new.title) >= 8:
        old.title = new.title
    old.content_hash = new.content_hash
    # the new version's own key facts (the publisher's, read from its page) are kept
    old.embedding, old.summary, old.key_facts, old.entities = None, "", list(new.key_facts), []
    return old
