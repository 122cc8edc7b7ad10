"""Accent folding shared by everything that compares words across spellings ("Perú" and
"Peru", "frontera" typed without its accent): one definition, so the story clustering, the
near-duplicate test, the relatedness score and search highlighting agree."""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """`text` with combining marks removed after compatibility decomposition ("Perú" ->
    "Peru", "ﬁ" -> "fi"); case is kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_text(text: str) -> str:
    """Case-folded and accent-stripped: the key two spellings of a word share."""
    return strip_accents(text.casefold())
